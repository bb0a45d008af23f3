"""What an answer is about and how it is written: the quantity its left-hand side names, the notation, the
layers it speaks of."""

from __future__ import annotations

from dataclasses import dataclass

from symbackprop.check import tree
from symbackprop.check.evaluate import var_text, walk
from symbackprop.check.names import BATCH_NAMES
from symbackprop.check.show import show
from symbackprop.check.verdict import GradingError
from symbackprop.notation.catalogue import NOTATIONS
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.model import Notation
from symbackprop.spec.model import Spec

# -- the quantity an answer is about ---------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    kind: str  # delta | bias | weight | input | cost_gradient | update | bias_update
    layer: tree.Layer | None
    indices: tuple
    text: str
    columns: bool = False  # a batch matrix, one column per example (deeplearning.ai's dZ^{[l]}, dA^{[L]})


#: deeplearning.ai's d-names on a left-hand side: the kind of quantity, and whether it has a column per example.
_D_NAMES = {
    "dZ": ("delta", True),
    "dz": ("delta", False),
    "dW": ("weight", False),
    "dw": ("weight", False),
    "db": ("bias", False),
    "dA": ("cost_gradient", True),
    "da": ("cost_gradient", False),
    "dX": ("input", True),  # CS231n's dX = W.T.dot(dD): each example's ∂C_x/∂x, a column (or row) per example
    "dx": ("input", False),
}


def quantity_of(node) -> Quantity | None:
    """What a left-hand side names, or None if it names no quantity."""
    if isinstance(node, tree.Var) and node.base == "delta":
        return Quantity("delta", node.layer, node.indices, var_text(node))
    if isinstance(node, tree.Var) and node.base in _D_NAMES:
        kind, columns = _D_NAMES[node.base]
        return Quantity(kind, node.layer, node.indices, var_text(node), columns)
    if isinstance(node, tree.Var) and node.base in ("W", "w"):
        return Quantity("update", node.layer, node.indices, var_text(node))
    if isinstance(node, tree.Var) and node.base == "b":  # b^l → b^l − η/m Σ_x δ^{x,l}
        return Quantity("bias_update", node.layer, node.indices, var_text(node))
    if isinstance(node, tree.Cost):
        return Quantity("cost", None, (), show(node))
    if isinstance(node, tree.Partial) and isinstance(node.num, tree.Cost):
        w = node.wrt
        kind = {"z": "delta", "W": "weight", "w": "weight", "b": "bias", "x": "input", "a": "cost_gradient"}.get(w.base)
        if kind:
            return Quantity(kind, w.layer, w.indices, f"∂{node.num.name}/∂{var_text(w)}")
    return None


def default_lhs(kind: str, nt: Notation) -> tuple[str, str]:
    """The left-hand side an answer filed under an equation is about, in ``nt``'s letters: (matrix, component)."""
    i, j = nt.indices
    cost, W = nt.spell("cost"), nt.spell("weight")
    out, general = "{" + nt.label(nt.output_layer.ascii) + "}", "{" + nt.label("l") + "}"
    table = {
        "delta_output": (f"delta^{out}", f"delta^{out}_{i}"),
        "delta_hidden": (f"delta^{general}", f"delta^{general}_{i}"),
        "bias": (f"d{cost}/db^{general}", f"d{cost}/db^{general}_{i}"),
        "weight": (f"d{cost}/d{W}^{general}", f"d{cost}/d{W}^{general}_{{{i}{j}}}"),
        "input": (f"grad_x {cost}", f"d{cost}/dx_{nt.input_index}"),
        "cost_gradient": (f"grad_a {cost}", f"d{cost}/da^{out}_{i}"),
        "cost": (cost, cost),
        "update": (f"{W}^{general}", f"{W}^{general}_{{{i}{j}}}"),
        "bias_update": (f"b^{general}", f"b^{general}_{i}"),
    }
    return table[kind]


def free_indices(node, bound=frozenset()) -> list:
    found: list = []
    if isinstance(node, tree.Sum):
        return free_indices(node.body, bound | {node.index})
    if isinstance(node, tree.Var):
        return [i for i in node.indices if isinstance(i, str) and i not in bound]
    if isinstance(node, tree.Kronecker):
        return [i for i in (node.first, node.second) if isinstance(i, str) and i not in bound]
    if isinstance(node, tree.Partial):
        found = free_indices(node.wrt, bound)
        return found + (free_indices(node.num, bound) if isinstance(node.num, tree.Var) else [])
    if node is None or isinstance(node, (tree.Num, tree.Cost)):
        return []
    for value in vars(node).values():
        if hasattr(value, "__dataclass_fields__") and not isinstance(value, tree.Layer):
            for i in free_indices(value, bound):
                if i not in found:
                    found.append(i)
    return found


#: What the reader's vocabulary writes the weighted input, the activation and the error as; a notation that
#: spells them otherwise (Bishop's a and z, Goodfellow's h, deeplearning.ai's Z, A, dZ, the course's Θ) is read
#: only when named or when it is the spec's.
READ_LETTERS = {"weighted_input": "z", "activation": "a", "error": "delta"}


def readable(nt: Notation) -> bool:
    """Whether an answer can be taken to be in ``nt`` from its writing alone (the reader's letters are its)."""
    return all(nt.spell(q) == letter for q, letter in READ_LETTERS.items()) and nt.spell("weight") in ("W", "w")


def cost_letter(nt: Notation) -> str:
    """The letter of the cost, without its arguments: J for UFLDL's J(W,b)."""
    return nt.spell("cost").split("(")[0]


#: Why an answer is read in the notation given with it (check --notation, an answers file's column).
NAMED = "named with the answer"


def notation_of(equation: tree.Equation, spec: Spec, explicit: str | None) -> tuple[str, str]:
    """The notation to read the answer in, and why: the one named, else the catalogue's notations whose writing
    the answer's fits (parenthesised layer numbers, the letter of the cost, the letter of the activation
    function), the spec's first."""
    if explicit:
        if explicit not in NOTATIONS:
            raise GradingError(f"unknown notation {explicit!r}; valid: {', '.join(NOTATIONS)}")
        return explicit, NAMED
    nodes = [n for side in equation.sides for n in walk(side)]
    written = [n.layer for n in nodes if getattr(n, "layer", None) is not None and not n.layer.subscripted]
    parenthesised = any(layer.parenthesised for layer in written)
    costs = {n.name for n in nodes if isinstance(n, tree.Cost)}
    functions = {n.name for n in nodes if isinstance(n, tree.Activation)}
    spec_nt = notation_named(spec.notation)
    if not readable(spec_nt):  # read in the spec's own letters (its lexicon): the spec's notation
        return spec_nt.name, "the spec's notation, in its own letters"
    candidates = [spec_nt, *(nt for nt in NOTATIONS.values() if nt is not spec_nt and readable(nt))]
    reasons = []
    if parenthesised:
        candidates = [nt for nt in candidates if nt.parenthesised] or candidates
        reasons.append("parenthesised layer numbers")
    elif spec_nt.parenthesised and written:
        candidates = [nt for nt in candidates if not nt.parenthesised] or candidates
        reasons.append("layer numbers without parentheses")
    own_costs = [nt for nt in candidates if cost_letter(nt) in costs and cost_letter(nt) != cost_letter(spec_nt)]
    if own_costs:
        candidates = own_costs
        reasons.append(f"the cost {cost_letter(own_costs[0])}")
    own_functions = [  # a letter that several texts share (σ) says nothing of the weights: those must agree
        nt
        for nt in candidates
        if nt.spell("function") in functions
        and nt.spell("function") != spec_nt.spell("function")
        and (_only_one_writes(nt.spell("function")) or _same_weights(nt, spec_nt))
    ]
    if own_functions:
        candidates = own_functions
        reasons.append(f"the derivative written {own_functions[0].spell('function', 'unicode')}'(z)")
    chosen = candidates[0]
    if chosen is spec_nt and not own_costs and not own_functions:
        return chosen.name, "the spec's notation"
    return chosen.name, " / ".join(reasons)  # the note says "read in <chosen> notation (<reasons>)"


def _only_one_writes(function: str) -> bool:
    """Whether a single notation of the catalogue writes the activation function with this letter (the blog's a)."""
    return sum(nt.spell("function") == function for nt in NOTATIONS.values()) == 1


def _same_weights(nt: Notation, other: Notation) -> bool:
    return (nt.transposed, nt.weight_offset, nt.input_layer) == (
        other.transposed,
        other.weight_offset,
        other.input_layer,
    )


def is_batch(equation: tree.Equation) -> bool:
    for side in equation.sides:
        for node in walk(side):
            if isinstance(node, tree.Var) and node.base in {"lambda", "m", "n"} | BATCH_NAMES:
                return True  # λ, 1/m, or a matrix with a column per example
            if isinstance(node, tree.Sum) and isinstance(node.upper, tree.Var) and node.upper.base in ("m", "n"):
                return True
    return False


def layer_values(q: Quantity, kind: str, nt: Notation, depth: int) -> list[int | None]:
    """The values of l for which the left-hand side names a quantity of this kind."""
    if q.layer is None:
        return [None]
    if q.layer.var != "l":
        return [None]
    values = []
    for l in range(-3, depth + 4):
        number = l + q.layer.offset
        if kind in ("delta_output", "delta_hidden"):
            k = nt.internal_layer(number)
            ok = 1 <= k < depth if kind == "delta_hidden" else k == depth
        elif kind in ("cost_gradient",):  # a general layer's dA^{[l-1]} = W^{[l]T} dZ^{[l]}: the hidden layers
            ok = 1 <= nt.internal_layer(number) < depth
        else:
            ok = 1 <= nt.internal_weight_layer(number) <= depth
        if ok:
            values.append(l)
    return values


def internal_k(q: Quantity, kind: str, nt: Notation, depth: int, l: int | None) -> int:
    if q.layer is None:
        return depth if kind in ("delta_output", "cost_gradient") else 1
    base = l if q.layer.var == "l" else nt.layer(depth) if q.layer.var == "L" else 0
    number = base + q.layer.offset
    if kind in ("delta_output", "delta_hidden", "cost_gradient"):
        return nt.internal_layer(number)
    return nt.internal_weight_layer(number)
