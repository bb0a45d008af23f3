"""Tests for :mod:`symbackprop.training.train` and ``symbackprop train``: end to end, plots, divergence, settings."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from symbackprop.errors import SymbackpropError
from symbackprop.files import OutputFolder
from symbackprop.spec.load import make_spec
from symbackprop.training import train as training
from symbackprop.training.data import Dataset, load_data

HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

SPEC = """name = "digits_small"
layers = [64, 12, 10]
activation = "sigmoid"
cost = "quadratic"

[training]
eta = 3.0
batch_size = 10
epochs = 30
seed = 4
"""


def tiny_data(width=4, classes=3, n=60, seed=0) -> Dataset:
    """Separable blobs: class k sits near the k-th corner."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    X = np.clip(np.eye(width)[labels % width] * 0.8 + rng.random((n, width)) * 0.2, 0, 1)
    return Dataset(X[:45], labels[:45], X[45:], labels[45:], "tiny blobs", "<test>")


@pytest.mark.slow  # 13 s; training end to end stays in the default run in-process (test_cli's main job and train tests)
@pytest.mark.matrix
def test_train_digits_end_to_end_in_a_subprocess(tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn (the digits extra) is not installed")
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "run"
    command = [sys.executable, "-m", "symbackprop", "train", str(spec), "--epochs", "3", "--eta", "2.5", "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = re.findall(r"^Epoch (\d+): (\d+) / (\d+), cost ([\d.]+)$", result.stdout, flags=re.M)
    assert [int(epoch) for epoch, *_ in lines] == [1, 2, 3]
    assert all(total == "297" for *_, total, _ in lines)
    history = json.loads((out / "history.json").read_text())
    assert history["settings"] == {
        "epochs": 3,
        "batch_size": 10,
        "eta": 2.5,
        "seed": 4,
        "validation": 0,
    }  # flags over the spec
    assert [entry["correct"] for entry in history["epochs"]] == [int(correct) for _, correct, *_ in lines]
    if HAVE_MATPLOTLIB:
        assert (out / "training.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert not (out / "training.png").exists() and "matplotlib is not installed" in result.stdout
    # the saved weights are the trained ones: reloaded, they score what the last epoch line said
    module = training.import_generated(out / "digits_small.py")
    net = module.Network.load(out / "weights.npz")
    data = load_data("digits")
    assert net.evaluate(data.X_test, data.labels_test) == int(lines[-1][1])
    # a second run into the same folder is fine; an edited history is not overwritten
    (out / "history.json").write_text("{}\n")
    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "history.json: was edited" in again.stderr
    assert (out / "history.json").read_text() == "{}\n"


def test_training_learns_and_saves(tmp_path):
    spec = make_spec(name="blobs", layers=[4, 5, 3], activation="sigmoid", cost="cross_entropy")
    lines = []
    outcome = training.train(
        spec, tiny_data(), training.Settings(20, 5, 1.0, 0), OutputFolder(tmp_path), echo=lines.append, bar=False
    )
    assert outcome.final == 1.0 and outcome.history[-1]["cost"] < outcome.history[0]["cost"]
    assert [line for line in lines if line.startswith("Epoch")][0].startswith("Epoch 1: ")
    plot = {"training.png"} if HAVE_MATPLOTLIB else set()
    assert {p.name for p in outcome.written} == {"blobs.py", "weights.npz", "history.json", "timings.json"} | plot


def test_missing_matplotlib_is_said_once_and_training_carries_on(tmp_path, monkeypatch):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    spec = make_spec(name="blobs", layers=[4, 5, 3], activation="sigmoid", cost="quadratic")
    lines = []
    outcome = training.train(
        spec, tiny_data(), training.Settings(4, 5, 2.0, 0), OutputFolder(tmp_path), echo=lines.append, bar=False
    )
    assert [line for line in lines if "matplotlib" in line] == [f"train: {training.NO_PLOT}"]
    assert len([line for line in lines if line.startswith("Epoch")]) == 4
    assert not (tmp_path / "training.png").exists() and (tmp_path / "weights.npz").exists()
    assert len(outcome.history) == 4


def test_divergence_saves_the_last_good_weights_and_names_epoch_and_batch(tmp_path):
    spec = make_spec(name="wild", layers=[4, 6, 3], activation="relu", output="identity", cost="quadratic")
    with pytest.raises(training.TrainingDiverged, match=r"diverged at epoch \d+, batch \d+: .* try a smaller --eta"):
        training.train(
            spec, tiny_data(), training.Settings(50, 5, 1e3, 0), OutputFolder(tmp_path), echo=lambda _: None, bar=False
        )
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["diverged"]["epoch"] >= 1 and history["diverged"]["batch"] >= 1
    module = training.import_generated(tmp_path / "wild.py")
    net = module.Network.load(tmp_path / "weights.npz")
    assert np.all(np.isfinite(net.parameters))


def test_divergence_exits_2_from_the_command_line(tmp_path):
    spec = tmp_path / "wild.toml"
    spec.write_text('name = "wild"\nlayers = [4, 6, 3]\nactivation = "relu"\noutput = "identity"\n')
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", X=rng.random((40, 4)), y=rng.integers(0, 3, 40))
    from symbackprop.cli import main

    assert main(["train", str(spec), "--data", str(tmp_path / "d.npz"), "--eta", "1e4", "-o", str(tmp_path / "o")]) == 2
    assert (tmp_path / "o" / "weights.npz").exists()


def test_settings_take_the_spec_then_the_flags():
    spec = make_spec(name="n", layers=[2, 2, 2], training={"eta": 0.5, "epochs": 7, "batch_size": 3, "seed": 9})
    assert training.settings(spec) == training.Settings(7, 3, 0.5, 9)
    assert training.settings(spec, eta=2.0, seed=None) == training.Settings(7, 3, 2.0, 9)
    with pytest.raises(SymbackpropError, match="--batch-size: must be a positive integer"):
        training.settings(spec, batch_size=0)
    with pytest.raises(SymbackpropError, match="--eta: must be a positive number"):
        training.settings(spec, eta=-1.0)


def test_plot_png_is_a_png():
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not installed")
    history = [{"epoch": 1, "cost": 0.5, "accuracy": 0.5}, {"epoch": 2, "cost": 0.2, "accuracy": 0.7}]
    png = training.plot_png(history, "t")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000


def test_import_generated_is_isolated(tmp_path):
    module_path = training.write_generated(make_spec(name="iso", layers=[2, 3, 2]), OutputFolder(tmp_path))
    module = training.import_generated(module_path)
    assert module.LAYERS == (2, 3, 2) and "symbackprop_generated_iso" not in sys.modules
    assert Path(module.__file__) == module_path


def test_an_interrupt_saves_the_completed_epochs_weights_and_history(tmp_path):
    """Ctrl-C (here: raised as epoch 3 prints its line, once it is complete) keeps epochs 1-3, as a run of 3
    epochs writes them (the subprocess tests in test_signals.py interrupt mid-epoch)."""
    spec = make_spec(name="tiny", layers=[4, 5, 3])
    data = tiny_data()

    def stop_at_epoch_3(line):
        if line.startswith("Epoch 3:"):
            raise KeyboardInterrupt

    run = training.Settings(epochs=50, batch_size=10, eta=1.0, seed=1)
    with pytest.raises(training.TrainingInterrupted):
        training.train(spec, data, run, OutputFolder(tmp_path / "stopped"), echo=stop_at_epoch_3, bar=False)
    three = training.Settings(epochs=3, batch_size=10, eta=1.0, seed=1)
    training.train(spec, data, three, OutputFolder(tmp_path / "three"), echo=lambda line: None, bar=False)
    stopped = json.loads((tmp_path / "stopped" / "history.json").read_text())
    assert stopped["interrupted"] is True and [e["epoch"] for e in stopped["epochs"]] == [1, 2, 3]
    with np.load(tmp_path / "stopped" / "weights.npz") as a, np.load(tmp_path / "three" / "weights.npz") as b:
        assert np.array_equal(a["parameters"], b["parameters"])  # epoch 3's weights
    assert json.loads((tmp_path / "three" / "history.json").read_text())["interrupted"] is False


# -- a memory estimate before allocating (issue 16 item 3) -----------------------------------------


def test_the_memory_estimate_counts_parameters_copies_and_buffers():
    spec = make_spec(name="m", layers=[3, 4, 2])
    assert spec.parameter_count == 26
    expected = 8 * (training.PARAMETER_ARRAYS * 26 + 3 * 2 * (10 + training.EVALUATION_ROWS) * 9)
    assert training.memory_estimate(spec, 10) == expected
    assert training.memory_estimate(make_spec(name="m", layers=[3, 4, 2], dtype="float32"), 10) == expected // 2


def test_a_network_too_large_for_memory_is_refused_with_the_estimate_before_anything_is_written(tmp_path, capsys):
    from symbackprop.cli import main

    spec = tmp_path / "wide.toml"
    spec.write_text('name = "wide"\nlayers = [100000, 100000, 2]\n', encoding="utf-8")
    data = tmp_path / "wide.npz"
    np.savez(data, X=np.zeros((2, 100000)), y=np.array([0, 1]))
    needed = training.memory_estimate(make_spec(name="wide", layers=[100000, 100000, 2]), 10) / 2**30
    for command in ("train", "build"):
        assert main([command, str(spec), "--data", str(data), "-o", str(tmp_path / command)]) == 2
        err = capsys.readouterr().err
        assert f"need about {needed:.1f} GiB to train (10,000,300,002 parameters in float64" in err
        assert "GiB of memory are available" in err and not (tmp_path / command).exists()
