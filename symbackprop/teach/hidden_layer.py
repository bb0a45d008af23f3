"""The proof of BP2, the error of a hidden layer from the next layer's."""

from __future__ import annotations

import sympy as sp

from symbackprop.derivation import indexed as derive_indexed
from symbackprop.network import indexed
from symbackprop.printing.latex import latex
from symbackprop.spec.functions import A, Z
from symbackprop.teach.matrix_forms import MatrixView
from symbackprop.teach.output_layer import in_terms_of_activation, readable_name
from symbackprop.teach.steps import Context, Proof, Step, display, m, vanishing

# -- BP2 -------------------------------------------------------------------------------------------


def bp2(ctx: Context, k: int) -> Proof:
    """δ^l_j through z^{l+1}, for internal layer k < L."""
    net = ctx.net
    j = ctx.letter(ctx.first, k)
    q = ctx.letter(ctx.second, k + 1)
    z, z_next, d_next = net.z[k], net.z[k + 1], net.deltas[k + 1]
    n = net.widths[k + 1]
    forward = net.z_expression(k + 1, q)
    local = sp.diff(forward, z[j])
    collapsed = indexed.resolve(local.doit(), net.ranges)
    steps = [
        Step(
            sp.Derivative(ctx.cost, z[j], evaluate=False),
            f"Definition of the error of neuron {m(j)} in layer {m(ctx.named(k))}.",
        ),
        Step(
            sp.Sum(
                sp.Derivative(ctx.cost, z_next[q], evaluate=False) * sp.Derivative(z_next[q], z[j], evaluate=False),
                (q, 1, n),
            ),
            f"Chain rule: ${ctx.Cx}$ depends on {m(z[j])} only through the next layer's weighted inputs "
            f"{m(z_next[q])}, {m(q)} $= 1, \\dots,$ {m(n)}.",
        ),
        Step(
            sp.Sum(d_next[q] * sp.Derivative(z_next[q], z[j], evaluate=False), (q, 1, n)),
            f"Definition of {m(d_next[q])}, the error of layer {m(ctx.named(k + 1))}.",
        ),
        Step(
            sp.Sum(d_next[q] * local, (q, 1, n)),
            f"Forward pass: {m(z_next[q])} $=$ {m(forward)}. The bias does not depend on {m(z[j])}, and "
            f"{ctx.f(k)} acts elementwise, so {m(net.a(k, sp.Symbol('u', integer=True)))} depends on {m(z[j])} "
            f"only when $u = {latex(j)}$: the bracket {vanishing(display(local))}.",
        ),
        Step(
            sp.Sum(d_next[q] * collapsed, (q, 1, n)),
            f"The bracket sums away: only the term $u = {latex(j)}$ survives, so "
            f"{m(sp.Derivative(z_next[q], z[j], evaluate=False))} $=$ {m(collapsed)}.",
        ),
    ]
    closed = ctx.forms.bp2_component(ctx.view, ctx.nt.layer(k), j)
    steps.append(Step(rename_sum(closed, q), f"{m(net.fprime(k, j))} does not depend on {m(q)}: it leaves the sum."))
    checked = ctx.same(steps[-2].rhs, derive_indexed.hidden_delta(net, k, j)) and ctx.same(steps[-2].rhs, closed)
    view = MatrixView(ctx)
    expr = ctx.forms.bp2(view, ctx.nt.layer(k))
    matrix = f"{latex(net.deltas[k])} = {latex(expr.e)}", view.shapes(expr)
    special = () if ctx.general else _activation_special(ctx, k, j, closed, q)
    return Proof(
        "BP2",
        ctx.label(k),
        f"BP2: the error of layer ${ctx.named(k)}$",
        net.deltas[k][j],
        tuple(steps),
        checked,
        "This is BP2 in component form; in matrix form:",
        matrix,
        special,
    )


def rename_sum(expr: sp.Expr, letter: sp.Symbol) -> sp.Expr:
    """A closed form's bound index renamed to ``letter``."""
    for s in expr.atoms(sp.Sum):
        ((var, lo, hi),) = s.limits
        expr = expr.xreplace({s: sp.Sum(s.function.xreplace({var: letter}), (letter, lo, hi))})
    return expr


def _activation_special(ctx: Context, k: int, j, general: sp.Expr, q) -> tuple[Step, ...]:
    act = ctx.spec.layer_activation(k)
    if not act.elementwise:
        return ()
    fp_z = sp.diff(act.formula, Z)
    identity = ctx.identity("activation_derivative", act.name)
    zj = ctx.net.z[k][j]
    general = rename_sum(general, q)
    fprime = ctx.net.fprime(k, j)
    # the definitions in the text's letters: f(z) and a = f(z); Bishop's h(a) and z = h(a); deeplearning.ai's g(Z)
    f = ctx.nt.spell("function", "latex")
    z, a = (sp.Symbol(ctx.nt.spell(q, "latex")) for q in ("weighted_input", "activation"))
    steps = [
        Step(
            general.subs(fprime, fp_z.subs(Z, zj)),
            f"The {readable_name(act.name)} activation ${f}({latex(z)}) = {latex(act.formula.subs(Z, z))}$ has "
            f"${f}'({latex(z)}) = {latex(fp_z.subs(Z, z))}$.",
        )
    ]
    if identity is None or identity.method != "exact":
        note = (
            f" There is no way to write this ${f}'({latex(z)})$ through ${latex(a)} = {f}({latex(z)})$ alone, "
            f"so the backward pass evaluates it at the stored ${latex(z)}$."
        )
        steps = [Step(steps[0].rhs, steps[0].reason + note)]
    else:
        a_k = ctx.net.activations[k]
        steps.append(
            Step(
                general.subs(fprime, identity.rhs.subs(A, a_k[j])),
                f"{in_terms_of_activation(latex(a), f, latex(z))}: ${f}'({latex(z)}) = "
                f"{latex(identity.rhs.subs(A, a))}$, so the activations of the forward pass "
                f"give ${f}'$ without evaluating ${f}$ again.",
            )
        )
    return tuple(steps)
