"""The symbolic network at concrete widths, in the reader's notation.

Every weighted input z^l is a symbol of its own (one per neuron and example),
and a^l = f^l(z^l) is an expression in it. Differentiating layer by layer
through these symbols is what keeps the derivation linear in depth: the cost
is never written out as one nested expression.

With ``abstract=True`` every elementwise layer gets its own undefined SymPy
function f^l, so what is proved holds for every elementwise activation; a
softmax output is always concrete, because it is not elementwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from symbackprop.network import cost as cost_terms
from symbackprop.network.cost import LAMBDA, TRAINING_SET_SIZE
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.model import Notation
from symbackprop.spec.functions import Activation, Cost
from symbackprop.spec.model import Spec

__all__ = ["LAMBDA", "TRAINING_SET_SIZE", "ExampleView", "Layer", "ShapeError", "SymbolicNetwork", "hadamard"]


def hadamard(u: sp.Matrix, v: sp.Matrix) -> sp.Matrix:
    """The elementwise (Hadamard) product u ⊙ v of two column vectors."""
    if u.shape != v.shape:
        raise ShapeError(f"⊙ needs equal shapes, got {u.shape} and {v.shape}")
    return u.multiply_elementwise(v)


class ShapeError(ValueError):
    """A closed form combines matrices whose shapes do not fit."""


@dataclass(frozen=True)
class Layer:
    """One layer of one example: its symbols and the expressions built from them."""

    z: sp.Matrix  # the weighted inputs, symbols
    a: sp.Matrix  # f(z), expressions in z
    fprime: sp.Matrix  # ∂a_j/∂z_j, the diagonal of the Jacobian
    jacobian: sp.Matrix  # ∂a_i/∂z_j
    delta: sp.Matrix  # symbols standing for δ = ∂C_x/∂z (the induction hypothesis)


class SymbolicNetwork:
    """A fully-connected network as SymPy symbols, at the spec's widths.

    Layers are numbered internally 0..L; :meth:`view` gives an example's
    quantities in the notation's own numbering, for the closed forms.
    """

    def __init__(self, spec: Spec, *, notation: str | None = None, examples: int = 1, abstract: bool = True):
        self.spec = spec
        self.notation: Notation = notation_named(notation or spec.notation)
        self.widths = tuple(spec.layers)
        self.depth = len(self.widths) - 1
        self.examples = examples
        self.abstract = abstract
        self.cost: Cost = spec.cost_function()
        nt = self.notation
        self.weights = [
            self._matrix(k, nt.weight_shape(self.widths[k - 1], self.widths[k])) for k in range(1, self.depth + 1)
        ]
        self.biases = [self._vector("bias", nt.weight_layer(k), self.widths[k]) for k in range(1, self.depth + 1)]
        ex = [None] if examples == 1 else list(range(examples))
        self.inputs = [
            sp.Matrix([symbols.vector_component(nt, "input", i, e) for i in range(self.widths[0])]) for e in ex
        ]
        self.targets = [
            sp.Matrix([symbols.vector_component(nt, "target", i, e) for i in range(self.widths[-1])]) for e in ex
        ]
        self.layers = [[self._layer(k, e) for k in range(1, self.depth + 1)] for e in ex]
        self._z_expressions: dict[tuple[int, int], sp.ImmutableMatrix] = {}

    # -- construction -------------------------------------------------------------------------
    def _matrix(self, k: int, shape: tuple[int, int]) -> sp.Matrix:
        number = self.notation.weight_layer(k)
        return sp.Matrix(*shape, lambda r, c: symbols.component(self.notation, "weight", number, (r, c)))

    def _vector(self, quantity: str, number: int, n: int, example: int | None = None) -> sp.Matrix:
        return sp.Matrix([symbols.component(self.notation, quantity, number, (i,), example) for i in range(n)])

    def activation(self, k: int) -> Activation:
        return self.spec.layer_activation(k)

    def abstract_function(self, k: int) -> sp.Function:
        """f^k, the abstract (undefined) activation function of internal layer k."""
        return symbols.function(self.notation, self.notation.layer(k))

    def is_abstract(self, k: int) -> bool:
        return self.abstract and self.activation(k).elementwise

    def _layer(self, k: int, e: int | None) -> Layer:
        number = self.notation.layer(k)
        z = self._vector("weighted_input", number, self.widths[k], e)
        delta = self._vector("error", number, self.widths[k], e)
        if self.is_abstract(k):
            f = self.abstract_function(k)
            a = z.applyfunc(f)
            fprime = sp.Matrix([sp.diff(f(zi), zi) for zi in z])
            jacobian = sp.diag(*fprime)
        else:
            act = self.activation(k)
            a = sp.Matrix(act.apply(list(z)))
            jacobian = a.jacobian(z)
            fprime = sp.Matrix([jacobian[i, i] for i in range(len(z))])
        return Layer(z=z, a=a, fprime=fprime, jacobian=jacobian, delta=delta)

    # -- quantities -----------------------------------------------------------------------------
    @property
    def example_indices(self) -> range:
        return range(len(self.layers))

    def layer(self, k: int, e: int = 0) -> Layer:
        return self.layers[e][k - 1]

    def a(self, k: int, e: int = 0) -> sp.Matrix:
        """a^k of example e; a^0 is the input x."""
        return self.inputs[e] if k == 0 else self.layer(k, e).a

    def z_expression(self, k: int, e: int = 0) -> sp.Matrix:
        """z^k written through a^{k-1}, W^k and b^k, by the notation's forward map (built once per layer and
        example: BP2, BP3, BP4 and the input gradient all differentiate it)."""
        if (k, e) not in self._z_expressions:
            forward = self.notation.forward(self.weights[k - 1], self.a(k - 1, e), self.biases[k - 1])
            self._z_expressions[k, e] = sp.ImmutableMatrix(forward)
        return self._z_expressions[k, e]

    @cached_property
    def target_constraints(self) -> dict:
        """What the cost assumes of the targets, as substitutions: y_n = 1 - (y_1 + ... + y_{n-1}) in each example
        for a cost on probability vectors (the log-likelihood), nothing otherwise."""
        if not self.cost.probability_targets:
            return {}
        return {y[-1]: 1 - sp.Add(*y[:-1]) for y in self.targets}

    def example_cost(self, e: int = 0) -> sp.Expr:
        """C_x: the spec's cost of one example as a function of z^L."""
        return self.cost.at(list(self.layer(self.depth, e).a), list(self.targets[e]))

    @cached_property
    def output_symbols(self) -> sp.Matrix:
        """Stand-ins for a^L, to differentiate the cost with respect to the activations."""
        return sp.Matrix([sp.Dummy(f"aL{i + 1}", real=True) for i in range(self.widths[-1])])

    def cost_gradient(self, e: int = 0) -> sp.Matrix:
        """∇_a C_x, differentiated by SymPy and evaluated at a^L."""
        A = self.output_symbols
        cost = self.cost.at(list(A), list(self.targets[e]))
        a = self.layer(self.depth, e).a
        return sp.Matrix([sp.diff(cost, Ai) for Ai in A]).subs(dict(zip(A, a)), simultaneous=True)

    @cached_property
    def example_costs(self) -> list[sp.Symbol]:
        """Symbols for the examples' costs C_x, so the batch cost is a formula in them."""
        if self.examples == 1:
            return [symbols.example_cost(self.notation)]
        return [symbols.example_cost(self.notation, e) for e in self.example_indices]

    @cached_property
    def batch_cost(self) -> sp.Expr:
        """C = (1/m) Σ_x C_x + the L2 term."""
        return cost_terms.batch_cost(self.example_costs, self.spec.regularization, self.weights)

    def view(self, e: int = 0) -> ExampleView:
        return ExampleView(self, e)


class ExampleView:
    """One example's quantities, addressed by the notation's own layer numbers.

    This is what the closed forms read: ``net.W(l)``, ``net.delta(l)``,
    ``net.a(l)``, ``net.fprime(l)`` mean what the source text means by them.
    """

    def __init__(self, network: SymbolicNetwork, e: int):
        self.network = network
        self.e = e
        self.notation = network.notation
        self.L = network.notation.layer(network.depth)

    def _k(self, l: int, *, needs_z: bool = False) -> int:
        problem = self.notation.layer_problem(l, self.network.depth, needs_z=needs_z)
        if problem:
            raise ShapeError(problem)
        return self.notation.internal_layer(l)

    def _weight_k(self, l: int) -> int:
        problem = self.notation.weights_problem(l, self.network.depth)
        if problem:
            raise ShapeError(problem)
        return self.notation.internal_weight_layer(l)

    def W(self, l: int) -> sp.Matrix:
        return self.network.weights[self._weight_k(l) - 1]

    def b(self, l: int) -> sp.Matrix:
        return self.network.biases[self._weight_k(l) - 1]

    def a(self, l: int) -> sp.Matrix:
        return self.network.a(self._k(l), self.e)

    def _layer(self, l: int) -> Layer:
        return self.network.layer(self._k(l, needs_z=True), self.e)

    def z(self, l: int) -> sp.Matrix:
        return self._layer(l).z

    def delta(self, l: int) -> sp.Matrix:
        return self._layer(l).delta

    def fprime(self, l: int) -> sp.Matrix:
        return self._layer(l).fprime

    def jacobian(self, l: int) -> sp.Matrix:
        return self._layer(l).jacobian

    @property
    def x(self) -> sp.Matrix:
        return self.network.inputs[self.e]

    @property
    def y(self) -> sp.Matrix:
        return self.network.targets[self.e]

    def grad_a(self) -> sp.Matrix:
        return self.network.cost_gradient(self.e)
