"""symbackprop: derive, verify, generate and teach backpropagation for fully-connected networks.

The pipeline's stages are packages: ``spec`` → ``notation`` → ``network`` (the
symbolic network and the equation sites) → ``derivation`` → ``closed_forms``
→ ``verification``; then ``printing``, ``emission`` (the NumPy module),
``teach`` (proofs and documents), ``check`` (a person's formulas) and
``training``. :mod:`symbackprop.pipeline` calls them; these are its functions:

>>> import symbackprop
>>> spec = symbackprop.make_spec(layers=[2, 3, 2], activation="sigmoid", cost="cross_entropy")
>>> symbackprop.verify(spec).ok
True
>>> symbackprop.derive(spec)[0].equation
'BP1'
"""

from symbackprop._version import __version__ as __version__
from symbackprop.errors import FormulaError, SpecError, SymbackpropError  # noqa: E402
from symbackprop.pipeline import build, check, derive, document, generate, train, verify  # noqa: E402
from symbackprop.spec.load import Spec, load_spec, make_spec, spec_from_dict  # noqa: E402
from symbackprop.verification import Report  # noqa: E402

__all__ = [
    "FormulaError",
    "Report",
    "Spec",
    "SpecError",
    "SymbackpropError",
    "build",
    "check",
    "derive",
    "document",
    "generate",
    "load_spec",
    "make_spec",
    "spec_from_dict",
    "train",
    "verify",
]
