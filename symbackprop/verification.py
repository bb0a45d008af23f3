"""Verification: derived gradients against the closed forms, equation by equation.

Three methods, each a separate check in the report:

* ``exact`` — concrete widths, every elementwise layer an abstract f^l: the
  derived and closed-form matrices are subtracted and expanded to zero, a
  proof for every elementwise activation at these widths. The batch cost
  (m examples, L2 term) is used, so averaging and weight decay are checked.
* ``all_widths`` — symbolic widths (:mod:`symbackprop.indexed`): a proof for
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

from symbackprop import derivation, indexed, numeric
from symbackprop.closed_forms import CLOSED_FORMS, ClosedForms
from symbackprop.functions import Z
from symbackprop.identities import Identity, activation_derivative, cost_gradient, output_delta
from symbackprop.network import ShapeError, SymbolicNetwork
from symbackprop.notation import NOTATIONS
from symbackprop.spec import Spec

EQUATIONS = ("BP1", "BP2", "BP3", "BP4", "input_gradient")
METHODS = ("exact", "all_widths", "numeric")
#: Above this many parameters × examples the exact elementwise method is skipped (it is the slowest).
EXACT_LIMIT = 5000
#: How many examples the batch cost has in the exact and numeric methods (m ≥ 2 tests the 1/m).
EXAMPLES = 2


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

    def to_dict(self) -> dict:
        return {
            "equation": self.equation,
            "layer": self.layer,
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

    @property
    def ok(self) -> bool:
        """Every applicable closed form holds."""
        return all(c.holds for c in self.checks if c.applicable)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.applicable and not c.holds]

    def to_dict(self) -> dict:
        return {
            "spec": self.spec.name,
            "notation": self.notation,
            "ok": self.ok,
            "plan": list(self.plan),
            "checks": [c.to_dict() for c in self.checks],
            "identities": [i.to_dict() for i in self.identities],
            "seconds": round(self.seconds, 4),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)


@dataclass
class _Context:
    spec: Spec
    forms: ClosedForms
    notation: str
    examples: int
    seed: int
    checks: list[Check] = field(default_factory=list)


def verify(
    spec: Spec,
    *,
    notation: str | None = None,
    methods: Sequence[str] | None = None,
    forms: ClosedForms | None = None,
    examples: int = EXAMPLES,
    exact_limit: int = EXACT_LIMIT,
    seed: int = 0,
) -> Report:
    """Derive every gradient of ``spec`` and check it against the closed forms.

    ``notation`` defaults to the spec's; ``forms`` to that notation's closed
    forms (pass altered ones to see the verifier catch a wrong formula);
    ``methods`` to all three, the exact one only below ``exact_limit``
    parameters × examples.
    """
    start = time.perf_counter()
    notation = notation or spec.notation
    if notation not in NOTATIONS:
        raise ValueError(f"unknown notation {notation!r}; valid: {', '.join(NOTATIONS)}")
    ctx = _Context(spec, forms or CLOSED_FORMS[notation], notation, examples, seed)
    chosen, plan = _plan(spec, methods, examples, exact_limit)
    if "exact" in chosen:
        _exact(ctx)
    if "all_widths" in chosen:
        _all_widths(ctx)
    if "numeric" in chosen:
        _numeric(ctx)
    ids = identities(spec)
    return Report(spec, notation, tuple(ctx.checks), ids, tuple(plan), time.perf_counter() - start)


def _plan(spec: Spec, methods, examples: int, exact_limit: int) -> tuple[list[str], list[str]]:
    unknown = [m for m in (methods or ()) if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method {unknown[0]!r}; valid: {', '.join(METHODS)}")
    size = spec.parameter_count * examples
    plan = []
    if methods is None:
        methods = list(METHODS)
        if size > exact_limit:
            methods.remove("exact")
            plan.append(
                f"exact: skipped, {spec.parameter_count} parameters x {examples} examples = {size} "
                f"exceeds the exact limit {exact_limit} (the all-widths proof covers every width)"
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
        start = time.perf_counter()
        holds, counterexample, detail, method = _compare_symbolic(net, derive(), closed, rng)
        if counterexample is not None and example is not None:
            counterexample["example"] = example + 1
        ctx.checks.append(
            Check(equation, layer, form, method, holds, counterexample, time.perf_counter() - start, applicable, detail)
        )

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
        start = time.perf_counter()
        holds, counterexample, detail, method = _compare_indexed(net, derive, closed, rng)
        ctx.checks.append(
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

    def run(equation, layer, form, truth: Callable, closed: Callable, applicable=True, extra=0.0):
        start = time.perf_counter()
        holds, counterexample, detail = _compare_numeric(truth, closed)
        ctx.checks.append(
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
            )
        )

    output = spec.layer_activation(L)
    for e, view in enumerate(views):
        run(
            "BP1",
            nt.layer(L),
            "hadamard",
            lambda e=e: (deltas[e][L], None),
            lambda v=view: forms.bp1(v),
            applicable=output.elementwise,
            extra=setup / ctx.examples,
        )
        if not output.elementwise:
            run("BP1", nt.layer(L), "jacobian", lambda e=e: (deltas[e][L], None), lambda v=view: forms.bp1_jacobian(v))
        for k in range(L - 1, 0, -1):
            run(
                "BP2",
                nt.layer(k),
                "hadamard",
                lambda k=k, e=e: (deltas[e][k], None),
                lambda k=k, v=view: forms.bp2(v, nt.layer(k)),
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
