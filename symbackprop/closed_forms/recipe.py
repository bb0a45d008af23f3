"""A closed-form recipe: a small function that computes one equation as its text states it, with the equation
and its source kept as data beside it (as tangent registers its derivative rules).

A recipe reads like its source: ``net.W(l)``, ``net.delta(l)``, ``net.a(l)``,
``net.fprime(l)`` are W^l, δ^l, a^l and f'(z^l) as the text writes them. The
same recipe runs on the concrete symbolic network (matrices of symbols), the
indexed one (components at symbolic widths), the numeric one (NumPy arrays)
and the matrix symbols of a document, so all of them check and print the
very same formula. ``text`` is the equation (what generated comments and
documents quote), ``note`` where it comes from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    """One closed form: ``compute(net, …)`` and the equation ``text`` its ``note`` attributes to a source."""

    compute: Callable
    text: str
    note: str = ""

    def __call__(self, *args):
        return self.compute(*args)

    @property
    def name(self) -> str:
        return self.compute.__name__

    def restated(self, text: str, note: str = "") -> Recipe:
        """The same computation as another text states it (its letters, its numbering, its source)."""
        return dataclasses.replace(self, text=text, note=note)

    def doc(self) -> str:
        """``δ^L = ∇_a C ⊙ f'(z^L)  (BP1; Nielsen ch. 2)``: the equation and where it comes from."""
        return f"{self.text}  ({self.note})" if self.note else self.text


def recipe(text: str, note: str = "") -> Callable[[Callable], Recipe]:
    """Register a function as the recipe of the equation ``text`` (from ``note``)."""

    def wrap(compute: Callable) -> Recipe:
        return Recipe(compute, text, note)

    return wrap
