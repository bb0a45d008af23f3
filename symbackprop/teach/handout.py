"""The parts of the handout around the proofs, as plain data for ``templates/derivation.tex.j2``.

The summary of the equations for a general layer (from the general proofs of :func:`~symbackprop.teach.proof.
general_proofs`, so every line in it was produced and checked) and the same equations in the other catalogue
notations; the drawing of the network; the definitions and constants; the algorithm with its mini-batch update;
the bibliography; and the verification table grouped into one row per check.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sympy as sp

from symbackprop.derivation.formulas import readable
from symbackprop.network import cost as cost_terms
from symbackprop.network.indexed import relative_label
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import NIELSEN_BOOK, NOTATIONS
from symbackprop.notation.model import Citation, Notation
from symbackprop.printing.latex import latex
from symbackprop.spec.model import Spec
from symbackprop.teach import proof
from symbackprop.teach.matrix_forms import MatrixView
from symbackprop.teach.output_layer import jacobian_letter
from symbackprop.teach.steps import Context, display
from symbackprop.verification import Report

# -- the summary: the equations for a general layer -------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One equation for a general layer, in component and matrix form with the shapes of its matrices."""

    equation: str  # BP1 … BP4
    component: str  # LaTeX
    matrix: str  # LaTeX
    shapes: str  # LaTeX
    checked: bool  # the general proof's last line equals the derivation and the closed form


def statements(general: proof.Proofs) -> list[Statement]:
    """BP1–BP4 as the general proofs end."""
    return [
        Statement(
            p.equation,
            f"{latex(display(p.lhs))} = {latex(display(p.steps[-1].rhs))}",
            p.matrix[0],
            p.matrix[1],
            p.checked,
        )
        for p in general
    ]


def forward(spec: Spec, nt: Notation, report: Report) -> dict[str, str]:
    """The forward pass of a general layer: component and matrix form, with the shapes."""
    # centred on the weights' number: z^l = W^l a^{l-1} + b^l, and UFLDL's z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}
    ctx = Context(proof.general_spec(spec), nt.name, report, general=(nt.weight_layer(1), nt.layer_letter))
    net = ctx.net
    j = sp.Symbol(nt.indices[0], integer=True)
    k = sp.Symbol(nt.indices[1], integer=True)  # the sum runs over the weight's second index, as the text writes
    weighted = readable(net.z_expression(1, j), {}, nt).xreplace({sp.Symbol(nt.bound[0], integer=True): k})
    component = f"{latex(net.z[1][j])} = {latex(weighted)}"
    activation = f"{latex(net.activations[1][j])} = {latex(readable(net.a(1, j), {}, nt))}"
    view = MatrixView(ctx)
    W = view.W(nt.weight_layer(1))
    a = view._symbol(symbols.quantity(nt, "activation", net.number(nt.layer(0))), *_vector(nt, net.widths[0]))
    b = view._symbol(symbols.quantity(nt, "bias", net.number(nt.weight_layer(1))), *_vector(nt, net.widths[1]))
    product = a * W if nt.vectors == "rows" else (W.T * a if nt.transposed else W * a)
    return {
        "component": component,
        "activation": activation,
        "matrix": nt.forward_text("latex") + r", \qquad " + nt.activation_text("latex"),
        "shapes": view.shapes(type(product)(sp.MatAdd(product.e, b.e))),
    }


def _vector(nt: Notation, n) -> tuple:
    return (1, n) if nt.vectors == "rows" else (n, 1)


@dataclass(frozen=True)
class Elsewhere:
    """The same four equations in another catalogue notation (matrix form)."""

    notation: str
    title: str  # the text's title
    equations: tuple[str, ...]  # LaTeX: BP1 … BP4


def other_notations(spec: Spec, nt: Notation, report: Report) -> list[Elsewhere]:
    """BP1–BP4 in matrix form in each other notation of the catalogue, made by its own closed-form recipes."""
    rows = []
    for other in NOTATIONS.values():
        if other.name == nt.name or other.base:
            continue
        sliced = proof.general_spec(spec)
        output = Context(sliced, other.name, report, general=(other.layer(2), other.output_layer.get("ascii")))
        layer = Context(sliced, other.name, report, general=(other.layer(1), other.layer_letter))
        weights = Context(sliced, other.name, report, general=(other.weight_layer(1), other.layer_letter))
        equations = []
        for ctx, make in (
            (output, lambda c, v: (c.net.deltas[2], c.forms.bp1(v))),
            (layer, lambda c, v: (c.net.deltas[1], c.forms.bp2(v, c.nt.layer(1)))),
            (weights, lambda c, v: (_gradient(c, c.net.biases[1]), c.forms.bp3(v, c.nt.weight_layer(1)))),
            (weights, lambda c, v: (_gradient(c, c.net.weights[1]), c.forms.bp4(v, c.nt.weight_layer(1)))),
        ):
            view = MatrixView(ctx)
            lhs, rhs = make(ctx, view)
            equations.append(f"{lhs if isinstance(lhs, str) else latex(lhs)} = {latex(rhs.e)}")
        rows.append(Elsewhere(other.name, other.citation.title, tuple(equations)))
    return rows


def _gradient(ctx: Context, base: sp.IndexedBase) -> str:
    return f"\\frac{{\\partial {ctx.Cx}}}{{\\partial {latex(base)}}}"


# -- the drawing --------------------------------------------------------------------------------------

#: At most this many neurons of a layer are drawn (the first three, a column of dots and the last).
DRAWN = 5


@dataclass(frozen=True)
class Neuron:
    name: str  # the TikZ node's name
    y: float
    text: str  # its number in the layer (LaTeX), or \vdots


@dataclass(frozen=True)
class Column:
    x: float
    label: str  # LaTeX: the layer's number as the notation writes it
    role: str  # input, hidden, output
    width: int
    neurons: tuple[Neuron, ...]


def drawing(spec: Spec, nt: Notation) -> dict:
    """The network drawn as columns of neurons, one weight picked out and named in the notation's words."""
    L = len(spec.layers) - 1
    spacing = min(3.6, 12.0 / L)
    columns = []
    for k, n in enumerate(spec.layers):
        numbers = list(range(1, n + 1)) if n <= DRAWN else [1, 2, 3, None, n]
        top = (len(numbers) - 1) / 2
        neurons = tuple(
            Neuron(f"n{k}_{i}", 0.75 * (top - i), r"\vdots" if number is None else str(number))
            for i, number in enumerate(numbers)
        )
        role = "input" if k == 0 else ("output" if k == L else "hidden")
        columns.append(Column(round(k * spacing, 2), str(nt.layer(k)), role, n, neurons))
    edges = [
        (a.name, b.name)
        for left, right in zip(columns, columns[1:], strict=False)
        for a in left.neurons
        for b in right.neurons
        if r"\vdots" not in (a.text, b.text)
    ]
    # the weight picked out: into neuron 1 of the output layer, from neuron 2 (or 1) of the layer before
    to, frm = 1, min(2, spec.layers[L - 1])
    row, col = nt.weight_index(to, frm)
    weight = f"{nt.spell('weight', 'latex')}^{{{nt.label(nt.weight_layer(L))}}}_{{{row}{col}}}"
    first, second = nt.indices
    g_to, g_from = nt.weight_ends(first, second)
    l_in, l_out, _ = nt.general_layers()  # in words: layer l-1 (a superscript's parentheses are its own)
    l_w = nt.general_labels()[2]
    general = f"{nt.spell('weight', 'latex')}^{{{l_w}}}_{{{first}{second}}}"
    shapes = []
    for k in range(1, L + 1):
        rows_, cols_ = nt.weight_shape(spec.layers[k - 1], spec.layers[k])
        shapes.append(
            {
                "x": round((k - 0.5) * spacing, 2),
                "text": f"{nt.spell('weight', 'latex')}^{{{nt.label(nt.weight_layer(k))}}} "
                f"\\in \\mathbb{{R}}^{{{rows_} \\times {cols_}}}",
            }
        )
    lowest = min(n.y for c in columns for n in c.neurons)
    highest = max(n.y for c in columns for n in c.neurons)
    return {
        "top": round(highest + 0.7, 2),
        "shape_y": round(lowest - 1.75, 2),
        "columns": columns,
        "edges": edges,
        "picked": (f"n{L - 1}_{frm - 1}", f"n{L}_{to - 1}"),
        "weight": weight,
        "shapes": shapes,
        "bottom": round(lowest - 0.8, 2),
        "caption": (
            f"${weight}$ is the weight from neuron {frm} in layer {nt.layer(L - 1)} to neuron {to} in "
            f"layer {nt.layer(L)}. In general ${general}$ is the weight from neuron ${g_from}$ in layer "
            f"${l_in}$ to neuron ${g_to}$ in layer ${l_out}$"
            + (" (stored transposed: row = where it comes from)" if nt.transposed else "")
            + "."
        ),
    }


# -- constants, the algorithm -------------------------------------------------------------------------


def softmax_bp1(spec: Spec, nt: Notation, report: Report) -> dict | None:
    """For a softmax output: BP1 in Jacobian form (the Hadamard form does not hold), and what it becomes for this
    cost where the identities found one (δ^L = a^L − y for the log-likelihood, given Σ_k y_k = 1)."""
    if spec.layer_activation(spec.depth).elementwise:
        return None
    out = nt.output_layer.get("ascii")
    ctx = Context(proof.general_spec(spec), nt.name, report, general=(nt.layer(2), out))
    delta, a = (latex(symbols.quantity(nt, q, out)) for q in ("error", "activation"))
    y = nt.spell("target", "latex")
    z = latex(symbols.quantity(nt, "weighted_input", out))
    grad = latex(MatrixView(ctx).grad_a().e)
    J = jacobian_letter(nt)
    jacobian = f"{grad} \\, {J}({z})" if nt.vectors == "rows" else f"{J}({z})^{{T}} {grad}"
    identity = next((i for i in report.identities if i.name == "output_delta" and i.rhs is not None), None)
    special = ""
    if identity is not None and identity.method == "exact" and identity.sums_to_one:
        special = f"{delta} = {a} - {y}"
    return {"jacobian": f"{delta} = {jacobian}", "special": special}


def training_set_letter(nt: Notation) -> str:
    """The letter of the training-set size, one that clashes with nothing: the notation's own (Nielsen's n),
    unless the widths, the output layer or the mini-batch already use it (n_l, UFLDL's output layer n_l), then N,
    or N_train where N counts the mini-batch (Bishop's E = Σ_{n=1}^N E_n)."""
    letter = nt.spell("training_set_size", "latex")
    taken = {nt.spell("width", "latex"), nt.output_layer.get("latex").split("_")[0], nt.spell("examples", "latex")}
    for candidate in (letter, "N", r"N_{\mathrm{train}}"):
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: N_train is nobody's letter")


def constants(spec: Spec, nt: Notation) -> list[dict]:
    """Every constant the document uses: its letter, what it is, its value here."""
    t, reg = spec.training, spec.regularization
    rows = [
        {
            "letter": nt.spell("examples", "latex"),
            "meaning": "the number of examples in a mini-batch",
            "value": str(t.batch_size),
        },
        {"letter": nt.spell("learning_rate", "latex"), "meaning": "the learning rate", "value": f"{t.eta:g}"},
    ]
    if cost_terms.has_l2(reg):
        rows.append(
            {
                "letter": nt.spell("decay", "latex"),
                "meaning": "the weight-decay (L2) coefficient",
                "value": f"{reg.l2:g}",
            }
        )
        if reg.scale != "batch":
            rows.append(
                {
                    "letter": training_set_letter(nt),
                    "meaning": "the size of the whole training set (set by the data; the worked example takes 1000)",
                    "value": "",
                }
            )
    return rows


def decay_factor(spec: Spec, nt: Notation) -> str:
    """The factor the update multiplies the weights by: (1 − ηλ), (1 − ηλ/n), or '' without weight decay."""
    reg = spec.regularization
    if not cost_terms.has_l2(reg):
        return ""
    eta, lam = nt.spell("learning_rate", "latex"), nt.spell("decay", "latex")
    if reg.scale == "batch":
        return f"\\left(1 - {eta} {lam}\\right)"
    return f"\\left(1 - \\frac{{{eta} {lam}}}{{{training_set_letter(nt)}}}\\right)"


def algorithm(spec: Spec, nt: Notation, summary: list[Statement], fwd: dict[str, str]) -> list[dict]:
    """The steps of one mini-batch of gradient descent: what is done, and the formula it uses."""
    by = {s.equation: s for s in summary}
    out = nt.output_layer.get("latex")
    # the layers a step runs over, as values of the layer letter: l = 1, ..., L (k = 1, ..., l in Goodfellow)
    last_hidden = f"{nt.layer_letter} = " + relative_label(
        nt.layer(len(spec.layers) - 2), nt.layer(len(spec.layers) - 1), out
    )
    w_first = f"{nt.layer_letter} = {nt.weight_layer(1)}"
    w_last = relative_label(nt.weight_layer(len(spec.layers) - 1), nt.layer(len(spec.layers) - 1), out)
    l_w = nt.general_labels()[2]
    W, b = nt.spell("weight", "latex"), nt.spell("bias", "latex")
    Cx, m = nt.spell("example_cost", "latex"), nt.spell("examples", "latex")
    eta = nt.spell("learning_rate", "latex")
    x, a = nt.spell("input", "latex"), nt.spell("activation", "latex")
    factor = decay_factor(spec, nt)
    average = f"\\frac{{{eta}}}{{{m}}} \\sum_{{{x} \\in B}}"
    return [
        {
            "what": f"Take a mini-batch $B$ of ${m}$ training examples $({x}, {nt.spell('target', 'latex')})$. "
            f"For each example, set ${a}^{{{nt.label(nt.layer(0))}}} = {x}$, then:",
            "math": "",
        },
        {"what": f"Forward pass, for ${w_first}, \\dots, {w_last}$ in turn:", "math": fwd["matrix"]},
        {"what": f"Output error ({by['BP1'].equation}):", "math": by["BP1"].matrix},
        {
            "what": f"Backward pass, for each layer ${last_hidden}, \\dots, {nt.layer(1)}$ in turn "
            f"({by['BP2'].equation}):",
            "math": by["BP2"].matrix,
        },
        {
            "what": f"Gradients of ${Cx}$, for each layer of weights ${w_first}, \\dots, {w_last}$ "
            f"({by['BP3'].equation}, {by['BP4'].equation}):",
            "math": f"{by['BP3'].matrix}, \\qquad {by['BP4'].matrix}",
        },
        {
            "what": "Update, once for the mini-batch, each layer of weights and biases:",
            "math": f"{W}^{{{l_w}}} \\to {factor} {W}^{{{l_w}}} - {average} "
            f"\\frac{{\\partial {Cx}}}{{\\partial {W}^{{{l_w}}}}}, \\qquad "
            f"{b}^{{{l_w}}} \\to {b}^{{{l_w}}} - {average} \\frac{{\\partial {Cx}}}{{\\partial {b}^{{{l_w}}}}}",
        },
    ]


# -- the bibliography, the verification table -------------------------------------------------------


def bibliography(spec: Spec, nt: Notation) -> list[Citation]:
    """The notation's source, and Nielsen's book where the document uses its chapter 3 (softmax, L2, the
    cross-entropy)."""
    cited = [nt.citation]
    uses_ch3 = spec.output == "softmax" or cost_terms.has_l2(spec.regularization) or spec.cost != "quadratic"
    if uses_ch3 and NIELSEN_BOOK not in cited:
        cited.append(NIELSEN_BOOK)
    return cited


@dataclass(frozen=True)
class CheckRow:
    equation: str
    layer: str
    form: str
    method: str
    result: str  # holds | fails | fails (not applicable)
    count: int  # how many examples (or 1)


def grouped_checks(report: Report) -> list[CheckRow]:
    """One row per (equation, layer, form, method, result), counting the examples it was checked on."""
    counts: Counter = Counter()
    for c in report.checks:
        result = "holds" if c.holds else ("fails (not applicable)" if not c.applicable else "fails")
        counts[c.equation, str(c.layer), c.form, c.method, result] += 1
    return [CheckRow(*key, count) for key, count in counts.items()]
