"""Bishop's closed forms (*Pattern Recognition and Machine Learning*, §5.3): a_j = Σ_i w_ji z_i is the weighted
input, z_j = h(a_j) the activation, δ_j ≡ ∂E_n/∂a_j, the error E_n, targets t."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

BISHOP_FORMS = register(
    state(
        "bishop",
        layouts.COLUMNS,
        {
            "bp1": ("δ_k = h'(a_k) ∂E_n/∂y_k", "Bishop §5.3.1 (δ_k = y_k − t_k for the canonical pairs, (5.54))"),
            "bp1_jacobian": ("δ_k = Σ_l ∂y_l/∂a_k ∂E_n/∂y_l", "Bishop (5.55) at the outputs (softmax)"),
            "bp2": ("δ_j = h'(a_j) Σ_k w_kj δ_k", "Bishop (5.56)"),
            "bp3": ("∂E_n/∂w_j0 = δ_j (z_0 = 1)", "Bishop (5.53) for a bias"),
            "bp4": ("∂E_n/∂w_ji = δ_j z_i", "Bishop (5.53)"),
            "input_gradient": ("∂E_n/∂x_i = Σ_j w_ji δ_j", "Bishop (5.73), the input's share"),
            "batch_weight_gradient": (
                "∂E/∂w_ji = (1/N) Σ_n ∂E_n/∂w_ji + λw_ji",
                "Bishop (5.57), averaged here (Bishop sums over n)",
            ),
            "batch_bias_gradient": ("∂E/∂w_j0 = (1/N) Σ_n ∂E_n/∂w_j0", "Bishop (5.57), averaged; biases not decayed"),
            "bp1_component": ("δ_k = h'(a_k) ∂E_n/∂y_k", "Bishop §5.3.1"),
            "bp2_component": ("δ_j = h'(a_j) Σ_k w_kj δ_k", "Bishop (5.56)"),
            "bp3_component": ("∂E_n/∂w_j0 = δ_j", "Bishop (5.53) with z_0 = 1"),
            "bp4_component": ("∂E_n/∂w_ji = δ_j z_i", "Bishop (5.53)"),
            "input_gradient_component": ("∂E_n/∂x_i = Σ_j w_ji δ_j", "Bishop (5.73)"),
        },
    )
)
