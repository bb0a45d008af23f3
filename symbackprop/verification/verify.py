"""Verification: derived gradients against the closed forms, equation by equation.

Three methods, each a separate check in the report:

* ``exact`` — concrete widths, every elementwise layer an abstract f^l: the
  derived and closed-form matrices are subtracted and expanded to zero, a
  proof for every elementwise activation at these widths. The batch cost
  (m examples, L2 term) is used, so averaging and weight decay are checked.
* ``all_widths`` — symbolic widths (:mod:`symbackprop.network.indexed`): a proof for
  every width, per example, in component form.
* ``numeric`` — the concrete network (the spec's real activations and cost)
  at random parameters, closed forms against central finite differences.

A closed form that fails comes with a counterexample: the entry, the values
of the symbols it involves and both sides. BP1 in Hadamard form is reported
as failing for softmax (not applicable), and the Jacobian form replaces it.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from symbackprop.closed_forms.recipes import CLOSED_FORMS, ClosedForms
from symbackprop.derivation import layered as derivation
from symbackprop.derivation.identities import Identity, activation_derivative, cost_gradient, output_delta
from symbackprop.errors import SymbackpropError
from symbackprop.network import indexed, numeric
from symbackprop.network.concrete import ShapeError, SymbolicNetwork
from symbackprop.notation.catalogue import NOTATIONS
from symbackprop.spec.functions import Z
from symbackprop.spec.load import Spec
from symbackprop.timing import OutOfTime, check_deadline, time_limit

EQUATIONS = ("BP1", "BP2", "BP3", "BP4", "input_gradient")
METHODS = ("exact", "all_widths", "numeric")
#: Above this many parameters × examples the exact elementwise method is skipped (it is the slowest).
EXACT_LIMIT = 5000
#: How many examples the batch cost has in the exact and numeric methods (m ≥ 2 tests the 1/m).
EXAMPLES = 2
#: Above this many estimated multiply-adds (:func:`numeric_cost`) the numeric method is skipped unless asked for
#: (several seconds on one core).
NUMERIC_LIMIT = 2e10
#: Above this many parameters the numeric method is refused even when asked for (it holds the concrete network
#: and copies of its largest matrix in memory: 8 bytes per entry).
NUMERIC_MAX_PARAMETERS = 50_000_000


class VerificationError(SymbackpropError):
    """A verification that cannot be run as asked (e.g. a method on a network too large for it)."""


@dataclass(frozen=True)
class Check:
    """One closed form checked at one layer by one method."""

    equation: str
    layer: int
    form: str  # hadamard | jacobian | component | matrix
    method: str  # exact | all_widths | numeric
    holds: bool
    counterexample: dict | None = None
    seconds: float = 0.0
    applicable: bool = True
    detail: str = ""
    example: int | None = None  # 1-based: which example of the batch a per-example check (δ, ∇_x C) is about

    def to_dict(self) -> dict:
        return {
            "equation": self.equation,
            "layer": self.layer,
            "example": self.example,
            "form": self.form,
            "method": self.method,
            "holds": self.holds,
            "applicable": self.applicable,
            "counterexample": self.counterexample,
            "seconds": round(self.seconds, 4),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Report:
    """The result of :func:`verify`."""

    spec: Spec
    notation: str
    checks: tuple[Check, ...]
    identities: tuple[Identity, ...] = ()
    plan: tuple[str, ...] = ()
    seconds: float = 0.0
    unfinished: tuple[Check, ...] = ()  # checks a time budget stopped or never started

    @property
    def complete(self) -> bool:
        """Every planned check finished (no time budget ran out)."""
        return not self.unfinished

    @property
    def ok(self) -> bool:
        """Every planned check finished and every applicable closed form holds."""
        return self.complete and all(c.holds for c in self.checks if c.applicable)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.applicable and not c.holds]

    @property
    def verdict(self) -> str:
        """One line: every form holds, how many fail, or how many checks a time budget left unfinished."""
        verdict = "every applicable closed form holds" if self.ok else f"{len(self.failures)} check(s) FAIL"
        if not self.complete:
            finished = "every finished check holds" if not self.failures else verdict
            verdict = f"INCOMPLETE: {len(self.unfinished)} check(s) did not finish within the time budget; {finished}"
        return verdict

    def to_dict(self) -> dict:
        return {
            "spec": self.spec.name,
            "notation": self.notation,
            "ok": self.ok,
            "plan": list(self.plan),
            "checks": [c.to_dict() for c in self.checks],
            "complete": self.complete,
            "unfinished": [c.to_dict() for c in self.unfinished],
            "identities": [i.to_dict() for i in self.identities],
            "seconds": round(self.seconds, 4),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    def _repr_latex_(self) -> str:
        """The report as a LaTeX table, so Jupyter renders it."""
        from symbackprop.printing.latex import report_latex

        return report_latex(self)


@dataclass
class _Context:
    spec: Spec
    forms: ClosedForms
    notation: str
    examples: int
    seed: int
    checks: list[Check] = field(default_factory=list)
    deadline: float | None = None  # time.monotonic() at which a time budget runs out

    def add(self, check: Check) -> None:
        """Record a finished check; one that finished after the deadline is not trusted (an interrupt
        swallowed inside SymPy may have cut its work short) and counts as unfinished."""
        check_deadline(self.deadline)
        self.checks.append(check)


def verify(
    spec: Spec,
    *,
    notation: str | None = None,
    methods: Sequence[str] | None = None,
    forms: ClosedForms | None = None,
    examples: int = EXAMPLES,
    exact_limit: int = EXACT_LIMIT,
    seed: int = 0,
    max_seconds: float | None = None,
) -> Report:
    """Derive every gradient of ``spec`` and check it against the closed forms.

    ``notation`` defaults to the spec's; ``forms`` to that notation's closed
    forms (pass altered ones to see the verifier catch a wrong formula);
    ``methods`` to all three, the exact one only below ``exact_limit``
    parameters × examples and the numeric one only below :data:`NUMERIC_LIMIT`
    (the report's ``plan`` says which methods run and why).

    ``max_seconds`` is a time budget for the whole verification: when it runs
    out, the running method stops cleanly and the report is partial: its
    ``unfinished`` checks say which did not finish (``complete`` and ``ok``
    are then False), and its ``plan`` says where the budget ran out.
    """
    start = time.perf_counter()
    notation = notation or spec.notation
    if notation not in NOTATIONS:
        raise ValueError(f"unknown notation {notation!r}; valid: {', '.join(NOTATIONS)}")
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be a positive number of seconds, not {max_seconds!r}")
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    ctx = _Context(spec, forms or CLOSED_FORMS[notation], notation, examples, seed, deadline=deadline)
    chosen, plan = _plan(spec, methods, examples, exact_limit)
    unfinished: list[Check] = []
    runners = {"exact": _exact, "all_widths": _all_widths, "numeric": _numeric}
    for method in chosen:
        done, began = len(ctx.checks), _remaining(deadline) != 0
        try:
            with time_limit(_remaining(deadline)):
                check_deadline(deadline)
                runners[method](ctx)
        except OutOfTime:
            if deadline is None:  # not ours: a limit inside the method that its own code did not catch
                raise
            expected = planned_checks(spec, notation, method, examples)
            missing = _missing(expected, ctx.checks[done:])
            why = f"did not finish: the {max_seconds:g} s time budget ran out"
            unfinished.extend(Check(eq, lw, form, method, False, None, 0.0, True, why) for eq, lw, form in missing)
            stopped = "stopped by" if began else "not started, no time left in"
            plan.append(
                f"{method}: {stopped} the {max_seconds:g} s time budget; "
                f"{len(expected) - len(missing)} of its {len(expected)} checks finished"
            )
    try:
        with time_limit(_remaining(deadline)):
            check_deadline(deadline)
            ids = identities(spec)
    except OutOfTime:
        if deadline is None:
            raise
        ids = ()
        plan.append(f"identities: not derived, the {max_seconds:g} s time budget ran out")
    return Report(
        spec, notation, tuple(ctx.checks), ids, tuple(plan), time.perf_counter() - start, tuple(unfinished)
    )


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)


def planned_checks(spec: Spec, notation: str, method: str, examples: int = EXAMPLES) -> list[tuple[str, int, str]]:
    """The (equation, layer, form) of every check ``method`` makes, in order, without running it.

    The partial report of a time budget lists the ones that did not finish.
    """
    nt, L = NOTATIONS[notation], len(spec.layers) - 1
    elementwise = spec.layer_activation(L).elementwise
    weight_layers = [nt.weight_layer(k) for k in range(L, 0, -1)]
    if method == "all_widths":
        return [
            ("BP1", nt.layer(L), "component" if elementwise else "jacobian"),
            *[("BP2", nt.layer(k), "component") for k in range(L - 1, 0, -1)],
            *[(eq, lw, "component") for lw in weight_layers for eq in ("BP3", "BP4")],
            ("input_gradient", nt.layer(0), "component"),
        ]
    if method not in ("exact", "numeric"):
        raise ValueError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    per_example = [
        ("BP1", nt.layer(L), "hadamard"),
        *([] if elementwise else [("BP1", nt.layer(L), "jacobian")]),
        *[("BP2", nt.layer(k), "hadamard") for k in range(L - 1, 0, -1)],
    ]
    return [
        *(per_example * examples),
        *[(eq, lw, "matrix") for lw in weight_layers for eq in ("BP3", "BP4")],
        *[("input_gradient", nt.layer(0), "matrix")] * examples,
    ]


def _missing(expected: list[tuple[str, int, str]], finished: Sequence[Check]) -> list[tuple[str, int, str]]:
    """The planned checks not among the finished ones (matched by equation, layer and form)."""
    left = list(expected)
    for check in finished:
        key = (check.equation, check.layer, check.form)
        if key in left:
            left.remove(key)
    return left


def numeric_cost(spec: Spec, examples: int = EXAMPLES) -> float:
    """Estimated multiply-adds of the numeric method: cost evaluations x their size.

    Each central difference evaluates the batch cost twice (about 2 x parameters x examples
    multiply-adds); there is one per entry of every delta (per example), bias, input (per
    example) and of at most ``numeric.MAX_ENTRIES`` entries of each weight matrix.
    """
    widths = spec.layers
    evaluations = (
        (examples + 1) * sum(widths[1:])
        + sum(min(numeric.MAX_ENTRIES, m * n) for m, n in zip(widths, widths[1:]))
        + examples * widths[0]
    )
    return 2.0 * evaluations * 2 * spec.parameter_count * examples


def _plan(spec: Spec, methods, examples: int, exact_limit: int) -> tuple[list[str], list[str]]:
    unknown = [m for m in (methods or ()) if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method {unknown[0]!r}; valid: {', '.join(METHODS)}")
    size = spec.parameter_count * examples
    plan = []
    numeric_size = f"{spec.parameter_count} parameters"
    if methods is not None and "numeric" in methods and spec.parameter_count > NUMERIC_MAX_PARAMETERS:
        raise VerificationError(
            f"verify: numeric: {numeric_size} is above the numeric method's limit of "
            f"{NUMERIC_MAX_PARAMETERS:_} (it holds the whole network in memory); use --methods all_widths"
        )
    if methods is None:
        methods = list(METHODS)
        if size > exact_limit:
            methods.remove("exact")
            plan.append(
                f"exact: skipped, {spec.parameter_count} parameters x {examples} examples = {size} "
                f"exceeds the exact limit {exact_limit} (the all-widths proof covers every width)"
            )
        if spec.parameter_count > NUMERIC_MAX_PARAMETERS:
            methods.remove("numeric")
            plan.append(
                f"numeric: skipped, {numeric_size} exceed its limit of {NUMERIC_MAX_PARAMETERS:_} "
                "(it holds the whole network in memory; the all-widths proof covers every width)"
            )
        elif numeric_cost(spec, examples) > NUMERIC_LIMIT:
            methods.remove("numeric")
            plan.append(
                f"numeric: skipped, its finite differences on {numeric_size} x {examples} examples would take "
                f"about {numeric_cost(spec, examples):.1e} multiply-adds, above the numeric limit "
                f"{NUMERIC_LIMIT:.0e} (ask for it with --methods numeric, bounded by --max-seconds; "
                "the all-widths proof covers every width)"
            )
    for m in methods:
        why = {
            "exact": f"abstract f per layer, {examples} examples, at widths {list(spec.layers)}",
            "all_widths": "symbolic widths, abstract f, per example, component form",
            "numeric": f"the concrete network, central differences, {examples} examples",
        }[m]
        plan.append(f"{m}: {why}")
    return [m for m in METHODS if m in methods], plan


def identities(spec: Spec) -> tuple[Identity, ...]:
    """The local identities of the spec's activations and cost."""
    seen, result = set(), []
    for k in range(1, len(spec.layers)):
        act = spec.layer_activation(k)
        if act.elementwise and act.name not in seen:
            seen.add(act.name)
            result.append(activation_derivative(act))
    cost = spec.cost_function()
    result.append(cost_gradient(cost))
    result.append(output_delta(spec.layer_activation(len(spec.layers) - 1), cost, spec.layers[-1]))
    return tuple(result)


# -- the exact method --------------------------------------------------------------------------------


def _exact(ctx: _Context) -> None:
    net = SymbolicNetwork(ctx.spec, notation=ctx.notation, examples=ctx.examples, abstract=True)
    forms, nt, L = ctx.forms, net.notation, net.depth
    views = [net.view(e) for e in net.example_indices]
    rng = random.Random(ctx.seed)

    def run(equation, layer, form, derive: Callable, closed: Callable, applicable=True, example=None):
        check_deadline(ctx.deadline)
        start = time.perf_counter()
        holds, counterexample, detail, method = _compare_symbolic(net, derive(), closed, rng)
        number = None if example is None else example + 1
        if counterexample is not None and number is not None:
            counterexample["example"] = number
        seconds = time.perf_counter() - start
        ctx.add(Check(equation, layer, form, method, holds, counterexample, seconds, applicable, detail, number))

    output = net.activation(L)
    for e, view in enumerate(views):
        ex = e if len(views) > 1 else None
        derive_output = lambda e=e: derivation.output_delta(net, e)  # noqa: E731
        run(
            "BP1",
            nt.layer(L),
            "hadamard",
            derive_output,
            lambda v=view: forms.bp1(v),
            applicable=output.elementwise,
            example=ex,
        )
        if not output.elementwise:
            run("BP1", nt.layer(L), "jacobian", derive_output, lambda v=view: forms.bp1_jacobian(v), example=ex)
        for k in range(L - 1, 0, -1):
            run(
                "BP2",
                nt.layer(k),
                "hadamard",
                lambda k=k, e=e: derivation.hidden_delta(net, k, e),
                lambda k=k, v=view: forms.bp2(v, nt.layer(k)),
                example=ex,
            )
    decay = forms.decay(ctx.spec)
    for k in range(L, 0, -1):
        lw = nt.weight_layer(k)
        run(
            "BP3",
            lw,
            "matrix",
            lambda k=k: derivation.bias_gradient(net, k),
            lambda lw=lw, k=k: forms.batch_bias_gradient([forms.bp3(v, lw) for v in views], net.biases[k - 1], decay),
        )
        run(
            "BP4",
            lw,
            "matrix",
            lambda k=k: derivation.weight_gradient(net, k),
            lambda lw=lw, k=k: forms.batch_weight_gradient(
                [forms.bp4(v, lw) for v in views], net.weights[k - 1], decay
            ),
        )
    for e in net.example_indices:
        run(
            "input_gradient",
            nt.layer(0),
            "matrix",
            lambda e=e: derivation.input_gradient(net, e),
            lambda e=e: forms.batch_input_gradient([forms.input_gradient(v) for v in views], e),
            example=e if len(views) > 1 else None,
        )


def _compare_symbolic(net: SymbolicNetwork, derived: sp.Matrix, closed_form: Callable, rng: random.Random):
    """(holds, counterexample, detail, method) for a derived matrix against a closed-form recipe."""
    try:
        closed = closed_form()
    except (ShapeError, sp.ShapeError, IndexError) as error:
        return False, {"reason": f"the closed form cannot be formed: {error}"}, "shape error", "exact"
    if closed.shape != derived.shape:
        reason = f"shape mismatch: derived {derived.shape}, closed form {closed.shape}"
        return False, {"reason": reason}, reason, "exact"
    unproved = []
    for index in np.ndindex(*derived.shape):
        difference = sp.expand(derived[index] - closed[index])
        if difference == 0:
            continue
        counterexample = _counterexample(net, derived[index], closed[index], rng)
        if counterexample is not None:
            counterexample["entry"] = [i + 1 for i in index]
            return False, counterexample, f"entry {tuple(i + 1 for i in index)} differs", "exact"
        if sp.simplify(difference) != 0:
            unproved.append(index)
    if unproved:
        return True, None, f"{len(unproved)} entries vanish at random points but did not simplify to 0", "numeric"
    return True, None, "difference expands to 0", "exact"


def _concrete(net: SymbolicNetwork, expr: sp.Expr, generic: bool) -> sp.Expr:
    """Replace each abstract f^l by the layer's activation (or a generic test function) and differentiate."""
    for k in range(1, net.depth + 1):
        if not net.is_abstract(k):
            continue
        f = net.abstract_function(k)
        body = sp.sin(Z) + Z**2 * sp.Rational(k + 1, 7) if generic else net.activation(k).formula
        expr = expr.subs(f, sp.Lambda(Z, body))
    return expr.doit()


def _counterexample(net: SymbolicNetwork, lhs: sp.Expr, rhs: sp.Expr, rng: random.Random) -> dict | None:
    """Values at which lhs and rhs differ, trying the real activations first, then generic ones."""
    for generic in (False, True):
        left, right = _concrete(net, lhs, generic), _concrete(net, rhs, generic)
        symbols = sorted((left - right).free_symbols | left.free_symbols | right.free_symbols, key=str)
        for _ in range(4):
            values = {s: _sample(s, rng) for s in symbols}
            lv = complex(sp.N(left.subs(values), 30))
            rv = complex(sp.N(right.subs(values), 30))
            if abs(lv - rv) > 1e-9 * max(1.0, abs(lv), abs(rv)):
                result = {
                    "values": {str(s): float(v) for s, v in values.items()},
                    "derived": _number(lv),
                    "closed_form": _number(rv),
                    "difference": _number(lv - rv),
                }
                if generic:
                    result["activations"] = {
                        str(net.abstract_function(k)): str(sp.sin(Z) + Z**2 * sp.Rational(k + 1, 7))
                        for k in range(1, net.depth + 1)
                        if net.is_abstract(k)
                    }
                    result["note"] = "holds for this network's activations but not for every elementwise f"
                return result
    return None


def _sample(symbol: sp.Basic, rng: random.Random) -> sp.Rational:
    name = str(symbol)
    if name.startswith("y"):
        return sp.Rational(rng.randint(1, 9), 10)
    value = 0
    while value == 0:
        value = rng.randint(-20, 20)
    return sp.Rational(value, 10)


def _number(value: complex) -> float:
    return float(value.real) if abs(value.imag) < 1e-12 else float("nan")


# -- the all-widths method ---------------------------------------------------------------------------


def _all_widths(ctx: _Context) -> None:
    spec, forms = ctx.spec, ctx.forms
    net = indexed.IndexedNetwork(spec, notation=ctx.notation)
    view, nt, L = net.view(), net.notation, net.depth
    rng = random.Random(ctx.seed)

    def run(equation, layer, form, derive: Callable, closed: Callable, applicable=True):
        check_deadline(ctx.deadline)
        start = time.perf_counter()
        holds, counterexample, detail, method = _compare_indexed(net, derive, closed, rng)
        ctx.add(
            Check(equation, layer, form, method, holds, counterexample, time.perf_counter() - start, applicable, detail)
        )

    j = net.index("j", L)
    if spec.layer_activation(L).elementwise:
        run("BP1", nt.layer(L), "component", lambda: indexed.output_delta(net, j), lambda: forms.bp1_component(view, j))
    else:
        run(
            "BP1",
            nt.layer(L),
            "jacobian",
            lambda: indexed.output_delta(net, j),
            lambda: forms.bp1_jacobian_component(view, j),
        )
    for k in range(L - 1, 0, -1):
        j = net.index("j", k)
        run(
            "BP2",
            nt.layer(k),
            "component",
            lambda k=k, j=j: indexed.hidden_delta(net, k, j),
            lambda k=k, j=j: forms.bp2_component(view, nt.layer(k), j),
        )
    for k in range(L, 0, -1):
        lw = nt.weight_layer(k)
        j = net.index("j", k)
        run(
            "BP3",
            lw,
            "component",
            lambda k=k, j=j: indexed.bias_gradient(net, k, j),
            lambda lw=lw, j=j: forms.bp3_component(view, lw, j),
        )
        rows, cols = (k - 1, k) if nt.transposed else (k, k - 1)
        p, q = net.index("p", rows), net.index("q", cols)
        run(
            "BP4",
            lw,
            "component",
            lambda k=k, p=p, q=q: indexed.weight_gradient(net, k, p, q),
            lambda lw=lw, p=p, q=q: forms.bp4_component(view, lw, p, q),
        )
    q = net.index("q", 0)
    run(
        "input_gradient",
        nt.layer(0),
        "component",
        lambda: indexed.input_gradient(net, q),
        lambda: forms.input_gradient_component(view, q),
    )


def _compare_indexed(net: indexed.IndexedNetwork, derive: Callable, closed_form: Callable, rng: random.Random):
    try:
        derived = indexed.normalize(derive(), net.ranges)
        closed = indexed.normalize(closed_form().doit(), net.ranges)
    except (ShapeError, IndexError, TypeError) as error:
        return False, {"reason": f"the closed form cannot be formed: {error}"}, "error", "all_widths"
    difference = derived - closed
    if indexed.is_zero(difference):
        return True, None, "difference vanishes for every width", "all_widths"
    if sp.simplify(difference) == 0:
        return True, None, "difference simplifies to 0 for every width", "all_widths"
    counterexample = _indexed_counterexample(net, derived, closed, rng)
    if counterexample is None:
        detail = f"not proved for every width; agrees at widths {INSTANCE_WIDTH} at random points"
        return True, None, detail, "numeric"
    counterexample["residual"] = sp.sstr(difference)[:500]
    return False, counterexample, "the difference does not vanish", "all_widths"


#: The width every layer gets when an all-widths identity is instantiated to look for a counterexample.
INSTANCE_WIDTH = 3


def _indexed_counterexample(net: indexed.IndexedNetwork, lhs: sp.Expr, rhs: sp.Expr, rng: random.Random):
    """Values at which two component expressions differ, at width INSTANCE_WIDTH."""
    widths = {n: INSTANCE_WIDTH for n in net.widths}
    free = sorted((lhs.free_symbols | rhs.free_symbols) & set(net.ranges), key=str)
    for generic in (False, True):
        functions = {}
        for k in range(1, net.depth + 1):
            act = net.spec.layer_activation(k)
            if act.elementwise:
                body = sp.sin(Z) + Z**2 * sp.Rational(k + 1, 7) if generic else act.formula
                functions[net.activation_function(k)] = sp.Lambda(Z, body)
        for attempt in range(4):
            indices = {s: (1 if attempt == 0 else rng.randint(1, INSTANCE_WIDTH)) for s in free}

            def instance(expr, indices=indices, functions=functions):
                expr = expr.subs(widths).doit().subs(indices)
                for f, body in functions.items():
                    expr = expr.subs(f, body)
                return expr.doit()

            left, right = instance(lhs), instance(rhs)
            atoms = sorted((left.atoms(sp.Indexed) | right.atoms(sp.Indexed)), key=str)
            values = {a: _sample(a, rng) for a in atoms}
            lv = complex(sp.N(left.subs(values), 30))
            rv = complex(sp.N(right.subs(values), 30))
            if abs(lv - rv) > 1e-9 * max(1.0, abs(lv), abs(rv)):
                result = {
                    "widths": {str(n): INSTANCE_WIDTH for n in net.widths},
                    "indices": {str(s): v for s, v in indices.items()},
                    "values": {str(a): float(v) for a, v in values.items()},
                    "derived": _number(lv),
                    "closed_form": _number(rv),
                    "difference": _number(lv - rv),
                }
                if generic:
                    result["activations"] = {str(f): str(b.expr) for f, b in functions.items()}
                    result["note"] = "holds for this network's activations but not for every elementwise f"
                return result
    return None


# -- the numeric method --------------------------------------------------------------------------------


def _numeric(ctx: _Context) -> None:
    spec, forms = ctx.spec, ctx.forms
    net = numeric.NumericNetwork(spec, notation=ctx.notation, examples=ctx.examples, seed=ctx.seed)
    nt, L = net.notation, net.depth
    start = time.perf_counter()
    deltas = [net.true_deltas(e) for e in range(ctx.examples)]
    views = [net.view(e, deltas[e]) for e in range(ctx.examples)]
    setup = time.perf_counter() - start
    rng = np.random.default_rng(ctx.seed)

    def run(equation, layer, form, truth: Callable, closed: Callable, applicable=True, extra=0.0, example=None):
        check_deadline(ctx.deadline)
        start = time.perf_counter()
        holds, counterexample, detail = _compare_numeric(truth, closed)
        ctx.add(
            Check(
                equation,
                layer,
                form,
                "numeric",
                holds,
                counterexample,
                time.perf_counter() - start + extra,
                applicable,
                detail,
                None if example is None else example + 1,
            )
        )

    output = spec.layer_activation(L)
    for e, view in enumerate(views):
        ex = e if len(views) > 1 else None
        run(
            "BP1",
            nt.layer(L),
            "hadamard",
            lambda e=e: (deltas[e][L], None),
            lambda v=view: forms.bp1(v),
            applicable=output.elementwise,
            extra=setup / ctx.examples,
            example=ex,
        )
        if not output.elementwise:
            run(
                "BP1",
                nt.layer(L),
                "jacobian",
                lambda e=e: (deltas[e][L], None),
                lambda v=view: forms.bp1_jacobian(v),
                example=ex,
            )
        for k in range(L - 1, 0, -1):
            run(
                "BP2",
                nt.layer(k),
                "hadamard",
                lambda k=k, e=e: (deltas[e][k], None),
                lambda k=k, v=view: forms.bp2(v, nt.layer(k)),
                example=ex,
            )
    decay = net.number(forms.decay(spec))
    for k in range(L, 0, -1):
        lw = nt.weight_layer(k)

        def bias_truth(k=k):
            def cost(b):
                biases = list(net.biases)
                biases[k - 1] = b
                return net.batch_cost(biases=biases)

            return numeric.central_difference(cost, net.biases[k - 1]), None

        def weight_truth(k=k):
            W = net.weights[k - 1]
            entries = None
            if W.size > numeric.MAX_ENTRIES:
                entries = sorted(rng.choice(W.size, size=numeric.MAX_ENTRIES, replace=False).tolist())

            def cost(w):
                weights = list(net.weights)
                weights[k - 1] = w
                return net.batch_cost(weights=weights)

            return numeric.central_difference(cost, W, entries), entries

        run(
            "BP3",
            lw,
            "matrix",
            bias_truth,
            lambda lw=lw, k=k: forms.batch_bias_gradient(
                [forms.bp3(v, lw) for v in views], numeric.NumMat(net.biases[k - 1]), decay
            ),
        )
        run(
            "BP4",
            lw,
            "matrix",
            weight_truth,
            lambda lw=lw, k=k: forms.batch_weight_gradient(
                [forms.bp4(v, lw) for v in views], numeric.NumMat(net.weights[k - 1]), decay
            ),
        )
    for e in range(ctx.examples):

        def input_truth(e=e):
            def cost(x):
                inputs = list(net.inputs)
                inputs[e] = x
                return net.batch_cost(inputs=inputs)

            return numeric.central_difference(cost, net.inputs[e]), None

        run(
            "input_gradient",
            nt.layer(0),
            "matrix",
            input_truth,
            lambda e=e: forms.batch_input_gradient([forms.input_gradient(v) for v in views], e),
            example=e if ctx.examples > 1 else None,
        )


def _compare_numeric(truth: Callable, closed_form: Callable):
    try:
        closed = closed_form()
    except (ShapeError, ValueError, IndexError) as error:
        return False, {"reason": f"the closed form cannot be formed: {error}"}, "shape error"
    expected, entries = truth()
    got = closed.values
    expected = expected.reshape(expected.shape[0], -1) if expected.ndim > 1 else expected.reshape(-1, 1)
    if got.shape != expected.shape:
        reason = f"shape mismatch: finite differences {expected.shape}, closed form {got.shape}"
        return False, {"reason": reason}, reason
    mask = ~np.isnan(expected)
    error = np.where(mask, np.abs(got - np.where(mask, expected, 0.0)), 0.0)
    scale = np.maximum(1.0, np.abs(got))
    worst = np.unravel_index(np.argmax(error / scale), error.shape)
    checked = int(mask.sum())
    if error[worst] <= numeric.TOLERANCE * scale[worst]:
        return True, None, f"{checked} entries agree with finite differences to {numeric.TOLERANCE:g}"
    counterexample = {
        "entry": [int(i) + 1 for i in worst],
        "finite_difference": float(expected[worst]),
        "closed_form": float(got[worst]),
        "difference": float(got[worst] - expected[worst]),
    }
    return False, counterexample, f"entry {tuple(int(i) + 1 for i in worst)} differs from finite differences"
