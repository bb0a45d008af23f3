"""The computations of BP2–BP4 and ∇_x C for each way a text lays out its weights.

A text fixes three things the computation depends on: which layer's δ a weight
matrix goes with (W^l feeds layer l, or W^{(l)} feeds layer l+1 as in UFLDL),
whether the weights are stored transposed (w^l of shape (n_{l-1}, n_l), used as
(w^l)^T a), and whether vectors are columns or rows (z = a W + b). Each layout
below is a table of recipes; a notation's module states them in its own letters
(:func:`symbackprop.closed_forms.forms.state`), so two texts that compute the
same thing share one computation and differ only in what they write.

* :data:`COLUMNS` — z^l = W^l a^{l-1} + b^l (Nielsen, the notes, deeplearning.ai, Bishop,
  Goodfellow et al., 3Blue1Brown).
* :data:`FROM_LAYER` — z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)} (UFLDL, Ng's Machine Learning course).
* :data:`TRANSPOSED` — z^l = (w^l)^T a^{l-1} + b^l (the blog).
* :data:`ROWS` — z^l = a^{l-1} W^l + b^l with row vectors (NumPy code, CS231n).
"""

from __future__ import annotations

from symbackprop.closed_forms.recipe import recipe
from symbackprop.closed_forms.shared import SHARED, first_layer, first_weights, layer_sum, row
from symbackprop.network.concrete import hadamard

# -- W^l feeds layer l, column vectors -----------------------------------------------------------


@recipe("δ^l = ((W^{l+1})^T δ^{l+1}) ⊙ f'(z^l)", "BP2")
def bp2_columns(net, l):
    return hadamard(net.W(l + 1).T * net.delta(l + 1), net.fprime(l))


@recipe("∂C/∂b^l = δ^l", "BP3")
def bp3_same_layer(net, l):
    return net.delta(l)


@recipe("∂C/∂W^l = δ^l (a^{l-1})^T", "BP4")
def bp4_columns(net, l):
    return net.delta(l) * net.a(l - 1).T


@recipe("∇_x C = (W^1)^T δ^1")
def input_gradient_columns(net):
    return net.W(first_weights(net)).T * net.delta(first_layer(net))


@recipe("δ^l_j = Σ_k W^{l+1}_{kj} δ^{l+1}_k f'(z^l_j)")
def bp2_columns_component(net, l, j):
    k = net.index("k")
    return layer_sum(net.W(l + 1)[k, j] * net.delta(l + 1)[k], k, net.width(l + 1)) * net.fprime(l)(j)


@recipe("∂C/∂b^l_j = δ^l_j")
def bp3_same_layer_component(net, l, j):
    return net.delta(l)[j]


@recipe("∂C/∂W^l_{jk} = a^{l-1}_k δ^l_j")
def bp4_columns_component(net, l, j, k):
    return net.a(l - 1)[k] * net.delta(l)[j]


@recipe("∂C/∂x_k = Σ_j W^1_{jk} δ^1_j")
def input_gradient_columns_component(net, k):
    j = net.index("j")
    return layer_sum(net.W(first_weights(net))[j, k] * net.delta(first_layer(net))[j], j, net.width(first_layer(net)))


COLUMNS = dict(
    SHARED,
    bp2=bp2_columns,
    bp3=bp3_same_layer,
    bp4=bp4_columns,
    input_gradient=input_gradient_columns,
    bp2_component=bp2_columns_component,
    bp3_component=bp3_same_layer_component,
    bp4_component=bp4_columns_component,
    input_gradient_component=input_gradient_columns_component,
)

# -- W^{(l)} feeds layer l+1 (UFLDL), column vectors -----------------------------------------------------


@recipe("δ^{(l)} = ((W^{(l)})^T δ^{(l+1)}) ⊙ f'(z^{(l)})")
def bp2_from_layer(net, l):
    return hadamard(net.W(l).T * net.delta(l + 1), net.fprime(l))


@recipe("∂C/∂b^{(l)} = δ^{(l+1)}")
def bp3_from_layer(net, l):
    return net.delta(l + 1)


@recipe("∂C/∂W^{(l)} = δ^{(l+1)} (a^{(l)})^T")
def bp4_from_layer(net, l):
    return net.delta(l + 1) * net.a(l).T


@recipe("δ^{(l)}_i = (Σ_j W^{(l)}_{ji} δ^{(l+1)}_j) f'(z^{(l)}_i)")
def bp2_from_layer_component(net, l, i):
    j = net.index("j")
    return layer_sum(net.W(l)[j, i] * net.delta(l + 1)[j], j, net.width(l + 1)) * net.fprime(l)(i)


@recipe("∂C/∂b^{(l)}_i = δ^{(l+1)}_i")
def bp3_from_layer_component(net, l, i):
    return net.delta(l + 1)[i]


@recipe("∂C/∂W^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i")
def bp4_from_layer_component(net, l, i, j):
    return net.a(l)[j] * net.delta(l + 1)[i]


FROM_LAYER = dict(
    COLUMNS,
    bp2=bp2_from_layer,
    bp3=bp3_from_layer,
    bp4=bp4_from_layer,
    bp2_component=bp2_from_layer_component,
    bp3_component=bp3_from_layer_component,
    bp4_component=bp4_from_layer_component,
)

# -- transposed weights w^l (n_{l-1} x n_l), column vectors ---------------------------------------------


@recipe("δ^l = w^{l+1} δ^{l+1} ⊙ f'(z^l)")
def bp2_transposed(net, l):
    return hadamard(net.W(l + 1) * net.delta(l + 1), net.fprime(l))


@recipe("∂C/∂w^l = a^{l-1} (δ^l)^T")
def bp4_transposed(net, l):
    return net.a(l - 1) * net.delta(l).T


@recipe("∇_x C = w^1 δ^1")
def input_gradient_transposed(net):
    return net.W(first_weights(net)) * net.delta(first_layer(net))


@recipe("δ^l_i = Σ_j w^{l+1}_{ij} δ^{l+1}_j f'(z^l_i)")
def bp2_transposed_component(net, l, i):
    j = net.index("j")
    return layer_sum(net.W(l + 1)[i, j] * net.delta(l + 1)[j], j, net.width(l + 1)) * net.fprime(l)(i)


@recipe("∂C/∂w^l_{ij} = a^{l-1}_i δ^l_j")
def bp4_transposed_component(net, l, i, j):
    return net.a(l - 1)[i] * net.delta(l)[j]


@recipe("∂C/∂x_i = Σ_j w^1_{ij} δ^1_j")
def input_gradient_transposed_component(net, i):
    j = net.index("j")
    return layer_sum(net.W(first_weights(net))[i, j] * net.delta(first_layer(net))[j], j, net.width(first_layer(net)))


TRANSPOSED = dict(
    COLUMNS,
    bp2=bp2_transposed,
    bp4=bp4_transposed,
    input_gradient=input_gradient_transposed,
    bp2_component=bp2_transposed_component,
    bp4_component=bp4_transposed_component,
    input_gradient_component=input_gradient_transposed_component,
)

# -- row vectors, z^l = a^{l-1} W^l + b^l ------------------------------------------------------------------


@recipe("δ^L = ∇_a C ⊙ f'(z^L), rows")
def bp1_rows(net):
    return hadamard(row(net.grad_a()), row(net.fprime(net.L)))


@recipe("δ^L = ∇_a C J_f(z^L), rows")
def bp1_jacobian_rows(net):
    return row(net.grad_a()) * net.jacobian(net.L)


@recipe("δ^l = (δ^{l+1} (W^{l+1})^T) ⊙ f'(z^l)")
def bp2_rows(net, l):
    return hadamard(row(net.delta(l + 1)) * net.W(l + 1).T, row(net.fprime(l)))


@recipe("∂C/∂b^l = δ^l")
def bp3_rows(net, l):
    return row(net.delta(l))


@recipe("∂C/∂W^l = (a^{l-1})^T δ^l")
def bp4_rows(net, l):
    return row(net.a(l - 1)).T * row(net.delta(l))


@recipe("∂C/∂x = δ^1 (W^1)^T")
def input_gradient_rows(net):
    return row(net.delta(first_layer(net))) * net.W(first_weights(net)).T


ROWS = dict(
    TRANSPOSED,
    bp1=bp1_rows,
    bp1_jacobian=bp1_jacobian_rows,
    bp2=bp2_rows,
    bp3=bp3_rows,
    bp4=bp4_rows,
    input_gradient=input_gradient_rows,
)

#: Each layout by the name a notation gives it (:attr:`symbackprop.notation.model.Notation.layout`).
BY_NAME = {"columns": COLUMNS, "from_layer": FROM_LAYER, "transposed": TRANSPOSED, "rows": ROWS}
