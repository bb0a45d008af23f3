"""Tests for the LaTeX and text printers (:mod:`symbackprop.printing.latex`, :mod:`symbackprop.printing.text`):
exact strings on tiny inputs, each symbol printed from the fields it carries."""

from __future__ import annotations

import sympy as sp

from symbackprop.notation import symbols
from symbackprop.notation.catalogue import BLOG, NIELSEN, UFLDL, get
from symbackprop.notation.catalogue import NOTES_NOTATION as NOTES
from symbackprop.printing.latex import latex
from symbackprop.printing.text import lhs_text, text


def test_printer_writes_components_as_the_texts_do():
    j, k = sp.symbols("j k", integer=True)
    assert latex(symbols.indexed(NOTES, "weight", 2)[j, k]) == "{W^{2}_{jk}}"
    assert latex(symbols.indexed(UFLDL, "error", 3)[j]) == r"{\delta^{(3)}_{j}}"
    assert latex(symbols.function(NOTES, 2, derivative=1)(sp.Symbol("z"))) == r"f^{2\prime}\left(z\right)"
    # a power of a layered component: (a^1_j)^2, not a^{1}_{j}{}^{2}
    assert latex(symbols.indexed(NOTES, "activation", 1)[j] ** 2) == r"\left({a^{1}_{j}}\right)^{2}"
    assert latex(symbols.indexed(NOTES, "input")[j] ** 2) == "{x_{j}}^{2}"


def test_components_and_widths_in_each_notation():
    assert latex(symbols.component(NOTES, "weight", 2, (0, 2))) == "{W^{2}_{1,3}}"
    assert latex(symbols.component(BLOG, "weight", 2, (0, 2))) == "{w^{2}_{1,3}}"
    assert latex(symbols.vector_component(NOTES, "input", 0)) == "x_{1}"
    assert latex(symbols.width(NOTES, 2)) == "n_{2}"
    assert latex(symbols.width(UFLDL, 2)) == "s_{2}"  # UFLDL's n_l is the number of layers
    assert latex(symbols.function(BLOG, 1)(sp.Symbol("z"))) == r"a\left(z\right)"  # the blog's a(·)


def test_text_printer_writes_the_notations_ascii():
    j, r = sp.symbols("j r", integer=True)
    W, delta = symbols.indexed(NOTES, "weight", 2), symbols.indexed(NOTES, "error", 2)
    fprime = symbols.function(NOTES, 1, derivative=1)
    z = symbols.indexed(NOTES, "weighted_input", 1)
    assert text(fprime(z[j]) * W[r, j] * delta[r]) == "f^1'(z^1_j)*W^2_rj*delta^2_r"
    n = symbols.width(NOTES, 2)
    assert text(sp.Sum(W[r, j] * delta[r], (r, 1, n))) == "sum_{r=1}^{n_2} (W^2_rj*delta^2_r)"
    a = symbols.indexed(NOTES, "activation", 1)
    relu_prime = sp.Piecewise((1, a[j] > 0), (0, True))
    assert text(relu_prime) == "(1 if a^1_j > 0, else 0)"
    assert text(sp.Piecewise((1, a[j] > 0), (sp.Rational(1, 100), a[j] < 0), (0, True))) == (
        "(1 if a^1_j > 0, 1/100 if a^1_j < 0, else 0)"
    )
    assert text(sp.Float("1.23456789e230") * W[r, j]) == "1.23457e+230*W^2_rj"
    # beyond a float's range, and integers too long to read (a check residual of 10^{400}), in six digits
    assert text(sp.Float("1.23456789e400") * W[r, j]) == "1.23457e+400*W^2_rj"
    assert text(sp.Integer(10) ** 400 - W[r, j]) == "1e+400 - W^2_rj"
    assert text(sp.Integer(123456789012345)) == "123456789012345"
    assert text(W[r, sp.Integer(10) + j]) == "W^2_{r,j + 10}"
    assert text(symbols.component(UFLDL, "weighted_input", 3, (1,), example=2)) == "z^(3)_2[x3]"
    assert text(symbols.width(UFLDL, 2)) == "s_2"


def test_left_hand_sides_as_a_line_of_text():
    j, k = sp.symbols("j k", integer=True)
    cost = symbols.example_cost(NOTES)
    assert lhs_text(symbols.indexed(NOTES, "error", 2)[j]) == "delta^2_j"
    assert lhs_text(sp.Derivative(cost, symbols.indexed(NOTES, "weight", 2)[j, k], evaluate=False)) == "dC/dW^2_jk"
    assert lhs_text(sp.Derivative(cost, symbols.indexed(NOTES, "input")[k], evaluate=False)) == "dC/dx_k"


def test_each_text_writes_its_own_letters():
    j, k = sp.symbols("j k", integer=True)
    z = sp.Symbol("z")
    # Nielsen: w^l_{jk} and σ'(z^l), one σ for every layer
    assert latex(symbols.indexed(NIELSEN, "weight", 3)[j, k]) == "{w^{3}_{jk}}"
    assert latex(symbols.function(NIELSEN, 2, derivative=1)(z)) == r"\sigma^{\prime}\left(z\right)"
    assert text(symbols.function(NIELSEN, 2, derivative=1)(z)) == "sigma'(z)"
    # Bishop: a is the weighted input, z the activation, t the target
    bishop = get("bishop")
    assert latex(symbols.indexed(bishop, "weighted_input", 1)[j]) == "{a^{(1)}_{j}}"
    assert latex(symbols.indexed(bishop, "activation", 1)[j]) == "{z^{(1)}_{j}}"
    assert latex(symbols.vector_component(bishop, "target", 0)) == "t_{1}"
    # deeplearning.ai: bracketed layers and dZ; Goodfellow: h and the gradient g
    assert latex(symbols.indexed(get("deeplearning_ai"), "error", 2)[j]) == "{dZ^{[2]}_{j}}"
    assert text(symbols.component(get("goodfellow"), "activation", 1, (0,))) == "h^(1)_1"
    # Ng's ML course: the biases are column 0 of Θ
    coursera = get("coursera_ml")
    assert latex(symbols.component(coursera, "bias", 1, (1,))) == r"{\Theta^{(1)}_{2,0}}"
    assert latex(symbols.indexed(coursera, "bias", 1)[j]) == r"{\Theta^{(1)}_{j0}}"
    assert latex(symbols.indexed(coursera, "bias", 1)) == r"\Theta^{(1)}_{\cdot 0}"
    assert text(symbols.component(coursera, "bias", 2, (0,))) == "Theta^(2)_{1,0}"


def test_the_product_symbol_is_the_notations():
    from symbackprop.teach.matrix_forms import Matrix

    u = sp.MatrixSymbol(symbols.quantity(UFLDL, "error", 2), 3, 1)
    v = sp.MatrixSymbol(symbols.quantity(UFLDL, "fprime", 2), 3, 1)
    assert r"\bullet" in latex(Matrix(u).multiply_elementwise(Matrix(v)).e)
    u = sp.MatrixSymbol(symbols.quantity(NOTES, "error", 2), 3, 1)
    v = sp.MatrixSymbol(symbols.quantity(NOTES, "fprime", 2), 3, 1)
    assert r"\circ" in latex(Matrix(u).multiply_elementwise(Matrix(v)).e)


def test_sympy_pretty_printing_writes_the_layer_not_a_square():
    """sympy.pprint of f^2(z) wrote f²(z), which reads as f squared."""
    z = sp.Symbol("z")
    expr = symbols.function(NOTES, 2)(z) * symbols.function(NOTES, 2, derivative=1)(z)
    shown = sp.pretty(expr, use_unicode=True)
    assert "f^2(z)" in shown and "f^2′(z)" in shown and "f²" not in shown
    assert sp.pretty(symbols.function(NIELSEN, 3)(z), use_unicode=True) == "σ(z)"
