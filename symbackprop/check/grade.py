"""Grading a person's answer: the verdict on a formula read by :mod:`symbackprop.check.read`.

The grading stage of ``symbackprop check``. An answer's left-hand side (or
the equation it is filed under) names a quantity (δ^l, ∂C/∂W^l, ∂C/∂b^l,
∇_x C, ∇_a C, the updated W^l); its right-hand side is evaluated in a
notation's symbolic network and compared with that quantity as
:mod:`symbackprop.derivation.layered` derives it by ``sympy.diff``:

1. ``exact`` — at the spec's widths, every elementwise layer an abstract
   f^l: the difference expands to 0 for every entry and every layer l the
   answer speaks of, a proof for every elementwise activation. Batch answers
   (a sum over the m examples, 1/m, λW) are checked with m = 2 examples.
2. ``all_widths`` — per-example answers are also evaluated on the network of
   :mod:`symbackprop.network.indexed` (symbolic widths, ``Sum`` over ``Indexed``),
   a proof for every width.
3. with the spec's own activations (σ' = a(1 − a) holds only for the
   sigmoid): exact when the difference simplifies to 0, else ``numeric``
   (random rational points) and said so.

Networks above GRADE_LIMIT parameters are compared at every width capped at
REDUCED_WIDTH (the proof says so). Beside BP1–BP4, ∇_x C, ∇_a C and the
update W − η∂C/∂W, the cost itself (C_x = ½‖a^L − y‖², UFLDL's J(W,b) with
its weight decay) can be graded.

A wrong answer gets the entry, the layer, values of every symbol at which the
two sides differ, both values and their difference, and the residual. The
notation an answer is read in is the spec's unless its writing says
otherwise (UFLDL's parenthesised layers ``^{(l)}`` or the cost J; the blog's
``a'(z)``) or the answer names it; a wrong answer that would hold in
another notation says so.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import sympy as sp

from symbackprop.check import read as ast
from symbackprop.derivation import indexed as derive_indexed
from symbackprop.derivation import layered
from symbackprop.errors import SymbackpropError
from symbackprop.network import cost as cost_terms
from symbackprop.network import indexed
from symbackprop.network.concrete import SymbolicNetwork
from symbackprop.network.cost import ETA, LAMBDA, TRAINING_SET_SIZE
from symbackprop.network.sites import Site
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import NOTATIONS
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.model import Notation
from symbackprop.printing.latex import latex
from symbackprop.printing.text import text as as_text
from symbackprop.spec.functions import Z
from symbackprop.spec.model import Spec
from symbackprop.templating import tex_environment
from symbackprop.timing import SIMPLIFY_SECONDS, simplifies_to_zero, within
from symbackprop.verification import sampling

#: The equations an answer can be filed under, and the quantity each is about.
EQUATIONS = {
    "BP1": "delta_output",
    "delta_output": "delta_output",
    "BP2": "delta_hidden",
    "BP3": "bias",
    "BP4": "weight",
    "input_gradient": "input",
    "cost_gradient": "cost_gradient",
    "weight_update": "update",
    "cost": "cost",
}
#: Examples in the batch when an answer averages over examples.
BATCH_EXAMPLES = 2
#: Above this many parameters the exact comparison runs on a copy of the network with every width at most
#: REDUCED_WIDTH (larger where the answer names a larger index); the all-widths proof covers every width.
GRADE_LIMIT = 1000
REDUCED_WIDTH = 3


class GradingError(SymbackpropError, ValueError):
    """An answer that can be read but not graded (no quantity named, an unknown equation): says what to write."""


class Wrong(Exception):
    """The answer cannot be formed in the network (shapes, layers or indices that do not exist): a wrong answer."""


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer."""

    ident: str
    text: str
    status: str  # correct | wrong | error
    equation: str | None = None
    notation: str | None = None
    quantity: str = ""
    method: str = ""  # exact | all_widths | numeric
    proofs: tuple[str, ...] = ()
    reason: str = ""
    counterexample: dict | None = None
    wrong_term: str = ""
    note: str = ""
    parsed: str = ""
    parsed_latex: str = ""
    residual_latex: str = ""
    error_column: int | None = None
    seconds: float = 0.0
    point: tuple = field(default=(), compare=False, repr=False)  # the counterexample's (symbol, value) pairs

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def to_dict(self) -> dict:
        return {
            "id": self.ident,
            "answer": self.text,
            "status": self.status,
            "equation": self.equation,
            "notation": self.notation,
            "quantity": self.quantity,
            "method": self.method,
            "proofs": list(self.proofs),
            "reason": self.reason,
            "counterexample": self.counterexample,
            "wrong_term": self.wrong_term,
            "note": self.note,
            "parsed": self.parsed,
            "parsed_latex": self.parsed_latex,
            "residual_latex": self.residual_latex,
            "error_column": self.error_column,
            "seconds": round(self.seconds, 4),
        }


@dataclass(frozen=True)
class GradeReport:
    spec: Spec
    verdicts: tuple[Verdict, ...]
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if any(v.status == "error" for v in self.verdicts):
            return 2
        return 0 if all(v.correct for v in self.verdicts) else 1

    def to_dict(self) -> dict:
        counts = {s: sum(v.status == s for v in self.verdicts) for s in ("correct", "wrong", "error")}
        return {
            "spec": self.spec.name,
            "notation": self.spec.notation,
            **counts,
            "verdicts": [v.to_dict() for v in self.verdicts],
            "seconds": round(self.seconds, 4),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


# -- values: a scalar, vector or matrix whose entries are computed on demand ------------------------


@dataclass(frozen=True)
class Value:
    """rows/cols: the internal layer whose width the dimension has, or None for 1."""

    rows: int | None
    cols: int | None
    get: Callable[[object, object], sp.Expr]
    label: str = ""

    @property
    def scalar(self) -> bool:
        return self.rows is None and self.cols is None


def _scalar(expr: sp.Expr, label: str = "") -> Value:
    return Value(None, None, lambda i, j: expr, label)


# -- the concrete network ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _network(spec: Spec, notation: str, examples: int, abstract: bool) -> SymbolicNetwork:
    return SymbolicNetwork(spec, notation=notation, examples=examples, abstract=abstract)


@lru_cache(maxsize=64)
def _indexed_network(spec: Spec, notation: str) -> indexed.IndexedNetwork:
    return indexed.IndexedNetwork(spec, notation=notation)


class _Concrete:
    """Meaning of the answer's names in a :class:`SymbolicNetwork` at the spec's widths."""

    def __init__(self, net: SymbolicNetwork):
        self.net = net
        self.nt: Notation = net.notation
        self.depth = net.depth

    def width(self, k: int) -> int:
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

    def cost_gradient(self, j, e) -> sp.Expr:
        return self.net.cost_gradient(self.example(e))[j - 1]

    def z_forward(self, k: int, i, e) -> sp.Expr:
        return self.net.z_expression(k, self.example(e))[i - 1]


#: The equation site of each quantity an answer can be about.
_SITE_OF = {
    "delta_output": "BP1",
    "delta_hidden": "BP2",
    "bias": "BP3",
    "weight": "BP4",
    "update": "BP4",
    "input": "input_gradient",
}


def _site(kind: str, k: int, net) -> Site:
    """The equation site of a quantity at internal layer k (the input gradient's uses δ of layer 1)."""
    equation = _SITE_OF[kind]
    return Site(equation, 1 if equation == "input_gradient" else k, 0, ())


@lru_cache(maxsize=256)
def _truth_matrix(spec: Spec, notation: str, examples: int, abstract: bool, kind: str, k, batch: bool):
    """[per example] matrices of the true quantity, derived by sympy.diff layer by layer."""
    net = _network(spec, notation, examples, abstract)
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
        return [net.cost_gradient(e) for e in per_ex]
    site = _site(kind, k, net)
    if site.per_example:  # δ, and ∇_x C (of the batch cost, or of one example's)
        if site.equation == "input_gradient" and not batch:
            return [layered.example_gradient(net, site, e) for e in per_ex]
        return [layered.derived(net, site, e) for e in per_ex]
    grad = layered.derived(net, site, None) if batch else layered.example_gradient(net, site, 0)
    if kind == "update":
        return [net.weights[k - 1] - ETA * grad]
    return [grad]


# -- evaluation ------------------------------------------------------------------------------------


@dataclass
class _Frame:
    l: int | None = None  # the value of the layer variable l
    env: dict = field(default_factory=dict)  # index name -> value; example index name -> example (0-based)
    example: int | None = None
    example_names: dict = field(default_factory=dict)  # example index name -> example (0-based)
    own_layer: int | None = None  # internal layer of the quantity graded: z, δ written without a layer mean it


class _Evaluator:
    def __init__(self, backend: _Concrete, frame: _Frame):
        self.b = backend
        self.nt = backend.nt
        self.frame = frame

    # -- layers and indices
    def layer_number(self, layer: ast.Layer | None, what: str) -> int:
        if layer is None:
            raise Wrong(f"{what} needs a layer number")
        if layer.var == "l":
            if self.frame.l is None:
                raise GradingError(f"{what}: the layer l is not fixed by the left-hand side; write the layer")
            base = self.frame.l
        elif layer.var == "L":
            base = self.nt.layer(self.b.depth)
        else:
            base = 0
        return base + layer.offset

    def layer_k(self, layer, what: str, lowest: int = 1) -> int:
        number = self.layer_number(layer, what)
        k = self.nt.internal_layer(number)
        if not lowest <= k <= self.b.depth:
            raise Wrong(
                f"{what}: there is no layer {number} here "
                f"(layers {self.nt.layer(lowest)}..{self.nt.layer(self.b.depth)})"
            )
        return k

    def weight_k(self, layer, what: str) -> int:
        number = self.layer_number(layer, what)
        k = self.nt.internal_weight_layer(number)
        if not 1 <= k <= self.b.depth:
            first, last = self.nt.weight_layer(1), self.nt.weight_layer(self.b.depth)
            raise Wrong(f"{what}: there are no weights or biases {number} here ({first}..{last})")
        return k

    def index(self, name):
        if isinstance(name, int):
            return name
        if name not in self.frame.env:
            raise GradingError(f"index {name} is neither on the left-hand side nor summed over")
        return self.frame.env[name]

    def example_of(self, var) -> int | None:
        if var is None:
            return self.frame.example
        if isinstance(var, int) or (isinstance(var, str) and var.isdigit()):
            if int(var) < 1:
                raise GradingError(f"example {var}: examples are numbered from 1")
            return int(var) - 1
        if var in self.frame.example_names:
            return self.frame.example_names[var]
        return self.frame.example

    # -- nodes
    def eval(self, node) -> Value:
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    def _Num(self, node: ast.Num) -> Value:
        return _scalar(sp.Rational(node.numerator, node.denominator))

    def _entry(self, dims: tuple, indices: tuple, get: Callable, name: str) -> Value:
        rows, cols = dims
        if not indices:
            return Value(rows, cols, get, name)
        wanted = sum(d is not None for d in dims)
        if len(indices) != wanted:
            raise Wrong(f"{name} has {wanted} index(es), the answer gives {len(indices)}")
        values = [self.index(i) for i in indices]
        if rows is not None and cols is not None:
            self.b.check_index(values[0], rows, name)
            self.b.check_index(values[1], cols, name)
            return _scalar(get(values[0], values[1]), name)
        self.b.check_index(values[0], rows if rows is not None else cols, name)
        return _scalar(get(values[0], 1) if rows is not None else get(1, values[0]), name)

    def _Var(self, node: ast.Var) -> Value:
        base, name = node.base, _var_text(node)
        if base == "lambda":
            return _scalar(LAMBDA)
        if base == "eta":
            return _scalar(ETA)
        if base == "m":
            return _scalar(sp.Integer(len(self.b.net.layers)))
        if base == "n":
            return _scalar(TRAINING_SET_SIZE)
        if base == "s":
            return _scalar(sp.sympify(self.b.width(self.layer_k(node.layer, "s_l", lowest=0))))
        e = self.example_of(node.example)
        if base in ("W", "w"):
            k = self.weight_k(node.layer, name)
            dims = self.nt.weight_dims(k)
            return self._entry(dims, node.indices, lambda r, c: self.b.weight(k, r, c), name)
        if base == "b":
            k = self.weight_k(node.layer, name)
            return self._entry((k, None), node.indices, lambda i, _: self.b.bias(k, i), name)
        if base in ("z", "delta"):
            if node.layer is None and self.frame.own_layer is not None:  # δ^L_j = ∂C/∂a_j σ'(z_j)
                k = self.frame.own_layer
            else:
                k = self.layer_k(node.layer, name)
            get = self.b.z if base == "z" else self.b.delta
            return self._entry((k, None), node.indices, lambda i, _: get(k, i, e), name)
        if base == "a":
            k = self.layer_k(node.layer, name, lowest=0) if node.layer is not None else self.b.depth
            return self._entry((k, None), node.indices, lambda i, _: self.b.a(k, i, e), name)
        if base == "x":
            return self._entry((0, None), node.indices, lambda i, _: self.b.a(0, i, e), name)
        if base == "y":
            return self._entry((self.b.depth, None), node.indices, lambda i, _: self.b.y(i, e), name)
        raise GradingError(f"{name} cannot be used on the right-hand side")

    def _Cost(self, node: ast.Cost) -> Value:
        raise GradingError("the cost itself cannot be graded; write a derivative of it, such as dC/dW^l_{jk}")

    def _Partial(self, node: ast.Partial) -> Value:
        wrt, name = node.wrt, _var_text(node.wrt)
        if isinstance(node.num, ast.Cost):
            e = self.example_of(node.num.example)
            if wrt.base == "z":
                return self._Var(ast.Var("delta", wrt.layer, wrt.indices, wrt.example))
            if wrt.base == "a" and (wrt.layer is None or self.layer_k(wrt.layer, name, 0) == self.b.depth):
                return self._entry((self.b.depth, None), wrt.indices, lambda j, _: self.b.cost_gradient(j, e), name)
            if wrt.base in ("W", "w", "b", "x"):
                kind = {"W": "weight", "w": "weight", "b": "bias", "x": "input"}[wrt.base]
                k = 1 if kind == "input" else self.weight_k(wrt.layer, name)
                matrix = layered.example_gradient(self.b.net, _site(kind, k, self.b.net), e or 0)
                dims = _dims(self.nt, kind, k, self.b.depth)
                return self._entry(dims, wrt.indices, lambda r, c: matrix[r - 1, c - 1], name)
            raise GradingError(f"∂C/∂{name} is not supported on the right-hand side (use δ, ∇_a C, ∂C/∂a^L_j)")
        num = node.num
        if isinstance(num, ast.Var) and num.base in ("z", "a") and num.indices and wrt.indices:
            e = self.example_of(num.example)
            k = self.layer_k(num.layer, _var_text(num), lowest=1)
            i = self.index(num.indices[0])
            self.b.check_index(i, k, _var_text(num))
            top = self.b.z_forward(k, i, e) if num.base == "z" else self.b.a(k, i, e)
            var = self.eval(wrt).get(1, 1)
            return _scalar(sp.diff(top, var))
        raise GradingError("derivatives of quantities are supported in component form, such as dz^{l+1}_j/dz^l_i")

    def _Activation(self, node: ast.Activation) -> Value:
        if node.arg is None:
            k = self.layer_k(node.layer, f"{node.name}^{node.layer.text()}")
            z = ast.Var("z", node.layer)
            return self._apply(node, k, self.eval(z), z)
        k = self.layer_k(node.layer, node.name) if node.layer is not None else self._layer_of(node.arg)
        return self._apply(node, k, self.eval(node.arg), node.arg)

    def _layer_of(self, arg) -> int:
        for var in _walk(arg):
            if isinstance(var, ast.Var) and var.base in ("z", "a") and var.layer is not None:
                return self.layer_k(var.layer, _var_text(var), lowest=0 if var.base == "a" else 1)
            if isinstance(var, ast.Var) and var.base == "z" and self.frame.own_layer is not None:
                return self.frame.own_layer
        if self.b.depth == 1:
            return 1
        raise GradingError("cannot tell which layer's activation this is: write f^l or an argument such as z^l")

    def _apply(self, node: ast.Activation, k: int, arg: Value, arg_node) -> Value:
        direct = isinstance(arg_node, ast.Var) and arg_node.base == "z"
        e = self.example_of(getattr(arg_node, "example", None))

        def get(i, j):
            if node.prime:
                if direct:
                    index = i if arg.rows is not None else (self.index(arg_node.indices[0]) if arg_node.indices else 1)
                    return self.b.fprime(k, index, e)
                return self.b.fprime_at(k, arg.get(i, j))
            if direct:
                index = i if arg.rows is not None else (self.index(arg_node.indices[0]) if arg_node.indices else 1)
                return self.b.a(k, index, e)
            return self.b.function(k)(arg.get(i, j))

        if direct and arg.rows is not None and arg.rows != k:
            raise Wrong(f"f'(z) of layer {self.nt.layer(arg.rows)} at layer {self.nt.layer(k)}")
        return Value(arg.rows, arg.cols, get, "f'" if node.prime else "f")

    def _Function(self, node: ast.Function) -> Value:
        arg = self.eval(node.arg)
        fn = {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt}[node.name]
        return Value(arg.rows, arg.cols, lambda i, j: fn(arg.get(i, j)))

    def _Sum(self, node: ast.Sum) -> Value:
        upper = node.upper
        if isinstance(upper, ast.Var) and upper.base in ("m", "n") and not upper.layer:
            return self._example_sum(node)
        if node.index == "l":
            return self._layer_sum(node)
        k = self._index_layer(node.body, node.index)
        if k is None:
            raise GradingError(f"cannot tell the range of the summation index {node.index}: it indexes nothing")
        self._check_bounds(node, k)

        def body(s):
            saved = dict(self.frame.env)
            self.frame.env[node.index] = s
            try:
                value = self.eval(node.body)
                if not value.scalar:
                    raise Wrong(f"the body of the sum over {node.index} is not a number but a vector or matrix")
                return value.get(1, 1)
            finally:
                self.frame.env = saved

        return _scalar(self.b.sum(body, k))

    def _check_bounds(self, node: ast.Sum, k: int) -> None:
        """Explicit bounds must be 1 and the width of the layer the index runs over."""
        for bound, want in ((node.lower, sp.Integer(1)), (node.upper, self.b.width(k))):
            if bound is None:
                continue
            value = self.eval(bound)
            got = sp.sympify(value.get(1, 1)) if value.scalar else None
            if got is not None and got != sp.sympify(want):
                which = "starts at" if bound is node.lower else "runs to"
                shown = ast.show(bound)
                shown += "" if shown == str(got) else f" = {got}"
                raise Wrong(
                    f"the sum over {node.index} {which} {shown}, but {node.index} indexes "
                    f"layer {self.nt.layer(k)} ({self.b.width(k)} neurons)"
                )

    def _layer_sum(self, node: ast.Sum) -> Value:
        """UFLDL's Σ_{l=1}^{n_l-1}: the body at every layer l of the bounds (all weight layers without bounds)."""
        last = self.nt.layer(self.b.depth)  # UFLDL's n_l, the number of the output layer
        numbers = [self.nt.weight_layer(k) for k in range(1, self.b.depth + 1)]
        lower = _bound(node.lower, last)
        upper = _bound(node.upper, last)
        chosen = [n for n in numbers if (lower is None or n >= lower) and (upper is None or n <= upper)]
        if lower is not None and upper is not None and chosen != list(range(lower, upper + 1)):
            raise Wrong(f"the sum over l runs over {lower}..{upper}, but the weights here are {numbers}")
        saved = self.frame.l
        total = sp.Integer(0)
        try:
            for number in chosen:
                self.frame.l = number
                value = self.eval(node.body)
                if not value.scalar:
                    raise Wrong("the body of the sum over the layers l is not a number")
                total += value.get(1, 1)
        finally:
            self.frame.l = saved
        return _scalar(total)

    def _example_sum(self, node: ast.Sum) -> Value:
        """Σ_{i=1}^m over the batch: i names an example (x^{(i)}, J(W,b;x^{(i)},y^{(i)})), never a component."""
        saved_example, saved_names = self.frame.example, dict(self.frame.example_names)
        values = []
        try:
            for e in range(len(self.b.net.layers)):
                self.frame.example_names[node.index] = e
                self.frame.example = e
                values.append(self.eval(node.body))
        finally:
            self.frame.example, self.frame.example_names = saved_example, saved_names
        first = values[0]
        if any((v.rows, v.cols) != (first.rows, first.cols) for v in values):
            raise Wrong(f"the summands of the sum over the examples {node.index} have different shapes")
        return Value(first.rows, first.cols, lambda i, j: sp.Add(*[v.get(i, j) for v in values]))

    def _index_layer(self, body, name: str) -> int | None:
        """The layer whose neurons the summation index runs over, from the first place it indexes."""
        for node in _walk(body):
            if isinstance(node, ast.Partial):
                node = node.wrt
            if not isinstance(node, ast.Var) or name not in node.indices:
                continue
            position = node.indices.index(name)
            if node.base in ("W", "w"):
                k = self.weight_k(node.layer, _var_text(node))
                dims = self.nt.weight_dims(k)
                return dims[position]
            if node.base in ("b",):
                return self.weight_k(node.layer, _var_text(node))
            if node.base in ("z", "delta"):
                return self.layer_k(node.layer, _var_text(node))
            if node.base == "a":
                return self.layer_k(node.layer, _var_text(node), lowest=0) if node.layer else self.b.depth
            if node.base == "x":
                return 0
            if node.base == "y":
                return self.b.depth
        return None

    def _BinOp(self, node: ast.BinOp) -> Value:
        left, right = self.eval(node.left), self.eval(node.right)
        if node.op in ("+", "-"):
            if left.scalar != right.scalar and (right.cols is None and left.cols is None):  # 1 - a: elementwise
                left, right = _broadcast(left, right)
            if (left.rows, left.cols) != (right.rows, right.cols):
                raise Wrong(f"{node.op} of a {self._shape(left)} and a {self._shape(right)} (column {node.column})")
            sign = 1 if node.op == "+" else -1
            return Value(left.rows, left.cols, lambda i, j: left.get(i, j) + sign * right.get(i, j))
        if node.op == "/":
            if not right.scalar:
                raise Wrong(f"division by a {self._shape(right)} (column {node.column})")
            return Value(left.rows, left.cols, lambda i, j: left.get(i, j) / right.get(1, 1))
        if left.scalar or right.scalar:
            big = right if left.scalar else left
            return Value(
                big.rows,
                big.cols,
                lambda i, j: left.get(1, 1) * right.get(i, j) if left.scalar else left.get(i, j) * right.get(1, 1),
            )
        if node.op == "hadamard":
            if left.cols is None and right.cols is not None and left.rows == right.rows:
                # the notes' (f^l)' ∘ (W^{l+1})^T: f' as the diagonal matrix, ∘ as composition
                return Value(right.rows, right.cols, lambda i, j: left.get(i, 1) * right.get(i, j))
            if (left.rows, left.cols) != (right.rows, right.cols):
                raise Wrong(f"⊙ of a {self._shape(left)} and a {self._shape(right)} (column {node.column})")
            return Value(left.rows, left.cols, lambda i, j: left.get(i, j) * right.get(i, j))
        if left.cols != right.rows:
            raise Wrong(
                f"product of a {self._shape(left)} and a {self._shape(right)}: "
                f"the shapes do not fit (column {node.column})"
            )
        inner = left.cols
        return Value(left.rows, right.cols, lambda i, j: self.b.sum(lambda s: left.get(i, s) * right.get(s, j), inner))

    def _shape(self, v: Value) -> str:
        def dim(d):
            return "1" if d is None else f"n_{self.nt.layer(d)}"

        return "number" if v.scalar else f"{dim(v.rows)}x{dim(v.cols)} matrix"

    def _Neg(self, node: ast.Neg) -> Value:
        v = self.eval(node.operand)
        return Value(v.rows, v.cols, lambda i, j: -v.get(i, j))

    def _Power(self, node: ast.Power) -> Value:
        base, exponent = self.eval(node.base), self.eval(node.exponent)
        if not exponent.scalar:
            raise Wrong("an exponent must be a number")
        return Value(base.rows, base.cols, lambda i, j: base.get(i, j) ** exponent.get(1, 1))

    def _Transpose(self, node: ast.Transpose) -> Value:
        v = self.eval(node.operand)
        return Value(v.cols, v.rows, lambda i, j: v.get(j, i))

    def _Norm(self, node: ast.Norm) -> Value:
        v = self.eval(node.operand)
        if v.cols is not None:
            raise Wrong("‖·‖ of a matrix")
        return _scalar(sp.sqrt(self.b.sum(lambda s: v.get(s, 1) ** 2, v.rows)))


def _bound(node, last: int) -> int | None:
    """A layer sum's bound: a number, or n_l - c (UFLDL's n_l is the number of layers: the output's number)."""
    if node is None:
        return None
    if isinstance(node, ast.Num) and node.denominator == 1:
        return node.numerator
    if isinstance(node, ast.Var) and node.base in ("s", "L"):
        return last
    if isinstance(node, ast.BinOp) and node.op in ("+", "-") and isinstance(node.right, ast.Num):
        base = _bound(node.left, last)
        if base is not None:
            return base + (node.right.numerator if node.op == "+" else -node.right.numerator)
    raise GradingError("the bounds of a sum over layers l must be numbers or n_l - c")


def _broadcast(left: Value, right: Value) -> tuple[Value, Value]:
    """A number added to a vector is added to each entry (1 - a^L)."""
    shape = right if left.scalar else left

    def spread(v: Value) -> Value:
        return Value(shape.rows, shape.cols, lambda i, j: v.get(1, 1)) if v.scalar else v

    return spread(left), spread(right)


def _walk(node):
    yield node
    if isinstance(node, (ast.Var, ast.Num, ast.Cost)) or node is None:
        return
    for value in vars(node).values():
        if isinstance(
            value,
            (
                ast.Var,
                ast.Num,
                ast.Cost,
                ast.Partial,
                ast.Activation,
                ast.Function,
                ast.Sum,
                ast.BinOp,
                ast.Neg,
                ast.Power,
                ast.Transpose,
                ast.Norm,
            ),
        ):
            yield from _walk(value)


def _var_text(node: ast.Var) -> str:
    name = {"delta": "δ", "lambda": "λ", "eta": "η"}.get(node.base, node.base)
    if node.layer is not None:
        layer = node.layer.text()
        name += "^" + (layer if len(layer) == 1 else "{" + layer + "}")
    if node.indices:
        index = ",".join(str(i) for i in node.indices)
        name += "_" + (index if len(index) == 1 else "{" + index + "}")
    return name


def _dims(nt: Notation, kind: str, k: int, depth: int) -> tuple:
    if kind in ("weight", "update"):
        return nt.weight_dims(k)
    if kind == "input":
        return (0, None)
    if kind == "cost_gradient":
        return (depth, None)
    if kind == "cost":
        return (None, None)
    return (k, None)


# -- the quantity an answer is about ---------------------------------------------------------------


@dataclass(frozen=True)
class _Quantity:
    kind: str  # delta | bias | weight | input | cost_gradient | update
    layer: ast.Layer | None
    indices: tuple
    text: str


def _quantity(node) -> _Quantity | None:
    """What a left-hand side names, or None if it names no quantity."""
    if isinstance(node, ast.Var) and node.base == "delta":
        return _Quantity("delta", node.layer, node.indices, _var_text(node))
    if isinstance(node, ast.Var) and node.base in ("W", "w"):
        return _Quantity("update", node.layer, node.indices, _var_text(node))
    if isinstance(node, ast.Cost):
        return _Quantity("cost", None, (), ast.show(node))
    if isinstance(node, ast.Partial) and isinstance(node.num, ast.Cost):
        w = node.wrt
        kind = {"z": "delta", "W": "weight", "w": "weight", "b": "bias", "x": "input", "a": "cost_gradient"}.get(w.base)
        if kind:
            return _Quantity(kind, w.layer, w.indices, f"∂{node.num.name}/∂{_var_text(w)}")
    return None


def default_lhs(kind: str, nt: Notation) -> tuple[str, str]:
    """The left-hand side an answer filed under an equation is about, in ``nt``'s letters: (matrix, component)."""
    i, j = nt.indices
    cost, W = nt.spell("cost"), nt.spell("weight")
    out, general = "{" + nt.label(nt.output_layer.ascii) + "}", "{" + nt.label("l") + "}"
    table = {
        "delta_output": (f"delta^{out}", f"delta^{out}_{i}"),
        "delta_hidden": (f"delta^{general}", f"delta^{general}_{i}"),
        "bias": (f"d{cost}/db^{general}", f"d{cost}/db^{general}_{i}"),
        "weight": (f"d{cost}/d{W}^{general}", f"d{cost}/d{W}^{general}_{{{i}{j}}}"),
        "input": (f"grad_x {cost}", f"d{cost}/dx_{nt.input_index}"),
        "cost_gradient": (f"grad_a {cost}", f"d{cost}/da^{out}_{i}"),
        "cost": (cost, cost),
        "update": (f"{W}^{general}", f"{W}^{general}_{{{i}{j}}}"),
    }
    return table[kind]


def _free_indices(node, bound=frozenset()) -> list:
    found: list = []
    if isinstance(node, ast.Sum):
        return _free_indices(node.body, bound | {node.index})
    if isinstance(node, ast.Var):
        return [i for i in node.indices if isinstance(i, str) and i not in bound]
    if isinstance(node, ast.Partial):
        found = _free_indices(node.wrt, bound) + (
            _free_indices(node.num, bound) if isinstance(node.num, ast.Var) else []
        )
        return found
    if node is None or isinstance(node, (ast.Num, ast.Cost)):
        return []
    for value in vars(node).values():
        if hasattr(value, "__dataclass_fields__") and not isinstance(value, ast.Layer):
            for i in _free_indices(value, bound):
                if i not in found:
                    found.append(i)
    return found


def _notation_of(equation: ast.Equation, spec: Spec, explicit: str | None) -> tuple[str, str]:
    """The notation to read the answer in, and why: the one named, else the catalogue's notations whose writing
    the answer's fits (parenthesised layer numbers, the letter of the cost, the letter of the activation
    function), the spec's first."""
    if explicit:
        if explicit not in NOTATIONS:
            raise GradingError(f"unknown notation {explicit!r}; valid: {', '.join(NOTATIONS)}")
        return explicit, "named with the answer"
    nodes = [n for side in equation.sides for n in _walk(side)]
    parenthesised = any(getattr(n, "layer", None) is not None and n.layer.parenthesised for n in nodes)
    costs = {n.name for n in nodes if isinstance(n, ast.Cost)}
    functions = {n.name for n in nodes if isinstance(n, ast.Activation)}
    spec_nt = notation_named(spec.notation)
    candidates = [spec_nt, *(nt for nt in NOTATIONS.values() if nt is not spec_nt)]
    reasons = []
    if parenthesised:
        candidates = [nt for nt in candidates if nt.parenthesised] or candidates
        reasons.append("parenthesised layer numbers")
    elif spec_nt.parenthesised:
        candidates = [nt for nt in candidates if not nt.parenthesised] or candidates
        reasons.append("layer numbers without parentheses")
    own_costs = [nt for nt in candidates if nt.spell("cost") in costs and nt.spell("cost") != spec_nt.spell("cost")]
    if own_costs:
        candidates = own_costs
        reasons.append(f"the cost {own_costs[0].spell('cost')}")
    own_functions = [
        nt
        for nt in candidates
        if nt.spell("function") in functions and nt.spell("function") != spec_nt.spell("function")
    ]
    if own_functions:
        candidates = own_functions
        reasons.append(f"the derivative written {own_functions[0].spell('function')}'(z)")
    chosen = candidates[0]
    if chosen is spec_nt and not own_costs and not own_functions:
        return chosen.name, "the spec's notation"
    return chosen.name, f"{' / '.join(reasons)} ({chosen.name})"


def _is_batch(equation: ast.Equation) -> bool:
    for side in equation.sides:
        for node in _walk(side):
            if isinstance(node, ast.Var) and node.base in ("lambda", "m", "n"):
                return True
            if isinstance(node, ast.Sum) and isinstance(node.upper, ast.Var) and node.upper.base in ("m", "n"):
                return True
    return False


def _layer_values(q: _Quantity, kind: str, nt: Notation, depth: int) -> list[int | None]:
    """The values of l for which the left-hand side names a quantity of this kind."""
    if q.layer is None:
        return [None]
    if q.layer.var != "l":
        return [None]
    values = []
    for l in range(-3, depth + 4):
        number = l + q.layer.offset
        if kind in ("delta_output", "delta_hidden"):
            k = nt.internal_layer(number)
            ok = 1 <= k < depth if kind == "delta_hidden" else k == depth
        elif kind in ("cost_gradient",):
            ok = nt.internal_layer(number) == depth
        else:
            ok = 1 <= nt.internal_weight_layer(number) <= depth
        if ok:
            values.append(l)
    return values


def _internal_k(q: _Quantity, kind: str, nt: Notation, depth: int, l: int | None) -> int:
    if q.layer is None:
        return depth if kind in ("delta_output", "cost_gradient") else 1
    base = l if q.layer.var == "l" else nt.layer(depth) if q.layer.var == "L" else 0
    number = base + q.layer.offset
    if kind in ("delta_output", "delta_hidden", "cost_gradient"):
        return nt.internal_layer(number)
    return nt.internal_weight_layer(number)


# -- grading ---------------------------------------------------------------------------------------


def grade(
    spec: Spec,
    text: str,
    *,
    equation: str | None = None,
    notation: str | None = None,
    ident: str = "answer",
    seed: int = 0,
) -> Verdict:
    """The verdict on one answer; bad input gives a Verdict with status ``error`` and the column."""
    start = time.perf_counter()
    try:
        verdict = _grade(spec, text, equation, notation, ident, random.Random(seed))
    except ast.AnswerError as error:
        verdict = Verdict(ident, text, "error", equation, reason=str(error), error_column=error.column)
    except GradingError as error:
        verdict = Verdict(ident, text, "error", equation, reason=str(error))
    return _replace(verdict, seconds=time.perf_counter() - start)


def _replace(verdict: Verdict, **changes) -> Verdict:
    return replace(verdict, **changes)


def _instance(spec: Spec, parsed: ast.Equation, equation: str | None) -> tuple[Spec, str]:
    """The spec itself, or for a large network the same network at small widths, and the note saying so."""
    if spec.parameter_count <= GRADE_LIMIT:
        return spec, ""
    trees = list(parsed.sides)
    if equation and equation not in EQUATIONS:
        trees.append(ast.parse_answer(equation).sides[0])
    nodes = [n for tree in trees for n in _walk(tree)]
    literal = [i for n in nodes if isinstance(n, ast.Var) for i in n.indices if isinstance(i, int)]
    cap = max([REDUCED_WIDTH, *literal])
    small = replace(spec, layers=tuple(min(n, cap) for n in spec.layers))
    note = f" (the spec's {list(spec.layers)} reduced: {spec.parameter_count} parameters exceed {GRADE_LIMIT})"
    return small, note


def _grade(
    spec: Spec, text: str, equation: str | None, explicit: str | None, ident: str, rng: random.Random
) -> Verdict:
    if equation is not None and equation not in EQUATIONS and not equation.startswith(("d", "∂", "\\")):
        raise GradingError(
            f"unknown equation {equation!r}; valid: {', '.join(EQUATIONS)} or a quantity such as dC/dW^2_{{1,2}}"
        )
    parsed = ast.parse_answer(text)
    spec, reduced = _instance(spec, parsed, equation)
    sides = list(parsed.sides)
    lhs_node = None
    if equation is not None and equation not in EQUATIONS:  # a quantity such as dC/dW^2_{1,2}
        lhs_node = ast.parse_answer(equation).sides[0]
        if len(sides) > 1 and _quantity(sides[0]) is not None:
            sides = sides[1:]
    elif len(sides) > 1 and _quantity(sides[0]) is not None:
        lhs_node, sides = sides[0], sides[1:]
    nt_name, why = _notation_of(parsed, spec, explicit)
    nt = NOTATIONS[nt_name]
    depth = len(spec.layers) - 1
    wanted = EQUATIONS.get(equation) if equation else None
    if lhs_node is None:
        if wanted is None:
            raise GradingError(
                "the answer names no quantity: write a left-hand side such as delta^L = … or give --equation"
            )
        rhs_free = [i for side in sides for i in _free_indices(side)]
        matrix, component = default_lhs(wanted, nt)
        lhs_node = ast.parse_answer(component if rhs_free else matrix).sides[0]
        canonical = _quantity(lhs_node).indices
        if rhs_free and sorted(set(rhs_free)) != sorted(canonical):
            if len(canonical) == 1 and len(set(rhs_free)) == 1:
                lhs_node = _with_indices(lhs_node, (rhs_free[0],))
            else:
                raise GradingError(
                    f"free indices {', '.join(sorted(set(rhs_free)))}: write the left-hand side, e.g. {component} = …"
                )
    q = _quantity(lhs_node)
    if q is None:
        raise GradingError("the left-hand side names no quantity (δ, ∂C/∂W, ∂C/∂b, ∂C/∂x, ∇_a C or W)")
    kind = q.kind
    if kind == "delta":
        kind = "delta_output" if q.layer is not None and q.layer.var == "L" and q.layer.offset == 0 else "delta_hidden"
    if (
        wanted
        and wanted != kind
        and not (wanted == "delta_output" and kind == "delta_hidden" and q.layer and q.layer.var is None)
    ):
        raise GradingError(f"the left-hand side {q.text} is not what {equation} is about ({wanted.replace('_', ' ')})")
    batch = _is_batch(parsed) or kind == "update"
    layers = _layer_values(q, kind, nt, depth)
    if not layers:
        raise GradingError(f"{q.text} does not exist in this network for any layer l")
    rhs_text = " = ".join(ast.show(s) for s in sides)
    base = dict(
        ident=ident,
        text=text,
        equation=equation,
        notation=nt_name,
        quantity=q.text,
        parsed=f"{ast.show(lhs_node)} = {rhs_text}",
        parsed_latex=" = ".join(ast.show(s, tex=True) for s in [lhs_node, *sides]),
    )
    result = first = _check(spec, nt, kind, q, sides, layers, batch, True, rng)
    abstract = True
    if not result["holds"]:
        abstract = False
        result = _check(spec, nt, kind, q, sides, layers, batch, False, rng)
        if not result["holds"] and first.get("residual"):
            result["residual"] = first["residual"] + " (for every elementwise f)"
            result["residual_latex"] = first["residual_latex"]
            result["counterexample"] = result.get("counterexample") or first.get("counterexample")
    proofs = []
    if result["holds"]:
        method = result["method"]
        label = "every elementwise activation" if abstract else "this network's activations"
        widths = f"widths {list(spec.layers)}" + (f", m = {BATCH_EXAMPLES} examples" if batch else "") + reduced
        proofs.append(f"{method}: at {widths}, for {label}, {result['detail']}")
        if abstract and not batch and method == "exact":
            proof = _all_widths(spec, nt, kind, q, sides, layers)
            if isinstance(proof, Wrong):  # holds at these widths only by coincidence of sizes
                return Verdict(
                    status="wrong",
                    method="all_widths",
                    reason=f"at symbolic widths: {proof} (at widths {list(spec.layers)} the sizes happen to agree)",
                    note=f"read in {nt_name} notation ({why})",
                    **base,
                )
            if proof:
                proofs.append(proof)
                method = "all_widths"
        note = f"read in {nt_name} notation ({why})"
        if nt_name != spec.notation:
            note = f"correct in {nt_name} notation, not the spec's {spec.notation} ({why})"
        return Verdict(status="correct", method=method, proofs=tuple(proofs), note=note, **base)
    note = f"read in {nt_name} notation ({why})"
    for other in NOTATIONS:
        if other != nt_name and explicit is None:
            try:
                alt = _check(
                    spec,
                    NOTATIONS[other],
                    kind,
                    q,
                    sides,
                    _layer_values(q, kind, NOTATIONS[other], depth),
                    batch,
                    True,
                    rng,
                )
            except (GradingError, Wrong):
                continue
            if alt["holds"]:
                note += f"; it would hold in {other} notation"
    culprit = _culprit(spec, nt, kind, q, sides, layers, batch, rng)
    wrong_term = "; ".join(p for p in (culprit, result.get("residual", "")) if p)
    counterexample = dict(result["counterexample"]) if result.get("counterexample") else None
    point = counterexample.pop("point", ()) if counterexample else ()
    return Verdict(
        residual_latex=result.get("residual_latex", ""),
        status="wrong",
        method=result.get("method", "exact"),
        reason=result["reason"],
        counterexample=counterexample,
        point=point,
        wrong_term=wrong_term,
        note=note,
        **base,
    )


def _terms(node) -> list:
    """The top-level summands (with their signs) or factors of an expression, as (label, node without it)."""
    out = []
    if isinstance(node, ast.BinOp) and node.op in ("+", "-"):
        out.append(("term", node.right, node.left))
        out.append(("term", node.left, node.right if node.op == "+" else ast.Neg(node.right)))
    elif isinstance(node, ast.BinOp) and node.op in ("dot", "hadamard"):
        out.append(("factor", node.right, node.left))
        out.append(("factor", node.left, node.right))
        out.append(("sign of the factor", node.left, ast.BinOp(node.op, ast.Neg(node.left), node.right, node.column)))
    elif isinstance(node, ast.Neg):
        out.append(("sign", node, node.operand))
    return out


def _culprit(spec, nt, kind, q, sides, layers, batch, rng) -> str:
    """The one summand, factor or sign whose removal makes the answer hold, if there is one."""
    for n, side in enumerate(sides):
        for label, part, rest in _terms(side) + [
            (lbl, p, r) for _, _, sub in _terms(side)[:0] for lbl, p, r in _terms(sub)
        ]:
            trial = list(sides)
            trial[n] = rest
            try:
                if _check(spec, nt, kind, q, trial, layers, batch, True, rng)["holds"]:
                    if label == "sign":
                        return "the sign: the answer is the negative of the right value"
                    if label.startswith("sign"):
                        return f"the sign of {ast.show(part)}: it should be negated"
                    return f"the {label} {ast.show(part)} should not be there"
            except (GradingError, Wrong):
                continue
    return ""


def _with_indices(node, indices):
    if isinstance(node, ast.Partial):
        return replace(node, wrt=replace(node.wrt, indices=indices))
    return replace(node, indices=indices)


def _check(spec, nt, kind, q, sides, layers, batch, abstract, rng) -> dict:
    """Compare every right-hand side with the derived quantity, at every layer l and entry."""
    net = _network(spec, nt.name, BATCH_EXAMPLES if batch else 1, abstract)
    backend = _Concrete(net)
    depth = net.depth
    unproved = 0
    for l in layers:
        k = _internal_k(q, kind, nt, depth, l)
        if not 1 <= k <= depth:
            return {"holds": False, "reason": f"{q.text}: no such layer here", "method": "exact"}
        truth = _truth_matrix(spec, nt.name, len(net.layers), abstract, kind, k, batch)[0]
        rows, cols = _dims(
            nt,
            "weight" if kind == "update" else kind.replace("delta_output", "delta").replace("delta_hidden", "delta"),
            k,
            depth,
        )
        where = f"l = {l}" if l is not None else ""
        for n, side in enumerate(sides):
            frame = _Frame(l=l, own_layer=k if kind in ("delta_output", "delta_hidden", "bias", "weight") else None)
            evaluator = _Evaluator(backend, frame)
            entries = []
            try:
                if q.indices:
                    names = q.indices
                    ranges = [range(1, net.widths[rows] + 1)] + (
                        [range(1, net.widths[cols] + 1)] if cols is not None else []
                    )
                    import itertools

                    for combo in itertools.product(*ranges):
                        if any(isinstance(name, int) for name in names):
                            combo = tuple(name if isinstance(name, int) else c for name, c in zip(names, combo))
                            if combo in [c for c, _, _ in entries]:
                                continue
                        frame.env = {name: c for name, c in zip(names, combo) if isinstance(name, str)}
                        value = evaluator.eval(side)
                        if not value.scalar:
                            bare = sorted(
                                {
                                    _var_text(v)
                                    for v in _walk(side)
                                    if isinstance(v, ast.Var)
                                    and v.base in ("y", "a", "z", "delta", "x", "b")
                                    and not v.indices
                                }
                            )
                            hint = f" ({', '.join(bare)} without an index is a vector)" if bare else ""
                            raise Wrong(
                                f"the component {q.text} is a number, the answer is a {evaluator._shape(value)}{hint}"
                            )
                        entries.append(
                            (combo, value.get(1, 1), truth[combo[0] - 1, combo[1] - 1 if len(combo) > 1 else 0])
                        )
                else:
                    value = evaluator.eval(side)
                    if (value.rows, value.cols) != (rows, cols):
                        want = Value(rows, cols, lambda i, j: 0)
                        raise Wrong(
                            f"{q.text} is a {evaluator._shape(want)}, the answer is a {evaluator._shape(value)}"
                        )
                    for r in range(1, (net.widths[rows] if rows is not None else 1) + 1):
                        for c in range(1, (net.widths[cols] if cols is not None else 1) + 1):
                            entries.append(((r, c) if cols is not None else (r,), value.get(r, c), truth[r - 1, c - 1]))
            except Wrong as wrong:
                return {"holds": False, "reason": f"{where + ': ' if where else ''}{wrong}", "method": "exact"}
            for combo, answer, true in entries:
                difference = sp.expand(answer - true)
                if difference == 0:
                    continue
                if not abstract and simplifies_to_zero(answer - true):
                    continue
                counterexample = _counterexample(answer, true, rng, abstract)
                if counterexample is None:
                    unproved += 1
                    continue
                counterexample.update({"entry": list(combo), "layer_l": l, "side": n + 1})
                residual_expr = symbols.primed(_tidy(answer - true))
                residual = as_text(residual_expr)
                at = f"{where}, " if where else ""
                entry = f"entry {_entry_text(q, combo)}: " if kind != "cost" else ""
                reason = f"{at}{entry}the answer differs from the derived value"
                return {
                    "holds": False,
                    "reason": reason,
                    "counterexample": counterexample,
                    "residual": f"answer - derived = {residual}",
                    "residual_latex": latex(residual_expr),
                    "method": "exact",
                }
    if unproved:
        return {
            "holds": True,
            "method": "numeric",
            "detail": f"{unproved} entries agree at {sampling.POINTS} random points but did not simplify to 0 "
            "(not a proof)",
        }
    return {
        "holds": True,
        "method": "exact",
        "detail": "the difference expands to 0 for every entry" + (f" and l in {layers}" if layers != [None] else ""),
    }


def _entry_text(q: _Quantity, combo) -> str:
    names = [str(i) for i in q.indices] if q.indices else []
    return ", ".join(f"{n}={c}" for n, c in zip(names, combo)) if names else str(tuple(combo))


def _counterexample(answer: sp.Expr, true: sp.Expr, rng: random.Random, abstract: bool) -> dict | None:
    """Values at which the sides differ (generic stand-ins for abstract f^l), or None.

    The point's symbols themselves are kept under ``"point"`` (for the printers), their names under ``"values"``.
    """
    left, right = answer, true
    if abstract:
        functions = {f.func for f in (left.atoms(sp.Function) | right.atoms(sp.Function)) if symbols.is_function(f)}
        bodies = {f: sp.Lambda(Z, sampling.stand_in(n + 2)) for n, f in enumerate(sorted(functions, key=str))}
        left, right = sampling.with_activations(left, bodies), sampling.with_activations(right, bodies)
    difference = sampling.find_difference(left, right, rng, digits=20)
    if difference is None:
        return None
    return {
        "values": difference.named_values(),
        "answer": difference.left.real,
        "derived": difference.right.real,
        "difference": (difference.left - difference.right).real,
        "point": tuple(difference.values.items()),
    }


class _Indexed(_Concrete):
    """Meaning of the answer's names in the :class:`~symbackprop.network.indexed.IndexedNetwork` (symbolic widths)."""

    def __init__(self, net: indexed.IndexedNetwork):
        self.net = net
        self.nt = net.notation
        self.depth = net.depth

    def width(self, k: int) -> sp.Expr:
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
            raise _Unsupported()
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
            raise _Unsupported()
        return self.net.activation_function(k)

    def fprime(self, k, i, e):
        return self.net.fprime(k, i)

    def cost_gradient(self, j, e):
        return self.net.cost_gradient(j)

    def z_forward(self, k, i, e):
        return self.net.z_expression(k, i)


class _Unsupported(Exception):
    """The all-widths proof does not cover this answer (it keeps its exact proof at the spec's widths)."""


def _indexed_truth(net: indexed.IndexedNetwork, kind: str, k: int, index: tuple) -> sp.Expr:
    """The derived component at symbolic widths of the quantity an answer is about."""
    if kind == "cost_gradient":
        return net.cost_gradient(index[0])
    if kind not in _SITE_OF or kind == "update":
        raise _Unsupported()
    return derive_indexed.derived(net, _site(kind, k, net), index)


def _all_widths(spec, nt, kind, q, sides, layers) -> str | Wrong | None:
    """A proof for every width, on the indexed network, or None where it does not apply or does not close."""
    try:
        for l in layers:
            net = indexed.IndexedNetwork(spec, notation=nt.name)
            backend = _Indexed(net)
            k = _internal_k(q, kind, nt, net.depth, l)
            rows, cols = _dims(nt, kind.replace("delta_output", "delta").replace("delta_hidden", "delta"), k, net.depth)
            names = list(q.indices) if q.indices else ["p", "q"][: 1 if cols is None else 2]
            symbols = []
            for name, dim in zip(names, (rows, cols)):
                symbols.append(sp.Integer(name) if isinstance(name, int) else net.index(f"{name}", dim))
            truth = _indexed_truth(net, kind, k, tuple(symbols))
            for side in sides:
                frame = _Frame(l=l, own_layer=k if kind in ("delta_output", "delta_hidden", "bias", "weight") else None)
                frame.env = {n: s for n, s in zip(names, symbols) if isinstance(n, str)}
                value = _Evaluator(backend, frame).eval(side)
                answer = (
                    value.get(1, 1) if value.scalar else value.get(symbols[0], symbols[1] if len(symbols) > 1 else 1)
                )
                derived = indexed.normalize(truth, net.ranges)
                got = indexed.normalize(answer.doit() if hasattr(answer, "doit") else answer, net.ranges)
                difference = derived - got
                if not (indexed.is_zero(difference) or simplifies_to_zero(difference)):
                    return None
    except Wrong as wrong:
        return wrong
    except (_Unsupported, GradingError, TypeError, ValueError, IndexError, AttributeError):
        return None
    return "all_widths: the component form holds for every width (symbolic n_l, Sum over Indexed), every elementwise f"


# -- many answers, and the report ---------------------------------------------------------------------


def _tidy(expr: sp.Expr) -> sp.Expr:
    """The residual as a reader wants it: simplified and factored when SymPy manages in time, else expanded."""
    return within(SIMPLIFY_SECONDS, lambda: sp.factor(sp.simplify(expr)), sp.expand(expr))


def grade_all(spec: Spec, submissions, *, notation: str | None = None, seed: int = 0) -> GradeReport:
    """Verdicts on every :class:`~symbackprop.check.read.Submission`, in order."""
    start = time.perf_counter()
    verdicts = tuple(
        grade(spec, s.text, equation=s.equation, notation=s.notation or notation, ident=s.ident, seed=seed)
        for s in submissions
    )
    return GradeReport(spec, verdicts, time.perf_counter() - start)


_MARK = {"correct": "[ok]   ", "wrong": "[WRONG]", "error": "[ERROR]"}


def report_text(report: GradeReport) -> str:
    """The graded report as plain text, one block per answer."""
    spec = report.spec
    d = report.to_dict()
    lines = [
        f"check: {spec.name} (layers {list(spec.layers)}, {spec.notation} notation): {len(report.verdicts)} answer(s), "
        f"{d['correct']} correct, {d['wrong']} wrong, {d['error']} error(s) ({report.seconds:.2f} s)",
        "",
    ]
    for v in report.verdicts:
        head = " ".join(p for p in (_MARK[v.status], v.ident, v.equation or "", v.notation or "", v.method) if p)
        lines.append(head)
        if v.status == "error":
            lines.append(f"        {v.reason}")
            if v.error_column:
                flat = v.text.replace("\n", " ")
                lines.append(f"        {flat}")
                lines.append("        " + " " * (v.error_column - 1) + "^")
            lines.append("")
            continue
        lines.append(f"        read as: {v.parsed}")
        for proof in v.proofs:
            lines.append(f"        {proof}")
        if v.status == "wrong":
            lines.append(f"        {v.reason}")
            ce = v.counterexample
            if ce:
                values = ", ".join(f"{k} = {_short(x)}" for k, x in ce["values"].items())
                lines.append(f"        counterexample: {values}")
                lines.append(
                    f"        answer = {_short(ce['answer'])}, derived = {_short(ce['derived'])}, "
                    f"difference = {_short(ce['difference'])}"
                )
            if v.wrong_term:
                lines.append(f"        wrong: {v.wrong_term}")
        if v.note:
            lines.append(f"        note: {v.note}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _short(x: float) -> str:
    return f"{x:.6g}"


def report_latex(report: GradeReport) -> str:
    """The report as a standalone LaTeX document, a page per answer (``templates/check.tex.j2``)."""
    from symbackprop.teach.document import _tex as _tex_text

    def _tex(text: str) -> str:
        for char, mark in (("{", "\x00"), ("}", "\x01"), ("$", "\x02"), ("~", "\x03")):
            text = text.replace(char, mark)
        text = _tex_text(text)
        for char, mark in ((r"\{", "\x00"), (r"\}", "\x01"), (r"\$", "\x02"), (r"\textasciitilde{}", "\x03")):
            text = text.replace(mark, char)
        return text

    pages = []
    for v in report.verdicts:
        ce = v.counterexample or {}
        pages.append(
            {
                "ident": _tex(v.ident),
                "status": v.status,
                "equation": _tex(v.equation or "-"),
                "notation": _tex(v.notation or "-"),
                "method": _tex(v.method or "-"),
                "formula": v.parsed_latex,
                "answer_text": _tex(v.text.replace("\n", " ")),
                "proofs": [_tex(p) for p in v.proofs],
                "reason": _tex(v.reason),
                "wrong_term": _tex(v.wrong_term),
                "note": _tex(v.note),
                "point": [(latex(symbol), _short(float(x))) for symbol, x in v.point],
                "residual": v.residual_latex,
                "answer_value": _short(ce["answer"]) if "answer" in ce else "",
                "derived_value": _short(ce["derived"]) if "derived" in ce else "",
                "difference": _short(ce["difference"]) if "difference" in ce else "",
            }
        )
    d = report.to_dict()
    return (
        tex_environment()
        .get_template("check.tex.j2")
        .render(
            spec=_tex(report.spec.name),
            layers=str(list(report.spec.layers)),
            notation=report.spec.notation,
            correct=d["correct"],
            wrong=d["wrong"],
            errors=d["error"],
            pages=pages,
        )
    )
