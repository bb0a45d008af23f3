"""Tests for :mod:`symbackprop.network.indexed`: the all-widths route against the elementwise route.

An expression at symbolic widths (``Sum`` over ``n_l``, ``Indexed`` components,
free integer indices) is instantiated: n_l -> a concrete width, ``doit``, the
free indices -> concrete indices, and every ``Indexed`` component -> the
concrete network's symbol (``W^2[1, 3]`` -> ``W^2_{1,3}``; the abstract
functions f^l have the same names in both routes). It must then equal the
entry of the concrete-width derivation (:mod:`symbackprop.derivation.layered`).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from symbackprop.closed_forms import CLOSED_FORMS
from symbackprop.derivation import indexed as derive_indexed
from symbackprop.derivation import layered as derivation
from symbackprop.network.concrete import SymbolicNetwork
from symbackprop.network.indexed import IndexedNetwork, is_zero, normalize, resolve
from symbackprop.spec.load import make_spec

NOTATIONS = ("notes", "blog", "ufldl")
WIDTHS = ([2, 3, 2], [3, 2, 2, 3])


class Instance:
    """An indexed network and the concrete network of the same spec, with the map between them."""

    def __init__(self, spec):
        self.spec = spec
        self.inet = IndexedNetwork(spec)
        self.net = SymbolicNetwork(spec, examples=1, abstract=True)
        inet, net = self.inet, self.net
        self.mapping: dict = {}
        for k in range(1, net.depth + 1):
            W = net.weights[k - 1]
            for r, c in itertools.product(range(W.rows), range(W.cols)):
                self.mapping[inet.weights[k][r + 1, c + 1]] = W[r, c]
            for i in range(spec.layers[k]):
                self.mapping[inet.biases[k][i + 1]] = net.biases[k - 1][i]
                self.mapping[inet.z[k][i + 1]] = net.layer(k).z[i]
                self.mapping[inet.deltas[k][i + 1]] = net.layer(k).delta[i]
        for i in range(spec.layers[0]):
            self.mapping[inet.x[i + 1]] = net.inputs[0][i]
        for i in range(spec.layers[-1]):
            self.mapping[inet.y[i + 1]] = net.targets[0][i]
        self.width_values = {w: n for w, n in zip(inet.widths, spec.layers)}

    def instantiate(self, expr: sp.Expr, indices: dict) -> sp.Expr:
        """n_l -> widths, doit, free indices -> values (1-based), Indexed -> the concrete symbols."""
        expr = sp.sympify(expr).subs(self.width_values).doit()
        expr = expr.subs(indices).doit()
        expr = expr.xreplace(self.mapping)
        leftover = expr.atoms(sp.Indexed)
        assert not leftover, f"components not mapped: {leftover}"
        return expr

    def layer_range(self, k: int) -> range:
        return range(1, self.spec.layers[k] + 1)


def same(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    difference = sp.expand(lhs - rhs)
    return difference == 0 or sp.simplify(difference) == 0


def case_id(widths, notation) -> str:
    return f"{notation}-{'x'.join(map(str, widths))}"


CASES = [pytest.param((w, n), id=case_id(w, n)) for w in WIDTHS for n in NOTATIONS]


@pytest.fixture(params=CASES)
def instance(request) -> Instance:
    widths, notation = request.param
    return Instance(make_spec(layers=widths, notation=notation, activation="tanh", output="sigmoid"))


# -- the derivation at symbolic widths vs concrete widths ------------------------------------------


def test_hidden_delta_all_widths_equals_elementwise(instance: Instance) -> None:
    inet, net = instance.inet, instance.net
    for k in range(1, net.depth):
        j = inet.index("j", k)
        symbolic = derive_indexed.hidden_delta(inet, k, j)
        concrete = derivation.hidden_delta(net, k)
        for value in instance.layer_range(k):
            assert same(instance.instantiate(symbolic, {j: value}), concrete[value - 1]), (k, value)


def test_weight_gradient_all_widths_equals_elementwise(instance: Instance) -> None:
    inet, net, nt = instance.inet, instance.net, instance.inet.notation
    for k in range(1, net.depth + 1):
        rows, cols = (k - 1, k) if nt.transposed else (k, k - 1)
        p, q = inet.index("p", rows), inet.index("q", cols)
        symbolic = derive_indexed.weight_gradient(inet, k, p, q)
        concrete = derivation.weight_gradient(net, k)
        assert concrete.shape == (instance.spec.layers[rows], instance.spec.layers[cols])
        for pv, qv in itertools.product(instance.layer_range(rows), instance.layer_range(cols)):
            assert same(instance.instantiate(symbolic, {p: pv, q: qv}), concrete[pv - 1, qv - 1]), (k, pv, qv)


def test_bias_gradient_all_widths_equals_elementwise(instance: Instance) -> None:
    inet, net = instance.inet, instance.net
    for k in range(1, net.depth + 1):
        j = inet.index("j", k)
        symbolic = derive_indexed.bias_gradient(inet, k, j)
        concrete = derivation.bias_gradient(net, k)
        for value in instance.layer_range(k):
            assert same(instance.instantiate(symbolic, {j: value}), concrete[value - 1])


def test_input_gradient_all_widths_equals_elementwise(instance: Instance) -> None:
    inet, net = instance.inet, instance.net
    q = inet.index("q", 0)
    symbolic = derive_indexed.input_gradient(inet, q)
    concrete = derivation.input_gradient(net)
    for value in instance.layer_range(0):
        assert same(instance.instantiate(symbolic, {q: value}), concrete[value - 1])


def test_output_delta_all_widths_equals_elementwise(instance: Instance) -> None:
    inet, net = instance.inet, instance.net
    L = net.depth
    j = inet.index("j", L)
    symbolic = derive_indexed.output_delta(inet, j)
    concrete = derivation.output_delta(net)
    for value in instance.layer_range(L):
        assert same(instance.instantiate(symbolic, {j: value}), concrete[value - 1])


# -- the component closed forms, instantiated, vs concrete-width derivation ------------------------


def test_component_closed_forms_instantiate_to_the_derivation(instance: Instance) -> None:
    """BP2, BP3, BP4 and ∇_x C component forms, in the notation's own numbers, entry by entry."""
    inet, net, nt = instance.inet, instance.net, instance.inet.notation
    forms, view, L = CLOSED_FORMS[nt.name], inet.view(), net.depth
    for k in range(1, L):
        j = inet.index("j", k)
        recipe = forms.bp2_component(view, nt.layer(k), j)
        concrete = derivation.hidden_delta(net, k)
        for value in instance.layer_range(k):
            assert same(instance.instantiate(recipe, {j: value}), concrete[value - 1]), ("BP2", k, value)
    for k in range(1, L + 1):
        lw = nt.weight_layer(k)
        rows, cols = (k - 1, k) if nt.transposed else (k, k - 1)
        p, q = inet.index("p", rows), inet.index("q", cols)
        recipe = forms.bp4_component(view, lw, p, q)
        concrete = derivation.weight_gradient(net, k)
        for pv, qv in itertools.product(instance.layer_range(rows), instance.layer_range(cols)):
            assert same(instance.instantiate(recipe, {p: pv, q: qv}), concrete[pv - 1, qv - 1]), ("BP4", k)
        j = inet.index("j", k)
        recipe = forms.bp3_component(view, lw, j)
        for value in instance.layer_range(k):
            assert same(instance.instantiate(recipe, {j: value}), derivation.bias_gradient(net, k)[value - 1])
    q = inet.index("q", 0)
    recipe = forms.input_gradient_component(view, q)
    concrete = derivation.input_gradient(net)
    for value in instance.layer_range(0):
        assert same(instance.instantiate(recipe, {q: value}), concrete[value - 1]), ("input_gradient", value)


@pytest.mark.parametrize("notation", NOTATIONS)
def test_softmax_output_delta_all_widths_equals_elementwise(notation: str) -> None:
    """Softmax is written out at symbolic widths; instantiated it is the concrete δ^L (numerically)."""
    spec = make_spec(layers=[2, 3], output="softmax", cost="log_likelihood", notation=notation)
    inst = Instance(spec)
    j = inst.inet.index("j", 1)
    symbolic = derive_indexed.output_delta(inst.inet, j)
    concrete = derivation.output_delta(inst.net)
    rng = np.random.default_rng(5)
    z, y = inst.net.layer(1).z, inst.net.targets[0]
    for _ in range(3):
        values = {**dict(zip(z, rng.normal(size=3))), **dict(zip(y, rng.uniform(0, 1, size=3)))}
        for value in (1, 2, 3):
            lhs = inst.instantiate(symbolic, {j: value}).subs(values)
            rhs = concrete[value - 1].subs(values)
            assert float(lhs) == pytest.approx(float(rhs), rel=1e-10)


def test_softmax_jacobian_component_is_a_minus_y() -> None:
    """The all-widths BP1 through the Jacobian for softmax + log-likelihood is a_j Σ_k y_k − y_j
    (a_j − y_j for one-hot y), and the Hadamard component form is not."""
    spec = make_spec(layers=[2, 3], output="softmax", cost="log_likelihood")
    inst = Instance(spec)
    inet, view = inst.inet, inst.inet.view()
    j = inet.index("j", 1)
    jacobian_form = CLOSED_FORMS["notes"].bp1_jacobian_component(view, j)
    hadamard_form = CLOSED_FORMS["notes"].bp1_component(view, j)
    z, y = inst.net.layer(1).z, inst.net.targets[0]
    rng = np.random.default_rng(11)
    zs, ys = rng.normal(size=3), rng.uniform(0, 1, size=3)
    values = {**dict(zip(z, zs)), **dict(zip(y, ys))}
    softmax = np.exp(zs) / np.exp(zs).sum()
    for value in (1, 2, 3):
        expected = softmax[value - 1] * ys.sum() - ys[value - 1]
        got = float(inst.instantiate(jacobian_form, {j: value}).subs(values))
        assert got == pytest.approx(expected, rel=1e-10)
        wrong = float(inst.instantiate(hadamard_form, {j: value}).subs(values))
        assert wrong != pytest.approx(expected, rel=1e-6)


# -- the network's pieces --------------------------------------------------------------------------


def test_widths_and_bases_are_named_in_the_notation() -> None:
    nielsen = IndexedNetwork(make_spec(layers=[2, 3, 2], notation="notes"))
    ufldl = IndexedNetwork(make_spec(layers=[2, 3, 2], notation="ufldl"))
    blog = IndexedNetwork(make_spec(layers=[2, 3, 2], notation="blog"))
    assert [str(w) for w in nielsen.widths] == ["n_0", "n_1", "n_2"]
    assert [str(w) for w in ufldl.widths] == ["n_1", "n_2", "n_3"]
    assert all(w.is_integer and w.is_positive for w in nielsen.widths)
    assert str(nielsen.weights[2]) == "W^2" and str(blog.weights[2]) == "w^2" and str(ufldl.weights[2]) == "W^(2)"
    assert str(ufldl.deltas[1]) == "delta^(2)" and str(nielsen.deltas[1]) == "delta^1"
    book = IndexedNetwork(make_spec(layers=[2, 3, 2], notation="nielsen"))  # Nielsen's input is layer 1
    assert [str(w) for w in book.widths] == ["n_1", "n_2", "n_3"] and str(book.weights[1]) == "w^2"


def test_index_ranges() -> None:
    inet = IndexedNetwork(make_spec(layers=[2, 3, 2]))
    j = inet.index("j", 1)
    free = inet.index("k")
    assert inet.ranges[j] == (1, inet.widths[1])
    assert free not in inet.ranges
    assert j.is_integer and free.is_integer
    assert inet.index("j", 1) != j  # fresh every time


def test_z_expression_follows_the_weight_layout() -> None:
    r, i = sp.Symbol("r", integer=True), sp.Symbol("i_sum", integer=True)
    nielsen = IndexedNetwork(make_spec(layers=[2, 3]))
    blog = IndexedNetwork(make_spec(layers=[2, 3], notation="blog"))
    assert (
        nielsen.z_expression(1, r)
        == sp.Sum(nielsen.weights[1][r, i] * nielsen.x[i], (i, 1, nielsen.widths[0])) + nielsen.biases[1][r]
    )
    assert (
        blog.z_expression(1, r) == sp.Sum(blog.weights[1][i, r] * blog.x[i], (i, 1, blog.widths[0])) + blog.biases[1][r]
    )


def test_fprime_of_an_elementwise_layer() -> None:
    inet = IndexedNetwork(make_spec(layers=[2, 3, 2]))
    j = inet.index("j", 1)
    f = inet.activation_function(1)
    assert inet.fprime(1, j) == sp.Derivative(f(inet.z[1][j]), inet.z[1][j])


def test_cost_gradient_quadratic() -> None:
    inet = IndexedNetwork(make_spec(layers=[2, 3, 2]))
    j = inet.index("j", 2)
    assert sp.simplify(inet.cost_gradient(j) - (inet.a(2, j) - inet.y[j])) == 0


# -- resolve ---------------------------------------------------------------------------------------

n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)
x, W, a, b = sp.IndexedBase("x"), sp.IndexedBase("W"), sp.IndexedBase("a"), sp.IndexedBase("b")
IN_RANGE = (j >= 1) & (j <= n)


def test_resolve_decides_an_index_in_its_range() -> None:
    piecewise = sp.diff(sp.Sum(W[i] * x[i], (i, 1, n)), W[j]).doit()
    assert isinstance(piecewise, sp.Piecewise)
    assert resolve(piecewise, {j: (1, n)}) == x[j]


def test_resolve_leaves_an_index_without_a_range() -> None:
    piecewise = sp.Piecewise((x[j], IN_RANGE), (0, True))
    assert resolve(piecewise, {}) == piecewise


def test_resolve_leaves_a_condition_it_cannot_decide() -> None:
    piecewise = sp.Piecewise((x[j], IN_RANGE), (0, True))
    assert resolve(piecewise, {j: (1, m)}) == piecewise  # j <= n is not known for j <= m
    equal = sp.Piecewise((x[j], sp.Eq(j, k)), (0, True))
    assert resolve(equal, {j: (1, n), k: (1, n)}) == equal  # two indices


def test_resolve_drops_a_branch_that_is_always_false() -> None:
    assert resolve(sp.Piecewise((x[j], j > n), (0, True)), {j: (1, n)}) == 0
    assert resolve(sp.Piecewise((x[j], j < 1), (b[j], True)), {j: (1, n)}) == b[j]


def test_resolve_uses_a_sums_bound_variable_range() -> None:
    inner = sp.Piecewise((x[i], (i >= 1) & (i <= n)), (0, True))
    assert resolve(sp.Sum(inner, (i, 1, n)), {}) == sp.Sum(x[i], (i, 1, n))
    # ... but only inside the sum
    assert resolve(sp.Sum(inner, (i, 1, n)) + inner, {}) == sp.Sum(x[i], (i, 1, n)) + inner


def test_resolve_inside_other_expressions() -> None:
    piecewise = sp.Piecewise((x[j], IN_RANGE), (0, True))
    assert resolve(sp.exp(piecewise) * b[j] + 1, {j: (1, n)}) == sp.exp(x[j]) * b[j] + 1


def test_normalize_sums_kronecker_deltas_away() -> None:
    expr = sp.Sum(sp.KroneckerDelta(i, j) * a[i] + b[i], (i, 1, n))
    assert normalize(expr, {j: (1, n)}) == a[j] + sp.Sum(b[i], (i, 1, n))


# -- is_zero ---------------------------------------------------------------------------------------


def test_is_zero_for_renamed_bound_variables() -> None:
    assert is_zero(sp.Sum(a[i], (i, 1, n)) - sp.Sum(a[k], (k, 1, n)))
    assert is_zero(sp.Sum(a[i] * b[i], (i, 1, n)) - sp.Sum(b[k] * a[k], (k, 1, n)))


def test_is_zero_gathers_sums_with_equal_limits() -> None:
    assert is_zero(2 * sp.Sum(a[i], (i, 1, n)) - sp.Sum(2 * a[i], (i, 1, n)))
    assert is_zero(sp.Sum(a[i] + b[i], (i, 1, n)) - sp.Sum(a[i], (i, 1, n)) - sp.Sum(b[k], (k, 1, n)))
    assert is_zero(sp.Sum(a[i] * x[j], (i, 1, n)) - x[j] * sp.Sum(a[i], (i, 1, n)))
    product = sp.Sum(a[i], (i, 1, n)) * sp.Sum(b[k], (k, 1, n))
    assert is_zero(product - sp.Sum(b[i], (i, 1, n)) * sp.Sum(a[k], (k, 1, n)))


def test_is_zero_without_sums() -> None:
    assert is_zero(x[j] * (a[j] + b[j]) - x[j] * a[j] - x[j] * b[j])
    assert not is_zero(x[j] - x[k])


@pytest.mark.parametrize(
    "expr",
    [
        sp.Sum(a[i], (i, 1, n)),
        sp.Sum(a[i], (i, 1, n)) - sp.Sum(a[i], (i, 1, m)),  # different limits
        sp.Sum(W[i, j] * a[i], (i, 1, n)) - sp.Sum(W[j, i] * a[i], (i, 1, n)),  # transposed weight
        sp.Sum(a[i] * b[i], (i, 1, n)) - 2 * sp.Sum(a[i] * b[i], (i, 1, n)),
        sp.Sum(a[i], (i, 1, n)) * sp.Sum(b[k], (k, 1, n)) - sp.Sum(a[i], (i, 1, n)) ** 2,
        x[j] * sp.Sum(a[i], (i, 1, n)) - x[k] * sp.Sum(a[i], (i, 1, n)),
        sp.Sum(a[i], (i, 1, n)) + x[j],
        sp.Sum(sp.Sum(W[i, k] * a[k], (k, 1, m)), (i, 1, n)) - sp.Sum(sp.Sum(W[i, k] * a[i], (k, 1, m)), (i, 1, n)),
    ],
    ids=["sum", "limits", "transpose", "coefficient", "product", "free-index", "plus-term", "double-sum"],
)
def test_is_zero_is_false_for_a_genuinely_nonzero_sum(expr) -> None:
    assert is_zero(expr) is False


def test_is_zero_for_renamed_double_sums() -> None:
    """Σ_i Σ_k W_{ik} a_k and the same double sum with its bound variables renamed.

    SymPy flattens a Sum of a Sum into one Sum with two limits; the renaming by
    nesting depth must cover those too, or two equal double sums look different.
    """
    first = sp.Sum(sp.Sum(W[i, k] * a[k], (k, 1, m)), (i, 1, n))
    renamed = sp.Sum(sp.Sum(W[k, i] * a[i], (i, 1, m)), (k, 1, n))
    assert is_zero(first - first)
    assert is_zero(first - renamed)
