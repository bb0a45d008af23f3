"""Baselines for `benchmarks/train_speed.py`: MNIST reader, shared start, batch order, and hand-written trainers.

Not run by itself: `python benchmarks/train_speed.py --help` says how to run the benchmark. Everything here
follows one protocol so that every implementation trains from the same start on the same mini-batches:

* data: the first 50,000 MNIST training images and all 10,000 test images, pixels / 255 in [0, 1]
  (`load_mnist`, a gzip + `numpy.frombuffer` reader of the IDX files with a big-endian header check);
* initial parameters (`initial_parameters`): drawn once in float64 with `np.random.default_rng(0)`, as in
  Nielsen's chapter 1 (biases first, then weights, layer by layer; W^l ~ N(0, 1) of shape (n_l, n_{l-1}),
  b^l ~ N(0, 1) of shape (n_l,)), then cast to the dtype under test;
* batch order (`epoch_permutations`): `rng = np.random.default_rng(seed)`, one `rng.permutation(n)` per
  epoch, mini-batches `perm[i:i + m]` in order, a last partial batch included;
* update: W <- W - (eta / m) * sum over the batch of dC_x/dW with C_x = 1/2 ||a - y||^2, sigmoid everywhere,
  m the size of that batch.

Each trainer (`train_numpy`, `train_torch`, `train_jax`, `train_nielsen`) takes the same arguments and returns
an `EpochResult` (seconds of one training epoch, evaluation excluded; test accuracy after it; CPU seconds of
the timed part, to check that one thread was used). `time_matrix_products` times only the five matrix
products of each step of an epoch (forward 2, backward 3) and has no accuracy.
"""

from __future__ import annotations

import gzip
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LAYERS = (784, 30, 10)
N_TRAIN = 50_000
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
_IDX_MAGIC = {1: 2049, 3: 2051}  # unsigned byte data, 1 or 3 dimensions


@dataclass
class EpochResult:
    seconds: float  # wall-clock seconds of one training epoch (evaluation excluded)
    accuracy: float | None  # correct test predictions / number of test examples, None when not measured
    cpu_seconds: float | None = None  # process CPU seconds of the timed part (≈ seconds with one thread)
    note: str = ""


# --------------------------------------------------------------------------------------------------- data


def missing_mnist_files(folder: str | Path) -> list[str]:
    folder = Path(folder)
    return [name for name in MNIST_FILES.values() if not (folder / name).is_file()]


def read_idx(path: str | Path, ndim: int) -> np.ndarray:
    """Read one gzipped IDX file of unsigned bytes with `ndim` dimensions; checks the big-endian header."""
    path = Path(path)
    with gzip.open(path, "rb") as f:
        raw = f.read()
    header_bytes = 4 * (1 + ndim)
    if len(raw) < header_bytes:
        raise ValueError(f"{path}: {len(raw)} bytes, shorter than an IDX header")
    header = np.frombuffer(raw, dtype=">u4", count=1 + ndim)
    magic, shape = int(header[0]), tuple(int(d) for d in header[1:])
    if magic != _IDX_MAGIC[ndim]:
        raise ValueError(f"{path}: IDX magic {magic}, expected {_IDX_MAGIC[ndim]} (uint8, {ndim} dimensions)")
    size = math.prod(shape)
    if len(raw) != header_bytes + size:
        raise ValueError(f"{path}: {len(raw) - header_bytes} data bytes, header {shape} says {size}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_bytes).reshape(shape)


def load_mnist(folder: str | Path, dtype=np.float64, n_train: int = N_TRAIN):
    """Return (X_train, Y_train_onehot, X_test, y_test).

    X_train: the first `n_train` training images as rows (n_train, 784), pixels / 255 in `dtype`;
    Y_train_onehot: (n_train, 10) in `dtype`; X_test: (10000, 784) in `dtype`; y_test: (10000,) int64 labels.
    """
    folder = Path(folder)
    missing = missing_mnist_files(folder)
    if missing:
        raise FileNotFoundError(f"{folder}: missing {', '.join(missing)}")
    train_images = read_idx(folder / MNIST_FILES["train_images"], 3)
    train_labels = read_idx(folder / MNIST_FILES["train_labels"], 1)
    test_images = read_idx(folder / MNIST_FILES["test_images"], 3)
    test_labels = read_idx(folder / MNIST_FILES["test_labels"], 1)
    if len(train_images) != len(train_labels) or len(test_images) != len(test_labels):
        raise ValueError(f"{folder}: image and label counts differ")
    if len(train_images) < n_train:
        raise ValueError(f"{folder}: {len(train_images)} training images, fewer than {n_train}")
    if train_labels.max() > 9 or test_labels.max() > 9:
        raise ValueError(f"{folder}: a label outside 0..9")
    dtype = np.dtype(dtype)
    x_train = train_images[:n_train].reshape(n_train, -1).astype(dtype) / dtype.type(255)
    y_train = np.zeros((n_train, 10), dtype=dtype)
    y_train[np.arange(n_train), train_labels[:n_train]] = 1
    x_test = test_images.reshape(len(test_images), -1).astype(dtype) / dtype.type(255)
    return x_train, y_train, x_test, test_labels.astype(np.int64)


# ------------------------------------------------------------------------------------ shared protocol


def initial_parameters(layers=LAYERS, dtype=np.float64, seed: int = 0):
    """(weights, biases): drawn in float64 with default_rng(seed), Nielsen's order (all biases, then weights)."""
    rng = np.random.default_rng(seed)
    biases = [rng.standard_normal(n) for n in layers[1:]]
    weights = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(layers[:-1], layers[1:])]
    dtype = np.dtype(dtype)
    return [w.astype(dtype) for w in weights], [b.astype(dtype) for b in biases]


def epoch_permutations(n: int, epochs: int, seed: int):
    """The example order of each epoch: default_rng(seed), one permutation(n) per epoch."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


def batch_slices(n: int, batch_size: int):
    """The (start, stop) of each mini-batch of an epoch, a last partial batch included."""
    return [(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------------------- vectorized NumPy baseline


class NumpyNetwork:
    """The way a careful person writes it by hand: rows are examples, the batch is one matrix."""

    def __init__(self, weights, biases):
        self.weights = [np.array(w) for w in weights]
        self.biases = [np.array(b) for b in biases]

    def forward(self, x):
        a = x
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(a @ w.T + b)
        return a

    def step(self, x, y, eta):
        activations = [x]
        a = x
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(a @ w.T + b)
            activations.append(a)
        delta = (a - y) * a * (1 - a)  # BP1, quadratic cost, σ' = a(1 - a)
        scale = eta / len(x)
        for l in range(len(self.weights) - 1, -1, -1):
            grad_w = delta.T @ activations[l]  # BP4, summed over the batch
            grad_b = delta.sum(axis=0)  # BP3
            if l > 0:
                a_prev = activations[l]
                delta = (delta @ self.weights[l]) * a_prev * (1 - a_prev)  # BP2, with the weights before the update
            self.weights[l] -= scale * grad_w
            self.biases[l] -= scale * grad_b

    def train_epoch(self, x, y, perm, batch_size, eta):
        for start, stop in batch_slices(len(x), batch_size):
            idx = perm[start:stop]
            self.step(x[idx], y[idx], eta)

    def evaluate(self, x, labels):
        return int(np.sum(np.argmax(self.forward(x), axis=1) == labels))


def _timed(run):
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def train_numpy(x, y, x_test, y_test, weights, biases, batch_size, eta, perm) -> EpochResult:
    net = NumpyNetwork(weights, biases)
    with np.errstate(over="ignore"):  # exp(-z) overflows to inf for very negative z; σ is then exactly 0
        seconds, cpu = _timed(lambda: net.train_epoch(x, y, perm, batch_size, eta))
        correct = net.evaluate(x_test, y_test)
    return EpochResult(seconds, correct / len(y_test), cpu)


# ------------------------------------------------------------------------------------- PyTorch (eager)


def torch_available() -> tuple[bool, str]:
    try:
        import torch
    except Exception as exc:  # noqa: BLE001 - any import failure means "skip"
        return False, f"torch not importable ({type(exc).__name__}: {exc})"
    return True, f"torch {torch.__version__}"


def train_torch(x, y, x_test, y_test, weights, biases, batch_size, eta, perm) -> EpochResult:
    """PyTorch eager on CPU, one thread: autograd for the gradients, the SGD update by hand under no_grad."""
    import torch

    torch.set_num_threads(1)
    xt, yt, xs = torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(x_test)
    params_w = [torch.tensor(w, requires_grad=True) for w in weights]
    params_b = [torch.tensor(b, requires_grad=True) for b in biases]
    perm_t = torch.from_numpy(np.asarray(perm, dtype=np.int64))
    slices = batch_slices(len(x), batch_size)

    def forward(a):
        for w, b in zip(params_w, params_b):
            a = torch.sigmoid(a @ w.T + b)
        return a

    def epoch():
        for start, stop in slices:
            idx = perm_t[start:stop]
            xb, yb = xt.index_select(0, idx), yt.index_select(0, idx)
            cost = 0.5 * ((forward(xb) - yb) ** 2).sum()  # Σ_x C_x; the update divides by m
            cost.backward()
            scale = eta / (stop - start)
            with torch.no_grad():
                for p in (*params_w, *params_b):
                    p -= scale * p.grad
                    p.grad = None

    seconds, cpu = _timed(epoch)
    with torch.no_grad():
        correct = int((forward(xs).argmax(dim=1).numpy() == y_test).sum())
    return EpochResult(seconds, correct / len(y_test), cpu)


# -------------------------------------------------------------------------------- JAX (one lax.scan)


def jax_available() -> tuple[bool, str]:
    try:
        import jax
    except Exception as exc:  # noqa: BLE001 - any import failure means "skip"
        return False, f"jax not importable ({type(exc).__name__}: {exc})"
    return True, f"jax {jax.__version__}"


_JAX_CACHE: dict = {}


def _jax_functions():
    """jitted (epoch, step, predict) built once; jax_enable_x64 so that float64 stays float64."""
    if _JAX_CACHE:
        return _JAX_CACHE["fns"]
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def forward(params, a):
        for w, b in params:
            a = jax.nn.sigmoid(a @ w.T + b)
        return a

    def batch_cost(params, xb, yb):
        return 0.5 * jnp.sum((forward(params, xb) - yb) ** 2)  # Σ_x C_x

    grad = jax.grad(batch_cost)

    def sgd(params, xb, yb, eta):
        g = grad(params, xb, yb)
        scale = eta / xb.shape[0]
        return [(w - scale * gw, b - scale * gb) for (w, b), (gw, gb) in zip(params, g)]

    @jax.jit
    def epoch(params, x, y, batches, eta):
        """All full mini-batches of an epoch in one lax.scan; batches has shape (n_batches, m)."""

        def body(p, idx):
            return sgd(p, x[idx], y[idx], eta), None

        params, _ = jax.lax.scan(body, params, batches)
        return params

    @jax.jit
    def step(params, x, y, idx, eta):
        return sgd(params, x[idx], y[idx], eta)

    @jax.jit
    def predict(params, x):
        return jnp.argmax(forward(params, x), axis=1)

    _JAX_CACHE["fns"] = (epoch, step, predict)
    return _JAX_CACHE["fns"]


def train_jax(x, y, x_test, y_test, weights, biases, batch_size, eta, perm) -> EpochResult:
    """The whole epoch as one jitted lax.scan (a last partial batch, if any, as one more jitted step).

    Compilation is excluded: a warm-up run on the same shapes (the same start and batches) comes first.
    Data and indices are put on the device before the clock starts.
    """
    import jax
    import jax.numpy as jnp

    epoch, step, predict = _jax_functions()
    n = len(x)
    full = (n // batch_size) * batch_size
    xj, yj, xs = jnp.asarray(x), jnp.asarray(y), jnp.asarray(x_test)
    perm = np.asarray(perm)
    batches = jnp.asarray(perm[:full].reshape(-1, batch_size))
    rest = jnp.asarray(perm[full:]) if full < n else None
    start_params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in zip(weights, biases)]
    eta_j = jnp.asarray(eta, dtype=x.dtype)

    def run():
        params = epoch(start_params, xj, yj, batches, eta_j) if full else start_params
        if rest is not None:
            params = step(params, xj, yj, rest, eta_j)
        return jax.block_until_ready(params)

    run()  # warm-up: compiles for these shapes
    result = {}
    seconds, cpu = _timed(lambda: result.setdefault("params", run()))
    correct = int((np.asarray(predict(result["params"], xs)) == y_test).sum())
    return EpochResult(seconds, correct / len(y_test), cpu)


# ---------------------------------------------------------------------------- Nielsen's network.py


class NielsenNetwork:
    """A faithful re-implementation of Nielsen's `network.py` (chapter 1), float64, column vectors.

    `update_mini_batch` loops over the examples of the batch and calls `backprop` on one (784, 1) column
    vector at a time, accumulating the gradients in Python lists, exactly as the book's code does.
    """

    def __init__(self, weights, biases):
        self.num_layers = len(weights) + 1
        self.weights = [np.array(w, dtype=np.float64) for w in weights]
        self.biases = [np.array(b, dtype=np.float64).reshape(-1, 1) for b in biases]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = _nielsen_sigmoid(np.dot(w, a) + b)
        return a

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = _nielsen_sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * _nielsen_sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = _nielsen_sigmoid_prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        test_results = [(np.argmax(self.feedforward(x)), y) for (x, y) in test_data]
        return sum(int(x == y) for (x, y) in test_results)

    def cost_derivative(self, output_activations, y):
        return output_activations - y


def _nielsen_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _nielsen_sigmoid_prime(z):
    return _nielsen_sigmoid(z) * (1 - _nielsen_sigmoid(z))


def nielsen_data(x, y, x_test, y_test):
    """Nielsen's `load_data_wrapper` layout: lists of ((784, 1), (10, 1)) pairs and of ((784, 1), label)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    x_test = np.asarray(x_test, dtype=np.float64)
    training_data = [(xi.reshape(-1, 1), yi.reshape(-1, 1)) for xi, yi in zip(x, y)]
    test_data = [(xi.reshape(-1, 1), int(label)) for xi, label in zip(x_test, y_test)]
    return training_data, test_data


def train_nielsen(
    x, y, x_test, y_test, weights, biases, batch_size, eta, perm, fraction=1.0, finish=True, data=None
) -> EpochResult:
    """One epoch of Nielsen's SGD on the shared batch order, float64.

    With fraction < 1 only the first `fraction` of the mini-batches is timed and the time is scaled by
    (examples in the epoch) / (examples timed); the shuffle (here: ordering the list by `perm`) is timed
    in full. With `finish`, the rest of the epoch then runs untimed so that the test accuracy is the one
    after a whole epoch; without it the accuracy is None.
    `data` may be a precomputed `nielsen_data(...)` pair.
    """
    training_data, test_data = data if data is not None else nielsen_data(x, y, x_test, y_test)
    net = NielsenNetwork(weights, biases)
    n = len(training_data)
    slices = batch_slices(n, batch_size)
    n_timed = len(slices) if fraction >= 1 else max(1, math.ceil(fraction * len(slices)))
    state = {}

    def shuffle():  # stands for random.shuffle(training_data) + the list of mini-batch slices
        shuffled = [training_data[j] for j in perm]
        state["batches"] = [shuffled[start:stop] for start, stop in slices]

    def timed_batches():
        for mini_batch in state["batches"][:n_timed]:
            net.update_mini_batch(mini_batch, eta)

    with np.errstate(over="ignore"):
        shuffle_s, shuffle_cpu = _timed(shuffle)
        loop_s, loop_cpu = _timed(timed_batches)
        examples_timed = slices[n_timed - 1][1]
        scale = n / examples_timed
        seconds, cpu = shuffle_s + loop_s * scale, shuffle_cpu + loop_cpu * scale
        note = "" if n_timed == len(slices) else f"timed on {examples_timed}/{n} examples, scaled x{scale:.3g}"
        accuracy = None
        if n_timed == len(slices) or finish:
            for mini_batch in state["batches"][n_timed:]:
                net.update_mini_batch(mini_batch, eta)
            accuracy = net.evaluate(test_data) / len(test_data)
    return EpochResult(seconds, accuracy, cpu, note)


# ------------------------------------------------------------------------- the five matrix products


def time_matrix_products(x, weights, batch_size) -> EpochResult:
    """Seconds of only the matrix products of one epoch's steps: forward x W1ᵀ, a1 W2ᵀ; backward δ2ᵀ a1,
    δ2 W2, δ1ᵀ x (for [784, 30, 10]; in general 2L - 1 products for L weight layers).

    The inputs are the contiguous row blocks x[i:i + m] of the training set in turn (so the data streams
    through memory as in training, without the gather); the other operands are fixed arrays of the right
    shapes and dtype; products write into preallocated outputs (`np.matmul(..., out=...)`).
    """
    dtype = x.dtype
    n = len(x)
    rng = np.random.default_rng(1)
    ws = [np.ascontiguousarray(w, dtype=dtype) for w in weights]
    widths = [x.shape[1]] + [w.shape[0] for w in ws]

    def buffers(m):
        acts = [None] + [rng.random((m, k)).astype(dtype) for k in widths[1:]]  # a^1..a^L, outputs
        deltas = [None] + [rng.random((m, k)).astype(dtype) for k in widths[1:]]  # δ^1..δ^L (δ^l for l ≥ 2 read)
        grads = [None] + [np.empty_like(w) for w in ws]
        back = [None] + [np.empty((m, k), dtype=dtype) for k in widths[1:]]  # δ^{l+1} W^{l+1} outputs
        return acts, deltas, grads, back

    by_size = {}
    slices = batch_slices(n, batch_size)
    for start, stop in slices:
        if stop - start not in by_size:
            by_size[stop - start] = buffers(stop - start)
    L = len(ws)

    def run():
        for start, stop in slices:
            acts, deltas, grads, back = by_size[stop - start]
            a_prev = x[start:stop]
            for l in range(1, L + 1):  # forward: L products
                np.matmul(a_prev, ws[l - 1].T, out=acts[l])
                a_prev = acts[l]
            for l in range(L, 0, -1):  # backward: L weight gradients, L - 1 back-propagations of δ
                a_in = x[start:stop] if l == 1 else acts[l - 1]
                np.matmul(deltas[l].T, a_in, out=grads[l])
                if l > 1:
                    np.matmul(deltas[l], ws[l - 1], out=back[l - 1])

    seconds, cpu = _timed(run)
    return EpochResult(seconds, None, cpu)
