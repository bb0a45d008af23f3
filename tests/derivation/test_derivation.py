"""Tests for :mod:`symbackprop.derivation.layered`: the layer-by-layer chain rule against two independent routes.

1. MONOLITHIC symbolic differentiation: the forward pass is composed with the
   concrete activation into one expression C(x, W, b, y) (written here, not by
   the library's forward map), and ``sympy.diff`` is taken with respect to each
   weight, bias and input. The layer-by-layer gradients, with the δ symbols
   replaced by their true values, must agree at random points.
2. Finite differences of a NumPy forward pass written in this file.

Both validate the chain-rule decomposition independently of the closed forms.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from networks import MATRIX

from symbackprop.derivation import layered as derivation
from symbackprop.network.concrete import LAMBDA, TRAINING_SET_SIZE, SymbolicNetwork
from symbackprop.spec.functions import A, Y, Z
from symbackprop.spec.load import Spec, make_spec

LAMBDA_VALUE = 0.3
N_VALUE = 50  # the training-set size of the dataset-scale L2 term

COMBOS = [
    dict(activation="sigmoid", output="sigmoid", cost="quadratic"),
    dict(activation="tanh", output="softmax", cost="log_likelihood"),
    dict(activation="relu", output="sigmoid", cost="cross_entropy", regularization={"l2": LAMBDA_VALUE}),
    dict(
        activation="softplus",
        output="identity",
        cost="quadratic",
        regularization={"l2": LAMBDA_VALUE, "scale": "dataset"},
    ),
    dict(activation="leaky_relu", output="tanh", cost="quadratic"),
]
WIDTHS = ([2, 2, 2], [2, 3, 2])
NOTATIONS = ("notes", "blog", "ufldl")


def combo_id(combo: dict) -> str:
    reg = combo.get("regularization")
    name = f"{combo['activation']}-{combo['output']}-{combo['cost']}"
    return name + (f"-l2{reg.get('scale', 'batch')}" if reg else "")


def case_param(spec: Spec, m: int, slow: bool = False):
    c = dict(activation=spec.activations[0], output=spec.output, cost=spec.cost)
    if spec.regularization:
        c["regularization"] = {"scale": spec.regularization.scale}
    ident = f"{spec.notation}-{'x'.join(map(str, spec.layers))}-{combo_id(c)}-m{m}"
    return pytest.param((spec, m), id=ident, marks=MATRIX if slow else ())


FAST_CASES = [
    case_param(make_spec(layers=w, notation=n, **c), 2 if c.get("regularization") else 1)
    for c in COMBOS
    for w in WIDTHS
    for n in NOTATIONS
]

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity")


def _slow_cases() -> list:
    """Every elementwise activation on a hidden layer and every output with its costs, and depth 3 in each
    notation.

    The layered derivation treats each layer's activation on its own (an abstract f^l per layer, the chain
    rule through one layer at a time), so each hidden activation is derived once (under a sigmoid output)
    and each output and cost once (under a tanh hidden layer), the notations taken in turn; FAST_CASES cross
    the notations with every kind of combination. Crossing every hidden activation with every output as
    well would exercise no other code.
    """
    fast_ids = {p.id for p in FAST_CASES}
    outputs = [dict(output=o, cost="quadratic") for o in ELEMENTWISE]
    outputs += [dict(output="sigmoid", cost="cross_entropy"), dict(output="softmax", cost="log_likelihood")]
    combos = [dict(activation=hidden, output="sigmoid", cost="quadratic") for hidden in ELEMENTWISE]
    combos += [dict(activation="tanh", **output) for output in outputs]
    cases = []
    notations = itertools.cycle(NOTATIONS)
    for combo in combos:
        cases.append(case_param(make_spec(layers=[2, 3, 2], notation=next(notations), **combo), 2, True))
    for notation in NOTATIONS:
        spec = make_spec(
            layers=[2, 3, 2, 2],
            notation=notation,
            activation=["tanh", "softplus"],
            output="sigmoid",
            cost="cross_entropy",
            regularization={"l2": LAMBDA_VALUE},
        )
        cases.append(case_param(spec, 2, True))
    return [c for c in cases if c.id not in fast_ids]


CASES = FAST_CASES + _slow_cases()


# -- an independent forward pass, in SymPy and in NumPy --------------------------------------------


def transposed(spec: Spec) -> bool:
    return spec.notation == "blog"  # z = (w^l)^T a^{l-1} + b^l


def sym_forward_from(spec: Spec, k0: int, a: sp.Matrix, weights, biases) -> sp.Matrix:
    """a^L from a^{k0} through layers k0+1..L, with the spec's concrete activations."""
    for k in range(k0 + 1, spec.depth + 1):
        W = weights[k - 1]
        z = (W.T if transposed(spec) else W) * a + biases[k - 1]
        a = sp.Matrix(spec.layer_activation(k).apply(list(z)))
    return a


def sym_example_cost(spec: Spec, a_out: sp.Matrix, y: sp.Matrix) -> sp.Expr:
    c = spec.cost_function().per_output
    return sp.Add(*[c.subs({A: ai, Y: yi}, simultaneous=True) for ai, yi in zip(a_out, y)])


def monolithic_cost(spec: Spec, net: SymbolicNetwork) -> sp.Expr:
    """C = (1/m) Σ_x C_x(a^L(x; W, b), y) + L2, one nested expression in x, W, b, y."""
    m = len(net.inputs)
    total = (
        sp.Add(
            *[
                sym_example_cost(spec, sym_forward_from(spec, 0, x, net.weights, net.biases), y)
                for x, y in zip(net.inputs, net.targets)
            ]
        )
        / m
    )
    reg = spec.regularization
    if reg is not None:
        scale = sp.Rational(1, 2) if reg.scale == "batch" else 1 / (2 * sp.Integer(N_VALUE))
        total += sp.Float(reg.l2) * scale * sp.Add(*[w**2 for W in net.weights for w in W])
    return total


NP_ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "identity": lambda z: z,
    "softmax": lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(),
}
NP_COSTS = {
    "quadratic": lambda a, y: 0.5 * np.sum((a - y) ** 2),
    "cross_entropy": lambda a, y: -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)),
    "log_likelihood": lambda a, y: -np.sum(y * np.log(a)),
}


def np_cost(spec: Spec, weights, biases, xs, ys) -> float:
    total = 0.0
    for x, y in zip(xs, ys):
        a = x
        for k in range(1, spec.depth + 1):
            W = weights[k - 1]
            z = (W.T @ a if transposed(spec) else W @ a) + biases[k - 1]
            a = NP_ACTIVATIONS[spec.layer_activation(k).name](z)
        total += NP_COSTS[spec.cost](a, y)
    total /= len(xs)
    reg = spec.regularization
    if reg is not None:
        scale = 0.5 if reg.scale == "batch" else 0.5 / N_VALUE
        total += reg.l2 * scale * sum(float(np.sum(W**2)) for W in weights)
    return total


def central(f, point: np.ndarray, h: float = 1e-6) -> np.ndarray:
    point = point.astype(float).copy()
    grad = np.zeros_like(point)
    for idx in np.ndindex(*point.shape):
        saved = point[idx]
        point[idx] = saved + h
        up = f(point)
        point[idx] = saved - h
        down = f(point)
        point[idx] = saved
        grad[idx] = (up - down) / (2 * h)
    return grad


# -- a random point and the true values of every layer symbol --------------------------------------


class Point:
    """Random parameters and examples, with z and δ of every layer, computed without the derivation."""

    def __init__(self, spec: Spec, examples: int, seed: int):
        rng = np.random.default_rng(seed)
        self.spec = spec
        self.net = SymbolicNetwork(spec, examples=examples, abstract=False)
        net = self.net
        # scaled like a sensible initialisation, so no unit saturates (finite differences stay accurate)
        self.W = [rng.normal(size=W.shape) / np.sqrt(spec.layers[k]) for k, W in enumerate(net.weights)]
        self.b = [rng.normal(scale=0.5, size=len(b)) for b in net.biases]
        self.x = [rng.normal(size=len(x)) for x in net.inputs]
        n_out = spec.layers[-1]
        if spec.cost_function().probability_targets:
            self.y = [np.eye(n_out)[rng.integers(n_out)] for _ in net.targets]
        else:
            self.y = [rng.uniform(0.1, 0.9, size=n_out) for _ in net.targets]
        values: dict = {LAMBDA: LAMBDA_VALUE, TRAINING_SET_SIZE: N_VALUE}
        for M, V in zip(net.weights, self.W):
            values.update({M[i, j]: V[i, j] for i in range(M.rows) for j in range(M.cols)})
        for M, V in zip(net.biases, self.b):
            values.update(dict(zip(M, V)))
        for M, V in zip(net.inputs, self.x):
            values.update(dict(zip(M, V)))
        for M, V in zip(net.targets, self.y):
            values.update(dict(zip(M, V)))
        self.parameters = {s: sp.Float(v, 30) for s, v in values.items()}
        # z^k of every example, by this file's forward pass (numbers)
        self.z: dict = {}
        for e in net.example_indices:
            a = net.inputs[e].subs(self.parameters)
            for k in range(1, net.depth + 1):
                W = net.weights[k - 1].subs(self.parameters)
                z = (W.T if transposed(spec) else W) * a + net.biases[k - 1].subs(self.parameters)
                self.z.update(dict(zip(net.layer(k, e).z, z)))
                a = sp.Matrix(spec.layer_activation(k).apply(list(z)))
        # δ^k = ∂C_x/∂z^k, MONOLITHICALLY: compose the cost from z^k symbols up and differentiate
        self.delta: dict = {}
        for e in net.example_indices:
            y = net.targets[e]
            for k in range(1, net.depth + 1):
                zk = net.layer(k, e).z
                ak = sp.Matrix(spec.layer_activation(k).apply(list(zk)))
                cost = sym_example_cost(spec, sym_forward_from(spec, k, ak, net.weights, net.biases), y)
                for zi, di in zip(zk, net.layer(k, e).delta):
                    self.delta[di] = sp.Float(self.evaluate(sp.diff(cost, zi), with_delta=False), 30)

    def evaluate(self, expr: sp.Expr, with_delta: bool = True) -> float:
        values = {**self.parameters, **self.z, **(self.delta if with_delta else {})}
        return float(sp.sympify(expr).xreplace(values).doit().evalf(20))


@pytest.fixture(params=CASES, scope="module")
def point(request) -> Point:
    spec, examples = request.param
    return Point(spec, examples, seed=sum(spec.layers) + len(spec.notation))


# -- δ ---------------------------------------------------------------------------------------------


def test_output_delta_agrees_with_monolithic(point: Point) -> None:
    net = point.net
    for e in net.example_indices:
        derived = derivation.output_delta(net, e)
        for expr, symbol in zip(derived, net.layer(net.depth, e).delta):
            assert point.evaluate(expr) == pytest.approx(point.delta[symbol], rel=1e-9, abs=1e-12)


def test_hidden_delta_recursion_agrees_with_monolithic(point: Point) -> None:
    """δ^k from δ^{k+1} (the symbols, given their true values) is the monolithic ∂C_x/∂z^k."""
    net = point.net
    for e in net.example_indices:
        for k in range(1, net.depth):
            derived = derivation.hidden_delta(net, k, e)
            assert derived.free_symbols & set(net.layer(k + 1, e).delta), "δ^k is written through δ^{k+1}"
            for expr, symbol in zip(derived, net.layer(k, e).delta):
                assert point.evaluate(expr) == pytest.approx(point.delta[symbol], rel=1e-9, abs=1e-12)


# -- ∂C/∂W, ∂C/∂b, ∇_x C ---------------------------------------------------------------------------


def test_weight_gradient_agrees_with_monolithic(point: Point) -> None:
    net = point.net
    cost = monolithic_cost(point.spec, net)
    for k in range(1, net.depth + 1):
        W = net.weights[k - 1]
        derived = derivation.weight_gradient(net, k)
        assert derived.shape == W.shape
        for index in np.ndindex(*W.shape):
            expected = point.evaluate(sp.diff(cost, W[index]))
            assert point.evaluate(derived[index]) == pytest.approx(expected, rel=1e-9, abs=1e-12), (k, index)


def test_bias_gradient_agrees_with_monolithic(point: Point) -> None:
    net = point.net
    cost = monolithic_cost(point.spec, net)
    for k in range(1, net.depth + 1):
        b = net.biases[k - 1]
        derived = derivation.bias_gradient(net, k)
        assert derived.shape == b.shape
        for i, bi in enumerate(b):
            assert point.evaluate(derived[i]) == pytest.approx(point.evaluate(sp.diff(cost, bi)), rel=1e-9, abs=1e-12)


def test_input_gradient_agrees_with_monolithic(point: Point) -> None:
    net = point.net
    cost = monolithic_cost(point.spec, net)
    for e in net.example_indices:
        derived = derivation.input_gradient(net, e)
        assert derived.shape == (point.spec.layers[0], 1)
        for i, xi in enumerate(net.inputs[e]):
            assert point.evaluate(derived[i]) == pytest.approx(point.evaluate(sp.diff(cost, xi)), rel=1e-9, abs=1e-12)


def test_gradients_agree_with_finite_differences(point: Point) -> None:
    """The same gradients against central differences of a NumPy forward pass written in this file."""
    spec, net = point.spec, point.net

    def cost(weights=None, biases=None, xs=None):
        return np_cost(spec, weights or point.W, biases or point.b, xs or point.x, point.y)

    for k in range(1, net.depth + 1):
        derived_W = np.array([[point.evaluate(v) for v in row] for row in derivation.weight_gradient(net, k).tolist()])
        fd_W = central(
            lambda W, k=k: cost(weights=[W if i == k - 1 else V for i, V in enumerate(point.W)]),
            point.W[k - 1],
        )
        assert derived_W == pytest.approx(fd_W, abs=1e-6)
        derived_b = np.array([point.evaluate(v) for v in derivation.bias_gradient(net, k)])
        fd_b = central(
            lambda b, k=k: cost(biases=[b if i == k - 1 else V for i, V in enumerate(point.b)]),
            point.b[k - 1],
        )
        assert derived_b == pytest.approx(fd_b, abs=1e-6)
    for e in net.example_indices:
        derived_x = np.array([point.evaluate(v) for v in derivation.input_gradient(net, e)])
        fd_x = central(lambda x, e=e: cost(xs=[x if i == e else V for i, V in enumerate(point.x)]), point.x[e])
        assert derived_x == pytest.approx(fd_x, abs=1e-6)


# -- structure -------------------------------------------------------------------------------------


def test_derivation_is_linear_in_depth_through_delta_symbols() -> None:
    """A hidden δ mentions only the next layer's δ symbols, weights and its own z — never the cost."""
    spec = make_spec(layers=[2, 2, 2, 2])
    net = SymbolicNetwork(spec)
    d1 = derivation.hidden_delta(net, 1)
    allowed = set(net.layer(2).delta) | set(net.weights[1]) | set(net.layer(1).z)
    assert d1.free_symbols <= allowed
    assert not d1.free_symbols & set(net.targets[0])
    grad = derivation.weight_gradient(net, 2)
    assert grad.free_symbols <= set(net.layer(2).delta) | set(net.layer(1).z)


def test_abstract_derivation_specialises_to_the_concrete_one() -> None:
    """With every f^l an undefined function, substituting the real activation gives the concrete result."""
    spec = make_spec(layers=[2, 3, 2], activation="tanh", output="sigmoid")
    abstract = SymbolicNetwork(spec, abstract=True)
    concrete = SymbolicNetwork(spec, abstract=False)
    for k in (1, 2):
        f = abstract.abstract_function(k)
        body = spec.layer_activation(k).formula
        for expr_a, expr_c in (
            (derivation.output_delta(abstract), derivation.output_delta(concrete)),
            (derivation.hidden_delta(abstract, 1), derivation.hidden_delta(concrete, 1)),
        ):
            specialised = expr_a
            for kk in (1, 2):
                specialised = specialised.subs(
                    abstract.abstract_function(kk), sp.Lambda(Z, spec.layer_activation(kk).formula)
                )
            assert (specialised.doit() - expr_c).applyfunc(sp.simplify) == sp.zeros(*expr_c.shape)
        assert f(Z).subs(f, sp.Lambda(Z, body)) == body


def test_batch_gradient_averages_and_decays() -> None:
    """∂C/∂W^k = (1/m) Σ_x δ_x a_x^T + λ W for the batch L2 term; biases are not decayed."""
    spec = make_spec(layers=[2, 2], regularization={"l2": 1.0})
    net = SymbolicNetwork(spec, examples=3)
    W = net.weights[0]
    expected = sum((net.layer(1, e).delta * net.inputs[e].T for e in range(3)), sp.zeros(2, 2)) / 3 + LAMBDA * W
    assert (derivation.weight_gradient(net, 1) - expected).applyfunc(sp.expand) == sp.zeros(2, 2)
    expected_b = sum((net.layer(1, e).delta for e in range(3)), sp.zeros(2, 1)) / 3
    assert (derivation.bias_gradient(net, 1) - expected_b).applyfunc(sp.expand) == sp.zeros(2, 1)


def test_pullback_is_the_chain_rule() -> None:
    x, y, u, v = sp.symbols("x y u v")
    assert derivation.pullback([u, v], [x * y, x + y**2], [x, y]) == [u * y + v, u * x + 2 * v * y]
    assert derivation.pullback([u], [x], [x, y]) == [u, 0]
