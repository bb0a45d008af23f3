"""Activations and costs as SymPy definitions.

An activation is a formula in ``z`` (elementwise) or, for softmax, a map from
the vector z to the vector a. A cost is a per-output formula in ``a`` and
``y``, summed over the output neurons; the batch cost averages it over the
examples (see :mod:`symbackprop.network.concrete`).

Nothing here knows any derivative: derivatives are taken by SymPy, and the
identities that rewrite them through the activation (σ' = a(1 − a)) are found
by :mod:`symbackprop.derivation.identities`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy as sp

#: The variable of an activation formula.
Z = sp.Symbol("z", real=True)
#: The variables of a per-output cost formula.
A = sp.Symbol("a", real=True)
Y = sp.Symbol("y", real=True)


@dataclass(frozen=True)
class Activation:
    """An activation function.

    ``formula`` is an expression in :data:`Z` for an elementwise activation;
    ``vector`` maps the list of a layer's z's to its a's for one that is not
    elementwise (softmax), with ``inverse`` giving z in terms of a and a free
    constant (softmax is invariant to a shift of z).
    """

    name: str
    formula: sp.Expr | None = None
    vector: Callable[[Sequence[sp.Expr]], list[sp.Expr]] | None = field(default=None, compare=False)
    inverse: Callable[[Sequence[sp.Expr]], list[sp.Expr]] | None = field(default=None, compare=False)
    source: str = "built-in"
    output_only: bool = False

    @property
    def elementwise(self) -> bool:
        return self.formula is not None

    def apply(self, zs: Sequence[sp.Expr]) -> list[sp.Expr]:
        """The layer's activations a = f(z) as SymPy expressions."""
        if self.formula is not None:
            return [self.formula.subs(Z, z) for z in zs]
        assert self.vector is not None
        return self.vector(zs)

    def at(self, z: sp.Expr) -> sp.Expr:
        """f(z) for an elementwise activation."""
        if self.formula is None:
            raise TypeError(f"activation {self.name!r} is not elementwise")
        return self.formula.subs(Z, z)

    def derivative_at(self, z: sp.Expr) -> sp.Expr:
        """f'(z), differentiated by SymPy, for an elementwise activation."""
        if self.formula is None:
            raise TypeError(f"activation {self.name!r} is not elementwise")
        return sp.diff(self.formula, Z).subs(Z, z)


@dataclass(frozen=True)
class Cost:
    """A per-example cost C_x = Σ_j c(a_j, y_j), c a formula in :data:`A`, :data:`Y`.

    ``probability_targets`` states the cost's domain: y is a probability
    vector (Σ_j y_j = 1, one-hot in classification), an assumption the
    simplifier may use.
    """

    name: str
    per_output: sp.Expr
    source: str = "built-in"
    probability_targets: bool = False
    needs_softmax: bool = False

    def at(self, a: Sequence[sp.Expr], y: Sequence[sp.Expr]) -> sp.Expr:
        """C_x for output activations ``a`` and targets ``y``."""
        return sp.Add(*[self.per_output.subs({A: ai, Y: yi}, simultaneous=True) for ai, yi in zip(a, y)])


def _softmax(zs: Sequence[sp.Expr]) -> list[sp.Expr]:
    total = sp.Add(*[sp.exp(z) for z in zs])
    return [sp.exp(z) / total for z in zs]


_SHIFT = sp.Symbol("c", real=True)


def _softmax_inverse(a: Sequence[sp.Expr]) -> list[sp.Expr]:
    # softmax(z + c) = softmax(z): z_j = log a_j + c for any constant c.
    return [sp.log(ai) + _SHIFT for ai in a]


LEAKY_SLOPE = sp.Rational(1, 100)

ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", 1 / (1 + sp.exp(-Z))),
    "tanh": Activation("tanh", sp.tanh(Z)),
    "relu": Activation("relu", sp.Piecewise((Z, Z > 0), (0, True))),
    "leaky_relu": Activation("leaky_relu", sp.Piecewise((Z, Z > 0), (LEAKY_SLOPE * Z, True))),
    "softplus": Activation("softplus", sp.log(1 + sp.exp(Z))),
    "identity": Activation("identity", Z),
    "softmax": Activation("softmax", vector=_softmax, inverse=_softmax_inverse, output_only=True),
}

COSTS: dict[str, Cost] = {
    "quadratic": Cost("quadratic", (A - Y) ** 2 / 2),
    "cross_entropy": Cost("cross_entropy", -(Y * sp.log(A) + (1 - Y) * sp.log(1 - A))),
    "log_likelihood": Cost("log_likelihood", -Y * sp.log(A), probability_targets=True, needs_softmax=True),
}
