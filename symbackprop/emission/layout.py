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
    def _letter(self) -> str:
        return self.notation.weight_symbol

    def _labelled(self, letter: str, layer: str) -> str:
        label = self.notation.label(layer)
        return f"{letter}^{label}" if len(label) == 1 or label[0] in "([" else f"{letter}^({label})"

    @property
    def _w(self) -> str:
        """The weights that feed layer l, as the notation numbers them: ``W^l``, ``W^(l-1)`` (UFLDL)."""
        return self._labelled(self._letter, "l" if self.notation.weight_offset == 0 else "l-1")

    @property
    def bias(self) -> str:
        """The biases of layer l, as the notation numbers them: ``b^l``, ``b^(l-1)`` (UFLDL)."""
        return self._labelled(self.notation.spell("bias"), "l" if self.notation.weight_offset == 0 else "l-1")

    @property
    def width_out(self) -> str:
        """The width of layer l: ``n_l``, ``s_l`` (UFLDL)."""
        return f"{self.notation.spell('width')}_l"

    @property
    def width_in(self) -> str:
        """The width of layer l-1: ``n_(l-1)``."""
        return f"{self.notation.spell('width')}_(l-1)"

    @property
    def rows(self) -> str:
        """The weights as one row per neuron, the left part of a block: ``W^l`` or ``(w^l)^T``."""
        return f"({self._w})^T" if self.notation.transposed else self._w

    @property
    def of_block(self) -> str:
        """The notation's weights as a view of a block: ``W^l = B^l[:, :-1]`` or ``w^l = B^l[:, :-1].T``."""
        return f"{self._w} = B^l[:, :-1]{self.view_suffix}"

    @property
    def view_suffix(self) -> str:
        """What turns a block's rows into the notation's weights: ``""`` or ``".T"``."""
        return ".T" if self.notation.transposed else ""

    @property
    def as_rows(self) -> str:
        """The matrix z^l = a^(l-1) M + b^l multiplies by when examples are rows: ``(W^l)^T`` or ``w^l``."""
        return self._w if self.notation.transposed else f"({self._w})^T"

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
        return self._letter if self.notation.transposed else f"{self._letter}^T"

    # -- the examples ---------------------------------------------------------------------------------
    @property
    def example_axis(self) -> int:
        """The axis of X and Y that counts the examples: 0 (one per row), 1 (one per column, deeplearning.ai)."""
        return 1 if self.notation.examples == "columns" else 0

    def batch_shape(self, width: int | str) -> str:
        """The shape of a batch of m examples of ``width`` values as the notation lays it out: ``(m, 784)``."""
        return f"({width}, m)" if self.example_axis else f"(m, {width})"

    def examples_text(self, n_in: int, n_out: int) -> str:
        """The module docstring's sentence on the shape of X and Y."""
        x = self.notation.spell("input")
        if self.example_axis:
            return (
                f"Examples are columns, as the {self.notation.name} notation writes {x}: X has shape "
                f"{self.batch_shape(n_in)}, Y has shape {self.batch_shape(n_out)}; forward() and input_gradient() "
                "return one column per example too (inside, each batch is a transposed view, one example per row)."
            )
        return f"Examples are rows: X has shape {self.batch_shape(n_in)}, Y has shape {self.batch_shape(n_out)}."

    @property
    def example_word(self) -> str:
        """``rows`` or ``columns``: what holds one example of X."""
        return "columns" if self.example_axis else "rows"

    @property
    def list_text(self) -> str:
        """``W^l, shape (n_l, n_(l-1)), one per layer after the input (nielsen notation)``."""
        return f"{self._w}, shape {self._shape}, one per layer after the input ({self.notation.name} notation)"

    @property
    def shape_text(self) -> str:
        """``Weights keep the notation's shape: W^l is (n_l, n_(l-1)).``"""
        return f"Weights keep the notation's shape: {self._w} is {self._shape}."

    @property
    def _shape(self) -> str:
        out, into = self.width_out, self.width_in
        return f"({into}, {out})" if self.notation.transposed else f"({out}, {into})"

    @property
    def forward(self) -> str:
        """The forward map of a general layer, as the notation writes it: ``z^l = W^l a^(l-1) + b^l``."""
        return self.notation.forward_text("unicode")

    @property
    def activation_step(self) -> str:
        """A general layer's activation: ``a^l = f^l(z^l)``, ``a^l = σ(z^l)``, ``h^(k) = f(a^(k))``."""
        return self.notation.activation_text("unicode")

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
