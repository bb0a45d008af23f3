"""Tests for :mod:`symbackprop.network.numeric`: NumMat, central differences and the numeric network.

NumMat must behave like a SymPy column vector / matrix for everything a
closed-form recipe does (``.T``, ``*``, ``+``, ``-``, ``/``, ⊙, ``[i]``), so
the same recipe runs on symbols (exact method) and on numbers (numeric method).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symbackprop.closed_forms import CLOSED_FORMS
from symbackprop.network.concrete import ShapeError, hadamard
from symbackprop.network.numeric import (
    NUMERIC_TRAINING_SET_SIZE,
    STEP,
    NumericNetwork,
    NumMat,
    central_difference,
)
from symbackprop.spec.load import make_spec

RNG = np.random.default_rng(1234)
M = RNG.normal(size=(2, 3))
N = RNG.normal(size=(3, 2))
U = RNG.normal(size=3)
V = RNG.normal(size=3)


# -- NumMat ----------------------------------------------------------------------------------------


def test_nummat_vector_is_a_column() -> None:
    u = NumMat(U)
    assert u.shape == (3, 1)
    assert len(u) == 3
    assert u.T.shape == (1, 3)


def test_nummat_matrix_product_and_transpose() -> None:
    assert (NumMat(M) * NumMat(N)).values == pytest.approx(M @ N)
    assert (NumMat(N).T * NumMat(U)).values == pytest.approx((N.T @ U).reshape(-1, 1))
    assert (NumMat(U) * NumMat(V).T).values == pytest.approx(np.outer(U, V))
    assert (NumMat(U).T * NumMat(V)).values == pytest.approx(np.array([[U @ V]]))


def test_nummat_shape_errors() -> None:
    with pytest.raises(ShapeError):
        NumMat(M) * NumMat(M)
    with pytest.raises(ShapeError):
        NumMat(M) + NumMat(N)
    with pytest.raises(ShapeError):
        hadamard(NumMat(U), NumMat(M))


def test_nummat_scalar_arithmetic_both_sides() -> None:
    u = NumMat(U)
    assert (u * 2).values.ravel() == pytest.approx(2 * U)
    assert (2 * u).values.ravel() == pytest.approx(2 * U)
    assert (u / 4).values.ravel() == pytest.approx(U / 4)
    assert (u + 1).values.ravel() == pytest.approx(U + 1)
    assert (1 + u).values.ravel() == pytest.approx(U + 1)
    assert (u - 1).values.ravel() == pytest.approx(U - 1)
    assert (-u).values.ravel() == pytest.approx(-U)
    assert (u * sp.Rational(1, 2)).values.ravel() == pytest.approx(U / 2)  # SymPy numbers, as in 1/m
    assert (u + NumMat(V)).values.ravel() == pytest.approx(U + V)
    assert (u - NumMat(V)).values.ravel() == pytest.approx(U - V)


def test_nummat_numpy_scalar_on_the_left() -> None:
    """A NumPy scalar times NumMat stays a NumMat (__array_priority__), as in λ W with λ from NumPy."""
    product = np.float64(3.0) * NumMat(U)
    assert isinstance(product, NumMat)
    assert product.values.ravel() == pytest.approx(3 * U)


def test_nummat_hadamard() -> None:
    assert hadamard(NumMat(U), NumMat(V)).values.ravel() == pytest.approx(U * V)
    assert NumMat(U).multiply_elementwise(NumMat(V)).values.ravel() == pytest.approx(U * V)


def test_nummat_sum_of_a_list_as_in_the_batch_recipes() -> None:
    from functools import reduce
    from operator import add

    total = reduce(add, [NumMat(U), NumMat(V), NumMat(U)]) / 3
    assert total.values.ravel() == pytest.approx((2 * U + V) / 3)


def test_nummat_indexes_a_column_vector_like_sympy() -> None:
    """``u[i]`` of a column vector is its i-th entry, a scalar, as for a SymPy Matrix: a recipe may
    then use it as a scalar (``a - y[0] * ones``)."""
    u, s = NumMat(U), sp.Matrix(U)
    assert np.ndim(u[1]) == 0
    assert float(u[1]) == pytest.approx(float(s[1]))
    assert (NumMat(V) - u[0]).values.ravel() == pytest.approx(V - U[0])
    assert (NumMat(V) * u[2]).values.ravel() == pytest.approx(V * U[2])


def test_nummat_matrix_entry_by_pair() -> None:
    assert NumMat(M)[1, 2] == pytest.approx(M[1, 2])


# -- central differences ---------------------------------------------------------------------------


def test_central_difference_of_a_known_function() -> None:
    def f(p):
        return float(np.sum(p**3) + p[0] * p[1] + np.sin(p[2]))

    p = np.array([0.5, -1.5, 2.0])
    expected = 3 * p**2 + np.array([p[1], p[0], 0.0]) + np.array([0, 0, np.cos(p[2])])
    assert central_difference(f, p) == pytest.approx(expected, abs=1e-7)
    assert p.tolist() == [0.5, -1.5, 2.0]  # the point is not changed


def test_central_difference_of_a_matrix_argument_and_selected_entries() -> None:
    A = np.array([[1.0, 2.0], [3.0, 4.0]])

    def f(W):
        return float(np.sum(W**2))

    assert central_difference(f, A) == pytest.approx(2 * A, abs=1e-6)
    partial = central_difference(f, A, entries=[0, 3])
    assert partial[0, 0] == pytest.approx(2.0, abs=1e-6) and partial[1, 1] == pytest.approx(8.0, abs=1e-6)
    assert np.isnan(partial[0, 1]) and np.isnan(partial[1, 0])


def test_central_difference_step_scales_with_the_point() -> None:
    """At a large point the step is relative: x ↦ x² at 1e6 still gives 2e6."""
    assert central_difference(lambda p: float(p[0] ** 2), np.array([1e6]))[0] == pytest.approx(2e6, rel=1e-6)
    assert STEP > 0


# -- the numeric network ---------------------------------------------------------------------------

NP_ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "identity": lambda z: z,
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(),
}

NETWORKS = [
    dict(layers=[3, 4, 2], activation="sigmoid"),
    dict(layers=[2, 3, 3], activation="relu", output="softmax", cost="log_likelihood"),
    dict(layers=[3, 2, 4, 2], activation=["tanh", "softplus"], output="leaky_relu"),
    dict(layers=[2, 2], activation="identity"),
]


@pytest.mark.parametrize("notation", ["notes", "blog", "ufldl"])
@pytest.mark.parametrize("fields", NETWORKS, ids=lambda f: "-".join(map(str, f["layers"])))
def test_forward_equals_a_direct_numpy_computation(fields: dict, notation: str) -> None:
    spec = make_spec(notation=notation, **fields)
    net = NumericNetwork(spec, examples=2, seed=7)
    layers = spec.layers
    shapes = [W.shape for W in net.weights]
    if notation == "blog":
        assert shapes == [(layers[k], layers[k + 1]) for k in range(len(layers) - 1)]
    else:
        assert shapes == [(layers[k + 1], layers[k]) for k in range(len(layers) - 1)]
    for x in net.inputs:
        zs, activations = net.forward(x)
        a = x
        assert activations[0] is x or np.array_equal(activations[0], x)
        for k in range(1, spec.depth + 1):
            W, b = net.weights[k - 1], net.biases[k - 1]
            z = (W.T @ a if notation == "blog" else W @ a) + b
            a = NP_ACTIVATIONS[spec.layer_activation(k).name](z)
            assert zs[k] == pytest.approx(z, rel=1e-12)
            assert activations[k] == pytest.approx(a, rel=1e-12)


def test_numeric_network_is_seeded() -> None:
    spec = make_spec(layers=[3, 4, 2])
    one, two, other = (NumericNetwork(spec, seed=s) for s in (5, 5, 6))
    assert all(np.array_equal(a, b) for a, b in zip(one.weights, two.weights))
    assert all(np.array_equal(a, b) for a, b in zip(one.inputs, two.inputs))
    assert not np.array_equal(one.weights[0], other.weights[0])


def test_targets_fit_the_cost() -> None:
    onehot = NumericNetwork(make_spec(layers=[2, 4], output="softmax", cost="log_likelihood"), examples=5)
    for y in onehot.targets:
        assert sorted(y.tolist()) == [0.0, 0.0, 0.0, 1.0]
    soft = NumericNetwork(make_spec(layers=[2, 4], cost="cross_entropy"), examples=5)
    for y in soft.targets:
        assert np.all((0 < y) & (y < 1))


@pytest.mark.parametrize("scale, factor", [("batch", 1.0), ("dataset", 1.0 / NUMERIC_TRAINING_SET_SIZE)])
def test_batch_cost_averages_and_regularises(scale: str, factor: float) -> None:
    spec = make_spec(layers=[3, 4, 2], regularization={"l2": 0.8, "scale": scale})
    net = NumericNetwork(spec, examples=3, seed=2)
    # the closed forms' decay coefficient (λ or λ/n), as a number for this network
    assert net.number(CLOSED_FORMS["notes"].decay(spec)) == pytest.approx(0.8 * factor)
    costs = []
    for x, y in zip(net.inputs, net.targets):
        a = x
        for W, b in zip(net.weights, net.biases):
            a = 1 / (1 + np.exp(-(W @ a + b)))
        costs.append(0.5 * np.sum((a - y) ** 2))
    penalty = 0.8 * factor / 2 * sum(np.sum(W**2) for W in net.weights)
    assert net.batch_cost() == pytest.approx(np.mean(costs) + penalty, rel=1e-12)


@pytest.mark.parametrize("notation", ["notes", "blog", "ufldl"])
def test_true_deltas_are_backpropagation(notation: str) -> None:
    """Finite-difference δ's against BP1/BP2 computed here by hand for sigmoid + quadratic."""
    spec = make_spec(layers=[3, 4, 2], notation=notation)
    net = NumericNetwork(spec, examples=1, seed=9)
    deltas = net.true_deltas(0)
    zs, activations = net.forward(net.inputs[0])
    sig = activations
    delta2 = (sig[2] - net.targets[0]) * sig[2] * (1 - sig[2])
    W2 = net.weights[1].T if notation == "blog" else net.weights[1]
    delta1 = (W2.T @ delta2) * sig[1] * (1 - sig[1])
    assert deltas[0] is None
    assert deltas[2] == pytest.approx(delta2, abs=1e-8)
    assert deltas[1] == pytest.approx(delta1, abs=1e-8)


def test_ufldl_view_numbers_layers_from_one() -> None:
    spec = make_spec(layers=[3, 4, 2], notation="ufldl")
    net = NumericNetwork(spec, examples=1)
    deltas = net.true_deltas(0)
    view = net.view(0, deltas)
    assert view.L == 3
    assert view.delta(2).values.ravel() == pytest.approx(deltas[1])  # δ^(2) is internal layer 1
    assert view.delta(3).values.ravel() == pytest.approx(deltas[2])
    assert view.a(1).values.ravel() == pytest.approx(net.inputs[0])  # a^(1) = x
    assert view.W(1).values == pytest.approx(net.weights[0])  # W^(1) maps layer 1 to layer 2
    assert view.W(1).shape == (4, 3)
    assert view.x.values.ravel() == pytest.approx(net.inputs[0])
    assert view.y.values.ravel() == pytest.approx(net.targets[0])
    with pytest.raises(ShapeError):
        view.a(4)
    with pytest.raises(ShapeError):
        view.W(3)


def test_view_fprime_and_jacobian() -> None:
    spec = make_spec(layers=[2, 3, 3], activation="tanh", output="softmax", cost="log_likelihood", notation="notes")
    net = NumericNetwork(spec, examples=1, seed=4)
    view = net.view(0, net.true_deltas(0))
    z1 = view.z(1).values.ravel()
    assert view.fprime(1).values.ravel() == pytest.approx(1 - np.tanh(z1) ** 2)
    assert view.jacobian(1).values == pytest.approx(np.diag(1 - np.tanh(z1) ** 2))
    a = view.a(2).values.ravel()
    assert view.jacobian(2).values == pytest.approx(np.diag(a) - np.outer(a, a))
    assert view.fprime(2).values.ravel() == pytest.approx(a * (1 - a))
    # the Jacobian form of BP1 gives the finite-difference δ^L, a − y for one-hot y
    bp1 = CLOSED_FORMS["notes"].bp1_jacobian(view)
    assert bp1.values.ravel() == pytest.approx(view.delta(2).values.ravel(), abs=1e-7)
    assert bp1.values.ravel() == pytest.approx(a - net.targets[0], abs=1e-7)


def test_view_has_no_f_prime_at_the_input_layer() -> None:
    """Like the symbolic ExampleView, the numeric view refuses f'(z^0) and δ^0 with a ShapeError
    (the input layer has no z), so a recipe using them is reported, not crashed on."""
    spec = make_spec(layers=[2, 3, 2], notation="notes")
    net = NumericNetwork(spec, examples=1)
    view = net.view(0, net.true_deltas(0))
    with pytest.raises(ShapeError):
        view.fprime(0)
    with pytest.raises(ShapeError):
        view.delta(0)
    with pytest.raises(ShapeError):
        view.z(0)


def test_view_refuses_biases_that_do_not_exist() -> None:
    """b(0) would silently be b^L through a negative index; like W(0) it must be refused."""
    net = NumericNetwork(make_spec(layers=[2, 3, 2], notation="notes"), examples=1)
    view = net.view(0, net.true_deltas(0))
    assert view.b(1).values.ravel() == pytest.approx(net.biases[0])
    with pytest.raises(ShapeError):
        view.W(0)
    for l in (0, 3):
        with pytest.raises(ShapeError):
            view.b(l)


@pytest.mark.parametrize("notation", ["notes", "blog", "ufldl"])
def test_closed_forms_run_on_numbers(notation: str) -> None:
    """Each matrix recipe gives the finite-difference gradients on the numeric network."""
    spec = make_spec(layers=[3, 4, 2], notation=notation)
    net = NumericNetwork(spec, examples=1, seed=1)
    view = net.view(0, net.true_deltas(0))
    forms, nt = CLOSED_FORMS[notation], net.notation
    for k in (1, 2):
        lw = nt.weight_layer(k)

        def cost(W, k=k):
            weights = list(net.weights)
            weights[k - 1] = W
            return net.batch_cost(weights=weights)

        assert forms.bp4(view, lw).values == pytest.approx(central_difference(cost, net.weights[k - 1]), abs=1e-7)
    assert forms.bp2(view, nt.layer(1)).values.ravel() == pytest.approx(
        view.delta(nt.layer(1)).values.ravel(), abs=1e-7
    )
    grad_x = central_difference(lambda x: net.batch_cost(inputs=[x]), net.inputs[0])
    assert forms.input_gradient(view).values.ravel() == pytest.approx(grad_x, abs=1e-7)
