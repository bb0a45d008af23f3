"""The blog post's closed forms: w^l_{ij} from neuron i of layer l-1 to neuron j of layer l,
z^l = (w^l)^T a^{l-1} + b^l, the activation function a(·)."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

BLOG_FORMS = register(
    state(
        "blog",
        layouts.TRANSPOSED,
        {
            "bp1": ("δ^L = ∇_a C_x ⊙ a'(z^L)", "the blog, BP1"),
            "bp1_jacobian": (
                "δ^L = J_a(z^L)^T ∇_a C_x",
                "the blog's footnote 4: BP1 as written does not hold for softmax; this form does",
            ),
            "bp2": ("δ^l = w^{l+1} δ^{l+1} ⊙ a'(z^l)", "the blog, BP2"),
            "bp3": ("∂C_x/∂b^l = δ^l", "the blog, BP3"),
            "bp4": ("∂C_x/∂w^l = a^{l-1} (δ^l)^T", "the blog, BP4"),
            "input_gradient": ("∇_x C_x = w^1 δ^1", "BP2's product at the input, in the blog's weights"),
            "batch_weight_gradient": ("∂C/∂w = (1/m) Σ_i ∂C_{x_i}/∂w + λw", "the blog's mini-batch estimate"),
            "batch_bias_gradient": ("∂C/∂b = (1/m) Σ_i ∂C_{x_i}/∂b", "the blog's mini-batch estimate"),
            "bp1_component": ("δ^L_i = ∂C_x/∂a^L_i a'(z^L_i)", "the blog, BP1"),
            "bp2_component": ("δ^l_i = Σ_j w^{l+1}_{ij} δ^{l+1}_j a'(z^l_i)", "the blog, BP2"),
            "bp3_component": ("∂C_x/∂b^l_i = δ^l_i", "the blog, BP3"),
            "bp4_component": ("∂C_x/∂w^l_{ij} = a^{l-1}_i δ^l_j", "the blog, BP4"),
            "input_gradient_component": ("∂C_x/∂x_i = Σ_j w^1_{ij} δ^1_j", "BP2's sum at the input"),
        },
    )
)
