"""Training: the generated module, imported from its file, trained on real data.

The job behind ``symbackprop train`` and the last stage of ``build``: write the
spec's module into the output folder, import it from that file, train it with
a progress bar and one line per epoch in the book's style
(``Epoch 3: 9351 / 10000``), and save what came of it beside the module:

* ``weights.npz``: the module's own ``save`` (no pickle);
* ``history.json``: the settings, the data and one entry per epoch;
* ``training.png``: training cost and test accuracy per epoch (needs matplotlib);
* ``timings.json``: how long training took, the one file two identical runs write differently.

The weights and history are written after every epoch too (``"finished": false``
until the run ends), so a run killed outright loses at most the epoch under way;
Ctrl-C and SIGTERM save the completed epochs (``"interrupted": true``).

Every file goes through :class:`symbackprop.files.OutputFolder`, so an edited
or foreign file is never overwritten without ``force``, and a folder holding an
earlier run's weights or history is refused without ``force``
(:func:`refuse_earlier_run`). If the parameters
become NaN or infinite, the module restores the last good ones; they are saved
and :class:`TrainingDiverged` (exit code 2, like any bad input: the step size
does not suit this network and data) names the epoch and the batch.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from symbackprop.emission.module import generate_source, provenance
from symbackprop.errors import SymbackpropError
from symbackprop.files import MIN_FREE_BYTES, OutputFolder, OverwriteError
from symbackprop.printing.words import count
from symbackprop.spec.load import Spec
from symbackprop.timing import TIMINGS, timings_json
from symbackprop.training.data import Dataset, check_width

WEIGHTS, HISTORY, PLOT = "weights.npz", "history.json", "training.png"
NO_PLOT = 'no plot: matplotlib is not installed (pip install "symbackprop[plot]")'


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during training: ``outcome`` holds the network at its last completed epoch and the
    history of the completed epochs (:func:`train` saves them before the interrupt goes on)."""

    def __init__(self, outcome: Outcome):
        super().__init__(f"interrupted after {count(len(outcome.history), 'completed epoch')}")
        self.outcome = outcome


class TrainingDiverged(SymbackpropError):
    """The parameters became NaN or infinite: names the epoch and batch; the last good weights are saved."""


@dataclass(frozen=True)
class Settings:
    """What ``train`` runs with: the spec's ``[training]`` table, overridden by the command line."""

    epochs: int
    batch_size: int
    eta: float
    seed: int
    validation: int = 0  # the last N training examples held out to choose the epoch by (0: none)


def settings(spec: Spec, **overrides) -> Settings:
    """The spec's training defaults with every override that is not None applied (and checked)."""
    values = {field.name: getattr(spec.training, field.name, field.default) for field in dataclasses.fields(Settings)}
    for key, value in overrides.items():
        if value is not None:
            values[key] = value
    for key in ("epochs", "batch_size"):
        if int(values[key]) < 1:
            raise SymbackpropError(f"--{key.replace('_', '-')}: must be a positive integer, got {values[key]}")
    if not values["eta"] > 0:
        raise SymbackpropError(f"--eta: must be a positive number, got {values['eta']}")
    if int(values["seed"]) < 0:
        raise SymbackpropError(f"--seed: must be 0 or more, got {values['seed']}")
    if int(values["validation"]) < 0:
        raise SymbackpropError(f"--validation: must be 0 or more examples, got {values['validation']}")
    return Settings(
        int(values["epochs"]),
        int(values["batch_size"]),
        float(values["eta"]),
        int(values["seed"]),
        int(values["validation"]),
    )


def module_name(spec: Spec) -> str:
    return f"{spec.name}.py"


def output_names(spec: Spec) -> list[str]:
    """The files training writes (checked before any work)."""
    return [module_name(spec), WEIGHTS, HISTORY, PLOT]


def write_generated(spec: Spec, out: OutputFolder) -> Path:
    """The spec's module, written into the output folder (recorded in its manifest)."""
    return out.write(module_name(spec), generate_source(spec), provenance)


def import_generated(path: str | Path) -> ModuleType:
    """Import a generated module from its file (not from sys.path, not registered in sys.modules)."""
    path = Path(path)
    found = importlib.util.spec_from_file_location(f"symbackprop_generated_{path.stem}", path)
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Outcome:
    """What a training run did: the trained network, its history, the files it wrote, its wall time.

    ``network`` is an instance of the generated module's ``Network``; ``diverged`` the module's
    DivergenceError when the parameters became NaN or inf (the network keeps the last good ones).
    """

    network: object
    history: list[dict]
    written: list[Path]
    seconds: float
    settings: Settings
    diverged: Exception | None = None
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM after len(history) completed epochs

    @property
    def final(self) -> float | None:
        return self.history[-1]["accuracy"] if self.history else None

    @property
    def best(self) -> float | None:
        return max(entry["accuracy"] for entry in self.history) if self.history else None


def load_generated(spec: Spec) -> ModuleType:
    """The spec's generated module, compiled in memory (for training without writing it to a file)."""
    module = ModuleType(f"symbackprop_generated_{spec.name}")
    exec(compile(generate_source(spec), f"<symbackprop module {spec.name}>", "exec"), module.__dict__)
    return module


#: Arrays of the parameters' size that training holds: the parameters, their gradient, the mask of the
#: weights (L2) or a spare, and the copy of the last completed epoch's parameters.
PARAMETER_ARRAYS = 4
#: The rows the generated module evaluates at a time (its CHUNK), for the buffers' share of the estimate.
EVALUATION_ROWS = 1000


def memory_estimate(spec: Spec, batch_size: int) -> int:
    """Bytes training the spec's module needs beyond the data: PARAMETER_ARRAYS arrays of every parameter,
    and z, a and δ of every layer for a mini-batch and for an evaluation chunk (each with a shorter last one)."""
    item = np.dtype(spec.dtype).itemsize
    rows = 2 * (batch_size + EVALUATION_ROWS)
    return item * (PARAMETER_ARRAYS * spec.parameter_count + 3 * rows * sum(spec.layers))


def available_memory() -> int | None:
    """Bytes of memory the system can give without swapping (Linux's MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def output_bytes(spec: Spec) -> int:
    """Disk space a training run's files need, in bytes: the weights file twice (the old and the new checkpoint
    while one replaces the other), with the module, history and plot in the folder's minimum free space."""
    return MIN_FREE_BYTES + 2 * spec.parameter_count * np.dtype(spec.dtype).itemsize


def check_memory(spec: Spec, batch_size: int) -> None:
    """Refuses, with the estimate, a spec whose training would not fit in the memory available."""
    needed, available = memory_estimate(spec, batch_size), available_memory()
    if available is not None and needed > available:
        raise SymbackpropError(
            f"{spec.name}: layers {list(spec.layers)} need about {needed / 2**30:.1f} GiB to train "
            f"({spec.parameter_count:,} parameters in {spec.dtype}, {PARAMETER_ARRAYS} copies, and the buffers of a "
            f"mini-batch of {batch_size}); {available / 2**30:.1f} GiB of memory are available. Use narrower "
            "layers, or float32"
        )


def fit(
    spec: Spec,
    data: Dataset,
    run: Settings,
    *,
    module: ModuleType | None = None,
    echo: Callable[[str], None] | None = None,
    bar: bool | None = False,
    checkpoint: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Train the spec's generated module on ``data`` with the book's line per epoch; write nothing itself.

    ``module`` is the generated module (default: compiled in memory); ``echo`` prints a line (default: nothing);
    ``bar`` shows a tqdm progress bar (None: when stderr is a terminal); ``checkpoint`` is given the outcome so
    far after every epoch.
    """
    from tqdm import tqdm

    check_width(data, spec.layers)
    check_memory(spec, run.batch_size)
    module = module or load_generated(spec)
    echo = echo or (lambda line: None)
    net = module.Network(seed=run.seed)
    X_train, Y = data.X_train, data.one_hot(spec.layers[-1])
    validation = None
    if run.validation:
        if run.validation >= len(X_train):
            raise SymbackpropError(
                f"--validation: {run.validation} examples would leave none to train on; {data.description} has "
                f"{len(X_train)} training examples"
            )
        held = len(X_train) - run.validation  # the last N examples, as Nielsen holds out MNIST's last 10,000
        validation = (X_train[held:], data.labels_train[held:])
        X_train, Y = X_train[:held], Y[:held]
    held_out = f", {run.validation} held out for validation" if validation else ""
    echo(
        f"train: {spec.name} {list(spec.layers)} on {data.description}{held_out}: "
        f"{count(run.epochs, 'epoch')}, mini-batch {run.batch_size}, eta {run.eta:g}, seed {run.seed}"
    )
    history: list[dict] = []

    completed = net.parameters.copy()  # the parameters after the last completed epoch (kept on an interrupt)

    def on_epoch(entry: dict) -> None:
        np.copyto(completed, net.parameters)
        history.append(entry)
        cost = f", cost {entry['cost']:.4f}" if "cost" in entry else ""
        checked = f", validation {entry['validation_correct']} / {entry['validation_total']}" if validation else ""
        echo(f"Epoch {entry['epoch']}: {entry['correct']} / {entry['total']}{checked}{cost}")
        if checkpoint is not None:
            checkpoint(Outcome(net, list(history), [], time.perf_counter() - start, run))

    progress = tqdm(
        total=run.epochs * len(Y),
        unit="ex",
        unit_scale=True,
        desc=spec.name,
        disable=(not sys.stderr.isatty()) if bar is None else not bar,
        leave=False,
        mininterval=0.25,
    )
    start = time.perf_counter()
    diverged = None
    try:
        # overflow on the way to NaN/inf is reported once, by the module's DivergenceError, not warning by warning
        with progress, np.errstate(over="ignore", invalid="ignore"):
            given = _examples_as(module)  # the data's rows, as the module's notation lays out examples
            net.train(
                given(X_train),
                given(Y),
                epochs=run.epochs,
                batch_size=run.batch_size,
                eta=run.eta,
                test=(given(data.X_test), data.labels_test),
                seed=run.seed,
                progress=progress.update,
                on_epoch=on_epoch,
                track_cost=True,
                validation=None if validation is None else (given(validation[0]), validation[1]),
            )
    except module.DivergenceError as error:
        diverged = error
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM as the CLI turns it: keep what the completed epochs did
        net.parameters = completed
        seconds = time.perf_counter() - start
        raise TrainingInterrupted(Outcome(net, history, [], seconds, run, interrupted=True)) from None
    if validation is not None and diverged is None:
        epoch = net.restore_best()
        echo(f"train: kept the weights of epoch {epoch}, the best on the {run.validation} validation examples")
    return Outcome(net, history, [], time.perf_counter() - start, run, diverged)


def _examples_as(module) -> Callable[[np.ndarray], np.ndarray]:
    """How to hand the module a data set held one example per row: as it is, or transposed (a view) for a
    module whose notation writes one example per column (deeplearning.ai's X of shape (n_0, m))."""
    return (lambda rows: rows.T) if module.EXAMPLE_AXIS == 1 else (lambda rows: rows)


def train(
    spec: Spec,
    data: Dataset,
    run: Settings,
    out: OutputFolder,
    *,
    echo: Callable[[str], None] | None = None,
    bar: bool | None = None,
    module_path: Path | None = None,
    timings: bool = True,
) -> Outcome:
    """Generate, import and train the spec's module on ``data``; write weights, history and plot into ``out``,
    and the time training took into timings.json (unless ``timings=False``: ``build`` writes that file itself).

    ``echo`` prints a line (default: ``tqdm.write``, which keeps the bar whole); ``bar`` shows the progress
    bar (default: when stderr is a terminal). ``module_path``: the module already written into ``out``.
    """
    from tqdm import tqdm

    check_width(data, spec.layers)
    check_memory(spec, run.batch_size)
    for name in [*output_names(spec), *([TIMINGS] if timings else [])]:
        out.check(name, provenance)  # refuse before training
    out.reserve(output_bytes(spec))
    refuse_earlier_run(out)
    echo = echo or tqdm.write
    written = [] if module_path else [module_path := write_generated(spec, out)]

    def checkpoint(outcome: Outcome) -> None:  # after every epoch: a kill loses at most the epoch under way
        save(spec, data, outcome, out, echo, finished=False)

    try:
        outcome = fit(spec, data, run, module=import_generated(module_path), echo=echo, bar=bar, checkpoint=checkpoint)
    except TrainingInterrupted as stop:  # save the completed epochs' weights and history, then stop
        save(spec, data, stop.outcome, out, echo)
        epochs = count(len(stop.outcome.history), "completed epoch")
        echo(f"train: interrupted: saved the weights and history of {epochs} in {out.folder}")
        raise
    written += save(spec, data, outcome, out, echo)
    if timings:
        written.append(out.write(TIMINGS, timings_json(training=outcome.seconds)))
    outcome = dataclasses.replace(outcome, written=written)
    if outcome.diverged is not None:
        raise TrainingDiverged(
            f"train: diverged at epoch {outcome.diverged.epoch}, batch {outcome.diverged.batch}: the parameters "
            f"became NaN or infinite with eta {run.eta:g}; the last good weights are in {out.folder / WEIGHTS}; "
            "try a smaller --eta"
        )
    return outcome


def refuse_earlier_run(out: OutputFolder) -> None:
    """Raise :class:`OverwriteError` if ``out`` holds an earlier training run's weights or history (unless
    ``--force``): a rerun never silently replaces a run's results."""
    if out.force or not any((out.folder / name).exists() for name in (WEIGHTS, HISTORY)):
        return
    try:
        record = json.loads((out.folder / HISTORY).read_text(encoding="utf-8"))
        epochs = record["epochs"]
        what = f"{count(len(epochs), 'epoch')} of {record['spec']} on {record['data']}"
        if epochs and "accuracy" in epochs[-1]:
            what += f", test accuracy {100 * epochs[-1]['accuracy']:.2f}%"
    except (OSError, ValueError, KeyError, TypeError):
        what = "weights without a readable history"
    raise OverwriteError(
        f"{out.folder}: holds the results of an earlier training run ({what}); not replacing them: use --force to "
        "replace them, or write into another folder"
    )


def save(
    spec: Spec,
    data: Dataset,
    outcome: Outcome,
    out: OutputFolder,
    echo: Callable[[str], None],
    *,
    finished: bool = True,
) -> list[Path]:
    """Write a run's weights (the module's own ``save``, no pickle), history and plot into ``out``; with
    ``finished=False`` (the checkpoint after an epoch of a run still under way) the weights and history only."""
    run, history, diverged = outcome.settings, outcome.history, outcome.diverged
    weights = io.BytesIO()
    outcome.network.save(weights)
    record = {
        "spec": spec.name,
        "layers": list(spec.layers),
        "data": data.description,
        "settings": dataclasses.asdict(run),
        "diverged": None if diverged is None else {"epoch": diverged.epoch, "batch": diverged.batch},
        "interrupted": outcome.interrupted,  # by Ctrl-C or SIGTERM, after the epochs listed
        "finished": finished,  # false: a checkpoint of a run that had not ended (killed, if it stays so)
        "epochs": [{key: _finite(value) for key, value in entry.items()} for entry in history],
    }
    written = [out.write(WEIGHTS, weights.getvalue()), out.write(HISTORY, json.dumps(record, indent=2) + "\n")]
    if not finished:
        return written
    png = plot_png(history, f"{spec.name} {list(spec.layers)}, eta {run.eta:g}, mini-batch {run.batch_size}")
    if png is None:
        echo(f"train: {NO_PLOT}")
    else:
        written.append(out.write(PLOT, png))
    return written


def _finite(value):
    """JSON has no NaN or infinity: a non-finite cost is written as null."""
    return None if isinstance(value, float) and not np.isfinite(value) else value


def plot_png(history: list[dict], title: str) -> bytes | None:
    """A PNG of training cost and test accuracy per epoch, or None when matplotlib is not installed."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    epochs = [entry["epoch"] for entry in history]
    figure = Figure(figsize=(9, 3.6), layout="constrained")
    FigureCanvasAgg(figure)
    cost_axes, accuracy_axes = figure.subplots(1, 2)
    if history and "cost" in history[0]:
        cost_axes.plot(epochs, [entry["cost"] for entry in history], marker="o", markersize=3)
    cost_axes.set(xlabel="epoch", ylabel="training cost C", title="cost")
    accuracy_axes.plot(epochs, [100 * entry["accuracy"] for entry in history], marker="o", markersize=3, color="C1")
    accuracy_axes.set(xlabel="epoch", ylabel="test accuracy (%)", title="accuracy")
    for axes in (cost_axes, accuracy_axes):
        axes.grid(alpha=0.3)
    figure.suptitle(title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()
