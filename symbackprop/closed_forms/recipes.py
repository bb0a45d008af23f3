"""The closed forms BP1–BP4 and ∇_x C, one small recipe each, per notation.

Each recipe reads like its source text, with the text's own layer numbers:
``net.W(l)``, ``net.delta(l)``, ``net.a(l)``, ``net.fprime(l)`` are W^l, δ^l,
a^l and f'(z^l) as the text writes them (UFLDL's W^{(l)} and δ^{(l+1)}
included). Matrix forms take a :class:`~symbackprop.network.concrete.ExampleView`
(concrete widths); component forms take an
:class:`~symbackprop.network.indexed.IndexedView` (symbolic widths) and the
component's indices.

The verifier never trusts these: it derives every gradient by symbolic
differentiation and checks that the recipe gives the same thing. To test the
verifier, a recipe can be swapped for a wrong one with
``dataclasses.replace(NIELSEN_FORMS, bp2=...)``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

import sympy as sp

from symbackprop.network.concrete import LAMBDA, TRAINING_SET_SIZE, hadamard
from symbackprop.spec.load import Spec

NOTES = "'Notes on Neural Networks' (000_f4dc41a85bfd2bd8)"
QA = "UFLDL Q&A (001_3bee8259296666ff)"
BLOG_POST = "'Gradient descent and backpropagation' (002_c050cfbe07672c37)"
DESIGN = "DESIGN.md §1"


@dataclass(frozen=True)
class ClosedForms:
    """The closed forms of one notation, matrix form and component form."""

    notation: str
    # matrix forms, one example (BP1, BP2 in Hadamard form; BP1 also with the Jacobian)
    bp1: Callable
    bp1_jacobian: Callable
    bp2: Callable
    bp3: Callable
    bp4: Callable
    input_gradient: Callable
    # the batch cost C = (1/m) Σ_x C_x + L2 term
    decay: Callable[[Spec], sp.Expr]
    batch_weight_gradient: Callable
    batch_bias_gradient: Callable
    batch_input_gradient: Callable
    # component forms
    bp1_component: Callable
    bp1_jacobian_component: Callable
    bp2_component: Callable
    bp3_component: Callable
    bp4_component: Callable
    input_gradient_component: Callable
    sources: dict[str, str]


# -- shared by the three notations -------------------------------------------------------------


def bp1_hadamard(net):
    """δ^L = ∇_a C ⊙ f'(z^L)  (BP1; Nielsen ch. 2, the blog's matrix form)."""
    return hadamard(net.grad_a(), net.fprime(net.L))


def bp1_jacobian(net):
    """δ^L = J_f(z^L)^T ∇_a C, which holds for softmax too (the blog's footnote 4)."""
    return net.jacobian(net.L).T * net.grad_a()


def bp1_hadamard_component(net, j):
    """δ^L_j = ∂C/∂a^L_j · f'(z^L_j)  (BP1, component form)."""
    return net.grad_a(j) * net.fprime(net.L)(j)


def bp1_jacobian_component(net, j):
    """δ^L_j = Σ_k ∂a^L_k/∂z^L_j · ∂C/∂a^L_k: BP1 through the Jacobian (softmax)."""
    k = net.index("k")
    return _sum(net.jacobian(net.L)(k, j) * net.grad_a(k), k, net.width(net.L))


def decay(spec: Spec) -> sp.Expr:
    """The coefficient of W in ∂C/∂W from the L2 term: λ (UFLDL: (λ/2)ΣW²) or λ/n (Nielsen ch. 3)."""
    reg = spec.regularization
    if reg is None:
        return sp.Integer(0)
    return LAMBDA if reg.scale == "batch" else LAMBDA / TRAINING_SET_SIZE


def batch_weight_gradient(per_example, W, decay):
    """∂J/∂W = [(1/m) Σ_i ∂J_i/∂W] + λW  (the UFLDL Q&A; Nielsen ch. 3 with λ/n)."""
    return reduce(operator.add, per_example) / len(per_example) + decay * W


def batch_bias_gradient(per_example, b, decay):
    """∂J/∂b = (1/m) Σ_i ∂J_i/∂b: biases are not decayed (the UFLDL Q&A)."""
    return reduce(operator.add, per_example) / len(per_example)


def batch_input_gradient(per_example, e):
    """∇_{x_i} C = (1/m) ∇_x C_{x_i}: only example i's cost depends on x_i."""
    return per_example[e] / len(per_example)


def _sum(term, index, width):
    return sp.Sum(term, (index, 1, width))


# -- nielsen: W^l_{jk} from k in layer l-1 to j in layer l -------------------------------------


def nielsen_bp2(net, l):
    """δ^l = ((W^{l+1})^T δ^{l+1}) ⊙ f'(z^l)  (BP2)."""
    return hadamard(net.W(l + 1).T * net.delta(l + 1), net.fprime(l))


def nielsen_bp3(net, l):
    """∂C/∂b^l = δ^l  (BP3)."""
    return net.delta(l)


def nielsen_bp4(net, l):
    """∂C/∂W^l = δ^l (a^{l-1})^T, i.e. ∂C/∂W^l_{jk} = a^{l-1}_k δ^l_j  (BP4; the notes' ∇_{W^l} C)."""
    return net.delta(l) * net.a(l - 1).T


def nielsen_input_gradient(net):
    """∇_x C = (W^1)^T δ^1  (the notes: the transpose of the covector dC/dx)."""
    return net.W(1).T * net.delta(1)


def nielsen_bp2_component(net, l, j):
    """δ^l_j = Σ_k W^{l+1}_{kj} δ^{l+1}_k f'(z^l_j)."""
    k = net.index("k")
    return _sum(net.W(l + 1)[k, j] * net.delta(l + 1)[k], k, net.width(l + 1)) * net.fprime(l)(j)


def nielsen_bp3_component(net, l, j):
    """∂C/∂b^l_j = δ^l_j."""
    return net.delta(l)[j]


def nielsen_bp4_component(net, l, j, k):
    """∂C/∂W^l_{jk} = a^{l-1}_k δ^l_j."""
    return net.a(l - 1)[k] * net.delta(l)[j]


def nielsen_input_gradient_component(net, k):
    """∂C/∂x_k = Σ_j W^1_{jk} δ^1_j."""
    j = net.index("j")
    return _sum(net.W(1)[j, k] * net.delta(1)[j], j, net.width(1))


# -- blog: w^l_{ij} from i in layer l-1 to j in layer l, z^l = (w^l)^T a^{l-1} + b^l ----------


def blog_bp2(net, l):
    """δ^l = w^{l+1} δ^{l+1} ⊙ a'(z^l)  (BP2, the blog's matrix form)."""
    return hadamard(net.W(l + 1) * net.delta(l + 1), net.fprime(l))


def blog_bp4(net, l):
    """∂C/∂w^l = a^{l-1} (δ^l)^T  (BP4, the blog's matrix form)."""
    return net.a(l - 1) * net.delta(l).T


def blog_input_gradient(net):
    """∇_x C = w^1 δ^1."""
    return net.W(1) * net.delta(1)


def blog_bp2_component(net, l, i):
    """δ^l_i = Σ_j w^{l+1}_{ij} δ^{l+1}_j a'(z^l_i)  (BP2, the blog's component form)."""
    j = net.index("j")
    return _sum(net.W(l + 1)[i, j] * net.delta(l + 1)[j], j, net.width(l + 1)) * net.fprime(l)(i)


def blog_bp4_component(net, l, i, j):
    """∂C/∂w^l_{ij} = a^{l-1}_i δ^l_j  (BP4, the blog's component form)."""
    return net.a(l - 1)[i] * net.delta(l)[j]


def blog_input_gradient_component(net, i):
    """∂C/∂x_i = Σ_j w^1_{ij} δ^1_j."""
    j = net.index("j")
    return _sum(net.W(1)[i, j] * net.delta(1)[j], j, net.width(1))


# -- ufldl: layers from 1, W^{(l)}_{ij} from j in layer l to i in layer l+1 --------------------


def ufldl_bp2(net, l):
    """δ^{(l)} = ((W^{(l)})^T δ^{(l+1)}) ⊙ f'(z^{(l)})."""
    return hadamard(net.W(l).T * net.delta(l + 1), net.fprime(l))


def ufldl_bp3(net, l):
    """∂J/∂b^{(l)} = δ^{(l+1)}."""
    return net.delta(l + 1)


def ufldl_bp4(net, l):
    """∂J/∂W^{(l)} = δ^{(l+1)} (a^{(l)})^T, i.e. ∂J/∂W^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i."""
    return net.delta(l + 1) * net.a(l).T


def ufldl_input_gradient(net):
    """∇_x J = (W^{(1)})^T δ^{(2)}."""
    return net.W(1).T * net.delta(2)


def ufldl_bp2_component(net, l, i):
    """δ^{(l)}_i = (Σ_j W^{(l)}_{ji} δ^{(l+1)}_j) f'(z^{(l)}_i)  (the Q&A)."""
    j = net.index("j")
    return _sum(net.W(l)[j, i] * net.delta(l + 1)[j], j, net.width(l + 1)) * net.fprime(l)(i)


def ufldl_bp3_component(net, l, i):
    """∂J/∂b^{(l)}_i = δ^{(l+1)}_i  (the Q&A)."""
    return net.delta(l + 1)[i]


def ufldl_bp4_component(net, l, i, j):
    """∂J/∂W^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i  (the Q&A)."""
    return net.a(l)[j] * net.delta(l + 1)[i]


def ufldl_input_gradient_component(net, k):
    """∂J/∂x_k = Σ_j W^{(1)}_{jk} δ^{(2)}_j."""
    j = net.index("j")
    return _sum(net.W(1)[j, k] * net.delta(2)[j], j, net.width(2))


_SHARED = dict(
    bp1=bp1_hadamard,
    bp1_jacobian=bp1_jacobian,
    bp1_component=bp1_hadamard_component,
    bp1_jacobian_component=bp1_jacobian_component,
    decay=decay,
    batch_weight_gradient=batch_weight_gradient,
    batch_bias_gradient=batch_bias_gradient,
    batch_input_gradient=batch_input_gradient,
)

NIELSEN_FORMS = ClosedForms(
    notation="nielsen",
    bp2=nielsen_bp2,
    bp3=nielsen_bp3,
    bp4=nielsen_bp4,
    input_gradient=nielsen_input_gradient,
    bp2_component=nielsen_bp2_component,
    bp3_component=nielsen_bp3_component,
    bp4_component=nielsen_bp4_component,
    input_gradient_component=nielsen_input_gradient_component,
    sources={
        "BP1": "Nielsen ch. 2 (BP1); " + BLOG_POST,
        "BP2": "Nielsen ch. 2 (BP2); " + NOTES,
        "BP3": "Nielsen ch. 2 (BP3); " + NOTES + ", Bias",
        "BP4": "Nielsen ch. 2 (BP4); " + NOTES,
        "input_gradient": NOTES,
        "batch": "Nielsen ch. 3, C = C_0 + (λ/2n) Σ w²; " + QA,
    },
    **_SHARED,
)

BLOG_FORMS = ClosedForms(
    notation="blog",
    bp2=blog_bp2,
    bp3=nielsen_bp3,
    bp4=blog_bp4,
    input_gradient=blog_input_gradient,
    bp2_component=blog_bp2_component,
    bp3_component=nielsen_bp3_component,
    bp4_component=blog_bp4_component,
    input_gradient_component=blog_input_gradient_component,
    sources={
        "BP1": BLOG_POST + ", BP1",
        "BP2": BLOG_POST + ", BP2",
        "BP3": BLOG_POST + ", BP3",
        "BP4": BLOG_POST + ", BP4",
        "input_gradient": NOTES + ", in the blog's transposed weights",
        "batch": BLOG_POST + ", C = (1/n) Σ C_x; " + QA,
    },
    **_SHARED,
)

UFLDL_FORMS = ClosedForms(
    notation="ufldl",
    bp2=ufldl_bp2,
    bp3=ufldl_bp3,
    bp4=ufldl_bp4,
    input_gradient=ufldl_input_gradient,
    bp2_component=ufldl_bp2_component,
    bp3_component=ufldl_bp3_component,
    bp4_component=ufldl_bp4_component,
    input_gradient_component=ufldl_input_gradient_component,
    sources={
        "BP1": QA + ": δ^{(n_l)}_i = −(y_i − a^{(n_l)}_i) f'(z^{(n_l)}_i) for the squared error",
        "BP2": QA,
        "BP3": QA,
        "BP4": QA,
        "input_gradient": NOTES + ", in UFLDL's numbering",
        "batch": QA + ": ∂J/∂W = [(1/m) Σ ∂J_i/∂W] + λW, no decay on b",
    },
    **_SHARED,
)

CLOSED_FORMS: dict[str, ClosedForms] = {f.notation: f for f in (NIELSEN_FORMS, BLOG_FORMS, UFLDL_FORMS)}
