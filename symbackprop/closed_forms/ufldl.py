"""UFLDL's closed forms, as the Q&A quotes them: layers numbered from 1, W^{(l)}_{ij} from neuron j of layer l
to neuron i of layer l+1, so W^{(l)} and b^{(l)} go with δ^{(l+1)}."""

from __future__ import annotations

from symbackprop.closed_forms.forms import ClosedForms, register
from symbackprop.closed_forms.recipe import recipe
from symbackprop.closed_forms.shared import NOTES, QA, SHARED, first_layer, first_weights, layer_sum
from symbackprop.network.concrete import hadamard


@recipe("δ^{(l)} = ((W^{(l)})^T δ^{(l+1)}) ⊙ f'(z^{(l)})")
def bp2(net, l):
    return hadamard(net.W(l).T * net.delta(l + 1), net.fprime(l))


@recipe("∂J/∂b^{(l)} = δ^{(l+1)}")
def bp3(net, l):
    return net.delta(l + 1)


@recipe("∂J/∂W^{(l)} = δ^{(l+1)} (a^{(l)})^T, i.e. ∂J/∂W^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i")
def bp4(net, l):
    return net.delta(l + 1) * net.a(l).T


@recipe("∇_x J = (W^{(1)})^T δ^{(2)}")
def input_gradient(net):
    return net.W(first_weights(net)).T * net.delta(first_layer(net))


@recipe("δ^{(l)}_i = (Σ_j W^{(l)}_{ji} δ^{(l+1)}_j) f'(z^{(l)}_i)", "the Q&A")
def bp2_component(net, l, i):
    j = net.index("j")
    return layer_sum(net.W(l)[j, i] * net.delta(l + 1)[j], j, net.width(l + 1)) * net.fprime(l)(i)


@recipe("∂J/∂b^{(l)}_i = δ^{(l+1)}_i", "the Q&A")
def bp3_component(net, l, i):
    return net.delta(l + 1)[i]


@recipe("∂J/∂W^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i", "the Q&A")
def bp4_component(net, l, i, j):
    return net.a(l)[j] * net.delta(l + 1)[i]


@recipe("∂J/∂x_k = Σ_j W^{(1)}_{jk} δ^{(2)}_j")
def input_gradient_component(net, k):
    j = net.index("j")
    return layer_sum(net.W(first_weights(net))[j, k] * net.delta(first_layer(net))[j], j, net.width(first_layer(net)))


UFLDL_FORMS = register(
    ClosedForms(
        notation="ufldl",
        bp2=bp2,
        bp3=bp3,
        bp4=bp4,
        input_gradient=input_gradient,
        bp2_component=bp2_component,
        bp3_component=bp3_component,
        bp4_component=bp4_component,
        input_gradient_component=input_gradient_component,
        sources={
            "BP1": QA + ": δ^{(n_l)}_i = −(y_i − a^{(n_l)}_i) f'(z^{(n_l)}_i) for the squared error",
            "BP2": QA,
            "BP3": QA,
            "BP4": QA,
            "input_gradient": NOTES + ", in UFLDL's numbering",
            "batch": QA + ": ∂J/∂W = [(1/m) Σ ∂J_i/∂W] + λW, no decay on b",
        },
        **SHARED,
    )
)
