"""Constant sub-expressions: exact values, checked through a float shadow before SymPy compares them."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import sympy

from symbackprop.spec.formula.limits import (
    _COMPARISONS,
    _UNDEFINED,
    MAX_CONSTANT_BITS,
    MAX_CONSTANT_DEPTH,
    MAX_CONSTANT_MAGNITUDE,
)

# ---------------------------------------------------------------------------
# Constants: exact values, checked through a float shadow before SymPy compares them


class _ConstantProblem(Exception):
    """A constant sub-expression that is undefined, not real, or too large."""


def _rational_bits(value: sympy.Rational) -> int:
    return int(value.p).bit_length() + int(value.q).bit_length()


def _rational_from_literal(text: str) -> sympy.Rational:
    """The exact value of a validated numeric literal (never through float)."""
    fraction = Fraction(text)
    return sympy.Rational(fraction.numerator, fraction.denominator)


def _float_power(base: float, exponent: float) -> float:
    try:
        result = base**exponent
    except ZeroDivisionError as exc:
        raise _ConstantProblem("is undefined (0 to a negative power)") from exc
    if isinstance(result, complex):
        raise _ConstantProblem("is not a real number (a negative number to a fractional power)")
    return result


def _float_truth(condition: sympy.Basic, value: Callable[[sympy.Basic], float]) -> bool:
    if condition is sympy.true:
        return True
    if condition is sympy.false:
        return False
    if isinstance(condition, sympy.core.relational.Relational) and condition.rel_op in _COMPARISONS:
        left, right = value(condition.lhs), value(condition.rhs)
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[condition.rel_op]
    raise _ConstantProblem("has a condition that cannot be checked")


# Nodes that do not count towards the nesting depth of a constant.
_NESTING_FREE = (
    sympy.Atom,
    sympy.Add,
    sympy.Mul,
    sympy.core.relational.Relational,
    sympy.functions.elementary.piecewise.ExprCondPair,
)

_FLOAT_FUNCTIONS: dict[type, Callable[[float], float]] = {
    sympy.exp: math.exp,
    sympy.log: math.log,
    sympy.sin: math.sin,
    sympy.cos: math.cos,
    sympy.tanh: math.tanh,
    sympy.Abs: abs,
}


class _ConstantChecker:
    """Float approximations of constant SymPy expressions, computed without SymPy's evalf.

    Every constant the parser builds passes through :meth:`value`, which rejects
    undefined (``zoo``, ``nan``), non-real and huge values. Results are memoized,
    so checking every node of a formula costs time linear in its size.
    """

    def __init__(self) -> None:
        self._values: dict[sympy.Basic, float] = {}
        self._depths: dict[sympy.Basic, int] = {}

    def value(self, expr: sympy.Basic) -> float:
        cached = self._values.get(expr)
        if cached is not None:
            return cached
        try:
            result = self._compute(expr)
        except OverflowError as exc:
            raise _ConstantProblem(f"is too large (above {MAX_CONSTANT_MAGNITUDE:g})") from exc
        except (ValueError, ZeroDivisionError) as exc:
            raise _ConstantProblem("is undefined or not a real number") from exc
        if not math.isfinite(result) or abs(result) > MAX_CONSTANT_MAGNITUDE:
            raise _ConstantProblem(f"is too large (above {MAX_CONSTANT_MAGNITUDE:g})")
        if self.function_depth(expr) > MAX_CONSTANT_DEPTH:
            raise _ConstantProblem(
                f"nests more than {MAX_CONSTANT_DEPTH} functions inside a constant "
                "(SymPy's cost of comparing such constants grows exponentially with their nesting)"
            )
        self._values[expr] = result
        return result

    def function_depth(self, expr: sympy.Basic) -> int:
        """How many function applications (and fractional powers) are nested in ``expr``."""
        cached = self._depths.get(expr)
        if cached is not None:
            return cached
        inner = max((self.function_depth(arg) for arg in expr.args), default=0)
        free = isinstance(expr, _NESTING_FREE) or (isinstance(expr, sympy.Pow) and expr.exp.is_Integer)
        result = inner if free else inner + 1
        self._depths[expr] = result
        return result

    def _compute(self, expr: sympy.Basic) -> float:
        if expr in _UNDEFINED:
            raise _ConstantProblem("is undefined (a division by zero or the log of 0)")
        if expr is sympy.I:
            raise _ConstantProblem("is not a real number")
        if isinstance(expr, sympy.Rational):
            if _rational_bits(expr) > MAX_CONSTANT_BITS:
                raise _ConstantProblem(f"needs more than {MAX_CONSTANT_BITS} bits to write exactly")
            return int(expr.p) / int(expr.q)
        if expr is sympy.E:
            return math.e
        if expr is sympy.pi:
            return math.pi
        if isinstance(expr, sympy.Add):
            return math.fsum(self.value(arg) for arg in expr.args)
        if isinstance(expr, sympy.Mul):
            return math.prod(self.value(arg) for arg in expr.args)
        if isinstance(expr, sympy.Pow):
            return _float_power(self.value(expr.base), self.value(expr.exp))
        if expr.func in _FLOAT_FUNCTIONS:
            return _FLOAT_FUNCTIONS[expr.func](self.value(expr.args[0]))
        if isinstance(expr, sympy.Max):
            return max(self.value(arg) for arg in expr.args)
        if isinstance(expr, sympy.Min):
            return min(self.value(arg) for arg in expr.args)
        if isinstance(expr, sympy.Piecewise):
            for branch, condition in expr.args:
                if _float_truth(condition, self.value):
                    return self.value(branch)
            raise _ConstantProblem("is undefined (no branch of where(...) applies)")
        raise _ConstantProblem("cannot be checked")


# Constructors that can turn real operands into a non-real or undefined expression (roots and logs of
# negative numbers): their results are checked for I, zoo and nan.
_MAY_LEAVE_THE_REALS = (sympy.Pow, sympy.sqrt, sympy.log)


class _Shape:
    """Memoized depth and node count of SymPy trees (shared sub-trees counted each time they occur)."""

    def __init__(self) -> None:
        self._depths: dict[sympy.Basic, int] = {}
        self._sizes: dict[sympy.Basic, int] = {}

    def depth(self, expr: sympy.Basic) -> int:
        """0 for an atom, else one more than the deepest argument."""
        cached = self._depths.get(expr)
        if cached is None:
            cached = 1 + max(map(self.depth, expr.args)) if expr.args else 0
            self._depths[expr] = cached
        return cached

    def size(self, expr: sympy.Basic) -> int:
        cached = self._sizes.get(expr)
        if cached is None:
            cached = 1 + sum(map(self.size, expr.args))
            self._sizes[expr] = cached
        return cached
