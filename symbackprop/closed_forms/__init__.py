"""Stage 4, the closed forms: BP1–BP4 and ∇_x C for each notation, small recipes that cite their source.

``recipe`` (a recipe with its equation and source), ``shared`` (BP1 and the batch recipes every notation
shares), one module per notation (``nielsen``, ``blog``, ``ufldl``), and ``forms`` (a notation's closed forms
as one value, their registry, and their evaluation at a site of the equation plan,
:mod:`symbackprop.network.sites`).
"""

from symbackprop.closed_forms import blog, nielsen, ufldl
from symbackprop.closed_forms.blog import BLOG_FORMS
from symbackprop.closed_forms.forms import CLOSED_FORMS, ClosedForms, forms_for, register, unregister
from symbackprop.closed_forms.nielsen import NIELSEN_FORMS
from symbackprop.closed_forms.shared import batch_bias_gradient, batch_input_gradient, batch_weight_gradient, decay
from symbackprop.closed_forms.ufldl import UFLDL_FORMS

__all__ = [
    "BLOG_FORMS",
    "CLOSED_FORMS",
    "NIELSEN_FORMS",
    "UFLDL_FORMS",
    "ClosedForms",
    "batch_bias_gradient",
    "batch_input_gradient",
    "batch_weight_gradient",
    "blog",
    "decay",
    "forms_for",
    "nielsen",
    "register",
    "ufldl",
    "unregister",
]
