"""The proof of BP1, the error of the output layer: through the Hadamard form for an elementwise output, through
the Jacobian for a softmax, and specialised to the spec's activation and cost."""

from __future__ import annotations

import sympy as sp

from symbackprop.derivation import indexed as derive_indexed
from symbackprop.derivation.identities import abs_products, jacobian_through_a
from symbackprop.network import indexed
from symbackprop.printing.latex import latex
from symbackprop.spec.functions import A, Y, Z
from symbackprop.teach.matrix_forms import MatrixView
from symbackprop.teach.steps import Context, Proof, Step, m, vanishing
from symbackprop.timing import SIMPLIFY_SECONDS, simplifies_to_zero, within

# -- BP1 -------------------------------------------------------------------------------------------


def bp1(ctx: Context) -> Proof:
    net, L = ctx.net, ctx.L
    j = ctx.letter(ctx.first, L)
    k = ctx.letter("k" if ctx.first != "k" else "q", L)
    z, a_name = net.z[L], net.activations[L]
    aL = net.activations[L]
    dC_da = lambda i: sp.Derivative(ctx.cost, aL[i], evaluate=False)  # noqa: E731
    n = net.widths[L]
    steps = [
        Step(
            sp.Derivative(ctx.cost, z[j], evaluate=False),
            f"Definition of the error of neuron {m(j)} in the output layer {m(ctx.named(L))}.",
        ),
        Step(
            sp.Sum(dC_da(k) * sp.Derivative(a_name[k], z[j], evaluate=False), (k, 1, n)),
            f"Chain rule: ${ctx.Cx}$ depends on {m(z[j])} only through the output activations {m(aL[k])}, "
            f"{m(k)} $= 1, \\dots,$ {m(n)}.",
        ),
    ]
    elementwise = ctx.spec.layer_activation(L).elementwise or ctx.general
    local = sp.diff(net.a(L, k), z[j])
    if elementwise:
        steps.append(
            Step(
                sp.Sum(dC_da(k) * local, (k, 1, n)),
                f"{ctx.f(L)} acts elementwise: {m(aL[k])} $=$ {m(net.a(L, k))} depends on {m(z[j])} only when "
                f"{m(sp.Eq(k, j))}, which the bracket {vanishing(local)} (1 if true, 0 otherwise) records.",
            )
        )
        g = sp.IndexedBase("g")  # stands for ∂C_x/∂a^L while the bracket is summed away
        collapsed = indexed.resolve(sp.Sum(g[k] * local, (k, 1, n)).doit(), net.ranges).xreplace({g[j]: dC_da(j)})
        steps.append(Step(collapsed, f"The bracket sums away: only the term {m(sp.Eq(k, j))} survives."))
        grad = net.cost_gradient(j)
        final = collapsed.subs(dC_da(j), grad)
        if not ctx.general:  # a general proof keeps the cost's gradient as a symbol: it holds for every cost
            steps.append(
                Step(
                    final,
                    f"${ctx.Cx}$ $=$ {m(net.example_cost())}: only the term for {m(j)} depends on {m(aL[j])}; "
                    "differentiating it gives this.",
                )
            )
        closed = ctx.forms.bp1_component(ctx.view, j)
        checked = ctx.same(final, derive_indexed.output_delta(net, j)) and ctx.same(final, closed)
        conclusion = "This is BP1 in component form; in matrix form:"
        matrix = _bp1_matrix(ctx)
        special = () if ctx.general else _bp1_special(ctx, j)
        return Proof(
            "BP1",
            ctx.label(L),
            "BP1: the error of the output layer",
            net.deltas[L][j],
            tuple(steps),
            checked,
            conclusion,
            matrix,
            special,
        )
    # softmax: the Jacobian is not diagonal
    differentiate = (
        f"Differentiate {m(aL[k])} $=$ {m(net.a(L, k))} (quotient rule). The normalising sum contains every "
        f"{m(z[j])}, so {m(aL[k])} depends on {m(z[j])} for every {m(k)}, not only {m(sp.Eq(k, j))}"
    )
    form = jacobian_through_a(ctx.spec.layer_activation(L))
    special: list[Step] = []
    if form is None:
        steps.append(Step(sp.Sum(dC_da(k) * local, (k, 1, n)), differentiate + "."))
    else:  # the quotient rule's raw result is not shown: its form through the activations is
        jac = sp.KroneckerDelta(k, j) * form.diagonal.subs(A, aL[j]) + form.left.subs(A, aL[k]) * form.right.subs(
            A, aL[j]
        )
        off = form.left.subs(A, aL[k]) * form.right.subs(A, aL[j])
        steps.append(
            Step(
                sp.Sum(dC_da(k) * jac, (k, 1, n)),
                f"{differentiate}; written through the activations, "
                f"{m(sp.Derivative(aL[k], z[j], evaluate=False))} $=$ {m(jac)}. "
                f"For {m(sp.Ne(k, j))} the bracket is 0 but {m(off)} $\\neq 0$: the off-diagonal terms do "
                "not vanish. " + _why_hadamard_fails(ctx),
            )
        )
        g = sp.IndexedBase("g")  # stands for ∂C_x/∂a^L while the bracket is summed away
        collapsed = sp.expand(sp.Sum(sp.expand(g[k] * jac), (k, 1, n)).doit())
        collapsed = pull_constants(indexed.resolve(collapsed, net.ranges)).xreplace({g[j]: dC_da(j), g[k]: dC_da(k)})
        steps.append(
            Step(
                collapsed,
                f"The bracket sums away in the first term; the second keeps its sum over {m(k)}.",
            )
        )
        special = _softmax_special(ctx, j, k, jac)
    closed = ctx.forms.bp1_jacobian_component(ctx.view, j)
    jac_general = sp.Sum(net.cost_gradient(k) * sp.diff(net.a(L, k), z[j]), (k, 1, n))
    checked = ctx.same(jac_general, derive_indexed.output_delta(net, j)) and ctx.same(jac_general, closed)
    view = MatrixView(ctx)
    delta, grad = latex(net.deltas[L]), latex(view.grad_a().e)
    fprime, z_L, n_L = latex(view.fprime(ctx.nt.layer(L)).e), latex(z), latex(n)
    J = jacobian_letter(ctx.nt)
    form = f"{grad} \\, {J}({z_L})" if ctx.nt.vectors == "rows" else f"{J}({z_L})^{{T}} {grad}"
    conclusion = (
        f"This is BP1 in Jacobian form, ${delta} = {form}$, with the ${n_L} \\times {n_L}$ Jacobian "
        f"${J}({z_L})$ of the activations; it holds for any output activation. The Hadamard form "
        f"${grad} {ctx.nt.hadamard.get('latex')} {fprime}$ keeps only the diagonal of ${J}({z_L})$."
    )
    return Proof(
        "BP1",
        ctx.label(L),
        "BP1: the error of a softmax output layer",
        net.deltas[L][j],
        tuple(steps),
        checked,
        conclusion,
        (),
        tuple(special),
    )


def jacobian_letter(nt) -> str:
    """The Jacobian's letter: J, or 𝒥 where J is the notation's cost (UFLDL, Ng, Goodfellow)."""
    return r"\mathcal{J}" if nt.spell("cost", "latex") == "J" else "J"


def _why_hadamard_fails(ctx: Context) -> str:
    """The verifier's counterexample to BP1 in Hadamard form, as text."""
    for c in ctx.report.checks:
        if c.equation == "BP1" and c.form == "hadamard" and not c.holds and c.counterexample:
            ce = c.counterexample
            if "derived" not in ce:
                continue
            point = sorted(c.point, key=_by_name)
            values = ", ".join(f"${latex(symbol)} = {float(value):g}$" for symbol, value in point)
            row = (ce.get("entry") or [1])[0]  # δ^L is a column: its entry [row, 1]
            return (
                f"The Hadamard form is false here: at {values}, differentiation gives "
                f"${latex(ctx.net.deltas[ctx.L])}_{{{row}}} = {ce['derived']:.4g}$, the Hadamard form "
                f"{ce['closed_form']:.4g}."
            )
    return "The Hadamard form keeps only the diagonal terms, so it is not applicable here."


def _by_name(pair) -> str:
    return str(pair[0])


def _bp1_matrix(ctx: Context) -> tuple[str, str]:
    view = MatrixView(ctx)
    expr = ctx.forms.bp1(view)
    return f"{latex(ctx.net.deltas[ctx.L])} = {latex(expr.e)}", view.shapes(expr)


def _bp1_special(ctx: Context, j: sp.Symbol) -> tuple[Step, ...]:
    """δ^L_j for the spec's activation and cost: ∂C/∂a_j · f'(z_j) through a, simplified."""
    L = ctx.L
    act = ctx.spec.layer_activation(L)
    cost = ctx.spec.cost_function()
    aL, y = ctx.net.activations[L], ctx.net.y
    grad = ctx.identity("cost_gradient")
    fprime = ctx.identity("activation_derivative", act.name)
    out = ctx.identity("output_delta")
    steps = []
    g = abs_products(sp.diff(cost.per_output, A))
    fp_z = sp.diff(act.formula, Z)
    at = {A: aL[j], Y: y[j]}
    f = ctx.nt.spell("function", "latex")  # the definitions in the text's letters (Bishop's h(a), z = h(a))
    z, a = (sp.Symbol(ctx.nt.spell(q, "latex")) for q in ("weighted_input", "activation"))
    steps.append(
        Step(
            sp.Mul(g.subs(at, simultaneous=True), fp_z.subs(Z, ctx.net.z[L][j]), evaluate=False),
            f"The {readable_name(cost.name)} cost gives {m(sp.Derivative(ctx.cost, aL[j], evaluate=False))} $=$ "
            f"{m(g.subs(at, simultaneous=True))} and the {readable_name(act.name)} activation "
            f"${f}({latex(z)}) = {latex(act.formula.subs(Z, z))}$ gives ${f}'({latex(z)}) = {latex(fp_z.subs(Z, z))}$ "
            "(differentiating each).",
        )
    )
    if fprime is None or fprime.method != "exact" or grad is None:
        if out is not None and out.method == "exact":
            steps.append(Step(out.rhs.subs(at, simultaneous=True), "Simplified."))
        return tuple(steps)
    # the shortest form: the identity's, the derivative's, or one fraction with its numerator multiplied out
    g_a = min((_one_fraction(g), grad.rhs, g), key=sp.count_ops).subs(at, simultaneous=True)
    fp_a = fprime.rhs.subs(A, aL[j])
    steps.append(
        Step(
            sp.Mul(g_a, fp_a, evaluate=False),
            f"{in_terms_of_activation(latex(a), f, latex(z))}: ${f}'({latex(z)}) = {latex(fprime.rhs.subs(A, a))}$.",
        )
    )
    if out is not None and out.method == "exact":
        result = out.rhs.subs(at, simultaneous=True)
        product = sp.cancel(sp.together(g_a * fp_a))
        same = simplifies_to_zero(product - result)
        if same and sp.count_ops(result) < sp.count_ops(sp.Mul(g_a, fp_a, evaluate=False)):
            common = sp.gcd(sp.denom(sp.together(g_a)), sp.numer(sp.together(fp_a)))
            dC = m(sp.Derivative(ctx.cost, aL[j], evaluate=False))
            if common.free_symbols and not sp.cancel(fp_a / common).free_symbols:
                why = f"${f}'$ $=$ {m(fp_a)} cancels the denominator of {dC}: no ${f}'$ is left."
            elif common.free_symbols:
                factored = within(SIMPLIFY_SECONDS, lambda: sp.factor(common), common)
                why = f"The factor {m(factored)} of ${f}'$ cancels against the denominator of {dC}."
            else:
                why = "Simplified."
            steps.append(Step(result, why))
        elif same and result != sp.Mul(g_a, fp_a, evaluate=False):
            steps.append(Step(result, "Multiplied out and simplified."))
    return tuple(steps)


def _one_fraction(expr: sp.Expr) -> sp.Expr:
    """−y/a + (1−y)/(1−a) as (a − y)/(a(1 − a)): over a common denominator, the numerator multiplied out."""
    numerator, denominator = sp.fraction(sp.together(expr))
    return sp.expand(numerator) / denominator


def _softmax_special(ctx: Context, j, k, jac) -> list[Step]:
    """δ^L_j for softmax with the spec's cost: the Jacobian form with ∂C/∂a_k substituted, simplified."""
    L = ctx.L
    aL, y = ctx.net.activations[L], ctx.net.y
    grad = ctx.identity("cost_gradient")
    out = ctx.identity("output_delta")
    n = ctx.net.widths[L]
    if grad is None:
        return []
    g_k = grad.rhs.subs({A: aL[k], Y: y[k]}, simultaneous=True)
    steps = [
        Step(
            sp.Sum(sp.expand(g_k * jac), (k, 1, n)),
            f"The {readable_name(ctx.spec.cost_function().name)} cost gives "
            f"{m(sp.Derivative(ctx.cost, aL[k], evaluate=False))} $=$ {m(g_k)}.",
        )
    ]
    summed = pull_constants(indexed.resolve(sp.expand(sp.Sum(sp.expand(g_k * jac), (k, 1, n)).doit()), ctx.net.ranges))
    steps.append(Step(summed, "The bracket sums away; the rest is multiplied out."))
    if out is not None and out.method == "exact" and out.assumption:
        result = out.rhs.subs({A: aL[j], Y: y[j]}, simultaneous=True)
        used = {
            sp.Sum(y[k], (k, 1, n)): "the targets sum to 1 (one-hot or probabilities)",
            sp.Sum(aL[k], (k, 1, n)): "the softmax outputs sum to 1",
        }
        used = {total: why for total, why in used.items() if summed.has(total)}
        constrained = summed.subs({total: 1 for total in used})
        if used and simplifies_to_zero(constrained - result):
            reasons = " and ".join(f"{m(sp.Eq(total, 1))}: {why}" for total, why in used.items())
            steps.append(
                Step(
                    result,
                    f"Using {reasons}. No $f'$ is left: the cancellation that keeps a saturated output learning.",
                )
            )
    return steps


def pull_constants(expr: sp.Expr) -> sp.Expr:
    """Σ_k c·t_k written c·Σ_k t_k when c does not depend on k (as a reader factors a sum)."""

    def pull(s: sp.Sum) -> sp.Expr:
        ((var, lo, hi),) = s.limits
        total = sp.Integer(0)
        for term in sp.Add.make_args(sp.expand(s.function)):
            inside = [f for f in sp.Mul.make_args(term) if var in f.free_symbols]
            outside = [f for f in sp.Mul.make_args(term) if var not in f.free_symbols]
            total += sp.Mul(*outside) * sp.Sum(sp.Mul(*inside), (var, lo, hi))
        return total

    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, pull)


def readable_name(name: str) -> str:
    return name.replace("_", " ")


def in_terms_of_activation(a: str, f: str, z: str) -> str:
    """'In terms of the activation a = f(z)', or, where the text's activation and its function share a letter
    (the blog's a(z)), 'In terms of the activation a itself'."""
    if a.split("^")[0].split("_")[0].strip("{}") == f.strip("{}"):
        return f"In terms of the activation ${a}$ itself"
    return f"In terms of the activation ${a} = {f}({z})$"
