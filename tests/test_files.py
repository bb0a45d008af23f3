"""Tests for :mod:`symbackprop.files`: atomic writes, the manifest, and interrupts held back."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
from pathlib import Path

import pytest
from paths import EXAMPLES

from symbackprop import files
from symbackprop.files import MANIFEST, OutputFolder, OverwriteError, interrupts_deferred, sha256, write_atomic


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_atomic_writes_text_and_bytes(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.txt", "héllo\n")
    write_atomic(tmp_path / "sub" / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_bytes() == "héllo\n".encode()
    assert (tmp_path / "sub" / "b.bin").read_bytes() == b"\x00\x01"
    assert leftovers(tmp_path) == leftovers(tmp_path / "sub") == []


def test_write_atomic_goes_through_a_fsynced_temporary_file_in_the_same_folder(tmp_path, monkeypatch) -> None:
    target = tmp_path / "out.txt"
    calls: list[tuple[str, object]] = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(src, dst):
        calls.append(("replace", (Path(src).parent, Path(src).name, Path(dst))))
        return real_replace(src, dst)

    def fsync(fd):
        calls.append(("fsync", fd))
        return real_fsync(fd)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(target, "new")
    kinds = [kind for kind, _ in calls]
    assert kinds[0] == "fsync"  # the temporary file's data, before the rename
    assert "replace" in kinds and kinds.index("replace") > 0
    folder, name, destination = next(arg for kind, arg in calls if kind == "replace")
    assert folder == tmp_path and name.startswith(".out.txt.") and name.endswith(".tmp")
    assert destination == target
    assert target.read_text() == "new"


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_rename_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch, error) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old content\n")

    def broken_replace(src, dst):
        raise error

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(type(error)):
        write_atomic(target, "new content that must not appear\n")
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize("error", [OSError(5, "Input/output error"), KeyboardInterrupt()])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch, error) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old content\n")

    def broken_fsync(fd):
        raise error

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(type(error)):
        write_atomic(target, "x" * 100_000)
    assert target.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_new_file_gets_the_usual_permissions_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.txt", "x")
        assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644  # not mkstemp's 0o600
        script = tmp_path / "run.sh"
        script.write_text("#!/bin/sh\n")
        script.chmod(0o755)
        write_atomic(script, "#!/bin/sh\necho hi\n")
        assert stat.S_IMODE(script.stat().st_mode) == 0o755
    finally:
        os.umask(umask)


def test_output_folder_records_hashes_and_refuses_edits_and_foreign_files(tmp_path: Path) -> None:
    out = OutputFolder(tmp_path / "build")
    path = out.write("a.txt", "one\n")
    manifest = json.loads((tmp_path / "build" / MANIFEST).read_text())
    assert manifest == {"a.txt": sha256(b"one\n")}
    out.write("a.txt", "two\n")  # unchanged since written: fine
    path.write_text("edited by hand\n")
    with pytest.raises(OverwriteError, match="edited"):
        OutputFolder(tmp_path / "build").write("a.txt", "three\n")
    assert path.read_text() == "edited by hand\n"
    (tmp_path / "build" / "b.txt").write_text("someone else's\n")
    with pytest.raises(OverwriteError, match="not written by symbackprop"):
        OutputFolder(tmp_path / "build").write("b.txt", "mine\n")
    OutputFolder(tmp_path / "build", force=True).write("b.txt", "mine\n")
    assert (tmp_path / "build" / "b.txt").read_text() == "mine\n"
    assert leftovers(tmp_path / "build") == []


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"a.txt": 5}'])
def test_a_broken_manifest_is_refused_unless_forced(tmp_path: Path, content: str) -> None:
    (tmp_path / MANIFEST).write_text(content)
    with pytest.raises(OverwriteError, match="manifest"):
        OutputFolder(tmp_path)
    forced = OutputFolder(tmp_path, force=True)
    forced.write("a.txt", "x")
    assert json.loads((tmp_path / MANIFEST).read_text()) == {"a.txt": sha256(b"x")}


def test_an_interrupt_while_writing_a_file_and_its_manifest_entry_is_held_back(tmp_path, monkeypatch) -> None:
    """SIGINT arriving between the rename and the manifest update is delivered after both."""
    out = OutputFolder(tmp_path)
    real = files.write_atomic
    seen: list[str] = []

    def write_then_signal(path, data):
        real(path, data)
        seen.append(Path(path).name)
        if Path(path).name == "a.txt":
            signal.raise_signal(signal.SIGINT)  # would land before the manifest is written

    monkeypatch.setattr(files, "write_atomic", write_then_signal)
    # the handler this test needs, whatever the suite inherited (SIGINT is ignored under nohup or in a background job)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            out.write("a.txt", "complete\n")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == [files.PENDING, "a.txt", MANIFEST]  # the journal first, for a kill no handler sees
    assert json.loads((tmp_path / MANIFEST).read_text()) == {"a.txt": sha256(b"complete\n")}
    OutputFolder(tmp_path).check("a.txt")  # the next run does not mistake it for an edited file


def test_a_second_interrupt_is_not_held_back_and_handlers_are_restored() -> None:
    got: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: got.append(signum))
    # the SIGINT handler this test needs, whatever the suite inherited (ignored under nohup or in a background job)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt):
            with interrupts_deferred():
                signal.raise_signal(signal.SIGTERM)  # held back
                assert got == []
                signal.raise_signal(signal.SIGINT)  # the second one gets through at once
        assert got == [signal.SIGTERM]  # the held-back one is delivered to the restored handler
        assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


# -- the commands that write files never destroy edited or foreign ones without --force -------------------


@pytest.mark.parametrize(
    ("command", "written"),
    [
        (["latex", "{examples}/notes.toml", "-o", "{out}/notes.tex"], "notes.tex"),
        (["train", "--data", "digits", "--epochs", "1", "-o", "{out}"], "weights.npz"),
        (["train", "--data", "digits", "--epochs", "1", "-o", "{out}"], "history.json"),
    ],
)
def test_commands_refuse_to_overwrite_edited_or_foreign_files(tmp_path, capsys, command, written) -> None:
    from symbackprop.cli import main

    examples = EXAMPLES
    out = tmp_path / "out"
    argv = [part.format(examples=examples, out=out) for part in command]
    assert main(argv) == 0
    target = out / written
    original = target.read_bytes()
    target.write_bytes(original + b"\n% my notes\n")  # edited since symbackprop wrote it
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "edited" in err and "--force" in err and written in err
    assert target.read_bytes() == original + b"\n% my notes\n"
    target.unlink()
    target.write_text("someone else's file\n")
    manifest = json.loads((out / MANIFEST).read_text())
    del manifest[written]  # a file symbackprop never wrote
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert main(argv) == 2
    assert "not written by symbackprop" in capsys.readouterr().err
    assert target.read_text() == "someone else's file\n"
    assert main([*argv, "--force"]) == 0
    assert target.read_bytes() != b"someone else's file\n"
    assert leftovers(out) == []


# -- outputs that never harm (issue 16) ---------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True])
def test_a_fifo_a_folder_or_a_device_is_never_written_even_with_force(tmp_path, force):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    (tmp_path / "folder.py").mkdir()
    (tmp_path / "to_fifo.py").symlink_to(fifo)
    out = OutputFolder(tmp_path, force=force)
    for name, kind in (
        ("pipe.py", "a named pipe (FIFO)"),  # reading it first would hang: it is refused unread
        ("folder.py", "a folder"),
        ("to_fifo.py", "a symbolic link to a named pipe (FIFO)"),
    ):
        with pytest.raises(
            OverwriteError, match=re.escape(f"is {kind}; symbackprop writes only regular files, even with")
        ):
            out.write(name, "x = 1\n")
    with pytest.raises(OverwriteError, match="/dev/null: is a character device"):
        OutputFolder("/dev", force=True).write("null", "x")
    assert not Path("/dev", MANIFEST).exists()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and (tmp_path / "folder.py").is_dir()
    assert not (tmp_path / MANIFEST).exists()


def test_a_symbolic_link_is_replaced_only_with_force_and_never_inherits_its_targets_mode(tmp_path):
    target = tmp_path / "elsewhere.py"
    target.write_text("theirs\n")
    os.chmod(target, 0o4755)  # setuid: a replacing file must not carry it
    link = tmp_path / "module.py"
    link.symlink_to(target)
    with pytest.raises(OverwriteError, match="is a symbolic link; not replacing it"):
        OutputFolder(tmp_path).write("module.py", "mine\n")
    OutputFolder(tmp_path, force=True).write("module.py", "mine\n")
    assert not link.is_symlink() and link.read_text() == "mine\n"
    assert target.read_text() == "theirs\n"  # the link's target is untouched
    mode = stat.S_IMODE(os.stat(link).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask and not mode & (stat.S_ISUID | stat.S_ISGID)


def test_an_output_folder_that_is_a_file_is_named(tmp_path):
    (tmp_path / "out").write_text("a file\n")
    with pytest.raises(OverwriteError, match="out: is not a folder"):
        OutputFolder(tmp_path / "out").write("module.py", "x\n")


# -- kill -9, a full disk, two runs at once (issue 16 item 5) -------------------------------------

#: A writer that keeps replacing three files of one folder until it is killed. It imports
#: symbackprop.files without the package's __init__ (which imports SymPy), so a round takes a tenth of a second.
WRITER = """
import sys, types
package = types.ModuleType("symbackprop")
package.__path__ = [sys.argv[1]]
sys.modules["symbackprop"] = package
from symbackprop.files import OutputFolder

folder = OutputFolder(sys.argv[2])
for round in range(10**9):
    for name in ("a.txt", "b.bin", "c.json"):
        folder.write(name, f"{name}, round {round}\\n" * (1 + round % 200))
    if round == 0:
        print("ready", flush=True)
    if len(sys.argv) > 3:  # hold the folder (and its lock) until killed
        import time
        time.sleep(3600)
"""
PACKAGE = Path(files.__file__).resolve().parent
KILL_ROUNDS = 40


def start_writer(out: Path, *extra: str):
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(PACKAGE), str(out), *extra], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def assert_owned(folder: Path) -> dict[str, str]:
    """Every file in the folder is in its manifest with its exact hash; no temporary or pending file is left."""
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.endswith(".tmp") or n == files.PENDING], names
    manifest = json.loads((folder / MANIFEST).read_text())
    for name in names:
        if name != MANIFEST:
            assert manifest.get(name) == sha256((folder / name).read_bytes()), name
    return manifest


def test_a_run_killed_at_random_times_leaves_files_the_next_run_adopts(tmp_path: Path) -> None:
    """kill -9 at a random moment of a writing loop, KILL_ROUNDS times: the next run accepts every file (adopting
    one whose rename beat its manifest entry), and removes the killed run's temporary files."""
    import random
    import time

    rng = random.Random(16)
    out = tmp_path / "out"
    adopted = 0
    for _ in range(KILL_ROUNDS):
        process = start_writer(out)
        time.sleep(rng.uniform(0, 0.03))
        process.kill()
        process.wait()
        pending = (out / files.PENDING).exists()
        folder = OutputFolder(out)
        for name in ("a.txt", "b.bin", "c.json"):
            folder.check(name)  # never "not written by symbackprop" or "edited"
        adopted += pending
        assert_owned(out)
        del folder
    assert adopted > 0, "no kill landed between a write and its manifest entry; the adoption went untested"


def test_a_full_disk_at_the_manifest_write_leaves_a_file_the_next_run_adopts(tmp_path: Path, monkeypatch) -> None:
    folder = OutputFolder(tmp_path)
    folder.write("a.txt", "first\n")
    real = files.write_atomic

    def full_at_manifest(path, data):
        if Path(path).name == MANIFEST:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(files, "write_atomic", full_at_manifest)
    with pytest.raises(OSError, match="No space"):
        folder.write("a.txt", "second\n")
    monkeypatch.setattr(files, "write_atomic", real)
    del folder
    assert (tmp_path / "a.txt").read_text() == "second\n"  # renamed into place, the manifest not updated
    OutputFolder(tmp_path).check("a.txt")  # adopted: its hash is the pending one
    assert_owned(tmp_path)


def test_a_pending_file_whose_content_differs_is_not_adopted(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    folder.write("a.txt", "ours\n")
    del folder
    (tmp_path / files.PENDING).write_text(json.dumps({"a.txt": sha256(b"what we meant to write\n")}))
    (tmp_path / "a.txt").write_text("someone's edit\n")
    with pytest.raises(OverwriteError, match="edited"):
        OutputFolder(tmp_path).check("a.txt")


def test_a_second_run_on_one_folder_is_refused_while_the_first_writes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = start_writer(out, "hold")
    try:
        with pytest.raises(files.FolderBusy, match="another symbackprop run is writing into this folder"):
            OutputFolder(out).write("d.txt", "mine\n")
        assert not (out / "d.txt").exists()
    finally:
        process.kill()
        process.wait()
    OutputFolder(out).write("d.txt", "mine\n")  # the lock went with the process
    assert_owned(out)


def test_one_process_may_hold_a_folder_twice(tmp_path: Path) -> None:
    first, second = OutputFolder(tmp_path), OutputFolder(tmp_path)
    first.write("a.txt", "1\n")
    second.write("b.txt", "2\n")
    del first, second
    assert files._LOCKS == {}  # released when the last holder goes


# -- checked before any work: name length, free space (issue 16 item 4) --------------------------


def test_a_name_too_long_for_the_file_system_is_refused_before_writing(tmp_path: Path):
    folder = OutputFolder(tmp_path / "out")
    longest = os.pathconf(tmp_path, "PC_NAME_MAX") - len("..12345678.tmp")  # room for the temporary file
    folder.write("n" * longest, "fits")
    with pytest.raises(OverwriteError, match=rf"name is too long .*at most {longest} here"):
        folder.check("n" * (longest + 1))
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == ["n" * longest]


def test_a_full_file_system_is_refused_before_writing(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(files, "_free_bytes", lambda folder: 3 * 2**20)
    folder = OutputFolder(tmp_path / "out")
    with pytest.raises(OverwriteError, match=r"only 3\.0 MiB free on its file system; this needs about 16\.0 MiB"):
        folder.write("a.txt", "x")
    assert not (tmp_path / "out").exists()
    monkeypatch.setattr(files, "_free_bytes", lambda folder: 20 * 2**20)
    folder.write("a.txt", "x")
    with pytest.raises(OverwriteError, match="this needs about 1024.0 MiB"):
        folder.reserve(2**30)


def test_generate_and_latex_write_into_a_folder_named_by_o(tmp_path: Path, capsys):
    from symbackprop.cli import main

    (tmp_path / "existing").mkdir()
    assert main(["generate", str(EXAMPLES / "notes.toml"), "-o", str(tmp_path / "existing")]) == 0
    assert main(["latex", str(EXAMPLES / "notes.toml"), "-o", str(tmp_path / "new") + "/"]) == 0
    assert (tmp_path / "existing" / "notes.py").is_file() and (tmp_path / "new" / "notes.tex").is_file()
