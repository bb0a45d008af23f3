"""The numeric method: the concrete network (the spec's real activations and cost) at random parameters, every
closed form against central finite differences of the batch cost.

A cross-check at any width: the same closed-form recipes the proofs check run
on NumPy arrays (:class:`~symbackprop.network.numeric.NumMat`), and the truth
is the finite difference of the cost itself, not any derivation.
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np

from symbackprop.network import numeric
from symbackprop.network.concrete import ShapeError
from symbackprop.network.sites import Planned, checks
from symbackprop.timing import check_deadline
from symbackprop.verification.report import NOT_FINITE, Check, Comparison


def run(ctx) -> None:
    """Every planned numeric check, recorded in ``ctx`` as it finishes; NumPy's overflow and invalid-value
    warnings are off, as a value that is not finite makes its check "not done" (see :func:`compare`)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _run(ctx)


def _run(ctx) -> None:
    net = numeric.NumericNetwork(ctx.spec, notation=ctx.notation, examples=ctx.examples, seed=ctx.seed)
    start = time.perf_counter()
    deltas = [net.true_deltas(e) for e in range(ctx.examples)]
    views = [net.view(e, deltas[e]) for e in range(ctx.examples)]
    setup = time.perf_counter() - start  # counted in each example's first check
    rng = np.random.default_rng(ctx.seed)
    decay = net.number(ctx.forms.decay(ctx.spec))
    parameters = {"BP3": [numeric.NumMat(b) for b in net.biases], "BP4": [numeric.NumMat(W) for W in net.weights]}
    for planned in checks(ctx.spec, ctx.notation, "numeric", ctx.examples):
        check_deadline(ctx.deadline)
        start = time.perf_counter()
        site, e = planned.site, planned.example
        closed = partial(ctx.forms.matrix, planned, views, parameters.get(site.equation, ()), decay)
        result = compare(partial(truth, net, planned, deltas, rng), closed)
        if not result.done:  # no verdict: listed as not done, never as failing
            ctx.not_done.append(Check.of(planned, result, time.perf_counter() - start))
            continue
        first = site.equation == "BP1" and planned.form == "hadamard"
        seconds = time.perf_counter() - start + (setup / ctx.examples if first else 0.0)
        ctx.add(Check.of(planned, result, seconds, e + 1 if e is not None and ctx.examples > 1 else None))


def truth(net: numeric.NumericNetwork, planned: Planned, deltas, rng) -> tuple[np.ndarray, list | None]:
    """The finite-difference value at a planned site, and the flat entries it covers (None: every entry).

    δ comes from the finite differences of each example's cost in z; the gradients from those of the batch
    cost in the biases, in at most :data:`~symbackprop.network.numeric.MAX_ENTRIES` weights, or in one
    example's input.
    """
    site, e, k = planned.site, planned.example, planned.site.k
    if site.equation in ("BP1", "BP2"):
        return deltas[e][k], None
    if site.equation == "BP3":

        def with_biases(b):
            biases = list(net.biases)
            biases[k - 1] = b
            return net.batch_cost(biases=biases)

        return numeric.central_difference(with_biases, net.biases[k - 1]), None
    if site.equation == "BP4":
        W = net.weights[k - 1]
        entries = None
        if W.size > numeric.MAX_ENTRIES:
            entries = sorted(rng.choice(W.size, size=numeric.MAX_ENTRIES, replace=False).tolist())

        def with_weights(w):
            weights = list(net.weights)
            weights[k - 1] = w
            return net.batch_cost(weights=weights)

        return numeric.central_difference(with_weights, W, entries), entries

    def with_input(x):
        inputs = list(net.inputs)
        inputs[e] = x
        return net.batch_cost(inputs=inputs)

    return numeric.central_difference(with_input, net.inputs[e]), None


def compare(truth, closed_form):
    """What comparing a closed form's numbers with finite differences finds."""
    try:
        closed = closed_form()
    except (ShapeError, ValueError, IndexError) as error:
        return Comparison(False, "numeric", "shape error", {"reason": f"the closed form cannot be formed: {error}"})
    expected, entries = truth()
    got = closed.values
    expected = expected.reshape(expected.shape[0], -1) if expected.ndim > 1 else expected.reshape(-1, 1)
    if got.shape != expected.shape:
        reason = f"shape mismatch: finite differences {expected.shape}, closed form {got.shape}"
        return Comparison(False, "numeric", reason, {"reason": reason})
    if not np.all(np.isfinite(got)) or not np.all(np.isfinite(expected[~np.isnan(expected)])):
        bad = int(np.count_nonzero(~np.isfinite(got)) + np.count_nonzero(np.isinf(expected)))
        detail = f"{NOT_FINITE}{bad} values are not finite at this network's random point; no verdict"
        return Comparison(False, "numeric", detail, {"reason": detail}, done=False)
    mask = ~np.isnan(expected)
    error = np.where(mask, np.abs(got - np.where(mask, expected, 0.0)), 0.0)
    scale = np.maximum(1.0, np.abs(got))
    worst = np.unravel_index(np.argmax(error / scale), error.shape)
    checked = int(mask.sum())
    if error[worst] <= numeric.TOLERANCE * scale[worst]:
        return Comparison(True, "numeric", f"{checked} entries agree with finite differences to {numeric.TOLERANCE:g}")
    counterexample = {
        "entry": [int(i) + 1 for i in worst],
        "finite_difference": float(expected[worst]),
        "closed_form": float(got[worst]),
        "difference": float(got[worst] - expected[worst]),
    }
    detail = f"entry {tuple(int(i) + 1 for i in worst)} differs from finite differences"
    return Comparison(False, "numeric", detail, counterexample)
