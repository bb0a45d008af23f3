"""The limits of a custom formula and the hints its error messages give."""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable

import sympy

MAX_FORMULA_LENGTH = 2000
#: Deepest accepted nesting of parentheses, calls, unary signs and ``**`` operands.
MAX_NESTING_DEPTH = 100
#: Largest accepted absolute value of a numeric exponent.
MAX_EXPONENT = 100
#: Longest accepted numeric literal, in characters.
MAX_NUMBER_LENGTH = 30
#: Largest accepted absolute value of the ``e`` part of a literal such as ``1e-3``.
MAX_LITERAL_EXPONENT = 300
#: Largest accepted absolute value of any constant (sub-)expression.
MAX_CONSTANT_MAGNITUDE = 1e300
#: Most bits (numerator plus denominator) an exact rational constant may need.
MAX_CONSTANT_BITS = 10_000
#: Most function applications (and fractional powers) nested inside a constant, such as sin(sin(1)).
MAX_CONSTANT_DEPTH = 4
#: Deepest accepted SymPy expression tree (an atom has depth 0), so that SymPy's recursive
#: algorithms (diff, subs, printing) stay well inside Python's recursion limit.
MAX_EXPRESSION_DEPTH = 100
#: Most sub-expression nodes the operands of abs, max, min and comparisons may hold in total.
MAX_INSPECTED_NODES = 500

_WHITESPACE = frozenset(" \t\r\n")
_IDENTIFIER_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENTIFIER_CHARS = _IDENTIFIER_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_NUMBER_RE = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE](?P<exponent>[+-]?[0-9]+))?")
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_OPERATORS = ("**", "<=", ">=", "+", "-", "*", "/", "(", ")", ",", "<", ">")
_COMPARISONS: dict[str, Callable[[sympy.Expr, sympy.Expr], sympy.Basic]] = {
    "<": sympy.Lt,
    "<=": sympy.Le,
    ">": sympy.Gt,
    ">=": sympy.Ge,
}
_UNARY_FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "abs": sympy.Abs,
    "cos": sympy.cos,
    "exp": sympy.exp,
    "log": sympy.log,
    "sin": sympy.sin,
    "sqrt": sympy.sqrt,
    "tanh": sympy.tanh,
}
_BOUND_FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {"max": sympy.Max, "min": sympy.Min}
_ARITY = {**dict.fromkeys(_UNARY_FUNCTIONS, 1), **dict.fromkeys(_BOUND_FUNCTIONS, 2), "where": 3}
FUNCTION_NAMES = tuple(sorted(_ARITY))

_VALID_CHARACTERS = "ASCII letters, digits, spaces, '.' inside numbers and the operators + - * / ** ( ) , < <= > >="
_OPERAND = "a number, a variable, a function call or '('"
_AFTER_OPERAND = "an operator (+ - * / **)"
_UNDEFINED = (sympy.S.ComplexInfinity, sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity)

# Characters that get a specific explanation instead of the generic one.
_CHARACTER_HINTS = {
    "^": "'^' is not a power operator here; write powers with **, e.g. z**2",
    "'": "strings are not allowed in a formula",
    '"': "strings are not allowed in a formula",
    "`": "quotes are not allowed in a formula",
    "[": "brackets are not allowed; group with ( and )",
    "]": "brackets are not allowed; group with ( and )",
    "{": "braces are not allowed; group with ( and )",
    "}": "braces are not allowed; group with ( and )",
    "=": "assignment is not allowed; comparisons inside where(...) use <, <=, > or >=",
    "%": "the remainder operator is not supported; use + - * / **",
    "@": "matrix multiplication is not supported; use *",
    ";": "a formula is a single expression; statements are not allowed",
    ":": "a formula is a single expression; ':' is not allowed",
    "\\": "backslashes are not allowed in a formula",
}


# Names people type that mean something elsewhere (SymPy, Python, other notations): each is an
# unknown name here like any other, and the error says what to write instead.
_NAME_HINTS = {
    **dict.fromkeys(("E", "e"), "Euler's number is written exp(1)"),
    **dict.fromkeys(("I", "j", "J"), "complex numbers are not supported"),
    **dict.fromkeys(("pi", "oo", "zoo", "nan", "inf"), "constants are written as numbers"),
    **dict.fromkeys(("S", "N", "Q", "O"), "SymPy's single-letter names mean nothing here"),
    **dict.fromkeys(("beta", "gamma", "erf", "Heaviside"), "special functions are not supported"),
    "ln": "the natural logarithm is written log",
    "pow": "powers are written with **, e.g. z**2",
    "sigmoid": "write it out, e.g. 1/(1 + exp(-z))",
    "relu": "write it out, e.g. max(z, 0)",
    "Abs": "the absolute value is written abs",
}


def _name_hint(name: str) -> str:
    """`` (what to write instead)`` for a name with a known meaning elsewhere, else ``""``."""
    if name in _NAME_HINTS:
        return f" ({_NAME_HINTS[name]})"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return " (a Python keyword: a formula is arithmetic, not Python code)"
    if name.startswith("__"):
        return " (a formula is arithmetic, not Python code: names are never looked up)"
    return ""
