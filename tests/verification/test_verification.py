"""Tests for :mod:`symbackprop.verification.verify`.

Every network of the collection verifies, with checks for BP1–BP4 and ∇_x C in
the notation's own layer numbers; softmax makes BP1 in Hadamard form fail
(not applicable) while the Jacobian form holds; and — most important — a
catalog of deliberately wrong closed forms (the slips a textbook reader
makes) is caught, each by a failing check of the mutated equation with a
counterexample or a reason.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import operator
from collections import Counter
from functools import reduce

import numpy as np
import pytest
import sympy as sp
from networks import BLOG, NOTES, UFLDL_QA, Case, verified

from symbackprop.closed_forms import CLOSED_FORMS
from symbackprop.network.concrete import hadamard
from symbackprop.network.numeric import NumMat
from symbackprop.network.sites import EQUATIONS
from symbackprop.spec.load import make_spec
from symbackprop.verification import METHODS, Check, Report, VerificationError, planned_checks, verify
from symbackprop.verification.plan import NUMERIC_LIMIT, NUMERIC_MAX_PARAMETERS, numeric_cost

# -- helpers ---------------------------------------------------------------------------------------


#: How each text numbers its layers, written down from the texts (not read from the notation objects):
#: the input layer's number, and whether a weight matrix carries the number of the layer it feeds.
NUMBERING = {
    "nielsen": (1, "feeds"),  # a^1 = x, w^l maps layer l-1 to layer l
    "ufldl": (1, "leaves"),  # a^(1) = x, W^(l) maps layer l to layer l+1
    "coursera_ml": (1, "leaves"),  # a^(1) = x, Θ^(l) maps layer l to layer l+1
    **{
        name: (0, "feeds")
        for name in ("notes", "blog", "deeplearning_ai", "bishop", "goodfellow", "threeblue1brown", "rows")
    },
}


def expected_layers(notation: str, depth: int) -> dict[str, set[int]]:
    """The layer numbers each equation is checked at, in the notation's own numbering."""
    first, weights = NUMBERING[notation]
    L = first + depth  # the output layer's number
    first_weights = first + 1 if weights == "feeds" else first
    return {
        "BP1": {L},
        "BP2": set(range(first + 1, L)),
        "BP3": set(range(first_weights, first_weights + depth)),
        "BP4": set(range(first_weights, first_weights + depth)),
        "input_gradient": {first},
    }


def method_of(check: Check) -> str:
    """The method that ran a check: the exact method reports "numeric" for entries it could only
    confirm at random points, and says so in the detail."""
    if check.method == "numeric" and "random points" in check.detail:
        return "exact"
    return check.method


def layers_by_equation(report: Report, method: str) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {eq: set() for eq in EQUATIONS}
    for c in report.checks:
        if method_of(c) == method:
            found[c.equation].add(c.layer)
    return found


def has_witness(check: Check) -> bool:
    """A counterexample with values and both sides, or a reason the closed form could not be formed."""
    cx = check.counterexample
    if not isinstance(cx, dict):
        return False
    if "reason" in cx:
        return bool(cx["reason"])
    if check.method == "exact":
        return {"values", "derived", "closed_form", "difference"} <= cx.keys() and bool(cx["values"])
    if check.method == "numeric":
        return {"entry", "finite_difference", "closed_form"} <= cx.keys()
    if check.method == "all_widths":
        return {"residual", "derived", "closed_form"} <= cx.keys()
    return False


# -- every network of the collection verifies ------------------------------------------------------


def test_every_network_verifies(network: Case) -> None:
    """One verification per network of the collection (computed once, in whichever worker runs this test):
    every applicable check holds, at the notation's layers, once per example where it is per example."""
    report = verified(network)
    assert report.ok, [c.to_dict() for c in report.failures]
    assert report.failures == []
    assert report.notation == network.notation
    assert {c.method for c in report.checks} <= set(METHODS) | {"numeric"}
    _check_every_equation_at_the_notations_layers(network, report)
    _check_every_applicable_check_holds_and_took_time(report)
    _check_each_method_checks_every_example(network, report)


def _check_every_equation_at_the_notations_layers(network: Case, report: Report) -> None:
    expected = expected_layers(network.notation, network.depth)
    for method in ("exact", "numeric", "all_widths"):
        assert layers_by_equation(report, method) == expected, method


def _check_every_applicable_check_holds_and_took_time(report: Report) -> None:
    for c in report.checks:
        assert c.seconds >= 0
        if c.applicable:
            assert c.holds, c.to_dict()
            assert c.counterexample is None


def _check_each_method_checks_every_example(network: Case, report: Report) -> None:
    m = network.examples
    for method in ("exact", "numeric"):
        ours = [c for c in report.checks if method_of(c) == method]
        assert sum(c.equation == "input_gradient" for c in ours) == m
        # BP1 (one per example; two with softmax: hadamard and jacobian) and BP2 per example and hidden layer
        bp1 = [c for c in ours if c.equation == "BP1"]
        assert len(bp1) == m * (2 if network.softmax else 1)
        assert sum(c.equation == "BP2" for c in ours) == m * (network.depth - 1)
        # the batch gradients are one check per layer
        assert sum(c.equation == "BP4" for c in ours) == network.depth
        assert sum(c.equation == "BP3" for c in ours) == network.depth


# -- softmax: BP1 in Hadamard form fails, the Jacobian form holds ----------------------------------

SOFTMAX = Case("softmax_ll", dict(layers=[3, 2, 3], activation="sigmoid", output="softmax", cost="log_likelihood"))


@pytest.mark.parametrize("notation", ["notes", "blog", "ufldl"])
def test_softmax_bp1_hadamard_fails_but_is_not_applicable(notation: str) -> None:
    spec = make_spec(layers=[3, 2, 3], activation="tanh", output="softmax", cost="log_likelihood", notation=notation)
    report = verify(spec)
    assert report.ok
    hadamard_checks = [c for c in report.checks if c.equation == "BP1" and c.form == "hadamard"]
    assert {c.method for c in hadamard_checks} == {"exact", "numeric"}
    for c in hadamard_checks:
        assert c.holds is False
        assert c.applicable is False
        assert has_witness(c), c.to_dict()
        assert "reason" not in c.counterexample
        cx = c.counterexample
        side = "derived" if c.method == "exact" else "finite_difference"
        assert cx[side] != pytest.approx(cx["closed_form"], abs=1e-9)
    exact = [c for c in hadamard_checks if c.method == "exact"]
    for c in exact:
        cx = c.counterexample
        assert all(isinstance(v, float) for v in cx["values"].values())
        assert cx["difference"] == pytest.approx(cx["derived"] - cx["closed_form"])
    jacobian_checks = [c for c in report.checks if c.equation == "BP1" and c.form == "jacobian"]
    assert {c.method for c in jacobian_checks} == {"exact", "numeric", "all_widths"}
    assert all(c.holds and c.applicable for c in jacobian_checks)
    assert report.failures == []


def test_softmax_counterexample_values_reproduce_the_difference() -> None:
    """The values of an exact counterexample, substituted into δ^L and into ∇_a C ⊙ f', give both sides."""
    from symbackprop.derivation import layered as derivation
    from symbackprop.network.concrete import SymbolicNetwork

    spec = SOFTMAX.spec
    report = verify(spec, methods=["exact"], examples=1)
    (c,) = [c for c in report.checks if c.equation == "BP1" and c.form == "hadamard"]
    cx = c.counterexample
    net = SymbolicNetwork(spec, examples=1)
    values = {s: sp.Float(cx["values"][str(s)], 30) for s in net.layer(2).z.free_symbols | net.targets[0].free_symbols}
    row = cx["entry"][0] - 1
    derived = derivation.output_delta(net)[row].subs(values)
    closed = CLOSED_FORMS["notes"].bp1(net.view())[row].subs(values)
    assert float(derived) == pytest.approx(cx["derived"], rel=1e-9)
    assert float(closed) == pytest.approx(cx["closed_form"], rel=1e-9)


# -- the report's JSON shape (verify --json) -------------------------------------------------------


def test_report_to_dict_shape() -> None:
    report = verified(SOFTMAX)
    data = report.to_dict()
    assert {"spec", "notation", "ok", "checks"} <= data.keys()
    assert data["spec"] == "softmax_ll"
    assert data["notation"] == "nielsen"
    assert data["ok"] is True
    assert len(data["checks"]) == len(report.checks)
    for check in data["checks"]:
        assert {"equation", "layer", "form", "method", "holds", "counterexample", "seconds"} <= check.keys()
        assert check["equation"] in EQUATIONS
        assert isinstance(check["layer"], int)
        assert isinstance(check["holds"], bool)
        assert isinstance(check["seconds"], float | int) and check["seconds"] >= 0
    failing = [c for c in data["checks"] if not c["holds"]]
    assert failing and all(c["counterexample"] for c in failing)
    assert all(c["applicable"] is False for c in failing)
    # the dict is plain JSON, and to_json says the same
    assert json.loads(json.dumps(data)) == data
    assert json.loads(report.to_json())["checks"] == json.loads(json.dumps(data))["checks"]


def test_report_to_dict_of_a_failing_report_says_not_ok() -> None:
    forms = dataclasses.replace(CLOSED_FORMS["notes"], bp3=lambda net, l: 2 * net.delta(l))
    data = verify(make_spec(layers=[2, 2, 2]), forms=forms, methods=["exact"]).to_dict()
    assert data["ok"] is False
    bad = [c for c in data["checks"] if not c["holds"]]
    assert {c["equation"] for c in bad} == {"BP3"}
    json.dumps(data)  # serialisable, counterexample included


# -- the plan --------------------------------------------------------------------------------------


def test_plan_skips_exact_for_a_big_network_and_says_why() -> None:
    report = verify(make_spec(layers=[784, 30, 10]))
    assert report.ok
    assert "exact" not in {c.method for c in report.checks}
    assert {"all_widths", "numeric"} <= {c.method for c in report.checks}
    (skip,) = [p for p in report.plan if p.startswith("exact")]
    assert "skipped" in skip
    assert str(make_spec(layers=[784, 30, 10]).parameter_count) in skip
    assert "limit" in skip
    assert report.to_dict()["plan"] == list(report.plan)


def test_plan_keeps_exact_for_a_small_network() -> None:
    report = verified(NOTES)
    assert not any("skipped" in p for p in report.plan)
    assert [p.split(":")[0] for p in report.plan] == ["exact", "all_widths", "numeric"]


def test_exact_limit_is_honoured() -> None:
    spec = make_spec(layers=[2, 2, 2])
    report = verify(spec, exact_limit=spec.parameter_count * 2 - 1)
    assert "exact" not in {c.method for c in report.checks}
    assert any("skipped" in p for p in report.plan)
    report = verify(spec, exact_limit=spec.parameter_count * 2)
    assert "exact" in {c.method for c in report.checks}


def test_exact_method_at_16_16_10_holds() -> None:
    report = verify(make_spec(layers=[16, 16, 10]), methods=["exact"])
    assert report.ok
    assert {c.method for c in report.checks} == {"exact"}
    assert {c.equation for c in report.checks} == set(EQUATIONS)
    assert all(c.holds for c in report.checks)


def test_methods_argument_selects_methods() -> None:
    spec = make_spec(layers=[2, 2, 2])
    assert {c.method for c in verify(spec, methods=["numeric"]).checks} == {"numeric"}
    assert {c.method for c in verify(spec, methods=["all_widths"]).checks} == {"all_widths"}


def test_unknown_method_and_notation_are_rejected() -> None:
    spec = make_spec(layers=[2, 2, 2])
    with pytest.raises(ValueError, match="unknown method"):
        verify(spec, methods=["symbolic"])
    with pytest.raises(ValueError, match="unknown notation"):
        verify(spec, notation="feynman")


def test_notation_argument_overrides_the_specs() -> None:
    spec = make_spec(layers=[2, 3, 2])  # nielsen
    report = verify(spec, notation="ufldl", methods=["exact"], examples=1)
    assert report.notation == "ufldl"
    assert report.ok
    assert {c.layer for c in report.checks if c.equation == "BP1"} == {3}
    assert {c.layer for c in report.checks if c.equation == "input_gradient"} == {1}


def test_identities_are_reported() -> None:
    report = verified(NOTES)
    names = {(i.name, i.subject) for i in report.identities}
    assert ("activation_derivative", "sigmoid") in names
    assert ("cost_gradient", "quadratic") in names
    assert ("output_delta", "sigmoid + quadratic") in names
    assert all(i.holds for i in report.identities)
    assert len(report.to_dict()["identities"]) == len(report.identities)


# -- the source texts ------------------------------------------------------------------------------


def test_notes_network_input_gradient_holds_by_every_method() -> None:
    report = verified(NOTES)
    checks = [c for c in report.checks if c.equation == "input_gradient"]
    assert {c.method for c in checks} == {"exact", "all_widths", "numeric"}
    assert all(c.holds and c.layer == 0 for c in checks)


def test_notes_input_gradient_is_the_transpose_of_the_covector() -> None:
    """∇_x C = (W^1)^T δ^1 numerically against finite differences of the cost in x (the notes)."""
    from symbackprop.network.numeric import NumericNetwork, central_difference

    net = NumericNetwork(NOTES.spec, examples=1, seed=3)
    deltas = net.true_deltas(0)
    x = net.inputs[0]
    grad = central_difference(lambda v: net.batch_cost(inputs=[v]), x)
    assert net.weights[0].T @ deltas[1] == pytest.approx(grad, abs=1e-7)
    assert CLOSED_FORMS["notes"].input_gradient(net.view(0, deltas)).values.ravel() == pytest.approx(grad, abs=1e-7)


def test_ufldl_qa_network() -> None:
    report = verified(UFLDL_QA)
    assert report.ok
    assert UFLDL_QA.spec.regularization.l2 == 0.1 and UFLDL_QA.spec.regularization.scale == "batch"
    exact = [c for c in report.checks if c.method == "exact"]
    # m = 3: one input-gradient check per example, each tagged by its example on failure
    assert sum(c.equation == "input_gradient" for c in exact) == 3
    assert {c.layer for c in report.checks if c.equation == "BP1"} == {3}  # n_l = 3
    assert {c.layer for c in report.checks if c.equation == "BP2"} == {2}
    assert {c.layer for c in report.checks if c.equation in ("BP3", "BP4")} == {1, 2}  # W^(1), W^(2)


def test_ufldl_qa_decays_weights_not_biases() -> None:
    """With the same recipes but bias decay added, or weight decay removed, the Q&A network fails."""
    forms = CLOSED_FORMS["ufldl"]
    no_decay = dataclasses.replace(forms, batch_weight_gradient=lambda pe, W, d: reduce(operator.add, pe) / len(pe))
    report = verify(UFLDL_QA.spec, forms=no_decay, examples=3, methods=["exact"])
    assert {c.equation for c in report.failures} == {"BP4"}


def test_blog_network_has_transposed_weights_and_verifies() -> None:
    from symbackprop.network.concrete import SymbolicNetwork

    net = SymbolicNetwork(BLOG.spec)
    assert [W.shape for W in net.weights] == [(3, 4), (4, 2)]
    report = verified(BLOG)
    assert report.ok
    assert {c.layer for c in report.checks if c.equation == "BP4"} == {1, 2}


# -- MUTATIONS: deliberately wrong closed forms must be caught -------------------------------------


def const(net, rows) -> object:
    """A constant matrix in the same API as the view (SymPy for exact, NumMat for numeric)."""
    if isinstance(net.a(net.L), NumMat):
        return NumMat(np.array(rows, dtype=float))
    return sp.Matrix(rows)


def notes_slip(net):
    """The notes' slip: ∇_a C written as a^L_i − y without the index on y, i.e. a − y_1 in every row."""
    n = net.a(net.L).shape[0]
    ones = const(net, [[1]] * n)
    e1 = const(net, [[1]] + [[0]] * (n - 1))
    y1 = ones * (e1.T * net.y)  # (n, 1): y_1 repeated
    return hadamard(net.a(net.L) - y1, net.fprime(net.L))


def _sum_over_examples(per_example):
    return reduce(operator.add, per_example)


@dataclasses.dataclass(frozen=True)
class Mutation:
    name: str
    notation: str
    fields: dict
    changes: dict
    equation: str  # the equation the mutation breaks
    examples: int = 2


SQUARE = [2, 2, 2, 2]  # every W^{l+1} feeding a hidden layer is square (2 x 2)
RECT = [2, 3, 4, 2]  # no weight matrix is square
DEEP_EQUAL = [2, 3, 3, 2]  # W^2 is square: fprime(l+1) has the right shape at l = 1
REG = {"regularization": {"l2": 0.7}}

MUTATIONS = [
    # BP2 without the transpose: W^{l+1} δ^{l+1} (nielsen, ufldl); the blog's form gains one
    Mutation(
        "bp2-no-transpose-square",
        "notes",
        dict(layers=SQUARE),
        dict(bp2=lambda net, l: hadamard(net.W(l + 1) * net.delta(l + 1), net.fprime(l))),
        "BP2",
    ),
    Mutation(
        "bp2-no-transpose-rect",
        "notes",
        dict(layers=RECT),
        dict(bp2=lambda net, l: hadamard(net.W(l + 1) * net.delta(l + 1), net.fprime(l))),
        "BP2",
    ),
    Mutation(
        "ufldl-bp2-no-transpose-square",
        "ufldl",
        dict(layers=SQUARE),
        dict(bp2=lambda net, l: hadamard(net.W(l) * net.delta(l + 1), net.fprime(l))),
        "BP2",
    ),
    Mutation(
        "ufldl-bp2-no-transpose-rect",
        "ufldl",
        dict(layers=RECT),
        dict(bp2=lambda net, l: hadamard(net.W(l) * net.delta(l + 1), net.fprime(l))),
        "BP2",
    ),
    Mutation(
        "blog-bp2-extra-transpose-square",
        "blog",
        dict(layers=SQUARE),
        dict(bp2=lambda net, l: hadamard(net.W(l + 1).T * net.delta(l + 1), net.fprime(l))),
        "BP2",
    ),
    Mutation(
        "blog-bp2-extra-transpose-rect",
        "blog",
        dict(layers=RECT),
        dict(bp2=lambda net, l: hadamard(net.W(l + 1).T * net.delta(l + 1), net.fprime(l))),
        "BP2",
    ),
    # BP2 without f'
    Mutation(
        "bp2-no-fprime",
        "notes",
        dict(layers=[2, 3, 2]),
        dict(bp2=lambda net, l: net.W(l + 1).T * net.delta(l + 1)),
        "BP2",
    ),
    Mutation(
        "blog-bp2-no-fprime",
        "blog",
        dict(layers=[2, 3, 2]),
        dict(bp2=lambda net, l: net.W(l + 1) * net.delta(l + 1)),
        "BP2",
    ),
    # f' at the wrong layer
    Mutation(
        "bp2-fprime-next-layer",
        "notes",
        dict(layers=DEEP_EQUAL),
        dict(bp2=lambda net, l: hadamard(net.W(l + 1).T * net.delta(l + 1), net.fprime(l + 1))),
        "BP2",
    ),
    Mutation(
        "ufldl-bp2-fprime-next-layer",
        "ufldl",
        dict(layers=DEEP_EQUAL),
        dict(bp2=lambda net, l: hadamard(net.W(l).T * net.delta(l + 1), net.fprime(l + 1))),
        "BP2",
    ),
    # BP4 with its indices swapped
    Mutation(
        "bp4-swapped-square",
        "notes",
        dict(layers=[2, 2, 2]),
        dict(bp4=lambda net, l: net.a(l - 1) * net.delta(l).T),
        "BP4",
    ),
    Mutation(
        "bp4-swapped-rect",
        "notes",
        dict(layers=[2, 3, 4]),
        dict(bp4=lambda net, l: net.a(l - 1) * net.delta(l).T),
        "BP4",
    ),
    Mutation(
        "blog-bp4-swapped-square",
        "blog",
        dict(layers=[2, 2, 2]),
        dict(bp4=lambda net, l: net.delta(l) * net.a(l - 1).T),
        "BP4",
    ),
    Mutation(
        "blog-bp4-swapped-rect",
        "blog",
        dict(layers=[2, 3, 4]),
        dict(bp4=lambda net, l: net.delta(l) * net.a(l - 1).T),
        "BP4",
    ),
    # UFLDL's layer number off by one
    Mutation(
        "ufldl-bp4-delta-l",
        "ufldl",
        dict(layers=[2, 2, 2]),
        dict(bp4=lambda net, l: net.delta(l) * net.a(l).T),
        "BP4",
    ),
    Mutation(
        "ufldl-bp4-a-next",
        "ufldl",
        dict(layers=[2, 2, 2]),
        dict(bp4=lambda net, l: net.delta(l + 1) * net.a(l + 1).T),
        "BP4",
    ),
    Mutation(
        "ufldl-bp4-a-next-rect",
        "ufldl",
        dict(layers=[2, 3, 4]),
        dict(bp4=lambda net, l: net.delta(l + 1) * net.a(l + 1).T),
        "BP4",
    ),
    Mutation(
        "ufldl-bp3-delta-next",
        "ufldl",
        dict(layers=[2, 2, 2, 2]),
        dict(bp3=lambda net, l: net.delta(l + 2) if l + 2 <= net.L else net.delta(l + 1)),
        "BP3",
    ),
    Mutation(
        "ufldl-input-gradient-delta-1",
        "ufldl",
        dict(layers=[2, 2, 2]),
        dict(input_gradient=lambda net: net.W(1).T * net.delta(3)),
        "input_gradient",
    ),
    # λW missing (needs a regulariser), in each notation
    Mutation(
        "no-weight-decay",
        "notes",
        dict(layers=[2, 3, 2], **REG),
        dict(batch_weight_gradient=lambda pe, W, d: _sum_over_examples(pe) / len(pe)),
        "BP4",
    ),
    Mutation(
        "ufldl-no-weight-decay",
        "ufldl",
        dict(layers=[2, 3, 2], **REG),
        dict(batch_weight_gradient=lambda pe, W, d: _sum_over_examples(pe) / len(pe)),
        "BP4",
    ),
    Mutation(
        "blog-no-weight-decay-dataset",
        "blog",
        dict(layers=[2, 3, 2], regularization={"l2": 5.0, "scale": "dataset"}),
        dict(batch_weight_gradient=lambda pe, W, d: _sum_over_examples(pe) / len(pe)),
        "BP4",
    ),
    # 1/m missing (m >= 2)
    Mutation(
        "no-average-weights",
        "notes",
        dict(layers=[2, 3, 2]),
        dict(batch_weight_gradient=lambda pe, W, d: _sum_over_examples(pe) + d * W),
        "BP4",
    ),
    Mutation(
        "ufldl-no-average-weights",
        "ufldl",
        dict(layers=[2, 3, 2], **REG),
        dict(batch_weight_gradient=lambda pe, W, d: _sum_over_examples(pe) + d * W),
        "BP4",
        examples=3,
    ),
    Mutation(
        "no-average-biases",
        "blog",
        dict(layers=[2, 3, 2]),
        dict(batch_bias_gradient=lambda pe, b, d: _sum_over_examples(pe)),
        "BP3",
    ),
    Mutation(
        "no-average-input",
        "notes",
        dict(layers=[2, 3, 2]),
        dict(batch_input_gradient=lambda pe, e: pe[e]),
        "input_gradient",
    ),
    # the notes' slip: a^L_i − y with no index on y
    Mutation("notes-slip-a-minus-y1", "notes", dict(layers=[2, 3, 2]), dict(bp1=notes_slip), "BP1"),
    Mutation("ufldl-slip-a-minus-y1", "ufldl", dict(layers=[3, 2, 3]), dict(bp1=notes_slip), "BP1"),
    # BP1 through the Jacobian with the Jacobian left out, on softmax
    Mutation(
        "bp1-jacobian-missing",
        "notes",
        dict(layers=[2, 3, 3], output="softmax", cost="log_likelihood"),
        dict(bp1_jacobian=lambda net: net.grad_a()),
        "BP1",
    ),
    # BP3 and the input gradient at the wrong layer
    Mutation(
        "bp3-previous-layer",
        "notes",
        dict(layers=[2, 2, 2, 2]),
        dict(bp3=lambda net, l: net.delta(l + 1) if l < net.L else net.delta(l)),
        "BP3",
    ),
    Mutation(
        "input-gradient-no-transpose",
        "notes",
        dict(layers=[2, 2, 2]),
        dict(input_gradient=lambda net: net.W(1) * net.delta(1)),
        "input_gradient",
    ),
]


def mutated(m: Mutation):
    spec = make_spec(notation=m.notation, **m.fields)
    forms = dataclasses.replace(CLOSED_FORMS[m.notation], **m.changes)
    return spec, forms


def assert_caught(report: Report, equation: str, methods: set[str]) -> None:
    assert report.ok is False
    failures = report.failures
    assert failures
    assert {c.equation for c in failures} == {equation}, [c.to_dict() for c in failures]
    for c in failures:
        assert has_witness(c), c.to_dict()
    caught_by = {c.method for c in failures}
    assert methods <= caught_by, f"caught only by {caught_by}"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutation_is_caught_by_exact(mutation: Mutation) -> None:
    spec, forms = mutated(mutation)
    report = verify(spec, forms=forms, methods=["exact"], examples=mutation.examples)
    assert_caught(report, mutation.equation, {"exact"})


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutation_is_caught_by_numeric(mutation: Mutation) -> None:
    spec, forms = mutated(mutation)
    report = verify(spec, forms=forms, methods=["numeric"], examples=mutation.examples)
    assert_caught(report, mutation.equation, {"numeric"})


@pytest.mark.parametrize(
    "mutation",
    [
        m
        for m in MUTATIONS
        if m.name
        in {
            "bp2-no-transpose-square",
            "bp4-swapped-rect",
            "ufldl-bp4-a-next",
            "no-weight-decay",
            "notes-slip-a-minus-y1",
        }
    ],
    ids=lambda m: m.name,
)
def test_mutation_is_caught_by_default_verify(mutation: Mutation) -> None:
    spec, forms = mutated(mutation)
    report = verify(spec, forms=forms, examples=mutation.examples)
    assert_caught(report, mutation.equation, {"exact", "numeric"})


def test_square_no_transpose_is_a_value_error_not_a_shape_error() -> None:
    """With square W^{l+1} the missing transpose still forms a matrix: caught by values, not shapes."""
    spec, forms = mutated(MUTATIONS[0])
    report = verify(spec, forms=forms, methods=["exact", "numeric"])
    for c in report.failures:
        assert "reason" not in c.counterexample, c.to_dict()


def test_rect_no_transpose_is_reported_with_a_reason() -> None:
    spec, forms = mutated(MUTATIONS[1])
    report = verify(spec, forms=forms, methods=["exact", "numeric"])
    assert report.failures
    for c in report.failures:
        assert "reason" in c.counterexample and c.counterexample["reason"]


def test_f_prime_at_the_previous_layer_is_caught_by_exact() -> None:
    """fprime(l - 1): a value error at l = 2, and at l = 1 the input layer has no f' at all."""
    spec = make_spec(layers=DEEP_EQUAL, notation="notes")
    forms = dataclasses.replace(
        CLOSED_FORMS["notes"],
        bp2=lambda net, l: hadamard(net.W(l + 1).T * net.delta(l + 1), net.fprime(l - 1)),
    )
    report = verify(spec, forms=forms, methods=["exact"])
    assert_caught(report, "BP2", {"exact"})
    assert {c.layer for c in report.failures} == {1, 2}


def test_f_prime_at_the_previous_layer_is_caught_by_numeric() -> None:
    """The same mutation through the numeric method: f'(z^0) does not exist, which must be a failing
    check (as in the exact method), not a crash of verify()."""
    spec = make_spec(layers=DEEP_EQUAL, notation="notes")
    forms = dataclasses.replace(
        CLOSED_FORMS["notes"],
        bp2=lambda net, l: hadamard(net.W(l + 1).T * net.delta(l + 1), net.fprime(l - 1)),
    )
    report = verify(spec, forms=forms, methods=["numeric"])
    assert_caught(report, "BP2", {"numeric"})
    assert {c.layer for c in report.failures} == {1, 2}


def test_bias_decayed_is_caught_by_exact() -> None:
    spec = make_spec(layers=[2, 3, 2], regularization={"l2": 0.5})
    forms = dataclasses.replace(
        CLOSED_FORMS["ufldl"], batch_bias_gradient=lambda pe, b, d: _sum_over_examples(pe) / len(pe) + d * b
    )
    report = verify(spec, notation="ufldl", forms=forms, methods=["exact"])
    assert_caught(report, "BP3", {"exact"})


def test_bias_decayed_is_caught_by_every_method() -> None:
    """The batch bias-gradient recipe receives the biases in the numeric method too (as in the exact
    one), so a recipe that decays them is caught rather than crashing verify()."""
    spec = make_spec(layers=[2, 3, 2], regularization={"l2": 0.5}, notation="ufldl")
    forms = dataclasses.replace(
        CLOSED_FORMS["ufldl"], batch_bias_gradient=lambda pe, b, d: _sum_over_examples(pe) / len(pe) + d * b
    )
    report = verify(spec, forms=forms, examples=3)
    assert_caught(report, "BP3", {"exact", "numeric"})


def test_notes_slip_written_with_indexing_is_caught() -> None:
    """The notes' slip as a reader would write it, with y_1 taken by indexing the column vector y.

    ``net.y[0]`` is the scalar y_1 for a SymPy column vector; NumMat (the numeric method) must
    index the same way, or the recipe cannot run on numbers.
    """

    def slip(net):
        n = net.a(net.L).shape[0]
        return hadamard(net.a(net.L) - const(net, [[1]] * n) * net.y[0], net.fprime(net.L))

    spec = make_spec(layers=[2, 3, 2])
    forms = dataclasses.replace(CLOSED_FORMS["notes"], bp1=slip)
    report = verify(spec, forms=forms)
    assert_caught(report, "BP1", {"exact", "numeric"})


def test_slip_is_invisible_with_one_output() -> None:
    """With one output neuron y_1 is all of y: the 'slip' is then correct, and must verify."""
    spec = make_spec(layers=[2, 3, 1])
    forms = dataclasses.replace(CLOSED_FORMS["notes"], bp1=notes_slip)
    assert verify(spec, forms=forms, methods=["exact", "numeric"]).ok


def test_wrong_decay_is_harmless_without_a_regulariser() -> None:
    """Control: dropping λW changes nothing when there is no regulariser (λ = 0)."""
    spec = make_spec(layers=[2, 3, 2])
    forms = dataclasses.replace(
        CLOSED_FORMS["notes"], batch_weight_gradient=lambda pe, W, d: _sum_over_examples(pe) / len(pe)
    )
    assert verify(spec, forms=forms, methods=["exact", "numeric"]).ok


def test_one_over_m_is_harmless_with_one_example() -> None:
    """Control: with m = 1 the missing 1/m is invisible — which is why the verifier uses m >= 2."""
    spec = make_spec(layers=[2, 3, 2])
    forms = dataclasses.replace(
        CLOSED_FORMS["notes"], batch_weight_gradient=lambda pe, W, d: _sum_over_examples(pe) + d * W
    )
    assert verify(spec, forms=forms, methods=["exact", "numeric"], examples=1).ok
    assert not verify(spec, forms=forms, methods=["exact", "numeric"], examples=2).ok


def test_failing_check_of_a_multi_example_batch_names_its_example() -> None:
    spec, forms = mutated(next(m for m in MUTATIONS if m.name == "bp2-no-fprime"))
    report = verify(spec, forms=forms, methods=["exact"], examples=3)
    assert {c.counterexample["example"] for c in report.failures} == {1, 2, 3}


def test_exact_counterexample_holds_for_the_real_activation_or_says_so() -> None:
    """f' missing in BP2 with sigmoid: the counterexample is at the spec's own activation (no note)."""
    spec, forms = mutated(next(m for m in MUTATIONS if m.name == "bp2-no-fprime"))
    report = verify(spec, forms=forms, methods=["exact"])
    for c in report.failures:
        cx = c.counterexample
        assert "note" not in cx
        assert cx["difference"] == pytest.approx(cx["derived"] - cx["closed_form"])
        assert any(name.startswith("z^") for name in cx["values"])


def test_identity_activation_counterexample_uses_a_generic_f() -> None:
    """f' missing in BP2 is harmless for identity hidden layers (f' = 1), yet wrong for other f:
    the exact method proves for every elementwise f and says its counterexample uses another one."""
    spec = make_spec(layers=[2, 3, 2], activation="identity", output="sigmoid")
    forms = dataclasses.replace(CLOSED_FORMS["notes"], bp2=lambda net, l: net.W(l + 1).T * net.delta(l + 1))
    report = verify(spec, forms=forms, methods=["exact"])
    assert_caught(report, "BP2", {"exact"})
    for c in report.failures:
        assert "note" in c.counterexample and "activations" in c.counterexample
    # the numeric method, on the real (identity) activation, cannot see it
    assert verify(spec, forms=forms, methods=["numeric"]).ok


# -- mutated component forms: caught by the all-widths method --------------------------------------


def nielsen_bp2_w_swapped(net, l, j):
    """δ^l_j = Σ_k W^{l+1}_{jk} δ^{l+1}_k f'(z^l_j): the weight's indices in the wrong order."""
    k = net.index("k")
    return sp.Sum(net.W(l + 1)[j, k] * net.delta(l + 1)[k], (k, 1, net.width(l + 1))) * net.fprime(l)(j)


def nielsen_bp2_no_fprime(net, l, j):
    k = net.index("k")
    return sp.Sum(net.W(l + 1)[k, j] * net.delta(l + 1)[k], (k, 1, net.width(l + 1)))


def blog_bp2_w_swapped(net, l, i):
    j = net.index("j")
    return sp.Sum(net.W(l + 1)[j, i] * net.delta(l + 1)[j], (j, 1, net.width(l + 1))) * net.fprime(l)(i)


def ufldl_bp2_w_swapped(net, l, i):
    """The Q&A's Σ_j W^{(l)}_{ji} δ^{(l+1)}_j with W^{(l)}_{ij} instead."""
    j = net.index("j")
    return sp.Sum(net.W(l)[i, j] * net.delta(l + 1)[j], (j, 1, net.width(l + 1))) * net.fprime(l)(i)


def nielsen_input_gradient_w_swapped(net, k):
    j = net.index("j")
    return sp.Sum(net.W(1)[k, j] * net.delta(1)[j], (j, 1, net.width(1)))


COMPONENT_MUTATIONS = [
    ("nielsen-bp2-W-swapped", "notes", "bp2_component", "BP2", nielsen_bp2_w_swapped),
    ("nielsen-bp2-no-fprime", "notes", "bp2_component", "BP2", nielsen_bp2_no_fprime),
    (
        "nielsen-bp4-swapped",
        "notes",
        "bp4_component",
        "BP4",
        lambda net, l, j, k: net.a(l - 1)[j] * net.delta(l)[k],
    ),
    (
        "nielsen-input-W-swapped",
        "notes",
        "input_gradient_component",
        "input_gradient",
        nielsen_input_gradient_w_swapped,
    ),
    ("nielsen-bp1-no-fprime", "notes", "bp1_component", "BP1", lambda net, j: net.grad_a(j)),
    ("blog-bp2-w-swapped", "blog", "bp2_component", "BP2", blog_bp2_w_swapped),
    (
        "blog-bp4-swapped",
        "blog",
        "bp4_component",
        "BP4",
        lambda net, l, i, j: net.a(l - 1)[j] * net.delta(l)[i],
    ),
    ("ufldl-bp2-W-swapped", "ufldl", "bp2_component", "BP2", ufldl_bp2_w_swapped),
    (
        "ufldl-bp4-swapped",
        "ufldl",
        "bp4_component",
        "BP4",
        lambda net, l, i, j: net.a(l)[i] * net.delta(l + 1)[j],
    ),
    ("ufldl-bp3-delta-l", "ufldl", "bp3_component", "BP3", lambda net, l, i: net.delta(l)[i]),
]
COMPONENT_LAYERS = [2, 3, 3, 2]


@functools.cache
def unmutated_all_widths_ok(notation: str) -> bool:
    return verify(make_spec(layers=COMPONENT_LAYERS, notation=notation), methods=["all_widths"]).ok


@pytest.mark.parametrize(
    "notation, field, equation, recipe",
    [pytest.param(*m[1:], id=m[0]) for m in COMPONENT_MUTATIONS],
)
def test_component_mutation_is_caught_by_all_widths(notation, field, equation, recipe) -> None:
    spec = make_spec(layers=COMPONENT_LAYERS, notation=notation)
    forms = dataclasses.replace(CLOSED_FORMS[notation], **{field: recipe})
    report = verify(spec, forms=forms, methods=["all_widths"])
    assert_caught(report, equation, {"all_widths"})
    # control: the unmutated component forms all hold on the same network
    assert unmutated_all_widths_ok(notation)


def test_component_hadamard_form_in_place_of_the_jacobian_is_caught_for_softmax() -> None:
    """BP1 through the Jacobian replaced by the Hadamard form (only the diagonal): wrong for softmax."""
    spec = make_spec(layers=[2, 3, 3], output="softmax", cost="log_likelihood")
    forms = dataclasses.replace(CLOSED_FORMS["notes"], bp1_jacobian_component=CLOSED_FORMS["notes"].bp1_component)
    report = verify(spec, forms=forms, methods=["all_widths"])
    assert_caught(report, "BP1", {"all_widths"})


def test_softmax_jacobian_is_symmetric_so_its_transpose_verifies() -> None:
    """Control: ∂a_j/∂z_k = ∂a_k/∂z_j for softmax, so J in place of J^T is not an error there."""
    spec = make_spec(layers=[2, 3, 3], output="softmax", cost="log_likelihood")

    def untransposed(net, j):
        k = net.index("k")
        return sp.Sum(net.jacobian(net.L)(j, k) * net.grad_a(k), (k, 1, net.width(net.L)))

    forms = dataclasses.replace(CLOSED_FORMS["notes"], bp1_jacobian_component=untransposed)
    assert verify(spec, forms=forms, methods=["all_widths"]).ok


# -- the L2 scale: Nielsen's λ/n against UFLDL's λ -------------------------------------------------


def ufldl_decay_on_dataset_scale():
    """The decay coefficient of the batch scale (λ) used on a dataset-scale spec (λ/n): a real slip
    between Nielsen ch. 3 and the UFLDL Q&A."""
    from symbackprop.network.concrete import LAMBDA

    spec = make_spec(layers=[2, 3, 2], regularization={"l2": 5.0, "scale": "dataset"})
    forms = dataclasses.replace(CLOSED_FORMS["notes"], decay=lambda spec: LAMBDA)
    return spec, forms


def test_decay_with_the_wrong_scale_is_caught_by_exact() -> None:
    spec, forms = ufldl_decay_on_dataset_scale()
    assert_caught(verify(spec, forms=forms, methods=["exact"]), "BP4", {"exact"})


def test_decay_with_the_wrong_scale_is_caught_by_numeric() -> None:
    """The numeric method must use the closed forms' decay coefficient (forms.decay), evaluated at the
    spec's λ and its training-set size, rather than computing its own."""
    spec, forms = ufldl_decay_on_dataset_scale()
    assert_caught(verify(spec, forms=forms, methods=["numeric"]), "BP4", {"numeric"})


@pytest.mark.parametrize("mutation", MUTATIONS[::8], ids=lambda m: m.name)
def test_a_mutation_is_caught_by_default_verify(mutation: Mutation) -> None:
    """The default plan runs exact and numeric on these small networks, so what each method catches alone
    (the two tests above, every mutation) the default catches; a few mutations confirm it end to end."""
    spec, forms = mutated(mutation)
    report = verify(spec, forms=forms, examples=mutation.examples)
    assert_caught(report, mutation.equation, {"exact", "numeric"})


# -- plans for large specs and time budgets ----------------------------------------------------------


@pytest.mark.parametrize("case", [NOTES, UFLDL_QA, BLOG], ids=lambda c: c.id)
def test_planned_checks_are_the_checks_each_method_makes(case: Case) -> None:
    """The report lists the methods' checks in order: exact, all_widths, numeric (matched by count and content)."""
    report = verified(case)
    checks = list(report.checks)
    for method in METHODS:
        planned = planned_checks(case.spec, case.notation, method, case.examples)
        made, checks = checks[: len(planned)], checks[len(planned) :]
        assert Counter(planned) == Counter((c.equation, c.layer, c.form) for c in made), method
        assert {c.method for c in made} <= {method, "numeric"}
    assert checks == []


def test_planned_checks_for_softmax_include_the_jacobian_form() -> None:
    spec = make_spec(layers=[2, 3, 2], output="softmax", cost="log_likelihood")
    exact = planned_checks(spec, "notes", "exact", 2)
    assert exact.count(("BP1", 2, "jacobian")) == 2 and exact.count(("BP1", 2, "hadamard")) == 2
    assert ("BP1", 2, "jacobian") in planned_checks(spec, "notes", "all_widths")


def test_a_large_spec_skips_the_slow_methods_and_says_why() -> None:
    spec = make_spec(layers=[2000, 1000, 10])
    assert numeric_cost(spec) > NUMERIC_LIMIT
    report = verify(spec)
    assert report.ok and report.complete
    assert {c.method for c in report.checks} == {"all_widths"}
    plan = " ".join(report.plan)
    assert "exact: skipped" in plan and "exact limit" in plan
    assert "numeric: skipped" in plan and "numeric limit" in plan and "--max-seconds" in plan
    assert "all_widths: symbolic widths" in plan


def test_a_huge_spec_is_planned_without_allocating_it() -> None:
    spec = make_spec(layers=[100_000, 100_000, 10])
    assert spec.parameter_count > NUMERIC_MAX_PARAMETERS
    report = verify(spec, max_seconds=60)
    assert report.complete and report.ok
    assert "above" not in report.plan[0] or "exact" in report.plan[0]
    assert any("numeric: skipped" in line and "memory" in line for line in report.plan)
    with pytest.raises(VerificationError, match="numeric"):
        verify(spec, methods=["numeric"])


def test_a_time_budget_stops_the_running_method_with_a_partial_report() -> None:
    import signal
    import time

    spec = make_spec(layers=[30, 30, 10])  # the exact method needs far longer than the budget
    start = time.perf_counter()
    report = verify(spec, methods=["exact", "all_widths"], max_seconds=1.0)
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0
    assert not report.complete and not report.ok
    planned = planned_checks(spec, "notes", "exact") + planned_checks(spec, "notes", "all_widths")
    assert len(report.checks) + len(report.unfinished) == len(planned)
    assert report.unfinished and all("time budget" in c.detail for c in report.unfinished)
    assert {c.method for c in report.unfinished} == {"exact", "all_widths"}
    assert all(c.holds for c in report.checks)  # what finished is trustworthy
    plan = " ".join(report.plan)
    assert "exact: stopped by the 1 s time budget" in plan
    assert "all_widths: not started" in plan
    data = json.loads(report.to_json())
    assert data["complete"] is False and len(data["unfinished"]) == len(report.unfinished)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no timer left armed


def test_a_generous_budget_changes_nothing() -> None:
    report = verify(NOTES.spec, max_seconds=600)
    assert report.complete and report.ok and not report.unfinished
    assert [(c.equation, c.layer, c.form, c.method) for c in report.checks] == [
        (c.equation, c.layer, c.form, c.method) for c in verified(NOTES).checks
    ]


def test_time_limits_nest_and_an_outer_budget_survives_an_inner_swallowed_one() -> None:
    import time

    from symbackprop.timing import OutOfTime, time_limit

    start = time.monotonic()
    with pytest.raises(OutOfTime):
        with time_limit(0.3):
            try:  # an inner limit whose exception is swallowed (as identities' solve does) ...
                with time_limit(5):
                    while True:
                        time.sleep(0.01)
            except OutOfTime:
                pass
            swallowed = time.monotonic() - start
            while True:  # ... must not cancel the outer one
                time.sleep(0.01)
    assert 0.25 < swallowed < 1.0
    assert time.monotonic() - start < 1.5
    with time_limit(0.05):  # an inner limit shorter than the outer one still fires first
        with pytest.raises(OutOfTime):
            with time_limit(5):
                pass
            with time_limit(0.01):
                time.sleep(1)


def test_per_example_checks_name_their_example_and_batch_checks_do_not() -> None:
    report = verified(NOTES)  # m = 2 examples
    for method in ("exact", "numeric"):
        rows = [c for c in report.checks if c.method == method]
        per_example = [c for c in rows if c.equation in ("BP1", "BP2", "input_gradient")]
        assert sorted({c.example for c in per_example}) == [1, 2], method
        assert all(c.example is None for c in rows if c.equation in ("BP3", "BP4")), method
        # each (equation, layer, form, example) is checked once: no two rows of the table look alike
        keys = [(c.equation, c.layer, c.form, c.example) for c in rows]
        assert len(keys) == len(set(keys)), method
    assert json.loads(report.to_json())["checks"][0]["example"] == 1


def test_a_value_that_is_not_finite_is_no_verdict_never_a_failure():
    """1e300*z overflows at the numeric method's random point: those checks are 'not done', not FAILING
    (issue 15); the exact and all-widths methods still prove every form."""
    spec = make_spec(
        name="overflowing", layers=[2, 2, 2], activation="big", output="sigmoid",
        activations={"big": {"formula": "1e300*z"}},
    )  # fmt: skip
    report = verify(spec)
    assert not report.failures, [c.detail for c in report.failures]
    assert report.unfinished and all(
        c.method == "numeric" and c.detail.startswith("not done: ") for c in report.unfinished
    )
    assert not report.ok and not report.complete
    assert report.verdict.startswith("INCOMPLETE: ") and "not done: a value was not finite" in report.verdict
    assert any(p.startswith("not done: ") for p in report.plan)
    assert all(c.holds for c in report.checks if c.method in ("exact", "all_widths"))


@pytest.mark.parametrize(
    "hidden",
    ["where(z >= 1, 1, where(z <= -1, -1, z))", "max(z, 0.5) + min(z, 0)/4", "abs(z)"],
)
def test_custom_piecewise_formulas_hold_by_every_method(hidden):
    """A where(...) cost on y and piecewise activations (issue 16 item 2): all-widths used to FAIL BP1 with an
    inconsistent counterexample (a = 0.4 where σ(z) = 0.14), as the cost's derivative kept a^L_{j_sum} inside a
    Piecewise; now the Kronecker delta is summed out of each branch and the identity is proved at every width."""
    spec = make_spec(
        name="piecewise",
        layers=[2, 2, 2],
        activation="bent",
        output="sigmoid",
        cost="pick",
        activations={"bent": {"formula": hidden}},
        costs={"pick": {"formula": "where(y > 1/2, -log(a), -log(1 - a))"}},
    )
    report = verify(spec)
    assert report.ok and not report.unfinished, [c for c in report.checks if not c.holds]
    bp1 = next(c for c in report.checks if c.equation == "BP1" and c.method == "all_widths")
    assert "for every width" in bp1.detail
    assert {c.method for c in report.checks} == {"exact", "all_widths", "numeric"}
