"""Domains as data: ranges and domains derived by SymPy, a cost undefined on its output's range refused."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy as sp

from symbackprop.errors import SpecError
from symbackprop.spec import domains
from symbackprop.spec.functions import ACTIVATIONS, COSTS
from symbackprop.spec.load import make_spec, spec_from_toml

OPEN_UNIT = sp.Interval.open(0, 1)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("sigmoid", OPEN_UNIT),
        ("tanh", sp.Interval.open(-1, 1)),
        ("relu", sp.Interval(0, sp.oo)),  # a Piecewise: {0} on z <= 0 and (0, oo) on z > 0
        ("leaky_relu", sp.S.Reals),
        ("softplus", sp.Interval.open(0, sp.oo)),
        ("identity", sp.S.Reals),
    ],
)
def test_each_built_in_activation_has_its_range(name, values):
    assert domains.activation_range(ACTIVATIONS[name]).values == values


def test_softmax_gives_probability_vectors():
    values = domains.activation_range(ACTIVATIONS["softmax"])
    assert values.simplex and values.values == OPEN_UNIT
    assert "sum_j a_j = 1" in values.text()


def test_each_built_in_cost_has_its_domain():
    assert domains.cost_domain(COSTS["quadratic"]) == sp.S.Reals
    assert domains.cost_domain(COSTS["cross_entropy"]) == OPEN_UNIT
    assert domains.cost_domain(COSTS["log_likelihood"]) == sp.Interval.open(0, sp.oo)


def test_custom_formulas_go_through_the_same_derivation():
    spec = spec_from_toml(
        """
        layers = [2, 2, 2]
        output = "bounded"
        cost = "log_a"
        [activations.bounded]
        formula = "where(z > 0, 2 - exp(-z), 1)"
        [costs.log_a]
        formula = "-y*log(a)"
        """
    )
    assert domains.activation_range(spec.layer_activation(2)).values == sp.Interval.Ropen(1, 2)
    assert domains.cost_domain(spec.cost_function()) == sp.Interval.open(0, sp.oo)


@pytest.mark.parametrize("output", ["tanh", "relu", "leaky_relu", "identity", "softplus"])
def test_binary_cross_entropy_is_refused_on_outputs_outside_zero_one(output):
    with pytest.raises(SpecError) as error:
        make_spec(layers=[3, 4, 2], output=output, cost="cross_entropy")
    message = str(error.value)
    assert "cost: 'cross_entropy' needs outputs in (0, 1)" in message, message
    assert f"output {output!r} gives {domains.activation_range(ACTIVATIONS[output]).text()}" in message
    assert "outputs that fit: sigmoid, softmax" in message
    assert "\n" not in message


def test_binary_cross_entropy_on_sigmoid_and_softmax_is_accepted():
    make_spec(layers=[3, 4, 2], output="sigmoid", cost="cross_entropy")
    make_spec(layers=[3, 4, 2], output="softmax", cost="cross_entropy")


def test_a_custom_cost_undefined_on_the_output_is_refused_naming_it():
    text = """
    layers = [2, 2, 2]
    output = "tanh"
    cost = "root"
    [costs.root]
    formula = "(sqrt(a) - y)**2"
    """
    with pytest.raises(SpecError, match=r"'root' needs outputs in \[0, oo\), but output 'tanh' gives \(-1, 1\)"):
        spec_from_toml(text, source="root.toml")


def test_undecided_is_said_and_the_spec_accepted():
    """SymPy finds no range for swish (no closed-form critical point): the spec loads and verify says so."""
    spec = spec_from_toml(
        """
        layers = [2, 2, 2]
        output = "swish"
        cost = "cross_entropy"
        [activations.swish]
        formula = "z / (1 + exp(-z))"
        """
    )
    verdict = domains.check(spec.layer_activation(2), spec.cost_function())
    assert verdict.fits is None and "cannot decide the range of output 'swish'" in verdict.note
    assert any("cannot decide" in line for line in domains.assumptions(spec.layer_activation(2), spec.cost_function()))


def test_verify_states_the_domain_and_the_targets_assumption():
    from symbackprop.verification.plan import choose

    spec = make_spec(layers=[2, 3, 2], output="softmax", cost="log_likelihood", activation="relu")
    _, plan = choose(spec, None, 2, 5000)
    assert "domain: cost 'log_likelihood' is defined for outputs in (0, oo); output 'softmax' gives probability" in (
        "\n".join(plan)
    )
    assert any(line.startswith("targets: sum_k y_k = 1") for line in plan)


def test_the_cli_refuses_with_exit_2_and_one_line(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('layers = [3, 4, 2]\noutput = "relu"\ncost = "cross_entropy"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "symbackprop", "verify", str(spec)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert f"{spec}: cost: 'cross_entropy' needs outputs in (0, 1), but output 'relu' gives [0, oo)" in result.stderr
