"""Writing files without losing anyone's work.

Every file is written atomically: the bytes go to a temporary file in the
same folder, which is flushed and fsynced, then renamed over the target with
:func:`os.replace` (and the folder fsynced where the platform allows), so an
interrupted run, a full disk or a crash leaves either the old file or the new
one, never half of one, and no temporary file. A folder symbackprop writes
into keeps a manifest of what it wrote (``.symbackprop-manifest.json``: file
name → sha256); a file that is not in the manifest (someone else's) or whose
content changed since (edited) is not overwritten unless ``force`` is given.
Replacing a file and recording it in the manifest happen with SIGINT and
SIGTERM held back (in the main thread), so an interrupt cannot leave the two
disagreeing; a second interrupt is not held back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from symbackprop.errors import SymbackpropError

MANIFEST = ".symbackprop-manifest.json"
#: What a file says of itself, given its bytes: None if symbackprop did not write it, else whether it was
#: edited since (a generated module ends with the sha256 of everything above it).
Provenance = Callable[[bytes], "bool | None"]
#: The signals whose delivery :func:`interrupts_deferred` holds back.
DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class OverwriteError(SymbackpropError):
    """A file would be overwritten that symbackprop did not write, or that was edited since."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _new_file_mode(path: Path) -> int:
    """The permissions the new file gets: the old regular file's read, write and execute bits (never setuid,
    setgid or sticky; never a symbolic link's target's), else what ``open()`` would give (0o666 & ~umask)."""
    try:
        info = os.lstat(path)
    except OSError:
        info = None
    if info is not None and stat.S_ISREG(info.st_mode):
        return stat.S_IMODE(info.st_mode) & 0o777
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _kind(mode: int) -> str:
    """What a file that is not a regular one is, in words."""
    for test, kind in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def refuse_non_regular(path: Path) -> bool:
    """Raise :class:`OverwriteError` if ``path`` is a folder, device, FIFO or socket, or a symbolic link to one
    (never written over, even with ``--force``); return whether it is a symbolic link (to a file or nothing)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as error:
        raise OverwriteError(f"{path}: cannot be examined ({error.strerror}); choose another path") from None
    link = stat.S_ISLNK(info.st_mode)
    if link:
        try:
            info = os.stat(path)  # what the link points to
        except OSError:
            return True  # a dangling link: replaced by a file with --force
    if not stat.S_ISREG(info.st_mode):
        via = "a symbolic link to " if link else ""
        raise OverwriteError(
            f"{path}: is {via}{_kind(info.st_mode)}; symbackprop writes only regular files, even with --force "
            "(choose another path)"
        )
    return link


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable, where the platform can (not on Windows, not on every filesystem)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` (``str`` as UTF-8) to ``path`` so that readers see the old or the new file, never half of one.

    The temporary file (``.NAME.XXXX.tmp`` beside ``path``) is removed on any
    error, including ``KeyboardInterrupt``; the old file is then untouched.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _new_file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(path.parent)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM inside the block and deliver them when it ends.

    For short sections that must not be cut in half (a rename and its manifest
    entry). Only in the main thread (elsewhere Python delivers no signals). A
    second signal inside the block is delivered at once, so a hung write can
    still be interrupted.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {}

    def hold(signum, frame):
        if received:
            raise KeyboardInterrupt
        received.append(signum)

    for signum in DEFERRED_SIGNALS:
        if signal.getsignal(signum) is not None:  # None: a handler installed outside Python, left alone
            previous[signum] = signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if received:
            signal.raise_signal(received[0])


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise OverwriteError(f"{path}: unreadable manifest ({error}); remove it or use --force") from error
    if not isinstance(manifest, dict) or not all(isinstance(v, str) for v in manifest.values()):
        raise OverwriteError(f"{path}: not a manifest (file name -> sha256); remove it or use --force")
    return manifest


class OutputFolder:
    """A folder whose files symbackprop owns, tracked by a manifest of their hashes."""

    def __init__(self, folder: str | os.PathLike, *, force: bool = False):
        self.folder = Path(folder)
        self.force = force
        self.manifest_path = self.folder / MANIFEST
        self.manifest: dict[str, str] = {}
        if self.manifest_path.exists():
            try:
                self.manifest = _read_manifest(self.manifest_path)
            except OverwriteError:
                if not force:
                    raise

    def check(self, name: str, provenance: Provenance | None = None) -> None:
        """Raise :class:`OverwriteError` if writing ``name`` would destroy someone's work.

        A file the manifest does not know is someone else's, unless ``provenance`` (given the file's bytes)
        says symbackprop wrote it and nobody edited it since (a generated module carries its own sha256).
        """
        path = self.folder / name
        if self.folder.exists() and not self.folder.is_dir():
            raise OverwriteError(f"{self.folder}: is not a folder; choose a folder to write {name} into")
        link = refuse_non_regular(path)  # before anything reads it: reading a FIFO or /dev/zero never ends
        if link and not self.force:
            raise OverwriteError(
                f"{path}: is a symbolic link; not replacing it (use --force to replace the link, not its target, "
                "with a file)"
            )
        if self.force or not path.exists():
            return
        known = self.manifest.get(name)
        content = path.read_bytes()
        if known is None:
            state = None if provenance is None else provenance(content)
            if state is None:
                raise OverwriteError(
                    f"{path}: exists and was not written by symbackprop; not overwriting (use --force)"
                )
            if state:
                raise OverwriteError(f"{path}: was edited since symbackprop wrote it; not overwriting (use --force)")
            return
        if sha256(content) != known:
            raise OverwriteError(f"{path}: was edited since symbackprop wrote it; not overwriting (use --force)")

    def write(self, name: str, data: str | bytes, provenance: Provenance | None = None) -> Path:
        """Write one file (after :meth:`check`) and record it in the manifest, uninterrupted."""
        self.check(name, provenance)
        payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        path = self.folder / name
        with interrupts_deferred():
            write_atomic(path, payload)
            self.manifest[name] = sha256(payload)
            self.write_manifest()
        return path

    def record(self, make: Callable[[], Path]) -> Path:
        """Run ``make``, which writes one file into the folder by other means (latexmk writing a PDF), and
        record that file in the manifest: the file and its entry, both or neither, uninterrupted."""
        with interrupts_deferred():
            path = Path(make())
            self.manifest[path.name] = sha256(path.read_bytes())
            self.write_manifest()
        return path

    def write_manifest(self) -> None:
        write_atomic(self.manifest_path, json.dumps(self.manifest, indent=2, sort_keys=True) + "\n")
