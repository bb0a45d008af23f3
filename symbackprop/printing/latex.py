"""Printing the derivation as LaTeX, in the reader's notation.

:class:`NetworkLatexPrinter` subclasses SymPy's ``LatexPrinter``: indexed
components print as the texts write them (W^{2}_{jk}, \\delta^{(3)}_{i}),
names come from :mod:`symbackprop.notation.naming`, f' prints with a prime, and the
stable forms of the code generator print as σ and softplus.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from symbackprop.notation.naming import latex_name


class NetworkLatexPrinter(LatexPrinter):
    """LaTeX for the network's symbols, as the source texts write them."""

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        indices = [self._print(i) for i in expr.indices]
        separator = "" if all(len(i) == 1 for i in indices) else ","
        # braced, so that a power of it reads {a^{1}_{i}}^{2}
        return f"{{{latex_name(str(expr.base.label))}_{{{separator.join(indices)}}}}}"

    def _print_Pow(self, expr: sp.Pow) -> str:
        base, exponent = expr.as_base_exp()
        name = str(base.base.label) if isinstance(base, sp.Indexed) else getattr(base, "name", "")
        layered = isinstance(base, (sp.Indexed, sp.Symbol)) and "^" in name
        if layered and exponent.is_Integer and exponent > 1:  # (a^{1}_{i})^{2}, never a^{1}_{i}{}^{2}
            return rf"\left({self._print(base)}\right)^{{{self._print(exponent)}}}"
        return super()._print_Pow(expr)

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

    def _print_KroneckerDelta(self, expr, exp=None) -> str:
        # Iverson's bracket: \delta is the error in every notation here, so the Kronecker delta is written [r = j]
        i, j = (self._print(a) for a in expr.args)
        text = f"[{i} = {j}]"
        return f"{text}^{{{exp}}}" if exp else text

    def _print_Derivative(self, expr) -> str:
        if len(expr.variables) == 1 and isinstance(expr.expr, (sp.Symbol, sp.Indexed)):
            return rf"\frac{{\partial {self._print(expr.expr)}}}{{\partial {self._print(expr.variables[0])}}}"
        if len(expr.variables) == 1:
            body = self.parenthesize(expr.expr, PRECEDENCE["Mul"], strict=True)
            return rf"\frac{{\partial}}{{\partial {self._print(expr.variables[0])}}} {body}"
        return super()._print_Derivative(expr)

    def _print_HadamardProduct(self, expr) -> str:
        parts = [
            self._print(a) if isinstance(a, sp.MatrixSymbol) else rf"\left({self._print(a)}\right)" for a in expr.args
        ]
        return r" \odot ".join(parts)

    def _print_MatrixSymbol(self, expr) -> str:
        name = expr.name
        if name == "grad_a C":
            return r"\nabla_{a} C_x"
        head, paren, argument = name.partition("'(")
        if paren:  # f^2'(z^2): the vector of f'(z_j)
            head += "'"
            function = self._print_Function(sp.Function(head)(sp.Symbol(argument[:-1])))
            return function
        return latex_name(name)

    def _print_Logistic(self, expr, exp=None) -> str:
        text = rf"\sigma\left({self._print(expr.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text

    def _print_Softplus(self, expr, exp=None) -> str:
        text = rf"\operatorname{{softplus}}\left({self._print(expr.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text


def latex(expr: sp.Basic, **settings) -> str:
    """``expr`` in the network's LaTeX (``settings`` as SymPy's ``LatexPrinter`` takes them)."""
    return NetworkLatexPrinter(settings).doprint(expr)


def derived_lhs(text: str) -> str:
    """A derived formula's left side, ``delta^(3)_i`` or ``dC/dW^2_jk``, as LaTeX."""
    if text.startswith("dC/d"):
        head, _, index = text[4:].rpartition("_")
        return f"\\frac{{\\partial C_x}}{{\\partial {latex_name(head)}_{{{index}}}}}"
    head, _, index = text.rpartition("_")
    return f"{latex_name(head)}_{{{index}}}"


def formulas_latex(formulas) -> str:
    """Derived formulas (:func:`symbackprop.derivation.formulas.derived_formulas`) as one display, for Jupyter."""
    lines = []
    for f in formulas:
        line = f"\\text{{{f.equation.replace('_', ' ')}:}} \\quad & {derived_lhs(f.lhs)} = {latex(f.general)}"
        if f.specialised is not None:
            line += f" = {latex(f.specialised)}"
        lines.append(line)
    return "$$\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}$$"


def report_latex(report) -> str:
    """A verification report (:class:`symbackprop.verification.verify.Report`) as a table, for Jupyter."""

    def text(value) -> str:
        return "\\text{" + str(value).replace("_", " ") + "}"

    verdict = report.verdict
    rows = [
        " & ".join(text(v) for v in ("equation", "layer", "form", "method", "result")) + " \\\\ \\hline",
    ]
    for c in report.checks:
        result = "holds" if c.holds else ("fails (not applicable)" if not c.applicable else "FAILS")
        rows.append(" & ".join(text(v) for v in (c.equation, c.layer, c.form, c.method, result)) + " \\\\")
    identities = [
        f"{text(i.subject + ':')} \\; {latex(i.rhs)}" for i in report.identities if i.rhs is not None and i.holds
    ]
    table = "\\begin{array}{lllll}" + "\n".join(rows) + "\\end{array}"
    head = f"\\text{{{report.spec.name.replace('_', ' ')} ({report.notation} notation): {verdict}}}"
    body = f"$${head}$$\n$${table}$$"
    if identities:
        body += "\n$$\\begin{aligned}" + " \\\\ ".join(f"& {i}" for i in identities) + "\\end{aligned}$$"
    return body
