"""Writing files without losing anyone's work.

Every file is written atomically (a temporary file in the same folder,
fsync, rename), so an interrupted run leaves either the old file or the new
one. A folder symbackprop writes into keeps a manifest of what it wrote
(``.symbackprop-manifest.json``: file name → sha256); a file that is not in
the manifest (someone else's) or whose content changed since (edited) is not
overwritten unless ``force`` is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from symbackprop.errors import SymbackpropError

MANIFEST = ".symbackprop-manifest.json"


class OverwriteError(SymbackpropError):
    """A file would be overwritten that symbackprop did not write, or that was edited since."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half of one."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class OutputFolder:
    """A folder whose files symbackprop owns, tracked by a manifest of their hashes."""

    def __init__(self, folder: str | os.PathLike, *, force: bool = False):
        self.folder = Path(folder)
        self.force = force
        self.manifest_path = self.folder / MANIFEST
        self.manifest: dict[str, str] = {}
        if self.manifest_path.exists():
            try:
                self.manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (ValueError, OSError) as error:
                message = f"{self.manifest_path}: unreadable manifest ({error}); remove it or use --force"
                raise OverwriteError(message) from error

    def check(self, name: str) -> None:
        """Raise :class:`OverwriteError` if writing ``name`` would destroy someone's work."""
        path = self.folder / name
        if self.force or not path.exists():
            return
        known = self.manifest.get(name)
        if known is None:
            raise OverwriteError(f"{path}: exists and was not written by symbackprop; not overwriting (use --force)")
        if sha256(path.read_bytes()) != known:
            raise OverwriteError(f"{path}: was edited since symbackprop wrote it; not overwriting (use --force)")

    def write(self, name: str, data: str | bytes) -> Path:
        """Write one file (after :meth:`check`) and record it in the manifest."""
        self.check(name)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        path = self.folder / name
        write_atomic(path, payload)
        self.manifest[name] = sha256(payload)
        self.write_manifest()
        return path

    def write_manifest(self) -> None:
        write_atomic(self.manifest_path, json.dumps(self.manifest, indent=2, sort_keys=True) + "\n")
