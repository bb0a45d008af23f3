"""The tree an answer is read into: plain dataclass nodes, and the reader's limits and error."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace

from symbackprop.errors import FormulaError

#: Longest accepted answer, in characters.
MAX_ANSWER_LENGTH = 4000
#: Deepest accepted nesting of brackets, fractions and sums.
MAX_NESTING = 60
#: Most sums nested inside one another (each multiplies the work by a layer's width).
MAX_NESTED_SUMS = 4
#: Largest numeric exponent of an expression with symbols in it, such as (a - y)^2: SymPy's work on a
#: power grows with the exponent (an exponent of 200 took 52 s, 10^11 exhausted 24 GB).
MAX_EXPONENT = 12
#: Largest numeric exponent of a number, such as 10^{-12} (exact arithmetic, cheap at this size).
MAX_NUMBER_EXPONENT = 1000
#: Most functions (exp, log, sqrt, an activation) nested inside one another: each level multiplies
#: the size of a derivative, and simplifying five nested exp did not end in 300 s.
MAX_NESTED_FUNCTIONS = 3
#: Most terms the answer may have once expanded at the graded widths (estimated from the tree before
#: any work: a product of 12 sums of width 3 has 3^12 = 531,441 terms and took 134 s).
MAX_EXPANDED_TERMS = 20_000
#: Seconds an answer may take to grade before it is reported as undecided.
ANSWER_SECONDS = 30.0


class AnswerError(FormulaError):
    """An answer that cannot be read: names the column and what would be valid."""


class UnclosedBracket(AnswerError):
    """A bracket never closed: ``opened`` is its column, ``stopped`` the column where its contents end."""

    def __init__(self, error: AnswerError, opened: int, stopped: int):
        super().__init__(error.message, formula=error.formula, token=error.token, column=error.column)
        self.opened, self.stopped = opened, stopped


# -- the tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """A layer number as written: ``var + offset`` (var ``l``, ``L`` = the output layer) or a number."""

    var: str | None
    offset: int = 0
    parenthesised: bool = False
    #: how the answer wrote the output layer's letter, where not L: UFLDL's n_l (shown back as written)
    spelled: str = field(default="", compare=False)
    #: written as a subscript (a_{L-1}): says nothing of the notation's way of writing layers
    subscripted: bool = field(default=False, compare=False)

    def text(self) -> str:
        if self.var is None:
            body = str(self.offset)
        else:
            body = (self.spelled or self.var) + (
                f"+{self.offset}" if self.offset > 0 else f"{self.offset}" if self.offset else ""
            )
        return f"({body})" if self.parenthesised else body


@dataclass(frozen=True)
class Num:
    numerator: int
    denominator: int = 1


@dataclass(frozen=True)
class Var:
    """``W^l_{jk}``, ``delta^{(l+1)}``, ``x_k``, ``y``, ``lambda``, ``eta``, ``m``: a named quantity."""

    base: str  # W w b z a delta x y lambda eta m n
    layer: Layer | None = None
    indices: tuple[str | int, ...] = ()
    example: str | int | None = None
    column: int = 0


@dataclass(frozen=True)
class Penalty:
    """Goodfellow's Ω(θ), the weight-decay penalty of J = L + λΩ(θ): ½ Σ ‖W‖² (Deep Learning, section 7.1.1)."""


@dataclass(frozen=True)
class Cost:
    """The cost: C, C_x, J(W,b), J(W,b;x^{(i)},y^{(i)}), C_{x_i}; ``example`` marks one example's cost."""

    name: str
    example: str | int | None = None
    per_example: bool = False
    zero: bool = False  # written C_0: one example's cost (3Blue1Brown's), or the cost without its decay (Nielsen's)
    unregularised: bool = False  # Nielsen's C_0 of C = C_0 + λ/2n Σ w²: the batch cost without its weight decay


@dataclass(frozen=True)
class Partial:
    """∂num/∂wrt: num is a Cost or a quantity (∂z^{l+1}_j/∂z^l_i); ∇_a C is ∂C/∂a^L."""

    num: object
    wrt: Var | None  # None: Ng's "(from back propagation)", with respect to what the left-hand side names
    column: int = 0


@dataclass(frozen=True)
class Activation:
    """f(arg), σ(arg) or with ``prime`` f'(arg): the activation (or its derivative) of a layer."""

    name: str
    arg: object
    prime: bool = False
    layer: Layer | None = None
    column: int = 0


@dataclass(frozen=True)
class Function:
    name: str  # exp log sqrt, or sum (the code's sum over a batch's examples)
    arg: object
    every_entry: bool = False  # NumPy's np.sum(M) without axis=: the sum of every entry, a number
    axis: int | None = None  # NumPy's axis=0 (down the rows) or axis=1 (along the columns), where given
    axis_word: str = field(default="axis", compare=False)  # as written: NumPy's axis=, PyTorch's dim=


@dataclass(frozen=True)
class Sum:
    index: str
    lower: object | None
    upper: object | None
    body: object
    column: int = 0


@dataclass(frozen=True)
class BinOp:
    op: str  # + - / hadamard dot, star (an ASCII *: elementwise or a product, as the notation and shapes say)
    left: object
    right: object
    column: int = 0


@dataclass(frozen=True)
class Elided:
    """A product with terms not written, ``before`` ⋯ ``after`` joined by ``op``: the notes' unrolled
    δ^l = (f^l)' ∘ (W^{l+1})ᵀ (f^{l+1})' ∘ ⋯ ∘ (W^{L-1})ᵀ (f^{L-1})' ∘ (W^L)ᵀ (f^L)' ∘ ∇_{a^L} C. The terms it stands
    for continue the run of layers that the terms written on either side show (``Evaluator.elided_terms``)."""

    op: str  # hadamard (a typeset ∘ between the terms) or dot (· or side by side)
    before: tuple
    after: tuple
    column: int = 0


@dataclass(frozen=True)
class Compare:
    """NumPy's A > 0, Z <= 0: 1 where it holds and 0 elsewhere, entry by entry (a ReLU's mask)."""

    op: str  # < > <= >=
    left: object
    right: object
    column: int = 0


@dataclass(frozen=True)
class Neg:
    operand: object


@dataclass(frozen=True)
class Power:
    base: object
    exponent: object


@dataclass(frozen=True)
class Transpose:
    operand: object
    column: int = 0


@dataclass(frozen=True)
class Norm:
    operand: object


@dataclass(frozen=True)
class Ones:
    """NumPy's np.ones((rows, cols)): a matrix of ones, each dimension the batch's m (a name bound to it) or 1."""

    rows: object
    cols: object
    column: int = 0


@dataclass(frozen=True)
class Kronecker:
    """Kronecker's δ_{kj}: 1 where the two indices are equal, 0 elsewhere (δ with two indices and no layer)."""

    first: str | int
    second: str | int


@dataclass(frozen=True)
class Equation:
    """The sides of an answer: ``sides[0] = sides[1] = …``; one side when only a right-hand side was given."""

    sides: tuple[object, ...]
    text: str
    #: letters read by the reader's fallback table (parse.OTHER_LETTERS), in words: "t as the target y"
    readings: tuple[str, ...] = ()
    #: a case the answer is stated for, Ng's "if j = 0": (index, "=" or "≠", number)
    condition: tuple[str, str, int] | None = None
    #: a derivation's continuation line, "= …" or "&= …": its left-hand side is the line before it
    continuation: bool = False
    #: the layers it is stated for, Ng's "for l = L-1, …, 2": (the layer letter, one end, the other end, column)
    stated_layers: tuple[str, Layer, Layer, int] | None = None


# -- the size of an answer ------------------------------------------------------------------------


#: An elision is estimated as standing for this many terms as large as its largest written one.
ELIDED_ESTIMATE = 4


def expanded_terms(node: object, width: int, star_entrywise: bool = False) -> int:
    """An upper estimate of the number of terms of ``node`` multiplied out, every sum and matrix product
    running over ``width`` entries (the widest layer graded); a function call counts as one term.

    Capped at MAX_EXPANDED_TERMS + 1, so that the estimate itself stays cheap. ``star_entrywise``: ``*`` counted as
    an elementwise product, which sums nothing (NumPy's; in Octave's notation it is the matrix product).
    """
    cap = MAX_EXPANDED_TERMS + 1

    def terms(n: object) -> int:
        if isinstance(n, (Neg, Transpose)):
            return terms(n.operand)
        if isinstance(n, Partial):  # ∂/∂z of an expression: by the product rule, a few terms for each of its own
            return min(cap, terms(n.num) * 4) if not isinstance(n.num, (Var, Cost, Penalty)) else 1
        if isinstance(n, Sum):
            return min(cap, terms(n.body) * width)
        if isinstance(n, Norm):
            return min(cap, terms(n.operand) ** 2 * width)
        if isinstance(n, Power):
            exponent = n.exponent
            if isinstance(exponent, Neg):
                exponent = exponent.operand
            if isinstance(exponent, Num) and exponent.denominator == 1:
                return min(cap, terms(n.base) ** min(exponent.numerator, 64))
            return 1  # a fractional or symbolic power stays one term
        if isinstance(n, Elided):  # the terms written, and as many elided as the widest run could have
            written = [terms(t) for t in (*n.before, *n.after)]
            total = max(written) ** ELIDED_ESTIMATE
            for t in written:
                total = min(cap, total * t * (width if n.op == "dot" else 1))
            return total
        if isinstance(n, BinOp):
            left, right = terms(n.left), terms(n.right)
            if n.op in ("+", "-"):
                return min(cap, left + right)
            if n.op == "/":
                return left
            star = n.op == "star" and not star_entrywise  # * where the notation writes ⊙ with it: entry by entry
            matrices = (n.op == "dot" or star) and not (_entrywise(n.left) or _entrywise(n.right))
            return min(cap, left * right * (width if matrices else 1))  # a matrix product sums width terms
        return 1  # a number, a quantity, a derivative, a function call

    return terms(node)


#: Names that are numbers, never matrices.
_SCALARS = frozenset({"m", "n", "lambda", "eta", "s"})


def _entrywise(node: object) -> bool:
    """Every quantity in ``node`` is an entry (it has indices) or a number: a product with it sums nothing."""
    if isinstance(node, Var):
        return bool(node.indices) or node.base in _SCALARS
    if isinstance(node, Num):
        return True
    if isinstance(node, Partial):
        return bool(node.wrt.indices)
    if isinstance(node, Cost):
        return True
    if isinstance(node, Sum):
        return _entrywise(node.body)
    if isinstance(node, Activation):
        return node.arg is not None and _entrywise(node.arg)
    children = [getattr(node, name) for name in ("operand", "left", "right", "base", "arg") if hasattr(node, name)]
    return bool(children) and all(_entrywise(c) for c in children if c is not None)


# -- the terms of an elided product: runs of layers ---------------------------------------------------------


def layers_mapped(node, change):
    """``node`` with each of its layers replaced by ``change(layer)``."""
    if isinstance(node, Layer):
        return change(node)
    if isinstance(node, tuple):
        return tuple(layers_mapped(n, change) for n in node)
    if not is_dataclass(node):
        return node
    return replace(node, **{f.name: layers_mapped(getattr(node, f.name), change) for f in fields(node)})


def layers_of(node) -> list:
    """The layers written in ``node``, in the order of its fields."""
    if isinstance(node, Layer):
        return [node]
    if isinstance(node, tuple):
        return [layer for n in node for layer in layers_of(n)]
    if not is_dataclass(node):
        return []
    return [layer for f in fields(node) for layer in layers_of(getattr(node, f.name))]


def skeleton(node):
    """``node`` without its layers and columns: what the terms of a run of layers have in common."""
    if isinstance(node, Layer):
        return replace(node, var=None, offset=0)
    if isinstance(node, tuple):
        return tuple(skeleton(n) for n in node)
    if not is_dataclass(node):
        return node
    return replace(node, **{f.name: 0 if f.name == "column" else skeleton(getattr(node, f.name)) for f in fields(node)})


#: The longest block of terms an elided product repeats: (W^{l})ᵀ and (f^l)' joined by ·, in a chain of pairs.
MAX_PERIOD = 2


def elided_period(before: tuple, after: tuple) -> int | None:
    """How many terms an elided product repeats: the smallest p such that the last p terms written before the
    elision and the first p after it are the same terms at other layers; None if there is none."""
    for period in range(1, MAX_PERIOD + 1):
        if period > min(len(before), len(after)):
            break
        if all(skeleton(a) == skeleton(b) and layers_of(a) for a, b in zip(before[-period:], after[:period])):
            return period
    return None


def written_way(first, last) -> int | None:
    """Which way a run of layers goes from the term ``first`` to ``last``, as their layers are written: up from a
    number to l to L (W^1 ⋯ W^L, W^{l+1} ⋯ W^{L-1}), or down; None where they are written alike."""
    keys = []
    for term in (first, last):
        layers = layers_of(term)
        if not layers:
            return None
        keys.append(({None: 0, "l": 1, "L": 2}.get(layers[0].var, 1), layers[0].offset))
    if keys[0] == keys[1]:
        return None
    return 1 if keys[1] > keys[0] else -1
