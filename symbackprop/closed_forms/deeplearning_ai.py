"""The closed forms of the Deep Learning Specialization, course 1: examples as columns, Z^{[l]} = W^{[l]} A^{[l-1]}
+ b^{[l]}, dZ per example (no 1/m), the 1/m in dW and db, dA^{[l-1]} = W^{[l]T} dZ^{[l]}, * elementwise."""

from __future__ import annotations

from symbackprop.closed_forms import layouts
from symbackprop.closed_forms.forms import register, state

DEEPLEARNING_AI_FORMS = register(
    state(
        "deeplearning_ai",
        layouts.COLUMNS,
        {
            "bp1": ("dZ^{[L]} = dA^{[L]} * g^{[L]}'(Z^{[L]})", "deeplearning.ai, eq. (11) at the output"),
            "bp1_jacobian": ("dZ^{[L]} = J_g(Z^{[L]})^T dA^{[L]}", "eq. (11) with the Jacobian (softmax)"),
            "bp2": ("dZ^{[l]} = W^{[l+1]T} dZ^{[l+1]} * g^{[l]}'(Z^{[l]})", "deeplearning.ai, eqs. (10) and (11)"),
            "bp3": ("db^{[l]} = dZ^{[l]} (one example)", "deeplearning.ai, eq. (9)"),
            "bp4": ("dW^{[l]} = dZ^{[l]} A^{[l-1]T} (one example)", "deeplearning.ai, eq. (8)"),
            "input_gradient": ("dA^{[0]} = W^{[1]T} dZ^{[1]}", "deeplearning.ai, eq. (10) at the input"),
            "batch_weight_gradient": ("dW^{[l]} = (1/m) dZ^{[l]} A^{[l-1]T} + λW^{[l]}", "deeplearning.ai, eq. (8)"),
            "batch_bias_gradient": ("db^{[l]} = (1/m) Σ_{i=1}^m dZ^{[l](i)}", "deeplearning.ai, eq. (9)"),
            "bp1_component": ("dZ^{[L]}_j = dA^{[L]}_j g^{[L]}'(Z^{[L]}_j)", "eq. (11) at the output"),
            "bp2_component": ("dZ^{[l]}_j = Σ_k W^{[l+1]}_{kj} dZ^{[l+1]}_k g^{[l]}'(Z^{[l]}_j)", "eqs. (10) and (11)"),
            "bp3_component": ("db^{[l]}_j = dZ^{[l]}_j", "eq. (9), one example"),
            "bp4_component": ("dW^{[l]}_{jk} = dZ^{[l]}_j A^{[l-1]}_k", "eq. (8), one example"),
            "input_gradient_component": ("dA^{[0]}_k = Σ_j W^{[1]}_{jk} dZ^{[1]}_j", "eq. (10) at the input"),
        },
    )
)
