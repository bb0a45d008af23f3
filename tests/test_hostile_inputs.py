"""Every hostile input to every command: one line naming the input, exit 2, no traceback, nothing written
(issue 16 item 8).

Each command reads a spec (the positional SPEC), and ``check`` an answers file and ``train`` a data file too.
Each input below is given in each of those places; the command must refuse it without hanging (a FIFO would
block ``open()`` forever), without a traceback, and without writing into its output folder.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from symbackprop.cli import main

#: The commands that take a SPEC, with what else each needs to run, and whether it writes into ``{out}``.
COMMANDS = {
    "derive": [],
    "verify": [],
    "latex": ["-o", "{out}/doc.tex"],
    "generate": ["-o", "{out}/net.py"],
    "check": ["--formula", "delta^L = a^L - y"],
    "train": ["--epochs", "1", "-o", "{out}"],
    "build": ["--epochs", "1", "-o", "{out}"],
}


def _inputs(folder: Path, suffix: str = ".toml") -> dict[str, Path]:
    """Hostile files, each named for what it is, with file names ending in ``suffix``."""
    folder = folder / suffix.lstrip(".")
    folder.mkdir()
    made = {
        "missing": folder / f"missing{suffix}",
        "a folder": folder / f"folder{suffix}",
        "a FIFO": folder / f"pipe{suffix}",
        "a device": Path("/dev/null"),
        "an endless device": Path("/dev/zero"),
        "an empty file": folder / f"empty{suffix}",
        "binary bytes": folder / f"binary{suffix}",
        "invalid TOML": folder / f"invalid{suffix}",
        "an unknown field": folder / f"unknown{suffix}",
        "too large": folder / f"large{suffix}",
        "a link to a FIFO": folder / f"link{suffix}",
    }
    made["a folder"].mkdir()
    os.mkfifo(made["a FIFO"])
    made["an empty file"].write_bytes(b"")
    made["binary bytes"].write_bytes(bytes(range(256)) * 4)
    made["invalid TOML"].write_text('layers = [2, 3\nname = "x"\n')
    made["an unknown field"].write_text("layers = [2, 3, 2]\nlayer_count = 3\n")
    made["too large"].write_text("# padding\n" * 200_000 + "layers = [2, 2]\n")
    made["a link to a FIFO"].symlink_to(made["a FIFO"])
    return made


class Hung(BaseException):  # not an Exception: main() must not report it as its own error
    pass


def _run(argv: list[str]) -> int:
    """main(argv), failing the test if it blocks for 20 s (reading a FIFO waits for a writer forever)."""

    def hung(signum, frame):
        raise Hung(" ".join(argv))

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        return main(argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _assert_refused(argv: list[str], what: str, shown: str, capsys, out: Path) -> None:
    try:
        code = _run(argv)
    except Hung:
        pytest.fail(f"{' '.join(argv)}: hung reading {what}")
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, f"{what}: {argv}: exit {code}\n{err}"
    assert len(lines) == 1 and "Traceback" not in err, f"{what}: {err}"
    assert shown in lines[0], f"{what}: {lines[0]}"
    assert not out.exists() or not any(out.iterdir()), f"{what}: {argv} wrote {sorted(p.name for p in out.iterdir())}"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev (POSIX)")
@pytest.mark.parametrize("command", COMMANDS)
def test_every_hostile_spec_is_refused_in_one_line(tmp_path: Path, capsys, command: str) -> None:
    out = tmp_path / "out"
    for what, path in _inputs(tmp_path).items():
        extra = [part.format(out=out) for part in COMMANDS[command]]
        _assert_refused([command, str(path), *extra], what, str(path), capsys, out)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev (POSIX)")
def test_every_hostile_answers_file_and_data_file_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    for what, path in _inputs(tmp_path, ".txt").items():
        if what not in ("invalid TOML", "an unknown field"):  # any text may be an answers file: those are text
            _assert_refused(["check", "--answers", str(path)], what, str(path), capsys, out)
    for suffix in (".npz", ".csv"):
        for what, path in _inputs(tmp_path, suffix).items():
            argv = ["train", "--data", str(path), "--epochs", "1", "-o", str(out)]
            _assert_refused(argv, what, str(path), capsys, out)
