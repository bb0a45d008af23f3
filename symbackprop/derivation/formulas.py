"""The derived gradients in component form, as a reader writes them.

Takes the all-widths derivation (:mod:`symbackprop.network.indexed`), renames the
indices to the notation's letters (j, k in ``nielsen``; i, j in ``blog`` and
``ufldl``), writes f'(z) as ``f^l'(z)`` and, where :mod:`symbackprop.derivation.identities`
found one, specialises it to the layer's activation written through a.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from symbackprop.derivation.identities import activation_derivative, output_delta
from symbackprop.network import indexed
from symbackprop.notation import naming
from symbackprop.notation.catalogue import NOTATIONS
from symbackprop.spec.functions import A, Y
from symbackprop.spec.load import Spec


@dataclass(frozen=True)
class DerivedFormula:
    """One derived gradient: ``lhs = general`` for every elementwise f, and ``= specialised`` for the spec's."""

    equation: str
    lhs: str
    general: sp.Expr
    specialised: sp.Expr | None

    def _repr_latex_(self) -> str:
        from symbackprop.printing.latex import formulas_latex

        return formulas_latex([self])


class DerivedFormulas(list):
    """The list :func:`derived_formulas` returns; renders as LaTeX in Jupyter."""

    def _repr_latex_(self) -> str:
        from symbackprop.printing.latex import formulas_latex

        return formulas_latex(self)


def _letters(notation: str) -> tuple[str, str]:
    return ("j", "k") if notation == "nielsen" else ("i", "j")


def _prettify(expr: sp.Expr, free: dict) -> sp.Expr:
    """Name free indices by the text's letters, bound ones r, s, …; f'(z) as a function f^l'."""
    expr = indexed._canonical_sums(expr.xreplace(free))
    expr = expr.xreplace({sp.Symbol(f"s{d}", integer=True): sp.Symbol("rstu"[d], integer=True) for d in range(4)})

    def prime(d: sp.Derivative):
        (f,) = [a for a in d.atoms(AppliedUndef)]
        return sp.Function(f"{f.func.__name__}'")(*f.args)

    return expr.replace(lambda e: isinstance(e, sp.Derivative) and isinstance(e.expr, AppliedUndef), prime)


def derived_formulas(spec: Spec, notation: str | None = None) -> DerivedFormulas:
    """δ^L, δ^l, ∂C/∂b^l, ∂C/∂W^l and ∇_x C for one example, at every width."""
    notation = notation or spec.notation
    nt = NOTATIONS[notation]
    net = indexed.IndexedNetwork(spec, notation=notation)
    first, second = (sp.Symbol(s, integer=True) for s in _letters(notation))
    L = net.depth

    def label(k: int) -> str:
        return naming.layer_label(nt, nt.layer(k))

    def wlabel(k: int) -> str:
        return naming.layer_label(nt, nt.weight_layer(k))

    specialise = _specialiser(spec, net)
    result = []

    j = net.index("j", L)
    general = _prettify(indexed.normalize(indexed.output_delta(net, j), net.ranges), {j: first})
    out = output_delta(spec.layer_activation(L), spec.cost_function(), spec.layers[-1])
    special = None
    if out.rhs is not None and out.method == "exact":
        a_L = sp.IndexedBase(f"a^{label(L)}")
        special = out.rhs.subs({A: a_L[first], Y: sp.IndexedBase("y")[first]}, simultaneous=True)
    result.append(DerivedFormula("BP1", f"delta^{label(L)}_{first}", general, special))
    for k in range(L - 1, 0, -1):
        j = net.index("j", k)
        general = _prettify(indexed.hidden_delta(net, k, j), {j: first})
        result.append(DerivedFormula("BP2", f"delta^{label(k)}_{first}", general, specialise(general)))
    for k in range(L, 0, -1):
        j = net.index("j", k)
        general = _prettify(indexed.bias_gradient(net, k, j), {j: first})
        result.append(DerivedFormula("BP3", f"dC/db^{wlabel(k)}_{first}", general, None))
        rows, cols = (k - 1, k) if nt.transposed else (k, k - 1)
        p, q = net.index("p", rows), net.index("q", cols)
        general = _prettify(indexed.weight_gradient(net, k, p, q), {p: first, q: second})
        result.append(
            DerivedFormula("BP4", f"dC/d{nt.weight_symbol}^{wlabel(k)}_{first}{second}", general, specialise(general))
        )
    q = net.index("q", 0)
    general = _prettify(indexed.input_gradient(net, q), {q: second})
    result.append(DerivedFormula("input_gradient", f"dC/dx_{second}", general, None))
    return DerivedFormulas(result)


def _specialiser(spec: Spec, net: indexed.IndexedNetwork):
    """Replace f^l'(z^l[j]) and f^l(z^l[j]) by the layer's activation written through a^l[j]."""
    rules = []
    nt = net.notation
    for k in range(1, net.depth + 1):
        act = spec.layer_activation(k)
        if not act.elementwise:
            continue
        name = net.activation_function(k).__name__
        a_k = sp.IndexedBase(f"a^{naming.layer_label(nt, nt.layer(k))}")
        identity = activation_derivative(act)
        rules.append((name, a_k, identity.rhs if identity.method == "exact" else None))

    def specialise(expr: sp.Expr) -> sp.Expr | None:
        changed = expr
        for name, a_k, rhs in rules:

            def through(call, rhs=rhs, a_k=a_k):
                index = call.args[0].indices[0]
                return rhs.subs(A, a_k[index])

            def value(call, a_k=a_k):
                return a_k[call.args[0].indices[0]]

            if rhs is not None:
                changed = changed.replace(
                    lambda e, n=name: isinstance(e, AppliedUndef) and e.func.__name__ == n + "'", through
                )
            changed = changed.replace(lambda e, n=name: isinstance(e, AppliedUndef) and e.func.__name__ == n, value)
        return None if changed == expr else changed

    return specialise
