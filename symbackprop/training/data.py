"""Data: the examples a generated module trains on, from a folder, a file or a name.

:func:`load_data` reads

* a folder holding MNIST's four IDX files (``train-images-idx3-ubyte`` …,
  gzipped or not), checked against the format: magic numbers, counts, image
  sizes and the exact length of every file;
* Nielsen's ``mnist.pkl.gz`` (a Python-2 pickle of three ``(X, y)`` pairs),
  through an unpickler that accepts only what NumPy arrays need, never an
  arbitrary class or function;
* an ``.npz`` with arrays ``X`` and ``y`` and optionally ``X_test`` and
  ``y_test`` (read without pickle; other names with ``npz_keys``);
* a ``.csv`` of one example per row: a label column (``label_column``, else one
  named ``label``, else the first) and the inputs; a header row is optional;
  without ``X_test`` its last tenth tests;
* the name ``digits``: scikit-learn's bundled 8×8 digits (no network);
* the name ``mnist``: the download cache filled by ``symbackprop data mnist``.

MNIST follows Nielsen's book: the first 50,000 training images train, the
10,000 test images test, pixels scaled to [0, 1]. A file that is not what it
claims gets a :class:`DataError` naming the file and what is wrong.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import pickle
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from symbackprop.errors import SymbackpropError
from symbackprop.files import not_regular

MNIST_TRAIN = 50_000  # Nielsen's training set: the first 50,000 of MNIST's 60,000 training images
DIGITS_TRAIN = 1_500  # scikit-learn's 1,797 digits: the first 1,500 train, the other 297 test
NPZ_TEST_FRACTION = 0.1  # an .npz without X_test: its last tenth is held out for testing

IDX_IMAGES, IDX_LABELS = 2051, 2049  # magic numbers: unsigned bytes, 3 or 1 dimensions
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class DataError(SymbackpropError):
    """Data that cannot be used: names the file (or data set) and what is wrong."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Training and test examples as rows: X in [0, 1], shape (n, d); labels integers."""

    X_train: np.ndarray
    labels_train: np.ndarray
    X_test: np.ndarray
    labels_test: np.ndarray
    description: str
    source: str

    @property
    def width(self) -> int:
        """d, the number of inputs per example."""
        return self.X_train.shape[1]

    def one_hot(self, width: int) -> np.ndarray:
        """The training labels as one-hot rows of ``width`` outputs."""
        return one_hot(self.labels_train, width, where=self.source)


def one_hot(labels: np.ndarray, width: int, *, where: str = "labels") -> np.ndarray:
    """Rows with a 1 in the label's column (labels must be integers in 0..width-1)."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= width):
        raise DataError(
            f"{where}: labels run from {labels.min()} to {labels.max()}, but the network has {width} outputs "
            f"(labels must be 0..{width - 1})"
        )
    rows = np.zeros((len(labels), width))
    rows[np.arange(len(labels)), labels] = 1.0
    return rows


def check_width(data: Dataset, layers) -> None:
    """Refuse data whose examples do not fit the network's input and output widths."""
    if data.width != layers[0]:
        raise DataError(
            f"{data.source}: examples have {data.width} inputs but the spec's layers[0] is {layers[0]}; "
            f"use data with {layers[0]} inputs or a spec with layers[0] = {data.width}"
        )
    labels = np.concatenate([data.labels_train, data.labels_test])
    if labels.max() >= layers[-1]:
        raise DataError(
            f"{data.source}: labels go up to {labels.max()} but the spec's last layer has {layers[-1]} outputs; "
            f"it needs at least {labels.max() + 1}"
        )


def load_data(
    path_or_name: str | os.PathLike,
    *,
    cache: str | os.PathLike | None = None,
    npz_keys: tuple[str, ...] | None = None,
    label_column: str | None = None,
) -> Dataset:
    """The data set a path or name stands for (see the module docstring); ``npz_keys`` names an .npz's arrays
    (X, y or X, y, X_test, y_test), ``label_column`` a CSV's label column (a header name or a 1-based number)."""
    text = str(path_or_name)
    if text == "digits":
        return load_digits()
    if text == "mnist":
        from symbackprop.training.download import default_cache

        folder = Path(cache) if cache is not None else default_cache()
        if not all(_idx_path(folder, name) for name in IDX_FILES.values()):
            raise DataError(f"{folder}: no MNIST download here; run `symbackprop data mnist` or pass --data")
        return load_idx_folder(folder)
    path = Path(text)
    if not path.exists():
        raise DataError(
            f"{path}: no such file or folder; expected 'digits', 'mnist', an IDX folder, .pkl.gz, .npz or .csv"
        )
    if path.is_dir():
        return load_idx_folder(path)
    kind = not_regular(path)
    if kind is not None:  # a FIFO would block every reader below until someone writes into it
        raise DataError(f"{path}: is {kind}; expected 'digits', 'mnist', an IDX folder, .pkl.gz, .npz or .csv")
    if path.name.endswith((".pkl.gz", ".pkl")):
        return load_pickle(path)
    if npz_keys is not None and path.suffix != ".npz":
        raise DataError(f"{path}: --npz-keys names the arrays of an .npz; this is not one")
    if label_column is not None and path.suffix != ".csv":
        raise DataError(f"{path}: --label-column names a column of a .csv; this is not one")
    if path.suffix == ".npz":
        return load_npz(path, keys=npz_keys)
    if path.suffix == ".csv":
        return load_csv(path, label_column=label_column)
    raise DataError(f"{path}: unknown kind of data; expected an IDX folder, mnist.pkl.gz, an .npz or a .csv")


# -- MNIST as IDX files --------------------------------------------------------------------------


def _idx_path(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def read_idx(path: str | os.PathLike, magic: int) -> np.ndarray:
    """The uint8 array of one IDX file (gzipped or not), its header and length checked."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: not a readable gzip file ({error})") from error
    dimensions = 3 if magic == IDX_IMAGES else 1
    header = 4 * (1 + dimensions)
    if len(raw) < header:
        raise DataError(f"{path}: truncated: {len(raw)} bytes, shorter than the {header}-byte IDX header")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        kind = "images" if magic == IDX_IMAGES else "labels"
        raise DataError(f"{path}: IDX magic number {found}, expected {magic} (uint8 {kind}, {dimensions} dimensions)")
    shape = tuple(int.from_bytes(raw[4 * i : 4 * i + 4], "big") for i in range(1, dimensions + 1))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        what = "truncated" if len(raw) < expected else "too long"
        raise DataError(
            f"{path}: {what}: {len(raw)} bytes, but its header {list(shape)} needs {expected} (uncompressed)"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_idx_folder(folder: str | os.PathLike) -> Dataset:
    """MNIST from the four IDX files in ``folder``: first 50,000 training images, 10,000 test, pixels / 255."""
    folder = Path(folder)
    paths = {}
    for key, stem in IDX_FILES.items():
        path = _idx_path(folder, stem)
        if path is None:
            raise DataError(f"{folder}: missing {stem} (or {stem}.gz); an MNIST folder holds {_names()}")
        paths[key] = path
    arrays = {key: read_idx(path, IDX_IMAGES if key.endswith("images") else IDX_LABELS) for key, path in paths.items()}
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if len(images) != len(labels):
            raise DataError(f"{paths[part + '_labels']}: {len(labels)} labels for {len(images)} images")
        if labels.size and labels.max() > 9:
            raise DataError(f"{paths[part + '_labels']}: a label is {labels.max()}; MNIST labels are 0..9")
    train = min(MNIST_TRAIN, len(arrays["train_images"]))
    return Dataset(
        X_train=_pixels(arrays["train_images"][:train]),
        labels_train=arrays["train_labels"][:train].astype(np.int64),
        X_test=_pixels(arrays["test_images"]),
        labels_test=arrays["test_labels"].astype(np.int64),
        description=f"MNIST: first {train} training images, {len(arrays['test_images'])} test images, pixels / 255",
        source=str(folder),
    )


def _names() -> str:
    return ", ".join(IDX_FILES.values())


def _pixels(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float64) / 255.0


# -- Nielsen's mnist.pkl.gz ----------------------------------------------------------------------

_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),  # how protocol 2 writes bytes from Python 3
}


class _ArraysOnly(pickle.Unpickler):
    """An unpickler for tuples of NumPy arrays: any other global is refused."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"refused to load {module}.{name} (only NumPy arrays are allowed)")
        if name == "_reconstruct":
            try:
                from numpy._core.multiarray import _reconstruct
            except ImportError:  # NumPy 1.x
                from numpy.core.multiarray import _reconstruct
            return _reconstruct
        if module == "_codecs":
            import codecs

            return codecs.encode
        return getattr(np, name)


def restricted_load(stream) -> object:
    """Unpickle ``stream`` allowing only NumPy arrays (and tuples, lists, numbers, strings)."""
    return _ArraysOnly(stream, encoding="latin1").load()


def load_pickle(path: str | os.PathLike) -> Dataset:
    """Nielsen's ``mnist.pkl.gz``: ((X, y), (X_valid, y_valid), (X_test, y_test)); training and test are used."""
    path = Path(path)
    try:
        with open(path, "rb") as raw:
            stream = gzip.GzipFile(fileobj=raw) if raw.read(2) == b"\x1f\x8b" else raw
            raw.seek(0)
            content = restricted_load(io.BytesIO(stream.read()))
    except pickle.UnpicklingError as error:
        raise DataError(f"{path}: {error}") from error
    except (OSError, EOFError, zlib.error, ValueError, TypeError, AttributeError, IndexError) as error:
        raise DataError(f"{path}: not a readable pickle ({type(error).__name__}: {error})") from error
    if not (isinstance(content, tuple | list) and len(content) == 3 and all(_pair(part) for part in content)):
        raise DataError(f"{path}: expected ((X, y), (X_valid, y_valid), (X_test, y_test)) as in Nielsen's mnist.pkl.gz")
    (X, y), _, (X_test, y_test) = content
    return _from_arrays(X, y, X_test, y_test, where=str(path), description=f"{path.name}: Nielsen's pickled MNIST")


def _pair(part) -> bool:
    return isinstance(part, tuple | list) and len(part) == 2 and all(isinstance(a, np.ndarray) for a in part)


# -- .npz ----------------------------------------------------------------------------------------


def load_npz(path: str | os.PathLike, *, keys: tuple[str, ...] | None = None) -> Dataset:
    """X, y and optional X_test, y_test; without them the last tenth of the rows is held out for testing.

    ``keys`` gives the arrays' names in the file, in that order: ``("images", "labels")`` or four names.
    """
    path = Path(path)
    if keys is not None and len(keys) not in (2, 4):
        raise DataError(f"--npz-keys: give 2 names (X,y) or 4 (X,y,X_test,y_test), got {len(keys)}: {','.join(keys)}")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            content = {key: arrays[key] for key in arrays.files}
    except (OSError, ValueError, EOFError) as error:
        raise DataError(f"{path}: not a readable .npz without pickled objects ({error})") from error
    if keys is not None:
        missing = [key for key in keys if key not in content]
        if missing:
            raise DataError(f"{path}: no array {', '.join(missing)}; it holds {', '.join(sorted(content)) or 'none'}")
        content = {ours: content[theirs] for ours, theirs in zip(("X", "y", "X_test", "y_test"), keys)}
    missing = [key for key in ("X", "y") if key not in content]
    if missing:
        raise DataError(
            f"{path}: no array {' or '.join(missing)}; it holds {', '.join(sorted(content)) or 'none'}; an .npz needs "
            "X, y (and optionally X_test, y_test), or name its arrays with --npz-keys"
        )
    if ("X_test" in content) != ("y_test" in content):
        raise DataError(f"{path}: has one of X_test and y_test but not the other")
    X, y = content["X"], content["y"]
    if len(X) != len(y):
        raise DataError(f"{path}: X has {len(X)} rows but y has {len(y)} labels; they must match")
    if "X_test" in content:
        X_test, y_test = content["X_test"], content["y_test"]
        note = ""
    else:
        held = max(1, int(round(len(X) * NPZ_TEST_FRACTION)))
        if len(X) < 2:
            raise DataError(f"{path}: X has {len(X)} rows; at least 2 are needed to train and test")
        X, X_test, y, y_test = X[:-held], X[-held:], y[:-held], y[-held:]
        note = f", last {held} rows held out for testing"
    return _from_arrays(X, y, X_test, y_test, where=str(path), description=f"{path.name}{note}")


# -- .csv ----------------------------------------------------------------------------------------


def load_csv(path: str | os.PathLike, *, label_column: str | None = None) -> Dataset:
    """One example per row: the label column and the inputs (see the module docstring). Integer inputs from 0 to
    255 with some above 1 are read as pixel bytes and scaled to [0, 1], as MNIST's are."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            rows = [row for row in csv.reader(stream) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DataError(f"{path}: cannot read as CSV ({error})") from None
    if not rows:
        raise DataError(f"{path}: empty; expected one example per row, a label column and the inputs")
    header = None if all(_is_number(cell) for cell in rows[0]) else [cell.strip() for cell in rows[0]]
    body = rows[1:] if header else rows
    width = len(rows[0])
    if width < 2:
        raise DataError(f"{path}: line 1 has {width} column; expected a label column and at least one input")
    column = _label_index(path, header, width, label_column)
    values = []
    for number, row in enumerate(body, start=2 if header else 1):
        if len(row) != width:
            raise DataError(
                f"{path}: line {number} has {len(row)} columns, line 1 has {width}; every row needs the same"
            )
        for at, cell in enumerate(row):
            if not _is_number(cell):
                name = f" ({header[at]})" if header else ""
                raise DataError(f"{path}: line {number}, column {at + 1}{name}: {cell.strip()!r} is not a number")
        values.append([float(cell) for cell in row])
    if len(values) < 2:
        raise DataError(f"{path}: {len(values)} example; at least 2 are needed to train and test")
    table = np.array(values)
    labels = table[:, column]
    if not np.all(labels == np.round(labels)) or labels.min() < 0:
        raise DataError(f"{path}: the label column {column + 1} must hold whole numbers 0, 1, 2, ...")
    X = np.delete(table, column, axis=1)
    note = ""
    if np.all(X == np.round(X)) and X.min() >= 0 and 1 < X.max() <= 255:
        X, note = X / 255.0, ", pixels / 255"
    held = max(1, int(round(len(X) * NPZ_TEST_FRACTION)))
    y = labels.astype(np.int64)
    description = f"{path.name}: {len(X) - held} rows train, last {held} test{note}"
    return _from_arrays(X[:-held], y[:-held], X[-held:], y[-held:], where=str(path), description=description)


def _is_number(cell: str) -> bool:
    try:
        return np.isfinite(float(cell))
    except ValueError:
        return False


def _label_index(path: Path, header: list[str] | None, width: int, label_column: str | None) -> int:
    """The 0-based index of the label column: named (a header name or a 1-based number), ``label``, or the first."""
    if label_column is None:
        return header.index("label") if header and "label" in header else 0
    if header and label_column in header:
        return header.index(label_column)
    if label_column.isdigit() and 1 <= int(label_column) <= width:
        return int(label_column) - 1
    shown = ", ".join(header[:8]) + (", ..." if len(header or ()) > 8 else "") if header else ""
    names = f"a name of the header ({shown}) or " if header else ""
    raise DataError(f"{path}: no label column {label_column!r}; give {names}a number from 1 to {width}")


def _from_arrays(X, y, X_test, y_test, *, where: str, description: str) -> Dataset:
    parts = {"X": X, "y": y, "X_test": X_test, "y_test": y_test}
    for name in ("X", "X_test"):
        array = parts[name]
        if array.ndim < 2 or not (np.issubdtype(array.dtype, np.number) and not np.iscomplexobj(array)):
            raise DataError(f"{where}: {name} must be real numbers with one row per example, got {array.dtype}")
        if array.ndim > 2:
            parts[name] = array.reshape(len(array), -1)
        if np.issubdtype(array.dtype, np.integer):
            parts[name] = parts[name] / 255.0  # bytes of pixels, as in MNIST
    for name in ("y", "y_test"):
        array = parts[name]
        if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
            raise DataError(f"{where}: {name} must be integer labels, one per example; got {array.dtype} {array.shape}")
    for x, y_ in (("X", "y"), ("X_test", "y_test")):
        if len(parts[x]) != len(parts[y_]):
            raise DataError(f"{where}: {x} has {len(parts[x])} rows but {y_} has {len(parts[y_])} labels")
    if parts["X"].shape[1] != parts["X_test"].shape[1]:
        raise DataError(f"{where}: X has {parts['X'].shape[1]} columns but X_test has {parts['X_test'].shape[1]}")
    for name in ("X", "X_test"):
        if not np.all(np.isfinite(parts[name])):
            raise DataError(f"{where}: {name} holds NaN or infinite values")
    if min(parts["y"].min(initial=0), parts["y_test"].min(initial=0)) < 0:
        raise DataError(f"{where}: labels must be 0 or more")
    return Dataset(
        X_train=np.asarray(parts["X"], dtype=np.float64),
        labels_train=parts["y"].astype(np.int64),
        X_test=np.asarray(parts["X_test"], dtype=np.float64),
        labels_test=parts["y_test"].astype(np.int64),
        description=description,
        source=where,
    )


# -- scikit-learn's digits -----------------------------------------------------------------------


def load_digits() -> Dataset:
    """scikit-learn's bundled 8×8 digits (1,797 images, pixels 0..16 scaled to [0, 1]): first 1,500 train."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError as error:
        raise DataError(
            'digits: the built-in data set needs scikit-learn; pip install "symbackprop[digits]"'
        ) from error
    bunch = sklearn_digits()
    X = bunch.data.astype(np.float64) / 16.0
    y = bunch.target.astype(np.int64)
    return Dataset(
        X_train=X[:DIGITS_TRAIN],
        labels_train=y[:DIGITS_TRAIN],
        X_test=X[DIGITS_TRAIN:],
        labels_test=y[DIGITS_TRAIN:],
        description=f"scikit-learn digits, 8x8: first {DIGITS_TRAIN} train, last {len(X) - DIGITS_TRAIN} test",
        source="digits",
    )


def from_arrays(X, y, X_test=None, y_test=None, *, description: str = "arrays") -> Dataset:
    """A data set from arrays: X with one row per example, y integer labels or one-hot rows.

    Without X_test and y_test the last tenth of the rows is held out for testing. Values are used as they are
    (no scaling); a :class:`DataError` names the array and what is wrong.
    """
    X, y = np.asarray(X), _labels(np.asarray(y), "y")
    if (X_test is None) != (y_test is None):
        raise DataError(f"{description}: give both X_test and y_test, or neither")
    if len(X) != len(y):
        raise DataError(f"{description}: X has {len(X)} rows but y has {len(y)} labels; they must match")
    if X_test is None:
        if len(X) < 2:
            raise DataError(f"{description}: X has {len(X)} rows; at least 2 are needed to train and test")
        held = max(1, int(round(len(X) * NPZ_TEST_FRACTION)))
        X, X_test, y, y_test = X[:-held], X[-held:], y[:-held], y[-held:]
        description += f", last {held} rows held out for testing"
    else:
        X_test, y_test = np.asarray(X_test), _labels(np.asarray(y_test), "y_test")
    if np.issubdtype(X.dtype, np.integer):  # used as they are: not read as pixel bytes
        X, X_test = X.astype(np.float64), np.asarray(X_test, dtype=np.float64)
    return _from_arrays(X, y, X_test, y_test, where=description, description=description)


def _labels(y: np.ndarray, name: str) -> np.ndarray:
    """Integer labels as they are; one-hot rows (or any rows of scores) as the index of their largest entry."""
    if y.ndim == 2:
        return np.argmax(y, axis=1)
    if y.ndim == 1 and np.issubdtype(y.dtype, np.floating) and np.all(y == np.round(y)):
        return y.astype(np.int64)
    return y
