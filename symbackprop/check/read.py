"""Reading a person's answer: LaTeX (as the three source texts write it) or ASCII, to a small tree.

The reading stage of ``symbackprop check``. A whitelist tokenizer and a
recursive-descent parser build an :class:`Equation` of plain dataclass nodes;
the text never reaches ``eval``, ``sympify`` or ``parse_expr``. The grading
stage (:mod:`symbackprop.check.grade`) gives the nodes their meaning in a
notation. Whatever cannot be read raises :class:`AnswerError` with the
1-based column and what would be valid.

What is read (LaTeX and ASCII mix freely)::

    equation := expr (("=" | ":=") expr)*
    expr     := term (("+" | "-") term)*
    term     := factor ((product operator | juxtaposition) factor)*
    product  := \\odot ⊙ (.) .*  \\circ ∘   (Hadamard)  |  \\cdot · * \\times @   (product)
    factor   := ("-" | "+") factor | power
    power    := atom ("^" script)*  ("'" after a function)
    atom     := NUMBER | quantity | \\frac{..}{..} | a/b | \\sum_{k} .. | sum_{k=1}^{m} .. | ( .. ) | \\|..\\|
                | \\nabla_{a} C | grad_a C | \\frac{\\partial C}{\\partial w^l_{jk}} | dC/dW^l_{jk}
                | f'(z^l) \\sigma'(z^l) a'(z^l) (f^l)'(z) \\varphi'(z) | \\lambda \\eta \\alpha m n

Quantities: ``W w b z a \\delta x y`` with a layer superscript (``l``, ``l+1``,
``L``, ``L-1``, a number, or UFLDL's ``(l)``, ``(n_l)``, ``(\\ell+1)``) and
component subscripts (``_j``, ``_{jk}``, ``_{j,k}``, numbers); ``^T``,
``^\\top`` or ``^{\\intercal}`` transposes; ``x^{(i)}``, ``C_{x_i}`` and
``J(W,b;x^{(i)},y^{(i)})`` name an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from symbackprop.errors import FormulaError
from symbackprop.notation.catalogue import NOTATIONS
from symbackprop.notation.spelling import by_ascii

__all__ = ["AnswerError", "Equation", "parse_answer", "tokenize"]

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


# -- tokens --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # NUM NAME OP END
    text: str
    column: int  # 1-based
    raw: str = ""  # "{" or "[" where text is "(" (a TeX group), so (l) and {l} stay apart


_SKIPPED_COMMANDS = {
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle", "textstyle",
    "limits", "nolimits", ",", ";", ":", "!", " ", "quad", "qquad", "mathrm", "mathit", "operatorname", "boldsymbol",
    "mathbf", "bf",
}  # fmt: skip
_COMMAND_NAMES = {
    "delta": "delta", "sigma": "sigma", "varphi": "phi", "phi": "phi", "lambda": "lambda", "eta": "eta",
    "alpha": "eta", "ell": "l", "nabla": "nabla", "partial": "partial", "sum": "sum", "frac": "frac",
    "dfrac": "frac", "tfrac": "frac", "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt",
}  # fmt: skip
_COMMAND_OPS = {
    "odot": "⊙", "circ": "⊙", "cdot": "·", "times": "·", "top": "T", "intercal": "T", "prime": "'",
    "|": "‖", "lVert": "‖", "rVert": "‖", "Vert": "‖", "_": "_", "{": "(", "}": ")", "lbrack": "(", "rbrack": ")",
}  # fmt: skip
_UNICODE = {
    "δ": "delta", "σ": "sigma", "φ": "phi", "λ": "lambda", "η": "eta", "α": "eta", "ℓ": "l", "∇": "nabla",
    "∂": "partial", "Σ": "sum", "∑": "sum",
}  # fmt: skip
_UNICODE_OPS = {"⊙": "⊙", "∘": "⊙", "·": "·", "×": "·", "ᵀ": "T", "′": "'", "‖": "‖", "−": "-", "≔": "="}
#: ASCII words read as one name; any other run of letters is read letter by letter (math juxtaposition).
_WORDS = {
    "delta": "delta", "sigma": "sigma", "phi": "phi", "lambda": "lambda", "eta": "eta", "alpha": "eta",
    "ell": "l", "nabla": "nabla", "grad": "nabla", "partial": "partial", "sum": "sum", "exp": "exp",
    "log": "log", "ln": "log", "sqrt": "sqrt", "frac": "frac",
}  # fmt: skip
_ASCII_OPS = ("(.)", ".*", ":=", "||", "**", "+", "-", "*", "/", "^", "_", "(", ")", "{", "}", "[", "]", "=", ",",
              ";", "'", "@", "|", ".")  # fmt: skip
_VALID = (
    "letters, digits, + - * / ^ _ ( ) { } = ' , |, LaTeX commands such as \\frac \\partial \\sum \\delta \\sigma "
    "\\odot \\circ \\cdot \\nabla \\lambda \\| and the ASCII forms sum_k, grad_a, dC/dW, (.) for the Hadamard product"
)


def _error(text: str, message: str, column: int, token: str | None = None) -> AnswerError:
    pointer = f" (column {column})" if column else ""
    return AnswerError(f"{message}{pointer}", formula=text, token=token, column=column)


def _strip_delimiters(text: str) -> str:
    """Drop math delimiters around the whole answer ($…$, \\(…\\), \\[…\\], the blog's \\\\(…\\\\)), keeping columns."""
    stripped = text
    for opener, closer in (
        ("$$", "$$"),
        ("$", "$"),
        ("\\\\[", "\\\\]"),
        ("\\\\(", "\\\\)"),
        ("\\[", "\\]"),
        ("\\(", "\\)"),
    ):
        s = stripped.strip()
        if s.startswith(opener) and s.endswith(closer) and len(s) >= len(opener) + len(closer):
            start = stripped.index(opener)
            end = stripped.rindex(closer)
            stripped = " " * (start + len(opener)) + stripped[start + len(opener) : end] + " " * (len(stripped) - end)
    return stripped


def _strip_group(tokens: list[Token]) -> list[Token]:
    """{\\displaystyle … .}: drop a brace group around the whole answer and a full stop or comma at its end."""
    changed = True
    while changed:
        changed = False
        if len(tokens) > 2 and tokens[-2].kind == "OP" and tokens[-2].text in (".", ","):
            tokens = tokens[:-2] + tokens[-1:]
            changed = True
        if len(tokens) > 3 and tokens[0].raw == "{" and tokens[-2].raw == "}":
            depth = 0
            for n, t in enumerate(tokens[:-1]):
                depth += {"(": 1, ")": -1}.get(t.text, 0) if t.kind == "OP" else 0
                if depth == 0 and n < len(tokens) - 2:
                    break
            else:
                tokens = tokens[1:-2] + tokens[-1:]
                changed = True
    return tokens


def tokenize(text: str) -> list[Token]:
    """The answer's tokens, each with its 1-based column; unknown characters and commands raise AnswerError."""
    if len(text) > MAX_ANSWER_LENGTH:
        raise _error(text, f"answer too long ({len(text)} characters; at most {MAX_ANSWER_LENGTH})", 0)
    body = _strip_delimiters(text)
    tokens: list[Token] = []
    i = 0
    while i < len(body):
        ch = body[i]
        col = i + 1
        if ch in " \t\r\n&":
            i += 1
            continue
        if ch == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", body[i:])
            name = match.group(1) if match else ""
            i += 1 + len(name)
            if name in ("text", "mathrm", "operatorname", "mathit") and body[i : i + 1] == "{":
                close = body.find("}", i)
                word = body[i + 1 : close] if close > 0 else ""
                if word.strip() in ("d",):
                    tokens.append(Token("NAME", "d", col))
                    i = close + 1
                    continue
                if word.strip() in ("T",):
                    tokens.append(Token("OP", "T", col))
                    i = close + 1
                    continue
                if name == "text":
                    raise _error(text, f"\\text{{{word}}} cannot be graded; write only the formula", col, "\\text")
                continue
            if name in _SKIPPED_COMMANDS:
                continue
            if name in _COMMAND_NAMES:
                tokens.append(Token("NAME", _COMMAND_NAMES[name], col))
            elif name in _COMMAND_OPS:
                tokens.append(Token("OP", _COMMAND_OPS[name], col))
            else:
                raise _error(text, f"unknown LaTeX command \\{name}; valid: {_VALID}", col, "\\" + name)
            continue
        if ch in _UNICODE:
            tokens.append(Token("NAME", _UNICODE[ch], col))
            i += 1
            continue
        if ch in _UNICODE_OPS:
            tokens.append(Token("OP", _UNICODE_OPS[ch], col))
            i += 1
            continue
        if ch.isdigit() or (ch == "." and body[i + 1 : i + 2].isdigit()):
            match = re.match(r"[0-9]*\.?[0-9]+|[0-9]+", body[i:])
            assert match is not None
            tokens.append(Token("NUM", match.group(0), col))
            i += len(match.group(0))
            continue
        if ch.isascii() and ch.isalpha():
            match = re.match(r"[A-Za-z]+", body[i:])
            assert match is not None
            word = match.group(0)
            if word in _WORDS:
                tokens.append(Token("NAME", _WORDS[word], col))
            else:
                tokens.extend(Token("NAME", letter, col + n) for n, letter in enumerate(word))
            i += len(word)
            continue
        for op in _ASCII_OPS:
            if body.startswith(op, i):
                mapped = {"(.)": "⊙", ".*": "⊙", ":=": "=", "||": "‖", "*": "·", "@": "·", "[": "(", "]": ")"}
                mapped.update({"{": "(", "}": ")"})
                tokens.append(Token("OP", mapped.get(op, op), col, op))
                i += len(op)
                break
        else:
            raise _error(text, f"unexpected character {ch!r}; valid: {_VALID}", col, ch)
    tokens.append(Token("END", "", len(body) + 1))
    return _strip_group(tokens)


# -- the parser ------------------------------------------------------------------------------------

_QUANTITIES = {"W", "w", "b", "z", "a", "delta", "x", "y"}
_ACTIVATIONS = {"f", "sigma", "phi", "g", "h"}
_COSTS = {"C", "J", "E"}
_INDEX_LETTERS = set("ijkpqrstuvmn")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.depth_norm = 0  # inside ‖…‖ a ‖ closes the norm instead of opening a factor
        self.sums = 0

    # -- token helpers
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind in ("OP", "NAME") and token.text in texts

    def expect(self, text: str, what: str = "") -> Token:
        token = self.peek()
        if token.text != text or token.kind not in ("OP", "NAME"):
            raise self.error(f"expected {text!r}{what}, found {self.describe(token)}", token)
        return self.advance()

    def describe(self, token: Token) -> str:
        return "the end of the formula" if token.kind == "END" else repr(token.text)

    def error(self, message: str, token: Token) -> AnswerError:
        return _error(self.text, message, token.column, token.text or None)

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"nested deeper than {MAX_NESTING} levels", token)

    def leave(self) -> None:
        self.depth -= 1

    # -- grammar
    def equation(self) -> Equation:
        sides = [self.expr()]
        while self.at("="):
            self.advance()
            sides.append(self.expr())
        token = self.peek()
        if token.kind != "END":
            raise self.error(f"unexpected {self.describe(token)}; expected an operator or the end", token)
        return Equation(tuple(sides), self.text)

    def expr(self) -> object:
        node = self.term()
        while self.at("+", "-"):
            op = self.advance()
            node = BinOp(op.text, node, self.term(), op.column)
        return node

    def _starts_factor(self) -> bool:
        token = self.peek()
        if token.kind in ("NUM", "NAME"):
            return True
        return token.kind == "OP" and token.text in ("(", "‖")

    def term(self) -> object:
        node = self.factor()
        while True:
            token = self.peek()
            if token.kind == "OP" and token.text in ("⊙", "·", "/"):
                self.advance()
                op = {"⊙": "hadamard", "·": "dot", "/": "/"}[token.text]
                node = BinOp(op, node, self.factor(), token.column)
            elif self._starts_factor() and not (token.kind == "OP" and token.text == "‖" and self.depth_norm):
                node = BinOp("dot", node, self.factor(), token.column)
            else:
                return node

    def factor(self) -> object:
        if self.at("-"):
            self.advance()
            return Neg(self.factor())
        if self.at("+"):
            self.advance()
            return self.factor()
        return self.power()

    def power(self) -> object:
        token = self.peek()
        node = self.atom()
        while self.at("^", "**") or (self.peek().kind == "OP" and self.peek().text == "T"):
            if self.at("T"):  # a postfix ᵀ or \top
                node = Transpose(node, self.advance().column)
                continue
            op = self.advance()
            if self.at("T"):
                self.advance()
                node = Transpose(node, op.column)
                continue
            if self.at("("):  # ^{...}: transpose or a power
                save = self.pos
                self.advance()
                if self.at("T") and self.peek(1).text == ")":
                    self.advance()
                    self.advance()
                    node = Transpose(node, op.column)
                    continue
                self.pos = save
            node = Power(node, self.script_expr())
        if self.at("'") and isinstance(node, Var) and node.base == "a":  # the blog's a'(z^l)
            self.advance()
            return self.activation_call(Token("NAME", "a", token.column), None, prime=True)
        return node

    def script_expr(self) -> object:
        """The operand of ^ or _: one token or a braced group."""
        if self.at("("):
            opener = self.advance()
            self.enter(opener)
            node = self.expr()
            self.expect(")", f" to close the group opened at column {opener.column}")
            self.leave()
            return node
        token = self.advance()
        if token.kind == "NUM":
            return _number(token.text)
        if token.kind == "NAME" and token.text in ("s", "n") and self.at("_"):
            self.advance()
            return Var("s", self.layer(), column=token.column)
        if token.kind == "NAME" and token.text in ("m", "n", "lambda", "eta"):
            return Var(token.text, column=token.column)
        if token.kind == "NAME" and token.text == "s" and self.at("_"):
            self.advance()
            return Var("s", self.layer(), column=token.column)
        if token.kind == "NAME":
            return Var(token.text, column=token.column)
        raise self.error(f"expected an exponent, found {self.describe(token)}", token)

    def atom(self) -> object:
        token = self.peek()
        if token.kind == "NUM":
            self.advance()
            return _number(token.text)
        if token.kind == "OP" and token.text == "(":
            self.advance()
            self.enter(token)
            node = self.expr()
            self.expect(")", f" to close the bracket opened at column {token.column}")
            self.leave()
            if isinstance(node, Activation) and node.arg is None and self.at("'"):  # (f^l)'
                self.advance()
                node = Activation(node.name, None, True, node.layer, node.column)
            if isinstance(node, Activation) and node.arg is None and self.at("("):  # (f^l)'(z)
                node = Activation(node.name, self.group(), node.prime, node.layer, node.column)
            return node
        if token.kind == "OP" and token.text == "‖":
            self.advance()
            self.enter(token)
            self.depth_norm += 1
            node = self.expr()
            self.depth_norm -= 1
            self.expect("‖", f" to close the norm opened at column {token.column}")
            self.leave()
            return Norm(node)
        if token.kind != "NAME":
            raise self.error(f"expected a number, a quantity or '(', found {self.describe(token)}", token)
        name = token.text
        if name == "frac":
            return self.fraction()
        if name == "sum":
            return self.sum()
        if name == "nabla":
            return self.nabla()
        if name in ("exp", "log", "sqrt"):
            self.advance()
            return Function(name, self.argument())
        if name == "partial" or (name == "d" and self.peek(1).text in _COSTS | {"z", "a"}):
            return self.slash_derivative()
        if name in _COSTS:
            return self.cost()
        if name == "h" and self.peek(1).text == "_":  # UFLDL's h_{W,b}(x): the network's output a^{(n_l)}
            return self.hypothesis()
        if name in _ACTIVATIONS:
            return self.activation()
        if name in _QUANTITIES:
            return self.quantity()
        if name in ("s", "n") and self.peek(1).text == "_":  # UFLDL's s_l, or n_l: the width of layer l
            self.advance()
            self.advance()
            return Var("s", self.layer(), column=token.column)
        if name in ("lambda", "eta", "m", "n"):
            self.advance()
            return Var(name, column=token.column)
        raise self.error(
            f"unknown name {name!r}; quantities are W w b z a delta x y, costs C J, activations f sigma phi, "
            "constants lambda eta (alpha) m n",
            token,
        )

    def hypothesis(self) -> Var:
        head = self.advance()
        self.advance()  # _
        if self.at("("):
            opener = self.advance()
            while not self.at(")"):
                if self.advance().kind == "END":
                    raise self.error(f"unclosed subscript opened at column {opener.column}", opener)
            self.advance()
        else:
            self.advance()
        example = None
        if self.at("(") and self.peek(1).text == "x":
            example = self.example_argument()
        return Var("a", Layer("L", 0, True), (), example, head.column)

    def group(self) -> object:
        opener = self.expect("(", " (a braced group)")
        self.enter(opener)
        node = self.expr()
        self.expect(")", f" to close the group opened at column {opener.column}")
        self.leave()
        return node

    def argument(self) -> object:
        if self.at("("):
            return self.group()
        return self.power()

    def fraction(self) -> object:
        head = self.advance()
        if self.at("(") and self.peek(1).text in ("partial", "d") and self.peek(1).kind == "NAME":
            save = self.pos
            derivative = self.fraction_derivative(head)
            if derivative is not None:
                return derivative
            self.pos = save
        numerator = self.fraction_argument()
        denominator = self.fraction_argument()
        return BinOp("/", numerator, denominator, head.column)

    def fraction_argument(self) -> object:
        """A braced group, or TeX's single-token argument: \\frac12, \\frac1m."""
        if self.at("("):
            return self.group()
        token = self.peek()
        if token.kind == "NUM" and token.text.isdigit() and len(token.text) > 1:  # \frac12: the 1, then the 2
            self.tokens[self.pos] = Token("NUM", token.text[1:], token.column + 1)
            return Num(int(token.text[0]))
        if token.kind in ("NUM", "NAME"):
            self.advance()
            return _number(token.text) if token.kind == "NUM" else Var(token.text, column=token.column)
        raise self.error(f"expected the argument of \\frac, found {self.describe(token)}", token)

    def fraction_derivative(self, head: Token) -> object | None:
        """\\frac{\\partial C}{\\partial w^l_{jk}}, \\frac{\\partial}{\\partial W} J(…), \\frac{dC}{da^L}."""
        self.advance()  # {
        self.advance()  # partial or d
        if self.at(")"):
            self.advance()
            numerator = None
        else:
            numerator = self.derivative_numerator()
            self.expect(")", " after the numerator of the derivative")
        self.expect("(", " (the denominator of the derivative)")
        if not self.at("partial", "d"):
            return None
        self.advance()
        wrt = self.quantity()
        self.expect(")", " after the denominator of the derivative")
        if numerator is None:
            numerator = self.derivative_numerator()
        return Partial(numerator, wrt, head.column)

    def derivative_numerator(self) -> object:
        token = self.peek()
        if token.kind == "NAME" and token.text in _COSTS:
            return self.cost()
        if token.kind == "NAME" and token.text in _QUANTITIES:
            return self.quantity()
        if token.kind == "OP" and token.text == "(":
            return self.group()
        raise self.error(
            f"expected the cost (C, J) or a quantity to differentiate, found {self.describe(token)}", token
        )

    def slash_derivative(self) -> object:
        """ASCII dC/dW^l_{jk}, dz^{l+1}_j/dz^l_i, partial C / partial b^l_j."""
        head = self.advance()
        numerator = self.derivative_numerator()
        self.expect("/", " in dC/dX")
        if not self.at("partial", "d"):
            raise self.error(
                f"expected d or partial after '/' in a derivative, found {self.describe(self.peek())}", self.peek()
            )
        self.advance()
        return Partial(numerator, self.quantity(), head.column)

    def nabla(self) -> object:
        head = self.advance()
        self.expect("_", " (\\nabla_a C: the variable as a subscript)")
        if self.at("("):
            opener = self.advance()
            wrt = self.quantity()
            self.expect(")", f" to close the subscript opened at column {opener.column}")
        else:
            wrt = self.quantity(subscripts=False)
        if not self.at(*_COSTS):
            raise self.error(
                f"expected the cost (C or J) after \\nabla_{{…}}, found {self.describe(self.peek())}", self.peek()
            )
        return Partial(self.cost(), wrt, head.column)

    def cost(self) -> Cost:
        token = self.advance()
        example, per_example = None, False
        if self.at("_"):
            self.advance()
            if self.at("("):
                self.advance()
                sub = self.advance()
                if sub.text == "x":
                    per_example = True
                    if self.at("_"):
                        self.advance()
                        example = self.index_token().text
                    elif self.at("^"):
                        self.advance()
                        example = self.example_superscript()
                else:
                    example = sub.text
                    per_example = True
                self.expect(")", " after the cost's subscript")
            else:
                sub = self.advance()
                per_example = True
                example = None if sub.text == "x" else sub.text
        if self.at("(") and token.text == "J":  # J(W,b) or J(W,b;x^{(i)},y^{(i)})
            opener = self.advance()
            depth = 1
            inside: list[Token] = []
            while depth:
                t = self.advance()
                if t.kind == "END":
                    raise self.error(f"unclosed '(' opened at column {opener.column}", opener)
                depth += {"(": 1, ")": -1}.get(t.text, 0)
                inside.append(t)
            texts = [t.text for t in inside]
            if ";" in texts:
                per_example = True
                rest = inside[texts.index(";") + 1 :]
                for n, t in enumerate(rest):
                    if t.text == "x" and n + 2 < len(rest) and rest[n + 1].text == "^":
                        example = _example_from(rest[n + 2 :])
                        break
        return Cost(token.text, example, per_example)

    def example_superscript(self) -> str | None:
        """(i) in x^{(i)}."""
        tokens = []
        depth = 0
        while True:
            t = self.advance()
            tokens.append(t)
            depth += {"(": 1, ")": -1}.get(t.text, 0)
            if depth <= 0:
                break
        return _example_from(tokens)

    def index_token(self) -> Token:
        token = self.advance()
        if token.kind not in ("NAME", "NUM"):
            raise self.error(f"expected an index, found {self.describe(token)}", token)
        return token

    def sum(self) -> Sum:
        head = self.advance()
        self.expect("_", " (\\sum_{k} or \\sum_{i=1}^{m})")
        lower = upper = None
        if self.at("("):
            opener = self.advance()
            index = self.index_token()
            if self.at("="):
                self.advance()
                lower = self.expr()
            self.expect(")", f" to close the subscript opened at column {opener.column}")
        else:
            index = self.index_token()
        if index.kind != "NAME":
            raise self.error(f"the summation index must be a letter, found {self.describe(index)}", index)
        if self.at("^"):
            self.advance()
            upper = self.script_expr()
        self.enter(head)
        self.sums += 1
        if self.sums > MAX_NESTED_SUMS:
            raise self.error(f"more than {MAX_NESTED_SUMS} nested sums", head)
        body = self.sum_body()
        self.sums -= 1
        self.leave()
        return Sum(index.text, lower, upper, body, head.column)

    def sum_body(self) -> object:
        """A sum's body reaches to the next + or - at this level, like the texts' Σ_j w_{ij} δ_j f'(z_i)."""
        return self.term()

    def activation(self) -> Activation:
        token = self.advance()
        layer = None
        prime = False
        if self.at("^"):
            save = self.pos
            self.advance()
            if self.at("'"):
                self.advance()
                prime = True
            else:
                layer = self.layer()
                if self.at("'"):
                    self.advance()
                    prime = True
            if not prime and not self.at("(") and not self.at(")"):
                self.pos = save
                raise self.error(f"{token.text}^… must be followed by ' or an argument", self.peek())
        if self.at("'"):
            self.advance()
            prime = True
        if not self.at("(") and layer is not None:  # the notes' (f^l)' ∘ v: f' at z^l, elementwise
            return Activation(token.text, None, prime, layer, token.column)
        if not self.at("("):
            raise self.error(f"expected the argument of {token.text}, as in {token.text}'(z^l)", self.peek())
        return self.activation_call(token, layer, prime)

    def activation_call(self, token: Token, layer: Layer | None, prime: bool) -> Activation:
        return Activation(token.text, self.group(), prime, layer, token.column)

    def layer(self) -> Layer:
        """A layer number: l, l+1, L-1, 2, {l+1}, UFLDL's (l), {(n_l)}, {(\\ell+1)}."""
        if self.at("(") and self.peek().raw != "(":  # a TeX group {…}
            opener = self.advance()
            inner = self.layer() if self.at("(") and self.peek().raw == "(" else self.layer_body()
            self.expect(")", f" to close the layer number opened at column {opener.column}")
            return inner
        if self.at("("):  # UFLDL's (l)
            opener = self.advance()
            inner = self.layer_body()
            self.expect(")", f" to close the layer number opened at column {opener.column}")
            return Layer(inner.var, inner.offset, True)
        return self.layer_atom(self.advance())

    def layer_body(self) -> Layer:
        layer = self.layer_atom(self.advance())
        offset = layer.offset
        while self.at("+", "-"):
            sign = 1 if self.advance().text == "+" else -1
            number = self.advance()
            if number.kind != "NUM" or not number.text.isdigit():
                message = (
                    f"a layer number is l, L or a number plus or minus a whole number, not {self.describe(number)}"
                )
                raise self.error(message, number)
            offset += sign * int(number.text)
        return Layer(layer.var, offset, layer.parenthesised)

    def layer_atom(self, token: Token) -> Layer:
        if token.kind == "NUM" and token.text.isdigit():
            return Layer(None, int(token.text))
        if token.kind == "NAME" and token.text == "l":
            return Layer("l")
        if token.kind == "NAME" and token.text == "L":
            return Layer("L")
        if token.kind == "NAME" and token.text == "n" and self.at("_"):  # UFLDL's n_l (n_\ell): the output layer
            self.advance()
            if self.at("("):
                self.advance()
                self.advance()
                self.expect(")", " after n_{l}")
            else:
                self.advance()
            return Layer("L")
        raise self.error(
            f"expected a layer number (l, l+1, L, a number, (l), (n_l)), found {self.describe(token)}", token
        )

    def quantity(self, subscripts: bool = True) -> Var:
        token = self.advance()
        if token.kind != "NAME" or token.text not in _QUANTITIES:
            raise self.error(f"expected a quantity (W w b z a delta x y), found {self.describe(token)}", token)
        base = token.text
        layer: Layer | None = None
        indices: tuple = ()
        example = None
        while True:
            if self.at("^") and layer is None and example is None and not self._transpose_ahead():
                self.advance()
                if base in ("x", "y"):
                    example = self.example_superscript()
                    continue
                layer = self.layer()
                continue
            if self.at("_") and not indices and subscripts:
                self.advance()
                indices = self.subscript(base)
                continue
            if self.at("_") and not indices and not subscripts:  # \nabla_{a^L} C has no component subscripts
                break
            break
        if example is None and self.at("(") and self.peek(1).text == "x" and base not in ("x", "y"):
            example = self.example_argument()
        return Var(base, layer, indices, example, token.column)

    def example_argument(self) -> str | None:
        """UFLDL's a^{(3)}(x^{(i)}) or δ(x_i): the example a quantity is taken at."""
        opener = self.advance()
        self.advance()  # x
        tokens: list[Token] = []
        depth = 1
        while True:
            t = self.advance()
            if t.kind == "END":
                raise self.error(f"unclosed '(' opened at column {opener.column}", opener)
            if t.kind == "OP" and t.text == "(":
                depth += 1
            elif t.kind == "OP" and t.text == ")":
                depth -= 1
                if depth == 0:
                    break
            tokens.append(t)
        return _example_from([t for t in tokens if t.text not in ("^", "_")])

    def _transpose_ahead(self) -> bool:
        nxt = self.peek(1)
        if nxt.text == "T":
            return True
        return nxt.text == "(" and self.peek(2).text == "T" and self.peek(3).text == ")"

    def subscript(self, base: str) -> tuple:
        if self.at("("):
            opener = self.advance()
            items: list = []
            while not self.at(")"):
                token = self.advance()
                if token.kind == "END":
                    raise self.error(f"unclosed subscript opened at column {opener.column}", opener)
                if token.text == ",":
                    continue
                if token.kind == "NUM":
                    items.append(int(token.text))
                elif token.kind == "NAME" and len(token.text) == 1:
                    items.append(token.text)
                else:
                    raise self.error(f"a subscript holds index letters or numbers, not {self.describe(token)}", token)
            self.advance()
            if base in ("W", "w") and len(items) == 1 and isinstance(items[0], int) and 10 < items[0] < 100:
                items = [items[0] // 10, items[0] % 10]  # W^2_{12}: row 1, column 2
            return tuple(items)
        token = self.index_token()
        return (int(token.text),) if token.kind == "NUM" else (token.text,)


def _example_from(tokens: list[Token]) -> str | None:
    for t in tokens:
        if t.kind in ("NAME", "NUM") and t.text not in ("(", ")"):
            return t.text
    return None


def _number(text: str) -> Num:
    if "." in text:
        whole, _, frac = text.partition(".")
        return Num(int((whole or "0") + frac), 10 ** len(frac))
    return Num(int(text))


def parse_answer(text: str) -> Equation:
    """The :class:`Equation` an answer's text states; raises :class:`AnswerError` with the column."""
    if not text.strip():
        raise _error(text, "empty answer; write a formula such as delta^L = grad_a C (.) f'(z^L)", 1)
    return _Parser(text).equation()


# -- printing the tree back: the answer as it was read ------------------------------------------------

#: The Greek letters an answer names in ASCII, as LaTeX and as Unicode (from the one spelling table).
_TEX_NAMES = {name: spelling.latex for name, spelling in by_ascii().items()}
_TEXT_NAMES = {name: spelling.unicode for name, spelling in by_ascii().items()}
_PRECEDENCE = {"+": 1, "-": 1, "dot": 2, "hadamard": 2, "/": 2}


def _layer_script(layer: Layer | None, tex: bool) -> str:
    if layer is None:
        return ""
    text = layer.text().replace("L", "n_l") if layer.parenthesised and layer.var == "L" else layer.text()
    return f"^{{{text}}}" if tex else (f"^{text}" if len(text) == 1 else f"^{{{text}}}")


def _indices(indices: tuple) -> str:
    if not indices:
        return ""
    body = ("" if all(len(str(i)) == 1 for i in indices) else ",").join(str(i) for i in indices)
    return f"_{{{body}}}" if len(body) > 1 else f"_{body}"


def show(node, tex: bool = False) -> str:
    """The node as text (``tex=False``: the report's Unicode) or LaTeX."""
    names = _TEX_NAMES if tex else _TEXT_NAMES

    def wrap(child, parent_precedence: int) -> str:
        text = show(child, tex)
        if isinstance(child, BinOp) and _PRECEDENCE[child.op] < parent_precedence:
            return (r"\left(" + text + r"\right)") if tex else f"({text})"
        if isinstance(child, (Neg, Sum)) and parent_precedence > 1:
            return (r"\left(" + text + r"\right)") if tex else f"({text})"
        return text

    if isinstance(node, Num):
        return str(node.numerator) if node.denominator == 1 else f"{node.numerator}/{node.denominator}"
    if isinstance(node, Var):
        name = names.get(node.base, node.base)
        if node.base == "s":
            return f"s_{{{node.layer.text() if node.layer else ''}}}"
        if node.example is None:
            return name + _layer_script(node.layer, tex) + _indices(node.indices)
        if node.base in ("x", "y"):
            return name + f"^{{({node.example})}}" + _indices(node.indices)
        return name + _layer_script(node.layer, tex) + _indices(node.indices) + f"(x^{{({node.example})}})"
    if isinstance(node, Cost):
        sub = f"_{{x_{node.example}}}" if node.example else ("_x" if node.per_example else "")
        return node.name + sub
    if isinstance(node, Partial):
        d = r"\partial " if tex else "∂"
        num, wrt = show(node.num, tex), show(node.wrt, tex)
        return rf"\frac{{{d}{num}}}{{{d}{wrt}}}" if tex else f"{d}{num}/{d}{wrt}"
    if isinstance(node, Activation):
        name = names.get(node.name, node.name)
        if node.layer is not None:
            name = (
                f"{name}{_layer_script(node.layer, tex)}"
                if not node.prime
                else f"({name}{_layer_script(node.layer, tex)})"
            )
        name += "'" if node.prime else ""
        if node.arg is None:
            return name
        arg = show(node.arg, tex)
        return rf"{name}\left({arg}\right)" if tex else f"{name}({arg})"
    if isinstance(node, Function):
        arg = show(node.arg, tex)
        return rf"\{node.name}\left({arg}\right)" if tex else f"{node.name}({arg})"
    if isinstance(node, Sum):
        lower = f"={show(node.lower, tex)}" if node.lower is not None else ""
        upper = f"^{{{show(node.upper, tex)}}}" if node.upper is not None else ""
        head = (r"\sum" if tex else "Σ") + f"_{{{node.index}{lower}}}{upper}"
        return f"{head} {wrap(node.body, 2)}"
    if isinstance(node, BinOp):
        p = _PRECEDENCE[node.op]
        if node.op == "/" and tex:
            return rf"\frac{{{show(node.left, tex)}}}{{{show(node.right, tex)}}}"
        symbol = {
            "+": " + ",
            "-": " - ",
            "dot": " " if tex else " ",
            "hadamard": r" \odot " if tex else " ⊙ ",
            "/": "/",
        }[node.op]
        right = wrap(node.right, p + (1 if node.op in ("-", "/") else 0))
        return wrap(node.left, p) + symbol + right
    if isinstance(node, Neg):
        return "-" + wrap(node.operand, 2)
    if isinstance(node, Power):
        base = wrap(node.base, 3)
        if isinstance(node.base, Var) and (node.base.layer is not None or node.base.example is not None):
            base = "{" + base + "}"  # {W^{(1)}_{ji}}^{2}: one superscript per base in TeX
        return base + "^{" + show(node.exponent, tex) + "}"
    if isinstance(node, Transpose):
        inner = show(node.operand, tex)
        inner = (
            inner
            if isinstance(node.operand, Var) and node.operand.layer is None
            else (r"\left(" + inner + r"\right)" if tex else f"({inner})")
        )
        return inner + ("^{T}" if tex else "ᵀ")
    if isinstance(node, Norm):
        inner = show(node.operand, tex)
        return rf"\left\|{inner}\right\|" if tex else f"‖{inner}‖"
    raise TypeError(f"cannot show {type(node).__name__}")


# -- files of answers --------------------------------------------------------------------------------

_HEADER = re.compile(r"^(?P<id>[A-Za-z0-9_.\-]+)\s*(?:\((?P<options>[^)]*(?:\)[^):]*)*)\))?\s*:(?P<formula>.*)$")


@dataclass(frozen=True)
class Submission:
    """One answer of a file: its identifier, the formula, and optionally its equation and notation."""

    ident: str
    text: str
    equation: str | None = None
    notation: str | None = None
    line: int = 0


class AnswerFileError(AnswerError):
    """A file of answers whose layout is wrong: names the file and line."""


FILE_FORMAT = """\
One answer per entry; '#' starts a comment line, blank lines are ignored:

    ID: FORMULA
    ID (EQUATION): FORMULA
    ID (EQUATION, NOTATION): FORMULA
        continuation lines of FORMULA start with whitespace (a block)

ID is letters, digits, '_', '.', '-'; EQUATION one of BP1 BP2 BP3 BP4 input_gradient delta_output
cost_gradient weight_update, or a quantity such as dC/dW^2_{1,2}; NOTATION the name of a notation
(as --notation takes it).
FORMULA is LaTeX or ASCII, with a left-hand side (delta^l = ...) or just the right-hand side of EQUATION."""


def read_answers(text: str, source: str = "<answers>", notations: tuple[str, ...] | None = None) -> list[Submission]:
    """The answers of a file in the format :data:`FILE_FORMAT` describes (``notations``: the catalogue's)."""
    notations = tuple(NOTATIONS) if notations is None else notations
    result: list[Submission] = []
    current: dict | None = None
    seen: set[str] = set()

    def close():
        if current is not None:
            result.append(
                Submission(current["id"], current["text"].strip(), current["eq"], current["nt"], current["line"])
            )

    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t":
            if current is None:
                raise AnswerFileError(
                    f"{source}: line {number}: a continuation line before any answer; start with 'ID: formula'",
                    column=1,
                )
            current["text"] += "\n" + line
            continue
        match = _HEADER.match(line)
        if not match:
            raise AnswerFileError(
                f"{source}: line {number}: expected 'ID: formula' or 'ID (EQUATION[, NOTATION]): formula'", column=1
            )
        close()
        ident = match.group("id")
        if ident in seen:
            raise AnswerFileError(f"{source}: line {number}: the identifier {ident!r} is used twice", column=1)
        seen.add(ident)
        equation = notation = None
        options = (match.group("options") or "").strip()
        if options:
            head, _, last = options.rpartition(",")
            if head and last.strip() in notations:
                equation, notation = head.strip(), last.strip()
            elif options in notations:
                notation = options
            else:
                equation = options
        current = {"id": ident, "text": match.group("formula"), "eq": equation, "nt": notation, "line": number}
    close()
    if not result:
        raise AnswerFileError(f"{source}: no answers found; the format is: 'ID (EQUATION): FORMULA' per line", column=1)
    return result
