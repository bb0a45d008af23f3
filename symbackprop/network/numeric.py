"""Numeric cross-check of the closed forms on the concrete network, any width.

The activation and cost are the spec's own SymPy definitions, turned into
NumPy functions by ``sympy.lambdify`` (from parsed expressions, never from
user text). The "true" gradients are central finite differences of the
cost; the closed forms are the same recipes the exact verifier uses,
evaluated on NumPy arrays through :class:`NumMat`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from symbackprop.network import cost as cost_terms
from symbackprop.network.concrete import ShapeError
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.model import Notation
from symbackprop.spec.functions import A, Activation, Y, Z
from symbackprop.spec.model import Spec

#: The training-set size n used numerically for the dataset-scale L2 term (any n > 0 will do).
NUMERIC_TRAINING_SET_SIZE = 1000
STEP = 1e-6
TOLERANCE = 1e-6
#: At most this many entries of one weight matrix are checked by finite differences.
MAX_ENTRIES = 400


class NumMat:
    """A NumPy matrix that multiplies like a SymPy Matrix, so closed forms run on numbers."""

    __array_priority__ = 100

    def __init__(self, values):
        self.values = np.asarray(values, dtype=float)
        if self.values.ndim == 1:
            self.values = self.values.reshape(-1, 1)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    @property
    def T(self) -> NumMat:
        return NumMat(self.values.T)

    def _other(self, other):
        if isinstance(other, NumMat):
            return other.values
        if isinstance(other, sp.MatrixBase):
            return np.array(other.tolist(), dtype=float)
        return float(other)

    def __mul__(self, other):
        if isinstance(other, NumMat):
            if self.shape[1] != other.shape[0]:
                raise ShapeError(f"cannot multiply shapes {self.shape} and {other.shape}")
            return NumMat(self.values @ other.values)
        return NumMat(self.values * float(other))

    def __rmul__(self, other):
        return NumMat(float(other) * self.values)

    def __add__(self, other):
        if isinstance(other, NumMat) and other.shape != self.shape:
            raise ShapeError(f"cannot add shapes {self.shape} and {other.shape}")
        return NumMat(self.values + self._other(other))

    __radd__ = __add__

    def __sub__(self, other):
        return NumMat(self.values - self._other(other))

    def __neg__(self):
        return NumMat(-self.values)

    def __truediv__(self, other):
        return NumMat(self.values / float(other))

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):  # like a SymPy Matrix: flat, row by row
            return float(self.values.reshape(-1)[index])
        return self.values[index]

    def multiply_elementwise(self, other: NumMat) -> NumMat:
        return NumMat(self.values * other.values)

    def __len__(self) -> int:
        return self.values.size


@dataclass(frozen=True)
class NumericLayerFunctions:
    """f, f' (or the Jacobian) of one layer as NumPy functions."""

    activate: object
    derivative: object  # z -> f'(z) elementwise, or z -> Jacobian for softmax


def _layer_functions(activation: Activation, width: int) -> NumericLayerFunctions:
    if activation.elementwise:
        f = sp.lambdify(Z, activation.formula, "numpy")
        fp = sp.lambdify(Z, sp.diff(activation.formula, Z), "numpy")
        return NumericLayerFunctions(
            lambda z: np.broadcast_to(f(z), z.shape).astype(float),
            lambda z: np.broadcast_to(fp(z), z.shape).astype(float),
        )
    zs = sp.symbols(f"z0:{width}", real=True)
    a = activation.apply(zs)
    f = sp.lambdify([zs], a, "numpy")
    jac = sp.lambdify([zs], sp.Matrix(a).jacobian(zs), "numpy")
    return NumericLayerFunctions(lambda z: np.array(f(z), dtype=float), lambda z: np.array(jac(z), dtype=float))


class NumericNetwork:
    """The concrete network with random parameters and a batch of random examples."""

    def __init__(self, spec: Spec, *, notation: str | None = None, examples: int = 2, seed: int = 0):
        self.spec = spec
        self.notation: Notation = notation_named(notation or spec.notation)
        self.widths = tuple(spec.layers)
        self.depth = len(self.widths) - 1
        rng = np.random.default_rng(seed)
        nt = self.notation
        self.weights = [
            rng.normal(size=nt.weight_shape(self.widths[k - 1], self.widths[k])) / np.sqrt(self.widths[k - 1])
            for k in range(1, self.depth + 1)
        ]
        self.biases = [rng.normal(size=self.widths[k]) for k in range(1, self.depth + 1)]
        self.functions = [None] + [
            _layer_functions(spec.layer_activation(k), self.widths[k]) for k in range(1, self.depth + 1)
        ]
        cost = spec.cost_function()
        self.cost = cost
        c = sp.lambdify((A, Y), cost.per_output, "numpy")
        dc = sp.lambdify((A, Y), sp.diff(cost.per_output, A), "numpy")
        self._c = lambda a, y: float(np.sum(np.broadcast_to(c(a, y), a.shape)))
        self._dc = lambda a, y: np.broadcast_to(dc(a, y), a.shape).astype(float)
        n_out = self.widths[-1]
        self.inputs = [rng.normal(size=self.widths[0]) for _ in range(examples)]
        if cost.probability_targets:
            self.targets = [np.eye(n_out)[rng.integers(n_out)] for _ in range(examples)]
        else:
            self.targets = [rng.uniform(0.1, 0.9, size=n_out) for _ in range(examples)]

    def number(self, expr) -> float:
        """A closed-form coefficient (in λ and n) as a number: λ from the spec, n = NUMERIC_TRAINING_SET_SIZE."""
        return cost_terms.number(expr, self.spec.regularization, NUMERIC_TRAINING_SET_SIZE)

    # -- forward ---------------------------------------------------------------------------------
    def z_of(self, k: int, a_prev: np.ndarray, weights=None, biases=None) -> np.ndarray:
        W = self.weights[k - 1] if weights is None else weights
        b = self.biases[k - 1] if biases is None else biases
        return self.notation.forward(W, a_prev, b)

    def forward(self, x: np.ndarray) -> tuple[list, list]:
        zs, activations = [None], [x]
        for k in range(1, self.depth + 1):
            zs.append(self.z_of(k, activations[-1]))
            activations.append(self.functions[k].activate(zs[-1]))
        return zs, activations

    def cost_from(self, k: int, z: np.ndarray, y: np.ndarray) -> float:
        """C_x as a function of z^k (the network above layer k)."""
        a = self.functions[k].activate(z)
        for kk in range(k + 1, self.depth + 1):
            a = self.functions[kk].activate(self.z_of(kk, a))
        return self._c(a, y)

    def batch_cost(self, weights=None, biases=None, inputs=None) -> float:
        weights = self.weights if weights is None else weights
        biases = self.biases if biases is None else biases
        inputs = self.inputs if inputs is None else inputs
        total = 0.0
        for x, y in zip(inputs, self.targets):
            a = x
            for k in range(1, self.depth + 1):
                a = self.functions[k].activate(self.z_of(k, a, weights[k - 1], biases[k - 1]))
            total += self._c(a, y)
        coefficient = self.number(cost_terms.l2_coefficient(self.spec.regularization))
        penalty = coefficient * sum(float(np.sum(W**2)) for W in weights) if coefficient else 0.0
        return total / len(inputs) + penalty

    # -- finite differences ------------------------------------------------------------------------
    def true_deltas(self, e: int) -> list:
        """δ^k = ∂C_x/∂z^k by central differences, k = 1..L (index 0 unused)."""
        zs, _ = self.forward(self.inputs[e])
        deltas = [None]
        for k in range(1, self.depth + 1):
            deltas.append(central_difference(lambda z, k=k: self.cost_from(k, z, self.targets[e]), zs[k]))
        return deltas

    def view(self, e: int, deltas: list) -> NumericView:
        return NumericView(self, e, deltas)


def central_difference(function, point: np.ndarray, entries=None) -> np.ndarray:
    """∂function/∂point by central differences, at every entry or at the given flat entries."""
    point = np.array(point, dtype=float)
    grad = np.full(point.shape, np.nan)
    flat = point.reshape(-1)
    out = grad.reshape(-1)
    for i in range(flat.size) if entries is None else entries:
        h = STEP * max(1.0, abs(flat[i]))
        saved = flat[i]
        flat[i] = saved + h
        up = function(point)
        flat[i] = saved - h
        down = function(point)
        flat[i] = saved
        out[i] = (up - down) / (2 * h)
    return grad


class NumericView:
    """An example's numbers, addressed like :class:`~symbackprop.network.concrete.ExampleView`."""

    def __init__(self, net: NumericNetwork, e: int, deltas: list):
        self.net = net
        self.e = e
        self.notation = net.notation
        self.L = net.notation.layer(net.depth)
        self.zs, self.activations = net.forward(net.inputs[e])
        self.deltas = deltas

    def _k(self, l: int, *, needs_z: bool = False) -> int:
        problem = self.notation.layer_problem(l, self.net.depth, needs_z=needs_z)
        if problem:
            raise ShapeError(problem)
        return self.notation.internal_layer(l)

    def _weight_k(self, l: int) -> int:
        problem = self.notation.weights_problem(l, self.net.depth)
        if problem:
            raise ShapeError(problem)
        return self.notation.internal_weight_layer(l)

    def W(self, l: int) -> NumMat:
        return NumMat(self.net.weights[self._weight_k(l) - 1])

    def b(self, l: int) -> NumMat:
        return NumMat(self.net.biases[self._weight_k(l) - 1])

    def a(self, l: int) -> NumMat:
        return NumMat(self.activations[self._k(l)])

    def z(self, l: int) -> NumMat:
        return NumMat(self.zs[self._k(l, needs_z=True)])

    def delta(self, l: int) -> NumMat:
        return NumMat(self.deltas[self._k(l, needs_z=True)])

    def jacobian(self, l: int) -> NumMat:
        k = self._k(l, needs_z=True)
        fn = self.net.functions[k]
        d = fn.derivative(self.zs[k])
        return NumMat(np.diag(d) if d.ndim == 1 else d)

    def fprime(self, l: int) -> NumMat:
        k = self._k(l, needs_z=True)
        d = self.net.functions[k].derivative(self.zs[k])
        return NumMat(d if d.ndim == 1 else np.diag(d))

    @property
    def x(self) -> NumMat:
        return NumMat(self.net.inputs[self.e])

    @property
    def y(self) -> NumMat:
        return NumMat(self.net.targets[self.e])

    def grad_a(self) -> NumMat:
        return NumMat(self.net._dc(self.activations[-1], self.net.targets[self.e]))
