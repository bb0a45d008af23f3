"""The LaTeX printer and the derivation document, compiled by a real LaTeX engine and read back with pdftotext."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from networks import MATRIX
from paths import EXAMPLES

from symbackprop import load_spec
from symbackprop.cli import main
from symbackprop.teach import document

#: One worker runs this module (pyproject's --dist loadgroup), so its session-scoped fixture is computed once
#: (a module-scoped one was computed again whenever xdist handed the worker other tests in between).
pytestmark = pytest.mark.xdist_group("documents")


needs_engine = pytest.mark.skipif(
    document.engine() is None or shutil.which("pdftotext") is None or bool(document.missing_styles()),
    reason=f"no LaTeX engine or pdftotext installed (apt-get install {document.ENGINE_PACKAGES} poppler-utils)",
)


#: Overfull boxes up to this width (points) are invisible at print size; anything wider is a defect.
OVERFULL_LIMIT_PT = 1.0


@dataclass(frozen=True)
class Compiled:
    tex: str
    text: str  # pdftotext of the PDF, white space collapsed
    log: str
    pages: tuple[str, ...]  # each page's text, white space collapsed


def _compile(tex: str, folder: Path) -> Compiled:
    path = folder / "doc.tex"
    path.write_text(tex)
    pdf = document.compile_pdf(path, keep_log=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = tuple(" ".join(page.split()) for page in text.split("\f") if page.strip())
    return Compiled(tex, " ".join(text.split()), path.with_suffix(".log").read_text(errors="replace"), pages)


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    """Each (example, notation) document rendered and compiled once, shared by the tests of this module."""
    cache: dict[tuple[str, str], Compiled] = {}

    def get(example: str, notation: str) -> Compiled:
        if (example, notation) not in cache:
            spec = load_spec(EXAMPLES / f"{example}.toml")
            folder = tmp_path_factory.mktemp(f"{example}_{notation}")
            cache[example, notation] = _compile(document.render(spec, notation), folder)
        return cache[example, notation]

    return get


def _overfull(log: str) -> list[float]:
    return [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


#: (example, notation, what it is): every notation, and the specs the issue names.
CASES = [
    ("notes", "notes", "sigmoid + quadratic"),
    ("softmax", "notes", "relu hidden, softmax + log-likelihood"),
    pytest.param("ufldl_qa", "ufldl", "sigmoid + quadratic, L2 in the batch scale", marks=MATRIX),
    # UFLDL's and the blog's documents with the matrices too (.ci/run): the README's suite stays under 6 minutes
    pytest.param("blog", "blog", "tanh hidden, sigmoid + cross-entropy", marks=MATRIX),
    pytest.param("nielsen_ch3", "blog", "sigmoid + cross-entropy, L2 in the dataset scale", marks=MATRIX),
    pytest.param("swish", "ufldl", "custom swish activation, custom cubic cost", marks=MATRIX),
    # the other texts of the catalogue, each once (the catalogue's matrix: run by .ci/run after the README's command)
    *(
        pytest.param(*case, marks=MATRIX)
        for case in (
            ("notes", "nielsen", "Nielsen's numbering (input = layer 1), w and sigma"),
            ("nielsen_ch3", "coursera_ml", "Theta with the bias column, L2"),
            ("blog", "deeplearning_ai", "Z, A, dZ and the brackets"),
            ("notes", "bishop", "a the weighted input, z the activation, h, E_n"),
            ("softmax", "goodfellow", "a, h, the gradient g, a softmax output"),
            ("blog", "threeblue1brown", "C_0 and parenthesised layers"),
            ("softmax", "rows", "row vectors, a softmax output"),
            ("mixed4", "ufldl", "four layers, tanh and relu hidden, L2 in the dataset scale"),
        )
    ),
]


@needs_engine
@pytest.mark.parametrize(("example", "notation", "what"), CASES)
def test_document_compiles_cleanly_and_reads_back(compiled, example, notation, what):
    doc = compiled(example, notation)
    assert not [line for line in doc.log.splitlines() if line.startswith("!")]
    assert all(width <= OVERFULL_LIMIT_PT for width in _overfull(doc.log)), _overfull(doc.log)
    for heading in (
        "The network and its notation",
        "Forward pass",
        "Definitions",
        "The four equations of backpropagation",
        "The same equations in the other notations",
        "Proofs for a general layer",
        "This network",
        "The algorithm",
        "References",
        "The equations at every layer of this network",
        "Every derivative",
        "Verification",
    ):
        assert heading in doc.text, heading
    assert f"{notation.replace('_', ' ')} notation" in doc.text  # pdftotext reads deeplearning\_ai as two words
    hyphenated = doc.text.replace("-", "").replace(" ", "")  # a word broken across lines reads back whole
    assert "Every applicable closed form holds" in doc.text
    # the proofs' justifications, as a student reads them
    for justification in (
        "Definition of the error",
        "Chain rule",
        "acts elementwise",
        "sums away",
        "only through the next layer",
        "Forward pass:",
        "was checked against the derivative computed from the cost",
        "is the weight from neuron",
        "elementwise (Hadamard) product",
        "Backward pass, for each layer",
    ):
        # (pdftotext may move the second half of a word hyphenated at a line's end elsewhere: then the source)
        assert justification.replace(" ", "") in hyphenated or justification in doc.tex, justification
    assert "Not confirmed" not in doc.text
    for equation in ("BP1", "BP2", "BP3", "BP4", "input gradient"):
        assert equation in doc.text
    # the body (up to the appendix) fits the six pages for networks of up to four layers
    # (the appendix starts on a page of its own: the pages before it are the body)
    appendix = next(n for n, page in enumerate(doc.pages, 1) if "The same equations in the other notations" in page)
    assert appendix - 1 <= 6, f"{appendix - 1} pages of body"
    assert r"\begin{tikzpicture}" in doc.tex


@needs_engine
@pytest.mark.parametrize(
    ("example", "notation", "in_tex"),
    [
        (
            "notes",
            "notes",
            [r"{W^{2}_{ji}}", r"\left(\left(W^{l+1}\right)^{T} \delta^{l+1}\right) \circ", r"W^{l} a^{l-1} + b^{l}"],
        ),
        (
            "blog",
            "blog",
            [r"{w^{2}_{ij}}", r"\left(w^{l+1} \delta^{l+1}\right) \odot", r"a^{l-1} \left(\delta^{l}\right)^{T}"],
        ),
        (
            "ufldl_qa",
            "ufldl",
            [
                r"{W^{(2)}_{ji}}",
                r"\delta^{(l+1)}",
                r"\mathbb{R}^{s_{l+1} \times s_{l}}",
                r"z^{(l+1)} = W^{(l)} a^{(l)}",
            ],
        ),
    ],
)
def test_each_notation_writes_its_own_indices_and_transposes(compiled, example, notation, in_tex):
    doc = compiled(example, notation)
    for piece in in_tex:
        assert piece in doc.tex, piece
    assert ("n_{" in doc.tex) == (notation != "ufldl")  # UFLDL's widths are s_l (its n_l counts layers)


@needs_engine
def test_small_networks_get_every_derivative_and_large_ones_do_not(compiled):
    notes = compiled("notes", "notes")
    spec = load_spec(EXAMPLES / "notes.toml")
    rows = re.findall(r"^\$\{(?:W|b)\^.* & (yes|\\textbf\{no\}) \\\\$", notes.tex, flags=re.M)
    assert len(rows) == spec.parameter_count == 26 and set(rows) == {"yes"}
    assert f"The network has {spec.parameter_count} parameters" in notes.text
    softmax = compiled("softmax", "notes")
    assert "at most 30" in softmax.text and "derived from the cost" not in softmax.text


@needs_engine
def test_specialised_steps_read_back(compiled):
    cross_entropy = compiled("nielsen_ch3", "blog")
    assert "cancels the denominator" in cross_entropy.text
    softmax = compiled("softmax", "notes")
    whole = softmax.text.replace("-", "").replace(" ", "")  # a word hyphenated at a line's end reads back whole
    for phrase in (
        "quotient rule",
        "off-diagonal terms do not vanish",
        "The Hadamard form is false here",
        "Jacobian form",
        "the targets sum to 1",
    ):
        # (pdftotext may set a subscript between the words of a line: then the source)
        assert phrase.replace("-", "").replace(" ", "") in whole or phrase in softmax.tex, phrase


@pytest.mark.slow
@pytest.mark.matrix
@needs_engine
def test_custom_activation_and_cost_get_their_own_steps(compiled):
    doc = compiled("swish", "ufldl")
    assert "The swish activation" in doc.text and "The cubic cost gives" in doc.text
    # swish' has no form through a: said, not hidden (a word hyphenated at a line's end reads back whole)
    assert "nowaytowritethis" in doc.text.replace("-", "").replace(" ", "")


def test_pdf_without_engine_names_what_to_install_and_keeps_the_tex(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(document, "engine", lambda: None)
    out = tmp_path / "notes.tex"
    assert main(["latex", str(EXAMPLES / "notes.toml"), "-o", str(out), "--pdf"]) == 2
    assert "texlive-latex-base" in capsys.readouterr().err
    assert out.read_text().startswith(r"\documentclass")
    assert not out.with_suffix(".pdf").exists()


def test_latex_refuses_to_overwrite_an_edited_document(tmp_path, capsys):
    out = tmp_path / "notes.tex"
    assert main(["latex", str(EXAMPLES / "notes.toml"), "-o", str(out)]) == 0
    out.write_text(out.read_text() + "% my notes\n")
    assert main(["latex", str(EXAMPLES / "notes.toml"), "-o", str(out)]) == 2
    assert out.read_text().endswith("% my notes\n")


def test_derive_latex_prints_the_document(capsys):
    assert main(["derive", str(EXAMPLES / "notes.toml"), "--latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(r"\documentclass") and out.rstrip().endswith(r"\end{document}")


@pytest.mark.parametrize(
    "notation, line",
    [
        ("notes", r"{z^{l}_{i}} = {b^{l}_{i}} + \sum_{j=1}^{n_{l-1}} {W^{l}_{ij}} {a^{l-1}_{j}}"),
        ("ufldl", r"{z^{(l+1)}_{i}} = {b^{(l)}_{i}} + \sum_{j=1}^{s_{l}} {W^{(l)}_{ij}} {a^{(l)}_{j}}"),
        ("blog", r"{z^{l}_{i}} = {b^{l}_{i}} + \sum_{j=1}^{n_{l-1}} {w^{l}_{ji}} {a^{l-1}_{j}}"),
    ],
)
def test_forward_pass_reads_through_the_previous_activations(notation, line):
    """z^l is written for a general layer with a^{l-1}_j, as the texts write it, not with f^{l-1}(z^{l-1}_j), and
    summed over the weight's second index (the text's k or j), not a letter of its own."""
    tex = document.render(load_spec(EXAMPLES / "notes.toml"), notation)
    forward = tex[tex.index(r"\paragraph{Forward pass.}") : tex.index(r"\paragraph{Definitions.}")]
    assert line in forward
    assert r"\left({z^{l-1}" not in forward and r"\left({z^{(l)}" not in forward


@needs_engine
def test_a_document_compiles_to_the_same_bytes_every_time(tmp_path, monkeypatch):
    """PDFs are built reproducibly (issue 16): SOURCE_DATE_EPOCH fixes the dates and the trailer ID pdfTeX writes."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    pdfs = []
    for run in ("first", "second"):
        folder = tmp_path / run
        folder.mkdir()
        tex = folder / "note.tex"
        tex.write_text("\\documentclass{article}\\begin{document}$\\delta^L = a^L - y$\\end{document}\n")
        pdfs.append(document.compile_pdf(tex).read_bytes())
    assert pdfs[0] == pdfs[1]
    assert b"D:19700101000000" in pdfs[0]  # the fixed date, not the time of the run
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # a user's own date is kept: 2026-01-01
    assert b"D:20260101000000" in document.compile_pdf(tmp_path / "first" / "note.tex").read_bytes()


#: The notations whose handout formulas `symbackprop check` reads back (the others' letters it does not read yet:
#: the blog's a'(z), Ng's cost(i) and .*, deeplearning.ai's per-example dZ, Goodfellow's L).
READ_BACK = ("nielsen", "notes", "ufldl", "bishop", "threeblue1brown", "rows")


@pytest.mark.parametrize(  # three in the README's suite, the others with the matrices (.ci/run)
    "notation", [n if n in READ_BACK[:3] else pytest.param(n, marks=MATRIX) for n in READ_BACK]
)
def test_the_exercises_answers_file_is_graded_as_the_handout_says(tmp_path, capsys, notation):
    tex, answers = tmp_path / "notes.tex", tmp_path / "answers.txt"
    spec = str(EXAMPLES / "notes.toml")
    assert main(["latex", spec, "--notation", notation, "-o", str(tex), "--answers", str(answers), "-q"]) == 0
    assert r"\texttt{symbackprop check --answers FILE} grades" in tex.read_text()
    capsys.readouterr()
    assert main(["check", spec, "--answers", str(answers), "--json", "-q"]) == 1  # some are wrong, on purpose
    verdicts = json.loads(capsys.readouterr().out)["verdicts"]
    assert len(verdicts) == 6
    for v in verdicts:
        assert v["status"] == ("correct" if v["id"].startswith("ok-") else "wrong"), v
    slips = {v["id"]: v["mistake"] for v in verdicts if v["id"].startswith("bad-")}
    assert "wrong layer" in slips["bad-slip-bp1"] and "transpose" in slips["bad-slip-bp4"]


def test_a_notation_whose_slips_check_cannot_read_does_not_claim_they_are_graded():
    tex = document.render(load_spec(EXAMPLES / "notes.toml"), "coursera_ml")
    assert "symbackprop check --answers FILE" not in tex
    assert "Find the slip" in tex and "the transpose is missing" in tex  # the solution says it in words


@pytest.mark.parametrize(("example", "notation"), [("notes", "nielsen"), ("nielsen_ch3", "ufldl"), ("softmax", "rows")])
def test_the_worked_example_agrees_with_finite_differences(example, notation):
    from symbackprop.notation.catalogue import get
    from symbackprop.teach import example as worked_example

    spec = load_spec(EXAMPLES / f"{example}.toml")
    worked = worked_example.worked(spec, get(notation))
    assert abs(float(worked.check["closed"]) - float(worked.check["difference"])) < 1e-6
    assert worked.errors and worked.gradients and worked.update
    # a network too large for a page is worked through as a 2-3-2 slice, and says so
    assert worked.sliced == (max(spec.layers) > worked_example.SMALL)
    assert worked.layers == ((2, 3, 2) if worked.sliced else spec.layers)
