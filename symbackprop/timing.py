"""Time limits for SymPy work that may not finish (``solve``, ``simplify``).

SymPy has no time-out of its own. In the main thread of a POSIX process we
use an interval timer; elsewhere the work simply runs to completion.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class OutOfTime(Exception):
    """A time limit ran out."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`OutOfTime` inside the block once ``seconds`` have passed."""
    usable = (
        seconds is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(signum, frame):
        # re-arm first: if the exception is raised inside a callback that swallows it (a GC callback,
        # a finaliser), the timer fires again shortly instead of the limit being lost
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        raise OutOfTime(f"gave up after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
