"""Symbolic differentiation of the network's cost, layer by layer.

Every gradient here is taken by ``sympy.diff``; the only rule used between
layers is the multivariable chain rule, in the form the blog's proofs use:
a quantity that the cost depends on only through the next layer's weighted
inputs z gets ∂C/∂q = Σ_r ∂C/∂z_r · ∂z_r/∂q. ∂C/∂z^{l+1} is the symbol
δ^{l+1} (the induction hypothesis), so no step writes out the nested cost.
Within a layer, only the summands of z that contain a variable are handed to
``sympy.diff`` (the sum rule: the others have derivative 0), which keeps a
layer's cost proportional to its connections.

Results are SymPy matrices in the notation's shapes (the weights' gradient
has the shape of the weights).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from symbackprop.network.concrete import SymbolicNetwork
from symbackprop.network.sites import Site


def pullback(upstream: Sequence[sp.Expr], outputs: Sequence[sp.Expr], variables: Sequence[sp.Symbol]) -> list:
    """Σ_r upstream_r · ∂outputs_r/∂v for every v: the chain rule through one map.

    Only the outputs that contain v are differentiated, which keeps a layer's
    cost proportional to its number of connections.
    """
    wanted = set(variables)
    terms: dict[sp.Symbol, list[sp.Expr]] = {v: [] for v in variables}
    for up, out in zip(upstream, outputs):
        for v, summands in _summands_by_variable(out, wanted).items():
            terms[v].append(up * sp.diff(sp.Add(*summands), v))
    return [sp.Add(*terms[v]) for v in variables]


def _summands_by_variable(expr: sp.Expr, wanted: set[sp.Symbol]) -> dict[sp.Symbol, list[sp.Expr]]:
    """For each wanted v in expr, the summands of expr that contain it: by the sum rule the others have
    derivative 0, so sympy.diff need not visit them (z^l_r = Σ_k W_rk a_k + b_r has n_{l-1} + 1 summands and
    each W_rk is in exactly one)."""
    found: dict[sp.Symbol, list[sp.Expr]] = {}
    for summand in sp.Add.make_args(expr):
        for v in summand.free_symbols & wanted:
            found.setdefault(v, []).append(summand)
    return found


def output_delta(net: SymbolicNetwork, e: int = 0) -> sp.Matrix:
    """δ^L = ∂C_x/∂z^L, differentiating the example's cost."""
    cost = net.example_cost(e)
    return sp.Matrix([sp.diff(cost, z) for z in net.layer(net.depth, e).z])


def hidden_delta(net: SymbolicNetwork, k: int, e: int = 0) -> sp.Matrix:
    """δ^k = ∂C_x/∂z^k for k < L, through z^{k+1} (a function of z^k) and δ^{k+1}."""
    upstream = net.layer(k + 1, e).delta
    return sp.Matrix(pullback(list(upstream), list(net.z_expression(k + 1, e)), list(net.layer(k, e).z)))


def _batch_pullback(net: SymbolicNetwork, k: int, variables: list[sp.Symbol]) -> list[sp.Expr]:
    """∂C/∂v for parameters v of layer k: Σ_x ∂C/∂C_x Σ_r δ^k_r ∂z^k_r/∂v, plus the L2 term's share."""
    total = [sp.diff(net.batch_cost, v) for v in variables]
    for e in net.example_indices:
        weight = sp.diff(net.batch_cost, net.example_costs[e])  # 1/m
        upstream = [weight * d for d in net.layer(k, e).delta]
        for i, term in enumerate(pullback(upstream, list(net.z_expression(k, e)), variables)):
            total[i] += term
    return total


def weight_gradient(net: SymbolicNetwork, k: int) -> sp.Matrix:
    """∂C/∂W^k of the batch cost, in the shape of the notation's weights."""
    W = net.weights[k - 1]
    flat = _batch_pullback(net, k, list(W))
    return sp.Matrix(W.rows, W.cols, flat)


def bias_gradient(net: SymbolicNetwork, k: int) -> sp.Matrix:
    """∂C/∂b^k of the batch cost."""
    return sp.Matrix(_batch_pullback(net, k, list(net.biases[k - 1])))


def input_gradient(net: SymbolicNetwork, e: int = 0) -> sp.Matrix:
    """∇_x C for example e: the transpose of the covector dC/dx (the notes)."""
    weight = sp.diff(net.batch_cost, net.example_costs[e])
    upstream = [weight * d for d in net.layer(1, e).delta]
    return sp.Matrix(pullback(upstream, list(net.z_expression(1, e)), list(net.inputs[e])))


def derived(net: SymbolicNetwork, site: Site, e: int | None) -> sp.Matrix:
    """The derived value at an equation site: δ^k of example e, ∂C/∂b^k or ∂C/∂W^k of the batch, or ∇_x C of e."""
    if site.equation == "BP1":
        return output_delta(net, e)
    if site.equation == "BP2":
        return hidden_delta(net, site.k, e)
    if site.equation == "BP3":
        return bias_gradient(net, site.k)
    if site.equation == "BP4":
        return weight_gradient(net, site.k)
    return input_gradient(net, e)


def example_gradient(net: SymbolicNetwork, site: Site, e: int) -> sp.Matrix:
    """∂C_x/∂b^k, ∂C_x/∂W^k or ∂C_x/∂x of one example e at a BP3, BP4 or input-gradient site: the chain rule
    through that example's z^k alone, without the batch's 1/m and L2 term."""
    if site.equation == "input_gradient":
        return sp.Matrix(pullback(list(net.layer(1, e).delta), list(net.z_expression(1, e)), list(net.a(0, e))))
    params = net.weights[site.k - 1] if site.equation == "BP4" else net.biases[site.k - 1]
    flat = pullback(list(net.layer(site.k, e).delta), list(net.z_expression(site.k, e)), list(params))
    return sp.Matrix(params.rows, params.cols, flat)
