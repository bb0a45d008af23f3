"""Interrupted runs: SIGINT and SIGTERM sent to a real `python -m symbackprop build` leave only complete files.

Each test starts the command line in a subprocess, waits until it is running
(Linux: its SIGTERM handler shows in /proc/PID/status, i.e. `main` has
started) or until it has begun writing, sends the signal, and then checks the
exit code, the one-line message on stderr, and that every file in the output
folder is complete: recorded in the manifest with its sha256, and no
temporary file left behind.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from networks import MATRIX
from paths import EXAMPLES

from symbackprop.files import MANIFEST

ROOT = EXAMPLES.parent
SIGNALS = [pytest.param(signal.SIGINT, id="SIGINT"), pytest.param(signal.SIGTERM, id="SIGTERM")]

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc to see the handler")


def catches_sigterm(pid: int) -> bool:
    """Whether process ``pid`` has a handler for SIGTERM (symbackprop's main installs one)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next((line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "0")
    return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))


def _default_sigint() -> None:
    """In the child, before Python starts: SIGINT back to its default, so Python installs its KeyboardInterrupt
    handler even when this suite runs with SIGINT ignored (under nohup or as a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "symbackprop", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )


def wait_for(condition, process: subprocess.Popen, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the command ended (exit {process.returncode}) before the signal could be sent")
        if time.monotonic() > end:
            process.kill()
            pytest.fail("the command did not reach the point where the signal is sent")
        time.sleep(0.002)


def interrupt(process: subprocess.Popen, signum: int) -> tuple[int, str]:
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"the command did not stop within 60 s of {signal.Signals(signum).name}")
    return process.returncode, err


def assert_interrupted(code: int, err: str, signum: int) -> None:
    name = signal.Signals(signum).name
    assert code == 128 + signum, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one clear line, no traceback
    assert lines[0].startswith("symbackprop: interrupted by " + name)
    assert "complete" in lines[0]


def assert_complete(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` is in the manifest with its exact hash, and no temporary file is left."""
    if not folder.exists():
        return {}
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.endswith(".tmp")], names
    manifest = json.loads((folder / MANIFEST).read_text()) if MANIFEST in names else {}
    for name in names:
        if name == MANIFEST:
            continue
        assert name in manifest, f"{name} is not in the manifest"
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == manifest[name], f"{name} is incomplete"
    return manifest


@pytest.mark.parametrize("signum", SIGNALS)
def test_interrupt_while_working_leaves_old_files_intact(tmp_path: Path, signum: int) -> None:
    """The signal lands while the build derives and verifies; the folder of an earlier build is untouched."""
    out = tmp_path / "out"
    out.mkdir()
    marker = out / "notes.txt"
    marker.write_text("a file that is not symbackprop's\n")
    process = start("build", str(EXAMPLES / "nielsen_ch1.toml"), "-o", str(out))
    wait_for(lambda: catches_sigterm(process.pid), process)
    time.sleep(0.3)
    code, err = interrupt(process, signum)
    assert_interrupted(code, err, signum)
    assert marker.read_text() == "a file that is not symbackprop's\n"
    names = {p.name for p in out.iterdir()}
    assert not [n for n in names if n.endswith(".tmp")]


@pytest.mark.slow
@pytest.mark.parametrize(  # both signals take one path through files.interrupts_deferred: SIGINT in the matrix
    "signum", [pytest.param(signal.SIGINT, id="SIGINT", marks=MATRIX), pytest.param(signal.SIGTERM, id="SIGTERM")]
)
def test_interrupt_while_writing_leaves_only_complete_files(tmp_path: Path, signum: int) -> None:
    """The signal lands as soon as the build starts replacing the files of an earlier build."""
    from symbackprop.cli import main

    out = tmp_path / "out"
    assert main(["build", str(EXAMPLES / "notes.toml"), "-o", str(out)]) == 0
    before = assert_complete(out)
    stamp = (out / MANIFEST).stat().st_mtime_ns
    process = start("build", str(EXAMPLES / "notes.toml"), "-o", str(out), "--notation", "blog", "--force")
    wait_for(lambda: (out / MANIFEST).stat().st_mtime_ns != stamp, process)
    code, err = interrupt(process, signum)
    assert_interrupted(code, err, signum)
    after = assert_complete(out)
    assert set(after) >= set(before)
    # a rerun accepts every file as its own: none looks edited (--force only for the earlier run's weights)
    assert main(["build", str(EXAMPLES / "notes.toml"), "-o", str(out), "--force"]) == 0
    assert_complete(out)


def test_sigterm_handler_is_restored_after_main(tmp_path: Path, capsys) -> None:
    from symbackprop.cli import main

    before = signal.getsignal(signal.SIGTERM)
    assert main(["derive", str(EXAMPLES / "notes.toml")]) == 0
    assert signal.getsignal(signal.SIGTERM) is before
    assert main(["derive", str(tmp_path / "missing.toml")]) == 2
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize(  # one path through training.train's handler for both signals: SIGINT in the matrix
    "signum", [pytest.param(signal.SIGINT, id="SIGINT", marks=MATRIX), pytest.param(signal.SIGTERM, id="SIGTERM")]
)
def test_interrupt_while_training_leaves_only_complete_files(tmp_path: Path, signum: int) -> None:
    """`train` writes the module, then trains for a long time: the signal lands mid-training."""
    out = tmp_path / "out"
    process = start("train", "--data", "digits", "--epochs", "100000", "-o", str(out))
    wait_for(lambda: (out / MANIFEST).exists(), process)  # the module is written: training has begun
    time.sleep(0.3)
    code, err = interrupt(process, signum)
    assert_interrupted(code, err, signum)
    manifest = assert_complete(out)
    assert any(name.endswith(".py") for name in manifest)
    # the completed epochs are not lost: their weights and history are saved, marked as interrupted (issue 16)
    assert {"weights.npz", "history.json"} <= set(manifest), manifest
    history = json.loads((out / "history.json").read_text())
    assert history["interrupted"] is True and history["diverged"] is None
    assert [entry["epoch"] for entry in history["epochs"]] == list(range(1, len(history["epochs"]) + 1))


def test_a_killed_training_run_keeps_its_last_completed_epoch(tmp_path: Path) -> None:
    """kill -9 (no handler runs): the weights and history written after each epoch are there, marked unfinished,
    and a rerun with --force adopts the folder (issue 16 item 6)."""
    from symbackprop.cli import main

    out = tmp_path / "out"
    process = start("train", "--data", "digits", "--epochs", "100000", "-o", str(out))
    wait_for(lambda: (out / "history.json").exists(), process)
    time.sleep(0.3)
    process.kill()
    process.wait()
    history = json.loads((out / "history.json").read_text())
    assert history["finished"] is False and history["interrupted"] is False
    assert len(history["epochs"]) >= 1
    with np.load(out / "weights.npz") as weights:
        arrays = [weights[key] for key in weights.files if weights[key].dtype.kind == "f"]
        assert arrays and all(np.all(np.isfinite(array)) for array in arrays)
    assert main(["train", "--data", "digits", "--epochs", "1", "-o", str(out)]) == 2  # an earlier run's results
    assert main(["train", "--data", "digits", "--epochs", "1", "-o", str(out), "--force"]) == 0
    assert json.loads((out / "history.json").read_text())["finished"] is True
