"""The verifier's results: one :class:`Check` per closed form, layer, example and method, in a :class:`Report`."""

from __future__ import annotations

from dataclasses import dataclass, field

from symbackprop.derivation.identities import Identity
from symbackprop.errors import SymbackpropError
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.printing.data import dumps
from symbackprop.printing.words import count
from symbackprop.spec.model import Spec


class VerificationError(SymbackpropError):
    """A verification that cannot be run as asked (e.g. a method on a network too large for it)."""


#: How a check that reached no verdict says so (its ``detail``), and why, in the report's words.
NOT_FINITE = "not done: "
NOT_FINITE_WHY = "a value was not finite at the sampled point (an overflow, or outside a function's domain)"


@dataclass(frozen=True)
class Comparison:
    """What comparing a derived value with a closed form found: whether it holds, by which method (``numeric``
    when a symbolic proof could not close), a counterexample when it does not, and the point's symbols."""

    holds: bool
    method: str
    detail: str = ""
    counterexample: dict | None = None
    point: tuple = ()
    done: bool = True  # False: no verdict at this point (a value was not finite), never a failure


@dataclass(frozen=True)
class Check:
    """One closed form checked at one layer by one method.

    ``point`` holds the symbols of a counterexample with their values (the SymPy symbols themselves, for
    printers; ``counterexample["values"]`` names them).
    """

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
    point: tuple = field(default=(), compare=False, repr=False)

    @classmethod
    def of(cls, planned, comparison: Comparison, seconds: float, example: int | None = None) -> Check:
        """The check of a planned site (:class:`~symbackprop.network.sites.Planned`) and what comparing found;
        ``example`` is 1-based, for a per-example check of a batch of several."""
        site = planned.site
        return cls(
            site.equation,
            site.layer,
            planned.form,
            comparison.method,
            comparison.holds,
            comparison.counterexample,
            seconds,
            planned.applicable,
            comparison.detail,
            example,
            comparison.point,
        )

    def to_dict(self, steps: dict | None = None, *, timings: bool = True) -> dict:
        """The check as JSON data; ``steps`` (a notation's :attr:`~symbackprop.notation.model.Notation.steps`)
        adds ``step``, the text's own name of the equation; ``timings=False`` leaves out ``seconds``."""
        data = {
            "equation": self.equation,
            **({"step": steps[self.equation]} if steps else {}),
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
        if not timings:
            del data["seconds"]
        return data


@dataclass(frozen=True)
class Report:
    """The result of :func:`symbackprop.verify`; ``print(report)`` shows the table ``symbackprop verify`` prints."""

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
        verdict = "every applicable closed form holds" if self.ok else f"{count(len(self.failures), 'check')} FAIL"
        if not self.complete:
            finished = "every finished check holds" if not self.failures else verdict
            timed_out = sum(not c.detail.startswith(NOT_FINITE) for c in self.unfinished)
            reasons = [
                f"{count(timed_out, 'check')} did not finish within the time budget" if timed_out else "",
                f"{count(len(self.unfinished) - timed_out, 'check')} not done: {NOT_FINITE_WHY}"
                if len(self.unfinished) > timed_out
                else "",
            ]
            verdict = f"INCOMPLETE: {'; '.join(r for r in reasons if r)}; {finished}"
        return verdict

    @property
    def steps(self) -> dict[str, str]:
        """The notation's own name of each equation (``BP2`` → ``(5.56)`` in Bishop)."""
        return dict(notation_named(self.notation).steps)

    def to_dict(self, *, timings: bool = True) -> dict:
        """The report as JSON data; ``timings=False`` leaves out every ``seconds`` (for a file that two identical
        runs must write alike: a build's timings go to timings.json alone)."""
        steps = self.steps
        data = {
            "spec": self.spec.name,
            "notation": self.notation,
            "ok": self.ok,
            "plan": list(self.plan),
            "steps": steps,
            "checks": [c.to_dict(steps, timings=timings) for c in self.checks],
            "complete": self.complete,
            "unfinished": [c.to_dict(steps, timings=timings) for c in self.unfinished],
            "identities": [i.to_dict() for i in self.identities],
            "seconds": round(self.seconds, 4),
        }
        if not timings:
            del data["seconds"]
            for identity in data["identities"]:
                identity.pop("seconds", None)
        return data

    def to_json(self, *, timings: bool = True) -> str:
        return dumps(self.to_dict(timings=timings), indent=2, sort_keys=False)  # NaN and inf as strings: valid JSON

    def __str__(self) -> str:
        from symbackprop.printing.text import verification_table

        return verification_table(self)

    def _repr_latex_(self) -> str:
        """The report as a LaTeX table, so Jupyter renders it."""
        from symbackprop.printing.latex import report_latex

        return report_latex(self)
