"""Nielsen's published MNIST accuracies, reproduced with symbackprop's generated modules.

Each row of the table is one of the book's networks, written as a spec; the
generated module trains it (three seeds by default) on MNIST with the book's
convention: the first 50,000 training images, pixels scaled to [0, 1],
evaluated after every epoch on the 10,000 test images. For each row the
table gives the median over seeds of the best-epoch accuracy and of the final
one, beside the figure the book reports.

The book's figures (Michael Nielsen, "Neural Networks and Deep Learning"):

* ch. 1, [784, 30, 10]: 95.42% at its peak; [784, 100, 10]: 96.59%;
* ch. 3, cross-entropy, η = 0.5: 95.49% with 30 hidden neurons, 96.82% with 100;
* ch. 3, [784, 100, 10], cross-entropy, λ = 5.0, η = 0.5, 30 epochs: "The final
  result is a classification accuracy of 97.92 percent on the validation
  data." The book ran that one with its old N(0, 1) weights
  (large_weight_initializer) and measured it on its validation images; our row
  uses the N(0, 1/n_in) weights of the chapter's default initializer, as the
  issue asks, and the test images.

Usage::

    python benchmarks/nielsen_table.py                       # all five rows, three seeds, 30 epochs
    python benchmarks/nielsen_table.py --rows ch1-30 --seeds 0 --epochs 2 --train-limit 5000   # smoke test
    python benchmarks/nielsen_table.py --json results.json   # also write every run's history

Results are appended to the JSON file as each run finishes, so an interrupted
run keeps what it measured.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from symbackprop.emission.module import generate_source
from symbackprop.spec.load import spec_from_dict
from symbackprop.training.data import load_data
from symbackprop.training.train import import_generated

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    spec: dict
    book: float  # percent


def _spec(name, hidden, cost, eta, init="normal", l2=None) -> dict:
    spec = {
        "name": name,
        "layers": [784, hidden, 10],
        "activation": "sigmoid",
        "cost": cost,
        "training": {"eta": eta, "batch_size": 10, "epochs": 30, "init": init},
    }
    if l2 is not None:
        spec["regularization"] = {"l2": l2, "scale": "dataset"}
    return spec


ROWS = (
    Row("ch1-30", "ch1 [784,30,10] quadratic eta=3.0", _spec("ch1_30", 30, "quadratic", 3.0), 95.42),
    Row("ch1-100", "ch1 [784,100,10] quadratic eta=3.0", _spec("ch1_100", 100, "quadratic", 3.0), 96.59),
    Row("ch3-30", "ch3 [784,30,10] cross-entropy eta=0.5", _spec("ch3_30", 30, "cross_entropy", 0.5), 95.49),
    Row("ch3-100", "ch3 [784,100,10] cross-entropy eta=0.5", _spec("ch3_100", 100, "cross_entropy", 0.5), 96.82),
    Row(
        "ch3-100-l2",
        "ch3 [784,100,10] CE, L2 5.0/n, N(0,1/n_in)",
        _spec("ch3_100_l2", 100, "cross_entropy", 0.5, init="normal_scaled", l2=5.0),
        97.92,
    ),
)


def generate(row: Row, folder: Path):
    """The row's module, written into ``folder`` and imported (all rows are generated before any training)."""
    spec = spec_from_dict(row.spec, source=row.key)
    path = folder / f"{spec.name}.py"
    path.write_text(generate_source(spec), encoding="utf-8")
    return spec, import_generated(path)


def run_one(row: Row, spec, module, seed: int, data, epochs: int, train_limit: int | None) -> dict:
    X, labels = data.X_train, data.labels_train
    if train_limit:
        X, labels = X[:train_limit], labels[:train_limit]
    Y = data.one_hot(10)[: len(X)]
    net = module.Network(seed=seed)
    start = time.perf_counter()
    history = net.train(
        X,
        Y,
        epochs=epochs,
        batch_size=spec.training.batch_size,
        eta=spec.training.eta,
        test=(data.X_test, data.labels_test),
        seed=seed,
    )
    seconds = time.perf_counter() - start
    accuracies = [100 * entry["accuracy"] for entry in history]
    return {
        "row": row.key,
        "seed": seed,
        "epochs": epochs,
        "train": len(X),
        "best": max(accuracies),
        "best_epoch": accuracies.index(max(accuracies)) + 1,
        "final": accuracies[-1],
        "seconds": round(seconds, 1),
        "accuracies": accuracies,
    }


def table(rows: list[Row], results: list[dict]) -> str:
    lines = [
        f"| {'network':<44} | book % | median best % (seeds) | median final % | best-epoch range % | minutes |",
        f"|{'-' * 46}|--------|-----------------------|----------------|--------------------|---------|",
    ]
    for row in rows:
        runs = [r for r in results if r["row"] == row.key]
        if not runs:
            continue
        best = statistics.median(r["best"] for r in runs)
        final = statistics.median(r["final"] for r in runs)
        spread = f"{min(r['best'] for r in runs):.2f}-{max(r['best'] for r in runs):.2f}"
        minutes = sum(r["seconds"] for r in runs) / 60
        verdict = "ok" if best >= row.book - 0.5 else "BELOW"
        lines.append(
            f"| {row.label:<44} | {row.book:6.2f} | {f'{best:.2f} ({len(runs)}) {verdict}':<21} | {final:14.2f} "
            f"| {spread:>18} | {minutes:7.1f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", nargs="+", choices=[row.key for row in ROWS], help="rows to run (default: all)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2], help="seeds (default: 0 1 2)")
    parser.add_argument("--epochs", type=int, default=30, help="epochs per run (default: 30, the book's)")
    parser.add_argument("--train-limit", type=int, help="train on only the first N images (smoke tests)")
    parser.add_argument("--data", default=str(SHARED_DATA), help="MNIST: an IDX folder, mnist.pkl.gz or 'mnist'")
    parser.add_argument("--json", help="append every run (with its per-epoch accuracies) to this JSON file")
    args = parser.parse_args(argv)
    rows = [row for row in ROWS if not args.rows or row.key in args.rows]
    data = load_data(args.data)
    print(f"data: {data.description} ({data.source})", flush=True)
    results = []
    if args.json and Path(args.json).exists():
        results = [r for r in json.loads(Path(args.json).read_text()) if r["epochs"] == args.epochs]
    wall = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        modules = {row.key: generate(row, Path(folder)) for row in rows}
        for row in rows:
            for seed in args.seeds:
                if any(r["row"] == row.key and r["seed"] == seed for r in results):
                    continue  # already measured in an earlier, interrupted run
                result = run_one(row, *modules[row.key], seed, data, args.epochs, args.train_limit)
                results.append(result)
                print(
                    f"{row.key} seed {seed}: best {result['best']:.2f}% (epoch {result['best_epoch']}), "
                    f"final {result['final']:.2f}%, {result['seconds']:.0f} s",
                    flush=True,
                )
                if args.json:
                    Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    print()
    print(table(rows, results))
    print(f"\nwall time of this invocation: {(time.perf_counter() - wall) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
