"""The three notations: layer numbering, weight layout and the forward map.

Each notation is the one a source text uses (``../shared/sources``):

* ``nielsen`` — Nielsen ch. 2 and the "Notes on Neural Networks": layers
  0..L, z^l = W^l a^{l-1} + b^l, W^l_{jk} from neuron k of layer l-1 to
  neuron j of layer l, so W^l has shape (n_l, n_{l-1}).
* ``blog`` — "Gradient descent and backpropagation": layers 0..L,
  z^l = (w^l)^T a^{l-1} + b^l, w^l_{ij} from neuron i of layer l-1 to neuron j
  of layer l, so w^l has shape (n_{l-1}, n_l).
* ``ufldl`` — the UFLDL tutorial as quoted in the Q&A: layers numbered from 1
  (the input) to n_l, z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}, W^{(l)}_{ij} from
  neuron j of layer l to neuron i of layer l+1, shape (s_{l+1}, s_l).

Internally every module counts layers as Nielsen does (0 = input, L = output;
the weights of layer k map layer k-1 to layer k). A :class:`Notation` turns
that internal number into the number the reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Notation:
    """How one source text numbers layers and lays out weights."""

    name: str
    source: str
    weight_symbol: str  # "W" or "w"
    first_layer: int  # the number of the input layer: 0, or 1 in UFLDL
    weight_offset: int  # internal weights k are called (k + weight_offset)
    transposed: bool  # weights stored (n_in, n_out) and used as w^T a
    parenthesised: bool  # layer numbers written as ^{(l)}

    def layer(self, k: int) -> int:
        """The notation's number of internal layer k (0 = input)."""
        return k + self.first_layer

    def internal_layer(self, l: int) -> int:
        return l - self.first_layer

    def weight_layer(self, k: int) -> int:
        """The notation's number of the weights that feed internal layer k."""
        return k + self.weight_offset

    def internal_weight_layer(self, l: int) -> int:
        return l - self.weight_offset

    def weight_shape(self, n_in: int, n_out: int) -> tuple[int, int]:
        return (n_in, n_out) if self.transposed else (n_out, n_in)

    def weight_index(self, to: int, frm: int) -> tuple[int, int]:
        """The (row, column) of the weight from neuron ``frm`` to neuron ``to``."""
        return (frm, to) if self.transposed else (to, frm)

    def forward(self, weights: sp.Matrix, a_prev: sp.Matrix, bias: sp.Matrix) -> sp.Matrix:
        """z = W a + b (nielsen, ufldl) or z = w^T a + b (blog)."""
        if self.transposed:
            return weights.T * a_prev + bias
        return weights * a_prev + bias


NIELSEN = Notation(
    name="nielsen",
    source="Nielsen, Neural Networks and Deep Learning, ch. 2; 'Notes on Neural Networks' (000_f4dc41a85bfd2bd8)",
    weight_symbol="W",
    first_layer=0,
    weight_offset=0,
    transposed=False,
    parenthesised=False,
)

BLOG = Notation(
    name="blog",
    source="'Gradient descent and backpropagation' (002_c050cfbe07672c37)",
    weight_symbol="w",
    first_layer=0,
    weight_offset=0,
    transposed=True,
    parenthesised=False,
)

UFLDL = Notation(
    name="ufldl",
    source="UFLDL tutorial as quoted in the Q&A (001_3bee8259296666ff)",
    weight_symbol="W",
    first_layer=1,
    weight_offset=0,
    transposed=False,
    parenthesised=True,
)

NOTATIONS: dict[str, Notation] = {n.name: n for n in (NIELSEN, BLOG, UFLDL)}
