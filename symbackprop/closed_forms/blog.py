"""The blog post's closed forms: w^l_{ij} from neuron i of layer l-1 to neuron j of layer l,
z^l = (w^l)^T a^{l-1} + b^l (BP1 and BP3 as Nielsen's)."""

from __future__ import annotations

from symbackprop.closed_forms import nielsen
from symbackprop.closed_forms.forms import ClosedForms, register
from symbackprop.closed_forms.recipe import recipe
from symbackprop.closed_forms.shared import BLOG_POST, NOTES, QA, SHARED, first_layer, first_weights, layer_sum
from symbackprop.network.concrete import hadamard


@recipe("δ^l = w^{l+1} δ^{l+1} ⊙ a'(z^l)", "BP2, the blog's matrix form")
def bp2(net, l):
    return hadamard(net.W(l + 1) * net.delta(l + 1), net.fprime(l))


@recipe("∂C/∂w^l = a^{l-1} (δ^l)^T", "BP4, the blog's matrix form")
def bp4(net, l):
    return net.a(l - 1) * net.delta(l).T


@recipe("∇_x C = w^1 δ^1")
def input_gradient(net):
    return net.W(first_weights(net)) * net.delta(first_layer(net))


@recipe("δ^l_i = Σ_j w^{l+1}_{ij} δ^{l+1}_j a'(z^l_i)", "BP2, the blog's component form")
def bp2_component(net, l, i):
    j = net.index("j")
    return layer_sum(net.W(l + 1)[i, j] * net.delta(l + 1)[j], j, net.width(l + 1)) * net.fprime(l)(i)


@recipe("∂C/∂w^l_{ij} = a^{l-1}_i δ^l_j", "BP4, the blog's component form")
def bp4_component(net, l, i, j):
    return net.a(l - 1)[i] * net.delta(l)[j]


@recipe("∂C/∂x_i = Σ_j w^1_{ij} δ^1_j")
def input_gradient_component(net, i):
    j = net.index("j")
    return layer_sum(net.W(first_weights(net))[i, j] * net.delta(first_layer(net))[j], j, net.width(first_layer(net)))


BLOG_FORMS = register(
    ClosedForms(
        notation="blog",
        bp2=bp2,
        bp3=nielsen.bp3,
        bp4=bp4,
        input_gradient=input_gradient,
        bp2_component=bp2_component,
        bp3_component=nielsen.bp3_component,
        bp4_component=bp4_component,
        input_gradient_component=input_gradient_component,
        sources={
            "BP1": BLOG_POST + ", BP1",
            "BP2": BLOG_POST + ", BP2",
            "BP3": BLOG_POST + ", BP3",
            "BP4": BLOG_POST + ", BP4",
            "input_gradient": NOTES + ", in the blog's transposed weights",
            "batch": BLOG_POST + ", C = (1/n) Σ C_x; " + QA,
        },
        **SHARED,
    )
)
