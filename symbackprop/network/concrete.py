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

from symbackprop.notation import naming
from symbackprop.notation.catalogue import NOTATIONS, Notation
from symbackprop.spec.functions import Activation, Cost
from symbackprop.spec.load import Spec

#: λ, the L2 weight-decay coefficient, and n, the training-set size (Nielsen ch. 3).
LAMBDA = sp.Symbol("lambda", positive=True)
TRAINING_SET_SIZE = sp.Symbol("n", positive=True, integer=True)


def hadamard(u: sp.Matrix, v: sp.Matrix) -> sp.Matrix:
    """The elementwise (Hadamard) product u ⊙ v of two column vectors."""
    if u.shape != v.shape:
        raise ShapeError(f"⊙ needs equal shapes, got {u.shape} and {v.shape}")
    return u.multiply_elementwise(v)


class ShapeError(ValueError):
    """A closed form combines matrices whose shapes do not fit."""


def regularizer(spec: Spec, weights: list[sp.Matrix]) -> sp.Expr:
    """The L2 term: (λ/2) Σ W² (batch scale) or (λ/2n) Σ W² (dataset scale); biases never."""
    reg = spec.regularization
    if reg is None:
        return sp.Integer(0)
    coefficient = LAMBDA / 2 if reg.scale == "batch" else LAMBDA / (2 * TRAINING_SET_SIZE)
    return coefficient * sp.Add(*[w**2 for W in weights for w in W])


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
        self.notation: Notation = NOTATIONS[notation or spec.notation]
        self.widths = tuple(spec.layers)
        self.depth = len(self.widths) - 1
        self.examples = examples
        self.abstract = abstract
        self.cost: Cost = spec.cost_function()
        nt = self.notation
        self.weights = [
            self._matrix(nt.weight_symbol, k, nt.weight_shape(self.widths[k - 1], self.widths[k]))
            for k in range(1, self.depth + 1)
        ]
        self.biases = [self._vector(naming.BIAS, nt.weight_layer(k), self.widths[k]) for k in range(1, self.depth + 1)]
        ex = [None] if examples == 1 else list(range(examples))
        self.inputs = [
            sp.Matrix([sp.Symbol(naming.vector_name(naming.INPUT, i, e), real=True) for i in range(self.widths[0])])
            for e in ex
        ]
        self.targets = [
            sp.Matrix([sp.Symbol(naming.vector_name(naming.TARGET, i, e), real=True) for i in range(self.widths[-1])])
            for e in ex
        ]
        self.layers = [[self._layer(k, e) for k in range(1, self.depth + 1)] for e in ex]

    # -- construction -------------------------------------------------------------------------
    def _symbol(self, base: str, number: int, index: tuple[int, ...], example: int | None) -> sp.Symbol:
        return sp.Symbol(naming.component_name(base, self.notation, number, index, example), real=True)

    def _matrix(self, base: str, k: int, shape: tuple[int, int]) -> sp.Matrix:
        number = self.notation.weight_layer(k)
        return sp.Matrix(*shape, lambda r, c: self._symbol(base, number, (r, c), None))

    def _vector(self, base: str, number: int, n: int, example: int | None = None) -> sp.Matrix:
        return sp.Matrix([self._symbol(base, number, (i,), example) for i in range(n)])

    def activation(self, k: int) -> Activation:
        return self.spec.layer_activation(k)

    def abstract_function(self, k: int) -> sp.Function:
        return sp.Function(naming.activation_function_name(self.notation, self.notation.layer(k)), real=True)

    def is_abstract(self, k: int) -> bool:
        return self.abstract and self.activation(k).elementwise

    def _layer(self, k: int, e: int | None) -> Layer:
        number = self.notation.layer(k)
        z = self._vector(naming.WEIGHTED_INPUT, number, self.widths[k], e)
        delta = self._vector(naming.ERROR, number, self.widths[k], e)
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
        """z^k written through a^{k-1}, W^k and b^k, by the notation's forward map."""
        return self.notation.forward(self.weights[k - 1], self.a(k - 1, e), self.biases[k - 1])

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
            return [sp.Symbol(naming.EXAMPLE_COST)]
        return [sp.Symbol(f"{naming.EXAMPLE_COST}[x{e + 1}]") for e in self.example_indices]

    @cached_property
    def batch_cost(self) -> sp.Expr:
        """C = (1/m) Σ_x C_x + the L2 term."""
        m = len(self.example_costs)
        return sp.Add(*self.example_costs) / m + regularizer(self.spec, self.weights)

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

    def _k(self, l: int) -> int:
        k = self.notation.internal_layer(l)
        if not 0 <= k <= self.network.depth:
            raise ShapeError(f"there is no layer {l} in this {self.notation.name} network")
        return k

    def _weight_k(self, l: int) -> int:
        k = self.notation.internal_weight_layer(l)
        if not 1 <= k <= self.network.depth:
            raise ShapeError(f"there are no weights or biases {l} in this {self.notation.name} network")
        return k

    def W(self, l: int) -> sp.Matrix:
        return self.network.weights[self._weight_k(l) - 1]

    def b(self, l: int) -> sp.Matrix:
        return self.network.biases[self._weight_k(l) - 1]

    def a(self, l: int) -> sp.Matrix:
        return self.network.a(self._k(l), self.e)

    def _layer(self, l: int) -> Layer:
        k = self._k(l)
        if k == 0:
            raise ShapeError(f"layer {l} is the input layer: it has no z, f' or δ")
        return self.network.layer(k, self.e)

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
