"""Printing the derivation as LaTeX, in the reader's notation.

:class:`NetworkLatexPrinter` subclasses SymPy's ``LatexPrinter`` and, as
SymPy's printers do, dispatches on the expression's class: a
:class:`~symbackprop.notation.symbols.NetworkSymbol` (and an ``Indexed``
whose label is one) prints with its notation's letter and layer label
(W^{2}_{jk}, \\delta^{(3)}_{i}, s_{2} for a UFLDL width); a layer's activation
function f^l and its derivative f^l′ print from the fields the function
carries; the stable forms of the code generator print as σ and softplus.
Nothing here reads a symbol's name.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.spelling import unicode_to_latex_text
from symbackprop.notation.symbols import NetworkSymbol, is_function


def _head(symbol: NetworkSymbol) -> str:
    """The quantity's letter with its layer: ``W^{2}``, ``\\delta^{(3)}``, ``x``, ``s_{2}`` (a width)."""
    nt = notation_named(symbol.notation)
    if symbol.quantity == "width":
        return f"{nt.spell('width', 'latex')}_{{{symbol.layer}}}"
    if symbol.quantity == "cost_gradient":  # ∇_a C_x, the vector
        return rf"\nabla_{{{nt.spell('activation', 'latex')}}} {nt.spell('example_cost', 'latex')}"
    if symbol.quantity == "fprime":  # f^l′(z^l), the vector of the derivatives
        z = f"{nt.spell('weighted_input', 'latex')}^{{{nt.label(symbol.layer)}}}"
        return f"{nt.function_head(symbol.layer, 1, 'latex')}\\left({z}\\right)"
    letter = nt.spell("weight", "latex") if _bias_column(symbol) else symbol.spelling.latex
    return letter if symbol.layer is None else f"{letter}^{{{nt.label(symbol.layer)}}}"


def _bias_column(symbol) -> bool:
    """Whether ``symbol`` is a bias its notation writes as column 0 of the weights, Θ^{(l)}_{i0}."""
    return (
        isinstance(symbol, NetworkSymbol) and symbol.quantity == "bias" and notation_named(symbol.notation).bias_column
    )


def function_name(func) -> str:
    """f^{2}, f^{(3)}, or the derivative f^{2\\prime} of a layer's activation function."""
    return notation_named(func.notation).function_head(func.layer, func.derivative, "latex")


def _is_weight(factor) -> bool:
    """Whether a factor of a product is a weight (or a power of one): w^l_{jk}, W^{(2)}_{12}."""
    base = factor.base if isinstance(factor, sp.Pow) else factor
    label = base.base.label if isinstance(base, sp.Indexed) else base
    return isinstance(label, NetworkSymbol) and label.quantity == "weight"


class NetworkLatexPrinter(LatexPrinter):
    """LaTeX for the network's symbols, as the source texts write them."""

    def _print_NetworkSymbol(self, expr: NetworkSymbol, style="plain") -> str:
        head = _head(expr)
        if not expr.index:
            return f"{head}_{{\\cdot 0}}" if _bias_column(expr) else head
        index = ",".join([str(i + 1) for i in expr.index] + (["0"] if _bias_column(expr) else []))
        if expr.layer is None:  # x_1, y_2
            return f"{head}_{{{index}}}"
        return f"{{{head}_{{{index}}}}}"

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        column = _bias_column(expr.base.label)  # Θ^{(l)}_{i0}
        indices = [self._print(i) for i in expr.indices] + (["0"] if column else [])
        separator = "" if all(len(i) == 1 for i in indices) else ","
        base = _head(expr.base.label) if column else self._print(expr.base)
        # braced, so that a power of it reads {a^{1}_{i}}^{2}
        return f"{{{base}_{{{separator.join(indices)}}}}}"

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return self._print(expr.label)

    def _print_Mul(self, expr) -> str:
        """A product with its weights first and its logarithms last, as the texts write it: w^l_{jk} a^{l-1}_k,
        w^{l+1}_{kj} δ^{l+1}_k, y_j log a_j."""
        factors = expr.as_ordered_factors()
        numbers = [f for f in factors if f.is_Number]
        weights = [f for f in factors if _is_weight(f)]
        logs = [f for f in factors if isinstance(f, (sp.log, sp.exp))]
        ordered = numbers + weights + [f for f in factors if not (f.is_Number or _is_weight(f) or f in logs)] + logs
        if ordered == factors or any(f.is_Pow and f.exp.is_negative for f in factors):
            return super()._print_Mul(expr)  # (a fraction is split by SymPy, which orders its parts again)
        if numbers and numbers[0].is_negative:
            rest = sp.Mul(*([-numbers[0]] if numbers[0] != -1 else []), *ordered[1:], evaluate=False)
            return "- " + self._print_Mul(rest) if len(rest.args) > 1 else "- " + self._print(rest)
        saved = self._settings["order"]
        self._settings["order"] = "none"  # print the factors in the order given
        try:
            return super()._print_Mul(sp.Mul(*ordered, evaluate=False))
        finally:
            self._settings["order"] = saved

    def _print_Add(self, expr, order=None) -> str:
        """A sum that does not open with a minus where it need not: z_j - t_j, not -t_j + z_j (SymPy orders the
        terms by their letters)."""
        terms = self._as_ordered_terms(expr, order=order)
        if not terms[0].could_extract_minus_sign():
            return super()._print_Add(expr, order=order)
        first = next((n for n, t in enumerate(terms) if not t.could_extract_minus_sign()), None)
        if first is None:
            return super()._print_Add(expr, order=order)
        ordered = [terms[first], *terms[:first], *terms[first + 1 :]]
        saved = self._settings["order"]
        self._settings["order"] = "none"  # print the terms in the order given
        try:
            return super()._print_Add(sp.Add(*ordered, evaluate=False), order="none")
        finally:
            self._settings["order"] = saved

    def _print_Pow(self, expr: sp.Pow) -> str:
        base, exponent = expr.as_base_exp()
        label = base.base.label if isinstance(base, sp.Indexed) else base
        layered = isinstance(label, NetworkSymbol) and label.layer is not None and label.quantity != "width"
        if layered and exponent.is_Integer and exponent > 1:  # (a^{1}_{i})^{2}, never a^{1}_{i}{}^{2}
            return rf"\left({self._print(base)}\right)^{{{self._print(exponent)}}}"
        return super()._print_Pow(expr)

    def _print_Function(self, expr, exp=None) -> str:
        if isinstance(expr, AppliedUndef) and is_function(expr):
            args = ", ".join(self._print(a) for a in expr.args)
            text = f"{function_name(expr.func)}\\left({args}\\right)"
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

    def _print_BatchSum(self, expr) -> str:
        """Σ_{x ∈ B} over the examples of a mini-batch B (network.cost.BatchSum), as in the algorithm."""
        ((x, _, _),) = expr.limits
        body = expr.function
        inner = rf"\left({self._print(body)}\right)" if isinstance(body, sp.Add) else self._print(body)
        return rf"\sum_{{{self._print(x)} \in B}} {inner}"

    def _print_HadamardProduct(self, expr) -> str:
        """u ⊙ v, with the product symbol of the notation its matrices are written in (⊙ unless it says)."""
        names = [m.args[0] for m in expr.atoms(sp.MatrixSymbol) if isinstance(m.args[0], NetworkSymbol)]
        product = notation_named(names[0].notation).hadamard.latex if names else r"\odot"
        parts = [
            self._print(a) if isinstance(a, sp.MatrixSymbol) else rf"\left({self._print(a)}\right)" for a in expr.args
        ]
        return f" {product} ".join(parts)

    def _print_MatrixSymbol(self, expr) -> str:
        name = expr.args[0]
        if isinstance(name, NetworkSymbol):
            return self._print(name)
        return super()._print_MatrixSymbol(expr)

    def _print_Logistic(self, expr, exp=None) -> str:
        text = rf"\sigma\left({self._print(expr.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text

    def _print_Softplus(self, expr, exp=None) -> str:
        text = rf"\operatorname{{softplus}}\left({self._print(expr.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text


def latex(expr: sp.Basic, **settings) -> str:
    """``expr`` in the network's LaTeX (``settings`` as SymPy's ``LatexPrinter`` takes them)."""
    return NetworkLatexPrinter(settings).doprint(expr)


def formulas_latex(formulas) -> str:
    """Derived formulas (:func:`symbackprop.derivation.formulas.derived_formulas`) as one display, for Jupyter."""
    lines = []
    for f in formulas:
        line = f"\\text{{{f.equation.replace('_', ' ')}:}} \\quad & {latex(f.lhs)} = {latex(f.general)}"
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


#: Unicode signs in running text, as LaTeX (from the one spelling table).
_UNICODE = unicode_to_latex_text()


def text(words: str) -> str:
    """Plain text safe inside LaTeX (the few non-ASCII symbols the sources use are spelt in TeX); braces, $ and ~
    are left to the caller (the documents' own text uses them as TeX)."""
    words = words.replace("\\", r"\textbackslash{}")
    for char, replacement in (("_", r"\_\allowbreak{}"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"), ("^", r"\^{}")):
        words = words.replace(char, replacement)
    return "".join(_UNICODE.get(c, c if ord(c) < 128 else "?") for c in words)


def escaped_text(words: str) -> str:
    """Text from outside (a student's answer, a verdict's words) safe inside LaTeX, braces, $ and ~ included."""
    for char, mark in (("{", "\x00"), ("}", "\x01"), ("$", "\x02"), ("~", "\x03")):
        words = words.replace(char, mark)
    words = text(words)
    for char, mark in ((r"\{", "\x00"), (r"\}", "\x01"), (r"\$", "\x02"), (r"\textasciitilde{}", "\x03")):
        words = words.replace(mark, char)
    return words
