"""The printed pieces of a generated module: every elementwise computation, printed from SymPy.

Each piece (a layer's activation, its derivative written through the stored
activation a, the output-layer δ, the cost) is printed by
:class:`~symbackprop.printing.numpy.InPlacePrinter` into ufunc calls that
write into preallocated buffers. The printer collects, as it prints, the
numbers the code needs (module constants) and the buffers it touches, so the
template is told which local names to bind: nothing here edits printed text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from symbackprop.derivation.identities import activation_derivative, jacobian_through_a, output_delta
from symbackprop.errors import SymbackpropError
from symbackprop.printing.numpy import Emission, EmissionError, InPlacePrinter, NetworkNumPyPrinter, stabilize
from symbackprop.printing.text import text
from symbackprop.spec.functions import A, Y, Z
from symbackprop.spec.model import Spec

#: The names the printed code gives z, a and y (bound to the layer's buffers by the template).
NAMES = {Z: "z", A: "a", Y: "y"}
#: log a^L for a softmax output, which the module computes as z - logsumexp(z) row by row.
LOG_A = sp.Symbol("log_a", real=True)
#: log(1 − a^L) for a softmax output: log1p(−a) where a ≤ 1/2, else from z (the log-sum-exp of the other z_k).
LOG_1MA = sp.Symbol("log_1ma", real=True)


class GenerationError(SymbackpropError):
    """The spec cannot be turned into a module (names the stage and the reason)."""


@dataclass
class Piece:
    """Printed statements and what they need: scratch buffers, masks, the buffers they use, and a text."""

    lines: list[str] = field(default_factory=list)
    scratch: int = 0
    masks: int = 0
    used: frozenset[str] = frozenset()
    text: str = ""

    @classmethod
    def of(cls, emission: Emission, text: str = "") -> Piece:
        return cls(emission.lines, emission.scratch_used, emission.masks_used, emission.used, text)


def _emit(expr: sp.Expr, out: str, where: str, constants: dict[str, str]) -> Emission:
    try:
        return InPlacePrinter(dict(NAMES), constants=constants).emit(expr, out)
    except EmissionError as error:
        raise GenerationError(f"generate: {where}: {error}") from error


def is_softmax(activation) -> bool:
    """Whether a vector activation is exp(z_j) / sum_k exp(z_k), checked on its SymPy definition."""
    zs = sp.symbols("z1:4", real=True)
    total = sum(sp.exp(z) for z in zs)
    try:
        return all(sp.simplify(a - sp.exp(z) / total) == 0 for a, z in zip(activation.apply(zs), zs))
    except (TypeError, ValueError):
        return False


def activation(spec: Spec, k: int, label: str, constants: dict[str, str]) -> Piece:
    """a = f^k(z) into the buffer ``a``: elementwise, or the max-shifted softmax row by row."""
    act = spec.layer_activation(k)
    if act.elementwise:
        return Piece.of(_emit(act.formula, "a", f"layer {label} activation {act.name}", constants))
    if is_softmax(act):
        return Piece.of(InPlacePrinter({}).emit_row_softmax("z", "a", f"b.rows[{k}]"))
    raise GenerationError(f"generate: layer {label}: {act.name} is neither elementwise nor a softmax")


def derivative(spec: Spec, k: int, label: str, constants: dict[str, str]) -> Piece:
    """f'(z) of layer k into the buffer ``fprime``: through the stored a where the identities found a form."""
    act = spec.layer_activation(k)
    if not act.elementwise:
        raise GenerationError(f"generate: layer {k}: activation {act.name!r} is not elementwise")
    identity = activation_derivative(act)
    if identity.method == "exact":
        expr, description = identity.rhs, f"{act.name}'(z) = {text(identity.rhs)}, through the stored a"
    else:
        expr = sp.diff(act.formula, Z)
        description = f"{act.name}'(z) = {text(expr)}"
    emitted = _emit(expr, "fprime", f"layer {label} derivative of {act.name}", constants)
    return Piece.of(emitted, description)


def delta(spec: Spec, constants: dict[str, str]) -> Piece:
    """δ^L into the buffer ``delta``.

    Through a and y when the identities found a componentwise form (a − y for softmax with
    log-likelihood); for another vector activation, J^T ∇_a C through the Jacobian's diagonal-plus-rank-one
    form; else the derivative of C_x in z.
    """
    L = spec.depth
    act, cost = spec.layer_activation(L), spec.cost_function()
    identity = output_delta(act, cost, spec.layers[-1])
    if identity.method == "exact" and identity.rhs is not None:
        return Piece.of(_emit(identity.rhs, "delta", "output delta", constants), identity.statement())
    if act.elementwise:
        expr = sp.diff(cost.per_output.subs(A, act.formula), Z)
        return Piece.of(_emit(expr, "delta", "output delta", constants), f"delta^L_j = {text(expr)}")
    if is_softmax(act) and takes_binary_log_loss(cost):
        printer = InPlacePrinter({}, constants=constants)
        emitted = printer.emit_softmax_binary_delta("z", "a", "y", "delta", f"b.rows[{L}]")
        description = (
            "delta^L_j = sum_k J_kj dC/da_k = (a_j - y_j) - a_j sum_{k != j} (a_k - y_k)/(1 - a_k); for the one "
            "a_k > 1/2 of a row (if any), a_j/(1 - a_k) is the softmax of z without z_k, so nothing divides by a "
            "1 - a_k that rounds to 0"
        )
        return Piece.of(emitted, description)
    form = jacobian_through_a(act)
    if form is None:
        raise GenerationError(
            f"generate: output: {act.name} with the {cost.name} cost: no componentwise delta^L and no "
            "diagonal-plus-rank-one Jacobian was found"
        )
    g, s = sp.Symbol("g", real=True), sp.Symbol("s", real=True)
    names = {A: "a", Y: "y", g: "scratch[0]", s: "scratch[1]"}
    gradient = sp.diff(cost.per_output, A)
    try:
        first = InPlacePrinter({A: "a", Y: "y"}, reserved=2, constants=constants).emit(gradient, "scratch[0]")
        second = InPlacePrinter(names, reserved=2, constants=constants).emit(form.left * g, "scratch[1]")
        last = InPlacePrinter(names, reserved=2, constants=constants).emit(form.diagonal * g + form.right * s, "delta")
    except EmissionError as error:
        raise GenerationError(f"generate: output delta: {error}") from error
    lines = [
        *first.lines,
        *second.lines,
        f"np.add.reduce(scratch[1], axis=1, keepdims=True, out=b.rows[{L}])",
        f"np.copyto(scratch[1], b.rows[{L}])",
        *last.lines,
    ]
    a_j, a_k, g_j, g_k = sp.symbols("a_j a_k g_j g_k")
    own = text((form.diagonal * g).subs({A: a_j, g: g_j}))
    spread = text(form.right.subs(A, a_j))
    summed = text((form.left * g).subs({A: a_k, g: g_k}))
    description = (
        f"delta^L_j = sum_k J_kj g_k with g = dC/da = {text(gradient)} and {form.statement()}, "
        f"so delta^L_j = {own} + {spread} * sum_k({summed})"
    )
    pieces = (first, second, last)
    return Piece(
        lines,
        max(p.scratch_used for p in pieces),
        max(p.masks_used for p in pieces),
        frozenset().union(*(p.used for p in pieces)) | {"scratch"},
        description,
    )


def takes_binary_log_loss(cost_definition) -> bool:
    """Whether a ∂C/∂a = (a − y)/(1 − a) for the per-output cost, as for binary cross-entropy: the form
    :meth:`~symbackprop.printing.numpy.InPlacePrinter.emit_softmax_binary_delta` computes stably."""
    gradient = sp.diff(cost_definition.per_output, A)
    return sp.simplify(A * gradient - (A - Y) / (1 - A)) == 0


def cost(spec: Spec) -> tuple[str, frozenset[str]]:
    """The per-output cost as one NumPy expression over the arrays a, y, z (through z where that keeps it
    stable), and the names it uses."""
    act, cost_definition = spec.layer_activation(spec.depth), spec.cost_function()
    expr = cost_definition.per_output
    if act.elementwise and expr.has(sp.log):
        expr = expr.subs(A, act.formula)  # log of a sigmoid becomes a softplus of z: no log(0)
    elif not act.elementwise and expr.has(sp.log):
        expr = expr.subs(sp.log(1 - A), LOG_1MA)  # log(1 - softmax), from z where a is near 1
        expr = expr.subs(sp.log(A), LOG_A)  # log softmax, computed from z with the row's max shifted out
        if expr.has(sp.log):
            raise GenerationError(
                f"generate: cost: {cost_definition.name} takes a log that is not log a of the {act.name}"
            )
    expr = stabilize(expr)
    logs = {name for symbol, name in ((LOG_A, "log_a"), (LOG_1MA, "log_1ma")) if expr.has(symbol)}
    used = frozenset(NAMES[s] for s in expr.free_symbols if s in NAMES) | logs
    return _lines(expr), used


#: How long a printed cost may be on the line of the generated module that sums it.
COST_WIDTH = 80


def _lines(expr: sp.Expr) -> str:
    """The NumPy expression of the cost: on one line when short, else one term of the sum per line (the generated
    module stays within ruff's line length, and a long custom cost reads term by term)."""
    printer = NetworkNumPyPrinter()
    whole = printer.doprint(expr)
    if len(whole) <= COST_WIDTH or not isinstance(expr, sp.Add):
        return whole
    terms = [printer.doprint(term) for term in sp.Add.make_args(expr)]
    indent = "\n" + " " * 16
    return "(" + indent + (indent + "+ ").join(f"({t})" for t in terms) + "\n" + " " * 12 + ")"
