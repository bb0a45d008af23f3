"""Stage 1, the spec: a TOML file, a dict or keyword arguments in; a validated, frozen Spec out.

``load`` validates every field before any symbolic work (errors name the file, the field and what would be
valid); ``formula`` is the whitelist parser of custom formulas (the trust boundary: never evaluated);
``functions`` holds the built-in activations and costs as SymPy definitions; ``defaults`` the built-in network.
"""

from symbackprop.spec.load import Regularization, Spec, Training, load_spec, make_spec, spec_from_dict, spec_from_toml

__all__ = ["Regularization", "Spec", "Training", "load_spec", "make_spec", "spec_from_dict", "spec_from_toml"]
