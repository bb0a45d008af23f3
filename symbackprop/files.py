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

What no signal handler sees (kill -9, a power cut, a full disk at the
manifest's write) is covered by a journal: before a file is renamed into
place, its name and new hash go to ``.symbackprop-pending.json``, removed once
the manifest records it. The next run in the folder adopts every pending file
whose content has that hash (its own complete file), and removes the
temporary files a killed run left. One run at a time writes into a folder: a
run takes an exclusive lock on the folder (``flock``, where the platform has
it) before its first write, and a second run is refused with a clear message.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import signal
import stat
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

from symbackprop.errors import SymbackpropError

MANIFEST = ".symbackprop-manifest.json"
#: The files a write is about to rename into place (name → sha256), removed once the manifest records them.
PENDING = ".symbackprop-pending.json"
#: The temporary files of :func:`write_atomic`: ``.NAME.`` and tempfile's eight random characters, ``.tmp``.
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")
#: What a file says of itself, given its bytes: None if symbackprop did not write it, else whether it was
#: edited since (a generated module ends with the sha256 of everything above it).
Provenance = Callable[[bytes], "bool | None"]
#: The signals whose delivery :func:`interrupts_deferred` holds back.
DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Free space an output folder's file system must have before a command writes anything, in bytes.
MIN_FREE_BYTES = 16 * 2**20
#: The characters a temporary file adds to a name (".NAME.XXXXXXXX.tmp").
_TEMPORARY_EXTRA = len("..12345678.tmp")


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


def not_regular(path: str | os.PathLike) -> str | None:
    """What ``path`` is when it is not a regular file or a symbolic link to one ("a named pipe (FIFO)", "a
    folder", "a character device", ...), None for a regular file or a missing one. For inputs: a FIFO blocks
    ``open()`` until a writer comes, and ``/dev/zero`` never ends."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return None if stat.S_ISREG(info.st_mode) else _kind(info.st_mode)


def read_regular(path: str | os.PathLike, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the regular file ``path`` (following a symbolic link), never blocking on a
    FIFO: anything else raises :class:`OSError` whose ``strerror`` says what it is ("is a named pipe (FIFO),
    not a regular file")."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"is {_kind(mode)}, not a regular file")
        return handle.read(limit + 1)


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


class FolderBusy(OverwriteError):
    """Another run holds the folder's lock."""


#: The folders this process holds the lock of: resolved path → [the folder's open descriptor, holders].
_LOCKS: dict[Path, list] = {}


def _lock(folder: Path) -> Callable[[], None]:
    """Take the folder's exclusive lock for this process (once, however many holders) and return its release;
    raise :class:`FolderBusy` if another process holds it. No-op where the platform has no ``flock``."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        return lambda: None
    key = folder.resolve()
    if key in _LOCKS:
        _LOCKS[key][1] += 1
    else:
        try:
            fd = os.open(key, os.O_RDONLY)
        except OSError:  # a folder we may write but not read: the writes themselves will say what is wrong
            return lambda: None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FolderBusy(
                f"{folder}: another symbackprop run is writing into this folder; wait for it to finish, or choose "
                "another folder"
            ) from None
        except OSError:  # a filesystem without locks (some network mounts): go on unlocked
            os.close(fd)
            return lambda: None
        _LOCKS[key] = [fd, 1]

    def release() -> None:
        entry = _LOCKS.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del _LOCKS[key]
            os.close(entry[0])  # closing the descriptor releases the lock

    return release


def _existing_ancestor(folder: Path) -> Path:
    """The folder itself, or the nearest of its parents that exists (where it would be created)."""
    for candidate in (folder, *folder.absolute().parents):
        if candidate.is_dir():
            return candidate
    return Path("/")


def _name_max(folder: Path) -> int:
    """The longest file name, in bytes, the folder's file system accepts (255 where it cannot say)."""
    try:
        return os.pathconf(_existing_ancestor(folder), "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _free_bytes(folder: Path) -> int | None:
    """Bytes an unprivileged user may still write on the folder's file system, or None if unknown."""
    try:
        usage = os.statvfs(_existing_ancestor(folder))
    except OSError:
        return None
    return usage.f_bavail * usage.f_frsize


class OutputFolder:
    """A folder whose files symbackprop owns, tracked by a manifest of their hashes.

    The folder is locked for this process from the first :meth:`check` of an existing folder or the first
    :meth:`write`, until the object is garbage collected; taking the lock first recovers what a killed run
    left (:meth:`_recover`).
    """

    def __init__(self, folder: str | os.PathLike, *, force: bool = False):
        self.folder = Path(folder)
        self.force = force
        self.manifest_path = self.folder / MANIFEST
        self.manifest: dict[str, str] = {}
        self._locked = False
        self._reserved = 0
        self._longest_name: int | None = None
        self._load_manifest()

    def _load_manifest(self) -> None:
        if self.manifest_path.exists():
            try:
                self.manifest = _read_manifest(self.manifest_path)
            except OverwriteError:
                if not self.force:
                    raise

    def _take_lock(self) -> None:
        """Lock the (existing) folder for this run, then adopt pending files and remove stale temporary ones."""
        if self._locked or not self.folder.is_dir():
            return
        weakref.finalize(self, _lock(self.folder))
        self._locked = True
        self._load_manifest()  # as the previous holder left it
        self._recover()

    def _recover(self) -> None:
        """Finish what a killed run (kill -9, a full disk) left: record each pending file whose content has its
        pending hash (a complete file this tool wrote), and remove the temporary files of interrupted writes."""
        pending_path = self.folder / PENDING
        adopted = False
        if pending_path.exists():
            try:
                pending = json.loads(pending_path.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                pending = {}
            for name, digest in pending.items() if isinstance(pending, dict) else ():
                path = self.folder / name
                plain = Path(name).name == name  # a file of this folder, as write() names them
                if plain and isinstance(digest, str) and path.is_file() and not path.is_symlink():
                    if sha256(path.read_bytes()) == digest and self.manifest.get(name) != digest:
                        self.manifest[name] = digest
                        adopted = True
        for path in self.folder.iterdir():
            match = TEMPORARY.match(path.name)
            if match and match["name"] in (*self.manifest, MANIFEST, PENDING) and path.is_file():
                with contextlib.suppress(OSError):
                    path.unlink()
        if adopted:
            self.write_manifest()
        with contextlib.suppress(FileNotFoundError):
            pending_path.unlink()

    def check(self, name: str, provenance: Provenance | None = None) -> None:
        """Raise :class:`OverwriteError` if writing ``name`` would destroy someone's work.

        A file the manifest does not know is someone else's, unless ``provenance`` (given the file's bytes)
        says symbackprop wrote it and nobody edited it since (a generated module carries its own sha256).
        """
        path = self.folder / name
        if self.folder.exists() and not self.folder.is_dir():
            raise OverwriteError(f"{self.folder}: is not a folder; choose a folder to write {name} into")
        if self._longest_name is None:  # asked of the file system once per folder
            self._longest_name = _name_max(self.folder) - _TEMPORARY_EXTRA
        longest = self._longest_name
        if len(name.encode("utf-8")) > longest:
            raise OverwriteError(
                f"{path}: the name is too long for its file system ({len(name.encode('utf-8'))} bytes; at most "
                f"{longest} here); choose a shorter spec name or file name"
            )
        self.reserve(MIN_FREE_BYTES)
        self._take_lock()
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

    def reserve(self, nbytes: int) -> None:
        """Raise :class:`OverwriteError` unless the folder's file system has ``nbytes`` free (checked before
        work starts, so a full disk is found before minutes of derivation, not after)."""
        if nbytes <= self._reserved:
            return
        free = _free_bytes(self.folder)
        if free is not None and free < nbytes:
            raise OverwriteError(
                f"{self.folder}: only {free / 2**20:.1f} MiB free on its file system; this needs about "
                f"{nbytes / 2**20:.1f} MiB. Free some space or choose another folder"
            )
        self._reserved = nbytes

    def write(self, name: str, data: str | bytes, provenance: Provenance | None = None) -> Path:
        """Write one file (after :meth:`check`) and record it in the manifest, uninterrupted."""
        self.check(name, provenance)
        payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        path = self.folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        digest = sha256(payload)
        with interrupts_deferred():
            self._journal(name, digest)
            write_atomic(path, payload)
            self.manifest[name] = digest
            self.write_manifest()
            (self.folder / PENDING).unlink()
        return path

    def _journal(self, name: str, digest: str) -> None:
        """Note that ``name`` is about to become the file with ``digest``, for :meth:`_recover` after a kill."""
        write_atomic(self.folder / PENDING, json.dumps({name: digest}) + "\n")

    def write_manifest(self) -> None:
        write_atomic(self.manifest_path, json.dumps(self.manifest, indent=2, sort_keys=True) + "\n")
