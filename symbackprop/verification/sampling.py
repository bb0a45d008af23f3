"""Points where two expressions differ: the counterexamples of ``verify`` and of ``check``.

One module samples for both. :func:`sample` draws a value for a symbol by
what it stands for (targets in (0, 1), the decay λ, the learning rate η and
the training-set size n positive, everything else a nonzero number in
[-2, 2]); :func:`find_difference` evaluates two expressions at sampled
points until they differ; :func:`with_activations` replaces each abstract
activation function f^l by the layer's own activation or, where a form must
hold for every elementwise f, by a generic stand-in (:func:`stand_in`), so a
form that holds only for this network's activations is told apart.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import sympy as sp

from symbackprop.network.cost import ETA, LAMBDA, TRAINING_SET_SIZE
from symbackprop.notation.symbols import NetworkSymbol
from symbackprop.spec.functions import Z

#: How many points are tried before two expressions are taken to agree.
POINTS = 4
#: The relative difference above which two values differ, for values known to a few digits only (find_difference
#: evaluates exact expressions to many digits and so uses a far smaller one).
TOLERANCE = 1e-9


def stand_in(c: int) -> sp.Expr:
    """A generic elementwise function of z for an abstract f (no activation's identity holds for it)."""
    return sp.sin(Z) + Z**2 * sp.Rational(c, 7)


def _quantity(symbol: sp.Basic) -> str | None:
    """What a sampled symbol (a NetworkSymbol, or an Indexed component of one) stands for."""
    if isinstance(symbol, sp.Indexed):
        symbol = symbol.base.label
    return symbol.quantity if isinstance(symbol, NetworkSymbol) else None


def sample(symbol: sp.Basic, rng: random.Random) -> sp.Rational:
    """A value for ``symbol``: a target in (0, 1), a positive λ or η, a positive integer n, else nonzero in [-2, 2]."""
    if _quantity(symbol) == "target":
        return sp.Rational(rng.randint(1, 9), 10)
    if symbol in (LAMBDA, ETA):
        return sp.Rational(rng.randint(1, 30), 10)
    if symbol == TRAINING_SET_SIZE:
        return sp.Integer(rng.randint(2, 20))
    value = 0
    while value == 0:
        value = rng.randint(-20, 20)
    return sp.Rational(value, 10)


def number(value: complex) -> float:
    """A real value as a float (NaN for one with an imaginary part)."""
    return float(value.real) if abs(value.imag) < 1e-12 else float("nan")


@dataclass(frozen=True)
class Difference:
    """A point where two expressions differ: the values of every symbol, and both sides there."""

    values: dict  # symbol (or Indexed component) -> sampled value
    left: complex
    right: complex

    def named_values(self) -> dict[str, float]:
        """The point as {name: value}, sorted by name, for reports and JSON."""
        return {str(s): float(v) for s, v in self.values.items()}


def find_difference(
    left: sp.Expr,
    right: sp.Expr,
    rng: random.Random,
    *,
    atoms: Callable[[sp.Expr], Iterable[sp.Basic]] | None = None,
    points: int = POINTS,
    digits: int = 30,
    constraints: Mapping | None = None,
) -> Difference | None:
    """A point where ``left`` and ``right`` differ (both free of abstract functions), or None after ``points`` tries.

    ``atoms`` gives what is sampled (default: the free symbols), in the order of their names. ``constraints``
    (``{y_n: 1 - (y_1 + ... + y_{n-1})}``, a network's ``target_constraints``) eliminates each of its keys, and
    the targets of each are drawn on the simplex: every y_k in (0, 1), summing to 1; the point reports them all.
    """
    present = left.free_symbols | right.free_symbols
    constraints = {
        last: rest for last, rest in (constraints or {}).items() if present & ({last} | rest.free_symbols)
    }  # only those of the examples in the expressions
    if constraints:
        left, right = left.subs(constraints), right.subs(constraints)
    atoms = atoms or (lambda e: e.free_symbols)
    variables = sorted(set(atoms(left)) | set(atoms(right)) | set(atoms(left - right)), key=str)
    tolerance = sp.Float(10) ** -(digits - 6)  # both sides are evaluated to `digits` digits: a far closer match
    for _ in range(points):
        values = {s: sample(s, rng) for s in variables}
        if constraints:
            values = dict(sorted({**values, **on_simplex(constraints, rng)}.items(), key=lambda item: str(item[0])))
        lv, rv = sp.N(left.subs(values), digits), sp.N(right.subs(values), digits)
        left_finite, right_finite = _finite(lv), _finite(rv)
        if not left_finite and not right_finite:
            continue  # both undefined or overflowing here (a function left its domain): another point
        if left_finite != right_finite:  # one side infinite or undefined (1/0, 0/0, log 0), the other a number
            return Difference(values, _complex(lv), _complex(rv))
        if sp.Abs(lv - rv) > tolerance * sp.Max(1, sp.Abs(lv), sp.Abs(rv)):
            return Difference(values, _complex(lv), _complex(rv))
    return None


def on_simplex(constraints: Mapping, rng: random.Random) -> dict:
    """Values for the targets of each constraint ``y_n: 1 - (y_1 + ... + y_{n-1})``: all in (0, 1), summing to 1."""
    values = {}
    for last, rest in constraints.items():
        others = sorted(rest.free_symbols, key=str)
        weights = [rng.randint(1, 9) for _ in range(len(others) + 1)]
        total = sum(weights)
        values.update({s: sp.Rational(w, total) for s, w in zip(others, weights)})
        values[last] = sp.Rational(weights[-1], total)
    return values


def _finite(value: sp.Expr) -> bool:
    """Whether an evaluated side is a finite number (not zoo, oo, nan, or something that did not evaluate)."""
    return bool(value.is_number) and value.is_finite is True and not value.has(sp.zoo, sp.nan, sp.oo, -sp.oo)


def _complex(value: sp.Expr) -> complex:
    """A side's value as a complex number: an undefined one as NaN, one too big for a float as inf."""
    if not _finite(value):
        return complex(float("nan"), 0.0)
    try:
        return complex(value)
    except (OverflowError, TypeError):
        return complex(float("inf") if sp.re(value) > 0 else float("-inf"), 0.0)


def with_activations(expr: sp.Expr, functions: dict) -> sp.Expr:
    """``expr`` with each abstract activation function replaced by its body (a Lambda in z), then evaluated."""
    for f, body in functions.items():
        expr = expr.subs(f, body)
    return expr.doit()
