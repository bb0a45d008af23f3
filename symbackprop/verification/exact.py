"""The exact method: at the spec's widths, every elementwise layer an abstract f^l, a proof for every
elementwise activation.

Each derived matrix (:func:`symbackprop.derivation.layered.derived`) and the
closed form of the same site are subtracted entry by entry and expanded; an
entry that does not expand to 0 is sampled (:mod:`symbackprop.verification.sampling`)
with the layer's real activation and then with a generic stand-in, which says
whether the form holds for this network only or fails outright. The batch cost
(m examples, the L2 term) is used, so averaging and weight decay are checked.
"""

from __future__ import annotations

import random
import time
from functools import partial

import numpy as np
import sympy as sp

from symbackprop.derivation import layered
from symbackprop.network.concrete import ShapeError, SymbolicNetwork
from symbackprop.network.sites import checks
from symbackprop.spec.functions import Z
from symbackprop.timing import check_deadline, simplifies_to_zero
from symbackprop.verification import sampling
from symbackprop.verification.report import Check, Comparison


def run(ctx) -> None:
    """Every planned exact check, recorded in ``ctx`` as it finishes."""
    net = SymbolicNetwork(ctx.spec, notation=ctx.notation, examples=ctx.examples, abstract=True)
    views = [net.view(e) for e in net.example_indices]
    rng = random.Random(ctx.seed)
    decay = ctx.forms.decay(ctx.spec)
    multiple = len(views) > 1
    for planned in checks(ctx.spec, ctx.notation, "exact", ctx.examples):
        check_deadline(ctx.deadline)
        start = time.perf_counter()
        site, e = planned.site, planned.example
        derived = layered.derived(net, site, e)
        closed = partial(ctx.forms.matrix, planned, views, _parameters(net, site.equation), decay)
        result = compare(net, derived, closed, rng)
        number = e + 1 if e is not None and multiple else None
        if result.counterexample is not None and number is not None:
            result.counterexample["example"] = number
        ctx.add(Check.of(planned, result, time.perf_counter() - start, number))


def _parameters(net: SymbolicNetwork, equation: str) -> list:
    return net.biases if equation == "BP3" else net.weights


def compare(net: SymbolicNetwork, derived: sp.Matrix, closed_form, rng: random.Random):
    """What comparing a derived matrix with a closed-form recipe finds, entry by entry."""
    try:
        closed = closed_form()
    except (ShapeError, sp.ShapeError, IndexError) as error:
        return Comparison(False, "exact", "shape error", {"reason": f"the closed form cannot be formed: {error}"})
    if closed.shape != derived.shape:
        reason = f"shape mismatch: derived {derived.shape}, closed form {closed.shape}"
        return Comparison(False, "exact", reason, {"reason": reason})
    unproved = []
    for index in np.ndindex(*derived.shape):
        difference = sp.expand(derived[index] - closed[index])
        if difference == 0:
            continue
        found = counterexample(net, derived[index], closed[index], rng)
        if found is not None:
            result, point = found
            result["entry"] = [i + 1 for i in index]
            return Comparison(False, "exact", f"entry {tuple(i + 1 for i in index)} differs", result, point)
        if not simplifies_to_zero(difference):
            unproved.append(index)
    if unproved:
        detail = f"{len(unproved)} entries vanish at random points but did not simplify to 0"
        return Comparison(True, "numeric", detail)
    return Comparison(True, "exact", "difference expands to 0")


def activation_bodies(net: SymbolicNetwork, generic: bool) -> dict:
    """Each abstract f^l with the body that replaces it: the layer's activation, or a generic stand-in."""
    bodies = {}
    for k in range(1, net.depth + 1):
        if net.is_abstract(k):
            body = sampling.stand_in(k + 1) if generic else net.activation(k).formula
            bodies[net.abstract_function(k)] = sp.Lambda(Z, body)
    return bodies


def counterexample(net: SymbolicNetwork, lhs: sp.Expr, rhs: sp.Expr, rng: random.Random):
    """(the counterexample, its point) where lhs and rhs differ, with the real activations first, then generic
    ones; None when they agree at every sampled point."""
    for generic in (False, True):
        bodies = activation_bodies(net, generic)
        left, right = sampling.with_activations(lhs, bodies), sampling.with_activations(rhs, bodies)
        difference = sampling.find_difference(left, right, rng, constraints=net.target_constraints)
        if difference is None:
            continue
        result = {
            "values": difference.named_values(),
            "derived": sampling.number(difference.left),
            "closed_form": sampling.number(difference.right),
            "difference": sampling.number(difference.left - difference.right),
        }
        if generic:
            result["activations"] = {str(f): str(body.expr) for f, body in bodies.items()}
            result["note"] = "holds for this network's activations but not for every elementwise f"
        return result, tuple(difference.values.items())
    return None
