"""A whitelist parser from user-typed formula strings to SymPy expressions.

Custom activations (``z / (1 + exp(-z))``) and costs (``abs(a - y)**3 / 3``)
come from a TOML spec, so their text is untrusted. :func:`parse_formula` reads
it with its own tokenizer and recursive-descent parser and builds the SymPy
expression node by node from whitelisted pieces; the text never reaches
``eval``, ``exec``, ``compile``, ``sympify``, ``parse_expr`` or :mod:`ast`.

Grammar (lowest precedence first)::

    formula    := sum END
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := ("+" | "-")* primary ("**" unary)?   -z**2 is -(z**2); 2**3**2 is 2**9; 2**-z
    primary    := NUMBER | VARIABLE | FUNCTION "(" arguments ")" | "(" sum ")"
    comparison := sum ("<" | "<=" | ">" | ">=") sum    only as the first argument of where

Functions: ``exp log sqrt tanh abs sin cos`` (one argument), ``max``/``min``
(two arguments, at least one a plain number) and ``where(cond, a, b)``, which
is ``Piecewise((a, cond), (b, True))``. Numbers are exact: ``0.1`` is
``Rational(1, 10)``, never a float.

Anything else is rejected with a :class:`~symbackprop.errors.FormulaError`
naming the offending token, its 1-based column and what would be valid.

Names are only the caller's variables and the functions above. Every other
name is rejected, whatever it means in SymPy or Python: ``E``, ``I``, ``S``,
``N``, ``Q``, ``O``, ``pi``, ``beta``, ``gamma``, ``lambda``, ``__import__`` are
never Euler's number, the imaginary unit, SymPy's singletons, special
functions or Python; the error says what to write instead (``exp(1)`` for e).
There are no attributes, strings, subscripts, keywords or statements. Only
ASCII is accepted: a look-alike letter (Cyrillic ``а``, Greek ``ο``, fullwidth
``ｚ``), a non-breaking space or a NUL byte is rejected by its code point,
never normalised into the letter it resembles.

Limits keep hostile input cheap (the ``MAX_*`` constants below): the length of
the formula and of each literal, the nesting of the text and the depth of the
built tree, numeric exponents, and the size of every constant. Constants are
checked with a float shadow computation *before* SymPy is asked to compare or
simplify them, so no input makes SymPy compute a huge integer or hunt for the
sign of an astronomically large or deeply nested constant. Operations whose
cost grows with the size of their operands in SymPy (abs, max, min,
comparisons) share a budget, and a comparison may not contain a ``where``.
"""

from symbackprop.spec.formula.limits import (
    FUNCTION_NAMES,
    MAX_CONSTANT_BITS,
    MAX_CONSTANT_DEPTH,
    MAX_CONSTANT_MAGNITUDE,
    MAX_EXPONENT,
    MAX_EXPRESSION_DEPTH,
    MAX_FORMULA_LENGTH,
    MAX_INSPECTED_NODES,
    MAX_LITERAL_EXPONENT,
    MAX_NESTING_DEPTH,
    MAX_NUMBER_LENGTH,
)
from symbackprop.spec.formula.parser import parse_formula
from symbackprop.spec.formula.tokens import tokenize

__all__ = [
    "MAX_CONSTANT_BITS",
    "MAX_CONSTANT_DEPTH",
    "MAX_EXPRESSION_DEPTH",
    "MAX_INSPECTED_NODES",
    "MAX_CONSTANT_MAGNITUDE",
    "MAX_EXPONENT",
    "MAX_FORMULA_LENGTH",
    "MAX_LITERAL_EXPONENT",
    "MAX_NESTING_DEPTH",
    "MAX_NUMBER_LENGTH",
    "FUNCTION_NAMES",
    "parse_formula",
    "tokenize",
]
