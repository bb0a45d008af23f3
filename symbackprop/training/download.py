"""Download: MNIST's four IDX files into a local cache, resumable and checked.

``symbackprop data mnist [DIR] [--url BASE]`` fetches each ``.gz`` into
``NAME.gz.part`` (continuing a partial one with an HTTP ``Range`` request),
then checks the sha256 of its *decompressed* content, so any faithful
mirror passes whatever its gzip settings, and only then renames it into
place. A file whose content does not match is refused: the partial file is
removed and nothing is installed.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from symbackprop.errors import SymbackpropError

DEFAULT_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"

#: sha256 of each file's decompressed IDX content (../shared/data/README.md; the labels' computed from LeCun's files)
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
CHUNK = 1 << 16
TIMEOUT = 60


class DownloadError(SymbackpropError):
    """A download that failed or delivered the wrong content: names the file and what to do."""


def default_cache() -> Path:
    """``${XDG_CACHE_HOME:-~/.cache}/symbackprop/mnist``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "symbackprop" / "mnist"


def content_sha256(path: str | os.PathLike) -> str:
    """sha256 of the decompressed content of a gzip file."""
    digest = hashlib.sha256()
    with gzip.open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, expected: str) -> str | None:
    """None if ``path`` decompresses to the expected content, else what is wrong."""
    try:
        found = content_sha256(path)
    except (OSError, EOFError, zlib.error) as error:
        return f"not a complete gzip file ({error})"
    return None if found == expected else f"sha256 of the content is {found}, expected {expected}"


def download_mnist(
    folder: str | os.PathLike | None = None,
    *,
    url: str = DEFAULT_URL,
    files: dict[str, str] | None = None,
    report: Callable[[str], None] = print,
    bar: bool | None = None,
) -> Path:
    """Fetch every file of ``files`` (name → sha256 of the content; default MNIST's four) into ``folder``.

    ``bar``: show a progress bar per file (default: when stderr is a terminal).
    """
    folder = Path(folder) if folder is not None else default_cache()
    folder.mkdir(parents=True, exist_ok=True)
    for name, expected in (files or MNIST_SHA256).items():
        target = folder / name
        if target.exists():
            problem = _verified(target, expected)
            if problem:
                raise DownloadError(f"{target}: already there but {problem}; remove it and run again")
            report(f"data: {target} already present, sha256 checked")
            continue
        part = folder / (name + ".part")
        _fetch(url.rstrip("/") + "/" + name, part, bar)
        problem = _verified(part, expected)
        if problem:
            part.unlink()
            raise DownloadError(f"{url.rstrip('/')}/{name}: refused: {problem}; not installed (try another --url)")
        os.replace(part, target)
        report(f"data: {target} downloaded, sha256 checked")
    return folder


def _fetch(url: str, part: Path, bar: bool | None) -> None:
    """Download ``url`` into ``part``, continuing from its current length when the server allows."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # asked beyond the end: the partial file is already whole
            return
        raise DownloadError(f"{url}: HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        raise DownloadError(f"{url}: cannot connect ({getattr(error, 'reason', error)}); check --url") from error
    with response:
        resumed = response.status == 206
        if have and not resumed:
            have = 0  # the server ignored the Range: start again
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else None
        received = 0
        disable = (not sys.stderr.isatty()) if bar is None else not bar
        progress = tqdm(total=total, initial=have, unit="B", unit_scale=True, desc=part.stem, disable=disable)
        try:
            with progress, open(part, "ab" if resumed else "wb") as handle:
                while chunk := response.read(CHUNK):
                    handle.write(chunk)
                    received += len(chunk)
                    progress.update(len(chunk))
        except (OSError, http.client.HTTPException) as error:  # a dropped connection: IncompleteRead, reset
            reason = f"{type(error).__name__}: {error}"
            raise DownloadError(f"{url}: interrupted ({reason}); run again to resume from {part}") from error
        if length is not None and received < int(length):  # the connection closed early
            reason = f"{received} of {length} bytes"
            raise DownloadError(f"{url}: interrupted ({reason}); run again to resume from {part}")
