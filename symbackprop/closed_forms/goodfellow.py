"""The closed forms of Goodfellow, Bengio and Courville's Algorithm 6.4 (*Deep Learning*, §6.5.4): a^{(k)} =
b^{(k)} + W^{(k)} h^{(k-1)}, h^{(k)} = f(a^{(k)}), the running gradient g, J = L(ŷ, y) + λΩ(θ)."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

GOODFELLOW_FORMS = register(
    state(
        "goodfellow",
        layouts.COLUMNS,
        {
            "bp1": ("g ← ∇_ŷ J; g ← ∇_{a^{(l)}} J = g ⊙ f'(a^{(l)})", "Goodfellow et al., Algorithm 6.4, first steps"),
            "bp1_jacobian": ("g ← ∇_{a^{(l)}} J = J_f(a^{(l)})^T ∇_ŷ J", "Algorithm 6.4 where f is not elementwise"),
            "bp2": ("g ← W^{(k+1)⊤} g; g ← ∇_{a^{(k)}} J = g ⊙ f'(a^{(k)})", "Goodfellow et al., Algorithm 6.4"),
            "bp3": ("∇_{b^{(k)}} L = g", "Goodfellow et al., Algorithm 6.4 (one example's loss)"),
            "bp4": ("∇_{W^{(k)}} L = g h^{(k-1)⊤}", "Goodfellow et al., Algorithm 6.4 (one example's loss)"),
            "input_gradient": ("g ← ∇_{h^{(0)}} J = W^{(1)⊤} g", "Algorithm 6.4's last step, at the input x = h^{(0)}"),
            "batch_weight_gradient": (
                "∇_{W^{(k)}} J = (1/m) Σ g h^{(k-1)⊤} + λ∇_{W^{(k)}} Ω(θ), Ω = ½ Σ W²",
                "Goodfellow et al., Algorithm 6.4 and §7.1.1",
            ),
            "batch_bias_gradient": (
                "∇_{b^{(k)}} J = (1/m) Σ g + λ∇_{b^{(k)}} Ω(θ), with ∇_b Ω = 0",
                "Goodfellow et al., Algorithm 6.4; §7.1: biases are not regularised",
            ),
            "bp1_component": ("g_i = ∂J/∂ŷ_i f'(a^{(l)}_i)", "Algorithm 6.4"),
            "bp2_component": ("g^{(k)}_j = (Σ_i W^{(k+1)}_{ij} g^{(k+1)}_i) f'(a^{(k)}_j)", "Algorithm 6.4"),
            "bp3_component": ("∂L/∂b^{(k)}_i = g^{(k)}_i", "Algorithm 6.4"),
            "bp4_component": ("∂L/∂W^{(k)}_{ij} = g^{(k)}_i h^{(k-1)}_j", "Algorithm 6.4"),
            "input_gradient_component": ("∂J/∂x_j = Σ_i W^{(1)}_{ij} g^{(1)}_i", "Algorithm 6.4's last step"),
        },
    )
)
