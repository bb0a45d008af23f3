"""Tests for the concrete symbolic network (:mod:`symbackprop.network.concrete`) and the notations and names it uses.

Weight shapes per notation (nielsen (n_l, n_{l-1}), blog (n_{l-1}, n_l),
ufldl (s_{l+1}, s_l) in its own numbering), symbol names, and the
:class:`ExampleView` that addresses an example's quantities by the text's
layer numbers (in UFLDL ``view.delta(2)`` is internal layer 1).
"""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.network.concrete import (
    LAMBDA,
    TRAINING_SET_SIZE,
    ShapeError,
    SymbolicNetwork,
    hadamard,
)
from symbackprop.network.cost import l2_term
from symbackprop.spec.functions import Z
from symbackprop.spec.load import make_spec

LAYERS = [2, 3, 4]


def network(notation: str, layers=LAYERS, **fields) -> SymbolicNetwork:
    examples = fields.pop("examples", 1)
    abstract = fields.pop("abstract", True)
    return SymbolicNetwork(make_spec(layers=layers, notation=notation, **fields), examples=examples, abstract=abstract)


# -- weights and symbols ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "notation, shapes",
    [
        ("notes", [(3, 2), (4, 3)]),  # (n_l, n_{l-1})
        ("blog", [(2, 3), (3, 4)]),  # (n_{l-1}, n_l)
        ("ufldl", [(3, 2), (4, 3)]),  # (s_{l+1}, s_l)
    ],
)
def test_weight_shapes_per_notation(notation: str, shapes) -> None:
    net = network(notation)
    assert [W.shape for W in net.weights] == shapes
    assert [b.shape for b in net.biases] == [(3, 1), (4, 1)]
    view = net.view()
    # in the notation's own numbers: nielsen/blog W^1, W^2; ufldl W^(1), W^(2) — the same matrices
    assert [view.W(l).shape for l in (1, 2)] == shapes


def test_ufldl_weight_shape_in_its_numbering() -> None:
    """W^(l) has shape (s_{l+1}, s_l): layers numbered from 1 = input."""
    spec = make_spec(layers=[5, 3, 2], notation="ufldl")
    view = SymbolicNetwork(spec).view()
    s = {1: 5, 2: 3, 3: 2}
    for l in (1, 2):
        assert view.W(l).shape == (s[l + 1], s[l])


@pytest.mark.parametrize(
    "notation, weight, z, delta, bias",
    [
        ("notes", "W^2_{1,3}", "z^1_2", "delta^2_4", "b^1_3"),
        ("blog", "w^2_{1,3}", "z^1_2", "delta^2_4", "b^1_3"),
        ("ufldl", "W^(2)_{1,3}", "z^(2)_2", "delta^(3)_4", "b^(1)_3"),
    ],
)
def test_symbol_names(notation: str, weight: str, z: str, delta: str, bias: str) -> None:
    net = network(notation)
    assert str(net.weights[1][0, 2]) == weight
    assert str(net.layer(1).z[1]) == z
    assert str(net.layer(2).delta[3]) == delta
    assert str(net.biases[0][2]) == bias
    assert [str(s) for s in net.inputs[0]] == ["x_1", "x_2"]
    assert [str(s) for s in net.targets[0]] == ["y_1", "y_2", "y_3", "y_4"]


def test_symbol_names_with_several_examples() -> None:
    net = network("notes", examples=2)
    assert str(net.layer(1, 1).z[0]) == "z^1_1[x2]"
    assert str(net.inputs[1][1]) == "x_2[x2]"
    assert str(net.targets[0][0]) == "y_1[x1]"
    assert [str(c) for c in net.example_costs] == ["C_x[x1]", "C_x[x2]"]
    # parameters are shared by the examples
    assert str(net.weights[0][0, 0]) == "W^1_{1,1}"


def test_all_symbols_are_real_and_distinct() -> None:
    net = network("ufldl", examples=2)
    symbols = [s for W in net.weights for s in W] + [s for b in net.biases for s in b]
    symbols += [s for e in net.example_indices for k in (1, 2) for s in (*net.layer(k, e).z, *net.layer(k, e).delta)]
    symbols += [s for x in net.inputs for s in x] + [s for y in net.targets for s in y]
    assert len(set(symbols)) == len(symbols)
    assert all(s.is_real for s in symbols)


# -- the layers ------------------------------------------------------------------------------------


def test_abstract_layers_use_one_function_per_layer() -> None:
    net = network("ufldl", activation="tanh", output="sigmoid")
    f2, f3 = net.abstract_function(1), net.abstract_function(2)
    assert str(f2) == "f^(2)" and str(f3) == "f^(3)"
    layer = net.layer(1)
    assert layer.a == layer.z.applyfunc(f2)
    assert layer.fprime == sp.Matrix([sp.Derivative(f2(z), z) for z in layer.z])
    assert layer.jacobian == sp.diag(*layer.fprime)


def test_concrete_layers_use_the_activation() -> None:
    net = network("notes", activation="tanh", output="sigmoid", abstract=False)
    z = net.layer(1).z
    assert net.layer(1).a == sp.Matrix([sp.tanh(zi) for zi in z])
    assert sp.simplify(net.layer(1).fprime[0] - (1 - sp.tanh(z[0]) ** 2)) == 0


def test_softmax_output_is_concrete_even_when_abstract() -> None:
    net = network("notes", output="softmax", cost="log_likelihood", abstract=True)
    assert net.is_abstract(1) and not net.is_abstract(2)
    layer = net.layer(2)
    total = sum(sp.exp(z) for z in layer.z)
    assert sp.simplify(layer.a[0] - sp.exp(layer.z[0]) / total) == 0
    # the Jacobian is full, f' is its diagonal
    assert layer.jacobian.shape == (4, 4)
    assert layer.jacobian[0, 1] != 0
    assert layer.fprime == sp.Matrix([layer.jacobian[i, i] for i in range(4)])


def test_z_expression_uses_the_notations_forward_map() -> None:
    for notation in ("notes", "blog", "ufldl"):
        net = network(notation)
        W, b, x = net.weights[0], net.biases[0], net.inputs[0]
        expected = (W.T * x if notation == "blog" else W * x) + b
        assert net.z_expression(1) == expected
        assert net.z_expression(2).free_symbols >= set(net.layer(1).z)


def test_example_cost_and_its_gradient() -> None:
    net = network("notes", abstract=False)
    a, y = net.layer(2).a, net.targets[0]
    expected = sum((a[i] - y[i]) ** 2 for i in range(4)) / 2
    assert sp.simplify(net.example_cost() - expected) == 0
    assert (net.cost_gradient() - (a - y)).applyfunc(sp.simplify) == sp.zeros(4, 1)


def test_batch_cost_averages_the_example_costs_and_adds_the_l2_term() -> None:
    net = network("notes", examples=3, regularization={"l2": 2.0})
    c1, c2, c3 = net.example_costs
    squares = sum(w**2 for W in net.weights for w in W)
    assert sp.expand(net.batch_cost - ((c1 + c2 + c3) / 3 + LAMBDA / 2 * squares)) == 0


def test_l2_term_scales_and_never_biases() -> None:
    weights = [sp.Matrix([[sp.Symbol("u"), sp.Symbol("v")]])]
    u, v = weights[0]
    assert l2_term(make_spec(layers=[2, 1]).regularization, weights) == 0
    batch = make_spec(layers=[2, 1], regularization={"l2": 1}).regularization
    assert sp.expand(l2_term(batch, weights) - LAMBDA / 2 * (u**2 + v**2)) == 0
    dataset = make_spec(layers=[2, 1], regularization={"l2": 1, "scale": "dataset"})
    assert sp.expand(l2_term(dataset.regularization, weights) - LAMBDA / (2 * TRAINING_SET_SIZE) * (u**2 + v**2)) == 0
    net = SymbolicNetwork(dataset)
    assert not net.batch_cost.free_symbols & set(net.biases[0])


def test_hadamard() -> None:
    u, v = sp.Matrix([1, 2, 3]), sp.Matrix([4, 5, 6])
    assert hadamard(u, v) == sp.Matrix([4, 10, 18])
    with pytest.raises(ShapeError):
        hadamard(u, sp.Matrix([1, 2]))


# -- ExampleView -----------------------------------------------------------------------------------


def test_ufldl_view_numbering() -> None:
    net = network("ufldl", examples=2)
    view = net.view(1)
    assert view.L == 3  # n_l: the output layer is layer 3
    assert view.delta(2) == net.layer(1, 1).delta  # δ^(2) is internal layer 1
    assert view.delta(3) == net.layer(2, 1).delta
    assert view.z(2) == net.layer(1, 1).z
    assert view.a(1) == net.inputs[1]  # a^(1) = x
    assert view.a(3) == net.layer(2, 1).a
    assert view.W(1) == net.weights[0] and view.b(1) == net.biases[0]
    assert view.fprime(2) == net.layer(1, 1).fprime
    assert view.x == net.inputs[1] and view.y == net.targets[1]


def test_nielsen_view_numbering() -> None:
    net = network("notes")
    view = net.view()
    assert view.L == 2
    assert view.delta(1) == net.layer(1).delta
    assert view.a(0) == net.inputs[0]
    assert view.W(2) == net.weights[1]


@pytest.mark.parametrize(
    "notation, input_layer, past_output, bad_weights",
    [("notes", 0, 3, (0, 3)), ("blog", 0, 3, (0, 3)), ("ufldl", 1, 4, (0, 3))],
)
def test_view_refuses_layers_that_do_not_exist(notation, input_layer, past_output, bad_weights) -> None:
    view = network(notation).view()
    for method in (view.z, view.delta, view.fprime, view.jacobian):
        with pytest.raises(ShapeError):
            method(input_layer)  # the input layer has no z, δ or f'
    with pytest.raises(ShapeError):
        view.a(past_output)
    with pytest.raises(ShapeError):
        view.a(input_layer - 1)
    for l in bad_weights:
        with pytest.raises(ShapeError):
            view.W(l)


def test_view_grad_a_is_the_cost_gradient() -> None:
    net = network("blog", examples=2, cost="cross_entropy", output="sigmoid")
    assert net.view(1).grad_a() == net.cost_gradient(1)
    assert net.view(0).grad_a() != net.view(1).grad_a()


def test_activation_formula_symbol() -> None:
    """The activations are formulas in the module-level z (real)."""
    net = network("notes")
    assert Z.is_real
    assert net.activation(1).formula.free_symbols == {Z}


@pytest.mark.parametrize("notation", ["notes", "blog", "ufldl"])
def test_view_refuses_biases_that_do_not_exist(notation: str) -> None:
    """b(l) is checked like W(l): there are no biases 0 (a negative index would silently give b^L)."""
    view = network(notation).view()
    assert view.b(1) == view.network.biases[0]
    for l in (0, 3):
        with pytest.raises(ShapeError):
            view.b(l)
