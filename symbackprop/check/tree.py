"""The tree an answer is read into: plain dataclass nodes, and the reader's limits and error."""

from __future__ import annotations

from dataclasses import dataclass

from symbackprop.errors import FormulaError

#: Longest accepted answer, in characters.
MAX_ANSWER_LENGTH = 4000
#: Deepest accepted nesting of brackets, fractions and sums.
MAX_NESTING = 60
#: Most sums nested inside one another (each multiplies the work by a layer's width).
MAX_NESTED_SUMS = 4


class AnswerError(FormulaError):
    """An answer that cannot be read: names the column and what would be valid."""


# -- the tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """A layer number as written: ``var + offset`` (var ``l``, ``L`` = the output layer) or a number."""

    var: str | None
    offset: int = 0
    parenthesised: bool = False

    def text(self) -> str:
        if self.var is None:
            body = str(self.offset)
        else:
            body = self.var + (f"+{self.offset}" if self.offset > 0 else f"{self.offset}" if self.offset else "")
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
class Cost:
    """The cost: C, C_x, J(W,b), J(W,b;x^{(i)},y^{(i)}), C_{x_i}; ``example`` marks one example's cost."""

    name: str
    example: str | int | None = None
    per_example: bool = False


@dataclass(frozen=True)
class Partial:
    """∂num/∂wrt: num is a Cost or a quantity (∂z^{l+1}_j/∂z^l_i); ∇_a C is ∂C/∂a^L."""

    num: object
    wrt: Var
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
    name: str  # exp log sqrt
    arg: object


@dataclass(frozen=True)
class Sum:
    index: str
    lower: object | None
    upper: object | None
    body: object
    column: int = 0


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * / hadamard dot
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
class Equation:
    """The sides of an answer: ``sides[0] = sides[1] = …``; one side when only a right-hand side was given."""

    sides: tuple[object, ...]
    text: str
