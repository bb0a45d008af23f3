"""symbackprop.timing.within: SymPy work that may not finish gives way to a fallback in time."""

from __future__ import annotations

import time

import sympy as sp

from symbackprop.timing import within


def test_within_returns_the_work_when_it_finishes() -> None:
    z = sp.Symbol("z")
    assert within(5.0, lambda: sp.simplify(sp.sin(z) ** 2 + sp.cos(z) ** 2), None) == 1


def test_within_returns_the_fallback_when_the_work_runs_out_of_time() -> None:
    def forever() -> str:
        while True:
            time.sleep(0.01)

    start = time.monotonic()
    assert within(0.2, forever, "fallback") == "fallback"
    assert time.monotonic() - start < 2.0
