"""The proofs of BP3 and BP4 (the parameters' gradients), of the input gradient, and of the batch's averaging
and weight decay."""

from __future__ import annotations

import sympy as sp

from symbackprop.derivation import indexed as derive_indexed
from symbackprop.network import cost as cost_terms
from symbackprop.network import indexed
from symbackprop.notation import symbols
from symbackprop.printing.latex import latex
from symbackprop.teach.hidden_layer import rename_sum
from symbackprop.teach.matrix_forms import MatrixView
from symbackprop.teach.steps import Context, Proof, Step, deltas_in, m, vanishing
from symbackprop.timing import simplifies_to_zero

# -- BP3, BP4, ∇_x C --------------------------------------------------------------------------------


def parameter_proof(ctx: Context, equation: str, k: int, parameter, current, closed, title: str, why: str) -> Proof:
    """∂C_x/∂θ = Σ_r δ^k_r ∂z^k_r/∂θ, for θ a bias, a weight or an input (k = 1)."""
    net = ctx.net
    r = ctx.letter("r", k)
    z, d = net.z[k], net.deltas[k]
    n = net.widths[k]
    forward = net.z_expression(k, r)
    local = sp.diff(forward, parameter)
    collapsed = indexed.resolve(local.doit(), net.ranges)
    final = indexed.resolve(sp.Sum(d[r] * collapsed, (r, 1, n)).doit(), net.ranges)
    steps = [
        Step(
            sp.Sum(
                sp.Derivative(ctx.cost, z[r], evaluate=False) * sp.Derivative(z[r], parameter, evaluate=False),
                (r, 1, n),
            ),
            f"Chain rule: {m(parameter)} enters ${ctx.Cx}$ only through the weighted inputs {m(z[r])} of layer "
            f"{m(ctx.named(k))}.",
        ),
        Step(sp.Sum(d[r] * sp.Derivative(z[r], parameter, evaluate=False), (r, 1, n)), f"Definition of {m(d[r])}."),
        Step(sp.Sum(d[r] * local, (r, 1, n)), f"Forward pass: {m(z[r])} $=$ {m(forward)}; {why}"),
    ]
    if collapsed != local:
        steps.append(
            Step(
                sp.Sum(d[r] * collapsed, (r, 1, n)),
                f"The inner bracket sums away, so {m(sp.Derivative(z[r], parameter, evaluate=False))} $=$ "
                f"{m(collapsed)}.",
            )
        )
    if final != steps[-1].rhs:
        steps.append(Step(final, f"Only the term {surviving(collapsed, r)} of the sum survives."))
    if equation == "input_gradient":
        derived = derive_indexed.input_gradient(net, current)
    elif equation == "BP3":
        derived = derive_indexed.bias_gradient(net, k, current)
    else:
        derived = derive_indexed.weight_gradient(net, k, *current)
    if not ctx.same(final, closed):
        steps.append(Step(closed, "Reordered."))
    checked = ctx.same(final, derived) and ctx.same(final, closed)
    return Proof(
        equation,
        ctx.wlabel(k) if equation != "input_gradient" else ctx.label(0),
        title,
        sp.Derivative(ctx.cost, parameter, evaluate=False),
        tuple(steps),
        checked,
        "",
    )


def surviving(expr: sp.Expr, r: sp.Symbol) -> str:
    for d in deltas_in(expr):
        other = [a for a in d.args if a != r]
        if other:
            return m(sp.Eq(r, other[0]))
    return ""


def bp3(ctx: Context, k: int) -> Proof:
    net = ctx.net
    j = ctx.letter(ctx.first, k)
    b = net.biases[k]
    proof = parameter_proof(
        ctx,
        "BP3",
        k,
        b[j],
        j,
        ctx.forms.bp3_component(ctx.view, ctx.nt.weight_layer(k), j),
        f"BP3: the biases ${latex(b)}$",
        f"{m(b[j])} appears only in {m(net.z[k][j])}, with coefficient 1: the bracket "
        f"{vanishing(sp.diff(net.z_expression(k, sp.Symbol('r', integer=True)), b[j]))}.",
    )
    view = MatrixView(ctx)
    expr = ctx.forms.bp3(view, ctx.nt.weight_layer(k))
    matrix = f"\\frac{{\\partial {ctx.Cx}}}{{\\partial {latex(b)}}} = {latex(expr.e)}", view.shapes(expr)
    return with_matrix(proof, "This is BP3; in matrix form:", matrix)


def bp4(ctx: Context, k: int) -> Proof:
    net, nt = ctx.net, ctx.nt
    rows, cols = (k - 1, k) if nt.transposed else (k, k - 1)
    p, q = ctx.letter(ctx.first, rows), ctx.letter(ctx.second, cols)
    W = net.weights[k]
    to, frm = (q, p) if nt.transposed else (p, q)
    r = sp.Symbol("r", integer=True)
    proof = parameter_proof(
        ctx,
        "BP4",
        k,
        W[p, q],
        (p, q),
        ctx.forms.bp4_component(ctx.view, nt.weight_layer(k), p, q),
        f"BP4: the weights ${latex(W)}$",
        f"{m(W[p, q])} (from neuron {m(frm)} of layer {m(ctx.named(k - 1))} to neuron {m(to)} of layer "
        f"{m(ctx.named(k))}) appears only in {m(net.z[k][to])}, multiplying {m(net.a(k - 1, frm))}: the brackets "
        f"{vanishing(sp.diff(net.z_expression(k, r), W[p, q]))}.",
    )
    view = MatrixView(ctx)
    expr = ctx.forms.bp4(view, nt.weight_layer(k))
    matrix = (
        f"\\frac{{\\partial {ctx.Cx}}}{{\\partial {latex(W)}}} = {latex(expr.e)}",
        view.shapes(expr) + f", \\text{{the shape of }} {latex(W)}",
    )
    return with_matrix(proof, "This is BP4; in matrix form (an outer product):", matrix)


def input_gradient(ctx: Context) -> Proof:
    net = ctx.net
    q = ctx.letter(ctx.second, 0)
    proof = parameter_proof(
        ctx,
        "input_gradient",
        1,
        net.x[q],
        q,
        rename_sum(ctx.forms.input_gradient_component(ctx.view, q), ctx.letter("r", 1)),
        f"The input gradient $\\nabla_x {ctx.Cx}$",
        f"the input {m(net.x[q])} multiplies {m(net.weights[1][sp.Symbol('r'), q] if not ctx.nt.transposed else net.weights[1][q, sp.Symbol('r')])} in every {m(net.z[1][sp.Symbol('r')])}: the bracket "  # noqa: E501
        f"{vanishing(sp.diff(net.z_expression(1, sp.Symbol('r', integer=True)), net.x[q]))}.",
    )
    view = MatrixView(ctx)
    expr = ctx.forms.input_gradient(view)
    matrix = f"\\nabla_x {ctx.Cx} = {latex(expr.e)}", view.shapes(expr)
    return with_matrix(proof, f"In matrix form (the transpose of the row vector $d{ctx.Cx}/dx$):", matrix)


def with_matrix(proof: Proof, conclusion: str, matrix: tuple[str, str]) -> Proof:
    from dataclasses import replace

    return replace(proof, conclusion=conclusion, matrix=matrix)


def regularization(ctx: Context) -> Proof:
    """∂C/∂W of the batch cost: the average of the examples' gradients, plus λW (or λW/n) from the L2 term."""
    reg, nt = ctx.spec.regularization, ctx.nt
    p, q = sp.Symbol(ctx.first, integer=True), sp.Symbol(ctx.second, integer=True)
    from symbackprop.teach.handout import training_set_letter

    u, v = sp.Symbol("u", integer=True), sp.Symbol("v", integer=True)
    into, out, label = nt.general_layers()  # the weights of a general layer: its widths bound the sum
    rows, cols = nt.weight_shape(symbols.width(nt, into), symbols.width(nt, out))
    ctx.net.ranges.update({p: (sp.Integer(1), rows), q: (sp.Integer(1), cols)})
    W, b = symbols.indexed(nt, "weight", label), symbols.indexed(nt, "bias", label)
    size = {cost_terms.TRAINING_SET_SIZE: sp.Symbol(training_set_letter(nt), integer=True, positive=True)}
    coefficient = cost_terms.l2_coefficient(reg).xreplace(size) if cost_terms.has_l2(reg) else sp.Integer(0)
    term = coefficient * sp.Sum(W[u, v] ** 2, (u, 1, rows), (v, 1, cols))
    m_ = sp.Symbol(nt.spell("examples", "latex"), positive=True, integer=True)  # m (3Blue1Brown's n)
    x = sp.Symbol("x", integer=True)
    average = cost_terms.BatchSum(sp.Derivative(ctx.cost, W[p, q], evaluate=False), (x, 1, m_)) / m_
    cost = cost_terms.BatchSum(ctx.cost, (x, 1, m_)) / m_ + term
    derivative = sp.diff(term, W[p, q])
    decay = indexed.resolve(derivative.doit(), ctx.net.ranges)
    intro = (
        f"The batch cost is ${ctx.C} = {latex(cost, long_frac_ratio=1)}$, the average of the examples' costs ${ctx.Cx}$"
    )
    if coefficient == 0:
        steps = [Step(average, intro + "; the derivative of an average is the average of the derivatives.")]
    else:
        norm = f"\\| {latex(symbols.indexed(nt, 'weight', nt.layer_letter))} \\|^2"
        whole = cost_terms.BatchSum(ctx.cost, (x, 1, m_)) / m_
        weights = latex(symbols.quantity(nt, "weight", label))
        decay_words = (
            f"The batch cost is ${ctx.C} = {latex(whole, long_frac_ratio=1)} + {latex(coefficient)} "
            f"\\sum_{{{nt.layer_letter}}} {norm}$, the average of the examples' costs ${ctx.Cx}$ plus the weight "
            f"decay of every layer's weights (no biases in it). Of the decay, only the squares of ${weights}$'s own "
            f"entries contain ${latex(W[p, q])}$ (the first term below); the other layers' weights are constants "
            "here. Differentiate term by term."
        )
        steps = [Step(average + sp.Derivative(term, W[p, q], evaluate=False), decay_words)]
        steps.append(
            Step(
                average + derivative,
                f"Differentiate the weight-decay sum: the brackets {vanishing(derivative)}.",
            )
        )
        steps.append(Step(average + decay, "Only the entry itself survives."))
    checked = simplifies_to_zero(decay - ctx.forms.decay(ctx.spec).xreplace(size) * W[p, q])
    if coefficient != 0:
        conclusion = (
            f"The biases are not in the weight-decay term (its derivative with respect to ${latex(b[p])}$ is "
            f"${latex(sp.diff(term, b[p]))}$), so $\\partial {ctx.C} / \\partial b$ is the average of the examples' "
            f"$\\partial {ctx.Cx} / \\partial b$."
        )
    else:
        conclusion = (
            f"In the same way $\\partial {ctx.C} / \\partial b$ is the average of the examples' "
            f"$\\partial {ctx.Cx} / \\partial b$."
        )
    return Proof(
        "L2" if coefficient != 0 else "batch",
        "l",
        "The batch: averaging" + (" and weight decay" if coefficient != 0 else ""),
        sp.Derivative(symbols.quantity(nt, "cost"), W[p, q], evaluate=False),
        tuple(steps),
        checked,
        conclusion,
    )
