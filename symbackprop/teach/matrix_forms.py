"""Matrix forms: the closed-form recipes run on matrix symbols of symbolic shape, so they print as matrix
algebra with every shape listed."""

from __future__ import annotations

import sympy as sp

from symbackprop.notation import symbols
from symbackprop.printing.latex import latex
from symbackprop.teach.steps import Context

# -- matrix forms -------------------------------------------------------------------------------


class Matrix:
    """A matrix expression that the closed-form recipes can multiply, transpose and ⊙."""

    def __init__(self, e):
        self.e = e

    @property
    def T(self):  # noqa: N802 - the recipes' spelling
        return Matrix(self.e.T)

    @property
    def shape(self):
        return self.e.shape

    def __mul__(self, other):
        return Matrix(sp.MatMul(self.e, other.e if isinstance(other, Matrix) else other))

    def __rmul__(self, other):
        return Matrix(sp.MatMul(other, self.e))

    def multiply_elementwise(self, other):
        return Matrix(sp.HadamardProduct(self.e, other.e))


class MatrixView:
    """The closed forms' view with matrix symbols of symbolic shape: the recipes print as matrix algebra."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.notation = ctx.nt
        self.L = ctx.nt.layer(ctx.L)
        self.used: dict[str, sp.MatrixSymbol] = {}

    def _n(self, l: int):
        return self.ctx.net.widths[self.notation.internal_layer(l)]

    def _symbol(self, name: symbols.NetworkSymbol, rows, cols=1) -> Matrix:
        symbol = sp.MatrixSymbol(name, rows, cols)
        self.used[name.name] = symbol
        if cols == 1 and self.notation.vectors == "rows":
            return _RowVector(symbol, self)
        return Matrix(symbol)

    def W(self, l: int) -> Matrix:
        k = self.notation.internal_weight_layer(l)
        rows, cols = self.notation.weight_shape(self.ctx.net.widths[k - 1], self.ctx.net.widths[k])
        return self._symbol(symbols.quantity(self.notation, "weight", self.ctx.net.number(l)), rows, cols)

    def delta(self, l: int) -> Matrix:
        return self._symbol(symbols.quantity(self.notation, "error", self.ctx.net.number(l)), self._n(l))

    def a(self, l: int) -> Matrix:
        if self.notation.internal_layer(l) == 0 and self.ctx.net.general is None:
            return self._symbol(symbols.quantity(self.notation, "input"), self._n(l))
        return self._symbol(symbols.quantity(self.notation, "activation", self.ctx.net.number(l)), self._n(l))

    def fprime(self, l: int) -> Matrix:
        return self._symbol(symbols.quantity(self.notation, "fprime", self.ctx.net.number(l)), self._n(l))

    def grad_a(self) -> Matrix:
        return self._symbol(symbols.quantity(self.notation, "cost_gradient"), self._n(self.L))

    def shapes(self, expr: Matrix) -> str:
        """``W^{2} \\in \\mathbb{R}^{n_2 \\times n_1}, …``: the shape of every matrix and of the result."""
        parts = [member(latex(symbol), symbol.shape) for symbol in self.used.values()]
        products = [e for e in sp.preorder_traversal(expr.e) if isinstance(e, sp.MatMul)]
        parts += [member(latex(e), e.shape) for e in products if e != expr.e]
        parts.append(member(r"\text{the result}", expr.e.shape))
        return ", ".join(parts)


class _RowVector(Matrix):
    """A vector of a row-vector notation: the recipes hold columns and turn them into rows (``row(v)`` is
    ``v.T``); the row they make is the text's own vector, printed as it writes it (δ^l, not (δ^l)^T)."""

    def __init__(self, column, view: MatrixView):
        super().__init__(column)
        self.view = view

    @property
    def T(self):  # noqa: N802 - the recipes' spelling
        name = self.e.args[0]
        row = sp.MatrixSymbol(name, 1, self.e.shape[0])
        self.view.used[name.name] = row
        return Matrix(row)


def member(name: str, shape) -> str:
    rows, cols = shape
    dims = latex(rows) if cols == 1 else f"{latex(rows)} \\times {latex(cols)}"
    return f"{name} \\in \\mathbb{{R}}^{{{dims}}}"
