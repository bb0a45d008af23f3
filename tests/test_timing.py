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


def test_rational_zero_decides_identities_of_exponentials_both_ways():
    import sympy as sp

    from symbackprop.timing import rational_zero, simplifies_to_zero

    z, w = sp.symbols("z w")
    sigma = 1 / (1 + sp.exp(-z))
    derivative = sp.diff(sigma, z)
    assert rational_zero(sigma * (1 - sigma) - derivative) is True  # σ' = σ(1 − σ)
    assert rational_zero(sp.tanh(z) ** 2 + sp.diff(sp.tanh(z), z) - 1) is True  # tanh' = 1 − tanh²
    softmax = sp.exp(z) / (sp.exp(z) + sp.exp(w))
    assert rational_zero(sp.diff(softmax, z) - softmax * (1 - softmax)) is True
    assert rational_zero(sigma * (1 - sigma) - sigma) is False  # nonzero: decided, not left to simplify
    assert rational_zero(sp.log(sigma) + sp.log(1 + sp.exp(-z))) is None  # a logarithm: not its kind
    assert rational_zero(sp.Function("f")(z) - sp.Function("f")(z) ** 2) is None
    assert simplifies_to_zero(sigma * (1 - sigma) - derivative)
    assert not simplifies_to_zero(sigma - derivative)
