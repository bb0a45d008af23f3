"""The all-widths method: symbolic widths (:mod:`symbackprop.network.indexed`), a proof for every width, per
example, in component form.

The derived component (:func:`symbackprop.derivation.indexed.derived`) and the
closed form's component at the same fresh indices are normalised (sums split,
Kronecker deltas summed away) and their difference is shown to vanish. When it
does not, the identity is instantiated at width :data:`INSTANCE_WIDTH` and
sampled for a counterexample.
"""

from __future__ import annotations

import random
import time
from functools import partial

import sympy as sp

from symbackprop.derivation import indexed as derive_indexed
from symbackprop.network import indexed
from symbackprop.network.concrete import ShapeError
from symbackprop.network.sites import checks
from symbackprop.printing.text import text
from symbackprop.spec.functions import Z
from symbackprop.timing import check_deadline, simplifies_to_zero
from symbackprop.verification import sampling
from symbackprop.verification.report import Check, Comparison

#: The width every layer gets when an all-widths identity is instantiated to look for a counterexample.
INSTANCE_WIDTH = 3


def run(ctx) -> None:
    """Every planned all-widths check, recorded in ``ctx`` as it finishes."""
    net = indexed.IndexedNetwork(ctx.spec, notation=ctx.notation)
    view = net.view()
    rng = random.Random(ctx.seed)
    for planned in checks(ctx.spec, ctx.notation, "all_widths", ctx.examples):
        check_deadline(ctx.deadline)
        start = time.perf_counter()
        site = planned.site
        indices = derive_indexed.site_indices(net, site)
        derive = partial(derive_indexed.derived, net, site, indices)
        closed = partial(ctx.forms.component, site, planned.form, view, indices)
        result = compare(net, derive, closed, rng)
        ctx.add(Check.of(planned, result, time.perf_counter() - start))


def compare(net: indexed.IndexedNetwork, derive, closed_form, rng: random.Random):
    """What comparing a derived component with a component recipe finds, for every width."""
    try:
        derived = indexed.normalize(derive(), net.ranges)
        closed = indexed.normalize(closed_form().doit(), net.ranges)
    except (ShapeError, IndexError, TypeError) as error:
        return Comparison(False, "all_widths", "error", {"reason": f"the closed form cannot be formed: {error}"})
    difference = derived - closed
    if indexed.is_zero(difference):
        return Comparison(True, "all_widths", "difference vanishes for every width")
    if simplifies_to_zero(difference):
        return Comparison(True, "all_widths", "difference simplifies to 0 for every width")
    found = counterexample(net, derived, closed, rng)
    if found is None:
        detail = f"not proved for every width; agrees at widths {INSTANCE_WIDTH} at random points"
        return Comparison(True, "numeric", detail)
    result, point = found
    result["residual"] = text(difference)[:500]
    return Comparison(False, "all_widths", "the difference does not vanish", result, point)


def counterexample(net: indexed.IndexedNetwork, lhs: sp.Expr, rhs: sp.Expr, rng: random.Random):
    """(values, point) at which two component expressions differ, at width INSTANCE_WIDTH, or None."""
    widths = {n: INSTANCE_WIDTH for n in net.widths}
    free = sorted((lhs.free_symbols | rhs.free_symbols) & set(net.ranges), key=str)
    for generic in (False, True):
        bodies = {}
        for k in range(1, net.depth + 1):
            act = net.spec.layer_activation(k)
            if act.elementwise:
                body = sampling.stand_in(k + 1) if generic else act.formula
                bodies[net.activation_function(k)] = sp.Lambda(Z, body)
        for attempt in range(sampling.POINTS):
            indices = {s: (1 if attempt == 0 else rng.randint(1, INSTANCE_WIDTH)) for s in free}

            def instance(expr, indices=indices, bodies=bodies):
                return sampling.with_activations(expr.subs(widths).doit().subs(indices), bodies)

            left, right = instance(lhs), instance(rhs)
            difference = sampling.find_difference(left, right, rng, atoms=lambda e: e.atoms(sp.Indexed), points=1)
            if difference is None:
                continue
            result = {
                "widths": {str(n): INSTANCE_WIDTH for n in net.widths},
                "indices": {str(s): v for s, v in indices.items()},
                "values": difference.named_values(),
                "derived": sampling.number(difference.left),
                "closed_form": sampling.number(difference.right),
                "difference": sampling.number(difference.left - difference.right),
            }
            if generic:
                result["activations"] = {str(f): str(b.expr) for f, b in bodies.items()}
                result["note"] = "holds for this network's activations but not for every elementwise f"
            return result, tuple(difference.values.items())
    return None
