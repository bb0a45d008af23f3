"""The prose of a generated module about its weights, in the spec's notation.

The module keeps the notation's shape of the weights (W^l of shape (n_l, n_{l-1}), or the blog's
transposed w^l of shape (n_{l-1}, n_l)) while its parameters live in one buffer of row-per-neuron blocks
[W | b]. What its docstrings and comments say about that comes from here, built from the
:class:`~symbackprop.notation.model.Notation`, so the template holds no notation conditional.
"""

from __future__ import annotations

from dataclasses import dataclass

from symbackprop.notation.model import Notation


@dataclass(frozen=True)
class Layout:
    """The texts that describe a notation's weights in a generated module (ASCII and Unicode as comments use)."""

    notation: Notation

    @property
    def _w(self) -> str:
        return self.notation.weight_symbol

    @property
    def rows(self) -> str:
        """The weights as one row per neuron, the left part of a block: ``W^l`` or ``(w^l)^T``."""
        return f"({self._w}^l)^T" if self.notation.transposed else f"{self._w}^l"

    @property
    def of_block(self) -> str:
        """The notation's weights as a view of a block: ``W^l = B^l[:, :-1]`` or ``w^l = B^l[:, :-1].T``."""
        return f"{self._w}^l = B^l[:, :-1]{self.view_suffix}"

    @property
    def view_suffix(self) -> str:
        """What turns a block's rows into the notation's weights: ``""`` or ``".T"``."""
        return ".T" if self.notation.transposed else ""

    @property
    def as_rows(self) -> str:
        """The matrix z^l = a^(l-1) M + b^l multiplies by when examples are rows: ``(W^l)^T`` or ``w^l``."""
        return f"{self._w}^l" if self.notation.transposed else f"({self._w}^l)^T"

    @property
    def back(self) -> str:
        """The matrix BP2 multiplies δ^l by when examples are rows: ``W^l`` or ``(w^l)^T``."""
        return self.rows

    @property
    def bp2_columns(self) -> str:
        """BP2's product as the notation writes it for columns: ``(W^l)^T δ^l`` or ``w^l δ^l``."""
        return f"{self.as_rows} δ^l"

    @property
    def first_product(self) -> str:
        """Layer 1's product as rows, a^0 M + b: ``W^T`` or ``w``."""
        return self._w if self.notation.transposed else f"{self._w}^T"

    @property
    def list_text(self) -> str:
        """``W^l, shape (n_l, n_(l-1)), one per layer after the input (nielsen notation)``."""
        shape = "(n_(l-1), n_l)" if self.notation.transposed else "(n_l, n_(l-1))"
        return f"{self._w}^l, shape {shape}, one per layer after the input ({self.notation.name} notation)"

    @property
    def shape_text(self) -> str:
        """``Weights keep the notation's shape: W^l is (n_l, n_(l-1)).``"""
        shape = "(n_(l-1), n_l)" if self.notation.transposed else "(n_l, n_(l-1))"
        return f"Weights keep the notation's shape: {self._w}^l is {shape}."

    @property
    def forward(self) -> str:
        """The forward map of a general layer, as the notation writes it: ``z^l = W^l a^(l-1) + b^l``."""
        return self.notation.forward_text("unicode").replace("^l-1", "^(l-1)")

    @property
    def activation_step(self) -> str:
        """A general layer's activation: ``a^l = f^l(z^l)``, ``a^l = σ(z^l)``, ``h^(k) = f(a^(k))``."""
        nt = self.notation
        _, out, _ = nt.general_labels()
        a, z = nt.spell("activation", "unicode"), nt.spell("weighted_input", "unicode")
        return f"{a}^{out} = {nt.function_head(nt.layer_letter, 0, 'unicode')}({z}^{out})"

    @property
    def input_activation(self) -> str:
        """The input as the notation's first activation: ``a^0``, ``a^1`` (Nielsen), ``a^(1)`` (UFLDL)."""
        return f"{self.notation.spell('activation', 'unicode')}^{self.notation.label(self.notation.layer(0))}"

    def layer_forward(self, weights: str, previous: str, bias: str) -> str:
        """One layer's forward map: ``W^2 a^1 + b^2``."""
        return f"({weights})^T {previous} + {bias}" if self.notation.transposed else f"{weights} {previous} + {bias}"

    def layer_block(self, weights: str, previous: str, bias: str) -> str:
        """One layer's product with its block: ``[a^1, 1] [W^2 | b^2]^T``."""
        rows = f"({weights})^T" if self.notation.transposed else weights
        return f"[{previous}, 1] [{rows} | {bias}]^T"

    def layer_block_gradient(self, weights: str, bias: str, delta: str, previous: str) -> str:
        """BP3 and BP4 of one layer as one product: ``[∂C/∂W^2 | ∂C/∂b^2] = (δ^2)^T [a^1, 1]``."""
        gradient = f"(∂C/∂{weights})^T" if self.notation.transposed else f"∂C/∂{weights}"
        return f"[{gradient} | ∂C/∂{bias}] = ({delta})^T [{previous}, 1]"
