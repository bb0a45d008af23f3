"""Which methods verify a spec, and every check each of them makes.

The plan's lines say which methods run and why the others are skipped (the
exact method above :data:`EXACT_LIMIT` parameters × examples, the numeric one
above an estimated cost). :func:`planned_checks` lists, without running
anything, every check a method makes: the equation plan of
:func:`symbackprop.network.sites.checks`, which the methods map over.
"""

from __future__ import annotations

from symbackprop.network import numeric
from symbackprop.network.sites import checks
from symbackprop.spec import domains
from symbackprop.spec.model import Spec
from symbackprop.verification.report import VerificationError

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


def planned_checks(spec: Spec, notation: str, method: str, examples: int = EXAMPLES) -> list[tuple[str, int, str]]:
    """The (equation, layer, form) of every check ``method`` makes, in order, without running it."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    return [(p.site.equation, p.site.layer, p.form) for p in checks(spec, notation, method, examples)]


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


def choose(spec: Spec, methods, examples: int, exact_limit: int) -> tuple[list[str], list[str]]:
    """The methods to run (the ones asked for, or every one that fits) and the plan's lines saying why."""
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
    plan.extend(domains.assumptions(spec.layer_activation(spec.depth), spec.cost_function()))
    return [m for m in METHODS if m in methods], plan
