"""Stage 4, the closed forms: BP1–BP4 and ∇_x C for each notation, small recipes that cite their source.

``recipe`` (a recipe with its equation and source), ``shared`` (BP1 and the batch recipes every notation
shares), ``layouts`` (the computations of each way to lay out the weights), one module per notation of the
catalogue that states them as its text does (``nielsen``, ``notes``, ``blog``, ``ufldl``, ``coursera_ml``,
``deeplearning_ai``, ``bishop``, ``goodfellow``, ``threeblue1brown``, ``rows``), and ``forms`` (a notation's
closed forms as one value, their registry, and their evaluation at a site of the equation plan,
:mod:`symbackprop.network.sites`).
"""

from symbackprop.closed_forms import (
    bishop,
    blog,
    coursera_ml,
    deeplearning_ai,
    goodfellow,
    layouts,
    nielsen,
    notes,
    rows,
    threeblue1brown,
    ufldl,
)
from symbackprop.closed_forms.bishop import BISHOP_FORMS
from symbackprop.closed_forms.blog import BLOG_FORMS
from symbackprop.closed_forms.coursera_ml import COURSERA_ML_FORMS
from symbackprop.closed_forms.deeplearning_ai import DEEPLEARNING_AI_FORMS
from symbackprop.closed_forms.forms import CLOSED_FORMS, ClosedForms, forms_for, register, state, unregister
from symbackprop.closed_forms.goodfellow import GOODFELLOW_FORMS
from symbackprop.closed_forms.nielsen import NIELSEN_FORMS
from symbackprop.closed_forms.notes import NOTES_FORMS
from symbackprop.closed_forms.rows import ROWS_FORMS
from symbackprop.closed_forms.shared import batch_bias_gradient, batch_input_gradient, batch_weight_gradient, decay
from symbackprop.closed_forms.threeblue1brown import THREEBLUE1BROWN_FORMS
from symbackprop.closed_forms.ufldl import UFLDL_FORMS

__all__ = [
    "BISHOP_FORMS",
    "BLOG_FORMS",
    "CLOSED_FORMS",
    "COURSERA_ML_FORMS",
    "DEEPLEARNING_AI_FORMS",
    "GOODFELLOW_FORMS",
    "NIELSEN_FORMS",
    "NOTES_FORMS",
    "ROWS_FORMS",
    "THREEBLUE1BROWN_FORMS",
    "UFLDL_FORMS",
    "ClosedForms",
    "batch_bias_gradient",
    "batch_input_gradient",
    "batch_weight_gradient",
    "bishop",
    "blog",
    "coursera_ml",
    "decay",
    "deeplearning_ai",
    "forms_for",
    "goodfellow",
    "layouts",
    "nielsen",
    "notes",
    "register",
    "rows",
    "state",
    "threeblue1brown",
    "ufldl",
    "unregister",
]
