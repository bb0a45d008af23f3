"""Verification: derived gradients against the closed forms, equation by equation.

Three methods, each a separate check in the report, each mapping over the
equation plan (:func:`symbackprop.network.sites.checks`):

* ``exact`` (:mod:`~symbackprop.verification.exact`) — concrete widths, every
  elementwise layer an abstract f^l: a proof for every elementwise activation
  at these widths, of the batch cost (m examples, L2 term);
* ``all_widths`` (:mod:`~symbackprop.verification.all_widths`) — symbolic
  widths: a proof for every width, per example, in component form;
* ``numeric`` (:mod:`~symbackprop.verification.numeric`) — the concrete
  network at random parameters, against central finite differences.

A closed form that fails comes with a counterexample: the entry, the values
of the symbols it involves and both sides. BP1 in Hadamard form is reported
as failing for softmax (not applicable), and the Jacobian form replaces it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from symbackprop.closed_forms import ClosedForms, forms_for
from symbackprop.derivation.identities import Identity, activation_derivative, cost_gradient, output_delta
from symbackprop.network.sites import checks
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.printing.words import count
from symbackprop.spec.model import Spec
from symbackprop.timing import OutOfTime, check_deadline, time_limit
from symbackprop.verification import all_widths, exact, numeric
from symbackprop.verification.plan import EXACT_LIMIT, EXAMPLES, choose
from symbackprop.verification.report import NOT_FINITE_WHY, Check, Report

#: The method behind each name, in the order they run.
RUNNERS = {"exact": exact.run, "all_widths": all_widths.run, "numeric": numeric.run}


@dataclass
class Context:
    """What a method needs to run, and the checks it has finished."""

    spec: Spec
    forms: ClosedForms
    notation: str
    examples: int
    seed: int
    checks: list[Check] = field(default_factory=list)
    deadline: float | None = None  # time.monotonic() at which a time budget runs out
    not_done: list[Check] = field(default_factory=list)  # checks that reached no verdict (values not finite)

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
    parameters × examples and the numeric one only below
    :data:`~symbackprop.verification.plan.NUMERIC_LIMIT` (the report's ``plan``
    says which methods run and why).

    ``max_seconds`` is a time budget for the whole verification: when it runs
    out, the running method stops cleanly and the report is partial: its
    ``unfinished`` checks say which did not finish (``complete`` and ``ok``
    are then False), and its ``plan`` says where the budget ran out.

    >>> from symbackprop import make_spec
    >>> report = verify(make_spec(layers=[2, 3, 2], cost="cross_entropy"))
    >>> report.ok, report.identities[-1].statement()
    (True, 'delta^L_j = a - y')
    """
    start = time.perf_counter()
    notation = notation_named(notation or spec.notation).name
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be a positive number of seconds, not {max_seconds!r}")
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    ctx = Context(spec, forms or forms_for(notation), notation, examples, seed, deadline=deadline)
    chosen, plan = choose(spec, methods, examples, exact_limit)
    unfinished: list[Check] = []
    for method in chosen:
        done, began = len(ctx.checks) + len(ctx.not_done), _remaining(deadline) != 0
        try:
            with time_limit(_remaining(deadline)):
                check_deadline(deadline)
                RUNNERS[method](ctx)
        except OutOfTime:
            if deadline is None:  # not ours: a limit inside the method that its own code did not catch
                raise
            planned = checks(spec, notation, method, examples)
            missing = planned[len(ctx.checks) + len(ctx.not_done) - done :]  # the methods check in plan order
            why = f"did not finish: the {max_seconds:g} s time budget ran out"
            unfinished += [
                Check(p.site.equation, p.site.layer, p.form, method, False, None, 0.0, True, why) for p in missing
            ]
            stopped = "stopped by" if began else "not started, no time left in"
            plan.append(
                f"{method}: {stopped} the {max_seconds:g} s time budget; "
                f"{len(planned) - len(missing)} of its {len(planned)} checks finished"
            )
    if ctx.not_done:
        plan.append(f"not done: {count(len(ctx.not_done), 'check')}, {NOT_FINITE_WHY}")
        unfinished = ctx.not_done + unfinished
    try:
        with time_limit(_remaining(deadline)):
            check_deadline(deadline)
            ids = identities(spec)
    except OutOfTime:
        if deadline is None:
            raise
        ids = ()
        plan.append(f"identities: not derived, the {max_seconds:g} s time budget ran out")
    return Report(spec, notation, tuple(ctx.checks), ids, tuple(plan), time.perf_counter() - start, tuple(unfinished))


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)


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
