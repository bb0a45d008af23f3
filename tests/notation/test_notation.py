"""Tests for the notations (:mod:`symbackprop.notation`): numbering, weight layout, spellings and the
structured symbols every printer reads."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.notation import symbols
from symbackprop.notation.catalogue import BLOG, NIELSEN, NOTATIONS, UFLDL, get, registered
from symbackprop.notation.catalogue import NOTES_NOTATION as NOTES
from symbackprop.notation.model import Citation, Notation, Spelling
from symbackprop.notation.spelling import SIGNS


def test_notation_table() -> None:
    assert set(NOTATIONS) >= {"nielsen", "notes", "blog", "ufldl"}
    assert (NOTES.weight_symbol, NIELSEN.weight_symbol, BLOG.weight_symbol, UFLDL.weight_symbol) == ("W", "w", "w", "W")
    assert (NOTES.input_layer, NIELSEN.input_layer, BLOG.input_layer, UFLDL.input_layer) == (0, 1, 0, 1)
    assert (NOTES.transposed, BLOG.transposed, UFLDL.transposed) == (False, True, False)
    assert UFLDL.parenthesised and not NOTES.parenthesised and not BLOG.parenthesised


def test_layer_numbering() -> None:
    assert [NOTES.layer(k) for k in range(3)] == [0, 1, 2]
    assert [NIELSEN.layer(k) for k in range(3)] == [1, 2, 3]  # Nielsen: a^1 = x, the first weights are w^2
    assert [NIELSEN.weight_layer(k) for k in (1, 2)] == [2, 3]
    assert [UFLDL.layer(k) for k in range(3)] == [1, 2, 3]
    assert [UFLDL.internal_layer(l) for l in (1, 2, 3)] == [0, 1, 2]
    # the weights feeding internal layer k: W^k in the notes, W^(k) in UFLDL (from layer k to layer k+1)
    assert [NOTES.weight_layer(k) for k in (1, 2)] == [1, 2]
    assert [UFLDL.weight_layer(k) for k in (1, 2)] == [1, 2]
    assert UFLDL.internal_weight_layer(UFLDL.weight_layer(2)) == 2


def test_layer_range_checks_name_the_missing_layer() -> None:
    assert NOTES.layer_problem(2, depth=2) is None
    assert NOTES.layer_problem(3, depth=2) == "there is no layer 3 in this notes network"
    assert NIELSEN.layer_problem(0, depth=2) == "there is no layer 0 in this nielsen network"
    assert NIELSEN.weights_problem(1, depth=2) == "there are no weights or biases 1 in this nielsen network"
    assert UFLDL.layer_problem(1, depth=2, needs_z=True) == "layer 1 is the input layer: it has no z, f' or δ"
    assert UFLDL.weights_problem(3, depth=2) == "there are no weights or biases 3 in this ufldl network"
    assert UFLDL.weights_problem(2, depth=2) is None


def test_weight_shape_index_and_dims() -> None:
    assert NOTES.weight_shape(2, 3) == (3, 2)
    assert UFLDL.weight_shape(2, 3) == (3, 2)
    assert BLOG.weight_shape(2, 3) == (2, 3)
    assert NOTES.weight_index(to=1, frm=0) == (1, 0)  # W_{ij}: to i from j
    assert BLOG.weight_index(to=1, frm=0) == (0, 1)  # w_{ij}: from i to j
    assert BLOG.weight_ends(0, 1) == (1, 0) and NOTES.weight_ends(1, 0) == (1, 0)
    assert NOTES.weight_dims(2) == (2, 1) and BLOG.weight_dims(2) == (1, 2)


def test_forward_maps() -> None:
    W = sp.Matrix([[1, 2, 3], [4, 5, 6]])
    b2, b3 = sp.Matrix([1, 1]), sp.Matrix([1, 1, 1])
    assert NOTES.forward(W, sp.Matrix([1, 0, 0]), b2) == sp.Matrix([2, 5])
    assert BLOG.forward(W, sp.Matrix([1, 0]), b3) == sp.Matrix([2, 3, 4])  # w^T a
    assert NOTES.forward_text() == "z^l = W^l a^(l-1) + b^l"
    assert NIELSEN.forward_text() == "z^l = w^l a^(l-1) + b^l"
    assert UFLDL.forward_text() == "z^(l+1) = W^(l) a^(l) + b^(l)"
    assert get("rows").forward_text() == "z^l = a^(l-1) W^l + b^l"
    assert get("goodfellow").forward_text() == "a^(k) = W^(k) h^(k-1) + b^(k)"
    assert get("deeplearning_ai").forward_text() == "Z^[l] = W^[l] A^[l-1] + b^[l]"
    assert get("bishop").forward_text("unicode") == "a^(l) = w^(l) z^(l-1) + b^(l)"


def test_spellings_and_labels() -> None:
    assert NOTES.label(2) == "2" and UFLDL.label(2) == "(2)" and get("deeplearning_ai").label(2) == "[2]"
    assert UFLDL.spell("width") == "s" and NOTES.spell("width") == "n"
    assert UFLDL.spell("cost") == "J(W,b)" and UFLDL.spell("example_cost") == "J(W,b;x,y)"
    assert NOTES.spell("error", "latex") == r"\delta"
    assert (NIELSEN.hadamard.unicode, NOTES.hadamard.unicode, UFLDL.hadamard.unicode) == ("⊙", "∘", "•")
    assert SIGNS["delta"] == Spelling("delta", "δ", r"\delta")
    with pytest.raises(KeyError, match="no quantity 'colour'"):
        NOTES.spell("colour")


def test_function_heads() -> None:
    assert NOTES.function_head(2, 1) == "f^2'" and NOTES.function_head(2, 1, "latex") == r"f^{2\prime}"
    assert NIELSEN.function_head(2, 1) == "sigma'" and NIELSEN.function_head(3, 1, "unicode") == "σ′"
    assert NIELSEN.function_head(2, 0, "latex") == r"\sigma"
    assert NIELSEN.function_head(2, 1, "latex") == r"\sigma^{\prime}"
    assert UFLDL.function_head(3, 0, "latex") == "f^{(3)}"


def test_every_entry_cites_a_source_a_reader_can_look_up() -> None:
    for nt in NOTATIONS.values():
        assert nt.citation.title and nt.citation.url.startswith(("http://", "https://")), nt.name
        assert nt.description and set(nt.steps) == {"BP1", "BP2", "BP3", "BP4", "input_gradient"}
        assert nt.citation.text().count(nt.citation.url) == 1


def test_the_texts_own_steps() -> None:
    assert NIELSEN.step("BP2") == "BP2"
    assert get("bishop").step("BP2").startswith("(5.56)")
    assert get("goodfellow").step("BP4").startswith("grad_(W^(k)) J = g h^(k-1)T")
    assert get("coursera_ml").step("BP4").startswith("steps 4-5")


def test_the_catalogue_entries_honour_their_texts() -> None:
    coursera, dlai, bishop, goodfellow, blue, rows = (
        get(n) for n in ("coursera_ml", "deeplearning_ai", "bishop", "goodfellow", "threeblue1brown", "rows")
    )
    assert coursera.spell("weight", "unicode") == "Θ" and coursera.bias_column and coursera.input_layer == 1
    assert coursera.weight_layer(1) == 1 and coursera.layer(1) == 2  # Θ^(1) maps layer 1 to layer 2
    assert dlai.examples == "columns" and dlai.layer_style == "bracketed" and dlai.spell("error") == "dZ"
    assert (bishop.spell("weighted_input"), bishop.spell("activation"), bishop.spell("target")) == ("a", "z", "t")
    assert bishop.indices == ("j", "i") and bishop.spell("example_cost") == "E_n"
    assert (goodfellow.spell("weighted_input"), goodfellow.spell("activation")) == ("a", "h")
    assert goodfellow.layer_letter == "k"
    assert blue.spell("example_cost") == "C_0" and blue.layer(0) == 0 and blue.parenthesised
    assert rows.vectors == "rows" and rows.transposed and rows.weight_shape(2, 3) == (2, 3)


def test_a_notation_needs_a_layout_of_closed_forms() -> None:
    with pytest.raises(ValueError, match="no closed forms for transposed = false, weight_offset = 0, vectors = 'rows'"):
        Notation("r", "rows without the transpose", Citation("", "t"), symbols=dict(NOTES.symbols), vectors="rows")
    with pytest.raises(
        ValueError, match="valid combinations: .*transposed = true, weight_offset = 0, vectors = 'rows'"
    ):
        Notation(
            "r",
            "from the layer, transposed",
            Citation("", "t"),
            symbols=dict(NOTES.symbols),
            transposed=True,
            weight_offset=-1,
        )
    assert {nt.layout for nt in NOTATIONS.values()} == {"columns", "from_layer", "transposed", "rows"}
    with pytest.raises(ValueError, match="steps for unknown equations"):
        Notation("r", "a step of nothing", Citation("", "t"), symbols=dict(NOTES.symbols), steps={"BP9": "x"})


def test_a_notation_must_spell_every_quantity() -> None:
    with pytest.raises(ValueError, match="no spelling for"):
        Notation("partial", "a notation with no letters", Citation("", "nothing"), symbols={})


def test_unknown_notation_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown notation 'nielson'; valid: nielsen, notes, blog, ufldl, coursera_ml"):
        get("nielson")


def test_a_notation_can_be_registered_for_a_block() -> None:
    extra = Notation("extra", "a test notation", Citation("", "a test"), symbols=dict(NOTES.symbols))
    with registered(extra):
        assert get("extra") is extra
    with pytest.raises(ValueError):
        get("extra")


def test_structured_symbols_carry_their_meaning() -> None:
    w = symbols.component(NOTES, "weight", 2, (0, 2))
    assert (str(w), w.quantity, w.layer, w.index, w.example, w.notation) == (
        "W^2_{1,3}",
        "weight",
        2,
        (0, 2),
        None,
        "notes",
    )
    z = symbols.component(UFLDL, "weighted_input", 3, (1,), example=2)
    assert str(z) == "z^(3)_2[x3]" and z.example == 2
    y = symbols.vector_component(NOTES, "target", 1, example=0)
    assert str(y) == "y_2[x1]" and y.quantity == "target" and y.layer is None
    # the same name in another quantity or layer is another symbol
    assert symbols.component(NOTES, "bias", 2, (0,)) != symbols.component(NOTES, "bias", 1, (0,))


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
