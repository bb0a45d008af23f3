"""Benchmark: grading 100 answers for a [2, 3, 2] network with `symbackprop check` (issue 7: under 30 s).

Run by hand (one BLAS thread, medians of --repeat runs):

    python benchmarks/check_speed.py [--repeat 3] [--answers 100]

The answers are the test corpus (tests/check/answers/nielsen.txt, ufldl.txt, blog.txt: textbook forms, plausible
mistakes, the source texts' slips, unreadable input), cycled to --answers entries and graded against the
spec each file was written for, as a class's answers would be. Every run starts cold: the caches of
symbolic networks and derived quantities are cleared before it, so each run pays for its own derivations.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import collections  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

from symbackprop.check import backends  # noqa: E402
from symbackprop.check import grade as grading  # noqa: E402
from symbackprop.check.read import read_answers  # noqa: E402
from symbackprop.spec.load import load_spec  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "check" / "answers"


def workload(count: int) -> list[tuple[object, object]]:
    """(spec, submission) pairs: the corpus cycled to ``count`` answers, ids made unique."""
    pool = []
    for notation in ("nielsen", "ufldl", "blog"):
        spec = load_spec(CORPUS / f"{notation}.toml")
        for sub in read_answers((CORPUS / f"{notation}.txt").read_text(encoding="utf-8")):
            pool.append((spec, sub))
    return [(spec, replace(sub, ident=f"{sub.ident}#{n}")) for n, (spec, sub) in zip(range(count), _cycle(pool))]


def _cycle(pool):
    while True:
        yield from pool


def run(items) -> collections.Counter:
    for cache in (backends.network_at, backends.truth_matrix):
        cache.cache_clear()
    verdicts = collections.Counter()
    for spec, sub in items:
        v = grading.grade(spec, sub.text, equation=sub.equation, notation=sub.notation, ident=sub.ident)
        verdicts[v.status] += 1
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--answers", type=int, default=100)
    args = parser.parse_args()
    items = workload(args.answers)
    times, counts = [], None
    for _ in range(args.repeat):
        start = time.perf_counter()
        counts = run(items)
        times.append(time.perf_counter() - start)
    print(f"check: {args.answers} answers on [2, 3, 2] networks ({dict(counts)})")
    print(f"  runs: {', '.join(f'{t:.2f}' for t in times)} s; median {statistics.median(times):.2f} s (target < 30 s)")
    print(f"  per answer: {statistics.median(times) / args.answers * 1000:.0f} ms")


if __name__ == "__main__":
    main()
