"""Printing the derivation as LaTeX, in the reader's notation.

:class:`NetworkLatexPrinter` subclasses SymPy's ``LatexPrinter``: indexed
components print as the texts write them (W^{2}_{jk}, \\delta^{(3)}_{i}),
names come from :mod:`symbackprop.naming`, f' prints with a prime, and the
stable forms of the code generator print as σ and softplus.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

from symbackprop.naming import latex_name


class NetworkLatexPrinter(LatexPrinter):
    """LaTeX for the network's symbols, as the source texts write them."""

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        indices = [self._print(i) for i in expr.indices]
        separator = "" if all(len(i) == 1 for i in indices) else ","
        # braced, so that a power of it reads {a^{1}_{i}}^{2}
        return f"{{{latex_name(str(expr.base.label))}_{{{separator.join(indices)}}}}}"

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return latex_name(str(expr.label))

    def _print_Symbol(self, expr: sp.Symbol, style="plain") -> str:
        name = expr.name
        if "^" in name and "_" in name and "[" not in name:  # a component such as z^2_1 or W^(1)_{1,2}
            head, _, index = name.rpartition("_")
            return f"{{{latex_name(head)}_{{{index.strip('{}')}}}}}"
        return super()._print_Symbol(expr, style=style)

    def _print_Function(self, expr, exp=None) -> str:
        if isinstance(expr, AppliedUndef):  # f^2, f^(3), or their derivative f^2' as the formulas name them
            name = expr.func.__name__
            primes = r"\prime" * name.count("'")
            head, _, layer = name.replace("'", "").partition("^")
            if layer:
                name = f"{head}^{{{layer}{primes}}}"
            else:
                name = f"{head}^{{{primes}}}" if primes else head
            args = ", ".join(self._print(a) for a in expr.args)
            text = f"{name}\\left({args}\\right)"
            return f"{text}^{{{exp}}}" if exp else text
        return super()._print_Function(expr, exp=exp)

    def _print_Logistic(self, expr, exp=None) -> str:
        text = rf"\sigma\left({self._print(expr.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text

    def _print_Softplus(self, expr, exp=None) -> str:
        text = rf"\operatorname{{softplus}}\left({self._print(expr.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text


def latex(expr: sp.Basic) -> str:
    """``expr`` in the network's LaTeX."""
    return NetworkLatexPrinter().doprint(expr)
