"""The step-by-step proofs of BP1–BP4 and ∇_x C for one network, in the reader's notation.

The teaching stage's mathematics. Every line of a proof is a SymPy expression
obtained from the previous one by the operation its justification names, on
the same all-widths network the verifier checks (:mod:`symbackprop.network.indexed`):

* the definition of δ (∂C_x/∂z), the chain rule through the next layer's
  weighted inputs z^{l+1} (or through a^L, or z^l for the parameters);
* the local derivative ``sympy.diff`` takes of the forward map, where the
  Kronecker deltas [r = j] say which terms vanish and why (f acts
  elementwise, b_k enters only z_k, W_{jk} only z_j);
* the deltas summed away (:func:`symbackprop.network.indexed.resolve`), which lands on
  the notation's closed form; the last line is compared with the verifier's own
  derivation and with the closed-form recipe (:func:`symbackprop.network.indexed.is_zero`).

Specialised steps come from :mod:`symbackprop.derivation.identities` (through the
verifier's report): the activation's f' and the cost's ∂C/∂a_j printed from
SymPy, and cancellations (σ' against the cross-entropy's denominator) shown as
the simplification that produces them. A softmax output gets the Jacobian
form, with the off-diagonal derivatives that make the Hadamard form fail and
the verifier's counterexample values.

A proof is plain data: expressions and justifications (LaTeX text with inline
math) that :mod:`symbackprop.teach.document` lays out. The proofs live in one module per
part of the network: :mod:`~symbackprop.teach.output_layer` (BP1), :mod:`~symbackprop.teach.hidden_layer` (BP2),
:mod:`~symbackprop.teach.parameters` (BP3, BP4, ∇_x C and the batch), with :mod:`~symbackprop.teach.steps`
(what a proof is made of) and :mod:`~symbackprop.teach.matrix_forms`; this module maps them over the equation
sites.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from symbackprop.closed_forms import ClosedForms, forms_for
from symbackprop.network.sites import sites
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.spec.load import Spec
from symbackprop.teach.hidden_layer import bp2
from symbackprop.teach.output_layer import bp1
from symbackprop.teach.parameters import bp3, bp4, input_gradient, regularization
from symbackprop.teach.steps import Context, Proof, Proofs, Step, display
from symbackprop.verification import Report

__all__ = [
    "TABLE_LIMIT",
    "Entry",
    "Proof",
    "Proofs",
    "Step",
    "display",
    "entry_table",
    "general_proofs",
    "general_spec",
    "network_proofs",
    "proofs",
]

# -- all proofs -------------------------------------------------------------------------------------


def proofs(
    spec: Spec, notation: str | None = None, report: Report | None = None, *, forms: ClosedForms | None = None
) -> Proofs:
    """BP1, BP2 for every hidden layer, BP3 and BP4 for every layer, ∇_x C, and the batch/L2 step.

    ``report`` (the verifier's, for its identities and counterexamples) is computed when not given;
    ``forms`` defaults to the notation's closed forms (pass a wrong one to see a proof not confirmed).
    """
    from symbackprop.verification import verify

    notation = notation or spec.notation
    report = report or verify(spec, notation=notation)
    ctx = Context(spec, notation, report, forms)
    provers = {
        "BP1": lambda site: bp1(ctx),
        "BP2": lambda site: bp2(ctx, site.k),
        "BP3": lambda site: bp3(ctx, site.k),
        "BP4": lambda site: bp4(ctx, site.k),
        "input_gradient": lambda site: input_gradient(ctx),
    }
    return Proofs([*(provers[site.equation](site) for site in sites(spec, ctx.nt)), regularization(ctx)])


# -- the proofs for a general layer ------------------------------------------------------------------


def general_spec(spec: Spec) -> Spec:
    """The slice a general proof is made on: two weight layers with the spec's cost (their activations are
    abstract, their widths symbols), so that one proof holds for every layer of every network."""
    return dataclasses.replace(spec, layers=(2, 2, 2), activations=(spec.output,))


def general_proofs(
    spec: Spec, notation: str | None = None, report: Report | None = None, *, forms: ClosedForms | None = None
) -> Proofs:
    """BP1 for the output layer L, BP2 for a hidden layer l, BP3 and BP4 for the parameters of a layer l:
    each once, on a general slice whose layers are written L-1, L or l-1, l, l+1, for an elementwise
    activation (a softmax output gets its own proof, :func:`proofs`)."""
    from symbackprop.verification import verify

    notation = notation or spec.notation
    report = report or verify(spec, notation=notation)
    nt, sliced = notation_named(notation), general_spec(spec)

    def context(center: int, letter: str) -> Context:
        return Context(sliced, notation, report, forms, general=(center, letter))

    letter = nt.layer_letter
    return Proofs(
        [
            bp1(context(nt.layer(2), nt.output_layer.get("ascii"))),
            bp2(context(nt.layer(1), letter), 1),
            bp3(context(nt.weight_layer(1), letter), 1),
            bp4(context(nt.weight_layer(1), letter), 1),
        ]
    )


def network_proofs(spec: Spec, notation: str | None = None, report: Report | None = None) -> Proofs:
    """The proofs that depend on this network: BP1 with its output activation and cost (for a softmax output,
    the Jacobian proof), BP2 once for each hidden activation (its f'), and the batch's averaging and weight
    decay."""
    from symbackprop.verification import verify

    notation = notation or spec.notation
    report = report or verify(spec, notation=notation)
    ctx = Context(spec, notation, report)
    chosen, seen = [bp1(ctx)], set()
    for k in range(1, ctx.L):
        name = spec.layer_activation(k).name
        if name not in seen:
            seen.add(name)
            chosen.append(bp2(ctx, k))
    return Proofs([*chosen, regularization(ctx)])


# -- every derivative of a small network ------------------------------------------------------------

#: Networks with at most this many parameters get the table of every individual derivative.
TABLE_LIMIT = 30


@dataclass(frozen=True)
class Entry:
    """One parameter's derivative of the batch cost (one example): SymPy's, fully substituted, and the closed form."""

    parameter: sp.Expr
    derived: sp.Expr
    closed: sp.Expr
    equal: bool


def entry_table(spec: Spec, notation: str | None = None) -> list[Entry]:
    """∂C/∂W^l_{jk} and ∂C/∂b^l_j for every parameter, as the layered derivation gives them.

    The derivation's δ symbols are replaced by their own derived expressions
    (output layer first), so each entry is the chain rule written out to the
    cost; the closed form is BP3/BP4 (plus the weight decay) with the same δ's.
    Empty above :data:`TABLE_LIMIT` parameters.
    """
    from symbackprop.derivation import layered
    from symbackprop.network.concrete import SymbolicNetwork

    notation = notation or spec.notation
    if spec.parameter_count > TABLE_LIMIT:
        return []
    net = SymbolicNetwork(spec, notation=notation, examples=1, abstract=True)
    forms = forms_for(notation)
    view = net.view()
    plan = sites(spec, net.notation)
    values: dict[sp.Symbol, sp.Expr] = {}
    for site in (s for s in plan if s.equation in ("BP1", "BP2")):  # δ^L from the cost, then δ^k from δ^{k+1}
        derived = layered.derived(net, site, 0)
        values.update(zip(net.layer(site.k).delta, (d.xreplace(values) for d in derived)))
    decay = forms.decay(spec)
    readable = _through_a(net)
    rows = []
    # every parameter, the first layer's weights first, each layer's weights before its biases
    for site in sorted((s for s in plan if s.equation in ("BP3", "BP4")), key=lambda s: (s.k, s.equation != "BP4")):
        parameter = net.weights[site.k - 1] if site.equation == "BP4" else net.biases[site.k - 1]
        closed = forms.example_form(site, "matrix", view)
        if site.equation == "BP4":
            closed = closed + decay * parameter
        derived = layered.derived(net, site, None)
        for index in range(len(parameter)):
            full = derived[index].xreplace(values)
            equal = sp.expand(full - closed[index].xreplace(values)) == 0
            rows.append(Entry(parameter[index], readable(display(full)), readable(closed[index]), equal))
    return rows


def _through_a(net) -> Callable[[sp.Expr], sp.Expr]:
    """f^l(z^l_i) written a^l_i (the forward pass's activations), for the table."""

    def is_activation_of_z(e) -> bool:
        return (
            symbols.is_function(e, derivative=0)
            and isinstance(e.args[0], symbols.NetworkSymbol)
            and e.args[0].quantity == "weighted_input"
        )

    def activation(call):
        (z,) = call.args
        return symbols.component(net.notation, "activation", z.layer, z.index, z.example)

    def rewrite(expr: sp.Expr) -> sp.Expr:
        return expr.replace(is_activation_of_z, activation)

    return rewrite
