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

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy

from symbackprop.errors import FormulaError

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

#: Longest accepted formula, in characters.
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


@dataclass(frozen=True)
class Token:
    """One lexical token: ``kind`` is ``number``, ``name``, ``operator`` or ``end``."""

    kind: str
    text: str
    column: int


# ---------------------------------------------------------------------------
# Errors


def _show(text: str, limit: int = 40) -> str:
    """``text`` quoted for a message, shortened when it is long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _allowed_names(variables: Mapping[str, sympy.Symbol]) -> str:
    names = ", ".join(sorted(variables)) or "(none)"
    return f"allowed: variables {names}; functions {', '.join(FUNCTION_NAMES)}"


def _error(formula: str, message: str, token: Token | None) -> FormulaError:
    if token is None:
        return FormulaError(message, formula=formula)
    return FormulaError(message, formula=formula, token=token.text, column=token.column)


# ---------------------------------------------------------------------------
# Tokenizer


def _character_error(formula: str, index: int) -> FormulaError:
    char = formula[index]
    token = Token("invalid", char, index + 1)
    code = f"U+{ord(char):04X}"
    if ord(char) > 127:
        message = (
            f"non-ASCII character {code} {char!r} at column {token.column} (a look-alike letter or space?); "
            f"formulas use {_VALID_CHARACTERS}"
        )
    elif ord(char) < 32 or ord(char) == 127:
        message = f"control character {code} {char!r} at column {token.column}; formulas use {_VALID_CHARACTERS}"
    elif char == ".":
        message = (
            f"'.' at column {token.column}: attribute access is not allowed; "
            "'.' may only appear inside a number such as 0.5"
        )
    else:
        hint = _CHARACTER_HINTS.get(char, f"formulas use {_VALID_CHARACTERS}")
        message = f"character {char!r} at column {token.column} is not allowed; {hint}"
    return _error(formula, message, token)


def _operator_error(formula: str, index: int) -> FormulaError | None:
    """The error for a two-character operator Python has but formulas do not, if one starts here."""
    pair = formula[index : index + 2]
    hints = {
        "==": "equality is not supported; where(...) takes a comparison with <, <=, > or >=",
        "!=": "inequality is not supported; where(...) takes a comparison with <, <=, > or >=",
        "//": "floor division is not supported; use / for exact division",
    }
    if pair not in hints:
        return None
    return _error(
        formula, f"operator {pair!r} at column {index + 1}: {hints[pair]}", Token("operator", pair, index + 1)
    )


def _number_token(formula: str, index: int) -> Token:
    """The numeric literal starting at ``index``, validated against the literal limits."""
    match = _NUMBER_RE.match(formula, index)
    assert match is not None  # the caller saw a digit or '.' followed by a digit
    end = match.end()
    if end < len(formula) and (formula[end] in _IDENTIFIER_CHARS or formula[end] == "."):
        while end < len(formula) and (formula[end] in _IDENTIFIER_CHARS or formula[end] == "."):
            end += 1
        token = Token("number", formula[index:end], index + 1)
        raise _error(
            formula,
            f"malformed number {_show(token.text)} at column {token.column}; numbers look like 3, 0.5, .5 "
            "or 1e-3 (to multiply, write * explicitly, e.g. 2*z)",
            token,
        )
    token = Token("number", formula[index:end], index + 1)
    if len(token.text) > MAX_NUMBER_LENGTH:
        raise _error(
            formula,
            f"number {_show(token.text)} at column {token.column} is too long "
            f"({len(token.text)} characters); at most {MAX_NUMBER_LENGTH} are allowed",
            token,
        )
    exponent = match.group("exponent")
    if exponent is not None and abs(int(exponent)) > MAX_LITERAL_EXPONENT:
        raise _error(
            formula,
            f"number {_show(token.text)} at column {token.column} has exponent {int(exponent)}; "
            f"the exponent of a literal must be between -{MAX_LITERAL_EXPONENT} and {MAX_LITERAL_EXPONENT}",
            token,
        )
    return token


def _name_token(formula: str, index: int) -> Token:
    match = _IDENTIFIER_RE.match(formula, index)
    assert match is not None  # the caller saw an identifier start
    return Token("name", match.group(), index + 1)


def _operator_token(formula: str, index: int) -> Token | None:
    for operator in _OPERATORS:
        if formula.startswith(operator, index):
            return Token("operator", operator, index + 1)
    return None


def tokenize(formula: str) -> Iterator[Token]:
    """The tokens of ``formula``, ending with an ``end`` token.

    Lazy, so the parser reports the leftmost problem first; raises :class:`FormulaError`
    on reaching a character that is not in the grammar.
    """
    index = 0
    while index < len(formula):
        char = formula[index]
        if char in _WHITESPACE:
            index += 1
            continue
        if char in _DIGITS or (char == "." and formula[index + 1 : index + 2] in _DIGITS):
            token = _number_token(formula, index)
        elif char in _IDENTIFIER_START:
            token = _name_token(formula, index)
        else:
            operator_error = _operator_error(formula, index)
            if operator_error is not None:
                raise operator_error
            maybe_token = _operator_token(formula, index)
            if maybe_token is None:
                raise _character_error(formula, index)
            token = maybe_token
        yield token
        index += len(token.text)
    yield Token("end", "", len(formula) + 1)


# ---------------------------------------------------------------------------
# Constants: exact values, checked through a float shadow before SymPy compares them


class _ConstantProblem(Exception):
    """A constant sub-expression that is undefined, not real, or too large."""


def _rational_bits(value: sympy.Rational) -> int:
    return int(value.p).bit_length() + int(value.q).bit_length()


def _rational_from_literal(text: str) -> sympy.Rational:
    """The exact value of a validated numeric literal (never through float)."""
    fraction = Fraction(text)
    return sympy.Rational(fraction.numerator, fraction.denominator)


def _float_power(base: float, exponent: float) -> float:
    try:
        result = base**exponent
    except ZeroDivisionError as exc:
        raise _ConstantProblem("is undefined (0 to a negative power)") from exc
    if isinstance(result, complex):
        raise _ConstantProblem("is not a real number (a negative number to a fractional power)")
    return result


def _float_truth(condition: sympy.Basic, value: Callable[[sympy.Basic], float]) -> bool:
    if condition is sympy.true:
        return True
    if condition is sympy.false:
        return False
    if isinstance(condition, sympy.core.relational.Relational) and condition.rel_op in _COMPARISONS:
        left, right = value(condition.lhs), value(condition.rhs)
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[condition.rel_op]
    raise _ConstantProblem("has a condition that cannot be checked")


# Nodes that do not count towards the nesting depth of a constant.
_NESTING_FREE = (
    sympy.Atom,
    sympy.Add,
    sympy.Mul,
    sympy.core.relational.Relational,
    sympy.functions.elementary.piecewise.ExprCondPair,
)

_FLOAT_FUNCTIONS: dict[type, Callable[[float], float]] = {
    sympy.exp: math.exp,
    sympy.log: math.log,
    sympy.sin: math.sin,
    sympy.cos: math.cos,
    sympy.tanh: math.tanh,
    sympy.Abs: abs,
}


class _ConstantChecker:
    """Float approximations of constant SymPy expressions, computed without SymPy's evalf.

    Every constant the parser builds passes through :meth:`value`, which rejects
    undefined (``zoo``, ``nan``), non-real and huge values. Results are memoized,
    so checking every node of a formula costs time linear in its size.
    """

    def __init__(self) -> None:
        self._values: dict[sympy.Basic, float] = {}
        self._depths: dict[sympy.Basic, int] = {}

    def value(self, expr: sympy.Basic) -> float:
        cached = self._values.get(expr)
        if cached is not None:
            return cached
        try:
            result = self._compute(expr)
        except OverflowError as exc:
            raise _ConstantProblem(f"is too large (above {MAX_CONSTANT_MAGNITUDE:g})") from exc
        except (ValueError, ZeroDivisionError) as exc:
            raise _ConstantProblem("is undefined or not a real number") from exc
        if not math.isfinite(result) or abs(result) > MAX_CONSTANT_MAGNITUDE:
            raise _ConstantProblem(f"is too large (above {MAX_CONSTANT_MAGNITUDE:g})")
        if self.function_depth(expr) > MAX_CONSTANT_DEPTH:
            raise _ConstantProblem(
                f"nests more than {MAX_CONSTANT_DEPTH} functions inside a constant "
                "(SymPy's cost of comparing such constants grows exponentially with their nesting)"
            )
        self._values[expr] = result
        return result

    def function_depth(self, expr: sympy.Basic) -> int:
        """How many function applications (and fractional powers) are nested in ``expr``."""
        cached = self._depths.get(expr)
        if cached is not None:
            return cached
        inner = max((self.function_depth(arg) for arg in expr.args), default=0)
        free = isinstance(expr, _NESTING_FREE) or (isinstance(expr, sympy.Pow) and expr.exp.is_Integer)
        result = inner if free else inner + 1
        self._depths[expr] = result
        return result

    def _compute(self, expr: sympy.Basic) -> float:
        if expr in _UNDEFINED:
            raise _ConstantProblem("is undefined (a division by zero or the log of 0)")
        if expr is sympy.I:
            raise _ConstantProblem("is not a real number")
        if isinstance(expr, sympy.Rational):
            if _rational_bits(expr) > MAX_CONSTANT_BITS:
                raise _ConstantProblem(f"needs more than {MAX_CONSTANT_BITS} bits to write exactly")
            return int(expr.p) / int(expr.q)
        if expr is sympy.E:
            return math.e
        if expr is sympy.pi:
            return math.pi
        if isinstance(expr, sympy.Add):
            return math.fsum(self.value(arg) for arg in expr.args)
        if isinstance(expr, sympy.Mul):
            return math.prod(self.value(arg) for arg in expr.args)
        if isinstance(expr, sympy.Pow):
            return _float_power(self.value(expr.base), self.value(expr.exp))
        if expr.func in _FLOAT_FUNCTIONS:
            return _FLOAT_FUNCTIONS[expr.func](self.value(expr.args[0]))
        if isinstance(expr, sympy.Max):
            return max(self.value(arg) for arg in expr.args)
        if isinstance(expr, sympy.Min):
            return min(self.value(arg) for arg in expr.args)
        if isinstance(expr, sympy.Piecewise):
            for branch, condition in expr.args:
                if _float_truth(condition, self.value):
                    return self.value(branch)
            raise _ConstantProblem("is undefined (no branch of where(...) applies)")
        raise _ConstantProblem("cannot be checked")


# Constructors that can turn real operands into a non-real or undefined expression (roots and logs of
# negative numbers): their results are checked for I, zoo and nan.
_MAY_LEAVE_THE_REALS = (sympy.Pow, sympy.sqrt, sympy.log)


class _Shape:
    """Memoized depth and node count of SymPy trees (shared sub-trees counted each time they occur)."""

    def __init__(self) -> None:
        self._depths: dict[sympy.Basic, int] = {}
        self._sizes: dict[sympy.Basic, int] = {}

    def depth(self, expr: sympy.Basic) -> int:
        """0 for an atom, else one more than the deepest argument."""
        cached = self._depths.get(expr)
        if cached is None:
            cached = 1 + max(map(self.depth, expr.args)) if expr.args else 0
            self._depths[expr] = cached
        return cached

    def size(self, expr: sympy.Basic) -> int:
        cached = self._sizes.get(expr)
        if cached is None:
            cached = 1 + sum(map(self.size, expr.args))
            self._sizes[expr] = cached
        return cached


# ---------------------------------------------------------------------------
# Parser


class _Parser:
    """Recursive-descent parser over a token list; each method parses one grammar rule."""

    def __init__(self, formula: str, variables: Mapping[str, sympy.Symbol]):
        self.text = formula
        self.variables = variables
        self.tokens = tokenize(formula)
        self.current = next(self.tokens)
        self.pending: FormulaError | None = None
        self.last: Token | None = None
        self.depth = 0
        self.constants = _ConstantChecker()
        self.shape = _Shape()
        self.inspected = 0

    # -- token helpers -------------------------------------------------------

    def peek(self) -> Token:
        if self.pending is not None:
            raise self.pending
        return self.current

    def advance(self) -> Token:
        token = self.peek()
        if token.kind != "end":
            self.last = token
            try:
                self.current = next(self.tokens)
            except FormulaError as error:
                # a bad character just after this token: reported when the parser gets to it, so that a
                # problem further left ('lambda' in "lambda: 1") is reported first
                self.pending = error
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind == "operator" and token.text in texts

    def error(self, message: str, token: Token | None) -> FormulaError:
        return _error(self.text, message, token)

    def enter(self, token: Token) -> None:
        """Counts one level of nesting at ``token``, rejecting formulas nested deeper than the limit.

        No matching :meth:`leave` is needed on errors: a parser is used once, and any error ends it.
        """
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise self.error(
                f"{token.text!r} at column {token.column} nests deeper than {MAX_NESTING_DEPTH} levels "
                "(parentheses, calls, signs and ** operands); simplify the formula",
                token,
            )

    def leave(self) -> None:
        self.depth -= 1

    def unexpected(self, token: Token, expected: str, opener: Token | None = None) -> FormulaError:
        """The error for ``token`` where ``expected`` should have come."""
        if token.kind == "end":
            if opener is not None:
                return self.error(
                    f"unbalanced '(' at column {opener.column}: missing ')' before the end of the formula",
                    opener,
                )
            last = self.last
            if last is None:
                return self.error(f"formula is empty; expected {_OPERAND}", None)
            return self.error(f"formula ends after {last.text!r} at column {last.column}; expected {expected}", last)
        where = f"{token.text!r} at column {token.column}"
        if token.text in _COMPARISONS:
            message = (
                f"comparison {where} is only allowed as the first argument of where(cond, a, b), "
                "e.g. where(z > 0, z, 0)"
            )
        elif token.text == ")" and opener is None:
            message = f"unbalanced ')' at column {token.column}: no matching '('"
        elif token.text == "," and opener is None:
            message = f"comma {where} outside a function call; commas only separate function arguments"
        else:
            kind = {"number": "number ", "name": "name "}.get(token.kind, "")
            message = f"unexpected {kind}{_show(token.text)} at column {token.column}; expected {expected}"
            if opener is not None:
                message += f" to close '(' at column {opener.column}"
        return self.error(message, token)

    # -- building SymPy nodes ------------------------------------------------

    def checked(self, expr: sympy.Basic, token: Token) -> sympy.Basic:
        """``expr`` after checking its depth and, if it is a constant, that it is defined, real and not huge."""
        depth = self.shape.depth(expr)
        if depth > MAX_EXPRESSION_DEPTH:
            raise self.error(
                f"the expression built at {token.text!r} (column {token.column}) is nested {depth} levels deep; "
                f"at most {MAX_EXPRESSION_DEPTH} are allowed",
                token,
            )
        if isinstance(expr, sympy.Expr) and not expr.free_symbols:
            self.constant_value(expr, token)
        elif isinstance(expr, sympy.Pow) and isinstance(expr.exp, sympy.Rational) and abs(expr.exp) > MAX_EXPONENT:
            raise self.error(
                f"{token.text!r} at column {token.column} combines into the power {_show(str(expr))} whose "
                f"exponent {expr.exp} is outside -{MAX_EXPONENT}..{MAX_EXPONENT}",
                token,
            )
        return expr

    def inspect(self, token: Token, *operands: sympy.Basic) -> None:
        """Charges the operands of a sign-sensitive operation (abs, max, min, a comparison) to the budget.

        SymPy inspects the whole of such an operand (its sign, its ordering) when
        it builds the operation and again whenever it substitutes into it, so
        the total size inspected is bounded: nesting these operations grows
        their cost quadratically, which is otherwise cheap to type.
        """
        self.inspected += sum(self.shape.size(operand) for operand in operands)
        if self.inspected > MAX_INSPECTED_NODES:
            raise self.error(
                f"{token.text!r} at column {token.column} makes the formula too complex: abs, max, min and "
                f"comparisons may look at {MAX_INSPECTED_NODES} sub-expression nodes in total, and their "
                f"operands so far add up to {self.inspected}; use fewer or less nested ones",
                token,
            )

    def constant_value(self, expr: sympy.Basic, token: Token) -> float:
        try:
            return self.constants.value(expr)
        except _ConstantProblem as problem:
            raise self.error(f"the constant built at {token.text!r} (column {token.column}) {problem}", token) from None

    def build(self, token: Token, constructor: Callable[..., sympy.Basic], *args: object) -> sympy.Basic:
        """``constructor(*args)``, checked, with any SymPy error reported at ``token``."""
        try:
            expr = constructor(*args)
        except (TypeError, ValueError, ArithmeticError, NotImplementedError) as exc:
            raise self.error(f"{token.text!r} at column {token.column} cannot be applied here: {exc}", token) from None
        if constructor in _MAY_LEAVE_THE_REALS and expr.free_symbols and expr.has(sympy.I, *_UNDEFINED):
            # e.g. sqrt(-z**60) = I*z**30 (constants are checked by checked())
            raise self.error(
                f"{token.text!r} at column {token.column} gives a non-real value {_show(str(expr))} "
                "(the root or log of a negative quantity); formulas are real-valued",
                token,
            )
        return self.checked(expr, token)

    # -- grammar rules -------------------------------------------------------

    def formula(self) -> sympy.Expr:
        if self.peek().kind == "end":
            raise self.error(f"formula is empty; expected {_OPERAND}", None)
        expr = self.additive()
        token = self.peek()
        if token.kind != "end":
            raise self.unexpected(token, f"{_AFTER_OPERAND} or the end of the formula")
        return expr

    def additive(self) -> sympy.Expr:
        terms = [self.multiplicative()]
        operator = None
        while self.at("+", "-"):
            operator = self.advance()
            term = self.multiplicative()
            terms.append(term if operator.text == "+" else self.build(operator, sympy.Mul, -1, term))
        if operator is None:
            return terms[0]
        return self.build(operator, sympy.Add, *terms)

    def multiplicative(self) -> sympy.Expr:
        factors = [self.unary()]
        operator = None
        while self.at("*", "/"):
            operator = self.advance()
            factor = self.unary()
            if operator.text == "/":
                factor = self.reciprocal(factor, operator)
            factors.append(factor)
        if operator is None:
            return factors[0]
        return self.build(operator, sympy.Mul, *factors)

    def reciprocal(self, denominator: sympy.Expr, operator: Token) -> sympy.Expr:
        if denominator == 0 or (not denominator.free_symbols and self.constant_value(denominator, operator) == 0):
            raise self.error(f"division by zero at '/' (column {operator.column})", operator)
        return self.build(operator, sympy.Pow, denominator, -1)

    def unary(self) -> sympy.Expr:
        """Signs, then a primary with an optional ``** unary`` exponent: ``-z**2`` is ``-(z**2)``.

        Signs are read in a loop and the power is handled here rather than in a
        rule of its own, so that each level of nesting costs few Python frames.
        """
        signs: list[Token] = []
        while self.at("+", "-"):
            signs.append(self.advance())
            self.enter(signs[-1])
        expr = self.primary()
        if self.at("**"):
            operator = self.advance()
            self.enter(operator)
            exponent = self.unary()
            self.leave()
            self.check_power(expr, exponent, operator)
            expr = self.build(operator, sympy.Pow, expr, exponent)
        for sign in reversed(signs):
            self.leave()
            if sign.text == "-":
                expr = self.build(sign, sympy.Mul, -1, expr)
        return expr

    def check_power(self, base: sympy.Expr, exponent: sympy.Expr, operator: Token) -> None:
        """Rejects a numeric exponent or constant power too large to compute, before SymPy computes it."""
        if exponent.free_symbols:
            return
        at = f"'**' at column {operator.column}"
        power = self.constant_value(exponent, operator)
        if abs(power) > MAX_EXPONENT:
            raise self.error(
                f"exponent {_show(str(exponent))} of {at} is too large; numeric exponents must be "
                f"between -{MAX_EXPONENT} and {MAX_EXPONENT}",
                operator,
            )
        if base.free_symbols:
            return
        value = self.constant_value(base, operator)
        if value == 0 and power < 0:
            raise self.error(f"division by zero: 0 raised to a negative power at {at}", operator)
        if value < 0 and not float(power).is_integer():
            raise self.error(f"a negative number to a fractional power at {at} is not a real number", operator)
        if value != 0 and power * math.log10(abs(value)) > math.log10(MAX_CONSTANT_MAGNITUDE):
            raise self.error(f"the power at {at} is too large (above {MAX_CONSTANT_MAGNITUDE:g})", operator)
        if isinstance(base, sympy.Rational) and _rational_bits(base) * abs(power) > MAX_CONSTANT_BITS:
            raise self.error(f"the exact power at {at} would need more than {MAX_CONSTANT_BITS} bits", operator)

    def primary(self) -> sympy.Expr:
        token = self.advance()
        if token.kind == "number":
            return self.checked(_rational_from_literal(token.text), token)
        if token.kind == "name":
            if self.is_function(token):
                return self.call(token)
            return self.variables[token.text]
        if token.kind == "operator" and token.text == "(":
            self.enter(token)
            expr = self.additive()
            self.leave()
            self.expect(")", token)
            return expr
        raise self.unexpected(token, _OPERAND)

    def expect(self, text: str, opener: Token) -> Token:
        token = self.peek()
        if token.kind == "operator" and token.text == text:
            return self.advance()
        raise self.unexpected(token, f"{_AFTER_OPERAND} or {text!r}", opener)

    def is_function(self, token: Token) -> bool:
        """Whether the name ``token`` is a function call (True) or a variable (False); rejects anything else."""
        if token.text not in self.variables and token.text not in _ARITY:
            # before looking at the next token, so the leftmost problem is reported: 'lambda' in "lambda: 1";
            # but a bad character stuck to the name is the real problem: a look-alike letter in "cοs", a NUL,
            # the quote of f"..."
            pending = self.pending
            if pending is not None and pending.column == token.column + len(token.text):
                char = pending.token or ""
                if len(char) == 1 and (not char.isascii() or not char.isprintable() or char in "'\""):
                    raise pending
            hint = _name_hint(token.text)
            raise self.error(
                f"unknown name {_show(token.text)} at column {token.column}{hint}; {_allowed_names(self.variables)}",
                token,
            )
        called = self.at("(")
        if token.text in self.variables:
            if called:
                raise self.error(
                    f"variable {token.text!r} at column {token.column} is not a function; "
                    f"to multiply, write {token.text}*(...)",
                    token,
                )
            return False
        if not called:
            raise self.error(
                f"function {token.text!r} at column {token.column} must be called with parentheses, "
                f"e.g. {_example_call(token.text, self.variables)}",
                token,
            )
        return True

    def call(self, function: Token) -> sympy.Expr:
        opener = self.advance()
        self.enter(opener)
        arguments: list[sympy.Basic] = []
        if self.at(")"):
            self.advance()
        else:
            while True:
                if function.text == "where" and not arguments:
                    arguments.append(self.comparison(function))
                else:
                    arguments.append(self.additive())
                if self.at(")"):
                    self.advance()
                    break
                if not self.at(","):
                    raise self.unexpected(self.peek(), f"{_AFTER_OPERAND}, ',' or ')'", opener)
                self.advance()
        self.leave()
        return self.apply(function, arguments)

    def apply(self, function: Token, arguments: Sequence[sympy.Basic]) -> sympy.Expr:
        expected = _ARITY[function.text]
        if len(arguments) != expected:
            plural = "argument" if expected == 1 else "arguments"
            raise self.error(
                f"function {function.text!r} at column {function.column} takes exactly {expected} {plural} "
                f"(got {len(arguments)}), e.g. {_example_call(function.text, self.variables)}",
                function,
            )
        if function.text == "where":
            return self.where(function, *arguments)
        if function.text in _BOUND_FUNCTIONS:
            return self.bound(function, *arguments)
        if function.text == "abs":
            self.inspect(function, arguments[0])
        return self.build(function, _UNARY_FUNCTIONS[function.text], arguments[0])

    def comparison(self, function: Token) -> sympy.Basic:
        left = self.additive()
        operator = self.peek()
        if not (operator.kind == "operator" and operator.text in _COMPARISONS):
            if operator.kind == "end":
                raise self.unexpected(operator, "a comparison")
            raise self.error(
                f"where at column {function.column} needs a comparison (<, <=, > or >=) as its first "
                f"argument, e.g. where(z > 0, z, 0); found {_show(operator.text)} "
                f"at column {operator.column}",
                operator,
            )
        self.advance()
        right = self.additive()
        if left.has(sympy.Piecewise) or right.has(sympy.Piecewise):
            raise self.error(
                f"comparison {operator.text!r} at column {operator.column} compares a where(...) value; "
                "conditions may not contain where(...) (write the cases out as separate where(...) calls)",
                operator,
            )
        chained = self.peek()
        if chained.kind == "operator" and chained.text in _COMPARISONS:
            raise self.error(
                f"chained comparison {chained.text!r} at column {chained.column} is not supported; "
                "where(...) takes a single comparison",
                chained,
            )
        self.inspect(operator, left, right)
        return self.build(operator, _COMPARISONS[operator.text], left, right)

    def where(self, function: Token, condition: sympy.Basic, if_true: sympy.Expr, if_false: sympy.Expr) -> sympy.Expr:
        return self.build(function, sympy.Piecewise, (if_true, condition), (if_false, True))

    def bound(self, function: Token, first: sympy.Expr, second: sympy.Expr) -> sympy.Expr:
        if not (isinstance(first, sympy.Rational) or isinstance(second, sympy.Rational)):
            raise self.error(
                f"function {function.text!r} at column {function.column} needs a plain number as one of its "
                f"two arguments, e.g. {_example_call(function.text, self.variables)}; "
                f"got {_show(str(first))} and {_show(str(second))}",
                function,
            )
        self.inspect(function, first, second)
        return self.build(function, _BOUND_FUNCTIONS[function.text], first, second)


def _example_call(function: str, variables: Mapping[str, sympy.Symbol]) -> str:
    variable = min(variables) if variables else "1"
    if function == "where":
        return f"where({variable} > 0, {variable}, 0)"
    if function in _BOUND_FUNCTIONS:
        return f"{function}({variable}, 0)"
    return f"{function}({variable})"


# ---------------------------------------------------------------------------
# Whole-formula checks


def _check_length(formula: str) -> None:
    if len(formula) > MAX_FORMULA_LENGTH:
        extra = Token("invalid", formula[MAX_FORMULA_LENGTH], MAX_FORMULA_LENGTH + 1)
        raise _error(
            formula,
            f"formula is too long ({len(formula)} characters; {extra.text!r} at column {extra.column} "
            f"is past the limit); at most {MAX_FORMULA_LENGTH} characters are allowed",
            extra,
        )


def _check_result(formula: str, expr: sympy.Basic, variables: Mapping[str, sympy.Symbol]) -> sympy.Expr:
    """Final safety net on the whole expression: an Expr in the given symbols, defined, bounded powers."""
    if not isinstance(expr, sympy.Expr):  # pragma: no cover - the grammar only yields expressions
        raise _error(formula, "formula is not an expression", None)
    stray = expr.free_symbols - set(variables.values())
    if stray:  # pragma: no cover - only the given symbols are ever inserted
        raise _error(formula, f"formula uses unexpected symbols {sorted(map(str, stray))}", None)
    if expr.has(*_UNDEFINED):
        raise _error(formula, "formula is undefined somewhere it is constant (a division by zero?)", None)
    if expr.has(sympy.I):
        raise _error(formula, "formula contains a non-real constant (the root or log of a negative number?)", None)
    for power in expr.atoms(sympy.Pow):
        exponent = power.exp
        if not exponent.free_symbols and isinstance(exponent, sympy.Rational) and abs(exponent) > MAX_EXPONENT:
            raise _error(
                formula,
                f"formula combines into the power {_show(str(power))} whose exponent {exponent} is outside "
                f"-{MAX_EXPONENT}..{MAX_EXPONENT}",
                None,
            )
    return expr


def _check_variables(variables: Mapping[str, sympy.Symbol]) -> None:
    for name, symbol in variables.items():
        if not isinstance(name, str) or not _IDENTIFIER_RE.fullmatch(name) or not name.isascii():
            raise ValueError(f"variable name {name!r} is not an ASCII identifier")
        if name in _ARITY:
            raise ValueError(f"variable name {name!r} is also a function name")
        if not isinstance(symbol, sympy.Symbol):
            raise TypeError(f"variable {name!r} must map to a sympy.Symbol, not {type(symbol).__name__}")


def parse_formula(text: str, variables: Mapping[str, sympy.Symbol]) -> sympy.Expr:
    """The SymPy expression written in ``text``, in the symbols of ``variables``.

    ``variables`` maps each name the formula may use to the SymPy symbol it
    stands for, e.g. ``{"z": Z}``. Raises :class:`FormulaError` (naming the
    offending token, its 1-based column and what would be valid) for anything
    outside the grammar in this module's docstring or beyond its limits.
    ``ValueError``/``TypeError`` signal a bad ``variables`` mapping (a
    programming error, not bad input).
    """
    _check_variables(variables)
    if not isinstance(text, str):
        raise FormulaError(f"formula must be a string, not {type(text).__name__}", formula=repr(text)[:100])
    _check_length(text)
    try:
        expr = _Parser(text, variables).formula()
        return _check_result(text, expr, variables)
    except RecursionError:  # a safety net: the limits above keep well inside the recursion limit
        raise FormulaError("formula is nested too deeply to build; simplify it", formula=text) from None
