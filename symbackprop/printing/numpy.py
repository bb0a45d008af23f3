"""Printing SymPy expressions as NumPy code for the generated module.

Two printers, both subclasses of SymPy's ``NumPyPrinter``:

* :class:`NetworkNumPyPrinter` prints an expression as one NumPy expression
  (used where allocation does not matter: the cost, docstrings);
* :class:`InPlacePrinter` prints an elementwise expression as a sequence of
  ufunc calls writing into preallocated buffers with ``out=``, so the
  training loop allocates nothing. It dispatches on the expression's class
  (``_emit_Add``, ``_emit_Mul``, …) as SymPy's printers do.

Before printing, :func:`stabilize` rewrites the forms that overflow or take
log(0) into stable ones, by rules kept as data: 1/(1 + e^{-x}) becomes
``Logistic(x)`` (printed as 0.5·tanh(x/2) + 0.5, which cannot overflow),
log(1 + e^{x}) becomes ``Softplus(x)`` (``np.logaddexp(0, x)``), and the log
of a logistic becomes a softplus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy as sp
from sympy.printing.numpy import NumPyPrinter


class Logistic(sp.Function):
    """σ(x) = 1/(1 + e^{-x}), printed in a form that cannot overflow."""

    nargs = 1

    def fdiff(self, argindex=1):
        return Logistic(self.args[0]) * (1 - Logistic(self.args[0]))

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))


class Softplus(sp.Function):
    """log(1 + e^{x}), printed as ``np.logaddexp(0, x)``."""

    nargs = 1

    def fdiff(self, argindex=1):
        return Logistic(self.args[0])

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.log(1 + sp.exp(x))


_w = sp.Wild("w")


def _is_logistic_denominator(base: sp.Expr) -> sp.Expr | None:
    """x when base is 1 + e^{-x}, else None."""
    match = base.match(1 + sp.exp(_w))
    return None if match is None else -match[_w]


def stabilize(expr: sp.Expr) -> sp.Expr:
    """Rewrite overflow-prone forms into :class:`Logistic` and :class:`Softplus`."""

    def logistic(e: sp.Pow) -> sp.Expr:
        if e.exp == -1:
            x = _is_logistic_denominator(e.base)
            if x is not None:
                return Logistic(x)
        if e.exp.is_Integer and e.exp < -1:
            x = _is_logistic_denominator(e.base)
            if x is not None:
                return Logistic(x) ** (-e.exp)
        return e

    def softplus(e: sp.log) -> sp.Expr:
        (arg,) = e.args
        if isinstance(arg, Logistic):  # log σ(x) = -softplus(-x)
            return -Softplus(-arg.args[0])
        match = arg.match(1 + sp.exp(_w))
        if match is not None:
            return Softplus(match[_w])
        one_minus = arg.match(1 - Logistic(_w))  # log(1 - σ(x)) = -softplus(x)
        if one_minus is not None:
            return -Softplus(one_minus[_w])
        return e

    def complement(e: sp.Mul) -> sp.Expr:
        # e^{-x} σ(x) = σ(-x): the left side overflows for very negative x, the right cannot
        factors = list(e.args)
        for i, f in enumerate(factors):
            if not isinstance(f, sp.exp):
                continue
            for j, g in enumerate(factors):
                base, power = g.as_base_exp()
                if isinstance(base, Logistic) and power.is_Integer and power > 0 and f.args[0] == -base.args[0]:
                    rest = [h for n, h in enumerate(factors) if n not in (i, j)]
                    return sp.Mul(*rest, Logistic(-base.args[0]), base ** (power - 1))
        return e

    def cancel_exponentials(e: sp.Mul) -> sp.Expr:
        # (e^{u} - 1) e^{-u} = 1 - e^{-u}: multiply out, so no e^{u} overflows before it cancels
        factors = list(e.args)
        for i, f in enumerate(factors):
            if not isinstance(f, sp.exp):
                continue
            for j, g in enumerate(factors):
                if isinstance(g, sp.Add) and g.has(sp.exp(-f.args[0])):
                    rest = [h for n, h in enumerate(factors) if n not in (i, j)]
                    return sp.Mul(*rest, sp.expand(f * g))
        return e

    def maximum(e: sp.Piecewise) -> sp.Expr:
        # Piecewise((x, x > c), (g, True)) with g = c, or g = k x (0 < k < 1) and c = 0: a maximum
        if len(e.args) != 2 or e.args[1][1] is not sp.true:
            return e
        (value, condition), (otherwise, _) = e.args
        if not isinstance(condition, (sp.StrictGreaterThan, sp.GreaterThan)) or condition.lhs != value:
            return e
        if otherwise == condition.rhs and otherwise.is_Number:
            return sp.Max(value, otherwise)
        slope = sp.simplify(otherwise / value)
        if condition.rhs == 0 and slope.is_Number and 0 < slope < 1:
            return sp.Max(value, otherwise)
        return e

    expr = expr.replace(lambda e: isinstance(e, sp.Pow), logistic)
    expr = expr.replace(lambda e: isinstance(e, sp.log), softplus)
    expr = expr.replace(lambda e: isinstance(e, sp.Mul), complement)
    expr = expr.replace(lambda e: isinstance(e, sp.Mul), cancel_exponentials)
    expr = expr.replace(lambda e: isinstance(e, sp.Piecewise), maximum)
    return expr


class NetworkNumPyPrinter(NumPyPrinter):
    """A NumPy printer that knows the stable forms; module name ``np``."""

    def __init__(self, settings=None):
        super().__init__({"fully_qualified_modules": False, **(settings or {})})
        self._module = "np"

    def _print_Logistic(self, expr):
        x = self._print(expr.args[0])
        return f"(0.5 * np.tanh(0.5 * ({x})) + 0.5)"

    def _print_Softplus(self, expr):
        return f"np.logaddexp(0, {self._print(expr.args[0])})"

    def _print_Piecewise(self, expr):
        # nested np.where, first condition first (SymPy's np.select(..., default=nan) reads worse)
        *branches, (last, condition) = expr.args
        printed = self._print(last)
        if condition is not sp.true:
            printed = f"np.where({self._print(condition)}, {printed}, np.nan)"
        for value, condition in reversed(branches):
            printed = f"np.where({self._print(condition)}, {self._print(value)}, {printed})"
        return printed

    def _print_Max(self, expr):
        return self._print_extremum("np.maximum", expr.args)

    def _print_Min(self, expr):
        return self._print_extremum("np.minimum", expr.args)

    def _print_extremum(self, ufunc: str, args) -> str:
        # nested two-argument ufunc calls (SymPy's NumPyPrinter writes functools.reduce, which the module lacks)
        printed = self._print(args[0])
        for arg in args[1:]:
            printed = f"{ufunc}({printed}, {self._print(arg)})"
        return printed

    def _module_format(self, fqn, register=True):
        # always spell numpy as np, as the generated module imports it
        return fqn.replace("numpy.", "np.")


def _conditions_in_place(replacements: list, expr: sp.Expr) -> tuple[list, sp.Expr]:
    """``sp.cse``'s replacements and expression with the comparisons it pulled out put back where they were used:
    a Piecewise condition is printed as a mask at its branch, not as a number in a buffer."""
    conditions: dict[sp.Symbol, sp.Basic] = {}
    kept = []
    for symbol, subexpression in replacements:
        subexpression = subexpression.xreplace(conditions)
        if isinstance(subexpression, sp.logic.boolalg.Boolean):
            conditions[symbol] = subexpression
        else:
            kept.append((symbol, subexpression))
    return kept, expr.xreplace(conditions)


def _root(name: str) -> str:
    """The variable a buffer name is an item of: ``scratch`` for ``scratch[1]`` (the printer's own names)."""
    return name.split("[", 1)[0]


class EmissionError(ValueError):
    """An expression the in-place printer cannot turn into ufunc calls."""


@dataclass
class Emission:
    """The statements that compute one expression into one buffer, the scratch buffers and masks they use,
    and every buffer name they read or write (``used``: the names of ``names``, the out buffer, and the
    scratch and mask lists)."""

    lines: list[str] = field(default_factory=list)
    scratch_used: int = 0
    masks_used: int = 0
    used: frozenset[str] = frozenset()


class InPlacePrinter(NetworkNumPyPrinter):
    """Prints ``out = expr`` as NumPy ufunc calls with ``out=``, allocating nothing.

    ``names`` maps the expression's symbols to buffer (or scalar) names;
    scratch buffers are called ``scratch[0]``, ``scratch[1]``, … and boolean
    masks ``masks[0]``, …; the caller allocates as many as :class:`Emission`
    reports.

    With a ``constants`` dict, every number the code needs is printed as a
    module constant named after its value (``K_0_5`` for 0.5) and recorded in
    it (name → literal), as SymPy's printers collect the imports their code
    needs: the module defines each once, as a 0-d array of its dtype.
    """

    def __init__(
        self,
        names: dict[sp.Symbol, str],
        scratch: str = "scratch",
        masks: str = "masks",
        reserved: int = 0,
        constants: dict[str, str] | None = None,
    ):
        super().__init__()
        self.names = names
        self.scratch = scratch
        self.masks = masks
        self.reserved = reserved  # scratch buffers 0 .. reserved-1 belong to the caller
        self.constants = constants

    # -- public ---------------------------------------------------------------------------------
    def emit(self, expr: sp.Expr, out: str) -> Emission:
        """Statements that leave ``expr`` (elementwise over the buffers) in ``out``."""
        self._start(self.reserved, out)
        expr = stabilize(expr)
        replacements, (expr,) = sp.cse(expr, symbols=sp.numbered_symbols("_common"), optimizations=None)
        replacements, expr = _conditions_in_place(replacements, expr)
        saved = dict(self.names)
        for symbol, subexpression in replacements:  # common subexpressions, computed once
            buffer = self._take()
            self._emit(subexpression, buffer) if not self._is_leaf(subexpression) else self._line(
                f"np.copyto({buffer}, {self._operand(subexpression)})"
            )
            self.names[symbol] = buffer
        try:
            self._emit_top(expr, out)
        finally:
            self.names = saved
        return self._emission()

    def _start(self, reserved: int, *used: str) -> None:
        """Begin a new emission that will write ``used`` buffers (the out buffer and, for a softmax, z)."""
        self._lines: list[str] = []
        self._free: list[int] = []
        self._count = reserved
        self._free_masks: list[int] = []
        self._mask_count = 0
        self._used: set[str] = {_root(name) for name in used}

    def _emission(self) -> Emission:
        return Emission(self._lines, self._count, self._mask_count, frozenset(self._used))

    def _emit_top(self, expr: sp.Expr, out: str) -> None:
        if self._is_leaf(expr):
            self._line(f"np.copyto({out}, {self._operand(expr)})")
        else:
            self._emit(expr, out)

    def emit_row_softmax(self, z: str, out: str, row: str) -> Emission:
        """exp(z_j)/sum_k exp(z_k) along each row, shifted by the row's largest z so exp cannot overflow.

        ``row`` is an (m, 1) buffer. Its values are spread over the columns by a broadcast copy into a scratch
        buffer (a broadcast subtract or divide would make NumPy allocate an iteration buffer; a copy does not),
        and the reductions call the ufuncs' ``reduce`` directly (``np.max`` and ``np.sum`` add a Python layer
        costing about 1 µs a call).
        """
        self._start(0, z, out)
        scratch = self._take()
        self._line(f"np.maximum.reduce({z}, axis=1, keepdims=True, out={row})")
        self._line(f"np.copyto({scratch}, {row})")
        self._call("subtract", [z, scratch], out)
        self._call("exp", [out], out)
        self._line(f"np.add.reduce({out}, axis=1, keepdims=True, out={row})")
        self._line(f"np.copyto({scratch}, {row})")
        self._call("divide", [out, scratch], out)
        return self._emission()

    def emit_softmax_binary_delta(self, z: str, a: str, y: str, out: str, row: str) -> Emission:
        """δ^L of a softmax output a = softmax(z) under a cost whose a_k ∂C/∂a_k is (a_k − y_k)/(1 − a_k), binary
        cross-entropy, with no division by a 1 − a_k that rounds to 0.

        J^T ∇_a C gives δ_j = (a_j − y_j) − a_j Σ_{k≠j} r_k with r_k = (a_k − y_k)/(1 − a_k). At most one a_k of
        a row exceeds 1/2; every other 1 − a_k is at least 1/2. For that one k, a_j r_k = q_j (a_k − y_k) where
        q_j = a_j/(1 − a_k) is the softmax of z with z_k left out, computed from z (shifted by the largest
        remaining z) and never from 1 − a_k. So δ = (a − y) − a (R − r̃) − q t, with r̃ = r where a ≤ 1/2
        and 0 at the large entry, R = Σ_k r̃_k, and t = a_k − y_k of the large entry (0 in a row without one).
        ``row`` is an (m, 1) buffer; broadcast copies spread it over the columns, as in
        :meth:`emit_row_softmax`.
        """
        self._start(0, z, a, out)
        large, rest = self._take_mask(), self._take_mask()
        error, ratio, spread = self._take(), self._take(), self._take()
        half, zero, one = self._number(0.5), self._number(0.0), self._number(1.0)
        self._line("# the row's one a_k > 1/2, if any, and r_k = (a_k - y_k)/(1 - a_k) elsewhere (1 - a_k >= 1/2)")
        self._call("greater", [a, half], large)
        self._call("less_equal", [a, half], rest)
        self._call("subtract", [a, y], error)
        self._call("subtract", [one, a], ratio)
        self._line(f"np.divide({error}, {ratio}, out={ratio}, where={rest})")
        self._line(f"np.copyto({ratio}, {zero}, where={large})")
        self._line("# (a_j - y_j) - a_j sum_{k != j} r_k over the a_k <= 1/2")
        self._line(f"np.add.reduce({ratio}, axis=1, keepdims=True, out={row})")
        self._line(f"np.copyto({spread}, {row})")
        self._call("subtract", [spread, ratio], spread)
        self._call("multiply", [a, spread], spread)
        self._call("subtract", [error, spread], out)
        self._line("# minus q_j (a_k - y_k) for the large a_k, with q_j = a_j/(1 - a_k) the softmax of z without z_k")
        self._line(f"np.copyto({ratio}, {zero})")
        self._line(f"np.copyto({ratio}, {error}, where={large})")
        self._line(f"np.add.reduce({ratio}, axis=1, keepdims=True, out={row})")
        self._line(f"np.copyto({ratio}, {row})")
        self._line(f"np.copyto({spread}, {z})")
        self._line(f"np.copyto({spread}, {self._number(-math.inf)}, where={large})")
        self._line(f"np.maximum.reduce({spread}, axis=1, keepdims=True, out={row})")
        self._line(f"np.copyto({error}, {row})")
        self._call("subtract", [spread, error], spread)
        self._call("exp", [spread], spread)
        self._line(f"np.add.reduce({spread}, axis=1, keepdims=True, out={row})")
        self._line(f"np.copyto({error}, {row})")
        self._call("divide", [spread, error], spread)
        self._call("multiply", [spread, ratio], spread)
        self._call("subtract", [out, spread], out)
        return self._emission()

    # -- buffers --------------------------------------------------------------------------------
    def _line(self, text: str) -> None:
        self._lines.append(text)

    def _scratch_name(self, index: int) -> str:
        return f"{self.scratch}[{index}]"

    def _take(self) -> str:
        self._used.add(self.scratch)
        if self._free:
            return self._scratch_name(self._free.pop())
        self._count += 1
        return self._scratch_name(self._count - 1)

    def _give(self, name: str) -> None:
        """Give a scratch buffer back (other names are not the printer's to give)."""
        owned = {self._scratch_name(i): i for i in range(self._count)}
        if name in owned:
            self._free.append(owned[name])

    def _take_mask(self) -> str:
        self._used.add(self.masks)
        if self._free_masks:
            return f"{self.masks}[{self._free_masks.pop()}]"
        self._mask_count += 1
        return f"{self.masks}[{self._mask_count - 1}]"

    def _give_mask(self, mask: str) -> None:
        self._free_masks.append(next(i for i in range(self._mask_count) if f"{self.masks}[{i}]" == mask))

    # -- operands -------------------------------------------------------------------------------
    def _is_leaf(self, expr: sp.Expr) -> bool:
        return expr.is_Number or expr in self.names or expr.is_NumberSymbol

    def _operand(self, expr: sp.Expr) -> str:
        if expr in self.names:
            self._used.add(_root(self.names[expr]))
            return self.names[expr]
        if expr.is_Number or expr.is_NumberSymbol:
            return self._number(float(expr))
        raise EmissionError(f"not a leaf: {expr}")

    def _number(self, value: float) -> str:
        """A number operand: its literal, or (with ``constants``) the module constant holding it."""
        literal = repr(float(value))
        if math.isinf(value):
            literal = literal.replace("inf", "np.inf")
        if self.constants is None:
            return literal
        name = "K_" + literal.replace("np.", "").replace("-", "minus_").replace(".", "_").replace("+", "")
        self.constants[name] = literal
        return name

    def _value(self, expr: sp.Expr) -> tuple[str, bool]:
        """(a name holding expr, whether it is a scratch buffer to give back)."""
        if self._is_leaf(expr):
            return self._operand(expr), False
        buffer = self._take()
        self._emit(expr, buffer)
        return buffer, True

    def _call(self, ufunc: str, args: list[str], out: str) -> None:
        self._line(f"np.{ufunc}({', '.join(args)}, out={out})")

    # -- dispatch -------------------------------------------------------------------------------
    def _emit(self, expr: sp.Expr, out: str) -> None:
        for cls in type(expr).__mro__:
            method = getattr(self, f"_emit_{cls.__name__}", None)
            if method is not None:
                method(expr, out)
                return
        raise EmissionError(f"cannot print {type(expr).__name__} ({expr}) as in-place NumPy code")

    def _emit_unary(self, ufunc: str, arg: sp.Expr, out: str) -> None:
        name, owned = self._value(arg)
        self._call(ufunc, [name], out)
        if owned:
            self._give(name)

    def _emit_Add(self, expr: sp.Add, out: str) -> None:
        constant, terms = expr.as_coeff_add()
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        negative = [-t for t in terms if t.could_extract_minus_sign()]
        if not positive:  # c - (x + y + …)
            inner = sp.Add(*negative)
            acc = self._value_into(inner, out)
            if constant != 0:
                self._call("subtract", [self._operand(constant), acc], out)
            else:
                self._call("negative", [acc], out)
            return
        acc = self._value_into(positive[0], out)
        for term in positive[1:]:
            name, owned_term = self._value(term)
            self._call("add", [acc, name], out)
            acc = out
            if owned_term:
                self._give(name)
        for term in negative:
            name, owned_term = self._value(term)
            self._call("subtract", [acc, name], out)
            acc = out
            if owned_term:
                self._give(name)
        if constant != 0:
            self._call("add", [acc, self._operand(constant)], out)
            acc = out
        if acc != out:
            self._line(f"np.copyto({out}, {acc})")

    def _value_into(self, expr: sp.Expr, out: str) -> str:
        """Compute a non-leaf expr straight into out (it is the first operand); a leaf is used as is."""
        if self._is_leaf(expr):
            return self._operand(expr)
        self._emit(expr, out)
        return out

    def _emit_Mul(self, expr: sp.Mul, out: str) -> None:
        coefficient, factors = expr.as_coeff_mul()
        numerator = [f for f in factors if not (f.is_Pow and f.exp.is_Number and f.exp < 0)]
        denominator = [f.base ** (-f.exp) for f in factors if f.is_Pow and f.exp.is_Number and f.exp < 0]
        if not numerator:
            numerator = [sp.Integer(1)] if coefficient == 1 else []
        acc = None
        for factor in numerator:
            if acc is None:
                acc = self._value_into(factor, out)
                continue
            name, owned = self._value(factor)
            self._call("multiply", [acc, name], out)
            acc = out
            if owned:
                self._give(name)
        for factor in denominator:
            name, owned = self._value(factor)
            self._call("divide", [acc if acc is not None else self._number(1.0), name], out)
            acc = out
            if owned:
                self._give(name)
        if coefficient == -1 and acc is not None:
            self._call("negative", [acc], out)
            acc = out
        elif coefficient != 1:
            if acc is None:
                self._line(f"np.copyto({out}, {self._operand(coefficient)})")
            else:
                self._call("multiply", [acc, self._operand(coefficient)], out)
            acc = out
        if acc != out:
            self._line(f"np.copyto({out}, {acc})")

    def _emit_Pow(self, expr: sp.Pow, out: str) -> None:
        base, exponent = expr.args
        if exponent == 2:
            return self._emit_unary("square", base, out)
        if exponent == sp.Rational(1, 2):
            return self._emit_unary("sqrt", base, out)
        if exponent == -1:
            name, owned = self._value(base)
            self._call("divide", [self._number(1.0), name], out)
            if owned:
                self._give(name)
            return
        if exponent == sp.Rational(-1, 2):
            name, owned = self._value(base)
            self._call("sqrt", [name], out)
            self._call("divide", [self._number(1.0), out], out)
            if owned:
                self._give(name)
            return
        base_name, base_owned = self._value(base)
        exp_name, exp_owned = self._value(exponent)
        self._call("power", [base_name, exp_name], out)
        for name, owned in ((base_name, base_owned), (exp_name, exp_owned)):
            if owned:
                self._give(name)

    def _emit_exp(self, expr, out):
        self._emit_unary("exp", expr.args[0], out)

    def _emit_log(self, expr, out):
        self._emit_unary("log", expr.args[0], out)

    def _emit_tanh(self, expr, out):
        self._emit_unary("tanh", expr.args[0], out)

    def _emit_sin(self, expr, out):
        self._emit_unary("sin", expr.args[0], out)

    def _emit_cos(self, expr, out):
        self._emit_unary("cos", expr.args[0], out)

    def _emit_Abs(self, expr, out):
        self._emit_unary("absolute", expr.args[0], out)

    def _emit_sign(self, expr, out):
        self._emit_unary("sign", expr.args[0], out)

    def _emit_Heaviside(self, expr, out):
        # H(x) = 1 for x > 0 and 0 for x < 0 (the derivative of max and min); H(0) as SymPy's second argument says
        x, at_zero = expr.args[0], expr.args[1] if len(expr.args) > 1 else sp.Rational(1, 2)
        name, owned = self._value(x)
        self._call("greater", [name, self._number(0.0)], out)
        if at_zero != 0:
            mask = self._take_mask()
            self._call("equal", [name, self._number(0.0)], mask)
            self._line(f"np.copyto({out}, {self._operand(at_zero)}, where={mask})")
            self._give_mask(mask)
        if owned:
            self._give(name)

    def _emit_Softplus(self, expr, out):
        name, owned = self._value(expr.args[0])
        self._call("logaddexp", [self._number(0.0), name], out)
        if owned:
            self._give(name)

    def _emit_Logistic(self, expr, out):
        # σ(x) = 0.5·tanh(x/2) + 0.5: the same value as 1/(1 + e^{-x}), with no overflow for any x
        name, owned = self._value(expr.args[0])
        self._call("multiply", [name, self._number(0.5)], out)
        if owned:
            self._give(name)
        self._call("tanh", [out], out)
        self._call("multiply", [out, self._number(0.5)], out)
        self._call("add", [out, self._number(0.5)], out)

    def _emit_MinMaxBase(self, expr, out):
        ufunc = "maximum" if isinstance(expr, sp.Max) else "minimum"
        args = list(expr.args)
        acc = self._value_into(args[0], out)
        for arg in args[1:]:
            name, owned = self._value(arg)
            self._call(ufunc, [acc, name], out)
            acc = out
            if owned:
                self._give(name)

    def _emit_condition(self, condition: sp.Basic, mask: str) -> None:
        """A Piecewise condition into a boolean mask: comparisons (<, <=, >, >=, ==, !=), and the And, Or, Not
        and ITE (if-then-else) SymPy builds of them when it composes piecewise functions."""
        if isinstance(condition, sp.core.relational.Relational) and condition.rel_op in self._COMPARISONS:
            left, left_owned = self._value(condition.lhs)
            right, right_owned = self._value(condition.rhs)
            self._call(self._COMPARISONS[condition.rel_op], [left, right], mask)
            for name, owned in ((left, left_owned), (right, right_owned)):
                if owned:
                    self._give(name)
        elif isinstance(condition, sp.Not):
            self._emit_condition(condition.args[0], mask)
            self._call("logical_not", [mask], mask)
        elif isinstance(condition, (sp.And, sp.Or)):
            ufunc = "logical_and" if isinstance(condition, sp.And) else "logical_or"
            first, *rest = condition.args
            self._emit_condition(first, mask)
            other = self._take_mask()
            for part in rest:
                self._emit_condition(part, other)
                self._call(ufunc, [mask, other], mask)
            self._give_mask(other)
        elif isinstance(condition, sp.ITE):  # (c and then) or (not c and otherwise)
            test, then, otherwise = condition.args
            chosen, other = self._take_mask(), self._take_mask()
            self._emit_condition(then, mask)
            self._emit_condition(otherwise, other)
            self._emit_condition(test, chosen)
            self._line(f"np.copyto({other}, {mask}, where={chosen})")
            self._line(f"np.copyto({mask}, {other})")
            self._give_mask(other)
            self._give_mask(chosen)
        else:
            raise EmissionError(
                f"condition {condition} is not a comparison (<, <=, >, >=, ==, !=) or an and, or, not of comparisons"
            )

    _COMPARISONS = {
        "<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal", "==": "equal", "!=": "not_equal"
    }  # fmt: skip

    def _emit_Piecewise(self, expr: sp.Piecewise, out: str) -> None:
        *branches, (last, last_condition) = expr.args
        if last_condition is not sp.true:
            raise EmissionError(f"a Piecewise needs an otherwise branch: {expr}")
        indicator = len(branches) == 1 and branches[0][0] == 1 and last == 0
        if indicator and isinstance(branches[0][1], sp.core.relational.Relational):  # the comparison itself
            self._emit_condition(branches[0][1], out)
            return
        if self._is_leaf(last):
            self._line(f"np.copyto({out}, {self._operand(last)})")
        else:
            self._emit(last, out)
        for value, condition in reversed(branches):
            mask = self._take_mask()
            self._emit_condition(condition, mask)
            name, owned = self._value(value)
            self._line(f"np.copyto({out}, {name}, where={mask})")
            if owned:
                self._give(name)
            self._give_mask(mask)
