"""The mutation catalogue in every notation of the catalogue: each wrong closed form is caught, by the exact and
the numeric method, at the equation it breaks, with a counterexample.

The mutations are written once, against the views the recipes read (``net.W(l)``, ``net.fprime(l)``,
``net.a(l)``) or the batch recipes, so they apply to every notation's own statement of the closed forms: a
missing transpose, f' at the wrong layer, a weight gradient with its indices swapped, a layer number off by
one, the average 1/m left out, the decay λW left out, and a decayed bias. Each runs on a network whose
shapes let the wrong form through (square weights where a transpose is missing), so it is caught by its
values, not by a shape error alone.
"""

from __future__ import annotations

import dataclasses
import operator
from functools import reduce

import pytest
from networks import MATRIX

from symbackprop.closed_forms import CLOSED_FORMS
from symbackprop.notation.catalogue import names
from symbackprop.spec.load import make_spec
from symbackprop.verification import verify


class Mutated:
    """A view of the network with some of its quantities replaced (everything else read through)."""

    def __init__(self, net, **replaced):
        self._net, self._replaced = net, replaced

    def __getattr__(self, name):
        if name in self._replaced:
            return self._replaced[name](self._net)
        return getattr(self._net, name)


def _other_layer(net, l: int) -> int:
    """The next layer when the network has one, else the previous: a layer number off by one."""
    problem = net.notation.layer_problem(l + 1, net.notation.internal_layer(net.L))
    return l - 1 if problem else l + 1


def _mean(per_example):
    return reduce(operator.add, per_example) / len(per_example)


MUTATIONS = {
    # (layers, fields, equation, changes(forms) -> fields of ClosedForms to replace)
    "missing transpose": (
        [2, 2, 2, 2],
        {},
        "BP2",
        lambda f: {"bp2": lambda net, l: f.bp2(Mutated(net, W=lambda n: lambda k: n.W(k).T), l)},
    ),
    "f' at the wrong layer": (
        [2, 3, 3, 2],
        {},
        "BP2",
        lambda f: {"bp2": lambda net, l: f.bp2(Mutated(net, fprime=lambda n: lambda k: n.fprime(k + 1)), l)},
    ),
    "indices swapped": ([2, 2, 2], {}, "BP4", lambda f: {"bp4": lambda net, l: f.bp4(net, l).T}),
    "layer numbering off by one": (
        [2, 2, 2],
        {},
        "BP4",
        lambda f: {"bp4": lambda net, l: f.bp4(Mutated(net, a=lambda n: lambda k: n.a(_other_layer(n, k))), l)},
    ),
    "missing 1/m": (
        [2, 3, 2],
        {},
        "BP4",
        lambda f: {"batch_weight_gradient": lambda pe, W, d: reduce(operator.add, pe) + d * W},
    ),
    "missing λ": (
        [2, 3, 2],
        {"regularization": {"l2": 0.7}},
        "BP4",
        lambda f: {"batch_weight_gradient": lambda pe, W, d: _mean(pe)},
    ),
    "a decayed bias": (
        [2, 3, 2],
        {"regularization": {"l2": 0.7}},
        "BP3",
        lambda f: {"batch_bias_gradient": lambda pe, b, d: _mean(pe) + d * b},
    ),
}


def _pairs() -> list:
    """Every (notation, mutation); a third of them in the default run (each notation and each mutation at least
    twice, in turn), the rest under the ``matrix`` marker."""
    return [
        pytest.param(notation, mutation, marks=() if (i + j) % 3 == 0 else MATRIX, id=f"{notation}-{mutation}")
        for i, notation in enumerate(names())
        for j, mutation in enumerate(MUTATIONS)
    ]


@pytest.mark.parametrize(("notation", "mutation"), _pairs())
def test_every_mutation_is_caught_in_every_notation(notation: str, mutation: str) -> None:
    layers, fields, equation, changes = MUTATIONS[mutation]
    spec = make_spec(layers=layers, notation=notation, **fields)
    right = CLOSED_FORMS[notation]
    forms = dataclasses.replace(right, **changes(right))
    report = verify(spec, forms=forms, methods=["exact", "numeric"], examples=2)
    assert report.ok is False
    failures = report.failures
    assert {c.equation for c in failures} == {equation}, [c.to_dict() for c in failures]
    assert {c.method for c in failures} == {"exact", "numeric"}
    assert all(c.counterexample for c in failures)  # (the unmutated forms verify: tests/networks.py's FAST)
