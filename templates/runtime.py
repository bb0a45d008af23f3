"""The fixed runtime of every generated training module: plain Python that ruff checks as it is.

``templates/network.py.j2`` includes each part of this file verbatim, in its place. A part runs from its
``# part: NAME`` line to the next one (or to the end); the marker lines themselves are never included.
The ``stand-ins`` part is never included either: it gives the names the template writes before the
runtime (the network's layers, dtype and buffer counts), and ``class Network`` is a stand-in for the
class the template opens, so that this file is a complete module. Everything that depends on the spec
(the docstrings, the forward and backward passes, the L2 term, the initialisation) is in the template,
filled from :func:`symbackprop.emission.module.context`.
"""

# part: stand-ins
import numpy as np

LAYERS = (2, 3, 2)
DTYPE = np.float64
EXAMPLE_AXIS = 0
BLOCK_SLOTS = ((0, (3, 3)), (9, (2, 4)))
PARAMETER_COUNT = 17
SCRATCH = (1, 1)
MASKS = (0, 0)


# part: constants
#: `train` checks the parameters for NaN or inf after every CHECK_EVERY mini-batches.
CHECK_EVERY = 100
#: `train` gathers the rows of whole mini-batches, about this many rows, with one np.take.
GATHER_ROWS = 256
#: forward, predict and cost work through big inputs in chunks of at most this many rows.
CHUNK = 1000
#: How many mini-batch sizes keep their buffers (the least recently used size is dropped first).
BUFFER_SIZES = 8
#: What `save` writes as the layout of `parameters`, and `load` requires.
LAYOUT = "one block [W | b] per layer, one row per neuron"


class DivergenceError(FloatingPointError):
    """Training diverged: the parameters became NaN or inf.

    `epoch` and `batch` (both from 1) name the mini-batch whose step did it, `rows` = (start, stop) its
    positions in that epoch's shuffled order, and `history` holds the entries of the completed epochs.
    The network keeps the parameters it had before that mini-batch.
    """

    def __init__(self, message, epoch, batch, rows, history):
        super().__init__(message)
        self.epoch, self.batch, self.rows, self.history = epoch, batch, rows, history


def _blocks(flat):
    """Every layer's block B^l, a contiguous (n_l, n_(l-1) + 1) view into a flat buffer."""
    return tuple(flat[start:start + rows * cols].reshape(rows, cols) for start, (rows, cols) in BLOCK_SLOTS)


# part: buffers
class _Buffers:
    """Every array one mini-batch size m needs, allocated once, each contiguous (a[0] is x, the inputs)."""

    def __init__(self, m):
        self.m = m
        self.x = np.empty((m, LAYERS[0]), dtype=DTYPE)
        self.y = np.empty((m, LAYERS[-1]), dtype=DTYPE)
        self.a = [self.x] + [np.empty((m, n), dtype=DTYPE) for n in LAYERS[1:]]
        self.z = [None] + [np.empty((m, n), dtype=DTYPE) for n in LAYERS[1:]]
        self.delta = [None] + [np.empty((m, n), dtype=DTYPE) for n in LAYERS[1:]]
        # [a^l, 1] for each hidden layer l, and the view of its first n_l columns that a^l is copied into
        self.augmented = [None] + [np.ones((m, n + 1), dtype=DTYPE) for n in LAYERS[1:-1]] + [None]
        self.hidden = [None] + [rows[:, :-1] for rows in self.augmented[1:-1]] + [None]
        # b^1 in every row, copied from the bias row (the inputs x are gathered without a column of ones, and
        # a broadcast add would make NumPy allocate an iteration buffer; a broadcast copy does not)
        self.bias = np.empty((m, LAYERS[1]), dtype=DTYPE)
        # a row of ones: BP3's sum of δ^1 over the batch as a product, (1, m) (m, n_1), faster than np.sum
        self.ones = np.ones((1, m), dtype=DTYPE)
        # one value per example, e.g. a softmax's row maximum or row sum
        self.rows = [None] + [np.empty((m, 1), dtype=DTYPE) for _ in LAYERS[1:]]
        self.scratch = [None] + [
            [np.empty((m, n), dtype=DTYPE) for _ in range(count)] for n, count in zip(LAYERS[1:], SCRATCH)
        ]
        self.masks = [None] + [
            [np.empty((m, n), dtype=bool) for _ in range(count)] for n, count in zip(LAYERS[1:], MASKS)
        ]


# part: stand-ins
class Network:
    """A stand-in for the class the template opens; the parts below are its methods."""

    @property
    def weights(self):
        """A stand-in for the getter the template writes (its docstring names the notation's weights)."""

    # part: parameters
    @weights.setter
    def weights(self, values):
        checked = [_parameter(v, value, f"weights[{i}]") for i, (v, value) in enumerate(_pairs(self._weights, values))]
        for view, value in zip(self._weights, checked):  # assigned only once every array is checked
            np.copyto(view, value)

    @property
    def biases(self):
        """b^l, shape (n_l,), one per layer after the input (views into `parameters`)."""
        return list(self._biases)

    @biases.setter
    def biases(self, values):
        checked = [_parameter(v, value, f"biases[{i}]") for i, (v, value) in enumerate(_pairs(self._biases, values))]
        for view, value in zip(self._biases, checked):  # assigned only once every array is checked
            np.copyto(view, value)

    # -- the network -----------------------------------------------------------------------------
    def _buffers_for(self, m):
        """The buffers for m examples, from a cache of the BUFFER_SIZES most recently used sizes."""
        buffers = self._buffers.pop(m, None)
        if buffers is None:
            buffers = _Buffers(m)
            while len(self._buffers) >= BUFFER_SIZES:
                del self._buffers[next(iter(self._buffers))]  # the least recently used size
        self._buffers[m] = buffers  # now the most recently used (dicts keep insertion order)
        return buffers

    # part: batches
    def _load_batch(self, X, Y):
        X, Y = _check_pair(X, Y)
        b = self._buffers_for(len(X))
        np.copyto(b.x, X)
        np.copyto(b.y, Y)
        return b

    def _outputs(self, X, chunk):
        """a^L for the rows of a checked X, in chunks of at most `chunk` rows."""
        out = np.empty((len(X), LAYERS[-1]), dtype=DTYPE)
        for start in range(0, len(X), chunk):
            rows = X[start:start + chunk]
            b = self._buffers_for(len(rows))
            np.copyto(b.x, rows)
            self._forward(b, b.x)
            np.copyto(out[start:start + len(rows)], b.a[-1])
        return out

    # part: gradients
    def gradients(self, X, Y, n=None):
        """(dC/dW^l, dC/db^l) for every layer, of exactly the cost above (new arrays)."""
        b = self._load_batch(X, Y)
        decay = self._decay(n)
        self._forward(b, b.x)
        self._backward(b, b.x, b.y, np.array(1.0 / b.m, dtype=DTYPE))
        weights = [G + decay * W for G, W in zip(self._weight_gradients, self._weights)]
        biases = [G.copy() for G in self._bias_gradients]
        return weights, biases

    # part: step
    def step(self, X, Y, eta, n=None):
        """One gradient-descent step on the mini-batch (X, Y): v <- v - eta dC/dv."""
        eta = _learning_rate(eta)
        b = self._load_batch(X, Y)
        self._step(b, b.x, b.y, np.array(-eta / b.m, dtype=DTYPE), self._shrink(eta, self._decay(n)))

    # part: training
    def _schedule(self, order, batch_size, eta):
        """An epoch's mini-batches as `train` runs them, with the buffers their rows are gathered into.

        One (first, gathers) per CHECK_EVERY mini-batches (first: the number of the first, from 0); each gather
        is (rows, x_rows, y_rows, batches): `rows` a view of `order` spanning whole mini-batches, about
        GATHER_ROWS of them, `x_rows` and `y_rows` the buffers np.take fills with those rows of X and Y, and
        `batches` one (buffers, x, y, -eta/m) per mini-batch, x and y its views of x_rows and y_rows.
        """
        n = len(order)
        per_gather = max(1, min(CHECK_EVERY, GATHER_ROWS // batch_size))  # mini-batches per np.take
        x_all = np.empty((min(per_gather * batch_size, n), LAYERS[0]), dtype=DTYPE)
        y_all = np.empty((len(x_all), LAYERS[-1]), dtype=DTYPE)
        sizes = [min(batch_size, n - start) for start in range(0, n, batch_size)]
        shared = {}  # the mini-batches of a gather, by their sizes: all but the last one or two gathers share one
        checks = []
        for first in range(0, len(sizes), CHECK_EVERY):
            gathers = []
            for begin in range(first, min(first + CHECK_EVERY, len(sizes)), per_gather):
                part = tuple(sizes[begin:min(begin + per_gather, first + CHECK_EVERY)])
                if part not in shared:
                    shared[part] = [
                        (self._buffers_for(m), x_all[at:at + m], y_all[at:at + m], np.array(-eta / m, dtype=DTYPE))
                        for at, m in zip(range(0, n, batch_size), part)
                    ]
                start, stop = begin * batch_size, begin * batch_size + sum(part)
                gathers.append((order[start:stop], x_all[:stop - start], y_all[:stop - start], shared[part]))
            checks.append((first, gathers))
        return checks

    def _diverged(self, X, Y, order, batch_size, eta, first, saved, initial, shrink, epoch, history):
        """Replay the mini-batches from number `first` one at a time from the saved parameters; at the one whose
        step makes a parameter NaN or inf, raise a ValueError (with the initial parameters restored) if its
        rows of X hold NaN or inf, else restore the parameters from before it and raise DivergenceError."""
        parameters, n = self.parameters, len(order)
        count = -(-n // batch_size)
        np.copyto(parameters, saved)
        for index in range(first, min(first + CHECK_EVERY, count)):
            start = index * batch_size
            rows = order[start:start + batch_size]
            b = self._buffers_for(len(rows))
            np.copyto(saved, parameters)
            np.take(X, rows, axis=0, out=b.x, mode="clip")
            np.take(Y, rows, axis=0, out=b.y, mode="clip")
            self._step(b, b.x, b.y, np.array(-eta / b.m, dtype=DTYPE), shrink)
            if not _all_finite(parameters):
                if not _all_finite(b.x):
                    np.copyto(parameters, initial)
                    _check_array(_as_given(X), "X", LAYERS[0])  # raises, naming the non-finite values of X
                np.copyto(parameters, saved)
                raise DivergenceError(
                    f"training diverged in epoch {epoch}, mini-batch {index + 1} of {count} (rows "
                    f"{start}:{start + b.m} of the epoch's shuffled order): the parameters became NaN or inf; "
                    "the network keeps the parameters from before that mini-batch (try a smaller eta)",
                    epoch, index + 1, (start, start + b.m), list(history),
                )
        # the replay stayed finite (only a non-deterministic BLAS could do this): carry on from it

    def predict(self, X, chunk=CHUNK):
        """The index of the largest output for each example of X."""
        chunk = _positive_integer(chunk, "chunk")
        return np.argmax(self._outputs(_check_array(X, "X", LAYERS[0]), chunk), axis=1)

    def evaluate(self, X, labels):
        """How many examples of X are predicted as their label (labels: integers, or one-hot as Y)."""
        predicted = self.predict(X)
        return int(np.sum(predicted == _labels(labels, len(predicted))))

    # part: loading
    @classmethod
    def load(cls, path):
        """A Network with the parameters saved by `save`; a ValueError naming the path and the problem for a
        file that is not such a weights file, is for another network, or holds NaN or inf (nothing is half-loaded)."""
        try:
            data = np.load(path, allow_pickle=False)
        except Exception as error:  # not .npz or .npy, or truncated: zipfile.BadZipFile, EOFError, OSError, ...
            raise ValueError(f"{path}: cannot load weights: {error}") from None
        if not {"parameters", "layers", "layout"} <= set(getattr(data, "files", ())):
            if hasattr(data, "close"):
                data.close()
            raise ValueError(f"{path}: not a weights file saved by this module (needs parameters, layers, layout)")
        try:
            with data:  # read every array in full before anything is checked or copied
                parameters, layers, layout = data["parameters"], data["layers"].tolist(), str(data["layout"])
        except Exception as error:  # a damaged member: zipfile.BadZipFile, EOFError, zlib.error, ValueError, ...
            raise ValueError(f"{path}: cannot load weights: {error}") from None
        if layers != list(LAYERS):
            raise ValueError(f"{path}: the weights are for layers {layers}, not {list(LAYERS)}")
        if layout != LAYOUT:
            raise ValueError(f"{path}: the parameters are laid out as {layout!r}, not {LAYOUT!r}")
        if parameters.shape != (PARAMETER_COUNT,) or parameters.dtype.kind not in "fiu":
            raise ValueError(
                f"{path}: expected {PARAMETER_COUNT} real parameters, got {parameters.dtype} {parameters.shape}"
            )
        if not _all_finite(parameters):
            raise ValueError(f"{path}: {_count_bad(parameters)} of the parameters are NaN or inf")
        net = cls()
        np.copyto(net.parameters, parameters.astype(DTYPE))
        return net


def _all_finite(array):
    """Whether every value of the array is finite: the sum of squares, one BLAS dot product, is finite unless
    a value is NaN or inf (or the sum overflows, when the values are checked one by one)."""
    if array.flags.c_contiguous:
        flat = array.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.dot(flat, flat)):
                return True
    return bool(np.all(np.isfinite(array)))


def _count_bad(array):
    return int(np.count_nonzero(~np.isfinite(array)))


def _check_array(value, name, width, finite=True):
    """value as an (m, width) array of DTYPE, one example per row, with m >= 1 (all finite unless finite=False);
    else a ValueError naming the argument, its shape and the problem. With EXAMPLE_AXIS = 1 the value holds one
    example per column, (width, m), and this is its transposed view."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: not an array of numbers ({error})") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected real numbers, got dtype {array.dtype}; shape {array.shape}")
    if array.ndim != 2 or array.shape[1 - EXAMPLE_AXIS] != width or array.shape[EXAMPLE_AXIS] == 0:
        expected = f"({width}, m)" if EXAMPLE_AXIS else f"(m, {width})"
        raise ValueError(f"{name}: expected shape {expected} with m >= 1, got {array.shape}")
    with np.errstate(over="ignore", invalid="ignore"):  # a value too big for DTYPE becomes inf: reported below
        array = array.astype(DTYPE, copy=False)
    if finite and not _all_finite(array):
        bad = ~np.isfinite(array)
        first = int(np.flatnonzero(bad.any(axis=1 - EXAMPLE_AXIS))[0])
        raise ValueError(
            f"{name}: {int(np.count_nonzero(bad))} non-finite values (NaN or inf, or too big for {DTYPE.__name__}), "
            f"first at {'column' if EXAMPLE_AXIS else 'row'} {first}; shape {array.shape}"
        )
    return array.T if EXAMPLE_AXIS else array


def _as_given(array):
    """An (m, width) result laid out as the inputs are: itself, or with EXAMPLE_AXIS = 1 its (width, m) view."""
    return array.T if EXAMPLE_AXIS else array


def _positive_integer(value, name):
    """value as an int if it is a positive integer of any integer type (not a bool, not a float), else a ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def _learning_rate(eta):
    """eta as a float if it is one finite positive real number (a Python or NumPy scalar), else a ValueError."""
    if isinstance(eta, (bool, np.bool_)) or not isinstance(eta, (int, float, np.integer, np.floating)):
        raise ValueError(f"eta: expected a finite positive number, got {eta!r}")
    if not np.isfinite(eta) or eta <= 0:
        raise ValueError(f"eta: expected a finite positive number, got {eta!r}")
    return float(eta)


def _training_set_size(n):
    """n (None, or the training-set size of the dataset-scale L2 term) checked: a positive integer."""
    return None if n is None else _positive_integer(n, "n")


def _labels(labels, count):
    """labels as `count` integer class numbers in 0..n_L-1: given as integers (any integer dtype) or as one-hot
    rows (columns with EXAMPLE_AXIS = 1); else a ValueError naming what was given and what is valid."""
    labels = np.asarray(labels)
    if labels.ndim == 2:
        labels = np.argmax(labels, axis=1 - EXAMPLE_AXIS)
    if labels.shape != (count,):
        one_hot = "columns" if EXAMPLE_AXIS else "rows"
        raise ValueError(f"labels: expected {count} labels or one-hot {one_hot}, got shape {np.shape(labels)}")
    return _class_numbers(labels, "labels")


def _class_numbers(labels, name):
    """1-D labels checked: an integer dtype (or whole floats) and every value a class number in 0..n_L-1."""
    if labels.dtype.kind == "f" and np.all(np.isfinite(labels)) and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iub":
        raise ValueError(f"{name}: expected integer class numbers 0..{LAYERS[-1] - 1}, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= LAYERS[-1]):
        bad = labels[(labels < 0) | (labels >= LAYERS[-1])][0]
        raise ValueError(f"{name}: {bad} is not a class number; the {LAYERS[-1]} outputs are 0..{LAYERS[-1] - 1}")
    return labels.astype(np.intp, copy=False)


def _one_hot(labels):
    """(m,) class numbers as one-hot (m, n_L) rows of DTYPE."""
    rows = np.zeros((len(labels), LAYERS[-1]), dtype=DTYPE)
    rows[np.arange(len(labels)), labels] = 1
    return rows


def _check_pair(X, Y, finite_X=True):
    """X and the targets Y checked: Y as one-hot (or any real) rows, or as m integer labels, made one-hot here."""
    X = _check_array(X, "X", LAYERS[0], finite=finite_X)
    if np.ndim(Y) == 1 and LAYERS[-1] == 1:  # one output: m targets, not labels
        Y = _check_array(np.reshape(Y, (1, -1) if EXAMPLE_AXIS else (-1, 1)), "Y", 1)
    elif np.ndim(Y) == 1:  # integer labels, one per example
        Y = _one_hot(_class_numbers(np.asarray(Y), "Y (labels)"))
    else:
        Y = _check_array(Y, "Y", LAYERS[-1])
    if len(X) != len(Y):
        given = "columns" if EXAMPLE_AXIS else "rows"
        raise ValueError(
            f"X and Y: {len(X)} {given} of X but {len(Y)} {given} of Y; shapes {_as_given(X).shape} and "
            f"{_as_given(Y).shape}"
        )
    return X, Y


def _pairs(views, values):
    values = list(values)
    if len(values) != len(views):
        name = "weights" if views[0].ndim == 2 else "biases"
        raise ValueError(f"{name}: expected {len(views)} arrays, got {len(values)}")
    return list(zip(views, values))


def _parameter(view, value, name):
    value = np.asarray(value)
    if value.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected real numbers, got dtype {value.dtype}")
    if value.shape != view.shape:
        raise ValueError(f"{name}: expected shape {view.shape}, got {value.shape}")
    value = value.astype(DTYPE)
    if not _all_finite(value):
        raise ValueError(f"{name}: {_count_bad(value)} non-finite values (NaN or inf)")
    return value
