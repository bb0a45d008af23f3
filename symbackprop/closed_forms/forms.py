"""A notation's closed forms as one value, and the registry of every notation's.

:class:`ClosedForms` holds one notation's recipes (matrix and component form)
and the sources it cites. :meth:`ClosedForms.matrix` and
:meth:`ClosedForms.component` evaluate the recipe of one planned check
(:mod:`symbackprop.network.sites`), so the methods that verify, prove and
print them map over the equation plan instead of spelling each equation out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from symbackprop.closed_forms import layouts
from symbackprop.network.sites import Planned, Site
from symbackprop.notation.catalogue import NOTATIONS
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.model import Notation
from symbackprop.spec.model import Spec


@dataclass(frozen=True)
class ClosedForms:
    """The closed forms of one notation, matrix form and component form.

    To test the verifier, swap a recipe for a wrong one: ``dataclasses.replace(forms, bp2=...)``.
    """

    notation: str
    # matrix forms, one example (BP1, BP2 in Hadamard form; BP1 also with the Jacobian)
    bp1: Callable
    bp1_jacobian: Callable
    bp2: Callable
    bp3: Callable
    bp4: Callable
    input_gradient: Callable
    # the batch cost C = (1/m) Σ_x C_x + L2 term
    decay: Callable[[Spec], sp.Expr]
    batch_weight_gradient: Callable
    batch_bias_gradient: Callable
    batch_input_gradient: Callable
    # component forms
    bp1_component: Callable
    bp1_jacobian_component: Callable
    bp2_component: Callable
    bp3_component: Callable
    bp4_component: Callable
    input_gradient_component: Callable
    sources: dict[str, str]
    rows: bool = False  # the per-example recipes compute row vectors (z = a W + b); checks turn them into columns

    def example_form(self, site: Site, form: str, view) -> object:
        """One example's closed form at ``site``: a column for δ, ∂C_x/∂b and ∇_x C_x, the weights' shape for BP4.

        A row-vector notation's recipes return rows (δ^l, ∂C/∂b^l and ∇_x C are rows there); they are turned
        into the columns the derivation computes.
        """
        recipe = self.matrix_recipe(site, form)
        result = recipe(view) if site.equation in ("BP1", "input_gradient") else recipe(view, site.layer)
        return result.T if self.rows and site.equation != "BP4" else result

    def matrix_recipe(self, site: Site, form: str) -> Callable:
        """The matrix-form recipe of one example checked at ``site`` in ``form``."""
        if site.equation == "BP1":
            return self.bp1_jacobian if form == "jacobian" else self.bp1
        return {"BP2": self.bp2, "BP3": self.bp3, "BP4": self.bp4, "input_gradient": self.input_gradient}[site.equation]

    def matrix(self, planned: Planned, views: Sequence, parameters: Sequence, decay) -> object:
        """The closed form of a planned matrix check, on the views of a batch's examples.

        ``parameters[k - 1]`` are the biases (BP3) or weights (BP4) of internal layer k; ``decay`` is the
        coefficient of W in ∂C/∂W. Per-example sites read the planned example's view.
        """
        site = planned.site
        if site.equation in ("BP1", "BP2"):
            return self.example_form(site, planned.form, views[planned.example])
        per_example = [self.example_form(site, planned.form, v) for v in views]
        if site.equation == "input_gradient":
            return self.batch_input_gradient(per_example, planned.example)
        batch = self.batch_bias_gradient if site.equation == "BP3" else self.batch_weight_gradient
        return batch(per_example, parameters[site.k - 1], decay)

    def component(self, site: Site, form: str, view, indices: tuple) -> sp.Expr:
        """The component form at ``site``, entry ``indices`` (symbols of the indexed network)."""
        if site.equation == "BP1":
            recipe = self.bp1_jacobian_component if form == "jacobian" else self.bp1_component
            return recipe(view, *indices)
        if site.equation == "input_gradient":
            return self.input_gradient_component(view, *indices)
        recipe = {"BP2": self.bp2_component, "BP3": self.bp3_component, "BP4": self.bp4_component}[site.equation]
        return recipe(view, site.layer, *indices)


#: The recipes of a :class:`ClosedForms`, by field name.
RECIPES = (
    "bp1",
    "bp1_jacobian",
    "bp2",
    "bp3",
    "bp4",
    "input_gradient",
    "decay",
    "batch_weight_gradient",
    "batch_bias_gradient",
    "batch_input_gradient",
    "bp1_component",
    "bp1_jacobian_component",
    "bp2_component",
    "bp3_component",
    "bp4_component",
    "input_gradient_component",
)
#: The recipe whose note is each equation's source.
SOURCE_OF = {"BP1": "bp1", "BP2": "bp2", "BP3": "bp3", "BP4": "bp4", "input_gradient": "input_gradient"}


def state(
    notation: str,
    layout: Mapping[str, Callable],
    statements: Mapping[str, tuple[str, str]],
    *,
    rows: bool = False,
) -> ClosedForms:
    """A notation's closed forms: the computations of a ``layout`` as the text states them.

    ``statements`` maps a recipe's field name to the (equation, source) the text writes; a recipe without a
    statement keeps the layout's own. Each equation's source (what the documents cite) is its recipe's note.
    """
    unknown = [name for name in statements if name not in RECIPES]
    if unknown:
        raise ValueError(f"statements for unknown recipes {unknown}; valid: {', '.join(RECIPES)}")
    recipes = {
        name: layout[name].restated(*statements[name]) if name in statements else layout[name] for name in RECIPES
    }
    sources = {equation: recipes[name].note for equation, name in SOURCE_OF.items()}
    sources["batch"] = recipes["batch_weight_gradient"].note
    return ClosedForms(notation=notation, sources=sources, rows=rows, **recipes)


#: Every notation's closed forms, by the notation's name.
CLOSED_FORMS: dict[str, ClosedForms] = {}


def register(forms: ClosedForms) -> ClosedForms:
    """Add a notation's closed forms to the registry (its notation to :mod:`symbackprop.notation.catalogue`)."""
    CLOSED_FORMS[forms.notation] = forms
    return forms


def unregister(notation: str) -> None:
    CLOSED_FORMS.pop(notation, None)


def forms_for(notation: str) -> ClosedForms:
    """The closed forms of ``notation``; a ValueError naming the notations that have some otherwise.

    A notation of one's own (a spec's ``[notation]`` table) has its base's closed forms, as its base states
    them, when it keeps the base's layout; if it changes the layout (transposes the weights, renumbers them
    after the layer they leave, writes rows), the forms of its layout, as :mod:`.layouts` states them.
    """
    if notation not in CLOSED_FORMS:
        own = NOTATIONS.get(notation)
        if own is not None and own.base:
            return register(derived_forms(own))
        raise ValueError(f"no closed forms for notation {notation!r}; valid: {', '.join(CLOSED_FORMS)}")
    return CLOSED_FORMS[notation]


def derived_forms(own: Notation) -> ClosedForms:
    """The closed forms of a notation derived from a catalogue entry (see :func:`forms_for`)."""
    base = forms_for(own.base)
    if own.layout == notation_named(own.base).layout:
        return dataclasses.replace(base, notation=own.name)
    return state(own.name, layouts.BY_NAME[own.layout], {}, rows=own.vectors == "rows")
