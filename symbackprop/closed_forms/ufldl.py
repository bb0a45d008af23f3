"""UFLDL's closed forms, as the tutorial states them: layers numbered from 1, W^{(l)}_{ij} from neuron j of
layer l to neuron i of layer l+1, so W^{(l)} and b^{(l)} go with δ^{(l+1)}; the product •."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

UFLDL_FORMS = register(
    state(
        "ufldl",
        layouts.FROM_LAYER,
        {
            "bp1": (
                "δ^{(n_l)} = ∇_a J • f'(z^{(n_l)})",
                "UFLDL, step 2 (squared error: −(y − a^{(n_l)}) • f'(z^{(n_l)}))",
            ),
            "bp1_jacobian": ("δ^{(n_l)} = J_f(z^{(n_l)})^T ∇_a J", "UFLDL's step 2 with the Jacobian for softmax"),
            "bp2": ("δ^{(l)} = ((W^{(l)})^T δ^{(l+1)}) • f'(z^{(l)})", "UFLDL, step 3"),
            "bp3": ("∇_{b^{(l)}} J(W,b;x,y) = δ^{(l+1)}", "UFLDL, step 4"),
            "bp4": ("∇_{W^{(l)}} J(W,b;x,y) = δ^{(l+1)} (a^{(l)})^T", "UFLDL, step 4"),
            "input_gradient": ("∇_x J = (W^{(1)})^T δ^{(2)}", "step 3's product at the input (not in UFLDL)"),
            "batch_weight_gradient": (
                "∂J(W,b)/∂W^{(l)} = [(1/m) Σ_i ∂J(W,b;x^{(i)},y^{(i)})/∂W^{(l)}] + λW^{(l)}",
                "UFLDL, the batch gradient",
            ),
            "batch_bias_gradient": (
                "∂J(W,b)/∂b^{(l)} = (1/m) Σ_i ∂J(W,b;x^{(i)},y^{(i)})/∂b^{(l)}: no decay on b",
                "UFLDL, the batch gradient",
            ),
            "bp1_component": ("δ^{(n_l)}_i = ∂J/∂a^{(n_l)}_i f'(z^{(n_l)}_i)", "UFLDL, step 2"),
            "bp2_component": ("δ^{(l)}_i = (Σ_j W^{(l)}_{ji} δ^{(l+1)}_j) f'(z^{(l)}_i)", "UFLDL, step 3"),
            "bp3_component": ("∂J(W,b;x,y)/∂b^{(l)}_i = δ^{(l+1)}_i", "UFLDL, step 4"),
            "bp4_component": ("∂J(W,b;x,y)/∂W^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i", "UFLDL, step 4"),
            "input_gradient_component": ("∂J/∂x_j = Σ_i W^{(1)}_{ij} δ^{(2)}_i", "step 3's sum at the input"),
        },
    )
)
