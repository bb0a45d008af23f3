"""Benchmark: how long `verify` takes, against a naive monolithic derivation measured in the same run.

Run by hand (one BLAS thread, medians of --repeat runs):

    python benchmarks/verify_speed.py [--repeat 3] [--baseline-seconds 60]

Prints, for issue 2's targets:
* `verify` of [784, 30, 10], sigmoid + quadratic (all-widths proof, identities, numeric check);
* the exact elementwise method on [16, 16, 10];
* [8] * k for k = 2..6 (all methods), with the time per layer, to show growth with depth;
* the baseline: differentiating the monolithic (fully composed) cost with respect to every parameter
  and expanding the difference to the closed form, on [4, 4, 4, 2] with sigmoid, stopped after
  --baseline-seconds; and the layer-by-layer exact method on the same network, with the ratio.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import sympy as sp  # noqa: E402

from symbackprop import make_spec, verify  # noqa: E402
from symbackprop.closed_forms import CLOSED_FORMS  # noqa: E402
from symbackprop.network.concrete import SymbolicNetwork  # noqa: E402
from symbackprop.timing import OutOfTime, time_limit  # noqa: E402


def median_seconds(run, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def monolithic(layers: list[int]) -> None:
    """The naive route: compose the whole cost, diff w.r.t. each weight, compare with BP4 expanded."""
    spec = make_spec(layers=layers, activation="sigmoid", cost="quadratic")
    net = SymbolicNetwork(spec, examples=1, abstract=False)
    forms = CLOSED_FORMS["nielsen"]
    a = net.inputs[0]
    zs = []
    for k in range(1, net.depth + 1):
        z = net.weights[k - 1] * a + net.biases[k - 1]
        zs.append(z)
        a = z.applyfunc(lambda t: 1 / (1 + sp.exp(-t)))
    cost = sum(((a[i] - net.targets[0][i]) ** 2 / 2 for i in range(len(a))), sp.Integer(0))
    # δ's of the closed form evaluated along the composition, then ∂C/∂W^1 against δ^1 (a^0)^T
    view = net.view(0)
    substitutions = {}
    for k in range(1, net.depth + 1):
        substitutions.update(dict(zip(net.layer(k).z, zs[k - 1])))
    delta = forms.bp1(view)
    for k in range(net.depth - 1, 0, -1):
        substitutions.update(dict(zip(net.layer(k + 1).delta, delta)))
        delta = forms.bp2(view, k)
    substitutions.update(dict(zip(net.layer(1).delta, delta)))
    closed = forms.bp4(view, 1).subs(substitutions)
    W = net.weights[0]
    for r in range(W.rows):
        for c in range(W.cols):
            difference = sp.diff(cost, W[r, c]) - closed[r, c]
            assert sp.simplify(difference) == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-seconds", type=float, default=60.0)
    args = parser.parse_args()
    r = args.repeat
    rows = []

    seconds, report = median_seconds(lambda: verify(make_spec(layers=[784, 30, 10])), r)
    assert report.ok
    rows.append(("verify [784,30,10] sigmoid+quadratic (all methods that fit)", seconds, "target < 10 s"))

    seconds, report = median_seconds(lambda: verify(make_spec(layers=[16, 16, 10]), methods=["exact"]), r)
    assert report.ok
    rows.append(("exact elementwise [16,16,10], 2 examples", seconds, "target < 30 s"))

    depth_times = {}
    for k in range(2, 7):
        seconds, report = median_seconds(lambda k=k: verify(make_spec(layers=[8] * k)), r)
        assert report.ok
        depth_times[k] = seconds
        rows.append((f"verify [8]*{k} (all methods)", seconds, f"{seconds / (k - 1):.3f} s per weight layer"))

    print(f"symbackprop verify benchmark (median of {r} runs, one BLAS thread)")
    for name, seconds, note in rows:
        print(f"  {name:<58} {seconds:8.3f} s   {note}")
    growth = (depth_times[6] / 5) / (depth_times[2] / 1)
    print(f"  time per weight layer at [8]*6 / at [8]*2: {growth:.2f} (<= 1 means no worse than linear)")

    layered, report = median_seconds(lambda: verify(make_spec(layers=[4, 4, 4, 2]), methods=["exact"]), r)
    assert report.ok
    start = time.perf_counter()
    try:
        with time_limit(args.baseline_seconds):
            monolithic([4, 4, 4, 2])
        baseline = time.perf_counter() - start
        finished = "finished"
    except OutOfTime:
        baseline = args.baseline_seconds
        finished = "did NOT finish (stopped)"
    print(f"  baseline, monolithic diff + simplify of dC/dW^1 only, [4,4,4,2]: {baseline:8.3f} s  {finished}")
    print(f"  layer-by-layer exact method, every equation, [4,4,4,2]:          {layered:8.3f} s")
    print(f"  ratio baseline / layered: {'>= ' if finished != 'finished' else ''}{baseline / layered:.1f}x")


if __name__ == "__main__":
    main()
