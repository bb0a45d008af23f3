"""Local identities of the concrete activation and cost, found by simplification.

* f'(z) written through a = f(z) where such a form exists (σ' = a(1 − a),
  tanh' = 1 − a²): first by replacing f(z) with a in f'(z), then by solving
  a = f(z) for z and simplifying; a piecewise activation branch by branch.
* ∂C/∂a_j, simplified.
* δ^L_j written through a^L and y (sigmoid with cross-entropy, softmax with
  log-likelihood: a − y), from the derivative of the composed cost; for
  softmax with its inverse z = log a + c on the simplex Σ a = 1 and, when the
  cost says targets are probabilities, Σ y = 1.

No answer is looked up: every identity is derived here and then checked by
substituting a = f(z) back and simplifying the difference to zero.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy as sp

from symbackprop.spec.functions import A, Activation, Cost, Y, Z
from symbackprop.timing import OutOfTime, time_limit

SOLVE_SECONDS = 5.0


@dataclass(frozen=True)
class Identity:
    """``lhs = rhs`` for a named subject, with how it was established."""

    name: str  # activation_derivative | cost_gradient | output_delta
    subject: str  # e.g. "sigmoid", "quadratic", "sigmoid + cross_entropy"
    lhs: str
    rhs: sp.Expr | None  # in a, y (and z where no form through a exists)
    holds: bool
    method: str  # exact | numeric | none
    assumption: str | None = None
    seconds: float = 0.0
    sums_to_one: tuple[str, ...] = ()  # the quantities the assumption makes sum to 1: "activation", "target"

    def statement(self, printer=sp.sstr) -> str:
        """``lhs = rhs`` with its assumption, the right-hand side printed by ``printer`` (SymPy's str printer)."""
        if self.rhs is None:
            return f"{self.lhs}: no closed form through a found"
        text = f"{self.lhs} = {printer(self.rhs)}"
        if not self.assumption:
            return text
        # method "none": the assumption says why no form through a is given, it is no condition
        return f"{text}  ({self.assumption})" if self.method == "none" else f"{text}  (when {self.assumption})"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "subject": self.subject,
            "statement": self.statement(),
            "rhs": None if self.rhs is None else sp.sstr(self.rhs),
            "holds": self.holds,
            "method": self.method,
            "assumption": self.assumption,
            "seconds": round(self.seconds, 4),
        }


def tidy(expr: sp.Expr) -> sp.Expr:
    """Place a product's signs so it reads as a person writes it: a*(1 - a), not -a*(a - 1); (a - y)/(a*(1 - a)),
    not (-a + y)/(a*(a - 1))."""

    def minus_signs(e: sp.Expr) -> int:
        text = sp.sstr(e)
        return text.count("(-") + text.startswith("-")

    def odd_power_of_sum(f: sp.Expr) -> bool:  # (a - 1)^{-1}: a denominator's sum
        return isinstance(f, sp.Pow) and isinstance(f.base, sp.Add) and f.exp.is_integer and f.exp % 2 == 1

    def flip(m: sp.Mul) -> sp.Expr:
        coefficient, factors = m.as_coeff_mul()
        sums = [i for i, f in enumerate(factors) if isinstance(f, sp.Add) or odd_power_of_sum(f)][:4]
        best = m
        for mask in range(1, 2 ** len(sums)):
            flipped = list(factors)
            sign = coefficient
            for bit, i in enumerate(sums):
                if mask >> bit & 1:
                    f = factors[i]
                    if isinstance(f, sp.Add):
                        flipped[i] = sp.Add(*[-t for t in f.args])
                    else:
                        flipped[i] = sp.Pow(sp.Add(*[-t for t in f.base.args]), f.exp)
                    sign = -sign
            candidate = sp.Mul(sign, *flipped)
            if minus_signs(candidate) < minus_signs(best):
                best = candidate
        return best

    return expr.replace(lambda e: isinstance(e, sp.Mul), flip)


def abs_products(expr: sp.Expr) -> sp.Expr:
    """u² sign(u) written u |u|, and the sums of such terms collected: a cubic cost's derivative
    (a - y)|a - y|, not (2/3)(a - y)|a - y| + (1/3)(a - y)² sign(a - y). Exact for real u."""

    def rewrite(term: sp.Mul) -> sp.Expr:
        args = list(term.args)
        for i, factor in enumerate(args):
            if not isinstance(factor, sp.sign):
                continue
            u = factor.args[0]
            for k, other in enumerate(args):
                if k != i and isinstance(other, sp.Pow) and other.exp == 2 and other.base in (u, -u):
                    rest = [x for n, x in enumerate(args) if n not in (i, k)]
                    return sp.Mul(*rest, u, sp.Abs(u))
        return term

    def collect(total: sp.Add) -> sp.Expr:
        return sp.collect(sp.expand(total), sorted(total.atoms(sp.Abs), key=str), sp.factor)

    if not expr.has(sp.sign):
        return expr
    expr = expr.replace(lambda e: e.is_Mul and any(isinstance(x, sp.sign) for x in e.args), rewrite)
    return tidy(expr.replace(lambda e: e.is_Add and e.has(sp.Abs), collect))


def _simplest(candidates: list[sp.Expr]) -> sp.Expr | None:
    return min(candidates, key=lambda e: (sp.count_ops(e), sp.default_sort_key(e)), default=None)


def _inverses(f: sp.Expr) -> list[sp.Expr]:
    """Solutions z of a = f(z); empty when SymPy cannot solve in time."""
    try:
        with time_limit(SOLVE_SECONDS):
            solutions = sp.solve(sp.Eq(f, A), Z)
    except (OutOfTime, NotImplementedError, TypeError, ValueError):
        return []
    return [s for s in solutions if Z not in s.free_symbols and not s.has(sp.nan)]


def _same(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """Whether two expressions in z (and y) agree, piecewise ones on every interval; False when undecided."""
    try:
        with time_limit(SOLVE_SECONDS):
            return _same_unguarded(lhs, rhs)
    except (OutOfTime, NotImplementedError, TypeError, ValueError):
        return False


def _same_unguarded(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    difference = lhs - rhs
    if not difference.has(sp.Piecewise):
        return sp.simplify(difference) == 0
    p = sp.Symbol("p", positive=True)
    points = {sp.Integer(0)}
    for rel in difference.atoms(sp.core.relational.Relational):
        points.update(s for s in sp.solve(rel.lhs - rel.rhs, Z) if s.is_real)
    for point in points:
        for z in (point, point + p, point - p):
            if sp.simplify(sp.piecewise_fold(difference.subs(Z, z))) != 0:
                return False
    return True


def through_activation(expr: sp.Expr, activation: Activation) -> sp.Expr | None:
    """``expr`` (in z) rewritten in a = f(z), or None when no such form is found."""
    f = activation.formula
    direct = expr.subs(f, A)
    if Z not in direct.free_symbols and _same(direct.subs(A, f), expr):
        return tidy(direct)
    candidates = []
    if isinstance(f, sp.Piecewise):
        branchwise = _through_branches(expr, f)
        if branchwise is not None:
            candidates.append(branchwise)
    else:
        for g in _inverses(f):
            candidates.append(sp.factor(sp.simplify(expr.subs(Z, g))))
    verified = [c for c in candidates if Z not in c.free_symbols and _same(c.subs(A, f), expr)]
    # an expanded form only where it is shorter: (e^a - 1) e^{-a} reads (and evaluates, stably) as 1 - e^{-a}
    best = _simplest([min((tidy(c), sp.expand(c)), key=lambda e: sp.count_ops(e)) for c in verified])
    return None if best is None else tidy(best)


def _through_branches(expr: sp.Expr, f: sp.Piecewise) -> sp.Expr | None:
    """Rewrite a piecewise ``expr`` branch by branch through the matching branch of f."""
    expr = sp.piecewise_fold(expr)
    if not isinstance(expr, sp.Piecewise):
        return None
    branches = {cond: value for value, cond in f.args}
    pieces = []
    for value, cond in expr.args:
        if cond not in branches:
            return None
        f_branch = branches[cond]
        if Z not in f_branch.free_symbols:
            if Z in value.free_symbols or cond is not sp.true:
                return None
            pieces.append((value, sp.true))
            continue
        inverse = _inverses(f_branch)
        if len(inverse) != 1:
            return None
        pieces.append((sp.simplify(value.subs(Z, inverse[0])), cond.subs(Z, inverse[0])))
    return sp.Piecewise(*pieces)


def activation_derivative(activation: Activation) -> Identity:
    """f'(z) through a, for an elementwise activation."""
    start = time.perf_counter()
    fprime = sp.diff(activation.formula, Z)
    rhs = through_activation(fprime, activation)
    found = rhs is not None
    return Identity(
        name="activation_derivative",
        subject=activation.name,
        lhs=f"{activation.name}'(z)",
        rhs=rhs if found else fprime,
        holds=True,
        method="exact" if found else "none",
        assumption=None if found else "no form through a was found; written in z",
        seconds=time.perf_counter() - start,
    )


def cost_gradient(cost: Cost) -> Identity:
    """∂C/∂a_j for a per-output cost, differentiated and simplified."""
    start = time.perf_counter()
    rhs = tidy(sp.factor(sp.simplify(sp.diff(cost.per_output, A))))
    return Identity("cost_gradient", cost.name, "dC/da_j", rhs, True, "exact", None, time.perf_counter() - start)


def output_delta(activation: Activation, cost: Cost, width: int) -> Identity:
    """δ^L_j = ∂C_x/∂z^L_j written through a^L and y."""
    start = time.perf_counter()
    subject = f"{activation.name} + {cost.name}"
    if activation.elementwise:
        delta = sp.diff(cost.per_output.subs(A, activation.formula), Z)
        rhs = through_activation(delta, activation)
        return Identity(
            "output_delta",
            subject,
            "delta^L_j",
            rhs if rhs is not None else delta,
            True,
            "exact" if rhs is not None else "none",
            None if rhs is not None else "written in z",
            time.perf_counter() - start,
        )
    rhs, assumption = _vector_output_delta(activation, cost, max(width, 2))
    return Identity(
        "output_delta",
        subject,
        "delta^L_j",
        rhs,
        True,
        "exact" if rhs is not None else "none",
        assumption if rhs is not None else "no componentwise form through a; the Jacobian form holds",
        time.perf_counter() - start,
        ("activation", "target")
        if rhs is not None and cost.probability_targets
        else ("activation",) * (rhs is not None),
    )


def _vector_output_delta(activation: Activation, cost: Cost, n: int) -> tuple[sp.Expr | None, str | None]:
    """δ^L_j for a vector activation (softmax), simplified on its constraints, per component."""
    n = min(n, 4)  # the componentwise form is found on a few components and checked on each
    zs = sp.symbols(f"z1:{n + 1}", real=True)
    ys = sp.symbols(f"y1:{n + 1}", real=True)
    avec = sp.symbols(f"a1:{n + 1}", positive=True)
    cost_x = cost.at(activation.apply(zs), ys)
    inverse = dict(zip(zs, activation.inverse(avec)))
    assumptions = ["sum_k a_k = 1 (softmax output)"]
    if cost.probability_targets:
        assumptions.append("sum_k y_k = 1 (one-hot or probability targets)")
    forms = []
    for j in range(n):
        other = (j + 1) % n  # eliminate another component, so the result is in a_j, y_j
        constraints = {avec[other]: 1 - sp.Add(*[a for i, a in enumerate(avec) if i != other])}
        if cost.probability_targets:
            constraints[ys[other]] = 1 - sp.Add(*[y for i, y in enumerate(ys) if i != other])
        delta = sp.diff(cost_x, zs[j]).subs(inverse)
        form = sp.factor(sp.simplify(sp.simplify(delta).subs(constraints)))
        if form.free_symbols - {avec[j], ys[j]}:
            return None, None
        forms.append(form.subs({avec[j]: A, ys[j]: Y}))
    if any(sp.simplify(f - forms[0]) != 0 for f in forms):
        return None, None
    return tidy(forms[0]), " and ".join(assumptions)


@dataclass(frozen=True)
class JacobianForm:
    """A vector activation's Jacobian through a: ∂a_k/∂z_j = [k = j] d(a_j) + u(a_k) v(a_j).

    Softmax has d(a) = a, u(a) = -a, v(a) = a. With it, δ^L = J^T ∇_a C reads
    δ_j = d(a_j) g_j + v(a_j) Σ_k u(a_k) g_k, g = ∇_a C: one row sum instead of a matrix per example.
    """

    diagonal: sp.Expr
    left: sp.Expr
    right: sp.Expr

    def statement(self) -> str:
        d, u, v = (
            sp.sstr(e.subs(A, sp.Symbol(s)))
            for e, s in ((self.diagonal, "a_j"), (self.left, "a_k"), (self.right, "a_j"))
        )
        return f"da_k/dz_j = [k = j] {d} + ({u})*({v})"


def jacobian_through_a(activation: Activation, n: int = 3) -> JacobianForm | None:
    """The diagonal-plus-rank-one form of a vector activation's Jacobian, found on n components, or None."""
    if activation.elementwise or activation.inverse is None:
        return None
    zs = sp.symbols(f"z1:{n + 1}", real=True)
    avec = sp.symbols(f"a1:{n + 1}", positive=True)
    last = {avec[-1]: 1 - sp.Add(*avec[:-1])}

    def on_simplex(expr: sp.Expr) -> sp.Expr:  # softmax outputs sum to 1: eliminate the last one
        return sp.simplify(sp.simplify(expr).subs(last))

    try:
        with time_limit(SOLVE_SECONDS):
            J = sp.Matrix(activation.apply(zs)).jacobian(zs).subs(dict(zip(zs, activation.inverse(avec))))
            J = J.applyfunc(on_simplex)
            parts = sp.separatevars(J[0, 1], [avec[0], avec[1]], dict=True)
            if not parts:
                return None
            left = (parts["coeff"] * parts[avec[0]]).subs(avec[0], A)
            right = parts[avec[1]].subs(avec[1], A)
            diagonal = on_simplex(J[0, 0] - left.subs(A, avec[0]) * right.subs(A, avec[0])).subs(avec[0], A)
            for k in range(n):
                for j in range(n):
                    expected = left.subs(A, avec[k]) * right.subs(A, avec[j])
                    if k == j:
                        expected += diagonal.subs(A, avec[j])
                    if on_simplex(J[k, j] - expected) != 0:
                        return None
    except (OutOfTime, NotImplementedError, TypeError, ValueError, KeyError):
        return None
    if any(e.free_symbols - {A} for e in (diagonal, left, right)):
        return None
    return JacobianForm(diagonal, left, right)
