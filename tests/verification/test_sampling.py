"""Tests for :mod:`symbackprop.verification.sampling`: points drawn by what a symbol stands for, and the search
for a point where two expressions differ."""

from __future__ import annotations

import random

import sympy as sp

from symbackprop.network.cost import ETA, LAMBDA, TRAINING_SET_SIZE
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import NIELSEN
from symbackprop.spec.functions import Z
from symbackprop.verification import sampling


def test_values_fit_what_a_symbol_stands_for():
    rng = random.Random(0)
    y = symbols.vector_component(NIELSEN, "target", 0)
    w = symbols.component(NIELSEN, "weight", 1, (0, 0))
    for _ in range(50):
        assert 0 < sampling.sample(y, rng) < 1
        assert sampling.sample(LAMBDA, rng) > 0 and sampling.sample(ETA, rng) > 0
        n = sampling.sample(TRAINING_SET_SIZE, rng)
        assert n.is_Integer and n >= 2  # a training-set size is a positive integer
        value = sampling.sample(w, rng)
        assert value != 0 and -2 <= value <= 2


def test_a_difference_is_found_and_equal_expressions_agree():
    x, y = sp.symbols("x y")
    found = sampling.find_difference(x * y, x * y + x**2, random.Random(1))
    assert found is not None and found.left != found.right
    assert set(found.named_values()) == {"x", "y"}
    assert sampling.find_difference((x + y) ** 2, x**2 + 2 * x * y + y**2, random.Random(1)) is None


def test_a_stand_in_activation_is_no_common_one():
    f = sampling.stand_in(2)
    assert f.has(sp.sin) and sp.diff(f, Z) != f * (1 - f)  # so σ' = a(1 - a) cannot hold by accident


def test_an_infinite_or_undefined_side_differs_and_two_of_them_are_redrawn():
    import random

    import sympy as sp

    from symbackprop.verification.sampling import find_difference

    x = sp.Symbol("x")
    rng = random.Random(0)
    assert find_difference(1 / (x - x), x, rng) is not None  # zoo against a number
    assert find_difference(sp.Integer(10) ** 400 + x, x, rng) is not None  # too big for a float, still compared
    assert find_difference(x + sp.Rational(1, 10**12), x, rng, digits=30) is not None  # 1e-12 is not rounding
    assert find_difference(sp.log(x - x), sp.log(x - x) + 1, rng) is None  # undefined on both sides: no verdict
    assert find_difference(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1), rng) is None
