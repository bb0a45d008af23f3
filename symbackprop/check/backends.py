"""What an answer's names mean: the concrete network (spec's widths) and the indexed one (symbolic widths),
and the true value of each quantity there, derived layer by layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from symbackprop.check.verdict import Wrong
from symbackprop.derivation import indexed as derive_indexed
from symbackprop.derivation import layered
from symbackprop.network import cost as cost_terms
from symbackprop.network import indexed
from symbackprop.network.concrete import SymbolicNetwork
from symbackprop.network.cost import ETA
from symbackprop.network.sites import Site
from symbackprop.notation.model import Notation
from symbackprop.spec.model import Spec

# -- values: a scalar, vector or matrix whose entries are computed on demand ------------------------


#: The dimension of a batch matrix that runs over the examples (deeplearning.ai's Z^{[l]} is n_l x m).
EXAMPLES_DIM = "m"


@dataclass(frozen=True)
class Value:
    """rows/cols: the internal layer whose width the dimension has, EXAMPLES_DIM for the batch's examples,
    or None for 1."""

    rows: int | None
    cols: int | None
    get: Callable[[object, object], sp.Expr]
    label: str = ""

    @property
    def scalar(self) -> bool:
        return self.rows is None and self.cols is None


def scalar(expr: sp.Expr, label: str = "") -> Value:
    return Value(None, None, lambda i, j: expr, label)


# -- the concrete network ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def network_at(spec: Spec, notation: str, examples: int, abstract: bool) -> SymbolicNetwork:
    return SymbolicNetwork(spec, notation=notation, examples=examples, abstract=abstract)


@lru_cache(maxsize=64)
def indexed_network_at(spec: Spec, notation: str) -> indexed.IndexedNetwork:
    return indexed.IndexedNetwork(spec, notation=notation)


class ConcreteNames:
    """Meaning of the answer's names in a :class:`SymbolicNetwork` at the spec's widths."""

    def __init__(self, net: SymbolicNetwork):
        self.net = net
        self.nt: Notation = net.notation
        self.depth = net.depth

    def width(self, k: int | str) -> int:
        if k == EXAMPLES_DIM:
            return len(self.net.layers)
        return self.net.widths[k]

    def sum(self, body: Callable[[object], sp.Expr], k: int | None, bound: sp.Expr | None = None) -> sp.Expr:
        if k is None and bound is None:
            return body(1)
        n = self.width(k) if k is not None else int(bound)
        return sp.Add(*[body(s) for s in range(1, n + 1)])

    def check_index(self, value, k: int | None, name: str) -> None:
        if k is None:
            if value != 1:
                raise Wrong(f"{name} has one entry, index {value} does not exist")
            return
        if k == EXAMPLES_DIM:
            if isinstance(value, int) and not 1 <= value <= self.width(k):
                raise Wrong(f"{name}: example {value} does not exist in a batch of {self.width(k)}")
            return
        if isinstance(value, int) and not 1 <= value <= self.width(k):
            raise Wrong(f"{name}: index {value} is out of range, layer {self.nt.layer(k)} has {self.width(k)} neurons")

    def example(self, e: int | None) -> int:
        e = 0 if e is None else e
        if e >= len(self.net.layers):
            raise Wrong(f"example {e + 1} does not exist in a batch of {len(self.net.layers)}")
        return e

    def weight(self, k: int, r, c) -> sp.Expr:
        return self.net.weights[k - 1][r - 1, c - 1]

    def bias(self, k: int, i) -> sp.Expr:
        return self.net.biases[k - 1][i - 1]

    def z(self, k: int, i, e) -> sp.Expr:
        return self.net.layer(k, self.example(e)).z[i - 1]

    def a(self, k: int, i, e) -> sp.Expr:
        return self.net.a(k, self.example(e))[i - 1]

    def delta(self, k: int, i, e) -> sp.Expr:
        return self.net.layer(k, self.example(e)).delta[i - 1]

    def y(self, i, e) -> sp.Expr:
        return self.net.targets[self.example(e)][i - 1]

    def function(self, k: int) -> Callable[[sp.Expr], sp.Expr]:
        if self.net.is_abstract(k):
            return self.net.abstract_function(k)
        act = self.net.activation(k)
        if not act.elementwise:
            raise Wrong(f"layer {self.nt.layer(k)} is {act.name}, not elementwise: f(z_i) depends on every z")
        return lambda u: act.at(u)

    def fprime(self, k: int, i, e) -> sp.Expr:
        return self.net.layer(k, self.example(e)).fprime[i - 1]

    def fprime_at(self, k: int, u: sp.Expr) -> sp.Expr:
        f = self.function(k)
        if isinstance(u, sp.Symbol):
            return sp.diff(f(u), u)
        t = sp.Dummy("t", real=True)
        return sp.diff(f(t), t).subs(t, u)

    def cost_gradient(self, j, e, k: int | None = None) -> sp.Expr:
        """∂C_x/∂a^k_j: of the output layer (k None or the depth), or of a hidden layer (in δ^{k+1})."""
        if k is None or k == self.depth:
            return self.net.cost_gradient(self.example(e))[j - 1]
        return hidden_cost_gradient(self.net, k, self.example(e))[j - 1]

    def z_forward(self, k: int, i, e) -> sp.Expr:
        return self.net.z_expression(k, self.example(e))[i - 1]

    def through(self, expr: sp.Expr, lowest: int) -> sp.Expr:
        """``expr`` with the weighted inputs of every layer above ``lowest`` written through the layer below
        (z^L through a^{L-1} = f(z^{L-1}), and so on down), in every example: what ∂/∂z^lowest differentiates."""
        for k in range(self.depth, lowest, -1):
            forward = {}
            for e in range(len(self.net.layers)):
                forward.update(zip(self.net.layer(k, e).z, self.net.z_expression(k, e)))
            # f'(z) as Derivative(f(z), z) needs subs (which makes it a Subs at the expression), not xreplace
            expr = expr.subs(forward) if expr.has(sp.Derivative) else expr.xreplace(forward)
        return expr

    def back(self, expr: sp.Expr, lowest: int) -> sp.Expr:
        """The inverse of :meth:`through`, where the weighted inputs' expressions appear as they were built
        (a derivative's σ'(z^{l+1}) is written in z^{l+1} again, as the rest of the answer is)."""
        for k in range(lowest + 1, self.depth + 1):
            written = {}
            for e in range(len(self.net.layers)):
                for z, forward in zip(self.net.layer(k, e).z, self.net.z_expression(k, e)):
                    written[forward], written[-forward] = z, -z
            expr = expr.xreplace(written)
        return expr


#: The kinds of a gradient-descent step (W^l → W^l − η∂C/∂W^l, b^l → b^l − η∂C/∂b^l): no equations, updates.
UPDATES = ("update", "bias_update")
#: The equation site of each quantity an answer can be about.
SITE_OF = {
    "delta_output": "BP1",
    "delta_hidden": "BP2",
    "bias": "BP3",
    "weight": "BP4",
    "update": "BP4",
    "bias_update": "BP3",
    "input": "input_gradient",
}


def site_of(kind: str, k: int, net) -> Site:
    """The equation site of a quantity at internal layer k (the input gradient's uses δ of layer 1)."""
    equation = SITE_OF[kind]
    return Site(equation, 1 if equation == "input_gradient" else k, 0, ())


@lru_cache(maxsize=256)
def truth_matrix(spec: Spec, notation: str, examples: int, abstract: bool, kind: str, k, batch: bool):
    """[per example] matrices of the true quantity, derived by sympy.diff layer by layer."""
    net = network_at(spec, notation, examples, abstract)
    per_ex = range(len(net.layers))
    if kind == "cost":
        if batch:
            return [
                sp.Matrix(
                    [[cost_terms.batch_cost([net.example_cost(e) for e in per_ex], spec.regularization, net.weights)]]
                )
            ]
        return [sp.Matrix([[net.example_cost(e)]]) for e in per_ex]
    if kind == "cost_gradient":
        if k is not None and k != net.depth:
            return [hidden_cost_gradient(net, k, e) for e in per_ex]
        return [net.cost_gradient(e) for e in per_ex]
    site = site_of(kind, k, net)
    if site.per_example:  # δ, and ∇_x C (of the batch cost, or of one example's)
        if site.equation == "input_gradient" and not batch:
            return [layered.example_gradient(net, site, e) for e in per_ex]
        return [layered.derived(net, site, e) for e in per_ex]
    grad = layered.derived(net, site, None) if batch else layered.example_gradient(net, site, 0)
    if kind == "update":
        return [net.weights[k - 1] - ETA * grad]
    if kind == "bias_update":
        return [net.biases[k - 1] - ETA * grad]
    return [grad]


@lru_cache(maxsize=256)  # asked once per entry by the evaluator: the pullback is made once per layer and example
def hidden_cost_gradient(net: SymbolicNetwork, k: int, e: int) -> sp.ImmutableMatrix:
    """∂C_x/∂a^k of a hidden layer k (deeplearning.ai's dA^{[l]}): a^k enters C_x only through z^{k+1}, so the
    chain rule through z^{k+1}'s forward formula (with stand-ins for a^k), in the symbols δ^{k+1}."""
    a = net.a(k, e)
    stand_ins = sp.Matrix(a.rows, a.cols, [sp.Dummy(f"a{i + 1}", real=True) for i in range(len(a))])
    forward = net.notation.forward(net.weights[k], stand_ins, net.biases[k])
    return sp.ImmutableMatrix(layered.pullback(list(net.layer(k + 1, e).delta), list(forward), list(stand_ins)))


@lru_cache(maxsize=64)
def delta_values(spec: Spec, notation: str, examples: int, abstract: bool) -> dict:
    """Each δ symbol of the network (BP3 and BP4 are derived in terms of them) mapped to its value in z, y
    and the weights: δ^L first, then each δ^l with δ^{l+1} already replaced."""
    net = network_at(spec, notation, examples, abstract)
    values: dict = {}
    for k in range(net.depth, 0, -1):
        kind = "delta_output" if k == net.depth else "delta_hidden"
        for e, truth in enumerate(truth_matrix(spec, notation, examples, abstract, kind, k, False)):
            symbols = net.layer(k, e).delta
            for i in range(len(symbols)):
                values[symbols[i]] = truth[i].xreplace(values)
    return values


class IndexedNames(ConcreteNames):
    """Meaning of the answer's names in the :class:`~symbackprop.network.indexed.IndexedNetwork` (symbolic widths)."""

    def __init__(self, net: indexed.IndexedNetwork):
        self.net = net
        self.nt = net.notation
        self.depth = net.depth

    def width(self, k: int) -> sp.Expr:
        if k == EXAMPLES_DIM:
            raise Unsupported()
        return self.net.widths[k]

    def sum(self, body, k, bound=None):
        if k is None:
            return body(1)
        s = self.net.index("s")
        return sp.Sum(body(s), (s, 1, self.width(k)))

    def check_index(self, value, k, name) -> None:
        if k is None and value != 1:
            raise Wrong(f"{name} has one entry, index {value} does not exist")

    def example(self, e):
        if e:
            raise Unsupported()
        return 0

    def weight(self, k, r, c):
        return self.net.weights[k][r, c]

    def bias(self, k, i):
        return self.net.biases[k][i]

    def z(self, k, i, e):
        return self.net.z[k][i]

    def a(self, k, i, e):
        return self.net.a(k, i)

    def delta(self, k, i, e):
        return self.net.deltas[k][i]

    def y(self, i, e):
        return self.net.y[i]

    def function(self, k):
        if not self.net.spec.layer_activation(k).elementwise:
            raise Unsupported()
        return self.net.activation_function(k)

    def fprime(self, k, i, e):
        return self.net.fprime(k, i)

    def cost_gradient(self, j, e, k=None):
        if k is not None and k != self.depth:
            raise Unsupported()
        return self.net.cost_gradient(j)

    def z_forward(self, k, i, e):
        return self.net.z_expression(k, i)


class Unsupported(Exception):
    """The all-widths proof does not cover this answer (it keeps its exact proof at the spec's widths)."""


def indexed_truth(net: indexed.IndexedNetwork, kind: str, k: int, index: tuple) -> sp.Expr:
    """The derived component at symbolic widths of the quantity an answer is about."""
    if kind == "cost_gradient":
        if k is not None and k != net.depth:
            raise Unsupported()
        return net.cost_gradient(index[0])
    if kind not in SITE_OF or kind in UPDATES:
        raise Unsupported()
    return derive_indexed.derived(net, site_of(kind, k, net), index)
