"""The step-by-step proofs of BP1–BP4 and ∇_x C for one network, in the reader's notation.

The teaching stage's mathematics. Every line of a proof is a SymPy expression
obtained from the previous one by the operation its justification names, on
the same all-widths network the verifier checks (:mod:`symbackprop.network.indexed`):

* the definition of δ (∂C_x/∂z), the chain rule through the next layer's
  weighted inputs z^{l+1} (or through a^L, or z^l for the parameters);
* the local derivative ``sympy.diff`` takes of the forward map, where the
  Kronecker deltas [r = j] say which terms vanish and why (f acts
  elementwise, b_k enters only z_k, W_{jk} only z_j);
* the deltas summed away (:func:`symbackprop.network.indexed.resolve`), which lands on
  the notation's closed form; the last line is compared with the verifier's own
  derivation and with the closed-form recipe (:func:`symbackprop.network.indexed.is_zero`).

Specialised steps come from :mod:`symbackprop.derivation.identities` (through the
verifier's report): the activation's f' and the cost's ∂C/∂a_j printed from
SymPy, and cancellations (σ' against the cross-entropy's denominator) shown as
the simplification that produces them. A softmax output gets the Jacobian
form, with the off-diagonal derivatives that make the Hadamard form fail and
the verifier's counterexample values.

A proof is plain data: expressions and justifications (LaTeX text with inline
math) that :mod:`symbackprop.teach.document` lays out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from symbackprop.closed_forms import ClosedForms, forms_for
from symbackprop.derivation import indexed as derive_indexed
from symbackprop.derivation.identities import Identity, jacobian_through_a
from symbackprop.network import cost as cost_terms
from symbackprop.network import indexed
from symbackprop.network.sites import sites
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.printing.latex import function_name, latex
from symbackprop.spec.functions import A, Y, Z
from symbackprop.spec.load import Spec
from symbackprop.timing import SIMPLIFY_SECONDS, simplifies_to_zero, within
from symbackprop.verification import Report

#: Display names of the bound variables the indexed network uses internally.
_BOUND = {"i_sum": "s", "t_sum": "t", "j_sum": "r", "r_sum": "r"}


@dataclass(frozen=True)
class Step:
    """``= rhs``, which follows from the previous line because of ``reason`` (LaTeX text)."""

    rhs: sp.Expr
    reason: str


@dataclass(frozen=True)
class Proof:
    """One equation proved for one layer: ``lhs = steps[0].rhs = … = steps[-1].rhs``."""

    equation: str  # BP1 | BP2 | BP3 | BP4 | input_gradient | L2
    layer: str  # the notation's label of the layer
    title: str
    lhs: sp.Expr
    steps: tuple[Step, ...]
    checked: bool  # the last general line equals the verifier's derivation and the closed form
    conclusion: str  # LaTeX text after the steps
    matrix: tuple[str, ...] = ()  # the matrix form and the shapes of its matrices (LaTeX math), when there is one
    special: tuple[Step, ...] = ()  # the same equation specialised to the spec's activation and cost

    def _repr_latex_(self) -> str:
        """The proof as text and displays, so Jupyter renders it."""
        lhs = latex(display(self.lhs))

        def lines(steps: tuple[Step, ...]) -> list[str]:
            return [f"{s.reason}\n$$ {lhs if n == 0 else ''} = {latex(display(s.rhs))} $$" for n, s in enumerate(steps)]

        parts = [self.title, *lines(self.steps)]
        if self.conclusion:
            parts.append(self.conclusion + (f"\n$$ {self.matrix[0]} $$" if self.matrix else ""))
        if self.special:
            parts += ["For this network:", *lines(self.special)]
        return "\n\n".join(parts)


class Proofs(list):
    """The list :func:`proofs` returns; renders in Jupyter."""

    def _repr_latex_(self) -> str:
        return "\n\n".join(p._repr_latex_() for p in self)


def m(expr) -> str:
    """Inline math of an expression (or a layer label), in the network's LaTeX."""
    if isinstance(expr, str):
        return f"${expr}$"
    return f"${latex(display(expr))}$"


def display(expr):
    """Internal bound variables renamed for the reader, f'(z) written with a prime."""
    if not isinstance(expr, sp.Basic):
        return expr
    names = {s: sp.Symbol(_BOUND[s.name], integer=True) for s in expr.free_symbols if s.name in _BOUND}
    bound = set()
    for s in expr.atoms(sp.Sum):
        bound.update(v for v, *_ in s.limits)
    names.update({v: sp.Symbol(_BOUND[v.name], integer=True) for v in bound if v.name in _BOUND})
    return symbols.primed(expr.xreplace(names))


class _Context:
    """The all-widths network with the reader's index letters, and what the verifier found."""

    def __init__(self, spec: Spec, notation: str, report: Report, forms: ClosedForms | None = None):
        self.spec, self.report = spec, report
        self.nt = notation_named(notation)
        self.forms = forms or forms_for(notation)
        self.net = indexed.IndexedNetwork(spec, notation=notation)
        self.view = self.net.view()
        self.L = self.net.depth
        self.first, self.second = self.nt.indices
        self.cost = symbols.example_cost(self.nt)  # C_x, the cost of one example

    def letter(self, name: str, k: int) -> sp.Symbol:
        """An index named as the text names it, ranging over internal layer k."""
        symbol = sp.Symbol(name, integer=True)
        self.net.ranges[symbol] = (sp.Integer(1), self.net.widths[k])
        return symbol

    def label(self, k: int) -> str:
        return self.nt.label(self.nt.layer(k))

    def wlabel(self, k: int) -> str:
        return self.nt.label(self.nt.weight_layer(k))

    def f(self, k: int) -> str:
        return f"${function_name(self.net.activation_function(k))}$"

    def same(self, a: sp.Expr, b: sp.Expr) -> bool:
        ranges = self.net.ranges
        difference = indexed.normalize(sp.sympify(a).doit(), ranges) - indexed.normalize(sp.sympify(b).doit(), ranges)
        return indexed.is_zero(difference) or simplifies_to_zero(difference)

    def identity(self, name: str, subject: str | None = None) -> Identity | None:
        for i in self.report.identities:
            if i.name == name and (subject is None or i.subject == subject):
                return i
        return None


def _deltas(expr: sp.Expr) -> list[sp.KroneckerDelta]:
    return sorted(expr.atoms(sp.KroneckerDelta), key=str)


def _vanishing(expr: sp.Expr) -> str:
    """Which brackets the derivative produced: the terms that vanish."""
    brackets = ", ".join(m(d) for d in _deltas(expr))
    return brackets or "no bracket"


# -- BP1 -------------------------------------------------------------------------------------------


def bp1(ctx: _Context) -> Proof:
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
            f"Definition of the error of neuron {m(j)} in the output layer {m(ctx.label(L))}.",
        ),
        Step(
            sp.Sum(dC_da(k) * sp.Derivative(a_name[k], z[j], evaluate=False), (k, 1, n)),
            f"Chain rule: $C_x$ depends on {m(z[j])} only through the output activations {m(aL[k])}, "
            f"{m(k)} $= 1, \\dots,$ {m(n)}.",
        ),
    ]
    elementwise = ctx.spec.layer_activation(L).elementwise
    local = sp.diff(net.a(L, k), z[j])
    if elementwise:
        steps.append(
            Step(
                sp.Sum(dC_da(k) * local, (k, 1, n)),
                f"{ctx.f(L)} acts elementwise: {m(aL[k])} $=$ {m(net.a(L, k))} depends on {m(z[j])} only when "
                f"{m(sp.Eq(k, j))}, which the bracket {_vanishing(local)} (1 if true, 0 otherwise) records.",
            )
        )
        g = sp.IndexedBase("g")  # stands for ∂C_x/∂a^L while the bracket is summed away
        collapsed = indexed.resolve(sp.Sum(g[k] * local, (k, 1, n)).doit(), net.ranges).xreplace({g[j]: dC_da(j)})
        steps.append(Step(collapsed, f"The bracket sums away: only the term {m(sp.Eq(k, j))} survives."))
        grad = net.cost_gradient(j)
        final = collapsed.subs(dC_da(j), grad)
        steps.append(
            Step(
                final,
                f"$C_x$ $=$ {m(net.example_cost())}: only the term for {m(j)} depends on {m(aL[j])}; "
                "SymPy differentiates it.",
            )
        )
        closed = ctx.forms.bp1_component(ctx.view, j)
        checked = ctx.same(final, derive_indexed.output_delta(net, j)) and ctx.same(final, closed)
        conclusion = (
            f"This is BP1 in component form, {m(sp.Symbol('holds'))}"
            if False
            else "This is BP1 in component form; in matrix form:"
        )
        matrix = _bp1_matrix(ctx)
        special = _bp1_special(ctx, j)
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
    steps.append(
        Step(
            sp.Sum(dC_da(k) * local, (k, 1, n)),
            f"Differentiate {m(aL[k])} $=$ {m(net.a(L, k))} (quotient rule). The normalising sum contains every "
            f"{m(z[j])}, so {m(aL[k])} depends on {m(z[j])} for every {m(k)}, not only {m(sp.Eq(k, j))}.",
        )
    )
    form = jacobian_through_a(ctx.spec.layer_activation(L))
    special: list[Step] = []
    if form is not None:
        jac = sp.KroneckerDelta(k, j) * form.diagonal.subs(A, aL[j]) + form.left.subs(A, aL[k]) * form.right.subs(
            A, aL[j]
        )
        off = form.left.subs(A, aL[k]) * form.right.subs(A, aL[j])
        steps.append(
            Step(
                sp.Sum(dC_da(k) * jac, (k, 1, n)),
                f"Written through $a$ (found by SymPy on the definition): "
                f"{m(sp.Derivative(aL[k], z[j], evaluate=False))} $=$ {m(jac)}. "
                f"For {m(sp.Ne(k, j))} the bracket is 0 but {m(off)} $\\neq 0$: the off-diagonal terms do "
                "not vanish. " + _why_hadamard_fails(ctx),
            )
        )
        g = sp.IndexedBase("g")  # stands for ∂C_x/∂a^L while the bracket is summed away
        collapsed = sp.expand(sp.Sum(sp.expand(g[k] * jac), (k, 1, n)).doit())
        collapsed = _pull_constants(indexed.resolve(collapsed, net.ranges)).xreplace({g[j]: dC_da(j), g[k]: dC_da(k)})
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
    conclusion = (
        "This is BP1 in Jacobian form, "
        "$\\delta^{L} = J_f(z^{L})^{T} \\nabla_a C_x$, which holds for any output activation; "
        "the Hadamard form $\\nabla_a C_x \\odot f'(z^L)$ keeps only the diagonal of $J_f$."
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


def _why_hadamard_fails(ctx: _Context) -> str:
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
                f"The verifier ({c.method} method) found the Hadamard form false: at {values}, "
                f"$\\delta^L_{{{row}}}$ is {ce['derived']:.6g} by differentiation but {ce['closed_form']:.6g} "
                "by $\\nabla_a C_x \\odot f'(z^L)$."
            )
    return "The Hadamard form keeps only the diagonal terms, so it is not applicable here."


def _by_name(pair) -> str:
    return str(pair[0])


def _bp1_matrix(ctx: _Context) -> tuple[str, str]:
    view = _MatrixView(ctx)
    expr = ctx.forms.bp1(view)
    return f"{latex(ctx.net.deltas[ctx.L])} = {latex(expr.e)}", view.shapes(expr)


def _bp1_special(ctx: _Context, j: sp.Symbol) -> tuple[Step, ...]:
    """δ^L_j for the spec's activation and cost: ∂C/∂a_j · f'(z_j) through a, simplified."""
    L = ctx.L
    act = ctx.spec.layer_activation(L)
    cost = ctx.spec.cost_function()
    aL, y = ctx.net.activations[L], ctx.net.y
    grad = ctx.identity("cost_gradient")
    fprime = ctx.identity("activation_derivative", act.name)
    out = ctx.identity("output_delta")
    steps = []
    g = sp.diff(cost.per_output, A)
    fp_z = sp.diff(act.formula, Z)
    at = {A: aL[j], Y: y[j]}
    steps.append(
        Step(
            sp.Mul(g.subs(at, simultaneous=True), fp_z.subs(Z, ctx.net.z[L][j]), evaluate=False),
            f"The {_name(cost.name)} cost gives {m(sp.Derivative(ctx.cost, aL[j], evaluate=False))} $=$ "
            f"{m(g.subs(at, simultaneous=True))} and the {_name(act.name)} activation "
            f"$f(z) = {latex(act.formula)}$ gives $f'(z) = {latex(fp_z)}$ (both by SymPy).",
        )
    )
    if fprime is None or fprime.method != "exact" or grad is None:
        if out is not None and out.method == "exact":
            steps.append(Step(out.rhs.subs(at, simultaneous=True), "Simplified by SymPy."))
        return tuple(steps)
    g_a = min((grad.rhs, g), key=sp.count_ops).subs(at, simultaneous=True)  # the shorter of the two forms
    fp_a = fprime.rhs.subs(A, aL[j])
    steps.append(
        Step(
            sp.Mul(g_a, fp_a, evaluate=False),
            f"With $a = f(z)$: $f'(z) = {latex(fprime.rhs)}$ (found by SymPy and checked by substituting back).",
        )
    )
    if out is not None and out.method == "exact":
        result = out.rhs.subs(at, simultaneous=True)
        product = sp.cancel(sp.together(g_a * fp_a))
        same = simplifies_to_zero(product - result)
        if same and sp.count_ops(result) < sp.count_ops(sp.Mul(g_a, fp_a)):
            common = sp.gcd(sp.denom(sp.together(g_a)), sp.numer(sp.together(fp_a)))
            dC = m(sp.Derivative(ctx.cost, aL[j], evaluate=False))
            if common.free_symbols and not sp.cancel(fp_a / common).free_symbols:
                why = f"$f'$ $=$ {m(fp_a)} cancels the denominator of {dC} (up to its sign): no $f'$ is left."
            elif common.free_symbols:
                factored = within(SIMPLIFY_SECONDS, lambda: sp.factor(common), common)
                why = f"The factor {m(factored)} of $f'$ cancels against the denominator of {dC}."
            else:
                why = "Simplified by SymPy."
            steps.append(Step(result, why))
        elif same and result != sp.Mul(g_a, fp_a):
            steps.append(Step(result, "Multiplied out and simplified by SymPy."))
    return tuple(steps)


def _softmax_special(ctx: _Context, j, k, jac) -> list[Step]:
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
            f"The {_name(ctx.spec.cost_function().name)} cost gives "
            f"{m(sp.Derivative(ctx.cost, aL[k], evaluate=False))} $=$ {m(g_k)} (SymPy).",
        )
    ]
    summed = _pull_constants(indexed.resolve(sp.expand(sp.Sum(sp.expand(g_k * jac), (k, 1, n)).doit()), ctx.net.ranges))
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
                Step(result, f"Using {reasons}. No $f'$ is left: this is the cancellation the identities report.")
            )
    return steps


def _pull_constants(expr: sp.Expr) -> sp.Expr:
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


def _name(name: str) -> str:
    return name.replace("_", " ")


# -- BP2 -------------------------------------------------------------------------------------------


def bp2(ctx: _Context, k: int) -> Proof:
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
            f"Definition of the error of neuron {m(j)} in layer {m(ctx.label(k))}.",
        ),
        Step(
            sp.Sum(
                sp.Derivative(ctx.cost, z_next[q], evaluate=False) * sp.Derivative(z_next[q], z[j], evaluate=False),
                (q, 1, n),
            ),
            f"Chain rule: $C_x$ depends on {m(z[j])} only through the next layer's weighted inputs "
            f"{m(z_next[q])}, {m(q)} $= 1, \\dots,$ {m(n)}.",
        ),
        Step(
            sp.Sum(d_next[q] * sp.Derivative(z_next[q], z[j], evaluate=False), (q, 1, n)),
            f"Definition of {m(d_next[q])}, the error of layer {m(ctx.label(k + 1))}.",
        ),
        Step(
            sp.Sum(d_next[q] * local, (q, 1, n)),
            f"Forward pass: {m(z_next[q])} $=$ {m(forward)}. The bias does not depend on {m(z[j])}, and "
            f"{ctx.f(k)} acts elementwise, so {m(net.a(k, sp.Symbol('s', integer=True)))} depends on {m(z[j])} "
            f"only when $s = {latex(j)}$: the bracket {_vanishing(display(local))}.",
        ),
        Step(
            sp.Sum(d_next[q] * collapsed, (q, 1, n)),
            f"The bracket sums away: only the term $s = {latex(j)}$ survives, so "
            f"{m(sp.Derivative(z_next[q], z[j], evaluate=False))} $=$ {m(collapsed)}.",
        ),
    ]
    closed = ctx.forms.bp2_component(ctx.view, ctx.nt.layer(k), j)
    steps.append(Step(_rename_sum(closed, q), f"{m(net.fprime(k, j))} does not depend on {m(q)}: it leaves the sum."))
    checked = ctx.same(steps[-2].rhs, derive_indexed.hidden_delta(net, k, j)) and ctx.same(steps[-2].rhs, closed)
    view = _MatrixView(ctx)
    expr = ctx.forms.bp2(view, ctx.nt.layer(k))
    matrix = f"{latex(net.deltas[k])} = {latex(expr.e)}", view.shapes(expr)
    special = _activation_special(ctx, k, j, closed, q)
    return Proof(
        "BP2",
        ctx.label(k),
        f"BP2: the error of layer ${ctx.label(k)}$",
        net.deltas[k][j],
        tuple(steps),
        checked,
        "This is BP2 in component form; in matrix form:",
        matrix,
        special,
    )


def _rename_sum(expr: sp.Expr, letter: sp.Symbol) -> sp.Expr:
    """A closed form's bound index renamed to ``letter``."""
    for s in expr.atoms(sp.Sum):
        ((var, lo, hi),) = s.limits
        expr = expr.xreplace({s: sp.Sum(s.function.xreplace({var: letter}), (letter, lo, hi))})
    return expr


def _activation_special(ctx: _Context, k: int, j, general: sp.Expr, q) -> tuple[Step, ...]:
    act = ctx.spec.layer_activation(k)
    if not act.elementwise:
        return ()
    fp_z = sp.diff(act.formula, Z)
    identity = ctx.identity("activation_derivative", act.name)
    zj = ctx.net.z[k][j]
    general = _rename_sum(general, q)
    fprime = ctx.net.fprime(k, j)
    steps = [
        Step(
            general.subs(fprime, fp_z.subs(Z, zj)),
            f"The {_name(act.name)} activation $f(z) = {latex(act.formula)}$ has $f'(z) = {latex(fp_z)}$ (SymPy).",
        )
    ]
    if identity is None or identity.method != "exact":
        note = (
            " SymPy found no way to write this $f'(z)$ through $a = f(z)$ alone, so the backward pass "
            "evaluates it at the stored $z$."
        )
        steps = [Step(steps[0].rhs, steps[0].reason + note)]
    else:
        a_k = ctx.net.activations[k]
        steps.append(
            Step(
                general.subs(fprime, identity.rhs.subs(A, a_k[j])),
                f"With $a = f(z)$: $f'(z) = {latex(identity.rhs)}$ (found by SymPy, checked by substituting back), "
                "so the activations of the forward pass give $f'$ without evaluating $f$ again.",
            )
        )
    return tuple(steps)


# -- BP3, BP4, ∇_x C --------------------------------------------------------------------------------


def _parameter_proof(ctx: _Context, equation: str, k: int, parameter, current, closed, title: str, why: str) -> Proof:
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
            f"Chain rule: {m(parameter)} enters $C_x$ only through the weighted inputs {m(z[r])} of layer "
            f"{m(ctx.label(k))}.",
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
        steps.append(Step(final, f"Only the term {_surviving(collapsed, r)} of the sum survives."))
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


def _surviving(expr: sp.Expr, r: sp.Symbol) -> str:
    for d in _deltas(expr):
        other = [a for a in d.args if a != r]
        if other:
            return m(sp.Eq(r, other[0]))
    return ""


def bp3(ctx: _Context, k: int) -> Proof:
    net = ctx.net
    j = ctx.letter(ctx.first, k)
    b = net.biases[k]
    proof = _parameter_proof(
        ctx,
        "BP3",
        k,
        b[j],
        j,
        ctx.forms.bp3_component(ctx.view, ctx.nt.weight_layer(k), j),
        f"BP3: the biases ${latex(b)}$",
        f"{m(b[j])} appears only in {m(net.z[k][j])}, with coefficient 1: the bracket "
        f"{_vanishing(sp.diff(net.z_expression(k, sp.Symbol('r', integer=True)), b[j]))}.",
    )
    view = _MatrixView(ctx)
    expr = ctx.forms.bp3(view, ctx.nt.weight_layer(k))
    matrix = f"\\frac{{\\partial C_x}}{{\\partial {latex(b)}}} = {latex(expr.e)}", view.shapes(expr)
    return _with(proof, "This is BP3; in matrix form:", matrix)


def bp4(ctx: _Context, k: int) -> Proof:
    net, nt = ctx.net, ctx.nt
    rows, cols = (k - 1, k) if nt.transposed else (k, k - 1)
    p, q = ctx.letter(ctx.first, rows), ctx.letter(ctx.second, cols)
    W = net.weights[k]
    to, frm = (q, p) if nt.transposed else (p, q)
    r = sp.Symbol("r", integer=True)
    proof = _parameter_proof(
        ctx,
        "BP4",
        k,
        W[p, q],
        (p, q),
        ctx.forms.bp4_component(ctx.view, nt.weight_layer(k), p, q),
        f"BP4: the weights ${latex(W)}$",
        f"{m(W[p, q])} (from neuron {m(frm)} of layer {m(ctx.label(k - 1))} to neuron {m(to)} of layer "
        f"{m(ctx.label(k))}) appears only in {m(net.z[k][to])}, multiplying {m(net.a(k - 1, frm))}: the brackets "
        f"{_vanishing(sp.diff(net.z_expression(k, r), W[p, q]))}.",
    )
    view = _MatrixView(ctx)
    expr = ctx.forms.bp4(view, nt.weight_layer(k))
    matrix = (
        f"\\frac{{\\partial C_x}}{{\\partial {latex(W)}}} = {latex(expr.e)}",
        view.shapes(expr) + f", \\text{{the shape of }} {latex(W)}",
    )
    return _with(proof, "This is BP4; in matrix form (an outer product):", matrix)


def input_gradient(ctx: _Context) -> Proof:
    net = ctx.net
    q = ctx.letter(ctx.second, 0)
    proof = _parameter_proof(
        ctx,
        "input_gradient",
        1,
        net.x[q],
        q,
        _rename_sum(ctx.forms.input_gradient_component(ctx.view, q), ctx.letter("r", 1)),
        "The input gradient $\\nabla_x C_x$",
        f"the input {m(net.x[q])} multiplies {m(net.weights[1][sp.Symbol('r'), q] if not ctx.nt.transposed else net.weights[1][q, sp.Symbol('r')])} in every {m(net.z[1][sp.Symbol('r')])}: the bracket "  # noqa: E501
        f"{_vanishing(sp.diff(net.z_expression(1, sp.Symbol('r', integer=True)), net.x[q]))}.",
    )
    view = _MatrixView(ctx)
    expr = ctx.forms.input_gradient(view)
    matrix = f"\\nabla_x C_x = {latex(expr.e)}", view.shapes(expr)
    return _with(proof, "In matrix form (the transpose of the row vector $dC_x/dx$):", matrix)


def _with(proof: Proof, conclusion: str, matrix: tuple[str, str]) -> Proof:
    from dataclasses import replace

    return replace(proof, conclusion=conclusion, matrix=matrix)


def regularization(ctx: _Context) -> Proof:
    """∂C/∂W of the batch cost: the average of the examples' gradients, plus λW (or λW/n) from the L2 term."""
    reg, nt = ctx.spec.regularization, ctx.nt
    p, q = sp.Symbol(ctx.first, integer=True), sp.Symbol(ctx.second, integer=True)
    u, v = sp.Symbol("u", integer=True), sp.Symbol("v", integer=True)
    rows, cols = sp.Symbol("N", integer=True, positive=True), sp.Symbol("M", integer=True, positive=True)
    ctx.net.ranges.update({p: (sp.Integer(1), rows), q: (sp.Integer(1), cols)})
    W, b = symbols.indexed(nt, "weight", "l"), symbols.indexed(nt, "bias", "l")
    coefficient = cost_terms.l2_coefficient(reg) if cost_terms.has_l2(reg) else sp.Integer(0)
    term = coefficient * sp.Sum(W[u, v] ** 2, (u, 1, rows), (v, 1, cols))
    m_ = sp.Symbol("m", positive=True, integer=True)
    x = sp.Symbol("x", integer=True)
    average = sp.Sum(sp.Derivative(ctx.cost, W[p, q], evaluate=False), (x, 1, m_)) / m_
    cost = sp.Sum(ctx.cost, (x, 1, m_)) / m_ + term
    derivative = sp.diff(term, W[p, q])
    decay = indexed.resolve(derivative.doit(), ctx.net.ranges)
    intro = f"The batch cost is $C = {latex(cost, long_frac_ratio=1)}$, the average of the examples' costs $C_x$"
    if coefficient == 0:
        steps = [Step(average, intro + "; the derivative of an average is the average of the derivatives.")]
    else:
        steps = [
            Step(
                average + sp.Derivative(term, W[p, q], evaluate=False),
                intro + ", plus the weight decay (no biases in it); differentiate term by term.",
            )
        ]
        steps.append(
            Step(
                average + derivative,
                f"SymPy differentiates the weight-decay sum: the brackets {_vanishing(derivative)}.",
            )
        )
        steps.append(Step(average + decay, "Only the entry itself survives."))
    checked = simplifies_to_zero(decay - ctx.forms.decay(ctx.spec) * W[p, q])
    if coefficient != 0:
        conclusion = (
            f"The biases are not in the weight-decay term (its derivative with respect to ${latex(b[p])}$ is "
            f"${latex(sp.diff(term, b[p]))}$), so $\\partial C / \\partial b$ is the average of the examples' "
            "$\\partial C_x / \\partial b$."
        )
    else:
        conclusion = (
            "In the same way $\\partial C / \\partial b$ is the average of the examples' $\\partial C_x / \\partial b$."
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


# -- matrix forms -------------------------------------------------------------------------------


class _Matrix:
    """A matrix expression that the closed-form recipes can multiply, transpose and ⊙."""

    def __init__(self, e):
        self.e = e

    @property
    def T(self):  # noqa: N802 - the recipes' spelling
        return _Matrix(self.e.T)

    @property
    def shape(self):
        return self.e.shape

    def __mul__(self, other):
        return _Matrix(sp.MatMul(self.e, other.e if isinstance(other, _Matrix) else other))

    def __rmul__(self, other):
        return _Matrix(sp.MatMul(other, self.e))

    def multiply_elementwise(self, other):
        return _Matrix(sp.HadamardProduct(self.e, other.e))


class _MatrixView:
    """The closed forms' view with matrix symbols of symbolic shape: the recipes print as matrix algebra."""

    def __init__(self, ctx: _Context):
        self.ctx = ctx
        self.notation = ctx.nt
        self.L = ctx.nt.layer(ctx.L)
        self.used: dict[str, sp.MatrixSymbol] = {}

    def _n(self, l: int):
        return self.ctx.net.widths[self.notation.internal_layer(l)]

    def _symbol(self, name: symbols.NetworkSymbol, rows, cols=1) -> _Matrix:
        symbol = sp.MatrixSymbol(name, rows, cols)
        self.used[name.name] = symbol
        return _Matrix(symbol)

    def W(self, l: int) -> _Matrix:
        k = self.notation.internal_weight_layer(l)
        rows, cols = self.notation.weight_shape(self.ctx.net.widths[k - 1], self.ctx.net.widths[k])
        return self._symbol(symbols.quantity(self.notation, "weight", l), rows, cols)

    def delta(self, l: int) -> _Matrix:
        return self._symbol(symbols.quantity(self.notation, "error", l), self._n(l))

    def a(self, l: int) -> _Matrix:
        if self.notation.internal_layer(l) == 0:
            return self._symbol(symbols.quantity(self.notation, "input"), self._n(l))
        return self._symbol(symbols.quantity(self.notation, "activation", l), self._n(l))

    def fprime(self, l: int) -> _Matrix:
        return self._symbol(symbols.quantity(self.notation, "fprime", l), self._n(l))

    def grad_a(self) -> _Matrix:
        return self._symbol(symbols.quantity(self.notation, "cost_gradient"), self._n(self.L))

    def shapes(self, expr: _Matrix) -> str:
        """``W^{2} \\in \\mathbb{R}^{n_2 \\times n_1}, …``: the shape of every matrix and of the result."""
        parts = [_member(latex(symbol), symbol.shape) for symbol in self.used.values()]
        products = [e for e in sp.preorder_traversal(expr.e) if isinstance(e, sp.MatMul)]
        parts += [_member(latex(e), e.shape) for e in products if e != expr.e]
        parts.append(_member(r"\text{the result}", expr.e.shape))
        return ", ".join(parts)


def _member(name: str, shape) -> str:
    rows, cols = shape
    dims = latex(rows) if cols == 1 else f"{latex(rows)} \\times {latex(cols)}"
    return f"{name} \\in \\mathbb{{R}}^{{{dims}}}"


# -- all proofs -------------------------------------------------------------------------------------


def proofs(
    spec: Spec, notation: str | None = None, report: Report | None = None, *, forms: ClosedForms | None = None
) -> Proofs:
    """BP1, BP2 for every hidden layer, BP3 and BP4 for every layer, ∇_x C, and the batch/L2 step.

    ``report`` (the verifier's, for its identities and counterexamples) is computed when not given;
    ``forms`` defaults to the notation's closed forms (pass a wrong one to see a proof not confirmed).
    """
    from symbackprop.verification import verify

    notation = notation or spec.notation
    report = report or verify(spec, notation=notation)
    ctx = _Context(spec, notation, report, forms)
    provers = {
        "BP1": lambda site: bp1(ctx),
        "BP2": lambda site: bp2(ctx, site.k),
        "BP3": lambda site: bp3(ctx, site.k),
        "BP4": lambda site: bp4(ctx, site.k),
        "input_gradient": lambda site: input_gradient(ctx),
    }
    return Proofs([*(provers[site.equation](site) for site in sites(spec, ctx.nt)), regularization(ctx)])


# -- every derivative of a small network ------------------------------------------------------------

#: Networks with at most this many parameters get the table of every individual derivative.
TABLE_LIMIT = 30


@dataclass(frozen=True)
class Entry:
    """One parameter's derivative of the batch cost (one example): SymPy's, fully substituted, and the closed form."""

    parameter: sp.Expr
    derived: sp.Expr
    closed: sp.Expr
    equal: bool


def entry_table(spec: Spec, notation: str | None = None) -> list[Entry]:
    """∂C/∂W^l_{jk} and ∂C/∂b^l_j for every parameter, as the layered derivation gives them.

    The derivation's δ symbols are replaced by their own derived expressions
    (output layer first), so each entry is the chain rule written out to the
    cost; the closed form is BP3/BP4 (plus the weight decay) with the same δ's.
    Empty above :data:`TABLE_LIMIT` parameters.
    """
    from symbackprop.derivation import layered
    from symbackprop.network.concrete import SymbolicNetwork

    notation = notation or spec.notation
    if spec.parameter_count > TABLE_LIMIT:
        return []
    net = SymbolicNetwork(spec, notation=notation, examples=1, abstract=True)
    forms = forms_for(notation)
    view = net.view()
    plan = sites(spec, net.notation)
    values: dict[sp.Symbol, sp.Expr] = {}
    for site in (s for s in plan if s.equation in ("BP1", "BP2")):  # δ^L from the cost, then δ^k from δ^{k+1}
        derived = layered.derived(net, site, 0)
        values.update(zip(net.layer(site.k).delta, (d.xreplace(values) for d in derived)))
    decay = forms.decay(spec)
    readable = _through_a(net)
    rows = []
    # every parameter, the first layer's weights first, each layer's weights before its biases
    for site in sorted((s for s in plan if s.equation in ("BP3", "BP4")), key=lambda s: (s.k, s.equation != "BP4")):
        parameter = net.weights[site.k - 1] if site.equation == "BP4" else net.biases[site.k - 1]
        closed = forms.matrix_recipe(site, "matrix")(view, site.layer)
        if site.equation == "BP4":
            closed = closed + decay * parameter
        derived = layered.derived(net, site, None)
        for index in range(len(parameter)):
            full = derived[index].xreplace(values)
            equal = sp.expand(full - closed[index].xreplace(values)) == 0
            rows.append(Entry(parameter[index], readable(display(full)), readable(closed[index]), equal))
    return rows


def _through_a(net) -> Callable[[sp.Expr], sp.Expr]:
    """f^l(z^l_i) written a^l_i (the forward pass's activations), for the table."""

    def is_activation_of_z(e) -> bool:
        return (
            symbols.is_function(e, derivative=0)
            and isinstance(e.args[0], symbols.NetworkSymbol)
            and e.args[0].quantity == "weighted_input"
        )

    def activation(call):
        (z,) = call.args
        return symbols.component(net.notation, "activation", z.layer, z.index, z.example)

    def rewrite(expr: sp.Expr) -> sp.Expr:
        return expr.replace(is_activation_of_z, activation)

    return rewrite
