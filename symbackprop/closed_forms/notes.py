"""The Notes on Neural Networks' closed forms: the input x is layer 0, W^l_{ij} from neuron j of layer l-1 to
neuron i of layer l, f^l, the Hadamard product ∘, ∇_x C as the transpose of the covector dC/dx."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

NOTES_FORMS = register(
    state(
        "notes",
        layouts.COLUMNS,
        {
            "bp1": ("δ^L = (f^L)' ∘ ∇_{a^L} C", "the notes, the closed form of δ^l at l = L"),
            "bp1_jacobian": ("δ^L = (da^L/dz^L)^T ∇_{a^L} C", "the notes' chain, with the Jacobian for softmax"),
            "bp2": ("δ^{l-1} = (f^{l-1})' ∘ (W^l)^T δ^l", "the notes, the recursion of δ"),
            "bp3": ("∇_{b^l} C = δ^l", "the notes: the bias gradient is δ^l"),
            "bp4": ("∇_{W^l} C = δ^l (a^{l-1})^T", "the notes"),
            "input_gradient": ("∇_x C = (dC/dx)^T = (W^1)^T δ^1", "the notes: the transpose of the covector dC/dx"),
            "batch_weight_gradient": (
                "∇_W C = (1/m) Σ_x ∇_W C_x + λW",
                "the batch cost (the notes have one example)",
            ),
            "batch_bias_gradient": (
                "∇_b C = (1/m) Σ_x ∇_b C_x",
                "the batch cost (the notes have one example)",
            ),
            "bp1_component": ("δ^L_i = (f^L)'(z^L_i) ∂C/∂a^L_i", "the notes"),
            "bp2_component": ("δ^{l-1}_j = (f^{l-1})'(z^{l-1}_j) Σ_i W^l_{ij} δ^l_i", "the notes, by components"),
            "bp3_component": ("∂C/∂b^l_i = δ^l_i", "the notes"),
            "bp4_component": ("∂C/∂W^l_{ij} = δ^l_i a^{l-1}_j", "the notes: g_{ij} = δ^l_i a^{l-1}_j"),
            "input_gradient_component": ("∂C/∂x_j = Σ_i W^1_{ij} δ^1_i", "the notes, by components"),
        },
    )
)
