"""The symbolic network at symbolic widths: a proof for every width at once.

Widths are integer symbols n_l, components are ``Indexed`` objects (W[j, k],
δ[j], z[j]) and layer sums are ``Sum``. Differentiating a ``Sum`` with
respect to one component produces ``KroneckerDelta``s that ``doit`` sums
away, leaving a ``Piecewise`` on whether the index lies in its range; we
resolve those conditions with the index ranges, which is exactly the blog's
"all the other terms become 0".

SymPy's ``MatrixSymbol`` calculus is not used: it crashes or returns wrong
zeros on elementwise functions (sympy issues #21062, #17229). Tests check
this route against the elementwise one by instantiating the widths.

Elementwise activations are abstract functions f^l, so a proof here holds
for every elementwise activation; softmax is written out.
"""

from __future__ import annotations

from functools import partial

import sympy as sp
from sympy.core.relational import Relational

from symbackprop.notation import symbols
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.model import Notation
from symbackprop.spec.functions import A, Y
from symbackprop.spec.model import Spec


class IndexedNetwork:
    """A network whose widths are symbols; layers internal 0..L as elsewhere."""

    def __init__(self, spec: Spec, *, notation: str | None = None, general: tuple[int, str] | None = None):
        """``general = (number, letter)`` makes a slice of a general network: layer ``number`` is written with
        the letter (l), its neighbours l-1 and l+1, every activation an abstract elementwise f^l and the first
        layer's input a^{l-1} (not x). The proofs for a general layer are made on such a slice."""
        self.spec = spec
        self.notation: Notation = notation_named(notation or spec.notation)
        self.depth = len(spec.layers) - 1
        self.cost = spec.cost_function()
        self.general = general
        nt = self.notation
        self.widths = [symbols.width(nt, self.number(nt.layer(k))) for k in range(self.depth + 1)]
        self.ranges: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = {}

        def per_layer(quantity: str, number) -> list[sp.IndexedBase]:
            return [symbols.indexed(nt, quantity, self.number(number(k))) for k in range(self.depth + 1)]

        self.weights = per_layer("weight", nt.weight_layer)
        self.biases = per_layer("bias", nt.weight_layer)
        self.z = per_layer("weighted_input", nt.layer)
        self.deltas = per_layer("error", nt.layer)
        self.activations = per_layer("activation", nt.layer)  # a^l, as the texts write f^l(z^l)
        self.x = symbols.indexed(nt, "input")
        self.y = symbols.indexed(nt, "target")
        self._counter = 0

    def number(self, n: int) -> int | str:
        """How the network writes the notation's layer number ``n``: itself, or l-1, l, l+1 in a general slice."""
        return n if self.general is None else relative_label(n, *self.general)

    # -- indices --------------------------------------------------------------------------------
    def index(self, name: str, k: int | None = None) -> sp.Symbol:
        """A fresh integer index, ranging over layer k's neurons when k is given."""
        self._counter += 1
        symbol = sp.Symbol(f"{name}{self._counter}" if k is None else name, integer=True)
        if k is not None:
            symbol = sp.Symbol(f"{name}_{self._counter}", integer=True)
            self.ranges[symbol] = (sp.Integer(1), self.widths[k])
        return symbol

    # -- layers ---------------------------------------------------------------------------------
    def activation_function(self, k: int) -> sp.Function:
        """f^k, the abstract activation function of internal layer k."""
        return symbols.function(self.notation, self.number(self.notation.layer(k)))

    def a(self, k: int, i: sp.Expr) -> sp.Expr:
        """a^k_i: the input x_i for k = 0 (a^{l-1}_i in a general slice), else f^k(z^k_i) (softmax written out)."""
        if k == 0:
            return self.x[i] if self.general is None else self.activations[0][i]
        act = self.spec.layer_activation(k)
        if act.elementwise or self.general is not None:
            return self.activation_function(k)(self.z[k][i])
        t = sp.Symbol("t_sum", integer=True)
        return sp.exp(self.z[k][i]) / sp.Sum(sp.exp(self.z[k][t]), (t, 1, self.widths[k]))

    def fprime(self, k: int, i: sp.Expr) -> sp.Expr:
        """∂a^k_i/∂z^k_i."""
        return resolve(sp.diff(self.a(k, i), self.z[k][i]).doit(), self.ranges)

    def z_expression(self, k: int, r: sp.Expr) -> sp.Expr:
        """z^k_r through a^{k-1}, by the notation's forward map, as a Sum."""
        i = sp.Symbol("i_sum", integer=True)
        w = self.weights[k][self.notation.weight_index(r, i)]
        return sp.Sum(w * self.a(k - 1, i), (i, 1, self.widths[k - 1])) + self.biases[k][r]

    def example_cost(self) -> sp.Expr:
        """C_x = Σ_j c(a^L_j, y_j)."""
        t = sp.Symbol("j_sum", integer=True)
        L = self.depth
        term = self.cost.per_output.subs({A: self.a(L, t), Y: self.y[t]}, simultaneous=True)
        return sp.Sum(term, (t, 1, self.widths[L]))

    def cost_gradient(self, j: sp.Expr) -> sp.Expr:
        """∂C_x/∂a^L_j, differentiating the summed cost, evaluated at a^L."""
        a = symbols.indexed(self.notation, "output_activation")
        t = sp.Symbol("j_sum", integer=True)
        L = self.depth
        cost = sp.Sum(self.cost.per_output.subs({A: a[t], Y: self.y[t]}, simultaneous=True), (t, 1, self.widths[L]))
        grad = resolve(sp.diff(cost, a[j]).doit(), self.ranges)
        # every a[...] back to a^L, a[j] and the a[j_sum] a sum keeps where a Piecewise hides its Kronecker delta
        return grad.replace(lambda e: isinstance(e, sp.Indexed) and e.base == a, lambda e: self.a(L, *e.indices))

    def view(self) -> IndexedView:
        return IndexedView(self)


def relative_label(n: int, center: int, letter: str) -> str:
    """Layer ``n`` named from layer ``center``, which is called ``letter``: l, l+1, l-1 (or L, L-1)."""
    d = n - center
    return letter if d == 0 else f"{letter}{'+' if d > 0 else '-'}{abs(d)}"


class IndexedView:
    """The indexed network addressed by the notation's own layer numbers (for closed forms)."""

    def __init__(self, net: IndexedNetwork):
        self.net = net
        self.notation = net.notation
        self.L = net.notation.layer(net.depth)

    def _k(self, l: int) -> int:
        return self.notation.internal_layer(l)

    def index(self, name: str) -> sp.Symbol:
        self.net._counter += 1
        return sp.Symbol(f"{name}{self.net._counter}", integer=True)

    def width(self, l: int) -> sp.Symbol:
        return self.net.widths[self._k(l)]

    def W(self, l: int) -> sp.IndexedBase:
        return self.net.weights[self.notation.internal_weight_layer(l)]

    def delta(self, l: int) -> sp.IndexedBase:
        return self.net.deltas[self._k(l)]

    def a(self, l: int) -> _Indexer:
        k = self._k(l)
        return _Indexer(lambda i: self.net.a(k, i))

    def fprime(self, l: int):
        k = self._k(l)
        return lambda i: self.net.fprime(k, i)

    def jacobian(self, l: int):
        """(i, j) -> ∂a^l_i/∂z^l_j."""
        k = self._k(l)
        return lambda i, j: resolve(sp.diff(self.net.a(k, i), self.net.z[k][j]).doit(), self.net.ranges)

    def grad_a(self, j: sp.Expr) -> sp.Expr:
        return self.net.cost_gradient(j)


class _Indexer:
    """Makes ``view.a(l)[i]`` read like the text."""

    def __init__(self, get):
        self._get = get

    def __getitem__(self, i):
        return self._get(i)


def resolve(expr: sp.Basic, ranges: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]) -> sp.Basic:
    """Decide the ``Piecewise`` conditions that only say an index lies in its range.

    ``ranges`` gives the free indices' ranges; a ``Sum``'s bound variable
    ranges over its limits inside the sum.
    """
    if isinstance(expr, sp.Sum) and len(expr.limits) == 1:
        ((var, lo, hi),) = expr.limits
        inner = {**ranges, var: (lo, hi)}
        return sp.Sum(resolve(expr.function, inner), (var, lo, hi))
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr
    expr = expr.func(*[resolve(arg, ranges) for arg in expr.args])
    if isinstance(expr, sp.Piecewise):
        return _decide_piecewise(expr, ranges)
    return expr


def _decide_piecewise(pw: sp.Piecewise, ranges) -> sp.Expr:
    def decide(rel: Relational):
        free = [s for s in rel.free_symbols if s in ranges]
        if len(free) != 1:
            return rel
        s = free[0]
        lo, hi = ranges[s]
        at_lo, at_hi = rel.subs(s, lo), rel.subs(s, hi)
        if at_lo is sp.true and at_hi is sp.true:
            return sp.true
        if at_lo is sp.false and at_hi is sp.false:
            return sp.false
        return rel

    for value, cond in pw.args:
        cond = cond.xreplace({r: decide(r) for r in cond.atoms(Relational)})
        if cond is sp.true:
            return value
        if cond is not sp.false:
            return pw
    return sp.Integer(0)


def normalize(expr: sp.Basic, ranges: dict) -> sp.Basic:
    """Split sums over their expanded terms, sum the Kronecker deltas away, resolve ranges."""

    def split(s: sp.Sum) -> sp.Expr:
        ((var, lo, hi),) = s.limits
        return sp.Add(*[sp.Sum(t, (var, lo, hi)).doit() for t in sp.Add.make_args(sp.expand(s.function))])

    expr = resolve(expr, ranges)
    expr = expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, split)
    expr = expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, partial(_delta_in_branches, ranges))
    return resolve(expr, ranges)


def _delta_in_branches(ranges: dict, s: sp.Sum) -> sp.Expr:
    """Σ_t Piecewise((δ_{x t} g_1(t), c_1(t)), …) = Piecewise((g_1(x), c_1(x)), …) for an index x with the sum's
    range: the Kronecker delta a piecewise cost's derivative leaves inside each branch, summed away (SymPy's
    ``doit`` does not look inside a Piecewise). Any other sum is returned as it is."""
    ((var, lo, hi),) = s.limits
    body = sp.piecewise_fold(s.function)
    if not isinstance(body, sp.Piecewise):
        return s
    targets, branches = set(), []
    for value, condition in body.args:
        if value == 0:
            branches.append((value, condition))
            continue
        deltas = [f for f in sp.Mul.make_args(value) if isinstance(f, sp.KroneckerDelta) and var in f.free_symbols]
        if len(deltas) != 1:
            return s
        (delta,) = deltas
        other = delta.args[0] if delta.args[1] == var else delta.args[1]
        if var in other.free_symbols:
            return s
        targets.add(other)
        branches.append((value / delta, condition))
    if len(targets) != 1:
        return s
    (x,) = targets
    if ranges.get(x) != (lo, hi):
        return s
    return sp.Piecewise(*[(value.subs(var, x), condition.subs(var, x)) for value, condition in branches])


def is_zero(expr: sp.Expr) -> bool:
    """Whether an expression with sums is identically zero, by expanding it under common sums.

    Bound variables are renamed by nesting depth, terms under sums with the
    same limits are gathered into one sum, and its body is expanded.
    """
    expr = sp.expand(_canonical_sums(sp.expand(expr)))
    if expr == 0:
        return True
    groups: dict[tuple, list[sp.Expr]] = {}
    rest: list[sp.Expr] = []
    for term in sp.Add.make_args(expr):
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
        if len(sums) == 1:
            s = sums[0]
            coefficient = term / s
            groups.setdefault(s.limits, []).append(coefficient * s.function)
        else:
            rest.append(term)
    if sp.expand(sp.Add(*rest)) != 0:
        return False
    return all(is_zero(sp.Add(*bodies)) for bodies in groups.values())


def _canonical_sums(expr: sp.Basic, depth: int = 0) -> sp.Basic:
    """Rename every Sum's bound variables to ``s<nesting depth>`` so equal sums look equal.

    A Sum with several limits (SymPy flattens nested sums) counts one level per limit,
    outermost first.
    """
    if isinstance(expr, sp.Sum):
        limits = list(expr.limits)  # innermost first
        mapping = {var: sp.Symbol(f"s{depth + n}", integer=True) for n, (var, _, _) in enumerate(reversed(limits))}
        body = _canonical_sums(expr.function.xreplace(mapping), depth + len(limits))
        new_limits = [(mapping[var], lo.xreplace(mapping), hi.xreplace(mapping)) for var, lo, hi in limits]
        return sp.Sum(body, *new_limits)
    if not expr.args:
        return expr
    return expr.func(*[_canonical_sums(arg, depth) for arg in expr.args])
