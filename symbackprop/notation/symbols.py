"""The symbols of a network: SymPy symbols that carry what they stand for.

A :class:`NetworkSymbol` knows its quantity (``weight``, ``error``, …), the
notation's layer number, its indices and the example of a batch it belongs
to, and the notation it is written in. The printers
(:mod:`symbackprop.printing`) dispatch on these classes and read those
fields; no module parses a symbol's name. The name is only SymPy's identity
and a stable sort key (``W^2_{1,3}``, ``z^(3)_2[x3]``, ``delta^2_1``).

An activation function f^l is an undefined SymPy function carrying its layer
and notation (:func:`function`); its derivative, as a reader writes it, is
another such function with ``derivative=1`` (:func:`prime`), never a prime
in a name.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction

from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.model import Notation, Spelling

#: The ASCII base of each quantity in a symbol's name (its SymPy identity; what str() shows).
NAME_BASES = {
    "weight": None,  # the notation's own letter, W or w
    "bias": "b",
    "weighted_input": "z",
    "activation": "a",
    "error": "delta",
    "input": "x",
    "target": "y",
    "example_cost": "C_x",
    "output_activation": "a_out",
    "width": "n",
    "cost": "C",  # the batch cost (J in UFLDL)
    "fprime": "f'",  # f^l'(z^l), the vector of a layer's derivatives (a matrix symbol of a document)
    "cost_gradient": "grad_a C",  # ∇_a C_x, the vector (a matrix symbol of a document)
}


class NetworkSymbol(sp.Symbol):
    """One symbol of a network: a component (with ``index``) or a whole quantity (the label of an IndexedBase).

    ``layer`` is the notation's layer number (None for x, y and C_x), ``index`` the 0-based indices of a
    component (empty for a whole quantity), ``example`` the 0-based example of a batch (None for one example).
    """

    quantity: str
    layer: int | str | None
    index: tuple[int, ...]
    example: int | None
    notation: str

    def __new__(cls, name: str, quantity: str, layer=None, index=(), example=None, notation="nielsen", **assumptions):
        obj = sp.Symbol.__xnew__(cls, name, **assumptions)
        obj.quantity, obj.layer, obj.index, obj.example, obj.notation = quantity, layer, tuple(index), example, notation
        return obj

    def __getnewargs_ex__(self):
        return (self.name, self.quantity, self.layer, self.index, self.example, self.notation), self.assumptions0

    def _hashable_content(self):
        # comparable entries only (SymPy orders symbols by this tuple): no None
        example = -1 if self.example is None else self.example
        return (*super()._hashable_content(), self.quantity, str(self.layer), self.index, example, self.notation)

    @property
    def spelling(self) -> Spelling:
        """How the symbol's notation spells its quantity (its name for a quantity the notation does not spell)."""
        symbols = notation_named(self.notation).symbols
        return symbols.get(_SPELT_AS.get(self.quantity, self.quantity), Spelling(self.name, self.name, self.name))


#: Quantities spelt as another one: a^L's stand-in is spelt a.
_SPELT_AS = {"output_activation": "activation"}


def _base(notation: Notation, quantity: str) -> str:
    base = NAME_BASES[quantity]
    return notation.spell("weight") if base is None else base


def _indices(index: tuple[int, ...]) -> str:
    text = ",".join(str(i + 1) for i in index)
    return "{" + text + "}" if len(index) > 1 else text


def component(
    notation: Notation,
    quantity: str,
    number: int,
    index: tuple[int, ...],
    example: int | None = None,
) -> NetworkSymbol:
    """One component of a layered quantity, e.g. W^2_{1,3}, z^(2)_1, a^1_2 of example 3 (indices 0-based)."""
    name = f"{_base(notation, quantity)}^{notation.label(number)}_{_indices(index)}"
    if example is not None:
        name += f"[x{example + 1}]"
    return NetworkSymbol(name, quantity, number, index, example, notation.name, real=True)


def vector_component(notation: Notation, quantity: str, i: int, example: int | None = None) -> NetworkSymbol:
    """A component of the input or the target, x_1 or y_2 of example 3 (i 0-based)."""
    name = f"{_base(notation, quantity)}_{i + 1}"
    if example is not None:
        name += f"[x{example + 1}]"
    return NetworkSymbol(name, quantity, None, (i,), example, notation.name, real=True)


def quantity(notation: Notation, quantity: str, number: int | str | None = None, **assumptions) -> NetworkSymbol:
    """A whole quantity: W^2, delta^(3), x (the label of an IndexedBase, or a matrix symbol's name)."""
    base = _base(notation, quantity)
    name = base if number is None else f"{base}^{notation.label(number)}"
    return NetworkSymbol(name, quantity, number, (), None, notation.name, **assumptions)


def indexed(notation: Notation, name: str, number: int | str | None = None) -> sp.IndexedBase:
    """The IndexedBase of a layered quantity (its label a :class:`NetworkSymbol`), e.g. W^2[j, k]."""
    # the label carries the assumptions: an IndexedBase rebuilt from its args (by xreplace, doit) keeps them
    return sp.IndexedBase(quantity(notation, name, number, real=True))


def width(notation: Notation, number: int | str) -> NetworkSymbol:
    """n_l, the number of neurons of layer ``number``, as an integer symbol (s_l in UFLDL)."""
    return NetworkSymbol(f"n_{number}", "width", number, (), None, notation.name, integer=True, positive=True)


def example_cost(notation: Notation, example: int | None = None) -> NetworkSymbol:
    """C_x, the cost of one example (of example e of a batch)."""
    name = "C_x" if example is None else f"C_x[x{example + 1}]"
    return NetworkSymbol(name, "example_cost", None, (), example, notation.name)


def function(notation: Notation, number: int | str, derivative: int = 0) -> UndefinedFunction:
    """The abstract activation f^l of layer ``number`` (its derivative f^l′ with ``derivative=1``)."""
    name = f"f^{notation.label(number)}" + "'" * derivative
    return sp.Function(
        name, real=True, layer=number, notation=notation.name, derivative=derivative, _pretty=_pretty_function
    )


def _pretty_function(self, printer):
    """How ``sympy.pprint`` writes f^l(u): ``f^2′(z)`` (or ``σ′(z)``) in the notation's letters, not ``f²``, which
    reads as f squared. One module-level function, so that every f^l class compares equal to its twin."""
    from sympy.printing.pretty.stringpict import prettyForm

    func = self.func
    head = notation_named(func.notation).function_head(func.layer, func.derivative, "unicode")
    return prettyForm(*prettyForm(head).right(printer._print_seq(self.args, "(", ")")))


def is_function(f, *, derivative: int | None = None) -> bool:
    """Whether ``f`` (a function class or an application) is a layer's activation function (of that derivative)."""
    func = f.func if isinstance(f, AppliedUndef) else f
    if not isinstance(func, UndefinedFunction) or not hasattr(func, "layer") or not hasattr(func, "notation"):
        return False
    return derivative is None or getattr(func, "derivative", 0) == derivative


def prime(applied: AppliedUndef) -> AppliedUndef:
    """f^l′(u) for an application f^l(u) of a layer's activation function."""
    func = applied.func
    return function(notation_named(func.notation), func.layer, func.derivative + 1)(*applied.args)


def primed(expr: sp.Basic) -> sp.Basic:
    """Every ∂f^l(u)/∂u in ``expr`` written f^l′(u), as the texts write it."""

    def is_first_derivative(e) -> bool:
        return (
            isinstance(e, sp.Derivative)
            and is_function(e.expr)
            and len(e.variable_count) == 1
            and e.variable_count[0][1] == 1
            and e.expr.args == e.variables
        )

    return expr.replace(is_first_derivative, lambda d: prime(d.expr))
