"""symbackprop: derive, verify and teach backpropagation for fully-connected networks.

The pipeline, one module per stage:
``spec`` → ``network`` / ``indexed`` (the symbolic network) → ``derivation``
(symbolic differentiation) → ``closed_forms`` (BP1–BP4 per notation) →
``verification`` (exact, all widths, numeric) → ``formulas`` / ``text``
(what the reader sees).

>>> import symbackprop
>>> spec = symbackprop.make_spec(layers=[2, 3, 2], activation="sigmoid", cost="cross_entropy")
>>> symbackprop.verify(spec).ok
True
"""

from symbackprop.derivation.formulas import derived_formulas as derive
from symbackprop.errors import FormulaError, SpecError, SymbackpropError
from symbackprop.spec.load import Spec, load_spec, make_spec, spec_from_dict
from symbackprop.verification import Report, verify

__all__ = [
    "FormulaError",
    "Report",
    "Spec",
    "SpecError",
    "SymbackpropError",
    "derive",
    "load_spec",
    "make_spec",
    "spec_from_dict",
    "verify",
]
__version__ = "0.1.0"
