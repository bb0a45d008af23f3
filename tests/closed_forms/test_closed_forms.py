"""Tests for :mod:`symbackprop.closed_forms`: each recipe on a tiny network gives the textbook shape
and the textbook entries, in the notation's own numbers.

The network is [2, 3, 4] (n_0 = 2, n_1 = 3, n_2 = 4): no two widths are equal,
so a transposed or misplaced factor would change a shape.
"""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.closed_forms import (
    BLOG_FORMS,
    CLOSED_FORMS,
    NIELSEN_FORMS,
    NOTES_FORMS,
    ROWS_FORMS,
    UFLDL_FORMS,
    ClosedForms,
    batch_bias_gradient,
    batch_input_gradient,
    batch_weight_gradient,
    decay,
)
from symbackprop.network.concrete import LAMBDA, TRAINING_SET_SIZE, SymbolicNetwork
from symbackprop.network.indexed import IndexedNetwork
from symbackprop.notation.catalogue import names as notation_names
from symbackprop.spec.load import make_spec

LAYERS = [2, 3, 4]


def view_of(notation: str, **fields):
    net = SymbolicNetwork(make_spec(layers=LAYERS, notation=notation, **fields))
    return net, net.view()


def test_the_catalog() -> None:
    assert set(CLOSED_FORMS) == set(notation_names())
    assert [CLOSED_FORMS[n] for n in ("notes", "blog", "ufldl")] == [NOTES_FORMS, BLOG_FORMS, UFLDL_FORMS]
    for name, forms in CLOSED_FORMS.items():
        assert isinstance(forms, ClosedForms)
        assert forms.notation == name
        assert {"BP1", "BP2", "BP3", "BP4", "input_gradient", "batch"} <= forms.sources.keys()
        assert all(forms.sources.values())


# -- shapes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "notation, hidden, output, weights",
    [
        # BP1/BP2 at the notation's layer numbers; BP4 at its weight numbers, with the weights' shape
        ("notes", 1, 2, {1: (3, 2), 2: (4, 3)}),
        ("nielsen", 2, 3, {2: (3, 2), 3: (4, 3)}),
        ("blog", 1, 2, {1: (2, 3), 2: (3, 4)}),
        ("ufldl", 2, 3, {1: (3, 2), 2: (4, 3)}),
        ("coursera_ml", 2, 3, {1: (3, 2), 2: (4, 3)}),
        ("deeplearning_ai", 1, 2, {1: (3, 2), 2: (4, 3)}),
        ("bishop", 1, 2, {1: (3, 2), 2: (4, 3)}),
        ("goodfellow", 1, 2, {1: (3, 2), 2: (4, 3)}),
        ("threeblue1brown", 1, 2, {1: (3, 2), 2: (4, 3)}),
    ],
)
def test_recipe_shapes(notation: str, hidden: int, output: int, weights: dict) -> None:
    net, view = view_of(notation)
    forms = CLOSED_FORMS[notation]
    assert view.L == output
    assert forms.bp1(view).shape == (4, 1)
    assert forms.bp1_jacobian(view).shape == (4, 1)
    assert forms.bp2(view, hidden).shape == (3, 1)
    for l, shape in weights.items():
        assert forms.bp4(view, l).shape == shape == view.W(l).shape
        assert forms.bp3(view, l).shape == (shape[1] if notation == "blog" else shape[0], 1)
    assert forms.input_gradient(view).shape == (2, 1)


def test_row_vector_recipes_compute_rows() -> None:
    """In the rows notation δ, ∂C/∂b and ∇_x C are rows (z = a W + b), W^l is (n_{l-1}, n_l)."""
    net, view = view_of("rows")
    assert ROWS_FORMS.bp1(view).shape == (1, 4)
    assert ROWS_FORMS.bp2(view, 1).shape == (1, 3)
    assert ROWS_FORMS.bp3(view, 2).shape == (1, 4)
    assert ROWS_FORMS.bp4(view, 2).shape == (3, 4) == view.W(2).shape
    assert ROWS_FORMS.input_gradient(view).shape == (1, 2)
    # the same values as the blog's transposed column forms: δ^1 = (δ^2 (W^2)^T) ⊙ f'(z^1)
    assert (ROWS_FORMS.bp2(view, 1).T - BLOG_FORMS.bp2(view, 1)).applyfunc(sp.expand) == sp.zeros(3, 1)
    assert ROWS_FORMS.bp4(view, 2) == net.layer(1).a * net.layer(2).delta.T


def test_nielsen_numbers_the_input_layer_1() -> None:
    net, view = view_of("nielsen")
    assert view.L == 3
    # BP4 at w^3: ∂C/∂w^3_{jk} = a^2_k δ^3_j (internal layers 1 and 2)
    bp4 = NIELSEN_FORMS.bp4(view, 3)
    assert all(bp4[j, k] == net.layer(1).a[k] * net.layer(2).delta[j] for j in range(4) for k in range(3))
    assert NIELSEN_FORMS.bp4(view, 2) == net.layer(1).delta * net.inputs[0].T  # a^1 = x
    assert NIELSEN_FORMS.input_gradient(view) == net.weights[0].T * net.layer(1).delta  # (w^2)^T δ^2


def test_every_notation_states_its_forms_in_its_own_words() -> None:
    texts = {name: forms.bp2.text for name, forms in CLOSED_FORMS.items()}
    assert "σ'(z^l)" in texts["nielsen"] and "w^{l+1}" in texts["nielsen"]
    assert "∘" in texts["notes"] and "•" in texts["ufldl"] and ".*" in texts["coursera_ml"]
    assert "dZ^{[l+1]}" in texts["deeplearning_ai"] and "h'(a_j)" in texts["bishop"]
    assert texts["goodfellow"].startswith("g ← W^{(k+1)⊤} g") and "(W^{l+1})^T)" in texts["rows"]
    assert CLOSED_FORMS["coursera_ml"].bp4.text.startswith("Δ^{(l)} := Δ^{(l)} + δ^{(l+1)} (a^{(l)})^T")
    for forms in CLOSED_FORMS.values():
        assert all(forms.sources[e] for e in ("BP1", "BP2", "BP3", "BP4", "input_gradient", "batch"))


# -- entries ---------------------------------------------------------------------------------------


def test_nielsen_entries() -> None:
    net, view = view_of("notes")
    forms = NOTES_FORMS
    d1, d2 = net.layer(1).delta, net.layer(2).delta
    a1, x = net.layer(1).a, net.inputs[0]
    W2 = net.weights[1]
    # BP4: ∂C/∂W^l_{jk} = a^{l-1}_k δ^l_j
    bp4 = forms.bp4(view, 2)
    assert all(bp4[j, k] == a1[k] * d2[j] for j in range(4) for k in range(3))
    assert forms.bp4(view, 1)[2, 1] == x[1] * d1[2]
    # BP2: δ^1_j = Σ_k W^2_{kj} δ^2_k f'(z^1_j)
    bp2 = forms.bp2(view, 1)
    for j in range(3):
        expected = sum(W2[k, j] * d2[k] for k in range(4)) * net.layer(1).fprime[j]
        assert sp.expand(bp2[j] - expected) == 0
    # BP3
    assert forms.bp3(view, 2) == d2
    # ∇_x C = (W^1)^T δ^1
    assert forms.input_gradient(view) == net.weights[0].T * d1


def test_blog_entries() -> None:
    net, view = view_of("blog")
    forms = BLOG_FORMS
    d2, a1 = net.layer(2).delta, net.layer(1).a
    w2 = net.weights[1]  # (3, 4): from i in layer 1 to j in layer 2
    bp4 = forms.bp4(view, 2)
    assert all(bp4[i, j] == a1[i] * d2[j] for i in range(3) for j in range(4))  # a^{l-1}_i δ^l_j
    bp2 = forms.bp2(view, 1)  # δ^l = w^{l+1} δ^{l+1} ⊙ a'(z^l)
    for i in range(3):
        expected = sum(w2[i, j] * d2[j] for j in range(4)) * net.layer(1).fprime[i]
        assert sp.expand(bp2[i] - expected) == 0
    assert forms.input_gradient(view) == net.weights[0] * net.layer(1).delta


def test_ufldl_entries() -> None:
    net, view = view_of("ufldl")
    forms = UFLDL_FORMS
    # ∂J/∂W^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i: W^(2) maps layer 2 (internal 1) to layer 3 (internal 2)
    bp4 = forms.bp4(view, 2)
    a2, d3 = net.layer(1).a, net.layer(2).delta
    assert all(bp4[i, j] == a2[j] * d3[i] for i in range(4) for j in range(3))
    bp4_1 = forms.bp4(view, 1)
    assert all(bp4_1[i, j] == net.inputs[0][j] * net.layer(1).delta[i] for i in range(3) for j in range(2))
    # ∂J/∂b^{(l)} = δ^{(l+1)}
    assert forms.bp3(view, 1) == net.layer(1).delta
    assert forms.bp3(view, 2) == d3
    # δ^{(2)}_i = (Σ_j W^{(2)}_{ji} δ^{(3)}_j) f'(z^{(2)}_i)
    bp2 = forms.bp2(view, 2)
    W2 = net.weights[1]
    for i in range(3):
        expected = sum(W2[j, i] * d3[j] for j in range(4)) * net.layer(1).fprime[i]
        assert sp.expand(bp2[i] - expected) == 0
    assert forms.input_gradient(view) == net.weights[0].T * net.layer(1).delta


def test_bp1_forms() -> None:
    net, view = view_of("notes", output="sigmoid")
    fprime = net.layer(2).fprime
    assert NOTES_FORMS.bp1(view) == net.cost_gradient().multiply_elementwise(fprime)
    # for an elementwise output the Jacobian is diagonal: both forms agree
    difference = NOTES_FORMS.bp1(view) - NOTES_FORMS.bp1_jacobian(view)
    assert difference.applyfunc(sp.expand) == sp.zeros(4, 1)


def test_bp1_jacobian_differs_from_hadamard_for_softmax() -> None:
    net, view = view_of("notes", output="softmax", cost="log_likelihood")
    difference = (NOTES_FORMS.bp1(view) - NOTES_FORMS.bp1_jacobian(view)).applyfunc(sp.simplify)
    assert difference != sp.zeros(4, 1)


# -- the batch -------------------------------------------------------------------------------------


def test_decay_coefficient() -> None:
    assert decay(make_spec(layers=[2, 1])) == 0
    assert decay(make_spec(layers=[2, 1], regularization={"l2": 3.0})) == LAMBDA
    assert decay(make_spec(layers=[2, 1], regularization={"l2": 3.0, "scale": "dataset"})) == LAMBDA / TRAINING_SET_SIZE


def test_batch_recipes() -> None:
    g1, g2 = sp.Matrix([[1, 2]]), sp.Matrix([[3, 6]])
    W = sp.Matrix([[5, 7]])
    lam = sp.Symbol("lam")
    assert batch_weight_gradient([g1, g2], W, lam) == sp.Matrix([[2 + 5 * lam, 4 + 7 * lam]])
    assert batch_bias_gradient([g1, g2], W, lam) == sp.Matrix([[2, 4]])  # biases not decayed
    assert batch_input_gradient([g1, g2], 1) == sp.Matrix([[sp.Rational(3, 2), 3]])


# -- component forms -------------------------------------------------------------------------------


def test_component_forms_read_like_the_text() -> None:
    inet = IndexedNetwork(make_spec(layers=LAYERS, notation="notes"))
    view = inet.view()
    j, k = sp.symbols("j k", integer=True)
    assert NOTES_FORMS.bp4_component(view, 2, j, k) == inet.a(1, k) * inet.deltas[2][j]
    assert NOTES_FORMS.bp3_component(view, 2, j) == inet.deltas[2][j]
    bp2 = NOTES_FORMS.bp2_component(view, 1, j)
    (s,) = bp2.atoms(sp.Sum)
    ((var, lo, hi),) = s.limits
    assert (lo, hi) == (1, inet.widths[2])
    assert s.function == inet.weights[2][var, j] * inet.deltas[2][var]

    uinet = IndexedNetwork(make_spec(layers=LAYERS, notation="ufldl"))
    uview = uinet.view()
    i = sp.Symbol("i", integer=True)
    # ∂J/∂W^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i
    assert UFLDL_FORMS.bp4_component(uview, 1, i, j) == uinet.x[j] * uinet.deltas[1][i]
    assert UFLDL_FORMS.bp3_component(uview, 1, i) == uinet.deltas[1][i]

    binet = IndexedNetwork(make_spec(layers=LAYERS, notation="blog"))
    bview = binet.view()
    assert BLOG_FORMS.bp4_component(bview, 2, i, j) == binet.a(1, i) * binet.deltas[2][j]
