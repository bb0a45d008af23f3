"""Names of the symbols of a network, in the reader's notation.

One place decides how ``W^2_{1,3}``, ``z^(3)_2`` or ``delta^2_1`` are spelt, so
that the derivation, the verifier's counterexamples, the code generator and
the LaTeX printer all agree. Indices are 1-based, as in the source texts;
layer numbers are the notation's own (see :mod:`symbackprop.notation.catalogue`).
"""

from __future__ import annotations

from symbackprop.notation.catalogue import Notation


def layer_label(notation: Notation, number: int) -> str:
    """``2`` or, in UFLDL's parenthesised style, ``(2)``."""
    return f"({number})" if notation.parenthesised else str(number)


def component_name(
    base: str, notation: Notation, number: int, index: tuple[int, ...], example: int | None = None
) -> str:
    """The name of one component, e.g. ``W^2_{1,3}``, ``z^(2)_1`` or ``a^1_2[x3]``.

    ``number`` is the notation's layer number, ``index`` is 0-based and written
    1-based; ``example`` (0-based) marks the example of a batch.
    """
    idx = ",".join(str(i + 1) for i in index)
    if len(index) > 1:
        idx = "{" + idx + "}"
    name = f"{base}^{layer_label(notation, number)}_{idx}"
    if example is not None:
        name += f"[x{example + 1}]"
    return name


def vector_name(base: str, index: int, example: int | None = None) -> str:
    """An input or target component: ``x_1``, ``y_2[x3]``."""
    name = f"{base}_{index + 1}"
    if example is not None:
        name += f"[x{example + 1}]"
    return name


def activation_function_name(notation: Notation, number: int) -> str:
    """The abstract activation of a layer, ``f^2`` or ``f^(3)``: one per layer."""
    return f"f^{layer_label(notation, number)}"


#: Names of the per-layer quantities.
WEIGHTED_INPUT = "z"
ACTIVATION = "a"
ERROR = "delta"
BIAS = "b"
INPUT = "x"
TARGET = "y"
EXAMPLE_COST = "C_x"


_GREEK = {"delta": r"\delta", "lambda": r"\lambda", "sigma": r"\sigma"}


def latex_name(name: str) -> str:
    """The LaTeX of a base name: ``delta^(3)`` → ``\\delta^{(3)}``, ``W^2`` → ``W^{2}``, ``x`` → ``x``."""
    base, _, layer = name.partition("^")
    base = _GREEK.get(base, base)
    return f"{base}^{{{layer}}}" if layer else base
