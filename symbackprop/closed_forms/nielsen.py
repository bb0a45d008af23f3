"""Nielsen's closed forms, as ch. 2 and ch. 3 of *Neural Networks and Deep Learning* state them: the input is
layer 1, w^l_{jk} from neuron k of layer l-1 to neuron j of layer l, σ, C_x."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

NIELSEN_FORMS = register(
    state(
        "nielsen",
        layouts.COLUMNS,
        {
            "bp1": ("δ^L = ∇_a C ⊙ σ'(z^L)", "Nielsen ch. 2, BP1"),
            "bp1_jacobian": ("δ^L = Σ'(z^L)^T ∇_a C", "Nielsen ch. 2, eq. (33), with the full Jacobian for softmax"),
            "bp2": ("δ^l = ((w^{l+1})^T δ^{l+1}) ⊙ σ'(z^l)", "Nielsen ch. 2, BP2"),
            "bp3": ("∂C/∂b^l_j = δ^l_j", "Nielsen ch. 2, BP3"),
            "bp4": ("∂C/∂w^l_{jk} = a^{l-1}_k δ^l_j, i.e. ∂C/∂w^l = δ^l (a^{l-1})^T", "Nielsen ch. 2, BP4"),
            "input_gradient": ("∇_x C = (w^2)^T δ^2", "BP2's product at the input (not in Nielsen)"),
            "batch_weight_gradient": (
                "∂C/∂w = (1/m) Σ_x ∂C_x/∂w + (λ/n) w",
                "Nielsen ch. 3, eqs. (88) and (93)",
            ),
            "batch_bias_gradient": ("∂C/∂b = (1/m) Σ_x ∂C_x/∂b", "Nielsen ch. 3, eqs. (89) and (94)"),
            "bp1_component": ("δ^L_j = ∂C/∂a^L_j σ'(z^L_j)", "Nielsen ch. 2, BP1"),
            "bp2_component": ("δ^l_j = Σ_k w^{l+1}_{kj} δ^{l+1}_k σ'(z^l_j)", "Nielsen ch. 2, eq. (45)"),
            "bp3_component": ("∂C/∂b^l_j = δ^l_j", "Nielsen ch. 2, BP3"),
            "bp4_component": ("∂C/∂w^l_{jk} = a^{l-1}_k δ^l_j", "Nielsen ch. 2, BP4"),
            "input_gradient_component": ("∂C/∂x_k = Σ_j w^2_{jk} δ^2_j", "BP2's sum at the input (not in Nielsen)"),
        },
    )
)
