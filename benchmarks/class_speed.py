"""Benchmark: a whole class, 200 files of 4 answers, graded by `symbackprop check SPEC --answers FOLDER`
(issue 13: 800 answers in at most 60 s on this 2-core machine, cold cache).

Run by hand (one BLAS thread per process, medians of --repeat runs):

    python benchmarks/class_speed.py [--repeat 3] [--students 200] [--jobs 2]

Each run is a fresh `symbackprop check` process (cold: nothing derived before it starts), timed from start to
exit, gradebook written. The answers are the test corpus of the notes' network (tests/check/answers/notes.txt:
the textbook forms, the common slips, unreadable input), four drawn at random per student. Two classes:

- ``as drawn``: students share answers, as a class does (one slip written the same way by many students is
  graded once);
- ``all distinct``: every answer made unique by a space after its first '=' (the same mathematics, a different
  text), so that nothing is shared and every one of the 800 answers is graded.

Baseline, in the same run: the same 800 answers graded with --jobs 1.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from symbackprop.check.read import read_answers  # noqa: E402

ANSWERS = Path(__file__).resolve().parent.parent / "tests" / "check" / "answers"


def write_class(folder: Path, students: int, distinct: bool, seed: int = 1) -> int:
    """``students`` files of 4 answers drawn from the corpus; returns the number of answers written."""
    pool = read_answers((ANSWERS / "notes.txt").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for n in range(1, students + 1):
        lines = []
        for q, answer in enumerate(rng.sample(pool, 4), 1):
            text = " ".join(answer.text.split())
            if distinct:  # the same formula, another text: n spaces after its first '='
                head, eq, tail = text.partition("=")
                text = head + eq + " " * (n + q) + tail if eq else " " * (n + q) + text
            options = ", ".join(x for x in (answer.equation, answer.notation) if x)
            lines.append(f"q{q}" + (f" ({options})" if options else "") + f": {text}")
        (folder / f"student{n:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 4 * students


def run(folder: Path, jobs: int) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", "check", str(ANSWERS / "notes.toml"), "--answers", str(folder),
         "--gradebook", str(folder.parent / f"{folder.name}-{jobs}.csv"), "--jobs", str(jobs), "-q", "--force"],
        capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1, 2) or "answers" not in done.stdout:
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label, distinct in (("as drawn", False), ("all distinct", True)):
            folder = Path(tmp) / label.replace(" ", "-")
            answers = write_class(folder, args.students, distinct)
            times = {jobs: [] for jobs in (1, args.jobs)}
            for _ in range(args.repeat):
                for jobs in times:
                    times[jobs].append(run(folder, jobs))
            serial, parallel = (statistics.median(times[j]) for j in (1, args.jobs))
            print(
                f"{label:12s}: {answers} answers ({args.students} files of 4), median of {args.repeat}: "
                f"{parallel:.1f} s with --jobs {args.jobs}, {serial:.1f} s with --jobs 1 "
                f"(x{serial / parallel:.2f}); target <= 60 s"
            )


if __name__ == "__main__":
    main()
