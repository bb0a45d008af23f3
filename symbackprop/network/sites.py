"""The equation plan: every equation at every layer of a network, once, in one order.

:func:`sites` lists the sites of a spec in a notation: BP1 at the output
layer, BP2 at each hidden layer (from the output down), BP3 and BP4 at each
layer of weights (from the output down), and the input gradient. Each
:class:`Site` says which internal layer it is about, the number the notation
gives that layer, which layers its indices range over, and whether it is a
per-example quantity (δ, ∇_x C) or one of the batch cost (∂C/∂b, ∂C/∂W).

Verification (its plan, its three methods and the partial report of a time
budget), ``derive``, the proofs, the documents and the grader all map over
this list, so none of them walks "every equation at every layer" itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from symbackprop.notation import model
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.model import Notation
from symbackprop.spec.model import Spec

#: The equations, in the order a site list gives them (the notation model owns the list: texts name them).
EQUATIONS = model.EQUATIONS
#: What each equation is about: the error of a layer, a parameter's gradient, or the input's.
QUANTITIES = {"BP1": "error", "BP2": "error", "BP3": "bias", "BP4": "weight", "input_gradient": "input"}


@dataclass(frozen=True)
class Site:
    """One equation at one layer.

    ``k`` is the internal layer: of δ^k for BP1 and BP2, of the weights and biases feeding layer k for BP3
    and BP4, 1 (the layer whose δ it uses) for the input gradient. ``layer`` is the number the notation
    shows (the weights' number for BP3 and BP4, the input layer's for the input gradient). ``dims`` are the
    internal layers whose widths the component indices range over. ``jacobian`` marks BP1 of an output
    that is not elementwise (softmax), where the Hadamard form does not hold and the Jacobian form does.
    """

    equation: str
    k: int
    layer: int
    dims: tuple[int, ...]
    jacobian: bool = False

    @property
    def quantity(self) -> str:
        return QUANTITIES[self.equation]

    @property
    def per_example(self) -> bool:
        """δ and ∇_x C are checked per example; ∂C/∂b and ∂C/∂W are the batch cost's."""
        return self.equation in ("BP1", "BP2", "input_gradient")

    @property
    def group(self) -> int:
        """The order of the checks a method makes: the errors, then the parameters, then the input."""
        return {"BP1": 0, "BP2": 0, "BP3": 1, "BP4": 1, "input_gradient": 2}[self.equation]

    def forms(self, method: str) -> list[tuple[str, bool]]:
        """The (form, applicable) of each check ``method`` makes at this site.

        The component methods (``all_widths``) check one component form; the matrix methods (``exact``,
        ``numeric``) check BP1 and BP2 in Hadamard form (for softmax also BP1 in Jacobian form, where the
        Hadamard form is expected to fail) and the gradients as matrices.
        """
        if method == "all_widths":
            return [("jacobian" if self.jacobian else "component", True)]
        if self.equation == "BP1":
            return [("hadamard", not self.jacobian)] + ([("jacobian", True)] if self.jacobian else [])
        if self.equation == "BP2":
            return [("hadamard", True)]
        return [("matrix", True)]


def sites(spec: Spec, notation: str | Notation | None = None) -> list[Site]:
    """Every equation at every layer of ``spec``'s network, in ``notation``'s numbering (default: the spec's)."""
    nt = notation if isinstance(notation, Notation) else notation_named(notation or spec.notation)
    L = spec.depth
    result = [Site("BP1", L, nt.layer(L), (L,), jacobian=not spec.layer_activation(L).elementwise)]
    result += [Site("BP2", k, nt.layer(k), (k,)) for k in range(L - 1, 0, -1)]
    for k in range(L, 0, -1):
        result.append(Site("BP3", k, nt.weight_layer(k), (k,)))
        result.append(Site("BP4", k, nt.weight_layer(k), nt.weight_dims(k)))
    result.append(Site("input_gradient", 1, nt.layer(0), (0,)))
    return result


@dataclass(frozen=True)
class Planned:
    """One check a method makes: a site, the form checked, whether it is expected to hold, and the example.

    ``example`` is 0-based for a per-example site of a matrix method, None for a batch site and for the
    component method (which checks one example at symbolic widths).
    """

    site: Site
    form: str
    applicable: bool
    example: int | None


def checks(spec: Spec, notation: str | Notation | None, method: str, examples: int) -> list[Planned]:
    """Every check ``method`` makes, in the order it makes them.

    The matrix methods check each per-example site once per example of the batch: every error first, then
    the parameters' gradients, then the input gradient of each example.
    """
    ordered = sorted(sites(spec, notation), key=lambda s: s.group)
    if method == "all_widths":
        return [Planned(s, form, ok, None) for s in ordered for form, ok in s.forms(method)]
    planned = []
    for group in (0, 1, 2):
        members = [s for s in ordered if s.group == group]
        for e in range(examples) if group != 1 else [None]:
            planned += [Planned(s, form, ok, e) for s in members for form, ok in s.forms(method)]
    return planned
