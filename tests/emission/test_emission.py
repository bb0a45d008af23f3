"""The generated NumPy module: its gradients against finite differences and HIPS autograd, its
text (deterministic, ruff-clean, numpy only), float32, no allocation while training, extreme
inputs, training, parameter access, save/load, and write_module's overwrite rules."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
import warnings
from pathlib import Path

import autograd.numpy as anp
import numpy as np
import pytest
import sympy as sp
from autograd import grad
from networks import MATRIX
from paths import ROOT

from symbackprop.emission.module import check_overwrite, edited, generate_source, write_module
from symbackprop.errors import SpecError
from symbackprop.files import MANIFEST, OverwriteError
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.catalogue import names as catalogue_names
from symbackprop.spec.functions import A, Y, Z
from symbackprop.spec.load import Spec, make_spec

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity")
NOTATIONS = catalogue_names()  # every notation of the catalogue
TRANSPOSED = {name: notation_named(name).transposed for name in NOTATIONS}
TRAINING_SET_SIZE = 50  # n for the dataset-scale L2 term

CUSTOM = dict(
    activations={"swish": {"formula": "z/(1 + exp(-z))"}},
    costs={"quartic": {"formula": "(a - y)**4/4"}},
)


#: Custom piecewise formulas: where with comparisons, abs, max and min with a number (issue 15).
PIECEWISE = dict(
    activations={
        "bent": {"formula": "where(z > 0, z, 0.1*z)"},
        "hard_tanh": {"formula": "where(z >= 1, 1, where(z <= -1, -1, z))"},
        "floor_half": {"formula": "max(z, 0.5) + min(z, 0)/4"},
        "magnitude": {"formula": "abs(z)"},
    },
    costs={
        "huber": {"formula": "where(abs(a - y) < 1, (a - y)**2/2, abs(a - y) - 1/2)"},
        "overshoot": {"formula": "max(a - y, 0)**2 + abs(a - y)"},
    },
)


def fields(hidden, output, cost, notation, layers, **extra) -> dict:
    return dict(layers=list(layers), activation=hidden, output=output, cost=cost, notation=notation, **extra)


def name_of(f: dict) -> str:
    hidden = "_".join(f["activation"]) if isinstance(f["activation"], list) else f["activation"]
    name = f"{hidden}-{f['output']}-{f['cost']}-{f['notation']}-{'x'.join(map(str, f['layers']))}"
    if "regularization" in f:
        name += f"-l2{f['regularization']['scale']}"
    return name + ("-" + f["dtype"] if "dtype" in f else "")


FAST = [
    fields("sigmoid", "sigmoid", "quadratic", "notes", [2, 3, 2]),
    fields("tanh", "tanh", "quadratic", "blog", [3, 4, 2]),
    fields("relu", "identity", "quadratic", "ufldl", [2, 5, 3]),
    fields("leaky_relu", "leaky_relu", "quadratic", "notes", [3, 2, 2]),
    fields("softplus", "softplus", "quadratic", "blog", [2, 3, 1]),
    fields("identity", "identity", "quadratic", "ufldl", [1, 1]),
    fields("relu", "relu", "quadratic", "blog", [4, 6, 2]),
    fields("tanh", "sigmoid", "cross_entropy", "notes", [2, 3, 2]),
    fields("softplus", "sigmoid", "cross_entropy", "ufldl", [3, 2, 2]),
    fields(["relu", "tanh", "softplus"], "sigmoid", "cross_entropy", "blog", [2, 7, 3, 4, 2]),
    fields("sigmoid", "sigmoid", "quadratic", "notes", [2, 3, 2], regularization={"l2": 0.5, "scale": "dataset"}),
    fields(
        ["leaky_relu", "sigmoid"],
        "identity",
        "quadratic",
        "ufldl",
        [3, 4, 2, 2],
        regularization={"l2": 0.3, "scale": "batch"},
    ),
    fields("tanh", "sigmoid", "cross_entropy", "blog", [2, 3, 2], regularization={"l2": 0.2, "scale": "batch"}),
    # the other notations of the catalogue, each at least once
    fields("sigmoid", "sigmoid", "cross_entropy", "nielsen", [3, 4, 2], regularization={"l2": 0.4, "scale": "dataset"}),
    fields("relu", "sigmoid", "cross_entropy", "coursera_ml", [2, 3, 3], regularization={"l2": 0.3, "scale": "batch"}),
    fields(
        "tanh", "sigmoid", "cross_entropy", "deeplearning_ai", [3, 2, 2], regularization={"l2": 0.2, "scale": "batch"}
    ),
    fields(["relu", "tanh"], "identity", "quadratic", "deeplearning_ai", [2, 4, 3, 2]),
    fields("tanh", "identity", "quadratic", "bishop", [2, 3, 2]),
    fields(["softplus", "tanh"], "sigmoid", "quadratic", "goodfellow", [3, 2, 3, 2]),
    fields("sigmoid", "sigmoid", "quadratic", "threeblue1brown", [2, 2, 3]),
    fields("leaky_relu", "sigmoid", "cross_entropy", "rows", [3, 4, 2], regularization={"l2": 0.5, "scale": "batch"}),
    # custom piecewise formulas, hidden and output
    fields(["bent", "floor_half"], "hard_tanh", "huber", "notes", [3, 4, 3, 2], **PIECEWISE),
    fields("magnitude", "floor_half", "overshoot", "blog", [2, 3, 2], **PIECEWISE),
    fields("hard_tanh", "bent", "quadratic", "ufldl", [3, 2, 3], **PIECEWISE),
    # softmax outputs: binary cross-entropy through the stable J^T form, the log-likelihood's a - y
    fields("relu", "softmax", "cross_entropy", "goodfellow", [3, 4, 3]),
    fields(
        "tanh", "softmax", "log_likelihood", "deeplearning_ai", [2, 3, 3], regularization={"l2": 0.2, "scale": "batch"}
    ),
]


def _slow() -> list[dict]:
    cases = []
    widths = itertools.cycle(([1, 2, 1], [3, 2, 2], [2, 7, 3], [5, 4], [2, 3, 3, 2], [4, 5, 2, 6, 3], [6, 1, 7]))
    vector_widths = itertools.cycle(([3, 2, 2], [2, 7, 3], [5, 4], [2, 3, 3, 2], [4, 5, 2, 6, 3], [1, 3, 5]))
    scales = itertools.cycle(({}, {"regularization": {"l2": 0.25, "scale": "batch"}},
                              {"regularization": {"l2": 0.75, "scale": "dataset"}}))  # fmt: skip
    notations = itertools.cycle(NOTATIONS)  # each pair in one notation, the notations in turn (as tests/networks.py)
    for hidden in ELEMENTWISE:
        for output in ELEMENTWISE:
            cases.append(fields(hidden, output, "quadratic", next(notations), next(widths), **next(scales)))
        cases.append(fields(hidden, "sigmoid", "cross_entropy", next(notations), next(widths), **next(scales)))
        for cost in ("quadratic", "cross_entropy", "log_likelihood"):  # softmax needs two outputs or more
            cases.append(fields(hidden, "softmax", cost, next(notations), next(vector_widths), **next(scales)))
    for notation in NOTATIONS:
        cases.append(fields(["sigmoid", "leaky_relu", "identity"], "tanh", "quadratic", notation, [7, 3, 7, 2, 7]))
    cases.append(fields("swish", "sigmoid", "quadratic", "notes", [2, 3, 2], **CUSTOM))
    cases.append(fields("tanh", "identity", "quartic", "blog", [2, 3, 2], regularization={"l2": 0.1, "scale": "batch"},
                        **CUSTOM))  # fmt: skip
    fast_names = {name_of(f) for f in FAST}
    return [f for f in cases if name_of(f) not in fast_names]


SLOW = _slow()
SPECS = [pytest.param(f, id=name_of(f)) for f in FAST] + [pytest.param(f, id=name_of(f), marks=MATRIX) for f in SLOW]


# -- generating and loading modules (once per spec and session) ---------------------------------

_SOURCES: dict[str, str] = {}
_MODULES: dict[str, object] = {}


def spec_of(f: dict) -> Spec:
    return make_spec(name="net_" + hashlib.sha1(name_of(f).encode()).hexdigest()[:10], **f)


def source_of(f: dict) -> str:
    key = name_of(f)
    if key not in _SOURCES:
        _SOURCES[key] = generate_source(spec_of(f))
    return _SOURCES[key]


def load_source(text: str, folder: Path, name: str):
    path = folder / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def module_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("generated")


@pytest.fixture
def load(module_dir):
    def loader(f: dict):
        key = name_of(f)
        if key not in _MODULES:
            name = "gen_" + hashlib.sha1(key.encode()).hexdigest()[:12]
            _MODULES[key] = load_source(source_of(f), module_dir, name)
        return _MODULES[key]

    return loader


def data(f: dict, m: int = 4, seed: int = 0):
    """X and Y of m examples, as the spec's notation lays them out (one per row; one per column in
    deeplearning.ai's)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, f["layers"][0]))
    Y = rng.uniform(0.05, 0.95, (m, f["layers"][-1]))
    if f["cost"] == "log_likelihood":  # it assumes targets that sum to 1
        Y /= Y.sum(axis=1, keepdims=True)
    return (X.T, Y.T) if notation_named(f["notation"]).examples == "columns" else (X, Y)


def as_rows(f: dict, array: np.ndarray) -> np.ndarray:
    """An array laid out as the notation lays out examples, one example per row."""
    return array.T if notation_named(f["notation"]).examples == "columns" else array


def n_of(f: dict):
    reg = f.get("regularization")
    return TRAINING_SET_SIZE if reg and reg["scale"] == "dataset" else None


# -- an independent reference in HIPS autograd ---------------------------------------------------


def _select(condlist, choicelist, default=np.nan):
    result = default
    for condition, value in reversed(list(zip(condlist, choicelist))):
        result = anp.where(condition, value, result)
    return result


_AUTOGRAD = {**vars(anp), "select": _select}


def _row_softmax(z):
    shifted = anp.exp(z - anp.max(z, axis=1, keepdims=True))
    return shifted / anp.sum(shifted, axis=1, keepdims=True)


def _autograd_activation(activation):
    if not activation.elementwise:
        assert activation.name == "softmax", activation.name
        return _row_softmax
    return sp.lambdify(Z, activation.formula, modules=[_AUTOGRAD, "numpy"])


def autograd_cost(spec: Spec, n=None):
    """C(weights, biases, X, Y) written from the spec's definitions, in autograd."""
    L = spec.depth
    activations = [_autograd_activation(spec.layer_activation(k)) for k in range(1, L + 1)]
    per_output = sp.lambdify((A, Y), spec.cost_function().per_output, modules=[_AUTOGRAD, "numpy"])
    transposed = TRANSPOSED[spec.notation]
    reg = spec.regularization

    def cost(weights, biases, X, Y):
        a = X
        for W, b, f in zip(weights, biases, activations):
            z = (anp.dot(a, W) if transposed else anp.dot(a, W.T)) + b
            a = f(z) + 0 * z  # broadcast constant formulas
        total = anp.sum(per_output(a, Y)) / X.shape[0]
        if reg is not None and reg.l2:
            squares = sum(anp.sum(W * W) for W in weights)
            total = total + (reg.l2 / 2 if reg.scale == "batch" else reg.l2 / (2 * n)) * squares
        return total

    return cost


def assert_close(got, expected, rtol=1e-9, what=""):
    for index, (g, e) in enumerate(zip(got, expected)):
        scale = max(1.0, float(np.max(np.abs(e)))) if np.size(e) else 1.0
        np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol * scale, err_msg=f"{what}[{index}]")


# -- gradients -----------------------------------------------------------------------------------


@pytest.mark.parametrize("f", SPECS)
def test_gradients_match_autograd(f, load):
    module = load(f)
    spec = spec_of(f)
    net = module.Network(seed=1)
    X, Yv = data(f)
    n = n_of(f)
    dW, db = net.gradients(X, Yv, n)
    weights = [np.array(W) for W in net.weights]
    biases = [np.array(b) for b in net.biases]
    cost = autograd_cost(spec, n)
    rows = as_rows(f, X), as_rows(f, Yv)  # autograd's reference takes one example per row
    assert net.cost(X, Yv, n) == pytest.approx(float(cost(weights, biases, *rows)), rel=1e-12, abs=1e-14)
    assert_close(dW, grad(cost, 0)(weights, biases, *rows), what="dW")
    assert_close(db, grad(cost, 1)(weights, biases, *rows), what="db")
    for W, g in zip(net.weights, dW):
        assert g.shape == W.shape
    dX = net.input_gradient(X, Yv, n)
    assert dX.shape == X.shape  # as X is laid out: (n_0, m) where examples are columns
    assert_close([as_rows(f, dX)], [grad(cost, 2)(weights, biases, *rows)], what="dX")


def _richardson(func, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central differences with one Richardson step (error O(h^4)), entry by entry of x (a view, in place)."""
    out = np.empty(x.shape)
    for i in np.ndindex(x.shape):
        original = x[i]

        def d(step, i=i, original=original):
            x[i] = original + step
            up = func()
            x[i] = original - step
            down = func()
            x[i] = original
            return (up - down) / (2 * step)

        out[i] = (4 * d(h / 2) - d(h)) / 3
    return out


@pytest.mark.parametrize("f", [pytest.param(f, id=name_of(f)) for f in FAST])  # autograd checks every spec
def test_gradients_match_finite_differences(f, load):
    module = load(f)
    net = module.Network(seed=2)
    X, Yv = data(f, seed=3)
    n = n_of(f)
    dW, db = net.gradients(X, Yv, n)

    def cost():
        return net.cost(X, Yv, n)

    fd_W = [_richardson(cost, W) for W in net.weights]  # the views write into net.parameters
    fd_b = [_richardson(cost, b) for b in net.biases]
    assert_close(dW, fd_W, rtol=1e-7, what="dW")
    assert_close(db, fd_b, rtol=1e-7, what="db")
    assert_close([net.input_gradient(X, Yv, n)], [_richardson(cost, X)], rtol=1e-7, what="dX")


def test_dataset_scale_needs_n(load):
    f = FAST[10]
    net = load(f).Network(seed=0)
    X, Yv = data(f)
    with pytest.raises(ValueError, match="n"):
        net.gradients(X, Yv)
    # the L2 term is (lambda/2n) sum W^2: halving n doubles it
    base = load(f).Network(seed=0)
    base_cost = base.cost(X, Yv, 10**12)
    squares = sum(float(np.sum(W * W)) for W in base.weights)
    assert base.cost(X, Yv, 50) - base_cost == pytest.approx(0.5 / 100 * squares, rel=1e-9)


def test_step_is_gradient_descent(load):
    f = FAST[11]
    net = load(f).Network(seed=4)
    X, Yv = data(f)
    dW, db = net.gradients(X, Yv)
    before_W = [W.copy() for W in net.weights]
    before_b = [b.copy() for b in net.biases]
    net.step(X, Yv, 0.5)
    assert_close(net.weights, [W - 0.5 * g for W, g in zip(before_W, dW)], rtol=1e-12, what="W")
    assert_close(net.biases, [b - 0.5 * g for b, g in zip(before_b, db)], rtol=1e-12, what="b")


# -- the text ------------------------------------------------------------------------------------


#: Weighted inputs of a softmax output: ordinary ones, and ones where float64 rounds a component to 1 (gaps of 40
#: to 1000), with the targets of binary cross-entropy in [0, 1].
SATURATED = [
    ([0.5, 0.5, -0.2], [0.3, 0.9, 0.1]),
    ([40.0, 0.0, -3.0], [0.0, 1.0, 0.0]),
    ([1000.0, -1000.0, 0.0], [1.0, 0.0, 1.0]),
    ([-700.0, 300.0, 299.0], [1.0, 0.0, 0.0]),
]


def _softmax_cross_entropy_reference(z, y, digits=600):
    """(δ, C_x) of softmax with binary cross-entropy by mpmath at ``digits`` digits, where 1 − a = e^{-1000} is
    still a number: C_x as written, -Σ y log a + (1 − y) log(1 − a), and its derivatives by mpmath's differences."""
    import mpmath as mp

    with mp.workdps(digits):
        point = [mp.mpf(v) for v in z]

        def cost(*zs):
            top = max(zs)
            e = [mp.exp(v - top) for v in zs]
            total = mp.fsum(e)
            return -mp.fsum(t * mp.log(v / total) + (1 - t) * mp.log(1 - v / total) for t, v in zip(y, e))

        def along(j):
            return lambda t: cost(*(t if k == j else point[k] for k in range(len(point))))

        return [float(mp.diff(along(j), point[j])) for j in range(len(point))], float(cost(*point))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_softmax_with_binary_cross_entropy_is_right_where_a_rounds_to_1(module_dir, dtype):
    """δ^L = J^T ∇_a C divides by no 1 − a_k that rounds to 0, and the cost's log(1 − a) is taken from z."""
    spec = make_spec(name=f"softmax_bce_{dtype}", layers=[3, 3], output="softmax", cost="cross_entropy", dtype=dtype)
    module = load_source(generate_source(spec), module_dir, spec.name)
    net = module.Network(seed=0)
    net.weights[0][...] = np.eye(3)  # z = x
    net.biases[0][...] = 0
    tolerance = 1e-10 if dtype == "float64" else 1e-5
    for z, y in SATURATED:
        delta, cost = _softmax_cross_entropy_reference(z, y)
        X, Y = np.array([z], dtype=dtype), np.array([y], dtype=dtype)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            _, (db,) = net.gradients(X, Y)
            got = net.cost(X, Y)
        np.testing.assert_allclose(np.ravel(db), delta, rtol=tolerance, atol=tolerance, err_msg=str(z))
        assert got == pytest.approx(cost, rel=tolerance), z


@pytest.mark.parametrize("cost", ["log_likelihood", "quadratic"])
@pytest.mark.parametrize("notation", ["notes", "blog", "ufldl"])
def test_softmax_gradients_match_finite_differences(load, notation, cost):
    """log_likelihood: δ^L = a − y; quadratic: δ^L = J^T ∇_a C through the Jacobian's diagonal-plus-rank-one form."""
    spec = make_spec(
        layers=[3, 4, 3],
        activation="tanh",
        output="softmax",
        cost=cost,
        notation=notation,
        regularization={"l2": 0.3},
    )
    module = load_source(generate_source(spec), Path(tempfile.mkdtemp()), f"softmax_{notation}_{cost}")
    net = module.Network(seed=1)
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((5, 3)), np.eye(3)[rng.integers(3, size=5)]
    weights, biases = net.gradients(X, Y)
    h = 1e-6
    for params, grads in ((net.weights, weights), (net.biases, biases)):
        for P, G in zip(params, grads):
            for index in np.ndindex(P.shape):
                saved = P[index]
                P[index] = saved + h
                up = net.cost(X, Y)
                P[index] = saved - h
                down = net.cost(X, Y)
                P[index] = saved
                assert abs((up - down) / (2 * h) - G[index]) < 1e-7
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.isfinite(net.cost(1e4 * X, Y))
        assert all(np.isfinite(G).all() for G in net.gradients(1e4 * X, Y)[0])


def test_generation_is_deterministic():
    f = FAST[11]
    assert generate_source(spec_of(f)) == generate_source(spec_of(f))


def test_generation_is_deterministic_across_hash_seeds():
    f = FAST[11]
    program = (
        "import hashlib, json, sys\n"
        "from symbackprop.spec.load import make_spec\n"
        "from symbackprop.emission.module import generate_source\n"
        "f = json.loads(sys.argv[1])\n"
        "print(hashlib.sha256(generate_source(make_spec(name='seeded', **f)).encode()).hexdigest())\n"
    )
    import json

    digests = set()
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", program, json.dumps(f)], capture_output=True, text=True, env=env, check=True
        )
        digests.add(result.stdout.strip())
    here = hashlib.sha256(generate_source(make_spec(name="seeded", **f)).encode()).hexdigest()
    assert digests == {here}


def _imports(text: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add("." * node.level + (node.module or ""))
    return modules


def test_generated_module_imports_only_numpy():
    """The module is standalone: numpy and nothing else (currently fails: train() does `import time`)."""
    for f in FAST:
        assert _imports(source_of(f)) == {"numpy"}, name_of(f)


@pytest.mark.parametrize("specs", [pytest.param(FAST, id="fast"), pytest.param(SLOW, id="slow", marks=MATRIX)])
def test_generated_modules_pass_ruff(specs, tmp_path):
    """Every module of the collection is ruff-clean: one ruff run over a folder of them, each named after its spec."""
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    for f in specs:
        (tmp_path / f"{name_of(f).replace('-', '_')}.py").write_text(source_of(f), encoding="utf-8")
    command = [ruff, "check", "--no-cache", "--config", "pyproject.toml", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list(tmp_path.glob("*.py"))) == len(specs)


def test_generated_module_metadata(load):
    f = FAST[9]
    module = load(f)
    assert module.LAYERS == tuple(f["layers"])
    assert module.DTYPE is np.float64
    assert module.SPEC["layers"] == f["layers"]
    assert module.SPEC["notation"] == "blog"
    assert edited(source_of(f)) is False


# -- float32 -------------------------------------------------------------------------------------


def test_float32_module(load):
    f = fields("tanh", "sigmoid", "cross_entropy", "notes", [3, 4, 2], dtype="float32")
    module = load(f)
    assert module.DTYPE is np.float32
    net = module.Network(seed=0)
    assert net.parameters.dtype == np.float32
    assert all(W.dtype == np.float32 for W in net.weights)
    assert all(b.dtype == np.float32 for b in net.biases)
    X, Yv = data(f)
    dW, db = net.gradients(X, Yv)
    assert all(g.dtype == np.float32 for g in [*dW, *db])
    assert net.forward(X).dtype == np.float32
    assert net.input_gradient(X, Yv).dtype == np.float32
    # and close to the float64 reference
    cost = autograd_cost(spec_of(f))
    weights = [np.array(W, dtype=np.float64) for W in net.weights]
    biases = [np.array(b, dtype=np.float64) for b in net.biases]
    assert_close(dW, grad(cost, 0)(weights, biases, X, Yv), rtol=1e-4, what="dW32")
    net.step(X, Yv, 0.1)
    assert net.parameters.dtype == np.float32


# -- no allocation while training ----------------------------------------------------------------


def _step_memory(net, X, Yv, m: int, steps: int = 100) -> tuple[int, int]:
    """(growth of tracemalloc's traced size, peak above the start) over `steps` calls of net._step."""
    b = net._buffers_for(m)
    np.copyto(b.a[0], X[:m])
    np.copyto(b.y, Yv[:m])
    shrink = net._shrink(0.01, net._decay(len(X)))
    factor = np.array(-0.01 / m, dtype=net.parameters.dtype)
    net._step(b, b.x, b.y, factor, shrink)  # warm-up for this batch size
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(steps):
            net._step(b, b.x, b.y, factor, shrink)
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return after - before, peak - before


@pytest.fixture
def trained_sigmoid(load):
    module = load(fields("sigmoid", "sigmoid", "quadratic", "notes", [6, 8, 5, 3]))
    net = module.Network(seed=0)
    rng = np.random.default_rng(0)
    X, Yv = rng.standard_normal((2000, 6)), rng.uniform(0, 1, (2000, 3))
    net.train(X[:40], Yv[:40], epochs=1, batch_size=10)  # warm-up: the buffers for m = 10 exist now
    return net, X, Yv


def test_training_step_keeps_no_allocation(trained_sigmoid):
    """After a warm-up, 100 SGD steps on a pre-loaded mini-batch leave tracemalloc's traced size unchanged."""
    net, X, Yv = trained_sigmoid
    for m, steps in ((10, 100), (2000, 10)):
        growth, peak = _step_memory(net, X, Yv, m, steps)
        assert growth < 1024, (m, growth, peak)


def test_training_step_has_no_batch_sized_temporaries(trained_sigmoid):
    """Not even a transient buffer grows with the batch: 10 steps peak at under 2 KiB at m = 10 and m = 2000.

    (Every buffer is contiguous and biases are added without broadcasting; a ufunc on a strided view or
    a broadcast add would make NumPy allocate an iteration buffer of up to 64 KiB per call.)
    """
    net, X, Yv = trained_sigmoid
    peaks = {m: _step_memory(net, X, Yv, m, 10)[1] for m in (10, 2000)}
    assert max(peaks.values()) < 2048, peaks


def test_allocation_measurement_would_see_a_temporary():
    """The measurement above is honest: one small temporary array per call is seen."""
    x = np.ones((10, 8))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(100):
            x + 1.0  # noqa: B018
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - before >= 640


# -- extreme inputs ------------------------------------------------------------------------------


#: every valid built-in output with every built-in cost
OUTPUT_COSTS = (
    *((output, "quadratic") for output in ELEMENTWISE),
    ("sigmoid", "cross_entropy"),
    ("softmax", "quadratic"),
    ("softmax", "cross_entropy"),
    ("softmax", "log_likelihood"),
)
DTYPES = ("float32", "float64")


def _extreme(hidden, output, cost, dtype):
    pair = OUTPUT_COSTS.index((output, cost))  # a fast sample: each pair once, hidden and dtype taking turns
    fast = hidden == ELEMENTWISE[pair % len(ELEMENTWISE)] and dtype == DTYPES[pair % 2]
    f = fields(hidden, output, cost, "notes", [3, 5, 2], dtype=dtype)
    return pytest.param(f, id=f"{hidden}-{output}-{cost}-{dtype}", marks=() if fast else MATRIX)


#: every built-in hidden activation with every valid built-in output and cost, in both dtypes
EXTREME = [
    _extreme(hidden, output, cost, dtype) for hidden in ELEMENTWISE for output, cost in OUTPUT_COSTS for dtype in DTYPES
]


def _weighted_inputs(f: dict, net, X: np.ndarray) -> list[np.ndarray]:
    """z^1 and z^2 of a [n_0, n_1, n_2] network in the notes' layout, in float64 with NumPy (the reference)."""
    softplus = sp.Function("softplus")  # log(1 + e^z) as np.logaddexp(0, z), which does not overflow at 1e4
    formula = make_spec(**f).layer_activation(1).formula.subs(sp.log(1 + sp.exp(Z)), softplus(Z))
    hidden = sp.lambdify(Z, formula, modules=[{"softplus": lambda z: np.logaddexp(0, z)}, "numpy"])
    W1, W2 = (np.asarray(W, dtype=np.float64) for W in net.weights)
    b1, b2 = (np.asarray(b, dtype=np.float64).ravel() for b in net.biases)
    z1 = X.astype(np.float64) @ W1.T + b1
    with np.errstate(over="ignore"):  # 1/(1 + e^{-z}) with e^{1e4} = inf is 0, as it should be
        return [z1, (hidden(z1) + 0 * z1) @ W2.T + b2]


@pytest.mark.parametrize("f", EXTREME)
def test_extreme_inputs_stay_finite(f, load):
    """|z| up to ~1e4 in the hidden layer and in the output layer: forward, cost, gradients and step raise nothing
    (underflow aside) and stay finite.

    Underflow (e^-1e4 rounding to 0) is the one floating-point event allowed: it is what a stable form does.
    """
    module = load(f)
    net = module.Network(seed=0)
    rng = np.random.default_rng(5)
    X = rng.standard_normal((6, 3))
    X *= 1e4 / np.max(np.abs(X @ np.asarray(net.weights[0], dtype=np.float64).T))
    X = X.astype(f["dtype"])
    _, z2 = _weighted_inputs(f, net, X)
    if np.max(np.abs(z2)) > 0:  # the output layer's z up to 1e4 too (scaling its weights and biases)
        scale = 1e4 / np.max(np.abs(z2))
        net.weights[1][...] *= scale
        net.biases[1][...] *= scale
    Yv = rng.integers(0, 2, (6, 2)).astype(float)
    if f["cost"] == "log_likelihood":
        Yv = np.eye(2)[rng.integers(0, 2, 6)]
    z1, z2 = _weighted_inputs(f, net, X)
    assert 0.99e4 < np.max(np.abs(z1)) < 1.01e4
    assert np.max(np.abs(z2)) == 0 or 0.99e4 < np.max(np.abs(z2)) < 1.01e4
    with np.errstate(all="raise", under="ignore"):  # NumPy ignores underflow by default: no warning either way
        out = net.forward(X)
        cost = net.cost(X, Yv)
        dW, db = net.gradients(X, Yv)
        dX = net.input_gradient(X, Yv)
        net.step(X, Yv, 0.01)
    assert np.all(np.isfinite(out)) and np.isfinite(cost)
    for g in [*dW, *db, dX, net.parameters]:
        assert np.all(np.isfinite(g))


# -- training, parameters, save/load -------------------------------------------------------------


def test_training_learns_a_separable_task(load):
    f = fields("sigmoid", "sigmoid", "quadratic", "notes", [2, 8, 2])
    module = load(f)
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, (400, 2))
    labels = (X[:, 0] + X[:, 1] > 0).astype(int)
    Yv = np.eye(2)[labels]
    net = module.Network(seed=0)
    history = net.train(X[:300], Yv[:300], epochs=15, batch_size=10, eta=3.0, test=(X[300:], labels[300:]))
    assert len(history) == 15
    assert history[-1]["accuracy"] > 0.9
    assert net.evaluate(X[300:], Yv[300:]) == history[-1]["correct"]
    assert net.predict(X).shape == (400,)


def test_weights_and_biases_setters(load):
    f = FAST[1]  # blog: transposed weights
    module = load(f)
    net = module.Network(seed=0)
    shapes = [W.shape for W in net.weights]
    assert shapes == [(3, 4), (4, 2)]
    new = [np.full(shape, float(i + 1)) for i, shape in enumerate(shapes)]
    net.weights = new
    new[0][0, 0] = 99.0  # copied, not aliased
    assert net.weights[0][0, 0] == 1.0
    assert np.all(net.weights[1] == 2.0)
    net.biases = [np.zeros(4), np.ones(2)]
    assert np.all(net.biases[1] == 1.0)
    assert np.count_nonzero(net.parameters) == 12 + 8 + 2
    with pytest.raises(ValueError, match=r"weights\[1\]"):
        net.weights = [np.zeros((3, 4)), np.zeros((2, 4))]
    with pytest.raises(ValueError, match=r"biases\[0\]"):
        net.biases = [np.zeros(3), np.zeros(2)]
    with pytest.raises(ValueError, match="weights"):
        net.weights = [np.zeros((3, 4))]
    nielsen = load(FAST[0]).Network(seed=0)
    assert [W.shape for W in nielsen.weights] == [(3, 2), (2, 3)]


def test_wrong_input_shapes_are_refused(load):
    net = load(FAST[0]).Network(seed=0)
    with pytest.raises(ValueError, match="X"):
        net.forward(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="rows"):
        net.cost(np.zeros((3, 2)), np.zeros((4, 2)))


def test_save_load_round_trip(load, tmp_path):
    module = load(FAST[0])
    net = module.Network(seed=3)
    path = tmp_path / "weights.npz"
    net.save(path)
    again = module.Network.load(path)
    np.testing.assert_array_equal(again.parameters, net.parameters)
    X, Yv = data(FAST[0])
    np.testing.assert_array_equal(again.forward(X), net.forward(X))
    other = load(FAST[7])  # [2, 3, 2] too, but ...
    other_path = tmp_path / "other.npz"
    load(FAST[1]).Network(seed=0).save(other_path)  # [3, 4, 2]
    with pytest.raises(ValueError, match="layers"):
        module.Network.load(other_path)
    assert other.LAYERS == module.LAYERS


# -- train's hooks, divergence, init ------------------------------------------------------------

L2_DATASET = fields(
    "tanh", "sigmoid", "cross_entropy", "notes", [3, 4, 2], regularization={"l2": 0.5, "scale": "dataset"}
)


def _task(n=23, width=3, seed=7):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, width))
    labels = (X[:, 0] > 0).astype(int)
    return X, np.eye(2)[labels], labels


def test_train_calls_progress_and_on_epoch(load):
    module = load(L2_DATASET)
    X, Yv, labels = _task()
    net = module.Network(seed=0)
    sizes, seen = [], []
    history = net.train(X, Yv, epochs=3, batch_size=10, eta=0.5, test=(X, labels), progress=sizes.append,
                        on_epoch=lambda entry: seen.append((entry, list(sizes))))  # fmt: skip
    assert sizes == [10, 10, 3] * 3
    assert [entry for entry, _ in seen] == history and all(a is b for (a, _), b in zip(seen, history))
    assert [len(so_far) for _, so_far in seen] == [3, 6, 9]  # each epoch reported as soon as it ended
    assert [sorted(entry) for entry in history] == [["accuracy", "correct", "epoch", "total"]] * 3
    assert [entry["epoch"] for entry in history] == [1, 2, 3]
    assert history[-1]["total"] == 23 and history[-1]["correct"] == net.evaluate(X, labels)


def test_train_tracks_the_full_cost_with_the_l2_term(load):
    module = load(L2_DATASET)
    X, Yv, _ = _task()
    net = module.Network(seed=0)
    history = net.train(X, Yv, epochs=4, batch_size=5, eta=0.5, track_cost=True)
    assert [sorted(entry) for entry in history] == [["cost", "epoch"]] * 4
    assert history[-1]["cost"] == pytest.approx(net.cost(X, Yv, n=len(X)), rel=1e-12)
    l2 = 0.5 / (2 * len(X)) * sum(float(np.sum(W**2)) for W in net.weights)
    assert history[-1]["cost"] == pytest.approx(autograd_cost(spec_of(L2_DATASET), n=len(X))(
        net.weights, net.biases, X, Yv), rel=1e-12) and l2 > 0  # fmt: skip
    assert history[-1]["cost"] < history[0]["cost"]


def test_train_is_steps_over_the_documented_batch_order(load):
    """The hooks change nothing: train = step() over default_rng(seed).permutation, one per epoch."""
    module = load(L2_DATASET)
    X, Yv, _ = _task()
    trained, manual = module.Network(seed=1), module.Network(seed=1)
    trained.train(X, Yv, epochs=2, batch_size=10, eta=0.5, seed=3, progress=lambda m: None, track_cost=True)
    rng = np.random.default_rng(3)
    for _ in range(2):
        order = rng.permutation(len(X))
        for start in range(0, len(X), 10):
            rows = order[start : start + 10]
            manual.step(X[rows], Yv[rows], 0.5, n=len(X))
    np.testing.assert_array_equal(trained.parameters, manual.parameters)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batch_size, gather_rows, check_every", [(1, 5, 7), (3, 10, 4), (7, 256, 100), (10, 1, 3)])
def test_train_equals_steps_across_gathers(load, monkeypatch, dtype, batch_size, gather_rows, check_every):
    """Bit for bit, train = step() on each mini-batch however its rows are gathered: several mini-batches per
    np.take (each a view of the gathered rows), gathers cut by the divergence checks, a last smaller batch."""
    module = load(fields("tanh", "sigmoid", "cross_entropy", "notes", [5, 7, 3], dtype=dtype))
    monkeypatch.setattr(module, "GATHER_ROWS", gather_rows)
    monkeypatch.setattr(module, "CHECK_EVERY", check_every)
    rng = np.random.default_rng(2)
    X, Yv = rng.uniform(-1, 1, (38, 5)), rng.uniform(0, 1, (38, 3))
    trained, manual = module.Network(seed=4), module.Network(seed=4)
    sizes = []
    trained.train(X, Yv, epochs=2, batch_size=batch_size, eta=0.7, seed=5, progress=sizes.append)
    order_rng = np.random.default_rng(5)
    expected = []
    for _ in range(2):
        order = order_rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start : start + batch_size]
            manual.step(X[rows], Yv[rows], 0.7)
            expected.append(len(rows))
    assert sizes == expected
    np.testing.assert_array_equal(trained.parameters, manual.parameters)


@pytest.mark.parametrize("batch_size", [0, -3, 2.5])
def test_train_refuses_a_bad_batch_size(load, batch_size):
    module = load(L2_DATASET)
    X, Yv, _ = _task()
    net = module.Network(seed=0)
    before = net.parameters.copy()
    with pytest.raises(ValueError, match="batch_size: expected a positive integer"):
        net.train(X, Yv, epochs=1, batch_size=batch_size)
    np.testing.assert_array_equal(net.parameters, before)


def test_training_loop_allocates_nothing_in_steady_state(load, monkeypatch):
    """A whole epoch of train (gathers, steps, checks) after the first allocates no array, not even for a moment:
    tracemalloc's peak over it stays under 4 KiB, though one gather of 24 rows alone is 9.6 KiB."""
    module = load(fields("sigmoid", "sigmoid", "quadratic", "notes", [50, 8, 3]))
    monkeypatch.setattr(module, "GATHER_ROWS", 24)
    monkeypatch.setattr(module, "CHECK_EVERY", 10)
    rng = np.random.default_rng(0)
    X, Yv = rng.uniform(0, 1, (300, 50)), rng.uniform(0, 1, (300, 3))
    net, start = module.Network(seed=0), []

    def on_epoch(entry):
        if entry["epoch"] == 1:  # the second epoch is measured, from here to the end of train
            tracemalloc.start()
            tracemalloc.reset_peak()
            start.append(tracemalloc.get_traced_memory()[0])

    try:
        net.train(X, Yv, epochs=2, batch_size=8, eta=0.1, on_epoch=on_epoch)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - start[0] < 4096, peak - start[0]


def test_cost_and_forward_work_in_chunks(load):
    """50,000 rows through a 100-wide layer: no (n, 100) buffer; the chunked cost equals the one-piece sum."""
    module = load(fields("tanh", "sigmoid", "cross_entropy", "notes", [2, 100, 2]))
    net = module.Network(seed=0)
    rng = np.random.default_rng(0)
    X, Yv = rng.uniform(-1, 1, (50_000, 2)), rng.uniform(0, 1, (50_000, 2))
    tracemalloc.start()
    try:
        out = net.forward(X)
        cost = net.cost(X, Yv)
        predicted = net.predict(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000 * 100 * 8 / 4, peak  # a quarter of one full-size (n, 100) float64 buffer
    z = np.tanh(X @ net.weights[0].T + net.biases[0]) @ net.weights[1].T + net.biases[1]  # in one piece
    expected = np.sum(Yv * np.logaddexp(0, -z) + (1 - Yv) * np.logaddexp(0, z)) / len(X)
    assert cost == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(out[-1234:], net.forward(X[-1234:]), rtol=1e-12)
    np.testing.assert_array_equal(predicted, np.argmax(out, axis=1))


DIVERGING = fields("relu", "identity", "quadratic", "notes", [3, 6, 2])


def test_divergence_stops_at_the_batch_and_keeps_the_last_good_parameters(load):
    module = load(DIVERGING)
    rng = np.random.default_rng(0)
    X, Yv = rng.uniform(-1, 1, (400, 3)), rng.uniform(-1, 1, (400, 2))
    net = module.Network(seed=0)
    entries = []
    with np.errstate(all="ignore"), pytest.raises(module.DivergenceError) as caught:
        net.train(X, Yv, epochs=3, batch_size=4, eta=2.0, seed=0, on_epoch=entries.append)
    error = caught.value
    assert isinstance(error, FloatingPointError)
    assert f"epoch {error.epoch}, mini-batch {error.batch} of 100" in str(error)
    start, stop = error.rows
    assert stop - start == 4 and start == 4 * (error.batch - 1) and f"rows {start}:{stop}" in str(error)
    assert error.history == entries and len(error.history) == error.epoch - 1
    assert np.all(np.isfinite(net.parameters))
    # the same steps by hand: the parameters are those from just before the offending mini-batch
    again = module.Network(seed=0)
    order_rng = np.random.default_rng(0)
    with np.errstate(all="ignore"):
        for epoch in range(1, error.epoch + 1):
            order = order_rng.permutation(len(X))
            for batch, first in enumerate(range(0, len(X), 4), start=1):
                if (epoch, batch) == (error.epoch, error.batch):
                    break
                again.step(X[order[first : first + 4]], Yv[order[first : first + 4]], 2.0)
        np.testing.assert_array_equal(net.parameters, again.parameters)
        rows = order[start:stop]
        again.step(X[rows], Yv[rows], 2.0)
    assert not np.all(np.isfinite(again.parameters))


def test_divergence_check_is_exact_within_a_check_interval(load, monkeypatch):
    """With one check per 1000 mini-batches the replay still names the same batch."""
    module = load(DIVERGING)
    rng = np.random.default_rng(0)
    X, Yv = rng.uniform(-1, 1, (400, 3)), rng.uniform(-1, 1, (400, 2))
    found = {}
    for every in (1, 1000):
        monkeypatch.setattr(module, "CHECK_EVERY", every)
        net = module.Network(seed=0)
        with np.errstate(all="ignore"), pytest.raises(module.DivergenceError) as caught:
            net.train(X, Yv, epochs=3, batch_size=4, eta=2.0, seed=0)
        found[every] = (caught.value.epoch, caught.value.batch, net.parameters.copy())
    assert found[1][:2] == found[1000][:2]
    np.testing.assert_array_equal(found[1][2], found[1000][2])


def test_init_normal_and_normal_scaled(module_dir):
    base = fields("sigmoid", "sigmoid", "quadratic", "notes", [4, 9, 3])
    plain = load_source(generate_source(make_spec(name="init_plain", **base)), module_dir, "init_plain")
    scaled = load_source(generate_source(make_spec(name="init_scaled", training={"init": "normal_scaled"}, **base)),
                         module_dir, "init_scaled")  # fmt: skip
    assert "N(0, 1/n_in)" in scaled.Network.__doc__ and "N(0, 1)" in plain.Network.__doc__
    assert plain.SPEC["training"]["init"] == "normal" and scaled.SPEC["training"]["init"] == "normal_scaled"
    for module, scale in ((plain, [1.0, 1.0]), (scaled, [np.sqrt(4), np.sqrt(9)])):
        rng = np.random.default_rng(5)
        net = module.Network(seed=5)
        for W, b, s in zip(net.weights, net.biases, scale):
            np.testing.assert_array_equal(W, rng.standard_normal(W.shape) / s)
            np.testing.assert_array_equal(b, rng.standard_normal(b.shape))
    with pytest.raises(SpecError, match="training.init.*normal, normal_scaled"):
        make_spec(name="bad", training={"init": "xavier"}, **base)


# -- bad numbers ---------------------------------------------------------------------------------


def test_non_finite_inputs_are_named_with_their_shape(load):
    module = load(FAST[0])  # [2, 3, 2]
    net = module.Network(seed=0)
    X, Yv = np.zeros((10, 2)), np.full((10, 2), 0.5)
    bad = X.copy()
    bad[7, 1], bad[8, 0], bad[9, 1] = np.nan, np.inf, -np.inf
    message = r"X: 3 non-finite values \(NaN or inf.*\), first at row 7; shape \(10, 2\)"
    for call in (lambda: net.forward(bad), lambda: net.cost(bad, Yv), lambda: net.gradients(bad, Yv),
                 lambda: net.input_gradient(bad, Yv), lambda: net.step(bad, Yv, 0.1), lambda: net.predict(bad),
                 lambda: net.train(bad, Yv, epochs=1)):  # fmt: skip
        with pytest.raises(ValueError, match=message):
            call()
    before = net.parameters.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # found without a RuntimeWarning from the step that met the NaN
        with pytest.raises(ValueError, match=r"X: 3 non-finite .*, first at row 17; shape \(20, 2\)"):
            net.train(np.concatenate([X, bad]), np.concatenate([Yv, Yv]), epochs=2, batch_size=3)
    np.testing.assert_array_equal(net.parameters, before)  # the parameters train started from
    badY = Yv.copy()
    badY[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"Y: 1 non-finite values .*first at row 2; shape \(10, 2\)"):
        net.train(X, badY, epochs=1)
    with pytest.raises(ValueError, match=r"test X: 1 non-finite"):
        net.train(X, Yv, epochs=1, test=(np.where(badY > 0, X, np.nan), [0] * 10))


@pytest.mark.parametrize(
    "value, message",
    [
        (np.zeros(2), r"X: expected shape \(m, 2\) with m >= 1, got \(2,\)"),
        (np.zeros((4, 3)), r"X: expected shape \(m, 2\) with m >= 1, got \(4, 3\)"),
        (np.zeros((0, 2)), r"X: expected shape .* got \(0, 2\)"),
        (np.zeros((4, 2, 1)), r"X: expected shape .* got \(4, 2, 1\)"),
        (np.zeros((4, 2), dtype=complex), r"X: expected real numbers, got dtype complex128; shape \(4, 2\)"),
        (np.array([["a", "b"]]), r"X: expected real numbers, got dtype <U1; shape \(1, 2\)"),
        ([[1.0, None]], r"X: expected real numbers, got dtype object"),
        ([[1.0, 2.0], [3.0]], r"X: not an array of numbers"),
    ],
    ids=["1-d", "width", "empty", "3-d", "complex", "strings", "object", "ragged"],
)
def test_bad_arrays_are_refused(load, value, message):
    net = load(FAST[0]).Network(seed=0)
    with pytest.raises(ValueError, match=message):
        net.forward(value)
    with pytest.raises(ValueError, match=message):
        net.train(value, np.zeros((4, 2)), epochs=1)


def test_values_too_big_for_float32_are_refused(load):
    f = fields("sigmoid", "sigmoid", "quadratic", "notes", [2, 3, 2], dtype="float32")
    net = load(f).Network(seed=0)
    X = np.zeros((3, 2))
    X[1, 0] = 1e300
    with np.errstate(all="raise"), pytest.raises(ValueError, match=r"X: 1 non-finite .*float32.*row 1; shape \(3, 2\)"):
        net.forward(X)


def test_non_finite_parameters_are_refused(load):
    module = load(FAST[0])
    net = module.Network(seed=0)
    before = net.parameters.copy()
    with pytest.raises(ValueError, match=r"weights\[1\]: 2 non-finite"):
        net.weights = [np.zeros((3, 2)), np.where(np.eye(2, 3) > 0, np.nan, 0.0)]
    np.testing.assert_array_equal(net.parameters, before)  # weights[0] was not assigned either
    net.parameters[0] = np.nan
    with pytest.raises(ValueError, match="parameters: 1 non-finite values before training"):
        net.train(np.zeros((4, 2)), np.zeros((4, 2)), epochs=1)


def _corrupt_files(module, folder: Path) -> dict[str, Path]:
    good = folder / "good.npz"
    module.Network(seed=0).save(good)
    data = good.read_bytes()
    files = {"truncated": data[: len(data) // 2], "empty": b"", "text": b"not weights at all\n"}
    paths = {name: folder / f"{name}.npz" for name in files}
    for name, content in files.items():
        paths[name].write_bytes(content)
    paths["npy"] = folder / "array.npy"
    np.save(paths["npy"], np.zeros(3))
    paths["keys"] = folder / "keys.npz"
    np.savez(paths["keys"], weights=np.zeros(3))
    net = module.Network(seed=0)
    net.parameters[5] = np.inf
    paths["inf"] = folder / "inf.npz"
    np.savez(paths["inf"], parameters=net.parameters, layers=np.array(module.LAYERS), layout=np.array(module.LAYOUT))
    paths["pickled"] = folder / "pickled.npz"
    np.savez(paths["pickled"], parameters=np.array([object()]), layers=np.array(module.LAYERS),
             layout=np.array(module.LAYOUT))  # fmt: skip
    paths["layout"] = folder / "layout.npz"
    np.savez(paths["layout"], parameters=net.parameters, layers=np.array(module.LAYERS), layout=np.array("W, b"))
    return paths


def test_load_refuses_corrupted_files(load, tmp_path):
    module = load(FAST[0])
    paths = _corrupt_files(module, tmp_path)
    expected = {"truncated": "cannot load", "empty": "cannot load", "text": "cannot load", "npy": "not a weights file",
                "keys": "not a weights file", "inf": "1 of the parameters are NaN or inf", "pickled": "cannot load",
                "layout": "laid out as"}  # fmt: skip
    for name, path in paths.items():
        with pytest.raises(ValueError, match=str(path).replace("\\", "\\\\")) as caught:
            module.Network.load(path)
        assert expected[name] in str(caught.value), (name, str(caught.value))
        assert "\n" not in str(caught.value)


# -- write_module and edited ---------------------------------------------------------------------


def test_edited():
    text = source_of(FAST[0])
    assert edited(text) is False
    assert edited("import numpy as np\n") is None
    assert edited("") is None
    position = text.index("LAYERS = ")
    changed = text[:position] + "l" + text[position + 1 :]
    assert edited(changed) is True
    assert edited(text.replace("np.tanh", "np.sinh", 1)) is True


def test_write_module_overwrite_rules(tmp_path):
    spec = spec_of(FAST[0])
    path = tmp_path / "net.py"
    assert write_module(spec, path) == path
    assert path.read_text(encoding="utf-8") == source_of(FAST[0])
    write_module(spec, path)  # an unedited generated file is overwritten
    assert edited(path.read_text(encoding="utf-8")) is False

    path.write_text(path.read_text(encoding="utf-8").replace("np.tanh", "np.sinh", 1), encoding="utf-8")
    with pytest.raises(OverwriteError, match="edited"):
        write_module(spec, path)
    with pytest.raises(OverwriteError):
        check_overwrite(path)
    write_module(spec, path, force=True)
    assert path.read_text(encoding="utf-8") == source_of(FAST[0])

    foreign = tmp_path / "mine.py"
    foreign.write_text("print('hello')\n", encoding="utf-8")
    with pytest.raises(OverwriteError, match="not written by symbackprop"):
        write_module(spec, foreign)
    assert foreign.read_text(encoding="utf-8") == "print('hello')\n"
    write_module(spec, foreign, force=True)
    assert edited(foreign.read_text(encoding="utf-8")) is False
    check_overwrite(tmp_path / "absent.py")  # a new file is fine
    # the module is recorded in its folder's manifest, like every file symbackprop writes
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["net.py"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_module_generated_before_the_manifest_knew_it_is_adopted(tmp_path):
    """A module written without a manifest entry but with an intact sha256 trailer is symbackprop's own."""
    spec = spec_of(FAST[0])
    path = tmp_path / "net.py"
    path.write_text(source_of(FAST[0]), encoding="utf-8")  # e.g. by an older symbackprop
    write_module(spec, path)
    assert MANIFEST in {p.name for p in tmp_path.iterdir()}


def test_the_docstring_prints_a_custom_cost_through_a_printer():
    """The cost in the docstring is printed with a^L_j and y_j substituted, not by replacing letters in the
    printed text (which once turned tanh into ta^L_jnh)."""
    squashed = {"squashed": {"formula": "tanh(a - y)**2"}}
    spec = make_spec(layers=[2, 2], output="sigmoid", cost="squashed", costs=squashed)
    source = generate_source(spec)
    assert "    C_x = sum_j tanh(a^L_j - y_j)**2\n" in source
    assert "ta^L_jnh" not in source


def test_the_docstring_states_the_weight_decay_only_when_there_is_one():
    """A module without L2 carried the (λ/n) w line of Nielsen ch. 3 (issue 15)."""
    plain = generate_source(make_spec(layers=[2, 3, 2], notation="nielsen"))
    decayed = generate_source(make_spec(layers=[2, 3, 2], notation="nielsen", regularization={"l2": 0.1}))
    docstring = plain.split('"""')[1]
    assert "λ" not in docstring and "(88) and (93)" not in docstring
    assert "∂C/∂w = (1/m) Σ_x ∂C_x/∂w + (λ/n) w" in decayed.split('"""')[1]  # as the text states it
    assert "here the decay term is 0.1 times the weights (the batch scale)" in decayed  # as this spec has it


def test_a_derivative_written_in_z_says_why_not_when():
    """swish' has no form through a: the docstring says so, not "(when no form through a; ...)".

    Read from the checked-in module of examples/swish.toml, which tests/emission/test_generated.py holds
    byte-identical to what the generator writes (generating it again costs the identity search, about 10 s).
    """
    source = (ROOT / "generated" / "swish.py").read_text(encoding="utf-8")
    assert "activations swish, sigmoid" in source
    docstring = " ".join(source.split('"""')[1].split())  # the docstring's lines joined
    assert "(no form through a was found; written in z)" in docstring
    assert "(when no form" not in docstring


# -- the module as a user expects it (issue 15) ----------------------------------------------------------


def test_k_calls_of_one_epoch_train_as_one_call_of_k_epochs(load):
    module = load(FAST[0])
    X, Y = data(FAST[0], m=12)
    once, twice = module.Network(seed=3), module.Network(seed=3)
    once.train(X, Y, epochs=3, batch_size=5, eta=0.5)
    for _ in range(3):
        twice.train(X, Y, epochs=1, batch_size=5, eta=0.5)
    assert np.array_equal(once.parameters, twice.parameters)
    restarted = module.Network(seed=3)
    restarted.train(X, Y, epochs=1, batch_size=5, eta=0.5)
    restarted.train(X, Y, epochs=1, batch_size=5, eta=0.5, seed=11)  # seed=N restarts the shuffle
    assert not np.array_equal(restarted.parameters, twice.parameters)


@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.int64])
def test_train_takes_integer_labels_of_any_integer_dtype_as_one_hot(load, dtype):
    f = next(f for f in FAST if f["layers"][-1] > 1 and f.get("notation", "notes") != "deeplearning_ai")
    module = load(f)
    X, _ = data(f, m=8)
    labels = (np.arange(8) % f["layers"][-1]).astype(dtype)
    with_labels, with_rows = module.Network(seed=0), module.Network(seed=0)
    with_labels.train(X, labels, epochs=2, batch_size=3, eta=0.1)
    with_rows.train(X, np.eye(f["layers"][-1])[labels], epochs=2, batch_size=3, eta=0.1)
    assert np.array_equal(with_labels.parameters, with_rows.parameters)


def test_labels_that_are_no_class_number_are_refused_naming_them(load):
    f = FAST[0]
    module = load(f)
    X, _ = data(f, m=4)
    n = f["layers"][-1]
    with pytest.raises(ValueError, match=rf"Y \(labels\): {n} is not a class number; the {n} outputs are 0..{n - 1}"):
        module.Network(seed=0).train(X, np.array([0, 1, n, 0]), epochs=1)
    with pytest.raises(ValueError, match=r"Y \(labels\): expected integer class numbers .* got dtype float64"):
        module.Network(seed=0).train(X, np.array([0.5, 1, 0, 0]), epochs=1)
    with pytest.raises(ValueError, match=r"labels: -1 is not a class number"):
        module.Network(seed=0).evaluate(X, np.array([0, -1, 0, 0]))


def test_repr_names_the_architecture_notation_and_dtype(load):
    f = FAST[0]
    net = load(f).Network(seed=0)
    spec = spec_of(f)
    assert repr(net) == (
        f"<{spec.name}.Network: layers {list(spec.layers)}, {', '.join(spec.activations)}, {spec.output}, "
        f"cost {spec.cost}, {spec.notation} notation, {spec.dtype}>"
    )


# -- the module's arguments checked (issue 16) -----------------------------------------------------------


@pytest.mark.parametrize("eta", [0, -0.5, float("nan"), float("inf"), "0.1", True, np.array([0.1]), None])
def test_a_learning_rate_that_is_not_a_finite_positive_number_is_refused(load, eta):
    module = load(FAST[0])
    X, Y = data(FAST[0], m=4)
    net = module.Network(seed=0)
    before = net.parameters.copy()
    with pytest.raises(ValueError, match="eta: expected a finite positive number"):
        net.train(X, Y, epochs=1, eta=eta)
    with pytest.raises(ValueError, match="eta: expected a finite positive number"):
        net.step(X, Y, eta)
    assert np.array_equal(net.parameters, before)


@pytest.mark.parametrize(("name", "value"), [("epochs", 0), ("epochs", 2.0), ("batch_size", True), ("batch_size", -3)])
def test_epochs_and_batch_size_must_be_positive_integers(load, name, value):
    module = load(FAST[0])
    X, Y = data(FAST[0], m=4)
    with pytest.raises(ValueError, match=f"{name}: expected a positive integer, got {value!r}"):
        module.Network(seed=0).train(X, Y, **{"epochs": 1, name: value})


def test_integers_and_floats_of_numpy_types_are_accepted(load):
    module = load(FAST[0])
    X, Y = data(FAST[0], m=4)
    net = module.Network(seed=0)
    history = net.train(X, Y, epochs=np.int16(2), batch_size=np.uint8(3), eta=np.float32(0.25))
    assert [entry["epoch"] for entry in history] == [1, 2]
    with pytest.raises(ValueError, match="chunk: expected a positive integer, got 0"):
        net.predict(X, chunk=0)
    with pytest.raises(ValueError, match="n: expected a positive integer, got 0"):
        net.cost(X, Y, n=0)


def test_assigning_parameters_copies_into_the_buffer_the_views_share(load):
    module = load(FAST[0])
    net = module.Network(seed=0)
    weights = net.weights
    net.parameters = np.arange(module.PARAMETER_COUNT)  # integers, copied as DTYPE
    assert net.parameters.dtype == module.DTYPE and net.parameters[3] == 3
    assert weights[0].base is not None and np.shares_memory(weights[0], net.parameters)
    assert np.array_equal(np.concatenate([b.ravel() for b in net._blocks]), net.parameters)
    with pytest.raises(ValueError, match=rf"parameters: expected shape \({module.PARAMETER_COUNT},\)"):
        net.parameters = np.zeros(module.PARAMETER_COUNT + 1)
    with pytest.raises(ValueError, match="parameters: 1 non-finite values"):
        net.parameters = np.where(np.arange(module.PARAMETER_COUNT) == 0, np.nan, 0.0)
    assert net.parameters[3] == 3  # nothing half-assigned


def test_the_buffer_cache_keeps_only_the_most_recent_sizes(load):
    module = load(FAST[0])
    net = module.Network(seed=0)
    X, _ = data(FAST[0], m=30)
    for m in range(1, 30):
        net.forward(X[:m])
    assert len(net._buffers) == module.BUFFER_SIZES
    assert sorted(net._buffers) == list(range(30 - module.BUFFER_SIZES, 30))


# -- validation data, the best epoch, early stopping (issue 15) ------------------------------------------


def _classes(f, m, seed):
    """m examples of a learnable two-class problem (the label is whether x_1 > x_2)."""
    X, _ = data(f, m=m, seed=seed)
    return X, (X[:, 0] > X[:, 1]).astype(int)


def test_validation_chooses_the_best_epoch_and_restores_its_parameters(load):
    f = FAST[0]
    module = load(f)
    X, labels = _classes(f, 60, seed=1)
    X_val, val_labels = _classes(f, 40, seed=2)
    net = module.Network(seed=0)
    snapshots = []
    history = net.train(
        X, labels, epochs=6, batch_size=5, eta=2.0, validation=(X_val, val_labels),
        on_epoch=lambda entry: snapshots.append(net.parameters.copy()),
    )  # fmt: skip
    accuracies = [entry["validation_accuracy"] for entry in history]
    assert all(entry["validation_total"] == 40 for entry in history)
    assert net.best_epoch == 1 + accuracies.index(max(accuracies))  # the first of equally good epochs
    assert net.restore_best() == net.best_epoch
    assert np.array_equal(net.parameters, snapshots[net.best_epoch - 1])
    # the validation set chooses; the test set is only reported
    assert "accuracy" not in history[0]


def test_patience_stops_after_that_many_epochs_without_a_better_validation_accuracy(load):
    f = FAST[0]
    module = load(f)
    X, labels = _classes(f, 60, seed=1)
    X_val, val_labels = _classes(f, 40, seed=2)
    history = module.Network(seed=0).train(
        X, labels, epochs=200, batch_size=5, eta=2.0, validation=(X_val, val_labels), patience=2
    )
    accuracies = [entry["validation_accuracy"] for entry in history]
    assert len(history) < 200
    best = accuracies.index(max(accuracies))
    assert len(history) == best + 1 + 2  # the best epoch, then two without a better one
    with pytest.raises(ValueError, match="patience: early stopping needs validation"):
        module.Network(seed=0).train(X, labels, epochs=1, patience=2)
    with pytest.raises(ValueError, match="restore_best: no best epoch"):
        module.Network(seed=0).restore_best()
