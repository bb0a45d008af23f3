"""Symbolic differentiation at symbolic widths: a derivation for every width at once.

The all-widths counterpart of :mod:`symbackprop.derivation.layered`, on the
:class:`~symbackprop.network.indexed.IndexedNetwork`: layer sums are ``Sum``s
over ``Indexed`` components, ``sympy.diff`` of a sum with respect to one
component gives Kronecker deltas, and :func:`~symbackprop.network.indexed.resolve`
sums them away (the blog's "all the other terms become 0").
"""

from __future__ import annotations

import sympy as sp

from symbackprop.network.indexed import IndexedNetwork, resolve
from symbackprop.network.sites import Site


def _chain(net: IndexedNetwork, k: int, upstream: sp.IndexedBase, variable: sp.Expr) -> sp.Expr:
    """Σ_r upstream_r ∂z^k_r/∂variable, summed over layer k's neurons, with the deltas summed away."""
    r = sp.Symbol("r_sum", integer=True)
    local = resolve(sp.diff(net.z_expression(k, r), variable).doit(), net.ranges)
    return resolve(sp.Sum(upstream[r] * local, (r, 1, net.widths[k])).doit(), net.ranges)


def output_delta(net: IndexedNetwork, j: sp.Symbol) -> sp.Expr:
    """δ^L_j = ∂C_x/∂z^L_j."""
    return resolve(sp.diff(net.example_cost(), net.z[net.depth][j]).doit(), net.ranges)


def hidden_delta(net: IndexedNetwork, k: int, j: sp.Symbol) -> sp.Expr:
    """δ^k_j = Σ_r δ^{k+1}_r ∂z^{k+1}_r/∂z^k_j."""
    return _chain(net, k + 1, net.deltas[k + 1], net.z[k][j])


def bias_gradient(net: IndexedNetwork, k: int, j: sp.Symbol) -> sp.Expr:
    """∂C_x/∂b^k_j = Σ_r δ^k_r ∂z^k_r/∂b^k_j."""
    return _chain(net, k, net.deltas[k], net.biases[k][j])


def weight_gradient(net: IndexedNetwork, k: int, p: sp.Symbol, q: sp.Symbol) -> sp.Expr:
    """∂C_x/∂W^k_{pq} (entry (p, q) in the notation's layout) = Σ_r δ^k_r ∂z^k_r/∂W^k_{pq}."""
    return _chain(net, k, net.deltas[k], net.weights[k][p, q])


def input_gradient(net: IndexedNetwork, q: sp.Symbol) -> sp.Expr:
    """∂C_x/∂x_q = Σ_r δ^1_r ∂z^1_r/∂x_q."""
    return _chain(net, 1, net.deltas[1], net.x[q])


#: The names of the fresh indices of each site's component (the entry of W is (p, q)).
INDEX_NAMES = {"BP1": ("j",), "BP2": ("j",), "BP3": ("j",), "BP4": ("p", "q"), "input_gradient": ("q",)}


def site_indices(net: IndexedNetwork, site: Site) -> tuple[sp.Symbol, ...]:
    """Fresh indices for a site's component, each ranging over the layer its dimension is."""
    return tuple(net.index(name, dim) for name, dim in zip(INDEX_NAMES[site.equation], site.dims))


def derived(net: IndexedNetwork, site: Site, indices: tuple) -> sp.Expr:
    """The derived component at an equation site, at symbolic widths."""
    if site.equation == "BP1":
        return output_delta(net, *indices)
    if site.equation == "BP2":
        return hidden_delta(net, site.k, *indices)
    if site.equation == "BP3":
        return bias_gradient(net, site.k, *indices)
    if site.equation == "BP4":
        return weight_gradient(net, site.k, *indices)
    return input_gradient(net, *indices)
