"""The closed forms of the row-vector convention (NumPy code, CS231n's case study): examples as rows,
z^l = a^{l-1} W^l + b^l with W^l of shape (n_{l-1}, n_l), dW = (a^{l-1})^T δ^l, dX = δ^1 (W^1)^T."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

ROWS_FORMS = register(
    state(
        "rows",
        layouts.ROWS,
        {
            "bp1": ("δ^L = ∇_a C ⊙ f'(z^L)", "CS231n: dscores"),
            "bp1_jacobian": ("δ^L = ∇_a C J_f(z^L)", "CS231n: dscores through the softmax's Jacobian"),
            "bp2": ("δ^l = (δ^{l+1} (W^{l+1})^T) ⊙ f'(z^l)", "CS231n: dhidden = dscores W2^T, then the ReLU's mask"),
            "bp3": ("∂C/∂b^l = δ^l", "CS231n: db = Σ over the rows of δ"),
            "bp4": ("∂C/∂W^l = (a^{l-1})^T δ^l", "CS231n: dW2 = hidden^T dscores"),
            "input_gradient": ("∂C/∂x = δ^1 (W^1)^T", "CS231n: dX = dhidden W^T"),
            "batch_weight_gradient": ("dW = (1/m) A^T Δ + λW", "CS231n: dW = X^T dhidden; dW += reg W"),
            "batch_bias_gradient": ("db = (1/m) Σ_rows Δ", "CS231n: db = np.sum(dhidden, axis=0)"),
            "bp1_component": ("δ^L_j = ∂C/∂a^L_j f'(z^L_j)", "CS231n"),
            "bp2_component": ("δ^l_i = Σ_j δ^{l+1}_j W^{l+1}_{ij} f'(z^l_i)", "CS231n, by components"),
            "bp3_component": ("∂C/∂b^l_j = δ^l_j", "CS231n"),
            "bp4_component": ("∂C/∂W^l_{ij} = a^{l-1}_i δ^l_j", "CS231n, by components"),
            "input_gradient_component": ("∂C/∂x_i = Σ_j δ^1_j W^1_{ij}", "CS231n, by components"),
        },
        rows=True,
    )
)
