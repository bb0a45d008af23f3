"""The NumPy printers of symbackprop.printing.numpy: exact output on tiny inputs, the stable rewrites,
and the emitted in-place code evaluated on arrays against ``sympy.lambdify`` of the expression."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp

from symbackprop.derivation.identities import activation_derivative
from symbackprop.printing.numpy import (
    Emission,
    InPlacePrinter,
    Logistic,
    NetworkNumPyPrinter,
    Softplus,
    stabilize,
)
from symbackprop.spec.functions import ACTIVATIONS, COSTS, LEAKY_SLOPE, A, Y, Z

NAMES = {Z: "z", A: "a", Y: "y"}
SIGMOID = 1 / (1 + sp.exp(-Z))
SWISH = Z / (1 + sp.exp(-Z))
ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.elementwise]


def emit(expr: sp.Expr, out: str = "out") -> Emission:
    return InPlacePrinter(dict(NAMES)).emit(expr, out)


def run(emission: Emission, z, a=None, y=None) -> np.ndarray:
    """Execute the emitted lines on arrays, in a namespace like the generated module's."""
    like = np.asarray(z)
    namespace = {
        "np": np,
        "z": z,
        "a": like.copy() if a is None else a,
        "y": like.copy() if y is None else y,
        "out": np.full_like(like, np.nan),
        "scratch": [np.full_like(like, np.nan) for _ in range(emission.scratch_used)],
        "masks": [np.zeros(like.shape, dtype=bool) for _ in range(emission.masks_used)],
    }
    exec("\n".join(emission.lines), namespace)  # noqa: S102 - our own printer's output
    return namespace["out"]


# -- exact strings -------------------------------------------------------------------------------


def test_sigmoid_is_printed_as_four_tanh_lines():
    emission = emit(SIGMOID)
    assert emission.lines == [
        "np.multiply(z, 0.5, out=out)",
        "np.tanh(out, out=out)",
        "np.multiply(out, 0.5, out=out)",
        "np.add(out, 0.5, out=out)",
    ]
    assert (emission.scratch_used, emission.masks_used) == (0, 0)


def test_sigmoid_derivative_through_a():
    emission = emit(A * (1 - A))
    assert emission.lines == ["np.subtract(1.0, a, out=scratch[0])", "np.multiply(a, scratch[0], out=out)"]
    assert (emission.scratch_used, emission.masks_used) == (1, 0)


def test_relu_is_a_maximum():
    emission = emit(ACTIVATIONS["relu"].formula)
    assert emission.lines == ["np.maximum(0.0, z, out=out)"]
    assert (emission.scratch_used, emission.masks_used) == (0, 0)


def test_leaky_relu_is_a_multiply_and_a_maximum():
    emission = emit(ACTIVATIONS["leaky_relu"].formula)
    assert emission.lines == ["np.multiply(z, 0.01, out=scratch[0])", "np.maximum(z, scratch[0], out=out)"]
    assert (emission.scratch_used, emission.masks_used) == (1, 0)


def test_softplus_is_logaddexp():
    emission = emit(ACTIVATIONS["softplus"].formula)
    assert emission.lines == ["np.logaddexp(0.0, z, out=out)"]
    assert (emission.scratch_used, emission.masks_used) == (0, 0)


def test_tanh_and_identity():
    assert emit(sp.tanh(Z)).lines == ["np.tanh(z, out=out)"]
    assert emit(Z).lines == ["np.copyto(out, z)"]
    assert emit(sp.Integer(1)).lines == ["np.copyto(out, 1.0)"]


def test_indicator_is_the_comparison_itself():
    emission = emit(sp.Piecewise((1, A > 0), (0, True)))
    assert emission.lines == ["np.greater(a, 0.0, out=out)"]
    assert (emission.scratch_used, emission.masks_used) == (0, 0)


def test_piecewise_uses_a_mask():
    emission = emit(sp.Piecewise((2 * A, A > 0), (0, True)))
    assert emission.lines == [
        "np.copyto(out, 0.0)",
        "np.greater(a, 0.0, out=masks[0])",
        "np.multiply(a, 2.0, out=scratch[0])",
        "np.copyto(out, scratch[0], where=masks[0])",
    ]
    assert (emission.scratch_used, emission.masks_used) == (1, 1)


def test_output_buffer_name_is_used():
    assert emit(sp.tanh(Z), "b.delta[2]").lines == ["np.tanh(z, out=b.delta[2])"]


def test_network_printer_stable_forms():
    printer = NetworkNumPyPrinter()
    assert printer.doprint(Logistic(Z)) == "(0.5 * np.tanh(0.5 * (z)) + 0.5)"
    assert printer.doprint(Softplus(Z)) == "np.logaddexp(0, z)"
    assert "numpy." not in printer.doprint(sp.exp(Z) + sp.log(A))


# -- stabilize -----------------------------------------------------------------------------------


def test_stabilize_logistic():
    assert stabilize(SIGMOID) == Logistic(Z)
    assert stabilize(1 / (1 + sp.exp(-2 * Z))) == Logistic(2 * Z)


def test_stabilize_log_of_logistic_is_minus_softplus():
    assert stabilize(sp.log(1 / (1 + sp.exp(-Z)))) == -Softplus(-Z)


def test_stabilize_softplus():
    assert stabilize(sp.log(1 + sp.exp(Z))) == Softplus(Z)
    assert stabilize(sp.log(1 - Logistic(Z))) == -Softplus(Z)


def test_stabilize_complement():
    assert stabilize(sp.exp(-Z) * Logistic(Z)) == Logistic(-Z)


def test_stabilize_piecewise_to_max():
    assert stabilize(ACTIVATIONS["relu"].formula) == sp.Max(Z, 0)
    assert stabilize(ACTIVATIONS["leaky_relu"].formula) == sp.Max(Z, LEAKY_SLOPE * Z)


def test_stabilize_leaves_other_forms():
    for expr in (sp.tanh(Z), Z**2, sp.log(A), sp.exp(Z) + 1, sp.Piecewise((Z, Z > 0), (2 * Z, True))):
        assert stabilize(expr) == expr


def test_stabilized_forms_are_equal_to_the_originals():
    for expr in (SIGMOID, sp.log(SIGMOID), sp.log(1 + sp.exp(Z)), sp.diff(SWISH, Z), sp.diff(SIGMOID, Z)):
        rewritten = stabilize(expr).rewrite(sp.exp)
        for value in (-3.5, -0.25, 0.0, 1.5, 4.0):
            assert float(rewritten.subs(Z, value)) == pytest.approx(float(expr.subs(Z, value)), rel=1e-12)


# -- numeric evaluation of the emitted code ------------------------------------------------------


def _expressions() -> list[tuple[str, sp.Expr, sp.Expr | None]]:
    """(id, expression to emit, expression in z it must equal when a = f(z), or None)."""
    cases: list[tuple[str, sp.Expr, sp.Expr | None]] = []
    for name in ELEMENTWISE:
        act = ACTIVATIONS[name]
        cases.append((f"{name}", act.formula, None))
        cases.append((f"{name}'(z)", sp.diff(act.formula, Z), None))
        identity = activation_derivative(act)
        if identity.method == "exact":
            # the identity form in a, which must equal f'(z) when a = f(z)
            cases.append((f"{name}'(a)", identity.rhs, name))
    for name, cost in COSTS.items():
        if cost.needs_softmax:
            continue
        cases.append((f"cost {name}", cost.per_output, None))
        cases.append((f"dcost {name}", sp.diff(cost.per_output, A), None))
        for act_name in ("sigmoid", "tanh", "identity", "softplus"):
            if name == "cross_entropy" and act_name != "sigmoid":
                continue
            composed = cost.per_output.subs(A, ACTIVATIONS[act_name].formula)
            cases.append((f"cost {name} of {act_name}", composed, None))
            cases.append((f"delta {name} of {act_name}", sp.diff(composed, Z), None))
    cases += [
        ("swish", SWISH, None),
        ("swish'", sp.diff(SWISH, Z), None),
        ("swish''", sp.diff(SWISH, Z, 2), None),
        ("a(1-a)", A * (1 - A), None),
        ("constant minus sum", 3 - A - Z, None),
        ("negated sum", -A - Z, None),
        ("powers", sp.sqrt(A) + A ** sp.Rational(-1, 2) + A**3 + Z ** (-2) + A**Y, None),
        ("division", (Z + 2) / (A * (1 + Y)), None),
        ("abs sign", sp.Abs(Z) * sp.sign(Z) + sp.sin(Z) * sp.cos(Z), None),
        ("common subexpressions", sp.exp(Z * A) * (1 + sp.exp(Z * A)) ** 2 - sp.exp(Z * A), None),
        ("piecewise", sp.Piecewise((Z**2, Z < -1), (A, Z <= 0.5), (sp.tanh(Z), True)), None),
        ("max min", sp.Max(Z, A, Y) - sp.Min(Z, 0), None),
        ("scaled", -2 * Z * A / 7, None),
    ]
    return cases


EXPRESSIONS = _expressions()


@pytest.mark.parametrize(("label", "expr", "through"), EXPRESSIONS, ids=[c[0] for c in EXPRESSIONS])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_emitted_code_matches_lambdify(label, expr, through, dtype):
    rng = np.random.default_rng(1234)
    shape = (5, 7)
    z = (rng.standard_normal(shape) * 3).astype(dtype)
    z[np.abs(z) < 1e-3] = 0.5  # away from the kinks and poles
    a = rng.uniform(0.05, 0.95, shape).astype(dtype)
    y = rng.uniform(0.0, 1.0, shape).astype(dtype)
    if through is not None:  # an identity in a: a = f(z), compared with f'(z)
        f = ACTIVATIONS[through].formula
        a = sp.lambdify(Z, f, "numpy")(z.astype(np.float64)).astype(dtype) * np.ones(shape, dtype)
        reference = sp.lambdify(Z, sp.diff(f, Z), "numpy")(z.astype(np.float64)) * np.ones(shape)
    else:
        reference = sp.lambdify((Z, A, Y), expr, "numpy")(
            z.astype(np.float64), a.astype(np.float64), y.astype(np.float64)
        ) * np.ones(shape)
    emission = emit(expr)
    with np.errstate(all="raise"):
        got = run(emission, z, a, y)
    assert got.dtype == dtype
    if dtype == np.float64:
        np.testing.assert_allclose(got, reference, rtol=1e-9, atol=1e-12, err_msg=f"{expr}: {emission.lines}")
    else:
        np.testing.assert_allclose(got, reference, rtol=2e-4, atol=1e-5, err_msg=f"{expr}: {emission.lines}")


def test_emission_reuses_scratch_buffers():
    # three independent sigmoids: a scratch buffer is given back after each use
    expr = Logistic(Z) * Logistic(2 * Z) * Logistic(3 * Z) * Logistic(4 * Z)
    emission = emit(expr)
    assert emission.scratch_used <= 2


def test_emission_does_not_touch_the_inputs():
    rng = np.random.default_rng(0)
    z, a = (rng.standard_normal((3, 4)) for _ in range(2))
    y = rng.uniform(0.1, 0.9, (3, 4))
    before = [x.copy() for x in (z, a, y)]
    with np.errstate(all="ignore"):
        for _, expr, _ in EXPRESSIONS:
            run(emit(expr), z, np.abs(a) + 0.1, y)
    for x, original in zip((z, a, y), before):
        if x is a:
            continue
        np.testing.assert_array_equal(x, original)


# -- the stable forms at extreme z ---------------------------------------------------------------

STABLE = {
    "sigmoid": (SIGMOID, lambda z: np.where(z >= 0, 1.0, 0.0)),
    "softplus": (sp.log(1 + sp.exp(Z)), lambda z: np.maximum(z, 0.0)),
    "swish": (SWISH, lambda z: np.maximum(z, 0.0)),
    "swish'": (sp.diff(SWISH, Z), lambda z: np.where(z >= 0, 1.0, 0.0)),
    "sigmoid'": (sp.diff(SIGMOID, Z), lambda z: np.zeros_like(z)),
    "softplus'": (sp.diff(sp.log(1 + sp.exp(Z)), Z), lambda z: np.where(z >= 0, 1.0, 0.0)),
    "log sigmoid": (sp.log(SIGMOID), lambda z: np.minimum(z, 0.0)),
}


@pytest.mark.parametrize("name", list(STABLE))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_forms_at_extreme_z(name, dtype):
    """Finite values and no overflow/invalid/divide at |z| up to 1e4.

    Underflow is ignored (numpy's default): ``np.logaddexp`` itself raises an underflow
    FloatingPointError for |x| >~ 100 (float32) / 750 (float64) under ``all="raise"``, while
    returning the exact, correctly rounded value; that is a property of numpy, not of the printer.
    """
    expr, limit = STABLE[name]
    extremes = np.array([-1e4, -1e3, -200.0, -90.0, -40.0, 40.0, 90.0, 200.0, 1e3, 1e4])
    z = np.concatenate([extremes, np.linspace(-5, 5, 11)]).astype(dtype).reshape(3, 7)
    emission = emit(expr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            got = run(emission, z)
    assert np.all(np.isfinite(got)), (name, got)
    big = np.abs(z.astype(np.float64)) >= 1e3
    expected = limit(z.astype(np.float64))
    np.testing.assert_allclose(got[big], expected[big], rtol=1e-6, atol=1e-6)
    moderate = np.abs(z.astype(np.float64)) <= 5
    reference = sp.lambdify(Z, expr, "numpy")(z.astype(np.float64)[moderate])
    np.testing.assert_allclose(got[moderate], reference, rtol=1e-4 if dtype == np.float32 else 1e-12, atol=1e-6)


STABLE_VALUES = {  # f(z) computed stably, for the identities written through a = f(z)
    "sigmoid": lambda z: 0.5 * np.tanh(0.5 * z) + 0.5,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.maximum(z, 0.01 * z),
    "softplus": lambda z: np.logaddexp(0, z),
    "identity": lambda z: z,
}
STABLE_DERIVATIVES = {
    "sigmoid": lambda z: (0.5 * np.tanh(0.5 * z) + 0.5) * (0.5 * np.tanh(-0.5 * z) + 0.5),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),
    "leaky_relu": lambda z: np.where(z > 0, 1.0, 0.01),
    "softplus": lambda z: 0.5 * np.tanh(0.5 * z) + 0.5,
    "identity": lambda z: np.ones_like(z),
}


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_derivative_identities_through_a_at_extreme_z(name, dtype):
    """f'(z) written through the stored a (what the generated backward pass runs) stays finite and right.

    Fails for softplus: the identity found is (e^a - 1) e^{-a}, and e^a overflows once
    a = softplus(z) passes ~88 (float32) / ~709 (float64), giving inf * 0 = nan.
    """
    identity = activation_derivative(ACTIVATIONS[name])
    if identity.method != "exact":
        pytest.skip(f"{name}: no identity through a")
    z = np.array([-1e4, -1e3, -200.0, -90.0, -40.0, -3.0, -0.5, 0.5, 3.0, 40.0, 90.0, 200.0, 1e3, 1e4], dtype=dtype)
    a = STABLE_VALUES[name](z).astype(dtype)
    emission = emit(identity.rhs)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        got = run(emission, z, a)
    expected = STABLE_DERIVATIVES[name](z.astype(np.float64))
    np.testing.assert_allclose(got, expected, rtol=1e-4 if dtype == np.float32 else 1e-9, atol=1e-6)


def test_row_softmax_lines():
    """Reductions call the ufuncs' reduce (np.max and np.sum add a Python layer); the row values are spread
    over the columns by a broadcast copy into a scratch buffer, not a broadcast subtract or divide."""
    emission = InPlacePrinter({}).emit_row_softmax("z", "a", "row")
    assert emission.lines == [
        "np.maximum.reduce(z, axis=1, keepdims=True, out=row)",
        "np.copyto(scratch[0], row)",
        "np.subtract(z, scratch[0], out=a)",
        "np.exp(a, out=a)",
        "np.add.reduce(a, axis=1, keepdims=True, out=row)",
        "np.copyto(scratch[0], row)",
        "np.divide(a, scratch[0], out=a)",
    ]
    assert (emission.scratch_used, emission.masks_used) == (1, 0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_row_softmax_is_stable_and_allocates_no_temporaries(dtype):
    import tracemalloc

    """|z| up to 1e4 without a warning, and no temporary: one (200, 50) temporary would be 40 KiB or more."""
    z = np.random.default_rng(0).normal(0, 5, (200, 50))
    z[0, :3], z[1, :] = (1e4, -1e4, 0.0), 7.0
    z = z.astype(dtype)
    a, row, scratch = np.empty_like(z), np.empty((200, 1), dtype=dtype), [np.empty_like(z)]
    code = compile("\n".join(InPlacePrinter({}).emit_row_softmax("z", "a", "row").lines), "softmax", "exec")
    namespace = {"np": np, "z": z, "a": a, "row": row, "scratch": scratch}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(code, namespace)  # warm-up
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            before, _ = tracemalloc.get_traced_memory()
            exec(code, namespace)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    shifted = z.astype(np.float64) - z.astype(np.float64).max(axis=1, keepdims=True)
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(a, expected, rtol=2e-5 if dtype == np.float32 else 1e-13, atol=1e-30)
    assert peak - before < 4096, peak - before
