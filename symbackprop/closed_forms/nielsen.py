"""Nielsen's closed forms (and the Notes on Neural Networks'): W^l_{jk} from neuron k of layer l-1 to neuron j
of layer l, z^l = W^l a^{l-1} + b^l."""

from __future__ import annotations

from symbackprop.closed_forms.forms import ClosedForms, register
from symbackprop.closed_forms.recipe import recipe
from symbackprop.closed_forms.shared import BLOG_POST, NOTES, QA, SHARED, first_layer, first_weights, layer_sum
from symbackprop.network.concrete import hadamard


@recipe("δ^l = ((W^{l+1})^T δ^{l+1}) ⊙ f'(z^l)", "BP2")
def bp2(net, l):
    return hadamard(net.W(l + 1).T * net.delta(l + 1), net.fprime(l))


@recipe("∂C/∂b^l = δ^l", "BP3")
def bp3(net, l):
    return net.delta(l)


@recipe("∂C/∂W^l = δ^l (a^{l-1})^T, i.e. ∂C/∂W^l_{jk} = a^{l-1}_k δ^l_j", "BP4; the notes' ∇_{W^l} C")
def bp4(net, l):
    return net.delta(l) * net.a(l - 1).T


@recipe("∇_x C = (W^1)^T δ^1", "the notes: the transpose of the covector dC/dx")
def input_gradient(net):
    return net.W(first_weights(net)).T * net.delta(first_layer(net))


@recipe("δ^l_j = Σ_k W^{l+1}_{kj} δ^{l+1}_k f'(z^l_j)")
def bp2_component(net, l, j):
    k = net.index("k")
    return layer_sum(net.W(l + 1)[k, j] * net.delta(l + 1)[k], k, net.width(l + 1)) * net.fprime(l)(j)


@recipe("∂C/∂b^l_j = δ^l_j")
def bp3_component(net, l, j):
    return net.delta(l)[j]


@recipe("∂C/∂W^l_{jk} = a^{l-1}_k δ^l_j")
def bp4_component(net, l, j, k):
    return net.a(l - 1)[k] * net.delta(l)[j]


@recipe("∂C/∂x_k = Σ_j W^1_{jk} δ^1_j")
def input_gradient_component(net, k):
    j = net.index("j")
    return layer_sum(net.W(first_weights(net))[j, k] * net.delta(first_layer(net))[j], j, net.width(first_layer(net)))


NIELSEN_FORMS = register(
    ClosedForms(
        notation="nielsen",
        bp2=bp2,
        bp3=bp3,
        bp4=bp4,
        input_gradient=input_gradient,
        bp2_component=bp2_component,
        bp3_component=bp3_component,
        bp4_component=bp4_component,
        input_gradient_component=input_gradient_component,
        sources={
            "BP1": "Nielsen ch. 2 (BP1); " + BLOG_POST,
            "BP2": "Nielsen ch. 2 (BP2); " + NOTES,
            "BP3": "Nielsen ch. 2 (BP3); " + NOTES + ", Bias",
            "BP4": "Nielsen ch. 2 (BP4); " + NOTES,
            "input_gradient": NOTES,
            "batch": "Nielsen ch. 3, C = C_0 + (λ/2n) Σ w²; " + QA,
        },
        **SHARED,
    )
)
