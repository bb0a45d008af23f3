"""Tests for :mod:`symbackprop.derivation.identities`: local identities found by simplification, not looked up.

Each form found through a = f(z) is compared with the textbook one by
``sympy.simplify`` of the difference (and, for piecewise forms, on both sides
of the kink); an activation with no form through a (swish, not injective)
says so with method "none".
"""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.derivation.identities import (
    Identity,
    activation_derivative,
    cost_gradient,
    output_delta,
    through_activation,
)
from symbackprop.spec.functions import ACTIVATIONS, COSTS, LEAKY_SLOPE, A, Activation, Y, Z
from symbackprop.spec.load import make_spec

SWISH = "z / (1 + exp(-z))"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("sigmoid", A * (1 - A)),
        ("tanh", 1 - A**2),
        ("softplus", 1 - sp.exp(-A)),
        ("identity", sp.Integer(1)),
    ],
)
def test_activation_derivative_through_a(name: str, expected: sp.Expr) -> None:
    identity = activation_derivative(ACTIVATIONS[name])
    assert identity.method == "exact"
    assert identity.holds
    assert identity.rhs is not None
    assert Z not in identity.rhs.free_symbols
    assert sp.simplify(identity.rhs - expected) == 0
    # and it is f'(z) once a = f(z) is put back
    f = ACTIVATIONS[name].formula
    assert sp.simplify(identity.rhs.subs(A, f) - sp.diff(f, Z)) == 0


@pytest.mark.parametrize(
    "name, negative_slope",
    [("relu", 0), ("leaky_relu", LEAKY_SLOPE)],
)
def test_piecewise_activation_derivative_through_a(name: str, negative_slope) -> None:
    identity = activation_derivative(ACTIVATIONS[name])
    assert identity.method == "exact"
    rhs = identity.rhs
    assert Z not in rhs.free_symbols
    assert rhs.has(sp.Piecewise)
    assert rhs.subs(A, 3) == 1
    assert rhs.subs(A, sp.Rational(1, 10)) == 1
    f = ACTIVATIONS[name].formula
    for z in (sp.Rational(-5, 2), sp.Rational(-1, 10), sp.Rational(1, 10), 4):
        a = f.subs(Z, z)
        assert rhs.subs(A, a) == sp.diff(f, Z).subs(Z, z), z
    assert rhs.subs(A, f.subs(Z, -2)) == negative_slope


def test_swish_has_no_form_through_a() -> None:
    """swish(z) = z σ(z) is not injective: its derivative is not a function of a."""
    spec = make_spec(layers=[2, 2, 1], activation="swish", output="sigmoid", activations={"swish": {"formula": SWISH}})
    swish = spec.activation("swish")
    identity = activation_derivative(swish)
    assert identity.method == "none"
    assert identity.rhs is not None and Z in identity.rhs.free_symbols  # written in z
    assert sp.simplify(identity.rhs - sp.diff(Z / (1 + sp.exp(-Z)), Z)) == 0
    assert "no form through a" in (identity.assumption or "")


def test_through_activation_of_a_non_injective_function_is_none() -> None:
    """z² is not injective either: its derivative 2z is ±2√a, no single form through a."""
    square = Activation("square", formula=Z**2)
    assert through_activation(sp.diff(Z**2, Z), square) is None


def test_through_activation_direct_substitution() -> None:
    sigmoid = ACTIVATIONS["sigmoid"]
    expr = sigmoid.formula * (1 - sigmoid.formula)
    assert sp.simplify(through_activation(expr, sigmoid) - A * (1 - A)) == 0


# -- ∂C/∂a -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cost, expected",
    [
        ("quadratic", A - Y),
        ("cross_entropy", (A - Y) / (A * (1 - A))),
        ("log_likelihood", -Y / A),
    ],
)
def test_cost_gradient(cost: str, expected: sp.Expr) -> None:
    identity = cost_gradient(COSTS[cost])
    assert identity.name == "cost_gradient" and identity.subject == cost
    assert identity.method == "exact"
    assert sp.simplify(identity.rhs - expected) == 0


# -- δ^L -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "activation, cost, expected",
    [
        ("sigmoid", "cross_entropy", A - Y),
        ("softmax", "log_likelihood", A - Y),
        ("sigmoid", "quadratic", (A - Y) * A * (1 - A)),
        ("identity", "quadratic", A - Y),
        ("tanh", "quadratic", (A - Y) * (1 - A**2)),
    ],
)
def test_output_delta(activation: str, cost: str, expected: sp.Expr) -> None:
    identity = output_delta(ACTIVATIONS[activation], COSTS[cost], 3)
    assert identity.name == "output_delta"
    assert identity.subject == f"{activation} + {cost}"
    assert identity.holds and identity.method == "exact"
    assert sp.simplify(identity.rhs - expected) == 0


def test_softmax_log_likelihood_states_its_assumptions() -> None:
    identity = output_delta(ACTIVATIONS["softmax"], COSTS["log_likelihood"], 10)
    assert "sum_k a_k = 1" in identity.assumption
    assert "sum_k y_k = 1" in identity.assumption
    assert "when" in identity.statement()


def test_softmax_quadratic_has_no_componentwise_delta() -> None:
    """δ^L_j of softmax + quadratic depends on every a_k: there is no form in a_j and y_j alone."""
    identity = output_delta(ACTIVATIONS["softmax"], COSTS["quadratic"], 3)
    assert identity.rhs is None
    assert identity.method == "none"
    assert "no closed form" in identity.statement()


def test_sigmoid_cross_entropy_cancellation_is_not_a_lookup() -> None:
    """The same cancellation for a custom cost written like cross-entropy: found by simplification."""
    spec = make_spec(
        layers=[2, 1],
        output="sigmoid",
        cost="xent",
        costs={"xent": {"formula": "-(y*log(a) + (1 - y)*log(1 - a))"}},
    )
    identity = output_delta(spec.layer_activation(1), spec.cost_function(), 1)
    assert identity.method == "exact"
    assert sp.simplify(identity.rhs - (A - Y)) == 0


def test_identity_to_dict_and_statement() -> None:
    identity = activation_derivative(ACTIVATIONS["tanh"])
    data = identity.to_dict()
    assert set(data) == {"name", "subject", "statement", "rhs", "holds", "method", "assumption", "seconds"}
    assert data["subject"] == "tanh"
    assert data["statement"].startswith("tanh'(z) = ")
    assert sp.simplify(sp.sympify(data["rhs"], locals={"a": A}) - (1 - A**2)) == 0
    empty = Identity("output_delta", "softmax + quadratic", "delta^L_j", None, False, "none")
    assert empty.to_dict()["rhs"] is None


def test_softmax_jacobian_is_found_as_diagonal_plus_rank_one() -> None:
    """∂a_k/∂z_j = [k = j] a_j − a_k a_j, found on the simplex from softmax's definition."""
    from symbackprop.derivation.identities import jacobian_through_a
    from symbackprop.spec.functions import ACTIVATIONS, A

    form = jacobian_through_a(ACTIVATIONS["softmax"])
    assert form is not None
    assert sp.simplify(form.diagonal - A) == 0
    assert sp.simplify(form.left * form.right.subs(A, sp.Symbol("b")) + A * sp.Symbol("b")) == 0
    assert jacobian_through_a(ACTIVATIONS["sigmoid"]) is None


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_time_limit_survives_an_exception_swallowed_by_a_callback() -> None:
    """An expiry raised where Python ignores exceptions (here: a __del__) fires again and ends the block."""
    import time

    from symbackprop.timing import OutOfTime, time_limit

    class Swallows:
        def __del__(self):
            time.sleep(0.3)  # the first expiry lands here and is ignored by Python

    started = time.perf_counter()
    with pytest.raises(OutOfTime):
        with time_limit(0.05):
            Swallows()  # __del__ runs at once
            while time.perf_counter() - started < 5:
                pass
    assert time.perf_counter() - started < 2
