"""The formula tokenizer: characters to number, name and operator tokens, each error naming its column."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import sympy

from symbackprop.errors import FormulaError
from symbackprop.spec.formula.limits import (
    _CHARACTER_HINTS,
    _DIGITS,
    _IDENTIFIER_CHARS,
    _IDENTIFIER_RE,
    _IDENTIFIER_START,
    _NUMBER_RE,
    _OPERATORS,
    _VALID_CHARACTERS,
    _WHITESPACE,
    FUNCTION_NAMES,
    MAX_LITERAL_EXPONENT,
    MAX_NUMBER_LENGTH,
)


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
