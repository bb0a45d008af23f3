"""Tests for the LaTeX and text printers (:mod:`symbackprop.printing.latex`, :mod:`symbackprop.printing.text`):
exact strings on tiny inputs, each symbol printed from the fields it carries."""

from __future__ import annotations

import sympy as sp

from symbackprop.notation import symbols
from symbackprop.notation.catalogue import BLOG, NIELSEN, UFLDL
from symbackprop.printing.latex import latex
from symbackprop.printing.text import lhs_text, text


def test_printer_writes_components_as_the_texts_do():
    j, k = sp.symbols("j k", integer=True)
    assert latex(symbols.indexed(NIELSEN, "weight", 2)[j, k]) == "{W^{2}_{jk}}"
    assert latex(symbols.indexed(UFLDL, "error", 3)[j]) == r"{\delta^{(3)}_{j}}"
    assert latex(symbols.function(NIELSEN, 2, derivative=1)(sp.Symbol("z"))) == r"f^{2\prime}\left(z\right)"
    # a power of a layered component: (a^1_j)^2, not a^{1}_{j}{}^{2}
    assert latex(symbols.indexed(NIELSEN, "activation", 1)[j] ** 2) == r"\left({a^{1}_{j}}\right)^{2}"
    assert latex(symbols.indexed(NIELSEN, "input")[j] ** 2) == "{x_{j}}^{2}"


def test_components_and_widths_in_each_notation():
    assert latex(symbols.component(NIELSEN, "weight", 2, (0, 2))) == "{W^{2}_{1,3}}"
    assert latex(symbols.component(BLOG, "weight", 2, (0, 2))) == "{w^{2}_{1,3}}"
    assert latex(symbols.vector_component(NIELSEN, "input", 0)) == "x_{1}"
    assert latex(symbols.width(NIELSEN, 2)) == "n_{2}"
    assert latex(symbols.width(UFLDL, 2)) == "s_{2}"  # UFLDL's n_l is the number of layers
    assert latex(symbols.function(BLOG, 1)(sp.Symbol("z"))) == r"a^{1}\left(z\right)"  # the blog's a(·)


def test_text_printer_writes_the_notations_ascii():
    j, r = sp.symbols("j r", integer=True)
    W, delta = symbols.indexed(NIELSEN, "weight", 2), symbols.indexed(NIELSEN, "error", 2)
    fprime = symbols.function(NIELSEN, 1, derivative=1)
    z = symbols.indexed(NIELSEN, "weighted_input", 1)
    assert text(fprime(z[j]) * W[r, j] * delta[r]) == "f^1'(z^1[j])*W^2[r, j]*delta^2[r]"
    assert text(symbols.component(UFLDL, "weighted_input", 3, (1,), example=2)) == "z^(3)_2[x3]"
    assert text(symbols.width(UFLDL, 2)) == "s_2"


def test_left_hand_sides_as_a_line_of_text():
    j, k = sp.symbols("j k", integer=True)
    cost = symbols.example_cost(NIELSEN)
    assert lhs_text(symbols.indexed(NIELSEN, "error", 2)[j]) == "delta^2_j"
    assert lhs_text(sp.Derivative(cost, symbols.indexed(NIELSEN, "weight", 2)[j, k], evaluate=False)) == "dC/dW^2_jk"
    assert lhs_text(sp.Derivative(cost, symbols.indexed(NIELSEN, "input")[k], evaluate=False)) == "dC/dx_k"
