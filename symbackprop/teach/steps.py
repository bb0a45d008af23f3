"""What a proof is made of: steps (an expression and why it follows), proofs, and the context every proof
reads (the all-widths network in the reader's letters, and what the verifier found)."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symbackprop.closed_forms import ClosedForms, forms_for
from symbackprop.derivation.identities import Identity
from symbackprop.network import indexed
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.printing.latex import function_name, latex
from symbackprop.spec.load import Spec
from symbackprop.timing import simplifies_to_zero
from symbackprop.verification import Report

_BOUND = {"i_sum": "u", "t_sum": "t", "j_sum": "r", "r_sum": "r"}


@dataclass(frozen=True)
class Step:
    """``= rhs``, which follows from the previous line because of ``reason`` (LaTeX text)."""

    rhs: sp.Expr
    reason: str


@dataclass(frozen=True)
class Proof:
    """One equation proved for one layer: ``lhs = steps[0].rhs = … = steps[-1].rhs``."""

    equation: str  # BP1 | BP2 | BP3 | BP4 | input_gradient | L2
    layer: str  # the notation's label of the layer
    title: str
    lhs: sp.Expr
    steps: tuple[Step, ...]
    checked: bool  # the last general line equals the verifier's derivation and the closed form
    conclusion: str  # LaTeX text after the steps
    matrix: tuple[str, ...] = ()  # the matrix form and the shapes of its matrices (LaTeX math), when there is one
    special: tuple[Step, ...] = ()  # the same equation specialised to the spec's activation and cost

    def _repr_latex_(self) -> str:
        """The proof as text and displays, so Jupyter renders it."""
        lhs = latex(display(self.lhs))

        def lines(steps: tuple[Step, ...]) -> list[str]:
            return [f"{s.reason}\n$$ {lhs if n == 0 else ''} = {latex(display(s.rhs))} $$" for n, s in enumerate(steps)]

        parts = [self.title, *lines(self.steps)]
        if self.conclusion:
            parts.append(self.conclusion + (f"\n$$ {self.matrix[0]} $$" if self.matrix else ""))
        if self.special:
            parts += ["For this network:", *lines(self.special)]
        return "\n\n".join(parts)


class Proofs(list):
    """The list :func:`proofs` returns; renders in Jupyter."""

    def _repr_latex_(self) -> str:
        return "\n\n".join(p._repr_latex_() for p in self)


def m(expr) -> str:
    """Inline math of an expression (or a layer label), in the network's LaTeX."""
    if isinstance(expr, str):
        return f"${expr}$"
    return f"${latex(display(expr))}$"


def display(expr):
    """Internal bound variables renamed for the reader, f'(z) written with a prime."""
    if not isinstance(expr, sp.Basic):
        return expr
    names = {s: sp.Symbol(_BOUND[s.name], integer=True) for s in expr.free_symbols if s.name in _BOUND}
    bound = set()
    for s in expr.atoms(sp.Sum):
        bound.update(v for v, *_ in s.limits)
    names.update({v: sp.Symbol(_BOUND[v.name], integer=True) for v in bound if v.name in _BOUND})
    return symbols.primed(expr.xreplace(names))


class Context:
    """The all-widths network with the reader's index letters, and what the verifier found."""

    def __init__(
        self,
        spec: Spec,
        notation: str,
        report: Report,
        forms: ClosedForms | None = None,
        general: tuple[int, str] | None = None,
    ):
        """``general``: the network is a general slice (:class:`~symbackprop.network.indexed.IndexedNetwork`)."""
        self.spec, self.report = spec, report
        self.nt = notation_named(notation)
        self.forms = forms or forms_for(notation)
        self.net = indexed.IndexedNetwork(spec, notation=notation, general=general)
        self.general = general is not None
        self.view = self.net.view()
        self.L = self.net.depth
        self.first, self.second = self.nt.indices
        self.cost = symbols.example_cost(self.nt)  # C_x, the cost of one example
        self.Cx = latex(self.cost)  # C_x as the text writes it in LaTeX (\mathcal{L}, E_n, J(W,b;x,y), ...)
        self.C = self.nt.spell("cost", "latex")  # the batch cost: C, J, E

    def letter(self, name: str, k: int) -> sp.Symbol:
        """An index named as the text names it, ranging over internal layer k."""
        symbol = sp.Symbol(name, integer=True)
        self.net.ranges[symbol] = (sp.Integer(1), self.net.widths[k])
        return symbol

    def label(self, k: int) -> str:
        return self.nt.label(self.net.number(self.nt.layer(k)))

    def named(self, k: int) -> str:
        """Internal layer k named in running text: 2, l, l+1 or L (no superscript's parentheses or brackets)."""
        return str(self.net.number(self.nt.layer(k)))

    def wlabel(self, k: int) -> str:
        return self.nt.label(self.net.number(self.nt.weight_layer(k)))

    def f(self, k: int) -> str:
        return f"${function_name(self.net.activation_function(k))}$"

    def same(self, a: sp.Expr, b: sp.Expr) -> bool:
        ranges = self.net.ranges
        difference = indexed.normalize(sp.sympify(a).doit(), ranges) - indexed.normalize(sp.sympify(b).doit(), ranges)
        return indexed.is_zero(difference) or simplifies_to_zero(difference)

    def identity(self, name: str, subject: str | None = None) -> Identity | None:
        for i in self.report.identities:
            if i.name == name and (subject is None or i.subject == subject):
                return i
        return None


def deltas_in(expr: sp.Expr) -> list[sp.KroneckerDelta]:
    return sorted(expr.atoms(sp.KroneckerDelta), key=str)


def vanishing(expr: sp.Expr) -> str:
    """Which brackets the derivative produced: the terms that vanish."""
    brackets = ", ".join(m(d) for d in deltas_in(expr))
    return brackets or "no bracket"
