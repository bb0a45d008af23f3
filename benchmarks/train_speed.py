"""Benchmark: training speed of a generated module against hand-written baselines, on MNIST (issue 3).

Run by hand from the repository root (one BLAS thread, medians of --repeat runs):

    python benchmarks/train_speed.py [--batch-sizes 10 100 1000] [--dtypes float32 float64] [--repeat 3]
        [--data ../shared/data] [--module32 PATH] [--module64 PATH] [--nielsen-fraction 0.1] [--seed 0] [--cpu N]
        [--only generated numpy torch jax nielsen matmul] [--clock wall|cpu]

Trains [784, 30, 10] (sigmoid, quadratic cost, eta = 3.0) for one epoch on the first 50,000 MNIST training
images (pixels / 255) and tests on the 10,000 test images. Every implementation starts from the same
weights (default_rng(0), N(0, 1), Nielsen's chapter 1) and sees the same mini-batches (default_rng(seed),
one permutation per epoch, batches perm[i:i + m] in order): see `benchmarks/baselines.py`.

Implementations (each where available; a missing one is skipped with the reason printed):
* generated: the module at --module32 / --module64, by default generated now from examples/nielsen_ch1.toml
  in the dtype measured, into a temporary folder (its `train` call is timed, evaluation excluded);
* numpy: a hand-written vectorized NumPy network (rows are examples, X @ W.T + b);
* torch: PyTorch eager on CPU, autograd + a manual SGD update, torch.set_num_threads(1);
* jax: the whole epoch as one jitted `lax.scan` (compilation excluded by a warm-up run);
* nielsen: a faithful re-implementation of Nielsen's network.py (per-example backprop on column vectors),
  float64 only, timed on --nielsen-fraction of the epoch and scaled (the rest of the epoch runs untimed
  for the accuracy);
* matmul: only the five matrix products of each step (forward 2, backward 3), per epoch.

Prints one table (implementation x dtype x batch size: median epoch seconds, the same per mini-batch in µs,
ratio to the generated module, or to numpy when it is missing, test accuracy after one epoch, CPU/wall of the
timed part), then the targets of issue 3 with PASS / FAIL / SKIP and the figures, and the largest accuracy
disagreement among implementations at equal dtype and batch size. Exit code 0 whatever the targets say; 2 when
the data is missing.

One thread: OMP/OPENBLAS/MKL_NUM_THREADS=1 and XLA_FLAGS are set before NumPy is imported, torch uses
set_num_threads(1), and the whole process is pinned to one CPU (--cpu; -1 to leave it unpinned), because
XLA's CPU runtime otherwise spreads the JAX scan over two cores at times. The cpu/wall column shows it held.

Accuracy in float32 at small mini-batches: with eta = 3 one epoch of 5,000 steps amplifies rounding
differences (at m = 10 an algebraically equal reordering of the update moves the float32 test accuracy by
about 0.002; float64 and m >= 100 agree exactly), so there float32 implementations agree only when they do
the same floating-point operations.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# XLA's CPU backend: no Eigen thread pool, one intra-op thread
if "--xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    ).strip()

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baselines as bl  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ETA = 3.0
ACCURACY_TOLERANCE = 1e-4
TARGET_MATMUL_RATIO = 1.25
TARGET_NIELSEN_SPEEDUP = 15.0

NAMES = {
    "generated": "generated",
    "numpy": "numpy (vectorized)",
    "torch": "torch eager",
    "jax": "jax lax.scan",
    "nielsen": "nielsen network.py",
    "matmul": "5 matrix products",
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[10, 100, 1000])
    p.add_argument("--dtypes", nargs="+", choices=["float32", "float64"], default=["float32", "float64"])
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="folder of the MNIST IDX .gz")
    p.add_argument("--module32", type=Path, default=None, help="default: generated from examples/nielsen_ch1.toml")
    p.add_argument("--module64", type=Path, default=None, help="default: generated from examples/nielsen_ch1.toml")
    p.add_argument(
        "--nielsen-fraction",
        type=float,
        default=0.1,
        help="fraction of an epoch's mini-batches timed for Nielsen's network.py (scaled up)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the batch order")
    p.add_argument(
        "--cpu",
        type=int,
        default=None,
        help="pin the process (all its threads) to this CPU; default: the first allowed one; -1: no pinning",
    )
    p.add_argument("--only", nargs="+", choices=list(NAMES), default=list(NAMES), help="run only these implementations")
    p.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="seconds reported: wall-clock, or the process CPU seconds (steadier on a machine shared with others)",
    )
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if not 0 < args.nielsen_fraction <= 1:
        p.error("--nielsen-fraction must be in (0, 1]")
    if any(m < 1 for m in args.batch_sizes):
        p.error("--batch-sizes must be positive")
    return args


# ------------------------------------------------------------------------------------ generated module


def generate_reference(dtype: str) -> Path:
    """examples/nielsen_ch1.toml in the given dtype, generated by symbackprop into a temporary folder."""
    import tempfile

    from symbackprop.emission.module import generate_source
    from symbackprop.spec.load import load_spec, spec_from_dict

    spec = spec_from_dict({**load_spec(REPO / "examples" / "nielsen_ch1.toml").to_dict(), "dtype": dtype})
    path = Path(tempfile.mkdtemp(prefix="train_speed_")) / f"nielsen_ch1_{dtype}.py"
    path.write_text(generate_source(spec), encoding="utf-8")
    return path


def load_generated(path: Path, dtype: str):
    """(module, None) or (None, reason)."""
    if not path.is_file():
        return None, f"{path} is missing"
    try:
        spec = importlib.util.spec_from_file_location(f"_train_speed_generated_{dtype}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - report and skip
        return None, f"{path} does not import ({type(exc).__name__}: {exc})"
    layers = tuple(getattr(module, "LAYERS", ()))
    if layers != bl.LAYERS:
        return None, f"{path}: LAYERS = {layers}, expected {bl.LAYERS}"
    if np.dtype(getattr(module, "DTYPE", None)) != np.dtype(dtype):
        return None, f"{path}: DTYPE = {np.dtype(module.DTYPE)}, expected {dtype}"
    return module, None


def make_generated_trainer(module):
    def train(x, y, x_test, y_test, weights, biases, batch_size, eta, perm, seed):
        net = module.Network(seed=0)
        net.weights = [w.copy() for w in weights]
        net.biases = [b.copy() for b in biases]
        if not all(np.array_equal(a, b) for a, b in zip(net.weights, weights)) or not all(
            np.array_equal(a, b) for a, b in zip(net.biases, biases)
        ):
            raise RuntimeError("assigning net.weights / net.biases did not set the shared initial parameters")
        wall, cpu = time.perf_counter(), time.process_time()
        net.train(x, y, epochs=1, batch_size=batch_size, eta=eta, seed=seed)  # timed: training only
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        seconds = wall
        accuracy = net.evaluate(x_test, y_test) / len(y_test)
        return bl.EpochResult(seconds, accuracy, cpu / wall * seconds if wall > 0 else None)

    return train


# ------------------------------------------------------------------------------------------- running


def measure(run, repeat: int, clock: str = "wall"):
    """Median seconds over `repeat` runs; accuracy (and note) of the last run; CPU/wall of the median run.

    With clock="cpu" the seconds are the process's CPU seconds of each timed part, which a machine shared with
    other jobs inflates far less than wall-clock time (one thread: CPU seconds <= wall seconds)."""
    results = [run(r) for r in range(repeat)]
    walls = [r.seconds for r in results]
    if clock == "cpu":
        results = [dataclasses.replace(r, seconds=r.cpu_seconds) if r.cpu_seconds is not None else r for r in results]
    order = sorted(range(repeat), key=lambda i: results[i].seconds)
    med, med_wall = results[order[(repeat - 1) // 2]], walls[order[(repeat - 1) // 2]]
    seconds = statistics.median(r.seconds for r in results)
    accuracies = {r.accuracy for r in results if r.accuracy is not None}
    note = results[-1].note
    if len(accuracies) > 1:
        note = (note + "; " if note else "") + f"accuracy varied over runs: {sorted(accuracies)}"
    cpu_ratio = med.cpu_seconds / med_wall if med.cpu_seconds is not None and med_wall > 0 else None
    return {
        "seconds": seconds,
        "accuracy": results[-1].accuracy,
        "cpu_ratio": cpu_ratio,
        "note": note,
        "runs": [r.seconds for r in results],
    }


def fmt_acc(a):
    return "-" if a is None else f"{a:.4f}"


def pin_to_one_cpu(cpu: int | None) -> str:
    """Pin every thread of the process (and so every thread started later) to one CPU; returns a description.

    XLA's CPU runtime hands work between threads even with --xla_cpu_multi_thread_eigen=false: unpinned on a
    2-core machine, the JAX scan used up to 1.9 cores, at times, and ran slower. Pinning makes "one thread"
    hold for every implementation alike.
    """
    if cpu == -1 or not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[0] if cpu is None else cpu
    if cpu not in allowed:
        raise SystemExit(f"train_speed: --cpu {cpu} is not among the allowed CPUs {allowed}")
    for tid in os.listdir("/proc/self/task") if os.path.isdir("/proc/self/task") else ["0"]:
        try:
            os.sched_setaffinity(int(tid), {cpu})
        except OSError:
            pass
    return f"pinned to CPU {cpu}"


def main(argv=None) -> int:
    args = parse_args(argv)
    args.pinning = pin_to_one_cpu(args.cpu)
    missing = bl.missing_mnist_files(args.data)
    if missing:
        print(
            f"train_speed: MNIST data not found in {args.data}: missing {', '.join(missing)}. "
            "Pass --data FOLDER with the four IDX .gz files (see ../shared/data/README.md).",
            file=sys.stderr,
        )
        return 2

    skipped: list[str] = []
    available = {name: name in args.only for name in NAMES}
    modules = {}
    if available["generated"]:
        for dtype, path in (("float32", args.module32), ("float64", args.module64)):
            if dtype in args.dtypes:
                path = path if path is not None else generate_reference(dtype)
                module, reason = load_generated(path, dtype)
                modules[dtype] = module
                if module is None:
                    option = "--module32" if dtype == "float32" else "--module64"
                    skipped.append(f"generated {dtype}: skipped, {reason} (pass {option} PATH)")
    for name, check in (("torch", bl.torch_available), ("jax", bl.jax_available)):
        if available[name]:
            ok, info = check()
            available[name] = ok
            if not ok:
                skipped.append(f"{name}: skipped, {info}")
            else:
                print(f"# {info}", file=sys.stderr)
    if available["nielsen"] and "float64" not in args.dtypes:
        skipped.append("nielsen: skipped, it runs in float64 only and float64 is not among --dtypes")

    rows = []  # (impl, dtype, m, result dict)
    for dtype in args.dtypes:
        rows += measure_dtype(args, dtype, modules.get(dtype), available)

    report(args, rows, skipped)
    return 0


def measure_dtype(args, dtype, module, available):
    """Every implementation at every batch size, in one dtype: a list of (impl, dtype, m, result)."""
    rows = []
    x, y, x_test, y_test = bl.load_mnist(args.data, dtype=dtype)
    weights, biases = bl.initial_parameters(bl.LAYERS, dtype=dtype, seed=0)
    trainers = {}
    if module is not None:
        trainers["generated"] = make_generated_trainer(module)
    for name, fn in (("numpy", bl.train_numpy), ("torch", bl.train_torch), ("jax", bl.train_jax)):
        if available[name]:
            trainers[name] = lambda *a, fn=fn, seed=None: fn(*a)
    nielsen_data = None
    if available["nielsen"] and dtype == "float64":
        nielsen_data = bl.nielsen_data(x, y, x_test, y_test)
    for m in args.batch_sizes:
        perm = bl.epoch_permutations(len(x), 1, args.seed)[0]
        common = (x, y, x_test, y_test, weights, biases, m, ETA, perm)
        runs = {
            name: (lambda r, train=train, common=common: train(*common, seed=args.seed))
            for name, train in trainers.items()
        }
        if nielsen_data is not None:
            runs["nielsen"] = lambda r, common=common: bl.train_nielsen(
                *common, fraction=args.nielsen_fraction, finish=(r == args.repeat - 1), data=nielsen_data
            )
        if available["matmul"]:
            runs["matmul"] = lambda r, m=m: bl.time_matrix_products(x, weights, m)
        for name, run in runs.items():
            res = measure(run, args.repeat, args.clock)
            rows.append((name, dtype, m, res))
            _progress(name, dtype, m, res)
    return rows


def _progress(name, dtype, m, res):
    runs = ", ".join(f"{s:.3f}" for s in res["runs"])
    print(
        f"# {NAMES[name]:<20} {dtype} m={m:<5} runs [{runs}] s  accuracy {fmt_acc(res['accuracy'])}",
        file=sys.stderr,
        flush=True,
    )


# ------------------------------------------------------------------------------------------- report


def report(args, rows, skipped):
    table = {(name, dtype, m): res for name, dtype, m, res in rows}
    have_generated = any(name == "generated" for name, *_ in rows)
    ref_name = "generated" if have_generated else "numpy"
    print(
        f"Training speed, [784, 30, 10] sigmoid + quadratic, eta = {ETA}, MNIST 50,000 train / 10,000 test, "
        f"1 epoch, one thread ({args.pinning}), median of {args.repeat} run(s), batch order seed {args.seed}, "
        f"{args.clock} seconds"
    )
    for line in skipped:
        print(f"  {line}")
    if not have_generated:
        print("  no generated module: the ratio column is relative to the numpy baseline")
    print()
    header = (
        f"{'implementation':<20} {'dtype':<8} {'batch':>5} {'epoch s':>9} {'µs/batch':>9} {'vs ' + ref_name:>12} "
        f"{'test acc':>9} {'cpu/wall':>8}  note"
    )
    print(header)
    print("-" * len(header))
    for dtype in args.dtypes:
        for m in args.batch_sizes:
            ref = table.get((ref_name, dtype, m))
            for name in NAMES:
                res = table.get((name, dtype, m))
                if res is None:
                    continue
                ratio = f"{res['seconds'] / ref['seconds']:.2f}x" if ref and ref["seconds"] > 0 else "-"
                cpu = "-" if res["cpu_ratio"] is None else f"{res['cpu_ratio']:.2f}"
                per_batch = res["seconds"] / -(-bl.N_TRAIN // m) * 1e6  # the epoch's mini-batches, a last partial one
                print(
                    f"{NAMES[name]:<20} {dtype:<8} {m:>5} {res['seconds']:>9.4f} {per_batch:>9.1f} {ratio:>12} "
                    f"{fmt_acc(res['accuracy']):>9} {cpu:>8}  {res['note']}"
                )
        print()
    print("ratio = implementation's epoch time / " + ref_name + "'s (above 1: slower than " + ref_name + ")")
    if any(name == "nielsen" for name, *_ in rows) and args.nielsen_fraction < 1:
        print(
            f"nielsen: timed on {args.nielsen_fraction:g} of each epoch's mini-batches and scaled to the whole "
            "epoch; its accuracy is after the whole epoch (the rest run untimed)"
        )
    if any(name == "matmul" for name, *_ in rows):
        print("matmul: only the 5 matrix products of every step of the epoch (x W1^T, a1 W2^T, d2^T a1, d2 W2, d1^T x)")
    print()
    print("Targets (issue 3):")
    for line in targets(args, table):
        print(f"  {line}")
    print()
    print(agreement(args, table))
    threaded = [
        (n, d, m, r["cpu_ratio"])
        for (n, d, m), r in table.items()
        if r["cpu_ratio"] is not None and r["cpu_ratio"] > 1.3
    ]
    if threaded:
        worst = max(threaded, key=lambda t: t[3])
        print(
            f"warning: {len(threaded)} measurement(s) used more than one core on average "
            f"(worst {NAMES[worst[0]]} {worst[1]} m={worst[2]}: CPU/wall {worst[3]:.2f})"
        )


def targets(args, table):
    lines = []
    gen32 = {m: table.get(("generated", "float32", m)) for m in args.batch_sizes}
    gen64 = {m: table.get(("generated", "float64", m)) for m in args.batch_sizes}

    # 1. generated float32 faster than the JAX scan at every mini-batch size
    label = "generated float32 faster than jax lax.scan"
    for m in args.batch_sizes:
        g, j = gen32[m], table.get(("jax", "float32", m))
        if g is None or j is None:
            lines.append(f"SKIP  {label}, m={m}: " + _missing(g, "generated float32", j, "jax float32"))
        else:
            ok = g["seconds"] < j["seconds"]
            lines.append(
                f"{_pf(ok)}  {label}, m={m}: {g['seconds']:.4f} s vs {j['seconds']:.4f} s "
                f"(jax / generated = {j['seconds'] / g['seconds']:.2f}x)"
            )

    # 2. within 1.25x of the matrix-product time at mini-batch 1000
    label = f"generated float32 within {TARGET_MATMUL_RATIO}x of the 5 matrix products at m=1000"
    g, p = gen32.get(1000), table.get(("matmul", "float32", 1000))
    if 1000 not in args.batch_sizes:
        lines.append(f"SKIP  {label}: 1000 is not among --batch-sizes")
    elif g is None or p is None:
        lines.append(f"SKIP  {label}: " + _missing(g, "generated float32", p, "matmul float32"))
    else:
        r = g["seconds"] / p["seconds"]
        lines.append(
            f"{_pf(r <= TARGET_MATMUL_RATIO)}  {label}: {g['seconds']:.4f} s / {p['seconds']:.4f} s = {r:.2f}x"
        )

    # 3. at least 15x faster than Nielsen's network.py at mini-batch 10, float64
    label = f"generated float64 at least {TARGET_NIELSEN_SPEEDUP:g}x faster than nielsen network.py at m=10"
    g, n = gen64.get(10), table.get(("nielsen", "float64", 10))
    if 10 not in args.batch_sizes:
        lines.append(f"SKIP  {label}: 10 is not among --batch-sizes")
    elif g is None or n is None:
        lines.append(f"SKIP  {label}: " + _missing(g, "generated float64", n, "nielsen float64"))
    else:
        r = n["seconds"] / g["seconds"]
        lines.append(
            f"{_pf(r >= TARGET_NIELSEN_SPEEDUP)}  {label}: {n['seconds']:.4f} s / {g['seconds']:.4f} s = {r:.1f}x"
        )

    # 4. same test accuracy as the baselines after one epoch from the same start
    label = f"generated test accuracy equals every baseline's within {ACCURACY_TOLERANCE:g} (same dtype and m)"
    diffs = []
    for dtype in args.dtypes:
        for m in args.batch_sizes:
            g = table.get(("generated", dtype, m))
            if g is None or g["accuracy"] is None:
                continue
            for name in NAMES:
                b = table.get((name, dtype, m))
                if name != "generated" and b is not None and b["accuracy"] is not None:
                    diffs.append((abs(g["accuracy"] - b["accuracy"]), name, dtype, m, g["accuracy"], b["accuracy"]))
    if not diffs:
        lines.append(f"SKIP  {label}: no generated module or no baseline accuracy")
    else:
        worst = max(diffs)
        ok = worst[0] <= ACCURACY_TOLERANCE + 1e-12
        lines.append(
            f"{_pf(ok)}  {label}: max |diff| = {worst[0]:.4f} ({NAMES[worst[1]]} {worst[2]} m={worst[3]}: "
            f"generated {worst[4]:.4f}, baseline {worst[5]:.4f}; {len(diffs)} comparisons)"
        )
    return lines


def agreement(args, table):
    spreads = []
    for dtype in args.dtypes:
        for m in args.batch_sizes:
            accs = {
                name: table[(name, dtype, m)]["accuracy"]
                for name in NAMES
                if (name, dtype, m) in table and table[(name, dtype, m)]["accuracy"] is not None
            }
            if len(accs) >= 2:
                spreads.append((max(accs.values()) - min(accs.values()), dtype, m, accs))
    if not spreads:
        return "Accuracy agreement: fewer than two implementations with an accuracy at any dtype and batch size"
    worst = max(spreads, key=lambda s: s[0])
    cells = ", ".join(f"{d} m={m} {spread:.4f}" for spread, d, m, _ in spreads)
    lines = [
        f"Accuracy agreement: max disagreement among implementations at equal dtype and batch size = "
        f"{worst[0]:.4f} ({worst[1]} m={worst[2]}); per cell: {cells}"
    ]
    for spread, dtype, m, accs in spreads:
        if spread > ACCURACY_TOLERANCE + 1e-12:
            detail = ", ".join(f"{NAMES[k]} {v:.4f}" for k, v in accs.items())
            lines.append(f"  above {ACCURACY_TOLERANCE:g} at {dtype} m={m}: {detail}")
    return "\n".join(lines)


def _pf(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _missing(a, a_name, b, b_name) -> str:
    names = [n for x, n in ((a, a_name), (b, b_name)) if x is None]
    return " and ".join(names) + " not measured"


if __name__ == "__main__":
    sys.exit(main())
