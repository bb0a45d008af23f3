"""Time limits for SymPy work that may not finish (``solve``, ``simplify``) and for time budgets; and
:data:`TIMINGS`, the one file of an output folder that records how long things took.

SymPy has no time-out of its own. In the main thread of a POSIX process we
use an interval timer; elsewhere the work simply runs to completion (callers
that must stop anyway also poll :func:`check_deadline` between steps).

Limits nest: an inner limit never outlives an outer one, and when the inner
block ends the outer limit is re-armed with the time it has left. If the
outer limit expires inside an inner block that swallows the exception, the
re-armed outer timer fires again right after the inner block ends, so a
budget is never lost.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

#: The shortest interval the timer is armed for, in seconds.
MIN_INTERVAL = 1e-3
#: How soon an expired limit fires again if its exception was swallowed (by a GC callback, a finaliser
#: or an inner ``except``), in seconds.
REFIRE_INTERVAL = 0.1

# Deadlines (time.monotonic()) of the limits active in the main thread, outermost first.
_deadlines: list[float] = []


class OutOfTime(Exception):
    """A time limit ran out."""


def _usable(seconds: float | None) -> bool:
    return (
        seconds is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )


def _arm() -> None:
    """Arm the timer for the nearest active deadline."""
    remaining = min(_deadlines) - time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, max(remaining, MIN_INTERVAL))


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`OutOfTime` inside the block once ``seconds`` have passed (``None``: no limit)."""
    if not _usable(seconds):
        yield
        return

    def expire(signum, frame):
        # re-arm first: if the exception is raised inside a callback that swallows it (a GC callback,
        # a finaliser), the timer fires again shortly instead of the limit being lost
        signal.setitimer(signal.ITIMER_REAL, REFIRE_INTERVAL)
        raise OutOfTime(f"gave up after {seconds:g} s")

    deadline = time.monotonic() + max(seconds, MIN_INTERVAL)
    previous = signal.signal(signal.SIGALRM, expire)
    _deadlines.append(deadline)
    _arm()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _deadlines.remove(deadline)
        signal.signal(signal.SIGALRM, previous)
        if _deadlines:
            _arm()


def check_deadline(deadline: float | None, what: str = "the time budget") -> None:
    """Raise :class:`OutOfTime` if ``deadline`` (a ``time.monotonic()`` value) has passed."""
    if deadline is not None and time.monotonic() >= deadline:
        raise OutOfTime(f"{what} ran out")


#: How long one SymPy ``simplify`` or ``factor`` may run where a caller can fall back (seconds).
SIMPLIFY_SECONDS = 3.0


def within(seconds: float, work: Callable[[], T], fallback: T) -> T:
    """``work()`` if it finishes within ``seconds``, else ``fallback`` (for SymPy calls such as ``simplify``
    and ``factor``, which are exponential in bad cases; which case is bad can even depend on the hash seed)."""
    try:
        with time_limit(seconds):
            return work()
    except OutOfTime:
        return fallback


def simplifies_to_zero(expr, seconds: float = SIMPLIFY_SECONDS) -> bool:
    """Whether ``expr`` is 0, proved within ``seconds``: first as a rational function of exponentials
    (:func:`rational_zero`, decisive where it applies), else ``sympy.simplify(expr) == 0``; False when SymPy gives
    up (then nothing is proved)."""
    import sympy as sp

    decided = within(seconds, lambda: rational_zero(expr), None)
    if decided is not None:
        return decided
    return within(seconds, lambda: sp.simplify(expr) == 0, False)


def rational_zero(expr) -> bool | None:
    """Whether ``expr`` is 0, where it is a rational function of symbols and of exponentials exp(c·s) of single
    symbols with integer c (the sigmoid, tanh, softmax of a network's z): each e^{-s} becomes a positive symbol
    u_s, and the fraction's numerator expands to 0 or not. A nonzero rational function is nonzero on the open set
    u > 0, so the answer is decisive both ways; None where ``expr`` has any other function (log, an abstract f)."""
    import sympy as sp

    rewritten = expr.rewrite(sp.exp)
    standins: dict = {}
    mapping = {}
    for power in rewritten.atoms(sp.exp):
        c, symbol = power.args[0].as_coeff_Mul()
        if not (symbol.is_Symbol and c.is_Integer):
            return None
        u = standins.setdefault(symbol, sp.Dummy("u", positive=True))
        mapping[power] = u ** (-c)
    rational = rewritten.xreplace(mapping)
    if rational.atoms(sp.Function) or any(not s.is_Symbol for s in rational.free_symbols):
        return None
    numerator, _ = sp.fraction(sp.together(rational))
    return sp.expand(numerator) == 0


# -- the one file of timings -----------------------------------------------------------------------

#: The one file of an output folder that holds timings: every other file is the same for the same spec and options.
TIMINGS = "timings.json"


def timings_json(*, stages: dict[str, float] | None = None, report=None, training: float | None = None) -> str:
    """The text of :data:`TIMINGS`: seconds per stage of a build, per verification check, and for training."""
    import json

    record: dict = {
        "note": "seconds measured on this machine in this run: the only file of this folder that differs from "
        "run to run of the same spec and options",
    }
    if stages:
        record["stages"] = {name: round(seconds, 3) for name, seconds in stages.items()}
    if report is not None:
        record["verification"] = {
            "total": round(report.seconds, 3),
            "checks": [
                {
                    "equation": c.equation,
                    "layer": c.layer,
                    "example": c.example,
                    "form": c.form,
                    "method": c.method,
                    "seconds": round(c.seconds, 4),
                }
                for c in report.checks
            ],
        }
    if training is not None:
        record["training"] = round(training, 3)
    return json.dumps(record, indent=2) + "\n"
