"""Tests for :mod:`symbackprop.spec.formula`, the whitelist parser of user-typed formulas.

Valid formulas must give exact SymPy expressions with the usual precedence;
everything else (injection attempts, unknown names, malformed or oversized
input) must raise :class:`FormulaError` quickly, naming the offending token.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import string
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.errors import FormulaError, SpecError
from symbackprop.spec import formula as formula_module
from symbackprop.spec.formula import (
    MAX_EXPONENT,
    MAX_FORMULA_LENGTH,
    MAX_NESTING_DEPTH,
    MAX_NUMBER_LENGTH,
    parse_formula,
)

Z = sp.Symbol("z", real=True)
A = sp.Symbol("a", real=True)
Y = sp.Symbol("y", real=True)
ACTIVATION = {"z": Z}
COST = {"a": A, "y": Y}
PWNED = Path("/tmp/pwned_formula_test")


def _chain(template: str, levels: int) -> str:
    """``template`` applied ``levels`` times to ``z``: ``{e}`` is the inner formula, ``{i}`` the level."""
    text = "z"
    for level in range(1, levels + 1):
        text = template.format(e=text, i=level)
    return text


def parse(text: str) -> sp.Expr:
    """``text`` parsed as an activation (in z) or, when it mentions a or y, a cost."""
    variables = COST if any(name in text for name in ("a", "y")) and "z" not in text else ACTIVATION
    return parse_formula(text, variables)


def rejected(text: str, variables: dict[str, sp.Symbol] | None = None) -> FormulaError:
    with pytest.raises(FormulaError) as info:
        parse_formula(text, ACTIVATION if variables is None else variables)
    return info.value


def same(parsed: sp.Expr, expected: sp.Expr) -> bool:
    return parsed == expected or sp.simplify(parsed - expected) == 0


# --------------------------------------------------------------------------- valid formulas


def test_design_examples() -> None:
    assert parse_formula("z / (1 + exp(-z))", ACTIVATION) == Z / (1 + sp.exp(-Z))
    assert parse_formula("abs(a - y)**3 / 3", COST) == sp.Abs(A - Y) ** 3 / 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-z**2", -(Z**2)),
        ("(-z)**2", Z**2),
        ("-2**2", sp.Integer(-4)),
        ("(-2)**2", sp.Integer(4)),
        ("2**3**2", sp.Integer(512)),
        ("(2**3)**2", sp.Integer(64)),
        ("2**-z", 2 ** (-Z)),
        ("2**-2", sp.Rational(1, 4)),
        ("z**-1", 1 / Z),
        ("z/2/2", Z / 4),
        ("z/(2/2)", Z),
        ("z - 1 - 1", Z - 2),
        ("1 - z + 1", 2 - Z),
        ("1 + 2*z", 1 + 2 * Z),
        ("(1 + 2)*z", 3 * Z),
        ("2*z**2/3", sp.Rational(2, 3) * Z**2),
        ("z*2**2", 4 * Z),
        ("z - -z", 2 * Z),
        ("--z", Z),
        ("+z", Z),
        ("-+-z", Z),
        ("z*-1", -Z),
        ("z**z**z", Z ** (Z**Z)),
        ("(1 + z)*(1 - z)", (1 + Z) * (1 - Z)),
        ("  z\t+\n1 ", Z + 1),
    ],
)
def test_precedence_and_associativity(text: str, expected: sp.Expr) -> None:
    parsed = parse_formula(text, ACTIVATION)
    assert parsed == expected
    assert same(parsed, expected)


def test_subtraction_is_left_associative_in_a_cost() -> None:
    assert parse_formula("a - y - 1", COST) == A - Y - 1
    assert parse_formula("a - (y - 1)", COST) == A - Y + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", sp.Integer(3)),
        ("0.1", sp.Rational(1, 10)),
        ("0.5", sp.Rational(1, 2)),
        (".5", sp.Rational(1, 2)),
        ("2.", sp.Integer(2)),
        ("1e-3", sp.Rational(1, 1000)),
        ("1E3", sp.Integer(1000)),
        ("2.5E+2", sp.Integer(250)),
        ("0.333", sp.Rational(333, 1000)),
        ("007", sp.Integer(7)),
        ("1e300", sp.Integer(10) ** 300),
        ("0.1 + 0.2", sp.Rational(3, 10)),
        ("1/3", sp.Rational(1, 3)),
    ],
)
def test_numbers_are_exact(text: str, expected: sp.Expr) -> None:
    parsed = parse_formula(text, ACTIVATION)
    assert parsed == expected
    assert isinstance(parsed, sp.Rational)
    assert not parsed.has(sp.Float)


def test_decimal_coefficients_stay_exact() -> None:
    parsed = parse_formula("0.01*z + 0.044715*z**3", ACTIVATION)
    assert parsed == sp.Rational(1, 100) * Z + sp.Rational(44715, 1000000) * Z**3
    assert not parsed.atoms(sp.Float)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exp(z)", sp.exp(Z)),
        ("log(z)", sp.log(Z)),
        ("sqrt(z)", sp.sqrt(Z)),
        ("tanh(z)", sp.tanh(Z)),
        ("abs(z)", sp.Abs(Z)),
        ("sin(z)", sp.sin(Z)),
        ("cos(z)", sp.cos(Z)),
        ("exp(-z**2/2)", sp.exp(-(Z**2) / 2)),
        ("log(1 + exp(z))", sp.log(1 + sp.exp(Z))),
        ("sqrt(2)*z", sp.sqrt(2) * Z),
        ("exp(1)", sp.E),
        ("2**0.5", sp.sqrt(2)),
        ("z**0.5", sp.sqrt(Z)),
        ("sin(z)**2 + cos(z)**2", sp.sin(Z) ** 2 + sp.cos(Z) ** 2),
        ("(exp(z) - exp(-z)) / (exp(z) + exp(-z))", (sp.exp(Z) - sp.exp(-Z)) / (sp.exp(Z) + sp.exp(-Z))),
    ],
)
def test_whitelisted_functions(text: str, expected: sp.Expr) -> None:
    assert parse_formula(text, ACTIVATION) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max(z, 0)", sp.Max(Z, 0)),
        ("max(0, z)", sp.Max(Z, 0)),
        ("min(z, 1)", sp.Min(Z, 1)),
        ("min(-1, z)", sp.Min(Z, -1)),
        ("max(z, -0.5)", sp.Max(Z, sp.Rational(-1, 2))),
        ("max(z, 1/2)", sp.Max(Z, sp.Rational(1, 2))),
        ("min(max(z, 0), 6)", sp.Min(sp.Max(Z, 0), 6)),
        ("where(z > 0, z, 0.01*z)", sp.Piecewise((Z, Z > 0), (Z / 100, True))),
        ("where(z >= 0, z, exp(z) - 1)", sp.Piecewise((Z, Z >= 0), (sp.exp(Z) - 1, True))),
        ("where(z < 0, 0, z)", sp.Piecewise((0, Z < 0), (Z, True))),
        ("where(z <= 1, z**2, 1)", sp.Piecewise((Z**2, Z <= 1), (1, True))),
        ("where(z*z > 1 + z, -z, z)", sp.Piecewise((-Z, Z**2 > 1 + Z), (Z, True))),
        ("where(1 < 2, z, 0)", Z),
        ("where(2 < 1, z, 0)", sp.Integer(0)),
        ("where(z > 0, where(z > 1, 1, z), 0)", sp.Piecewise((sp.Piecewise((1, Z > 1), (Z, True)), Z > 0), (0, True))),
    ],
)
def test_where_max_min(text: str, expected: sp.Expr) -> None:
    assert parse_formula(text, ACTIVATION) == expected


def test_cost_with_where_and_log() -> None:
    parsed = parse_formula("where(y > 0.5, -log(a), -log(1 - a))", COST)
    assert parsed == sp.Piecewise((-sp.log(A), Y > sp.Rational(1, 2)), (-sp.log(1 - A), True))


def test_the_given_symbols_are_used_as_they_are() -> None:
    positive = sp.Symbol("z", positive=True)
    parsed = parse_formula("sqrt(z**2)", {"z": positive})
    assert parsed == positive
    assert parse_formula("t*x", {"t": A, "x": Y}) == A * Y


def test_limits_are_inclusive() -> None:
    assert parse_formula(f"z**{MAX_EXPONENT}", ACTIVATION) == Z**MAX_EXPONENT
    assert parse_formula(f"z**-{MAX_EXPONENT}", ACTIVATION) == Z**-MAX_EXPONENT
    assert parse_formula("2**10", ACTIVATION) == 1024
    assert parse_formula("1" * MAX_NUMBER_LENGTH, ACTIVATION) == int("1" * MAX_NUMBER_LENGTH)
    long_sum = "+".join(["z"] * ((MAX_FORMULA_LENGTH + 1) // 2))
    assert len(long_sum) == MAX_FORMULA_LENGTH - 1
    assert parse_formula(long_sum, ACTIVATION) == (MAX_FORMULA_LENGTH // 2) * Z
    nested = "(" * MAX_NESTING_DEPTH + "z" + ")" * MAX_NESTING_DEPTH
    assert parse_formula(nested, ACTIVATION) == Z
    assert parse_formula("-" * MAX_NESTING_DEPTH + "z", ACTIVATION) == Z
    assert parse_formula("exp(" * 50 + "z" + ")" * 50, ACTIVATION).count(sp.exp) == 50


# --------------------------------------------------------------------------- error details


def test_unknown_name_message_names_the_token_and_what_is_allowed() -> None:
    error = rejected("z + foo")
    assert str(error) == (
        "unknown name 'foo' at column 5; allowed: variables z; "
        "functions abs, cos, exp, log, max, min, sin, sqrt, tanh, where"
    )
    assert (error.token, error.column, error.formula) == ("foo", 5, "z + foo")


def test_cost_variables_are_listed() -> None:
    error = rejected("z", COST)
    assert "unknown name 'z' at column 1" in str(error)
    assert "variables a, y;" in str(error)


def test_formula_error_is_a_spec_error_that_can_be_located() -> None:
    error = rejected("z ^ 2")
    assert isinstance(error, SpecError) and isinstance(error, ValueError)
    located = error.located(source="net.toml", field="activations.swish.formula")
    assert isinstance(located, FormulaError)
    assert str(located).startswith("net.toml: activations.swish.formula: ")
    assert (located.token, located.column) == ("^", 3)


@pytest.mark.parametrize(
    ("text", "token", "column"),
    [
        ("z ^ 2", "^", 3),
        ("z.real", ".", 2),
        ("exp(z) + q", "q", 10),
        ("z\x00", "\x00", 2),
        ("1 +", "+", 3),
        ("(z", "(", 1),
        ("z)", ")", 2),
        ("z ** 1000", "**", 3),
    ],
)
def test_errors_carry_token_and_column(text: str, token: str, column: int) -> None:
    error = rejected(text)
    assert (error.token, error.column) == (token, column)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("z ^ 2", "**"),
        ("z == 1", "<, <=, > or >="),
        ("z // 2", "use /"),
        ("max(z, z)", "plain number"),
        ("exp", "exp(z)"),
        ("z(1)", "z*(...)"),
        ("ехр(z)", "U+0435"),
        ("а*z", "non-ASCII character U+0430"),
    ],
)
def test_errors_say_what_would_be_valid(text: str, hint: str) -> None:
    assert hint in str(rejected(text))


# --------------------------------------------------------------------------- hostile and malformed input

HOSTILE = [
    pytest.param("__import__('os').system('touch /tmp/pwned_formula_test')", "__import__", id="import"),
    pytest.param("lambda z: z", "lambda", id="lambda"),
    pytest.param("z.real", "'.'", id="attribute"),
    pytest.param("z.__class__", "'.'", id="dunder-attribute"),
    pytest.param('"z"', "'\"'", id="string"),
    pytest.param("'z'", '"\'"', id="single-quoted-string"),
    pytest.param('f"{z}"', "'\"'", id="f-string"),
    pytest.param("[z for z in z]", "'['", id="list-comprehension"),
    pytest.param("{z}", "'{'", id="braces"),
    pytest.param("9**9**9", "'**'", id="power-tower"),
    pytest.param("2**(3**5)", "243", id="computed-exponent"),
    pytest.param("z**1000", "1000", id="big-exponent"),
    pytest.param("z**-101", "-101", id="big-negative-exponent"),
    pytest.param("(" * 10000 + "z" + ")" * 10000, "too long", id="deep-parentheses-10000"),
    pytest.param("(" * 150 + "z" + ")" * 150, "'('", id="deep-parentheses-150"),
    pytest.param("-" * 150 + "z", "'-'", id="deep-signs"),
    pytest.param("exp(" * 150 + "z" + ")" * 150, "'('", id="deep-calls"),
    pytest.param("2**" * 200 + "2", "'**'", id="long-power-chain"),
    pytest.param("z" * 1_000_000, "too long", id="1MB"),
    pytest.param("z+" * 1001, "too long", id="just-too-long"),
    pytest.param("z\x00", "U+0000", id="nul"),
    pytest.param("z\x1b[2J", "U+001B", id="escape"),
    pytest.param("z\x7f", "U+007F", id="delete"),
    pytest.param("ехр(z)", "U+0435", id="cyrillic-exp"),
    pytest.param("z + а", "U+0430", id="cyrillic-a"),
    pytest.param("z\u00a0+ 1", "U+00A0", id="no-break-space"),
    pytest.param("z\u2212 1", "U+2212", id="unicode-minus"),
    pytest.param("E", "'E'", id="E"),
    pytest.param("I", "'I'", id="I"),
    pytest.param("S", "'S'", id="S"),
    pytest.param("N", "'N'", id="N"),
    pytest.param("beta", "'beta'", id="beta"),
    pytest.param("gamma", "'gamma'", id="gamma"),
    pytest.param("Q", "'Q'", id="Q"),
    pytest.param("O", "'O'", id="O"),
    pytest.param("pi", "'pi'", id="pi"),
    pytest.param("oo", "'oo'", id="oo"),
    pytest.param("os", "'os'", id="os"),
    pytest.param("Symbol('z')", "'Symbol'", id="Symbol"),
    pytest.param("exec", "'exec'", id="exec"),
    pytest.param("eval(z)", "'eval'", id="eval"),
    pytest.param("Z", "'Z'", id="wrong-case-variable"),
    pytest.param("Exp(z)", "'Exp'", id="wrong-case-function"),
    pytest.param("foo(z)", "'foo'", id="unknown-function"),
    pytest.param("z ^ 2", "'^'", id="caret"),
    pytest.param("exp(z, z)", "'exp'", id="too-many-arguments"),
    pytest.param("exp()", "'exp'", id="no-arguments"),
    pytest.param("max(z)", "'max'", id="max-one-argument"),
    pytest.param("max(z, 0, 1)", "'max'", id="max-three-arguments"),
    pytest.param("max(z, z)", "'max'", id="max-no-number"),
    pytest.param("min(z, exp(z))", "'min'", id="min-no-number"),
    pytest.param("max(0.01*z, z)", "'max'", id="max-leaky-relu"),
    pytest.param("where(z > 0, z)", "'where'", id="where-two-arguments"),
    pytest.param("where(z, z, 0)", "','", id="where-without-comparison"),
    pytest.param("where(0 < z < 1, z, 0)", "'<'", id="chained-comparison"),
    pytest.param("where(z > 0, z > 1, 0)", "'>'", id="comparison-as-value"),
    pytest.param("z ==1", "'=='", id="equality"),
    pytest.param("z != 1", "'!='", id="inequality"),
    pytest.param("z < 1", "'<'", id="bare-comparison"),
    pytest.param("z = 1", "'='", id="assignment"),
    pytest.param("z; z", "';'", id="semicolon"),
    pytest.param("z: 1", "':'", id="colon"),
    pytest.param("z @ z", "'@'", id="matmul"),
    pytest.param("z % 2", "'%'", id="modulo"),
    pytest.param("z // 2", "'//'", id="floor-division"),
    pytest.param("z \\ 2", "'\\\\'", id="backslash"),
    pytest.param("z # comment", "'#'", id="comment"),
    pytest.param("z, 1", "','", id="comma-outside-call"),
    pytest.param("exp", "'exp'", id="function-not-called"),
    pytest.param("exp + 1", "'exp'", id="function-in-sum"),
    pytest.param("z(1)", "'z'", id="variable-called"),
    pytest.param("1 +", "'+'", id="dangling-operator"),
    pytest.param("*z", "'*'", id="leading-operator"),
    pytest.param("z * * z", "'*'", id="double-operator"),
    pytest.param("(z", "'('", id="unclosed-parenthesis"),
    pytest.param("exp(z", "'('", id="unclosed-call"),
    pytest.param("z)", "')'", id="unopened-parenthesis"),
    pytest.param("()", "')'", id="empty-parentheses"),
    pytest.param("z z", "'z'", id="juxtaposition"),
    pytest.param("2z", "'2z'", id="implicit-multiplication"),
    pytest.param("1.2.3", "'1.2.3'", id="two-decimal-points"),
    pytest.param("1e", "'1e'", id="empty-exponent"),
    pytest.param("1_000", "'1_000'", id="underscore-digits"),
    pytest.param("1" * (MAX_NUMBER_LENGTH + 1), "too long", id="long-literal"),
    pytest.param("1e999999999999", "999999999999", id="huge-literal-exponent"),
    pytest.param("z) + (z", "')'", id="inverted-parentheses"),
    pytest.param("", "empty", id="empty"),
    pytest.param("   \t\n", "empty", id="blank"),
    pytest.param("1/0", "'/'", id="division-by-zero"),
    pytest.param("z/(z - z)", "'/'", id="symbolic-division-by-zero"),
    pytest.param("0**-1", "'**'", id="zero-to-negative-power"),
    pytest.param("log(0)", "'log'", id="log-zero"),
    pytest.param("sqrt(-1)", "'sqrt'", id="imaginary"),
    pytest.param("(-8)**(1/3)", "'**'", id="negative-fractional-power"),
    pytest.param("exp(1000)", "'exp'", id="huge-constant"),
    pytest.param("exp(exp(exp(99)))", "'exp'", id="astronomic-constant"),
    pytest.param("max(exp(exp(exp(9))), 0)", "'exp'", id="astronomic-comparison"),
    pytest.param("(2**99)**99", "'**'", id="huge-integer-power"),
    pytest.param("(1e-30)**100", "'**'", id="tiny-rational-power"),
    pytest.param("sin(" * 20 + "1" + ")" * 20, "'sin'", id="deep-constant"),
    pytest.param("(z**100)**100", "z**10000", id="combined-power"),
    pytest.param(_chain("sin(1 + {e})", 100), "nested 101 levels", id="deep-expression-tree"),
    pytest.param(_chain("abs({e} - {i})", 20), "'abs'", id="nested-abs"),
    pytest.param(_chain("max(min({e} - {i}, 1), -{i})", 10), "too complex", id="nested-max-min"),
    pytest.param(_chain("where({e} < {i}, -z, z + {i})", 6), "'<'", id="where-inside-condition"),
    pytest.param("+".join(f"abs(z*{i} - {i + 1})" for i in range(1, 120)), "too complex", id="many-abs"),
]


@pytest.mark.parametrize(("text", "token"), HOSTILE)
def test_hostile_and_malformed_formulas_are_rejected(text: str, token: str) -> None:
    error = rejected(text)
    message = str(error)
    assert token in message
    assert "\n" not in message
    assert len(message) < 500


def test_the_injection_payload_runs_nothing() -> None:
    PWNED.unlink(missing_ok=True)
    for variables in (ACTIVATION, COST, {}):
        with pytest.raises(FormulaError):
            parse_formula("__import__('os').system('touch /tmp/pwned_formula_test')", variables)
        with pytest.raises(FormulaError):
            parse_formula("exec(\"open('/tmp/pwned_formula_test', 'w')\")", variables)
    assert not PWNED.exists()


def test_unknown_names_are_rejected_whatever_sympy_knows() -> None:
    for name in ("E", "I", "S", "N", "Q", "O", "pi", "oo", "zoo", "nan", "beta", "gamma", "lambda", "Abs", "x"):
        error = rejected(f"z + {name}")
        assert f"unknown name {name!r} at column 5" in str(error)


def test_a_bad_variables_mapping_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="function name"):
        parse_formula("exp", {"exp": Z})
    with pytest.raises(ValueError, match="identifier"):
        parse_formula("z", {"z z": Z})
    with pytest.raises(TypeError, match="sympy.Symbol"):
        parse_formula("z", {"z": "z"})  # type: ignore[dict-item]


@pytest.mark.parametrize("part", ["__init__", "limits", "tokens", "constants", "parser"])
def test_the_module_never_evaluates_text(part: str) -> None:
    """The parser's own source (read with ast here, never the user's text) calls no dynamic evaluator."""
    module = importlib.import_module(
        f"{formula_module.__name__}.{part}" if part != "__init__" else formula_module.__name__
    )
    tree = ast.parse(inspect.getsource(module))
    forbidden = {"eval", "exec", "compile", "sympify", "parse_expr", "S", "__import__", "literal_eval"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
            assert not any(m == "ast" or m.startswith("sympy.parsing") for m in modules), modules
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            is_regex_compile = isinstance(func, ast.Attribute) and ast.unparse(func) == "re.compile"
            assert name not in forbidden or is_regex_compile, ast.unparse(node)


def test_deep_formulas_parse_from_a_deep_call_stack() -> None:
    """The nesting limits leave room on the Python stack for callers and for SymPy."""

    def from_depth(frames: int, text: str) -> sp.Expr:
        return from_depth(frames - 1, text) if frames else parse_formula(text, ACTIVATION)

    for text in (
        "exp(" * MAX_NESTING_DEPTH + "z" + ")" * MAX_NESTING_DEPTH,
        "(" * MAX_NESTING_DEPTH + "z" + ")" * MAX_NESTING_DEPTH,
        "-" * MAX_NESTING_DEPTH + "z",
        "z**" * MAX_NESTING_DEPTH + "2",
        _chain("where(z < {i}, {e}, z)", 33),
    ):
        assert isinstance(from_depth(300, text), sp.Expr)


def test_moderately_nested_sign_sensitive_functions_are_accepted() -> None:
    assert parse_formula(_chain("abs({e} - {i})", 10), ACTIVATION).count(sp.Abs) == 10
    assert parse_formula(_chain("max({e} - {i}, -{i})", 10), ACTIVATION).count(sp.Max) == 10
    assert parse_formula("where(abs(z) < 1, z**2/2, abs(z) - 1/2)", ACTIVATION) == sp.Piecewise(
        (Z**2 / 2, sp.Abs(Z) < 1), (sp.Abs(Z) - sp.Rational(1, 2), True)
    )


# --------------------------------------------------------------------------- properties

_PIECES = [
    *("z", "a", "y", "exp", "log", "sqrt", "tanh", "abs", "sin", "cos", "max", "min", "where"),
    *("(", ")", ",", "+", "-", "*", "/", "**", "<", "<=", ">", ">=", "==", "^", ".", " "),
    *("0", "1", "2", "0.5", ".5", "1e-3", "2.5E+2", "9", "99", "100", "1e300"),
    *("E", "pi", "I", "__import__", "lambda", "'", '"', "[", "]", "\x00", "а"),
]
_TEXT = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.text(alphabet=string.printable, max_size=3)),
    max_size=40,
).map("".join)


def _parses_to_an_expression_or_is_rejected(text: str, variables: dict[str, sp.Symbol]) -> None:
    try:
        parsed = parse_formula(text, variables)
    except FormulaError as error:
        assert error.formula == text
        assert error.column is None or 1 <= error.column <= len(text) + 1
        return
    assert isinstance(parsed, sp.Expr)
    assert parsed.free_symbols <= set(variables.values())
    assert not parsed.has(sp.Float, sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_random_text_parses_or_raises_formula_error(text: str) -> None:
    _parses_to_an_expression_or_is_rejected(text, ACTIVATION)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES[:40]), max_size=30).map(" ".join))
def test_formula_shaped_token_soup_parses_or_raises_formula_error(text: str) -> None:
    _parses_to_an_expression_or_is_rejected(text, COST)


# --------------------------------------------------------------------------- which problem is reported


@pytest.mark.parametrize(
    ("text", "token", "column"),
    [
        ("lambda: z", "lambda", 1),  # the name, not the ':' after it
        ("(lambda: z)", "lambda", 2),
        ("b'z'", "'", 2),  # a quote stuck to a name: the string is the problem
        ('f"{z}"', '"', 2),
        ("cοs(z)", "ο", 2),  # Greek omicron inside a function name
        ("ex\x00p(z)", "\x00", 3),
        ("q := 1", "q", 1),
        ("(z**99)**99", "**", 8),  # combined powers are charged to the operator that combines them
        ("z**60 * z**60", "*", 7),
    ],
)
def test_the_leftmost_real_problem_is_reported(text: str, token: str, column: int) -> None:
    error = rejected(text)
    assert (error.token, error.column) == (token, column), str(error)
