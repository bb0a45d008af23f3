"""Tests for :mod:`symbackprop.training.download`, against a local HTTP server on 127.0.0.1 (never the internet).

The server serves ``../shared/data/`` with HTTP Range support, and can cut a
response short (an interrupted download) or serve damaged bytes (a corrupted
mirror).
"""

from __future__ import annotations

import gzip
import http.server
import re
import threading
from pathlib import Path

import pytest
from paths import SHARED_DATA

from symbackprop.cli import main
from symbackprop.training.download import MNIST_SHA256, DownloadError, content_sha256, default_cache, download_mnist

SHARED = SHARED_DATA
LABELS = {name: sha for name, sha in MNIST_SHA256.items() if "labels" in name}  # small: the quick cases use these

pytestmark = pytest.mark.skipif(
    not all((SHARED / name).exists() for name in MNIST_SHA256), reason="MNIST not in ../shared/data"
)


class Handler(http.server.BaseHTTPRequestHandler):
    """GET with Range; the server's ``cut`` (name → bytes to send) and ``damage`` (names) misbehave on purpose."""

    def do_GET(self):
        server = self.server
        name = self.path.lstrip("/")
        server.requests.append((name, self.headers.get("Range")))
        path = SHARED / name
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        if name in server.damage:
            data = data[:-100] + bytes(100)  # same length, wrong content
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match:
            start = int(match.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = server.cut.pop(name, None)
        self.wfile.write(body if cut is None else body[:cut])  # a cut response closes the connection early
        if cut is not None:
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.requests, httpd.cut, httpd.damage = [], {}, set()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_full_download_from_the_command_line(server, tmp_path, capsys):
    folder = tmp_path / "mnist"
    assert main(["data", "mnist", str(folder), "--url", server.url]) == 0
    for name, sha in MNIST_SHA256.items():
        assert content_sha256(folder / name) == sha
        assert (folder / name).read_bytes() == (SHARED / name).read_bytes()
    assert not list(folder.glob("*.part"))
    out = capsys.readouterr().out
    assert out.count("downloaded, sha256 checked") == 4 and f"--data {folder}" in out
    server.requests.clear()
    assert main(["data", "mnist", str(folder), "--url", server.url]) == 0  # a second run fetches nothing
    assert server.requests == [] and capsys.readouterr().out.count("already present") == 4


def test_resume_after_an_interrupted_download(server, tmp_path):
    name = "train-labels-idx1-ubyte.gz"
    server.cut[name] = 10_000
    with pytest.raises(DownloadError, match=f"{name}: interrupted .* run again to resume"):
        download_mnist(tmp_path, url=server.url, files={name: LABELS[name]}, report=lambda _: None)
    part = tmp_path / (name + ".part")
    assert part.stat().st_size == 10_000 and not (tmp_path / name).exists()
    download_mnist(tmp_path, url=server.url, files={name: LABELS[name]}, report=lambda _: None)
    assert server.requests[-1] == (name, "bytes=10000-")  # continued, not restarted
    assert (tmp_path / name).read_bytes() == (SHARED / name).read_bytes() and not part.exists()


def test_a_whole_part_file_is_finished_without_refetching(server, tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    (tmp_path / (name + ".part")).write_bytes((SHARED / name).read_bytes())
    download_mnist(tmp_path, url=server.url, files={name: LABELS[name]}, report=lambda _: None)
    assert server.requests == [(name, f"bytes={(SHARED / name).stat().st_size}-")]  # answered 416: nothing to add
    assert content_sha256(tmp_path / name) == LABELS[name]


def test_a_corrupted_file_is_refused_and_not_installed(server, tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    server.damage.add(name)
    with pytest.raises(DownloadError, match=f"{name}: refused: (sha256 of the content is|not a complete gzip)"):
        download_mnist(tmp_path, url=server.url, files=LABELS, report=lambda _: None)
    assert not (tmp_path / name).exists() and not (tmp_path / (name + ".part")).exists()


def test_a_rebuilt_gzip_with_the_same_content_passes(server, tmp_path):
    """The check is on the decompressed content: another mirror's gzip settings do not matter."""
    name = "t10k-labels-idx1-ubyte.gz"
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / name).write_bytes(gzip.compress(gzip.decompress((SHARED / name).read_bytes()), compresslevel=1))
    assert (mirror / name).read_bytes() != (SHARED / name).read_bytes()
    assert content_sha256(mirror / name) == LABELS[name]


def test_an_existing_wrong_file_is_not_replaced(server, tmp_path):
    name = "t10k-labels-idx1-ubyte.gz"
    (tmp_path / name).write_bytes(gzip.compress(b"not mnist"))
    with pytest.raises(DownloadError, match="already there but sha256 of the content is"):
        download_mnist(tmp_path, url=server.url, files={name: LABELS[name]}, report=lambda _: None)
    assert gzip.decompress((tmp_path / name).read_bytes()) == b"not mnist"


def test_missing_file_and_unreachable_server(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_mnist(tmp_path, url=server.url, files={"nothing.gz": "0" * 64}, report=lambda _: None)
    with pytest.raises(DownloadError, match="cannot connect"):
        download_mnist(tmp_path, url="http://127.0.0.1:9/", files=LABELS, report=lambda _: None)


def test_default_cache_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache() == tmp_path / "symbackprop" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache() == Path.home() / ".cache" / "symbackprop" / "mnist"
