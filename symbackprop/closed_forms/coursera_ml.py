"""The closed forms of Ng's Machine Learning course (week 5 and ex4): layers from 1, Θ^{(l)} maps layer l to
layer l+1 with the biases as its column 0, g, the product .*, the accumulators Δ^{(l)} and the gradient D^{(l)}."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

COURSERA_ML_FORMS = register(
    state(
        "coursera_ml",
        layouts.FROM_LAYER,
        {
            "bp1": (
                "δ^{(L)} = ∇_a J .* g'(z^{(L)})",
                "the general BP1 (the course states a^{(L)} − y for its logistic output)",
            ),
            "bp1_jacobian": ("δ^{(L)} = J_g(z^{(L)})^T ∇_a J", "the general BP1 with the Jacobian (softmax)"),
            "bp2": ("δ^{(l)} = (Θ^{(l)})^T δ^{(l+1)} .* g'(z^{(l)})", "Ng, ML, step 3"),
            "bp3": ("Δ^{(l)}_{i0} := Δ^{(l)}_{i0} + δ^{(l+1)}_i (the bias unit a^{(l)}_0 = 1)", "Ng, ML, step 4"),
            "bp4": ("Δ^{(l)} := Δ^{(l)} + δ^{(l+1)} (a^{(l)})^T", "Ng, ML, step 4"),
            "input_gradient": ("∇_x J = (Θ^{(1)})^T δ^{(2)}", "step 3's product at the input (not in the course)"),
            "batch_weight_gradient": ("D^{(l)}_{ij} = (1/m) Δ^{(l)}_{ij} + λΘ^{(l)}_{ij} (j ≥ 1)", "Ng, ML, step 5"),
            "batch_bias_gradient": (
                "D^{(l)}_{i0} = (1/m) Δ^{(l)}_{i0}: no decay on column 0",
                "Ng, ML, step 5",
            ),
            "bp1_component": ("δ^{(L)}_i = ∂J/∂a^{(L)}_i g'(z^{(L)}_i)", "the general BP1"),
            "bp2_component": ("δ^{(l)}_i = (Σ_j Θ^{(l)}_{ji} δ^{(l+1)}_j) g'(z^{(l)}_i)", "Ng, ML, step 3"),
            "bp3_component": ("∂J/∂Θ^{(l)}_{i0} = δ^{(l+1)}_i", "Ng, ML: a^{(l)}_0 δ^{(l+1)}_i with a^{(l)}_0 = 1"),
            "bp4_component": ("∂J/∂Θ^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i", "Ng, ML, backpropagation algorithm"),
            "input_gradient_component": ("∂J/∂x_j = Σ_i Θ^{(1)}_{ij} δ^{(2)}_i", "step 3's sum at the input"),
        },
    )
)
