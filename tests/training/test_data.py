"""Tests for :mod:`symbackprop.training.data`: every loader on small files built here, and what each refuses."""

from __future__ import annotations

import gzip
import io
import pickle
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from paths import SHARED_DATA

from symbackprop.training.data import (
    DataError,
    check_width,
    load_data,
    one_hot,
    restricted_load,
)

SHARED = SHARED_DATA


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in array.shape) + array.tobytes()


def write_idx_folder(folder: Path, *, train=12, test=5, gz=True, rng=None) -> dict:
    rng = rng or np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": (rng.integers(0, 256, (train, 28, 28), dtype=np.uint8), 2051),
        "train-labels-idx1-ubyte": (rng.integers(0, 10, train, dtype=np.uint8), 2049),
        "t10k-images-idx3-ubyte": (rng.integers(0, 256, (test, 28, 28), dtype=np.uint8), 2051),
        "t10k-labels-idx1-ubyte": (rng.integers(0, 10, test, dtype=np.uint8), 2049),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, (array, magic) in arrays.items():
        data = idx_bytes(array, magic)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return {name: array for name, (array, _) in arrays.items()}


@pytest.mark.parametrize("gz", [True, False])
def test_idx_folder_round_trip(tmp_path, gz):
    arrays = write_idx_folder(tmp_path, gz=gz)
    data = load_data(tmp_path)
    np.testing.assert_array_equal(data.X_train, arrays["train-images-idx3-ubyte"].reshape(12, 784) / 255)
    np.testing.assert_array_equal(data.labels_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(data.X_test, arrays["t10k-images-idx3-ubyte"].reshape(5, 784) / 255)
    assert data.X_train.min() >= 0 and data.X_train.max() <= 1 and data.labels_test.dtype.kind == "i"
    assert data.width == 784


def test_idx_truncated_file_names_file_and_lengths(tmp_path):
    write_idx_folder(tmp_path, gz=False)
    bad = tmp_path / "t10k-images-idx3-ubyte"
    bad.write_bytes(bad.read_bytes()[:-100])
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte: truncated: 3836 bytes, .* needs 3936"):
        load_data(tmp_path)


def test_idx_truncated_gzip(tmp_path):
    write_idx_folder(tmp_path)
    bad = tmp_path / "train-labels-idx1-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:15])
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz: not a readable gzip file"):
        load_data(tmp_path)


def test_idx_wrong_magic_and_swapped_files(tmp_path):
    write_idx_folder(tmp_path, gz=False)
    images = tmp_path / "train-images-idx3-ubyte"
    labels = tmp_path / "train-labels-idx1-ubyte"
    swapped = images.read_bytes()
    images.write_bytes(labels.read_bytes())
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte: IDX magic number 2049, expected 2051"):
        load_data(tmp_path)
    images.write_bytes(swapped)
    labels.write_bytes(b"\0\0\0\0")
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte: truncated: 4 bytes"):
        load_data(tmp_path)


def test_idx_counts_must_agree_and_file_must_exist(tmp_path):
    rng = np.random.default_rng(1)
    write_idx_folder(tmp_path, gz=False)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(rng.integers(0, 10, 4, dtype=np.uint8), 2049))
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte: 4 labels for 5 images"):
        load_data(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match=r"missing t10k-labels-idx1-ubyte"):
        load_data(tmp_path)


def test_idx_too_long(tmp_path):
    write_idx_folder(tmp_path, gz=False)
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(DataError, match="too long"):
        load_data(tmp_path)


@pytest.mark.skipif(not (SHARED / "t10k-labels-idx1-ubyte.gz").exists(), reason="MNIST not in ../shared/data")
def test_mnist_convention_on_the_shared_files():
    data = load_data(SHARED)
    assert data.X_train.shape == (50_000, 784) and data.X_test.shape == (10_000, 784)
    assert np.bincount(data.labels_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert abs(data.X_test.mean() - 0.132515) < 1e-5


# -- Nielsen's pickle ------------------------------------------------------------------------------


def nielsen_pickle(path: Path, *, protocol=2, old_numpy_names=True) -> tuple:
    rng = np.random.default_rng(2)
    parts = tuple((rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64)) for n in (20, 6, 8))
    raw = pickle.dumps(parts, protocol=protocol)
    if old_numpy_names:  # as NumPy 1.x (and Python 2's cPickle) named the reconstructor
        raw = raw.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    path.write_bytes(gzip.compress(raw))
    return parts


@pytest.mark.parametrize("protocol,old", [(2, True), (2, False), (4, False)])
def test_nielsen_pickle(tmp_path, protocol, old):
    path = tmp_path / "mnist.pkl.gz"
    (X, y), _, (Xt, yt) = nielsen_pickle(path, protocol=protocol, old_numpy_names=old)
    data = load_data(path)
    np.testing.assert_array_equal(data.X_train, X)
    np.testing.assert_array_equal(data.labels_test, yt)
    assert data.X_test.shape == (8, 784) and len(data.labels_train) == 20


class Evil:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned > /dev/null",))


def test_pickle_with_a_malicious_global_is_refused(tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(pickle.dumps(((Evil(), 1), (2, 3), (4, 5)), protocol=2)))
    with pytest.raises(DataError, match=r"mnist.pkl.gz: refused to load (posix|os)\.system"):
        load_data(path)
    with pytest.raises(pickle.UnpicklingError, match="builtins.eval"):
        restricted_load(io.BytesIO(pickle.dumps(eval)))


def test_pickle_wrong_shape_and_truncated(tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(pickle.dumps((np.zeros(3), np.zeros(3)), protocol=2)))
    with pytest.raises(DataError, match=r"expected \(\(X, y\), \(X_valid"):
        load_data(path)
    nielsen_pickle(path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match="mnist.pkl.gz: not a readable pickle"):
        load_data(path)


# -- .npz --------------------------------------------------------------------------------------------


def test_npz_with_and_without_test_arrays(tmp_path):
    rng = np.random.default_rng(3)
    X, y = rng.random((30, 4)), rng.integers(0, 3, 30)
    np.savez(tmp_path / "a.npz", X=X, y=y)
    data = load_data(tmp_path / "a.npz")
    assert data.X_train.shape == (27, 4) and data.X_test.shape == (3, 4)
    np.testing.assert_array_equal(data.labels_test, y[27:])
    np.savez(tmp_path / "b.npz", X=X, y=y, X_test=X[:5], y_test=y[:5])
    data = load_data(tmp_path / "b.npz")
    assert data.X_train.shape == (30, 4) and len(data.labels_test) == 5
    np.savez(tmp_path / "c.npz", X=(X * 255).astype(np.uint8), y=y)
    assert load_data(tmp_path / "c.npz").X_train.max() <= 1.0


@pytest.mark.parametrize(
    "arrays,message",
    [
        (dict(X=np.zeros((4, 2))), "no array y"),
        (dict(X=np.zeros((4, 2)), y=np.zeros(3, int)), "X has 4 rows but y has 3 labels"),
        (dict(X=np.zeros((4, 2)), y=np.zeros(4)), "y must be integer labels"),
        (dict(X=np.full((4, 2), np.nan), y=np.zeros(4, int)), "NaN"),
        (dict(X=np.zeros((4, 2)), y=np.zeros(4, int), X_test=np.zeros((2, 2))), "not the other"),
        (dict(X=np.array([["a", "b"]] * 4), y=np.zeros(4, int)), "real numbers"),
    ],
)
def test_npz_refusals(tmp_path, arrays, message):
    np.savez(tmp_path / "d.npz", **arrays)
    with pytest.raises(DataError, match=f"d.npz: .*({message})"):
        load_data(tmp_path / "d.npz")


def test_npz_with_pickled_objects_is_refused(tmp_path):
    np.savez(tmp_path / "o.npz", X=np.array([object()] * 4, dtype=object), y=np.zeros(4, int))
    with pytest.raises(DataError, match="o.npz: not a readable .npz without pickled objects"):
        load_data(tmp_path / "o.npz")


# -- names, widths, one-hot ------------------------------------------------------------------------


def test_digits_split_and_scale():
    pytest.importorskip("sklearn", reason="scikit-learn (the digits extra) is not installed")
    data = load_data("digits")
    assert data.X_train.shape == (1500, 64) and data.X_test.shape == (297, 64)
    assert data.X_train.max() == 1.0 and data.X_train.min() == 0.0
    assert set(np.unique(data.labels_train)) == set(range(10))


def test_digits_without_scikit_learn_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(DataError, match=r'pip install "symbackprop\[digits\]"'):
        load_data("digits")


def test_mnist_name_without_a_download(tmp_path):
    with pytest.raises(DataError, match="symbackprop data mnist"):
        load_data("mnist", cache=tmp_path)


def test_unknown_path_and_kind(tmp_path):
    with pytest.raises(DataError, match="no such file or folder"):
        load_data(tmp_path / "nothing.npz")
    (tmp_path / "x.tsv").write_text("1\t2\n")
    with pytest.raises(DataError, match="x.tsv: unknown kind of data; expected .*an .npz or a .csv"):
        load_data(tmp_path / "x.tsv")


def test_width_mismatch_and_one_hot(tmp_path):
    write_idx_folder(tmp_path)
    data = load_data(tmp_path)
    with pytest.raises(DataError, match=r"784 inputs but the spec's layers\[0\] is 64"):
        check_width(data, (64, 30, 10))
    with pytest.raises(DataError, match="last layer has 3 outputs"):
        check_width(data, (784, 30, 3))
    check_width(data, (784, 30, 10))
    rows = one_hot(np.array([2, 0]), 3)
    np.testing.assert_array_equal(rows, [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(DataError, match="labels run from 0 to 5"):
        one_hot(np.array([5, 0]), 3)


# -- .csv and the names of an .npz's arrays -------------------------------------------------------


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_a_header_and_a_named_label_column(tmp_path):
    rows = "".join(f"{i * 3 % 7},{i % 3}.5,{i}\n" for i in range(20))
    data = load_data(_csv(tmp_path / "d.csv", "x1,digit,x2\n" + rows), label_column="x1")
    assert data.X_train.shape == (18, 2) and data.X_test.shape == (2, 2)  # the last tenth tests
    assert data.labels_train[:3].tolist() == [0, 3, 6]
    assert data.X_train[1].tolist() == [1.5, 1.0]  # the other columns, in order, not scaled (not pixel bytes)
    by_number = load_data(tmp_path / "d.csv", label_column="1")
    assert by_number.labels_train.tolist() == data.labels_train.tolist()


def test_csv_without_a_header_takes_the_first_column_and_scales_pixel_bytes(tmp_path):
    rows = "".join(f"{i % 10},{i * 10 % 256},{255 - i}\n" for i in range(30))
    data = load_data(_csv(tmp_path / "p.csv", rows))
    assert data.labels_train[:3].tolist() == [0, 1, 2]
    assert data.X_train.max() <= 1.0 and data.X_train[0].tolist() == [0.0, 1.0]
    assert "pixels / 255" in data.description
    labelled = load_data(_csv(tmp_path / "l.csv", "a,label\n" + "".join(f"0.5,{i % 2}\n" for i in range(10))))
    assert labelled.labels_train.tolist() == [0, 1, 0, 1, 0, 1, 0, 1, 0]  # the column named label


@pytest.mark.parametrize(
    "text, message",
    [
        ("1,2,3\n4,5\n", "line 2 has 2 columns, line 1 has 3"),
        ("label,a,b\n1,2,x\n3,4,5\n", "line 2, column 3 (b): 'x' is not a number"),
        ("1,2\n0.5,3\n", "the label column 1 must hold whole numbers"),
        ("1,2\n", "1 example; at least 2"),
        ("", "empty"),
        ("1\n2\n", "expected a label column and at least one input"),
    ],
)
def test_a_bad_csv_is_refused_with_its_line(tmp_path, text, message):
    with pytest.raises(DataError, match=re.escape(message)) as error:
        load_data(_csv(tmp_path / "bad.csv", text))
    assert "bad.csv" in str(error.value)


def test_csv_label_column_must_exist(tmp_path):
    _csv(tmp_path / "d.csv", "a,b\n1,2\n0,3\n")
    with pytest.raises(DataError, match=r"no label column 'c'; give a name of the header \(a, b\) or a number from 1"):
        load_data(tmp_path / "d.csv", label_column="c")
    with pytest.raises(DataError, match="names a column of a .csv"):
        load_data(_npz(tmp_path / "d.npz", X=np.zeros((4, 2)), y=np.zeros(4, int)), label_column="a")


def _npz(path: Path, **arrays) -> Path:
    np.savez(path, **arrays)
    return path


def test_npz_arrays_by_their_own_names(tmp_path):
    rng = np.random.default_rng(0)
    path = _npz(tmp_path / "d.npz", images=rng.random((20, 3)), labels=rng.integers(0, 4, 20))
    with pytest.raises(DataError, match="no array X or y; it holds images, labels; .*--npz-keys"):
        load_data(path)
    data = load_data(path, npz_keys=("images", "labels"))
    assert data.X_train.shape == (18, 3) and data.X_test.shape == (2, 3)
    with pytest.raises(DataError, match="no array pixels; it holds images, labels"):
        load_data(path, npz_keys=("pixels", "labels"))
    with pytest.raises(DataError, match="give 2 names"):
        load_data(path, npz_keys=("images", "labels", "images"))
    both = _npz(tmp_path / "e.npz", a=rng.random((8, 3)), b=rng.integers(0, 4, 8), c=rng.random((3, 3)),
                d=rng.integers(0, 4, 3))  # fmt: skip
    assert load_data(both, npz_keys=("a", "b", "c", "d")).X_test.shape == (3, 3)
