"""The derived gradients in component form, as a reader writes them.

Takes the all-widths derivation (:mod:`symbackprop.network.indexed`), renames the
indices to the notation's letters (j, k in ``nielsen``; i, j in ``blog`` and
``ufldl``), writes f'(z) as ``f^l'(z)`` and, where :mod:`symbackprop.derivation.identities`
found one, specialises it to the layer's activation written through a.
"""

from __future__ import annotations

import sympy as sp

from symbackprop.derivation import indexed as derive_indexed
from symbackprop.derivation.identities import activation_derivative, output_delta
from symbackprop.network import indexed
from symbackprop.network.sites import Site, sites
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.spec.functions import A, Y
from symbackprop.spec.model import Spec


class DerivedFormula(sp.Equality):
    """One derived gradient, a SymPy ``Eq``: ``lhs = rhs`` for every elementwise f.

    ``equation`` (BP1 … BP4, input_gradient) and ``layer`` (the notation's number) say where it stands;
    ``specialised`` is the right-hand side for the spec's own activations, written through a, or None.
    ``general`` is ``rhs``. Rebuilding it (``subs``, ``xreplace``) gives a plain ``Eq``.
    """

    equation: str
    layer: int
    specialised: sp.Expr | None

    def __new__(cls, lhs, rhs, *, equation: str = "", layer: int = 0, specialised=None):
        obj = super().__new__(cls, lhs, rhs, evaluate=False)
        obj.equation, obj.layer, obj.specialised = equation, layer, specialised
        return obj

    @property
    def func(self):
        return sp.Equality

    @property
    def general(self) -> sp.Expr:
        return self.rhs

    def _repr_latex_(self) -> str:
        from symbackprop.printing.latex import formulas_latex

        return formulas_latex([self])


class DerivedFormulas(list):
    """The list :func:`derived_formulas` returns; renders as LaTeX in Jupyter."""

    def _repr_latex_(self) -> str:
        from symbackprop.printing.latex import formulas_latex

        return formulas_latex(self)


def readable(expr: sp.Expr, free: dict, notation) -> sp.Expr:
    """Free indices named by the text's letters, bound ones by its summation letters; f'(z) as f^l′."""
    nt = notation_named(notation) if isinstance(notation, str) else notation
    expr = indexed._canonical_sums(expr.xreplace(free))
    letters = {sp.Symbol(f"s{d}", integer=True): sp.Symbol(nt.bound[d], integer=True) for d in range(len(nt.bound))}
    return symbols.primed(expr.xreplace(letters))


def derived_formulas(spec: Spec, notation: str | None = None) -> DerivedFormulas:
    """δ^L, δ^l, ∂C/∂b^l, ∂C/∂W^l and ∇_x C for one example, at every width (one per :func:`sites` entry)."""
    nt = notation_named(notation or spec.notation)
    net = indexed.IndexedNetwork(spec, notation=nt.name)
    first, second = (sp.Symbol(s, integer=True) for s in nt.indices)
    specialise = _specialiser(spec, net)
    return DerivedFormulas(_formula(site, net, spec, first, second, specialise) for site in sites(spec, nt))


def _formula(site: Site, net: indexed.IndexedNetwork, spec: Spec, first, second, specialise) -> DerivedFormula:
    nt, k = net.notation, site.k
    cost = symbols.example_cost(nt)
    if site.equation == "BP1":
        j = net.index("j", k)
        general = readable(indexed.normalize(derive_indexed.output_delta(net, j), net.ranges), {j: first}, nt)
        out = output_delta(spec.layer_activation(k), spec.cost_function(), spec.layers[-1])
        special = None
        if out.rhs is not None and out.method == "exact":
            special = out.rhs.subs({A: net.activations[k][first], Y: net.y[first]}, simultaneous=True)
        return DerivedFormula(net.deltas[k][first], general, equation="BP1", layer=site.layer, specialised=special)
    if site.equation == "BP2":
        j = net.index("j", k)
        general = readable(derive_indexed.hidden_delta(net, k, j), {j: first}, nt)
        return DerivedFormula(
            net.deltas[k][first], general, equation="BP2", layer=site.layer, specialised=specialise(general)
        )
    if site.equation == "BP3":
        j = net.index("j", k)
        general = readable(derive_indexed.bias_gradient(net, k, j), {j: first}, nt)
        lhs = sp.Derivative(cost, net.biases[k][first], evaluate=False)
        return DerivedFormula(lhs, general, equation="BP3", layer=site.layer)
    if site.equation == "BP4":
        rows, cols = site.dims
        p, q = net.index("p", rows), net.index("q", cols)
        general = readable(derive_indexed.weight_gradient(net, k, p, q), {p: first, q: second}, nt)
        lhs = sp.Derivative(cost, net.weights[k][first, second], evaluate=False)
        return DerivedFormula(lhs, general, equation="BP4", layer=site.layer, specialised=specialise(general))
    q = net.index("q", 0)
    letter = sp.Symbol(nt.input_index, integer=True)
    general = readable(derive_indexed.input_gradient(net, q), {q: letter}, nt)
    lhs = sp.Derivative(cost, net.x[letter], evaluate=False)
    return DerivedFormula(lhs, general, equation="input_gradient", layer=site.layer)


def _specialiser(spec: Spec, net: indexed.IndexedNetwork):
    """Replace f^l′(z^l[j]) and f^l(z^l[j]) by the layer's activation written through a^l[j]."""
    rules = []
    for k in range(1, net.depth + 1):
        act = spec.layer_activation(k)
        if not act.elementwise:
            continue
        identity = activation_derivative(act)
        rules.append((net.notation.layer(k), net.activations[k], identity.rhs if identity.method == "exact" else None))

    def of_layer(e, number, derivative) -> bool:
        return symbols.is_function(e, derivative=derivative) and e.func.layer == number

    def specialise(expr: sp.Expr) -> sp.Expr | None:
        changed = expr
        for number, a_k, rhs in rules:
            if rhs is not None:  # f^l'(z^l[j]) through a^l[j]
                changed = changed.replace(
                    lambda e, n=number: of_layer(e, n, 1),
                    lambda call, a_k=a_k, rhs=rhs: rhs.subs(A, a_k[call.args[0].indices[0]]),
                )
            changed = changed.replace(  # f^l(z^l[j]) as a^l[j]
                lambda e, n=number: of_layer(e, n, 0), lambda call, a_k=a_k: a_k[call.args[0].indices[0]]
            )
        return None if changed == expr else changed

    return specialise
