"""What the closed forms of every notation share: BP1 (Hadamard and Jacobian forms), the batch cost's recipes,
and small helpers that read like the texts (the first layer, a sum over a layer's neurons, a row vector)."""

from __future__ import annotations

import operator
from functools import reduce

import sympy as sp

from symbackprop.closed_forms.recipe import recipe
from symbackprop.network import cost as cost_terms
from symbackprop.network.concrete import hadamard
from symbackprop.spec.model import Spec


@recipe("δ^L = ∇_a C ⊙ f'(z^L)", "BP1")
def bp1_hadamard(net):
    return hadamard(net.grad_a(), net.fprime(net.L))


@recipe("δ^L = J_f(z^L)^T ∇_a C, which holds for softmax too")
def bp1_jacobian(net):
    return net.jacobian(net.L).T * net.grad_a()


@recipe("δ^L_j = ∂C/∂a^L_j · f'(z^L_j)", "BP1, component form")
def bp1_hadamard_component(net, j):
    return net.grad_a(j) * net.fprime(net.L)(j)


@recipe("δ^L_j = Σ_k ∂a^L_k/∂z^L_j · ∂C/∂a^L_k: BP1 through the Jacobian (softmax)")
def bp1_jacobian_component(net, j):
    k = net.index("k")
    return layer_sum(net.jacobian(net.L)(k, j) * net.grad_a(k), k, net.width(net.L))


@recipe("the coefficient of W in ∂C/∂W from the L2 term: λ (the batch scale, (λ/2) Σ W²) or λ/n (the dataset scale)")
def decay(spec: Spec) -> sp.Expr:
    return cost_terms.decay(spec.regularization)


@recipe("∂C/∂W = (1/m) Σ_x ∂C_x/∂W + λW")
def batch_weight_gradient(per_example, W, decay):
    return reduce(operator.add, per_example) / len(per_example) + decay * W


@recipe("∂C/∂b = (1/m) Σ_x ∂C_x/∂b: biases are not decayed")
def batch_bias_gradient(per_example, b, decay):
    return reduce(operator.add, per_example) / len(per_example)


@recipe("∇_{x_i} C = (1/m) ∇_x C_{x_i}: only example i's cost depends on x_i")
def batch_input_gradient(per_example, e):
    return per_example[e] / len(per_example)


def first_layer(net) -> int:
    """The number the net's notation gives the first layer after the input (1, or 2 when the input is layer 1)."""
    return net.notation.layer(1)


def first_weights(net) -> int:
    """The number the net's notation gives the weights from the input to the first layer."""
    return net.notation.weight_layer(1)


def layer_sum(term, index, width):
    """Σ_{index=1}^{width} term: a sum over a layer's neurons."""
    return sp.Sum(term, (index, 1, width))


def row(vector):
    """A vector of one example as a row-vector text writes it (the views hold columns)."""
    return vector.T


#: The recipes every notation's closed forms take from here.
SHARED = dict(
    bp1=bp1_hadamard,
    bp1_jacobian=bp1_jacobian,
    bp1_component=bp1_hadamard_component,
    bp1_jacobian_component=bp1_jacobian_component,
    decay=decay,
    batch_weight_gradient=batch_weight_gradient,
    batch_bias_gradient=batch_bias_gradient,
    batch_input_gradient=batch_input_gradient,
)
