"""Grading answers: the corpus in tests/answers, the source texts' slips, counterexamples, notations, the CLI.

Each corpus file ``tests/answers/<notation>.txt`` is graded against ``<notation>.toml``; the prefix of
every identifier says the expected verdict (``ok-`` correct, ``bad-`` wrong, ``err-`` unreadable).
"""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

import pytest
import sympy as sp
from networks import MATRIX
from paths import EXAMPLES

from symbackprop import timing
from symbackprop.check import grade as grading
from symbackprop.check import infer
from symbackprop.check import verdict as verdicts
from symbackprop.check.grade import grade, grade_all
from symbackprop.check.read import parse_answer, read_answers
from symbackprop.check.verdict import report_latex, report_text
from symbackprop.cli import main
from symbackprop.spec.load import load_spec, make_spec
from symbackprop.teach.document import engine

CORPUS = Path(__file__).resolve().parent / "answers"
EXPECTED = {"ok": "correct", "bad": "wrong", "err": "error"}


@cache
def corpus_report(notation: str) -> verdicts.GradeReport:
    spec = load_spec(CORPUS / f"{notation}.toml")
    submissions = read_answers((CORPUS / f"{notation}.txt").read_text(encoding="utf-8"))
    return grade_all(spec, submissions)


def corpus_ids():
    """The notes' answers in the README's suite; UFLDL's and the blog's with the matrices (`-m matrix`, run by
    .ci/run after the README's command), for the suite's 6 minutes."""
    for notation in ("notes", "ufldl", "blog"):
        marks = () if notation == "notes" else MATRIX
        for sub in read_answers((CORPUS / f"{notation}.txt").read_text(encoding="utf-8")):
            yield pytest.param(notation, sub.ident, id=f"{notation}:{sub.ident}", marks=marks)


def verdict(notation: str, ident: str) -> verdicts.Verdict:
    return next(v for v in corpus_report(notation).verdicts if v.ident == ident)


#: The corpus is graded once per worker (corpus_report is cached): its tests share one xdist worker.
CORPUS_GROUP = pytest.mark.xdist_group("corpus")


@CORPUS_GROUP
@pytest.mark.parametrize(("notation", "ident"), list(corpus_ids()))
def test_corpus_verdicts(notation, ident):
    v = verdict(notation, ident)
    assert v.status == EXPECTED[ident.split("-")[0]], (v.reason, v.note)
    if v.status == "correct":
        assert v.method in ("exact", "all_widths", "numeric") and v.proofs
    if v.status == "wrong":
        assert v.reason
    if v.status == "error":
        assert v.error_column and "(column" in v.reason


@CORPUS_GROUP
def test_corpus_is_large_and_covers_every_equation_in_every_notation():
    texts = set()
    for notation in ("notes", "ufldl", "blog"):
        for sub in read_answers((CORPUS / f"{notation}.txt").read_text(encoding="utf-8")):
            texts.add(sub.text)
    assert len(texts) >= 40
    kinds = {"notes": set(), "ufldl": set(), "blog": set()}
    for notation in kinds:
        for v in corpus_report(notation).verdicts:
            if v.status == "correct" and v.notation == notation:
                tree = parse_answer(v.text)
                lhs = tree.sides[0] if len(tree.sides) > 1 else None
                kinds[notation].add(v.equation or infer.quantity_of(lhs).kind)
    for notation, found in kinds.items():
        assert {"delta", "BP2"} & found or "delta_output" in found, (notation, found)
        assert found & {"weight", "BP4"} and found & {"bias", "BP3"}, (notation, found)


def test_the_notes_slip_y_without_index_is_caught():
    v = verdict("notes", "bad-notes-slip")
    assert v.status == "wrong" and "y without an index is a vector" in v.reason


def test_the_qa_slip_in_the_chain_rule_is_caught_with_values():
    v = verdict("ufldl", "bad-qa-slip")
    ce = v.counterexample
    assert v.status == "wrong" and ce is not None
    assert ce["difference"] == pytest.approx(ce["answer"] - ce["derived"])
    assert abs(ce["difference"]) > 1e-6
    assert verdict("ufldl", "ok-chain-qa").status == "correct"


@pytest.mark.parametrize(
    ("text", "step", "link"),
    [
        # the third link drops f' (a slip of the kind in Nielsen's ch. 3 derivations, made in the last step)
        ("delta^L = grad_a C (.) f'(z^L) = (a^L - y) (.) f'(z^L) = a^L - y", 3, "(a^L - y) ∘ f'(z^L) = a^L - y"),
        ("delta^L = grad_a C (.) f'(z^{L-1}) = (a^L - y) (.) f'(z^L)", 1, "δ^L = ∂C/∂a ∘ f'(z^{L-1})"),
    ],
)
def test_a_chain_of_equalities_names_its_first_wrong_link(text, step, link):
    v = grade(load_spec(EXAMPLES / "notes.toml"), text)
    assert v.status == "wrong"
    assert v.reason.startswith(f"step {step} of the chain, {link}, is the first that fails"), v.reason


def test_a_shape_mismatch_names_both_operands_and_their_shapes():
    v = grade(load_spec(EXAMPLES / "notes.toml"), "delta^L = grad_a C (.) f'(z^{L-1})")
    assert "∂C/∂a, an n_2 × 1 matrix, and f'(z^{L-1}), an n_1 × 1 matrix, is not defined" in v.reason, v.reason
    assert "taken at the wrong layer" in v.mistake
    # and typeset for the report: the operands as mathematics, the shapes with ×
    assert r"$f'\left(z^{L-1}\right)$, $\text{an }n_{1} \times 1\text{ matrix}$, is not defined" in v.reason_latex


def test_a_chain_through_the_definition_of_delta_is_judged_by_its_values():
    # δ^l = ∂C/∂z^l is the definition; the next link is BP2, right or wrong
    spec = load_spec(EXAMPLES / "notes.toml")
    assert grade(spec, r"\delta^l = \frac{\partial C}{\partial z^l} = ((W^{l+1})^T \delta^{l+1}) \circ f'(z^l)").correct
    v = grade(spec, r"\delta^l = \frac{\partial C}{\partial z^l} = (W^{l+1} \delta^{l+1}) \circ f'(z^l)")
    assert v.reason.startswith("step 2 of the chain"), v.reason
    assert v.reason_latex.startswith(r"step 2 of the chain, $\frac{\partial C}{\partial z^{l}} = "), v.reason_latex


def test_counterexample_values_reproduce_the_difference():
    """Evaluate the wrong answer and the derivation independently at the reported values."""
    spec = load_spec(CORPUS / "notes.toml")
    v = grade(spec, r"\delta^l = (W^{l+1})^T \delta^{l+1}")
    ce = v.counterexample
    values = {sp.Symbol(k, real=True): sp.Rational(x).limit_denominator(100) for k, x in ce["values"].items()}
    W = [[values.get(sp.Symbol(f"W^2_{{{r},{c}}}", real=True), 0) for c in (1, 2, 3)] for r in (1, 2)]
    d = [values[sp.Symbol(f"delta^2_{r}", real=True)] for r in (1, 2)]
    j = ce["entry"][0]
    answer = sum(W[r][j - 1] * d[r] for r in range(2))
    z = values[sp.Symbol(f"z^1_{j}", real=True)]
    sigma = 1 / (1 + sp.exp(-z))
    assert float(answer) == pytest.approx(ce["answer"])
    assert float(answer * sigma * (1 - sigma)) == pytest.approx(ce["derived"])


def test_ufldl_sign_error_names_the_wrong_factor():
    v = verdict("ufldl", "bad-sign")
    assert v.status == "wrong" and "sign of y_i - a^{(n_l)}_i" in v.mistake


def test_extra_term_is_localised():
    v = verdict("ufldl", "bad-bias-decayed")
    assert "the term λ b^{(l)}_i should not be there" in v.mistake


def test_missing_decay_shows_the_missing_term_in_the_residual():
    v = verdict("ufldl", "bad-decay-missing")
    assert "lambda" in v.wrong_term and "W^(1)_{1,1}" in v.wrong_term


def test_right_in_another_notation_is_accepted_and_named():
    v = verdict("notes", "ok-ufldl-style")
    assert v.status == "correct" and v.notation == "ufldl" and "not the spec's notes" in v.note
    v = verdict("notes", "bad-bp2-indices-swapped")
    assert v.status == "wrong" and "it would hold in blog notation" in v.note


def test_explicit_notation_overrides_the_cues():
    spec = load_spec(CORPUS / "notes.toml")
    swapped = r"\delta^l_j = \sum_k w^{l+1}_{jk} \delta^{l+1}_k \sigma'(z^l_j)"
    assert grade(spec, swapped).status == "wrong"
    assert grade(spec, swapped, notation="blog").status == "correct"


def test_identity_forms_are_proved_only_for_the_right_activation():
    form = r"\delta^L = (a^L - y) \odot a^L \odot (1 - a^L)"
    sigmoid = make_spec(layers=[2, 3, 2], activation="sigmoid", cost="quadratic")
    tanh = make_spec(layers=[2, 3, 2], activation="tanh", cost="quadratic")
    v = grade(sigmoid, form)
    assert v.status == "correct" and "this network's activations" in v.proofs[0] and v.method == "exact"
    assert grade(tanh, form).status == "wrong"


def test_general_forms_are_proved_for_every_width():
    spec = load_spec(CORPUS / "blog.toml")
    v = grade(spec, r"\delta_{i}^{l} = \sum_{j} w_{ij}^{l+1} \delta_{j}^{l+1} a'(z_{i}^{l})")
    assert v.method == "all_widths" and any(p.startswith("all_widths") for p in v.proofs)


def test_all_widths_proof_rejects_a_wrong_form():
    spec = make_spec(layers=[2, 2, 2], activation="sigmoid", cost="quadratic")
    tree = parse_answer(r"\delta^l_j = \sum_k w^{l+1}_{jk} \delta^{l+1}_k \sigma'(z^l_j)")
    q = infer.quantity_of(tree.sides[0])
    from symbackprop.notation.catalogue import NIELSEN

    # in Nielsen's numbering the hidden layer of [2, 2, 2] is layer 2
    assert grading.all_widths_proof(spec, NIELSEN, "delta_hidden", q, list(tree.sides[1:]), [2]) is None
    right = parse_answer(r"\delta^l_j = \sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)")
    assert grading.all_widths_proof(spec, NIELSEN, "delta_hidden", q, list(right.sides[1:]), [2])
    # at these widths the swapped form has the right shapes: the exact method finds values
    v = grade(spec, r"\delta^l_j = \sum_k w^{l+1}_{jk} \delta^{l+1}_k \sigma'(z^l_j)")
    assert v.status == "wrong" and v.counterexample and v.counterexample["entry"]


def test_softmax_output_with_log_likelihood():
    spec = make_spec(layers=[2, 3, 3], activation="sigmoid", output="softmax", cost="log_likelihood")
    right = grade(spec, r"\delta^L = a^L - y")  # holds when sum_k y_k = 1, as the log-likelihood assumes
    assert right.status == "correct" and right.method in ("exact", "all_widths"), right
    assert "graded under sum_k y_k = 1" in right.note
    wrong = grade(spec, r"\delta^L_j = a^L_j - 2 y_j")
    assert wrong.status == "wrong" and "graded under sum_k y_k = 1" in wrong.note
    targets = [v for name, v in wrong.counterexample["values"].items() if name.startswith("y")]
    assert len(targets) == 3 and all(0 < t < 1 for t in targets) and abs(sum(targets) - 1) < 1e-12, targets
    assert grade(spec, r"\delta^L = \nabla_a C \odot \sigma'(z^L)").status == "wrong"


def test_bad_requests_are_errors_not_verdicts():
    spec = load_spec(CORPUS / "notes.toml")
    assert "names no quantity" in grade(spec, "a^L - y").reason
    assert "not what BP4 is about" in grade(spec, r"\delta^L = a^L - y", equation="BP4").reason
    assert "unknown equation" in grade(spec, "1", equation="BP7").reason
    assert grade(spec, r"\delta^L = a^L - y", equation="BP4").status == "error"


def test_quantity_as_equation():
    spec = load_spec(CORPUS / "notes.toml")
    assert grade(spec, r"a^1_2 \delta^2_1", equation="dC/dW^2_{1,2}").status == "correct"
    assert grade(spec, r"a^1_1 \delta^2_2", equation="dC/dW^2_{1,2}").status == "wrong"


@CORPUS_GROUP
def test_text_json_and_latex_reports():
    report = corpus_report("ufldl")
    text = report_text(report)
    assert "[WRONG] bad-qa-slip" in text and "counterexample:" in text and "[ok]    ok-hidden" in text
    data = json.loads(report.to_json())
    assert data["wrong"] == sum(v.status == "wrong" for v in report.verdicts) and data["error"] == 0
    tex = report_latex(report)
    assert tex.count(r"\section*{Answer") == sum(v.status != "correct" for v in report.verdicts)
    assert r"\begin{document}" in tex and tex.index(r"\section*{Summary}") < tex.index(r"\section*{Answer")
    assert r"\sum_{j}" in tex and "VAR{" not in tex


def test_the_summary_row_typesets_a_reason_where_no_mistake_is_named():
    from symbackprop.check.verdict import answer_page

    spec = load_spec(CORPUS / "notes.toml")
    v = grade(spec, r"\delta^l = (W^{l+1})^T \delta^{l+1} \delta^{l+1}")  # a product whose shapes do not fit
    assert v.status == "wrong" and not v.mistake and v.reason_latex, (v.mistake, v.reason)
    assert answer_page(v)["summary"] == v.reason_latex  # n_2 × 1 typeset, as the answer's section shows it


def test_cli_exit_codes_and_json(capsys, tmp_path):
    spec = str(CORPUS / "notes.toml")
    assert (
        main(["check", spec, "--equation", "BP2", "--formula", r"((W^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)"]) == 0
    )
    assert "[ok]" in capsys.readouterr().out
    assert (
        main(["check", spec, "--equation", "BP2", "--formula", r"(W^{l+1} \delta^{l+1}) \odot \sigma'(z^l)", "--json"])
        == 1
    )
    data = json.loads(capsys.readouterr().out)
    assert data["verdicts"][0]["status"] == "wrong"
    assert main(["check", spec, "--formula", r"\delta^L = \foo"]) == 2
    out = capsys.readouterr().out
    assert "column 12" in out and "^" in out
    answers = tmp_path / "answers.txt"
    answers.write_text("a1 (BP3): delta^l\nbroken line\n", encoding="utf-8")
    assert main(["check", spec, "--answers", str(answers)]) == 2
    assert "line 2" in capsys.readouterr().err
    answers.write_text(
        "a1 (BP3): delta^l\na2 (BP1): grad_a C\na3 (weight_update): W^l - eta dC/dW^l\n", encoding="utf-8"
    )
    out_tex = tmp_path / "report.tex"
    assert main(["check", spec, "--answers", str(answers), "--latex", str(out_tex)]) == 1
    tex = out_tex.read_text(encoding="utf-8")
    # the summary table first (every answer, its verdict, its mistake), then a section per answer not correct
    summary = tex[tex.index(r"\section*{Summary}") : tex.index(r"\end{longtable}")]
    assert all(f"texttt{{a{n}}}" in summary for n in (1, 2, 3))
    assert tex.count(r"\section*{Answer") == 1 and r"\section*{Answer \texttt{a2}" in tex


@pytest.mark.skipif(engine() is None, reason="no LaTeX engine installed (texlive-latex-base, latexmk)")
def test_cli_pdf(tmp_path, capsys):
    out_tex = tmp_path / "report.tex"
    spec = str(CORPUS / "ufldl.toml")
    lines = (CORPUS / "ufldl.txt").read_text(encoding="utf-8").splitlines()
    answers = tmp_path / "two.txt"  # a right and a wrong answer: the PDF's two kinds of page
    answers.write_text(
        "\n".join([next(x for x in lines if x.startswith("ok-")), next(x for x in lines if x.startswith("bad-"))]),
        encoding="utf-8",
    )
    assert main(["check", spec, "--answers", str(answers), "--latex", str(out_tex), "--pdf"]) == 1
    assert out_tex.with_suffix(".pdf").exists()


def test_an_update_is_read_and_shown_as_an_assignment_not_an_equation():
    spec = load_spec(CORPUS / "notes.toml")
    v = grade(spec, r"W^l = W^l - \eta \frac{\partial C}{\partial W^l}", equation="weight_update")
    assert r"\to" in v.parsed_latex and " = " not in v.parsed_latex.split(r"\to")[0]
    assert "→" in v.parsed


def test_grading_is_deterministic():
    spec = load_spec(CORPUS / "notes.toml")
    first = grade(spec, r"\delta^l = (W^{l+1})^T \delta^{l+1}").counterexample
    random.seed(99)
    assert grade(spec, r"\delta^l = (W^{l+1})^T \delta^{l+1}").counterexample == first


def test_numeric_fallback_is_said_so(monkeypatch):
    """When SymPy cannot simplify the difference to 0, agreement at random points is reported as numeric."""
    spec = make_spec(layers=[2, 3, 2], activation="sigmoid", cost="quadratic")
    form = r"\delta^L = (a^L - y) \odot a^L \odot (1 - a^L)"
    monkeypatch.setattr(sp, "simplify", lambda expr, *args, **kwargs: expr)
    monkeypatch.setattr(timing, "rational_zero", lambda expr: None)  # nor the rational proof
    v = grade(spec, form)
    assert v.status == "correct" and v.method == "numeric" and "(not a proof)" in v.proofs[0]
    monkeypatch.setattr(sp, "simplify", lambda expr, *args, **kwargs: expr)
    assert grade(spec, r"\delta^L = (a^L - y) \odot a^L \odot (2 - a^L)").status == "wrong"


def test_large_networks_are_graded_at_small_widths_and_say_so():
    spec = make_spec(layers=[784, 30, 10], activation="sigmoid", cost="quadratic")
    v = grade(spec, r"\nabla_{W^l} C = \frac{1}{m}\sum_{i=1}^m \delta^l (a^{l-1})^T")
    assert v.status == "correct" and "reduced" in v.proofs[0] and "[3, 3, 3]" in v.proofs[0]
    v = grade(spec, r"a^1_5 \delta^2_4", equation="dC/dW^2_{4,5}")
    assert v.status == "correct" and "[5, 5, 5]" in v.proofs[0]
    assert grade(spec, r"\delta^l = (W^{l+1} \delta^{l+1}) \odot \sigma'(z^l)").status == "wrong"


def test_a_wrong_bound_hidden_by_equal_widths_is_caught_at_symbolic_widths():
    spec = make_spec(layers=[3, 3, 3, 3], activation="sigmoid", cost="quadratic", notation="ufldl")
    right = r"\delta^{(l)}_i = \left( \sum_{j=1}^{s_{l+1}} W^{(l)}_{ji} \delta^{(l+1)}_j \right) f'(z^{(l)}_i)"
    assert grade(spec, right).method == "all_widths"
    v = grade(spec, right.replace("s_{l+1}", "s_{l}"))
    assert v.status == "wrong" and v.method == "all_widths" and "runs to s_{l} = n_2" in v.reason


@pytest.mark.parametrize("notation", ["nielsen", "notes", "threeblue1brown", "bishop", "goodfellow", "rows"])
def test_a_numbered_delta_is_graded_in_every_notation_without_a_crash(notation):
    """δ^2 is the output's error in the notes (input = layer 0) but a hidden one in Nielsen's book (input =
    layer 1): reading it in either, and trying the other notations, must give a verdict, never an exception."""
    spec = make_spec(layers=[2, 3, 2], activation="tanh", output="sigmoid", cost="cross_entropy", notation=notation)
    for text in (r"\delta^{2} = a^{2} - y", r"\delta^{(2)} = a^{(2)} - y", r"\delta^{3} = a^{3} - y"):
        verdict = grade(spec, text, equation="BP1")
        assert verdict.status in ("correct", "wrong", "error"), verdict
        if verdict.status == "error":
            assert verdict.reason and "Traceback" not in verdict.reason
    output = spec.depth + (1 if notation == "nielsen" else 0)
    label = f"({output})" if notation in ("threeblue1brown", "bishop", "goodfellow") else str(output)
    assert grade(spec, rf"\delta^{{{label}}} = a^{{{label}}} - y", equation="BP1").status != "error"


#: Wrong answers that were accepted before the comparison refused infinite and undefined values and compared
#: exact values to many digits (issue 16's list, for examples/notes.toml).
NOT_FOOLED = [
    r"\delta^L_j = \frac{1}{0}",
    r"\delta^L_j = \frac{0}{0}",
    r"\delta^L_j = 10^{400}",
    r"\delta^L_j = \exp(800)",
    "delta^L_j = (a^L_j - y_j) f^L'(z^L_j) + 10^(-12)",
    "delta^L_j = (a^L_j - y_j) f^L'(z^L_j) * (1 + 10^(-10))",
    "delta^L_j = (a^L_j - y_j) f^L'(z^L_j) + log(0)",
]


@pytest.mark.parametrize("text", NOT_FOOLED)
def test_infinite_undefined_and_nearly_right_answers_are_wrong(text):
    spec = load_spec(EXAMPLES / "notes.toml")
    verdict = grade(spec, text)
    assert verdict.status == "wrong", verdict
    report = grading.grade_all(spec, [parse_answer_submission(text)])
    json.loads(report.to_json())  # valid JSON even with a NaN in the counterexample


def test_a_constant_difference_however_small_is_wrong():
    spec = load_spec(EXAMPLES / "notes.toml")
    verdict = grade(spec, "delta^L_j = (a^L_j - y_j) f^L'(z^L_j) + 10^(-40)")
    assert verdict.status == "wrong" and "by the constant 1e-40" in verdict.reason, verdict


def test_the_right_answer_is_still_right_after_the_stricter_comparison():
    spec = load_spec(EXAMPLES / "notes.toml")
    assert grade(spec, "delta^L_j = (a^L_j - y_j) f^L'(z^L_j)").status == "correct"
    assert grade(spec, "delta^L_j = (a^L_j - y_j) f^L'(z^L_j) * (1 + 10^(-40) - 10^(-40))").status == "correct"


def parse_answer_submission(text):
    from symbackprop.check.read import Submission

    return Submission("answer", text, None)


def test_a_bracket_never_closed_is_graded_where_the_verdict_does_not_depend_on_where_it_closes():
    spec = load_spec(CORPUS / "ufldl.toml")
    one = grade(spec, r"\delta^{(l)} = ((W^{(l)})^T \delta^{(l+1)}) \odot (f'(z^{(l)})")
    assert one.status == "correct" and "the one place where it makes a formula" in one.note
    every = grade(spec, r"(y - a^{(n_l)} \odot f'(z^{(n_l)})", equation="delta_output")  # a sign, however closed
    assert every.status == "wrong" and "each of the 3 places where it makes a formula" in every.note
    assert "the sign" in every.mistake and "shown closed before ⊙" in every.note  # the reading it names
    decides = grade(spec, r"(a^{(n_l)} - y \odot f'(z^{(n_l)})", equation="delta_output")
    assert decides.status == "error" and decides.error_column == 1
    assert "where it closes decides the verdict" in decides.reason and "correct" in decides.reason
    assert "wrong" in decides.reason


def test_a_range_of_layers_stated_after_the_formula_is_checked_at_those_layers():
    spec = make_spec(name="deep", layers=[2, 3, 3, 2], activation="sigmoid", cost="quadratic", notation="ufldl")
    hidden = r"\delta^{(l)} = ((W^{(l)})^T \delta^{(l+1)}) \odot f'(z^{(l)})"
    for stated in (r"\quad \text{for} \quad l = n_l-1, \dots, 2", r"\text{ for } l = 2,...,n_l-1"):
        v = grade(spec, f"{hidden} {stated}")
        assert v.status == "correct" and "layers 2, 3" in v.note, v.reason
    assert "layer 3" in grade(spec, f"{hidden} for l = 3, \\dots, 3").note
    beyond = grade(spec, f"{hidden} for l = n_l, \\dots, 2")
    assert beyond.status == "error" and "not at layer 4" in beyond.reason and beyond.error_column
    wrong = r"\delta^{(l)} = ((W^{(l)})^T \delta^{(l+1)}) \odot f'(z^{(l+1)}) \text{ for } l = 2, \dots, n_l-1"
    assert grade(spec, wrong).status == "wrong"


def test_an_answer_in_another_layers_delta_is_compared_by_value_never_by_independent_deltas(monkeypatch):
    # δ^{(1)} written through δ^{(3)} with σ' = a(1 − a): true; its δ^{(3)} and the truth's δ^{(2)} are not
    # independent symbols, so the comparison is by value (it once found a "counterexample" treating them so)
    spec = make_spec(name="deep", layers=[2, 3, 3, 2], activation="sigmoid", cost="quadratic",
                     notation="threeblue1brown")  # fmt: skip
    right = r"\delta^{(1)} = ((w^{(2)})^T (((w^{(3)})^T \delta^{(3)}) * a^{(2)}*(1-a^{(2)}))) * a^{(1)}*(1-a^{(1)})"
    v = grade(spec, right)
    assert v.status == "correct", v.reason
    assert grade(spec, right.replace("a^{(1)}*(1-a^{(1)})", "a^{(2)}*(1-a^{(2)})")).status == "wrong"
    monkeypatch.setattr(grading, "simplifies_to_zero", lambda expr, seconds=None: False)  # SymPy gives up in time
    monkeypatch.setattr(grading, "rational_zero", lambda expr: None)
    v = grade(spec, right)
    assert v.status == "correct" and v.method == "numeric", v.reason  # agreement at random points, said so
