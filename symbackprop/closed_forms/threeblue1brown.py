"""The closed forms of 3Blue1Brown's *Backpropagation calculus*: the chain rule at each layer, written as the
lesson writes its products of partials, w^{(L)}_{jk}, z^{(L)}, a^{(L)}, σ, the cost C_0."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

THREEBLUE1BROWN_FORMS = register(
    state(
        "threeblue1brown",
        layouts.COLUMNS,
        {
            "bp1": ("∂C_0/∂z^{(L)} = σ'(z^{(L)}) ⊙ ∂C_0/∂a^{(L)}", "3Blue1Brown: ∂a^{(L)}/∂z^{(L)} ∂C_0/∂a^{(L)}"),
            "bp1_jacobian": ("∂C_0/∂z^{(L)} = (∂a^{(L)}/∂z^{(L)})^T ∂C_0/∂a^{(L)}", "3Blue1Brown's chain, softmax"),
            "bp2": (
                "∂C_0/∂z^{(L-1)} = σ'(z^{(L-1)}) ⊙ (w^{(L)})^T ∂C_0/∂z^{(L)}",
                "3Blue1Brown: ∂C_0/∂a^{(L-1)} = Σ_j w^{(L)}_{jk} σ'(z^{(L)}_j) ∂C_0/∂a^{(L)}_j",
            ),
            "bp3": ("∂C_0/∂b^{(L)} = ∂z^{(L)}/∂b^{(L)} ∂C_0/∂z^{(L)}, with ∂z^{(L)}/∂b^{(L)} = 1", "3Blue1Brown"),
            "bp4": ("∂C_0/∂w^{(L)}_{jk} = a^{(L-1)}_k σ'(z^{(L)}_j) ∂C_0/∂a^{(L)}_j", "3Blue1Brown"),
            "input_gradient": ("∂C_0/∂a^{(0)} = (w^{(1)})^T ∂C_0/∂z^{(1)}", "3Blue1Brown's chain, at the input"),
            "batch_weight_gradient": (
                "∂C/∂w^{(L)} = (1/n) Σ_k ∂C_k/∂w^{(L)}",
                "3Blue1Brown: the average",
            ),
            "batch_bias_gradient": (
                "∂C/∂b^{(L)} = (1/n) Σ_k ∂C_k/∂b^{(L)}",
                "3Blue1Brown: the average",
            ),
            "bp1_component": ("∂C_0/∂z^{(L)}_j = σ'(z^{(L)}_j) ∂C_0/∂a^{(L)}_j", "3Blue1Brown"),
            "bp2_component": (
                "∂C_0/∂z^{(L-1)}_k = σ'(z^{(L-1)}_k) Σ_j w^{(L)}_{jk} ∂C_0/∂z^{(L)}_j",
                "3Blue1Brown: the sum over layer L",
            ),
            "bp3_component": ("∂C_0/∂b^{(L)}_j = ∂C_0/∂z^{(L)}_j", "3Blue1Brown"),
            "bp4_component": ("∂C_0/∂w^{(L)}_{jk} = a^{(L-1)}_k ∂C_0/∂z^{(L)}_j", "3Blue1Brown"),
            "input_gradient_component": ("∂C_0/∂a^{(0)}_k = Σ_j w^{(1)}_{jk} ∂C_0/∂z^{(1)}_j", "3Blue1Brown's sum"),
        },
    )
)
