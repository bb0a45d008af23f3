"""The recursive-descent parser and the whole-formula checks: tokens to a SymPy expression."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import sympy

from symbackprop.errors import FormulaError
from symbackprop.spec.formula.constants import (
    _MAY_LEAVE_THE_REALS,
    _ConstantChecker,
    _ConstantProblem,
    _rational_bits,
    _rational_from_literal,
    _Shape,
)
from symbackprop.spec.formula.limits import (
    _AFTER_OPERAND,
    _ARITY,
    _BOUND_FUNCTIONS,
    _COMPARISONS,
    _IDENTIFIER_RE,
    _OPERAND,
    _UNARY_FUNCTIONS,
    _UNDEFINED,
    MAX_CONSTANT_BITS,
    MAX_CONSTANT_MAGNITUDE,
    MAX_EXPONENT,
    MAX_EXPRESSION_DEPTH,
    MAX_FORMULA_LENGTH,
    MAX_INSPECTED_NODES,
    MAX_NESTING_DEPTH,
    _name_hint,
)
from symbackprop.spec.formula.tokens import Token, _allowed_names, _error, _show, tokenize

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
