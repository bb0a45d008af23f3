"""Where the functions of a spec are defined: each activation's range and each cost's domain, derived by SymPy.

An activation's range is the set of values its formula takes on the real line (SymPy's ``function_range``,
piece by piece for a ``Piecewise`` or a ``Max``/``Min`` with a number); softmax's is the probability vectors.
A cost's domain is the set of outputs a at which its per-output formula is defined and finite for every
target y (SymPy's ``continuous_domain`` in a; for a ``where`` whose pieces depend on y, every piece's).
Nothing here is a hand-written table: the built-ins go through the same derivation as custom formulas.

:func:`check` compares them for a spec: a cost undefined on part of its output's range (binary cross-entropy
on a tanh output, whose range (-1, 1) leaves (0, 1)) is refused before any symbolic work; where SymPy cannot
decide (a custom formula it cannot solve), the spec is accepted and :func:`check` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp
from sympy.calculus.util import continuous_domain, function_range

from symbackprop.spec.functions import ACTIVATIONS, A, Activation, Cost, Z
from symbackprop.timing import OutOfTime, time_limit

#: How long SymPy may take to find one range or domain, in seconds.
SECONDS = 5.0


@dataclass(frozen=True)
class Range:
    """The values an activation takes: a set of reals (None: SymPy could not decide), and whether a layer's
    values form a probability vector (every a_j in (0, 1) and Σ_j a_j = 1, as softmax's do)."""

    values: sp.Set | None
    simplex: bool = False

    def text(self) -> str:
        """``(0, 1)``, ``[0, oo)``, ``probability vectors`` or ``unknown``."""
        if self.simplex:
            return "probability vectors (every a_j in (0, 1), sum_j a_j = 1)"
        return set_text(self.values) if self.values is not None else "unknown"


@dataclass(frozen=True)
class Verdict:
    """What :func:`check` found: ``fits`` is True, False or None (undecided), with the two sets and a note."""

    fits: bool | None
    output: Range
    domain: sp.Set | None
    note: str = ""


def set_text(values: sp.Set) -> str:
    """A set as a reader writes it: ``(0, 1)``, ``[0, oo)``, ``all reals``, ``(-oo, 0) or (0, oo)``."""
    if values == sp.S.Reals:
        return "all reals"
    if isinstance(values, sp.Interval):
        left = "(" if values.left_open else "["
        right = ")" if values.right_open else "]"
        return f"{left}{sp.sstr(values.start)}, {sp.sstr(values.end)}{right}"
    if isinstance(values, sp.Union):
        return " or ".join(set_text(part) for part in values.args)
    if isinstance(values, sp.FiniteSet):
        return "{" + ", ".join(sp.sstr(v) for v in values) + "}"
    return sp.sstr(values)


def _pieces(expr: sp.Expr) -> sp.Expr:
    """``Max``/``Min`` and ``Heaviside`` rewritten as a ``Piecewise`` (SymPy's range finder cannot use them)."""
    if expr.has(sp.Max, sp.Min, sp.Heaviside):
        return sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    return expr


def _range_of(expr: sp.Expr, where: sp.Set) -> sp.Set:
    """The values of ``expr`` (in z) on ``where``, a Piecewise one piece at a time."""
    expr = _pieces(expr)
    if isinstance(expr, sp.Piecewise):
        values, rest = sp.S.EmptySet, where
        for piece, condition in expr.args:
            on = rest if condition == sp.true else rest.intersect(condition.as_set())
            if on != sp.S.EmptySet:
                values = values.union(_range_of(piece, on))
            rest = rest - on
        return values
    if not expr.has(Z):
        return sp.FiniteSet(expr)
    return function_range(expr, Z, where)


@lru_cache(maxsize=256)
def activation_range(activation: Activation) -> Range:
    """The values an activation takes (softmax: the probability vectors), derived by SymPy."""
    if not activation.elementwise:
        return Range(sp.Interval.open(0, 1), simplex=True)
    try:
        with time_limit(SECONDS):
            return Range(_range_of(activation.formula, sp.S.Reals))
    except (NotImplementedError, ValueError, TypeError, OutOfTime):
        return Range(None)


def _domain_of(expr: sp.Expr) -> sp.Set:
    """The outputs a at which ``expr`` (in a and y) is defined for every y: a where's every piece must be."""
    expr = _pieces(expr)
    if isinstance(expr, sp.Piecewise):
        if any(condition.has(A) for _, condition in expr.args):
            raise NotImplementedError("a where(...) whose condition depends on a")
        domain = sp.S.Reals
        for piece, _ in expr.args:
            domain = domain.intersect(_domain_of(piece))
        return domain
    if not expr.has(A):
        return sp.S.Reals
    return continuous_domain(expr, A, sp.S.Reals)


@lru_cache(maxsize=256)
def cost_domain(cost: Cost) -> sp.Set | None:
    """The outputs a at which the per-output cost is defined, for every target y (None: SymPy cannot say)."""
    try:
        with time_limit(SECONDS):
            return _domain_of(cost.per_output)
    except (NotImplementedError, ValueError, TypeError, OutOfTime):
        return None


def check(output: Activation, cost: Cost) -> Verdict:
    """Whether ``cost`` is defined on the whole range of ``output``: True, False, or None (undecided)."""
    domain = cost_domain(cost)
    if domain == sp.S.Reals:  # defined everywhere: no range needed
        return Verdict(True, Range(sp.S.Reals), domain)
    values = activation_range(output)
    if domain is None or values.values is None:
        which = f"cost {cost.name!r}" if domain is None else f"output {output.name!r}"
        what = "domain" if domain is None else "range"
        return Verdict(
            None,
            values,
            domain,
            f"SymPy cannot decide the {what} of {which}; samples are drawn where every value is defined",
        )
    fits = values.values.is_subset(domain)
    if fits is None:
        note = f"SymPy cannot decide whether {values.text()} lies in {set_text(domain)}"
        return Verdict(None, values, domain, note)
    return Verdict(bool(fits), values, domain)


def assumptions(output: Activation, cost: Cost) -> list[str]:
    """What a verification or a verdict assumes about the outputs and targets, one line each (none for a cost
    defined everywhere on real targets)."""
    lines = []
    verdict = check(output, cost)
    if verdict.note:
        lines.append(f"domain: {verdict.note}")
    elif verdict.domain != sp.S.Reals:
        lines.append(
            f"domain: cost {cost.name!r} is defined for outputs in {set_text(verdict.domain)}; "
            f"output {output.name!r} gives {verdict.output.text()}"
        )
    if cost.probability_targets:
        lines.append(f"targets: sum_k y_k = 1 (one-hot labels or probability vectors), as cost {cost.name!r} assumes")
    return lines


def refusal(output: Activation, cost: Cost, verdict: Verdict) -> str:
    """The one line (after ``cost:``) that refuses a cost undefined on part of its output's range, naming the
    built-in outputs that fit."""
    fitting = [
        name
        for name, activation in ACTIVATIONS.items()
        if not (cost.needs_softmax and activation.elementwise) and check(activation, cost).fits
    ]
    hint = f"; built-in outputs that fit: {', '.join(fitting)}" if fitting else ""
    return (
        f"{cost.name!r} needs outputs in {set_text(verdict.domain)}, but output {output.name!r} gives "
        f"{verdict.output.text()}{hint}"
    )
