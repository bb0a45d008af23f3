"""The batch cost's terms, built in one place: the average over the examples and the L2 weight decay.

C = (1/m) Σ_x C_x + coefficient · Σ_l Σ W², where the coefficient is λ/2 in
the batch scale (UFLDL: (λ/2) Σ W²) or λ/(2n) in the dataset scale (Nielsen
ch. 3: (λ/2n) Σ w², n the training-set size). Biases are never decayed. The
gradient's share of the L2 term is ``decay · W``, decay = λ or λ/n.

Every stage that needs these terms asks here: the symbolic networks, the
numeric cross-check, the closed forms, the proofs, the documents and the
generated module.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from symbackprop.spec.model import Regularization

#: λ, the L2 weight-decay coefficient, and n, the training-set size (Nielsen ch. 3).
LAMBDA = sp.Symbol("lambda", positive=True)
TRAINING_SET_SIZE = sp.Symbol("n", positive=True, integer=True)
#: η, the learning rate of a gradient-descent step (α in UFLDL).
ETA = sp.Symbol("eta", positive=True)


class BatchSum(sp.Sum):
    """Σ over the examples x of a mini-batch B, as the documents write it: ``Σ_{x ∈ B} C_x`` (the printers
    dispatch on this class), not ``Σ_{x=1}^{m}``, which would use the input x as a counter. Its one limit is
    ``(x, 1, m)``, m the batch size."""


def has_l2(reg: Regularization | None) -> bool:
    """Whether the cost has a (nonzero) L2 term."""
    return reg is not None and reg.l2 != 0


def l2_coefficient(reg: Regularization | None) -> sp.Expr:
    """The coefficient of Σ W² in the cost: λ/2 (batch scale), λ/(2n) (dataset scale), or 0."""
    if reg is None:
        return sp.Integer(0)
    return LAMBDA / 2 if reg.scale == "batch" else LAMBDA / (2 * TRAINING_SET_SIZE)


def decay(reg: Regularization | None) -> sp.Expr:
    """The coefficient of W in ∂C/∂W from the L2 term: λ (batch scale), λ/n (dataset scale), or 0."""
    return 2 * l2_coefficient(reg)


def l2_term(reg: Regularization | None, weights: Iterable[Iterable[sp.Expr]]) -> sp.Expr:
    """The L2 term of the cost: the coefficient times the sum of every weight's square (biases never)."""
    coefficient = l2_coefficient(reg)
    if coefficient == 0:
        return sp.Integer(0)
    return coefficient * sp.Add(*[w**2 for W in weights for w in W])


def batch_cost(example_costs: list[sp.Expr], reg: Regularization | None, weights) -> sp.Expr:
    """C = (1/m) Σ_x C_x + the L2 term, for the costs C_x of a batch of m examples."""
    return sp.Add(*example_costs) / len(example_costs) + l2_term(reg, weights)


def number(expr: sp.Expr, reg: Regularization | None, n: int | None = None) -> float:
    """A coefficient (in λ and n) as a number: λ from the spec (0 without L2) and the training-set size ``n``."""
    values = {LAMBDA: 0 if reg is None else sp.nsimplify(reg.l2)}
    if n is not None:
        values[TRAINING_SET_SIZE] = n
    return float(sp.sympify(expr).subs(values))


def with_lambda(expr: sp.Expr, reg: Regularization | None) -> sp.Expr:
    """``expr`` with λ replaced by the spec's value (n left a symbol)."""
    return sp.sympify(expr).subs(LAMBDA, 0 if reg is None else sp.nsimplify(reg.l2))
