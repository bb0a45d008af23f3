"""The catalogue of notations: the texts people learn backpropagation from, as data.

Each entry is a :class:`~symbackprop.notation.model.Notation` that cites its
source. The closed forms each text states live in
:mod:`symbackprop.closed_forms`, registered under the same name. Adding a
notation is adding an entry here (or calling :func:`register`) plus its
closed-form recipes and tests.

* ``nielsen`` — M. Nielsen's book, ch. 2, and the "Notes on Neural Networks":
  layers 0..L, z^l = W^l a^{l-1} + b^l, W^l_{jk} from neuron k of layer l-1 to
  neuron j of layer l, so W^l has shape (n_l, n_{l-1}).
* ``blog`` — "Gradient descent and backpropagation", a summary of Nielsen's
  chapters 1–2 with transposed weights: z^l = (w^l)^T a^{l-1} + b^l, w^l_{ij}
  from neuron i of layer l-1 to neuron j of layer l, shape (n_{l-1}, n_l).
* ``ufldl`` — the UFLDL tutorial as quoted in the Q&A: layers numbered from 1
  (the input) to n_l, z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}, W^{(l)}_{ij} from
  neuron j of layer l to neuron i of layer l+1, shape (s_{l+1}, s_l); the cost J.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from symbackprop.notation.model import Citation, Notation, Spelling
from symbackprop.notation.spelling import SIGNS, latin

#: The letters most notations share; an entry overrides what its text writes otherwise.
COMMON = {
    "weight": latin("W"),
    "bias": latin("b"),
    "weighted_input": latin("z"),
    "activation": latin("a"),
    "error": SIGNS["delta"],
    "input": latin("x"),
    "target": latin("y"),
    "example_cost": Spelling("C_x", "C_x", "C_x"),
    "cost": latin("C"),
    "function": latin("f"),
    "width": latin("n"),
    "examples": latin("m"),
    "training_set_size": latin("n"),
    "decay": SIGNS["lambda"],
    "learning_rate": SIGNS["eta"],
}

NIELSEN_BOOK = Citation(
    "M. Nielsen",
    "Neural Networks and Deep Learning",
    "ch. 2, How the backpropagation algorithm works",
    "http://neuralnetworksanddeeplearning.com/chap2.html",
    "2015",
)
NOTES = Citation("A. Thorpe", "Notes on Neural Networks")
BLOG_POST = Citation("", "Gradient descent and backpropagation (a summary of Nielsen's chapters 1-2)")
UFLDL_TUTORIAL = Citation(
    "A. Ng, J. Ngiam, C. Y. Foo, Y. Mai, C. Suen",
    "UFLDL Tutorial",
    "Backpropagation Algorithm",
    "http://ufldl.stanford.edu/wiki/index.php/Backpropagation_Algorithm",
)

NIELSEN = Notation(
    name="nielsen",
    description="Nielsen's book (ch. 2) and the Notes on Neural Networks: W^l_{jk} from neuron k of layer l-1 to "
    "neuron j of layer l, the input is layer 0",
    citation=NIELSEN_BOOK,
    symbols=COMMON,
    indices=("j", "k"),
    input_index="k",
)

BLOG = Notation(
    name="blog",
    description="the blog post Gradient descent and backpropagation: transposed weights, w^l_{ij} from neuron i of "
    "layer l-1 to neuron j of layer l, z^l = (w^l)^T a^{l-1} + b^l",
    citation=BLOG_POST,
    symbols={**COMMON, "weight": latin("w"), "function": latin("a")},  # the blog writes a(·) and a'(z)
    transposed=True,
    indices=("i", "j"),
    input_index="j",
)

UFLDL = Notation(
    name="ufldl",
    description="the UFLDL tutorial: layers numbered from 1 (the input) to n_l, W^{(l)}_{ij} from neuron j of "
    "layer l to neuron i of layer l+1, widths s_l, the cost J",
    citation=UFLDL_TUTORIAL,
    symbols={**COMMON, "width": latin("s"), "cost": latin("J")},
    input_layer=1,
    weight_offset=-1,
    layer_style="parenthesised",
    indices=("i", "j"),
    input_index="j",
    output_layer=Spelling("n_l", "n_l", "n_l"),
)

#: Every notation symbackprop speaks, by name (the spec's ``notation`` field takes these names).
NOTATIONS: dict[str, Notation] = {n.name: n for n in (NIELSEN, BLOG, UFLDL)}


def names() -> tuple[str, ...]:
    """The names of the catalogue's notations, in catalogue order."""
    return tuple(NOTATIONS)


def get(name: str) -> Notation:
    """The notation called ``name``; a ValueError naming the valid ones otherwise."""
    try:
        return NOTATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown notation {name!r}; valid: {', '.join(NOTATIONS)}") from None


def register(notation: Notation) -> Notation:
    """Add ``notation`` to the catalogue (its closed forms are registered in :mod:`symbackprop.closed_forms`)."""
    if notation.name in NOTATIONS and NOTATIONS[notation.name] != notation:
        raise ValueError(f"a different notation called {notation.name!r} is already in the catalogue")
    NOTATIONS[notation.name] = notation
    return notation


def unregister(name: str) -> None:
    NOTATIONS.pop(name, None)


@contextlib.contextmanager
def registered(notation: Notation) -> Iterator[Notation]:
    """The catalogue with ``notation`` in it for the duration of the block (for tests and experiments)."""
    register(notation)
    try:
        yield notation
    finally:
        unregister(notation.name)
