"""Tests for the notations (:mod:`symbackprop.notation`): numbering, weight layout, spellings and the
structured symbols every printer reads."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.notation import symbols
from symbackprop.notation.catalogue import BLOG, NIELSEN, NOTATIONS, UFLDL, get, registered
from symbackprop.notation.model import Citation, Notation, Spelling
from symbackprop.notation.spelling import SIGNS


def test_notation_table() -> None:
    assert set(NOTATIONS) >= {"nielsen", "blog", "ufldl"}
    assert (NIELSEN.weight_symbol, BLOG.weight_symbol, UFLDL.weight_symbol) == ("W", "w", "W")
    assert (NIELSEN.input_layer, BLOG.input_layer, UFLDL.input_layer) == (0, 0, 1)
    assert (NIELSEN.transposed, BLOG.transposed, UFLDL.transposed) == (False, True, False)
    assert UFLDL.parenthesised and not NIELSEN.parenthesised and not BLOG.parenthesised


def test_layer_numbering() -> None:
    assert [NIELSEN.layer(k) for k in range(3)] == [0, 1, 2]
    assert [UFLDL.layer(k) for k in range(3)] == [1, 2, 3]
    assert [UFLDL.internal_layer(l) for l in (1, 2, 3)] == [0, 1, 2]
    # the weights feeding internal layer k: W^k in nielsen, W^(k) in UFLDL (from layer k to layer k+1)
    assert [NIELSEN.weight_layer(k) for k in (1, 2)] == [1, 2]
    assert [UFLDL.weight_layer(k) for k in (1, 2)] == [1, 2]
    assert UFLDL.internal_weight_layer(UFLDL.weight_layer(2)) == 2


def test_layer_range_checks_name_the_missing_layer() -> None:
    assert NIELSEN.layer_problem(2, depth=2) is None
    assert NIELSEN.layer_problem(3, depth=2) == "there is no layer 3 in this nielsen network"
    assert UFLDL.layer_problem(1, depth=2, needs_z=True) == "layer 1 is the input layer: it has no z, f' or δ"
    assert UFLDL.weights_problem(3, depth=2) == "there are no weights or biases 3 in this ufldl network"
    assert UFLDL.weights_problem(2, depth=2) is None


def test_weight_shape_index_and_dims() -> None:
    assert NIELSEN.weight_shape(2, 3) == (3, 2)
    assert UFLDL.weight_shape(2, 3) == (3, 2)
    assert BLOG.weight_shape(2, 3) == (2, 3)
    assert NIELSEN.weight_index(to=1, frm=0) == (1, 0)  # W_{jk}: to j from k
    assert BLOG.weight_index(to=1, frm=0) == (0, 1)  # w_{ij}: from i to j
    assert BLOG.weight_ends(0, 1) == (1, 0) and NIELSEN.weight_ends(1, 0) == (1, 0)
    assert NIELSEN.weight_dims(2) == (2, 1) and BLOG.weight_dims(2) == (1, 2)


def test_forward_maps() -> None:
    W = sp.Matrix([[1, 2, 3], [4, 5, 6]])
    b2, b3 = sp.Matrix([1, 1]), sp.Matrix([1, 1, 1])
    assert NIELSEN.forward(W, sp.Matrix([1, 0, 0]), b2) == sp.Matrix([2, 5])
    assert BLOG.forward(W, sp.Matrix([1, 0]), b3) == sp.Matrix([2, 3, 4])  # w^T a
    assert NIELSEN.forward_text() == "z^l = W^l a^l-1 + b^l"
    assert UFLDL.forward_text() == "z^(l+1) = W^(l) a^(l) + b^(l)"


def test_spellings_and_labels() -> None:
    assert NIELSEN.label(2) == "2" and UFLDL.label(2) == "(2)"
    assert UFLDL.spell("width") == "s" and NIELSEN.spell("width") == "n"
    assert UFLDL.spell("cost") == "J" and NIELSEN.spell("error", "latex") == r"\delta"
    assert SIGNS["delta"] == Spelling("delta", "δ", r"\delta")
    with pytest.raises(KeyError, match="no quantity 'colour'"):
        NIELSEN.spell("colour")


def test_a_notation_must_spell_every_quantity() -> None:
    with pytest.raises(ValueError, match="no spelling for"):
        Notation("partial", "a notation with no letters", Citation("", "nothing"), symbols={})


def test_unknown_notation_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown notation 'nielson'; valid: nielsen, blog, ufldl"):
        get("nielson")


def test_a_notation_can_be_registered_for_a_block() -> None:
    extra = Notation("extra", "a test notation", Citation("", "a test"), symbols=dict(NIELSEN.symbols))
    with registered(extra):
        assert get("extra") is extra
    with pytest.raises(ValueError):
        get("extra")


def test_structured_symbols_carry_their_meaning() -> None:
    w = symbols.component(NIELSEN, "weight", 2, (0, 2))
    assert (str(w), w.quantity, w.layer, w.index, w.example, w.notation) == (
        "W^2_{1,3}",
        "weight",
        2,
        (0, 2),
        None,
        "nielsen",
    )
    z = symbols.component(UFLDL, "weighted_input", 3, (1,), example=2)
    assert str(z) == "z^(3)_2[x3]" and z.example == 2
    y = symbols.vector_component(NIELSEN, "target", 1, example=0)
    assert str(y) == "y_2[x1]" and y.quantity == "target" and y.layer is None
    # the same name in another quantity or layer is another symbol
    assert symbols.component(NIELSEN, "bias", 2, (0,)) != symbols.component(NIELSEN, "bias", 1, (0,))


def test_activation_functions_carry_layer_and_derivative() -> None:
    f = symbols.function(UFLDL, 2)
    assert str(f) == "f^(2)" and f.layer == 2 and f.derivative == 0
    g = symbols.function(BLOG, 1)
    assert str(g) == "f^1"
    z = sp.Symbol("z")
    fp = symbols.prime(f(z))
    assert fp.func.derivative == 1 and fp.func.layer == 2 and symbols.is_function(fp, derivative=1)
    assert symbols.primed(sp.diff(f(z) ** 2, z)) == 2 * f(z) * fp
    assert symbols.function(UFLDL, 2) != symbols.function(UFLDL, 3)
