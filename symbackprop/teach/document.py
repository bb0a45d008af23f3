"""The LaTeX document of a network's derivation, and its compilation to PDF.

The teaching stage. Every formula in the document is printed by
:class:`~symbackprop.printing.latex.NetworkLatexPrinter` from a SymPy expression: the
forward pass from the indexed network, the closed forms from the same recipes
the verifier checks (applied to the indexed network), the derived gradients
from the all-widths derivation, the identities from their derivation, and the
verification table from a fresh :func:`~symbackprop.verification.verify.verify`.
The fixed text is ``templates/derivation.tex.j2``, whose Jinja2 delimiters
(``\\VAR{…}``, ``\\BLOCK{…}``) do not clash with TeX braces.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.simplify.simplify import factor_sum

from symbackprop import __version__
from symbackprop.closed_forms import forms_for
from symbackprop.derivation import indexed as derive_indexed
from symbackprop.derivation.formulas import readable
from symbackprop.derivation.identities import abs_products
from symbackprop.errors import SymbackpropError
from symbackprop.files import OutputFolder, write_atomic
from symbackprop.network import indexed
from symbackprop.network.sites import sites
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.printing.latex import latex
from symbackprop.printing.latex import text as _tex
from symbackprop.spec.functions import A, Y, Z
from symbackprop.spec.model import Spec
from symbackprop.teach import example, exercises, handout, proof
from symbackprop.templating import tex_environment
from symbackprop.verification import Report, verify

TEMPLATE = "derivation.tex.j2"
ENGINE_PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-pictures latexmk"
#: The LaTeX packages the documents load beyond LaTeX's base, each with the Debian package that has it.
STYLES = {"tikz.sty": "texlive-pictures", "mathtools.sty": "texlive-latex-recommended"}


class LatexError(SymbackpropError):
    """The document could not be compiled (names what to install, or the first LaTeX error)."""


def _tex_with_urls(text: str) -> str:
    """Plain text as :func:`_tex` does, with each web address set by ``\\url`` (so that it can break)."""
    parts = re.split(r"(https?://[^\s;,]+)", text)
    return "".join(rf"\url{{{part}}}" if i % 2 else _tex(part) for i, part in enumerate(parts))


def _readable(expr: sp.Expr, net: indexed.IndexedNetwork) -> sp.Expr:
    """Sums evaluated, free indices named as the text names them, f' written with a prime."""
    expr = indexed.normalize(sp.sympify(expr).doit(), net.ranges)
    free = sorted((s for s in expr.free_symbols if s in net.ranges or s.name.endswith("_sum")), key=str)
    letters = [sp.Symbol(c, integer=True) for c in (*net.notation.indices, "l", "m")]
    return abs_products(readable(expr, dict(zip(free, letters)), net.notation))


def _through_activations(expr: sp.Expr, net: indexed.IndexedNetwork, layers_shown) -> sp.Expr:
    """f^l(z^l_r) written as a^l_r, as the texts write it (a^l = f^l(z^l)); f^l' is left alone.

    ``layers_shown`` are the internal layers whose activations may appear.
    """
    j = sp.Symbol("j", integer=True)
    layers = {}
    for k in layers_shown:
        applied = net.a(k, j)
        if isinstance(applied, AppliedUndef):  # an elementwise f^k (softmax is a formula, left as it is)
            layers[applied.func] = net.activations[k]

    def visit(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.Derivative | sp.Subs) or not e.args:
            return e
        if isinstance(e, AppliedUndef) and e.func in layers and isinstance(e.args[0], sp.Indexed):
            return layers[e.func][e.args[0].indices[0]]
        return e.func(*[visit(arg) for arg in e.args])

    return visit(expr)


def context(spec: Spec, notation: str | None = None, report: Report | None = None) -> dict:
    """The plain data the LaTeX template is filled with."""
    nt = notation_named(notation or spec.notation)
    notation, forms = nt.name, forms_for(nt.name)
    net = indexed.IndexedNetwork(spec, notation=notation)
    view = net.view()
    L = net.depth
    report = report or verify(spec, notation=notation)

    layer_rows = []
    for k in range(L + 1):
        row = {
            "label": nt.label(nt.layer(k)),
            "width": str(spec.layers[k]),
            "activation": "input" if k == 0 else "",
            "weights": "",
            "bias": "",
            "vectors": "",
        }
        if k:
            rows, cols = nt.weight_shape(spec.layers[k - 1], spec.layers[k])
            row.update(
                activation=_tex(spec.layer_activation(k).name),
                weights=_member(latex(net.weights[k]), f"{rows}\\times{cols}"),
                bias=_member(latex(net.biases[k]), spec.layers[k]),
                vectors=f"{latex(net.z[k])}, {_member(latex(net.activations[k]), spec.layers[k])}",
            )
        layer_rows.append(row)

    notation_sentence = _notation_sentence(nt, net)
    j = sp.Symbol(nt.indices[0], integer=True)
    forward_rows = []
    for k in range(1, L + 1):
        # written through the previous layer's activations a^{k-1}_r, as the texts do, not f(z^{k-1}_r)
        weighted = _through_activations(net.z_expression(k, j), net, [k - 1] if k > 1 else [])
        forward_rows.append(
            {
                "z": latex(net.z[k][j]),
                "sum": latex(readable(weighted, {}, nt)),
                "a": latex(net.activations[k][j]),
                "activation": latex(readable(net.a(k, j), {}, nt)),
            }
        )
    activation_formulas = []
    z_letter = nt.spell("weighted_input", "latex")  # the argument in the text's letter: Bishop's h(a)
    for name in sorted({spec.layer_activation(k).name for k in range(1, L + 1)}):
        act = spec.activation(name)
        if act.elementwise:
            z = sp.Symbol(z_letter)
            definition = act.formula.subs(Z, z)
            if isinstance(definition, sp.Function) and definition.args == (z,):  # tanh(z) = tanh(z) defines nothing
                definition = definition.rewrite(sp.exp)
            formula = latex(definition)
            activation_formulas.append(f"\\text{{{_tex(name)}}}({z_letter}) = {formula}")
        else:
            zs = sp.IndexedBase(z_letter)
            t = sp.Symbol(next(c for c in "kqrt" if c not in (nt.layer_letter, *nt.indices)), integer=True)
            softmax = latex(sp.exp(zs[j]) / sp.Sum(sp.exp(zs[t]), (t, 1, net.widths[L])))
            activation_formulas.append(f"\\text{{{_tex(name)}}}({z_letter})_{{{latex(j)}}} = {softmax}")

    cost = spec.cost_function()
    t = sp.Symbol("j", integer=True)
    per_output = cost.per_output.subs({A: net.activations[L][t], Y: net.y[t]}, simultaneous=True)
    cost_sum = sp.Sum(per_output, (t, 1, net.widths[L]))
    reg = spec.regularization
    regularizer = ""
    if reg is not None and reg.l2:
        lam = nt.spell("decay", "latex")
        scale = r"2" if reg.scale == "batch" else f"2 {handout.training_set_letter(nt)}"
        weights = latex(symbols.indexed(nt, "weight", nt.layer_letter))
        regularizer = f"+ \\frac{{{lam}}}{{{scale}}} \\sum_{{{nt.layer_letter}}} \\| {weights} \\|^2"

    closed_rows = []
    shown = range(1, L + 1)
    example_cost = latex(symbols.example_cost(nt))  # C_x as the text writes it: \mathcal{L}, E_n, ...
    for site in sites(spec, nt):
        indices = derive_indexed.site_indices(net, site)
        formula = forms.component(site, "jacobian" if site.jacobian else "component", view, indices)
        if not spec.layer_activation(L).elementwise:  # the softmax's formula written as the output a^L_j it is
            for index in sorted(formula.free_symbols, key=str):
                formula = formula.subs(net.a(L, index), net.activations[L][index])
        quantity = _quantity(net, site, indices)
        lhs, rhs = _readable(sp.Tuple(quantity, _through_activations(formula, net, shown)), net)
        if not spec.layer_activation(L).elementwise:
            rhs = rhs.replace(lambda e: isinstance(e, sp.Sum), factor_sum)  # a_j Σ_r y_r, the constant taken out
        derivative = site.equation in ("BP3", "BP4", "input_gradient")
        lhs_tex = f"\\frac{{\\partial {example_cost}}}{{\\partial {latex(lhs)}}}" if derivative else latex(lhs)
        closed_rows.append(
            {
                "equation": site.equation.replace("_", " "),
                "layer": str(site.layer),
                "lhs": lhs_tex,
                "lines": _lines(rhs, APPENDIX_WIDTH),
            }
        )

    general = proof.general_proofs(spec, notation, report)
    proof_rows = [_proof_row(p) for p in general]
    specific_rows = [_proof_row(p) for p in proof.network_proofs(spec, notation, report)]
    summary = handout.statements(general)
    forward = handout.forward(spec, nt, report)
    entry_rows = [
        {
            "parameter": latex(e.parameter),
            "derived": _breakable(latex(e.derived)),
            "closed": _breakable(latex(e.closed)),
            "equal": "yes" if e.equal else r"\textbf{no}",
        }
        for e in proof.entry_table(spec, notation)
    ]
    identity_rows = [
        _identity_row(identity, nt, example_cost) for identity in report.identities if identity.rhs is not None
    ]
    check_rows = [
        {
            "equation": _tex(c.equation.replace("_", " ")),  # input gradient, in words as the text says
            "layer": c.layer,
            "form": c.form,
            "method": _tex(c.method.replace("_", " ")),  # all widths
            "result": r"\textbf{fails}" if c.result == "fails" else c.result,
            "count": c.count,
        }
        for c in handout.grouped_checks(report)
    ]
    activations = {spec.layer_activation(k).name for k in range(1, L + 1)}
    worked = example.worked(spec, nt)
    others = handout.other_notations(spec, nt, report)
    items = exercises.exercises(spec, nt, report, summary, others, worked)
    verdict = "Every applicable closed form holds." if report.ok else f"\\textbf{{{_tex(report.verdict)}.}}"
    return {
        "name": _tex(spec.name),
        "version": __version__,
        "notation": _tex(notation),
        "source": _tex_with_urls(nt.citation.text()),
        "notation_sentence": notation_sentence,
        "width_letter": latex(symbols.width(nt, "l")),
        "layers_text": str(list(spec.layers)),
        "layer_rows": layer_rows,
        "forward_rows": forward_rows,
        "activation_formulas": activation_formulas,
        "vectors_heading": f"${nt.spell('weighted_input', 'latex')}$, ${nt.spell('activation', 'latex')}$",
        "cost": latex(cost_sum),
        "example_cost": example_cost,
        "batch_cost": nt.spell("cost", "latex"),
        "function_head": nt.function_head(nt.layer_letter, 0, "latex"),  # f^{l}, \sigma, g^{[l]}
        "regularizer": regularizer,
        "cost_name": _tex(cost.name.replace("_", " ")),
        "regularizer_text": "" if not regularizer else (", with L2 weight decay on the weights only (not the biases)"),
        "closed_rows": closed_rows,
        "notation_source": _tex(nt.citation.short()),
        "layer_letter": nt.layer_letter,
        "proof_rows": proof_rows,
        "proofs_checked": all(p.checked for p in general),
        "specific_rows": specific_rows,
        "summary": summary,
        "forward": forward,
        "elsewhere": [
            {"notation": _tex(e.notation), "source": _tex(e.title), "equations": e.equations} for e in others
        ],
        "drawing": handout.drawing(spec, nt),
        "constants": handout.constants(spec, nt),
        "algorithm": handout.algorithm(spec, nt, summary, forward),
        "bibliography": [_tex_with_urls(c.text()) for c in handout.bibliography(spec, nt)],
        "worked": worked,
        "worked_columns": 3,  # pairs per line: the given numbers have one decimal
        "worked_vector_columns": 2 if nt.vectors == "rows" else 3,  # four-decimal rows are wide
        "worked_network": _worked_network(spec, worked),
        "exercises": items,
        "slips_graded": exercises.graded(items),
        "answers_file": exercises.answers_file(spec, nt, summary, items),
        "softmax": spec.output == "softmax",
        "jacobian": handout.jacobian_letter(nt),
        "softmax_bp1": handout.softmax_bp1(spec, nt, report),
        "dataset_scale": bool(reg is not None and reg.l2 and reg.scale != "batch"),
        "training_letter": handout.training_set_letter(nt),
        "relu": "relu" in activations,
        "hadamard": nt.hadamard.get("latex"),
        "delta": latex(symbols.quantity(nt, "error", nt.layer_letter)),
        "z_l": latex(symbols.quantity(nt, "weighted_input", nt.layer_letter)),
        "a_L": latex(symbols.quantity(nt, "activation", nt.output_layer.get("ascii"))),
        "z_L": latex(symbols.quantity(nt, "weighted_input", nt.output_layer.get("ascii"))),
        "n_L": latex(symbols.width(nt, nt.output_layer.get("ascii"))),
        "first_index": nt.indices[0],
        "second_index": nt.indices[1],
        "function_letter": nt.spell("function", "latex"),
        "activation_letter": nt.spell("activation", "latex"),
        "error_letter": nt.spell("error", "latex"),
        "examples_letter": nt.spell("examples", "latex"),
        "input_letter": nt.spell("input", "latex"),
        "entry_rows": entry_rows,
        "parameter_count": spec.parameter_count,
        "widths": ", ".join(f"{latex(w)} = {n}" for w, n in zip(net.widths, spec.layers)),
        "output_layer": nt.output_layer.get("latex"),
        "output_number": nt.layer(spec.depth),
        "table_limit": proof.TABLE_LIMIT,
        "identity_rows": identity_rows,
        "check_rows": check_rows,
        "verdict": verdict,
    }


def _identity_row(identity, nt, example_cost: str) -> dict:
    """An identity in the notation's letters (Goodfellow's h for the activation, Bishop's z), its assumption as
    mathematics."""
    z, a, y = (nt.spell(q, "latex") for q in ("weighted_input", "activation", "target"))
    j = nt.indices[0]
    a_j, y_j = sp.Symbol(f"{a}_{{{j}}}"), sp.Symbol(f"{y}_{{{j}}}")
    where = ""
    if identity.name == "activation_derivative":
        lhs, values = f"\\text{{{_tex(identity.subject)}}}'({z})", {A: sp.Symbol(a)}
        where = f"${a} = \\text{{{_tex(identity.subject)}}}({z})$"
    elif identity.name == "cost_gradient":
        lhs, values = f"\\frac{{\\partial {example_cost}}}{{\\partial {latex(a_j)}}}", {A: a_j, Y: y_j}
    else:
        output = latex(symbols.quantity(nt, "error", nt.output_layer.get("ascii")))
        lhs, values = f"{output}_{{{j}}}", {A: a_j, Y: y_j}
    why = {"activation": "the softmax outputs sum to 1", "target": "the targets sum to 1 (one-hot or probabilities)"}
    k = next(c for c in "kqrt" if c not in (nt.layer_letter, *nt.indices))
    conditions = [f"$\\sum_{{{k}}} {nt.spell(q, 'latex')}_{{{k}}} = 1$ ({why[q]})" for q in identity.sums_to_one]
    return {
        "formula": f"{lhs} = {latex(identity.rhs.subs(values, simultaneous=True))}",
        "assumption": " and ".join(conditions) if conditions else _tex(identity.assumption or ""),
        "where": where,
    }


def _notation_sentence(nt, net: indexed.IndexedNetwork) -> str:
    """The notation in one sentence, from its symbols: how it numbers layers, what a weight's indices say, its
    letters for the activation function and the costs (the first place a reader meets it)."""
    m = lambda tex: f"${tex}$"  # noqa: E731 - a formula in running text
    first, second = (sp.Symbol(letter, integer=True) for letter in nt.indices[:2])
    to, frm = nt.weight_ends(first, second)
    weight = net.weights[1][first, second]
    function = nt.function_head(nt.layer_letter, 0, "latex") + r"(\cdot)"
    example_cost, batch_cost = nt.spell("example_cost", "latex"), nt.spell("cost", "latex")
    return (
        f"In this notation the input is layer {m(nt.layer(0))}; {m(latex(weight))} is the weight from neuron "
        f"{m(latex(frm))} of layer {m(nt.layer(0))} to neuron {m(latex(to))} of layer {m(nt.layer(1))}; "
        f"{m(function)} is the activation function, {m(example_cost)} the cost of one example and {m(batch_cost)} "
        "the cost of a batch."
    )


def _member(tex: str, dimensions) -> str:
    """``W^{2} \\in \\mathbb{R}^{3\\times 4}``."""
    return f"{tex} \\in \\mathbb{{R}}^{{{dimensions}}}"


def _quantity(net: indexed.IndexedNetwork, site, indices) -> sp.Expr:
    """The component a site's closed form is about: δ^l_j, b^l_j, W^l_{jk} or x_k."""
    if site.equation in ("BP1", "BP2"):
        return net.deltas[site.k][indices]
    if site.equation == "BP3":
        return net.biases[site.k][indices]
    if site.equation == "BP4":
        return net.weights[site.k][indices]
    return net.x[indices]


#: Visible characters of a displayed line before it is broken at a + or − (the text block is ~16.6 cm at 11 pt).
LINE_WIDTH = 70
#: The same in the appendix's list of equations, whose first column names the equation and layer.
APPENDIX_WIDTH = 48


def _visible(tex: str) -> int:
    """A rough count of the characters a LaTeX formula shows."""
    text = re.sub(r"\\(left|right)\b", "", tex)
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda mt: max(mt[1], mt[2], key=len), text)
    text = re.sub(r"\\[a-zA-Z]+", "x", text)
    text = re.sub(r"[_^]\{[^{}]*\}", "xx", text)
    return len(re.sub(r"[{}\\ ]", "", text))


def _lines(expr: sp.Expr, width: int = LINE_WIDTH) -> list[str]:
    """A displayed expression as one or more lines, broken between the terms of its top-level sum."""
    tex = latex(expr, long_frac_ratio=1)
    if _visible(tex) <= width:
        return [tex]
    if isinstance(expr, sp.Mul):  # a product with a long sum in it: the other factors, then the sum broken
        sums = [f for f in expr.args if isinstance(f, sp.Add)]
        if not sums:
            return [tex]
        big = max(sums, key=lambda f: _visible(latex(f)))
        inner = _lines(big, width - 8)
        if len(inner) == 1:
            return [tex]
        rest = expr / big
        prefix = "-" if rest == -1 else ("" if rest == 1 else latex(rest, long_frac_ratio=1))
        return [f"{prefix} \\Big( {inner[0]}", *inner[1:-1], f"{inner[-1]} \\Big)"]
    if not isinstance(expr, sp.Add):
        return [tex]
    lines, current = [], []
    for term in sp.Add.make_args(expr):
        if current and _visible(latex(sp.Add(*current, evaluate=False)) + latex(term)) > width:
            lines.append(current)
            current = []
        current.append(term)
    lines.append(current)
    texts = [latex(sp.Add(*group, evaluate=False), long_frac_ratio=1) for group in lines]
    return [texts[0]] + [t if t.startswith("-") else "+ " + t for t in texts[1:]]


def _breakable(tex: str) -> str:
    """Inline math that TeX may break at + and − inside parentheses (\\left( … \\right) cannot break)."""
    return tex.replace(r"\left(", "(").replace(r"\right)", ")")


def _proof_row(p: proof.Proof) -> dict:
    """The template's view of a proof: its lines, each with the reason it follows."""

    def steps(items) -> list[dict]:
        return [{"reason": s.reason, "lines": _lines(proof.display(s.rhs))} for s in items]

    return {
        "equation": p.equation,
        "title": p.title,
        "lhs": latex(proof.display(p.lhs)),
        "steps": steps(p.steps),
        "checked": p.checked,
        "conclusion": p.conclusion,
        "matrix": p.matrix[0] if p.matrix else "",
        "shapes": p.matrix[1] if p.matrix else "",
        "special": steps(p.special),
        "special_lhs": latex(proof.display(p.lhs)),
    }


def render(spec: Spec, notation: str | None = None, report: Report | None = None) -> str:
    """The LaTeX document, deterministic for a given spec and notation (its verification table has no timings)."""
    return render_with_answers(spec, notation, report)[0]


def render_with_answers(spec: Spec, notation: str | None = None, report: Report | None = None) -> tuple[str, str]:
    """The LaTeX document and the file of its exercises' answers that ``symbackprop check --answers`` grades."""
    data = context(spec, notation or spec.notation, report)
    return tex_environment().get_template(TEMPLATE).render(**data), data["answers_file"]


def _worked_network(spec: Spec, worked) -> str:
    """Which network the worked example uses, in words."""
    if not worked.sliced:
        return f"this network, {list(worked.layers)}"
    return (
        f"a {'-'.join(map(str, worked.layers))} network with this network's first hidden activation, its output "
        "activation and its cost, its layers numbered as the notation numbers them (this network's own numbers "
        "would not fit a page)"
    )


def missing_styles() -> dict[str, str]:
    """The LaTeX packages of :data:`STYLES` this machine lacks (by ``kpsewhich``), each with its Debian package."""
    if shutil.which("kpsewhich") is None:
        return {}
    found = subprocess.run(["kpsewhich", *STYLES], capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout
    return {style: package for style, package in STYLES.items() if style not in found}


def engine() -> list[str] | None:
    """The command that compiles a .tex to PDF here, or None when no LaTeX engine is installed."""
    if shutil.which("latexmk") and shutil.which("pdflatex"):
        return ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-quiet"]
    if shutil.which("pdflatex"):
        return ["pdflatex", "-interaction=nonstopmode", "-halt-on-error"]
    return None


#: The date written into every PDF's metadata unless ``SOURCE_DATE_EPOCH`` is set: 1970-01-01, so that one
#: document compiles to the same bytes on every run (pdfTeX derives its /CreationDate, /ModDate and trailer /ID
#: from it; https://reproducible-builds.org/specs/source-date-epoch/).
SOURCE_DATE_EPOCH = "0"


def reproducible_environment() -> dict[str, str]:
    """The environment LaTeX runs in: this one, with ``SOURCE_DATE_EPOCH`` fixed unless the user set it."""
    return {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)}


def compile_pdf(tex_path: str | Path, *, keep_log: bool = False) -> Path:
    """Compile a .tex file to the PDF beside it (atomically); :class:`LatexError` names what failed.

    ``keep_log`` also writes LaTeX's ``.log`` beside it (the tests read its overfull-box warnings).
    """
    tex_path = Path(tex_path)
    pdf, log = pdf_bytes(tex_path)
    target = tex_path.with_suffix(".pdf")
    write_atomic(target, pdf)
    if keep_log:
        write_atomic(tex_path.with_suffix(".log"), log)
    return target


def write_pdf(folder: OutputFolder, tex_path: str | Path) -> Path:
    """Compile the .tex file in ``folder`` and write its PDF beside it like every file the folder writes
    (journaled, renamed into place, recorded in the manifest)."""
    tex_path = Path(tex_path)
    return folder.write(tex_path.with_suffix(".pdf").name, pdf_bytes(tex_path)[0])


def pdf_bytes(tex_path: str | Path) -> tuple[bytes, bytes]:
    """The PDF of a .tex file and LaTeX's log, compiled in a temporary folder (nothing written beside it)."""
    tex_path = Path(tex_path)
    command = engine()
    if command is None:
        raise LatexError(
            f"{tex_path}: written, but no LaTeX engine is installed to make the PDF; "
            f"install one, e.g. apt-get install {ENGINE_PACKAGES}"
        )
    missing = missing_styles()
    if missing:
        raise LatexError(
            f"{tex_path}: written, but LaTeX lacks {', '.join(missing)} to make the PDF; "
            f"install it, e.g. apt-get install {' '.join(sorted(set(missing.values())))}"
        )
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(tex_path, Path(work) / "document.tex")
        result = subprocess.run(
            [*command, "document.tex"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
            env=reproducible_environment(),
        )
        pdf = Path(work) / "document.pdf"
        log = Path(work) / "document.log"
        if result.returncode != 0 or not pdf.exists():
            lines = log.read_text(errors="replace").splitlines() if log.exists() else result.stdout.splitlines()
            first = next((line for line in lines if line.startswith("!")), "see the LaTeX log")
            raise LatexError(f"{tex_path}: LaTeX failed: {first}")
        return pdf.read_bytes(), log.read_bytes() if log.exists() else b""
