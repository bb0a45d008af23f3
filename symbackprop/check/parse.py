"""The recursive-descent parser of an answer: tokens to an :class:`~symbackprop.check.tree.Equation`."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from symbackprop.check.lexicon import translate
from symbackprop.check.names import ACTIVATION_NAMES, COST_NAMES, D_BASES, QUANTITY_NAMES, Names, example_from
from symbackprop.check.tokens import BACKPROP, Token, _error, tokenize
from symbackprop.check.tree import (
    MAX_EXPONENT,
    MAX_NESTED_FUNCTIONS,
    MAX_NESTED_SUMS,
    MAX_NESTING,
    MAX_NUMBER_EXPONENT,
    Activation,
    AnswerError,
    BinOp,
    Compare,
    Cost,
    Elided,
    Equation,
    Function,
    Kronecker,
    Layer,
    Neg,
    Norm,
    Num,
    Ones,
    Partial,
    Penalty,
    Power,
    Sum,
    Transpose,
    UnclosedBracket,
    Var,
    elided_period,
)


class _Parser(Names):
    def __init__(
        self, text: str, letters: dict[str, str] | None = None, bindings=None, tokens: list[Token] | None = None
    ):
        self.text = text
        self.tokens = translate(tokens if tokens is not None else tokenize(text, bindings), letters or {})
        self.pos = 0
        self.depth = 0
        self.depth_norm = 0  # inside ‖…‖ a ‖ closes the norm instead of opening a factor
        self.sums = 0
        self.functions = 0
        self.transposed = False  # a transpose inside a quantity's superscript, A^{[l-1]T}
        self.readings: list[str] = []  # letters read through OTHER_LETTERS, in words
        self.implied_cost = "C"  # what ∂/∂w alone differentiates

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
        continuation = self.at("=") and self.pos == 0  # "&= …": a derivation's next line
        if continuation:
            self.advance()
        sides = [self.expr()]
        while self.at("="):
            self.advance()
            if self.at("…") and (self.peek(1).kind == "END" or self.peek(1).text == "="):
                # A = \dots = B: the derivation's steps between, not written; the chain goes on from A to B
                self.advance()
                self.readings.append("… between = signs as steps not written")
                if self.peek().kind == "END":
                    break
                continue
            sides.append(self.expr())
        stated = self.stated_layers()
        condition = None if stated else self.condition()
        token = self.peek()
        if token.kind != "END":
            raise self.error(f"unexpected {self.describe(token)}; expected an operator or the end", token)
        readings = tuple(dict.fromkeys(self.readings))
        return Equation(tuple(sides), self.text, readings, condition, continuation, stated)

    def stated_layers(self) -> tuple[str, Layer, Layer, int] | None:
        """A trailing range of layers, as Ng's notes state BP2: ``for l = L-1, …, 2``, ``for l = 2,...,L-1``."""
        if not (self.at("if") and self.peek(1).text == "l" and self.peek(2).text == "="):
            return None
        save = self.pos
        column = self.advance().column
        self.advance(), self.advance()
        first = self.layer_body()
        if not self.at(","):
            self.pos = save  # if l = 2: a case, read by condition
            return None
        self.advance()
        while self.at("."):  # ...., typed as dots
            self.advance()
        if self.at("…"):
            self.advance()
        self.expect(",", " between the elision and the last layer of the range, as in l = L-1, …, 2")
        return ("l", first, self.layer_body(), column)

    def condition(self) -> tuple[str, str, int] | None:
        """A trailing case, as Ng's notes state the bias column apart: ``if j = 0``, ``{if}\\; j \\neq 0``."""
        braced = self._braced_if()
        if not (self.at("if") or braced):
            return None
        self.advance()
        if braced:
            self.advance()
            self.advance()
        index = self.advance()
        if index.kind != "NAME" or len(index.text) != 1:
            raise self.error(f"expected an index letter after 'if', found {self.describe(index)}", index)
        if not self.at("=", "≠"):
            found = self.describe(self.peek())
            raise self.error(f"expected = or ≠ after 'if {index.text}', found {found}", self.peek())
        op = self.advance().text
        number = self.advance()
        if number.kind != "NUM" or not number.text.isdigit():
            raise self.error(f"expected a whole number in the case 'if {index.text} {op}'", number)
        return (index.text, op, int(number.text))

    def expr(self) -> object:
        node = self.term()
        while self.at("+", "-"):
            op = self.advance()
            node = BinOp(op.text, node, self.term(), op.column)
        if self.at("<", ">", "<=", ">="):  # NumPy's A > 0: a mask
            op = self.advance()
            right = self.term()
            while self.at("+", "-"):
                sign = self.advance()
                right = BinOp(sign.text, right, self.term(), sign.column)
            node = Compare(op.text, node, right, op.column)
        return node

    def _at_transpose(self) -> bool:
        return self.peek().kind == "OP" and self.peek().text == "T"

    def _at_method(self) -> bool:
        return self.at(".") and self.peek(1).text in ("npdot", "sum") and self.peek(2).text == "("

    def _paren_t(self) -> bool:
        return self.at("(") and self.peek(1).text == "T" and self.peek(2).text == ")"

    def _braced_if(self) -> bool:
        return self.at("(") and self.peek(1).text == "if" and self.peek(2).text == ")"

    def _starts_factor(self) -> bool:
        token = self.peek()
        if token.kind == "NAME" and token.text == "if" or self._braced_if():
            return False  # the case an answer is stated for: Equation.condition
        return self._starts_factor_after(0)

    def _loose(self, token: Token) -> bool:
        """A typeset ⊙ (\\odot, \\circ, ∘, •): it binds less tightly than a product written side by side, as the
        texts mean (1 − tanh² z_1) ∘ δ_3 W_2ᵀ; the code's (.) and .* keep their language's precedence."""
        return token.kind == "OP" and token.text == "⊙" and not token.raw

    def term(self) -> object:
        items, columns = [self.product()], []
        while self._loose(self.peek()):
            columns.append(self.advance().column)
            items.append(self.advance() if self.at("…") else self.product())  # A ∘ ⋯ ∘ B: the elision's token
        return self._joined(items, columns, "hadamard")

    def product(self) -> object:
        items, columns, ops = [self.factor()], [], []
        while True:
            token = self.peek()
            if self._loose(token):
                break
            if token.kind == "OP" and token.text == "." and self.pos + 1 < len(self.tokens):
                # W^{[l]T}.dZ^{[l]}: the course notes' '.' between two factors, a product (no method follows it)
                self.advance()
                if not self._starts_factor():
                    raise self.error(f"unexpected '.' before {self.describe(self.peek())}", token)
                self.readings.append("'.' between two factors as their product")
                op = "dot"
            elif token.kind == "OP" and token.text in ("⊙", "·", "/", "*"):
                self.advance()
                op = {"⊙": "hadamard", "·": "dot", "/": "/", "*": "star"}[token.text]
            elif self.at("…") and (self._starts_factor_after(1) or self.peek(1).text == "·"):
                op = "dot"  # W^1 W^2 ⋯ W^L: an elision side by side
            elif self._starts_factor() and not (token.kind == "OP" and token.text == "‖" and self.depth_norm):
                op = "dot"
            elif self.at("…") and self.peek(1).text not in ("=", ","):
                raise self.error(_ELISION_ENDS, token)  # W^1 W^2 ⋯ + …, ⋯ ⋯: the terms after it not written
            else:
                break
            columns.append(token.column)
            ops.append(op)
            if op == "dot" and self.at("…"):
                items.append(self.advance())  # A · ⋯ · B: the elision's token
            else:
                items.append(self.factor())
        return self._joined(items, columns, ops)

    def _starts_factor_after(self, ahead: int) -> bool:
        """Whether the token ``ahead`` of the cursor can begin a factor: a number, a name, '(' or '‖'."""
        token = self.peek(ahead)
        return token.kind in ("NUM", "NAME") or token.kind == "OP" and token.text in ("(", "‖")

    def _joined(self, items: list, columns: list, ops) -> object:
        """The terms of a product joined left to right; with an elision (a token among them), an :class:`Elided`
        whose terms not written continue the run of layers of those written on either side of it."""
        ops = [ops] * len(columns) if isinstance(ops, str) else ops
        marks = [n for n, item in enumerate(items) if isinstance(item, Token)]
        if not marks:
            node = items[0]
            for op, column, item in zip(ops, columns, items[1:]):
                node = BinOp(op, node, item, column)
            return node
        mark = items[marks[0]]
        if len(marks) > 1 or marks[0] in (0, len(items) - 1):
            raise self.error(_ELISION_ENDS, mark)
        if len(set(ops)) > 1:
            raise self.error(
                "an elision in a product of several kinds (· and ⊙, /, *) is not read: write the terms "
                "around it joined by one kind of product, or write the product out",
                mark,
            )
        n = marks[0]
        before, after = tuple(items[:n]), tuple(items[n + 1 :])
        if elided_period(before, after) is None:
            raise self.error(
                "an elision stands for the terms between those written on either side of it, and here the last "
                "term before it and the first after it are not the same term at other layers (as W^{l+1} … W^{L-1} "
                "are): what it stands for is not read; write the product out",
                mark,
            )
        self.readings.append("… in a product as the terms that continue the run of layers written around it")
        return Elided(ops[0], before, after, mark.column)

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
        while self._at_method() or self._at_transpose():  # A.dot(B), X.T.dot(Y), M.sum(axis=0)
            if self._at_transpose():
                node = Transpose(node, self.advance().column)
                continue
            self.advance()
            method = self.advance()
            args = self.call(method)
            if method.text == "sum":  # M.sum(): every entry, as NumPy's; M.sum(axis=…) over the examples
                every_entry = "npaxis" not in self.keywords
                node = Function("sum", node, every_entry=every_entry, axis=self.axis, axis_word=self.axis_word)
            elif len(args) == 1:
                node = BinOp("dot", node, args[0], method.column)
            else:
                raise self.error(f".dot(…) takes one argument, found {len(args)}", method)
        while self.at("^", "**") or (self.peek().kind == "OP" and self.peek().text == "T") or self._paren_t():
            if self.at("T"):  # a postfix ᵀ or \top
                node = Transpose(node, self.advance().column)
                continue
            if self._paren_t():  # (a(l))(T), a transpose as plain-text notes write it
                node = Transpose(node, self.advance().column)
                self.advance()
                self.advance()
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
            self.check_exponent(node, op)
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
        if token.kind == "NAME" and token.text in ("s", "S", "n") and self.at("_"):
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
        if token.kind == "NAME" and token.text == BACKPROP:  # Ng's notes: the gradient backpropagation gives
            self.advance()
            self.readings.append(f"{token.raw} as the gradient without the weight decay")
            return Partial(Cost("C", None, False, zero=True, unregularised=True), None, token.column)
        if token.kind == "OP" and token.text == "(":
            self.advance()
            self.enter(token)
            node = self.expr()
            if not self.at(")"):
                stopped = self.peek()
                found = self.describe(stopped)
                found = self.describe(stopped)
                message = f"expected ')' to close the bracket opened at column {token.column}, found {found}"
                error = self.error(message, stopped)
                raise UnclosedBracket(error, token.column, stopped.column)
            self.advance()
            self.leave()
            if isinstance(node, Activation) and node.arg is None and self.at("'"):  # (f^l)'
                self.advance()
                node = Activation(node.name, None, True, node.layer, node.column)
            if isinstance(node, Activation) and node.arg is None and self.at("("):  # (f^l)'(z)
                node = Activation(
                    node.name, self.call_argument(token, braced=True), node.prime, node.layer, node.column
                )
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
        if token.kind == "OP" and token.text == "…":
            raise self.error(
                "an elision (\\dots, \\cdots, …) stands for terms not written and cannot be graded: write them out "
                "(between = signs, as in A = \\dots = B, it is read as steps skipped)",
                token,
            )
        if token.kind != "NAME":
            raise self.error(f"expected a number, a quantity or '(', found {self.describe(token)}", token)
        name = token.text
        if name == "frac":
            return self.fraction()
        if name == "sum":
            return self.sum()
        if name == "nabla":
            return self.nabla()
        if name in ("npdot", "npmultiply", "npdivide", "nptranspose", "npsquare", "nppower", "npmean"):
            return self.code_call()
        if name == "npones":  # np.ones((batch_size, 1)): a column of ones, np.dot(M, ones) sums M's rows
            head = self.advance()
            self.expect("(", " after ones (np.ones((m, 1)))")
            self.expect("(", " (the shape of np.ones, a tuple such as (m, 1))")
            rows = self.expr()
            self.expect(",", " between the two dimensions of np.ones((m, 1))")
            cols = self.expr()
            self.expect(")", " after the shape of np.ones")
            self.expect(")", " to close np.ones(…)")
            return Ones(rows, cols, head.column)
        if name == "npcast":  # np.int64(A2 > 0): the mask's values, 1 and 0
            head = self.advance()
            if not self.at("("):
                if re.match(r"\w+\s+[A-Za-z_]\w*\s*=", self.text[head.column - 1 :]):  # C's float qa = dactf(a, …);
                    message = f"a declaration with its type ({head.raw} …): write the assignment without the type"
                    raise self.error(message, head)
                raise self.error(f"{head.raw} is read as a cast, such as np.int64(A > 0): expected '(' after it", head)
            args = self.call(head)
            if len(args) != 1:
                raise self.error(f"a cast takes one argument, found {len(args)}", head)
            return args[0]
        if name in ("exp", "log", "sqrt", "tanh"):
            head = self.advance()
            if self.at("^") and name in ("log", "tanh"):  # \tanh^2 z: TeX's (tanh z)^2
                op = self.advance()
                exponent = self.script_expr()
                power = Power(Function(name, self.call_argument(head)), exponent)
                self.check_exponent(power, op)
                return power
            return Function(name, self.call_argument(head))
        if name == "e" and self.peek(1).text == "^":  # e^{z_j}: the exponential (a softmax's numerator)
            self.advance()
            op = self.advance()
            exponent = self.script_expr()
            self.check_exponent(Power(Num(2), exponent), op)
            return Function("exp", exponent)
        if name == "d" and self.peek(1).raw == "{" and self.peek(2).text in D_BASES:  # d{z^{[l]}}
            save = self.pos
            self.advance()
            inner = self.group()
            if isinstance(inner, Var) and inner.base in D_BASES:
                return Var("d" + inner.base, inner.layer, inner.indices, inner.example, token.column)
            self.pos = save
        if name == "d" and self.peek(1).text in D_BASES and self.peek(1).column == token.column + 1:
            save = self.pos
            try:
                return self.slash_derivative()  # dz^{l+1}_j/dz^l_i
            except AnswerError:
                self.pos = save
            return self.with_transpose(self.d_name())  # deeplearning.ai's dZ^{[l]}
        if name == "partial" or (name == "d" and self.peek(1).text in COST_NAMES | {"z", "a"}):
            return self.slash_derivative()
        if name in COST_NAMES:
            return self.cost()
        if name == "h" and self.peek(1).text == "_":  # UFLDL's h_{W,b}(x): the network's output a^{(n_l)}
            return self.hypothesis()
        if name in ACTIVATION_NAMES:
            return self.activation()
        if name == "Delta" and self.peek(1).kind == "NAME" and self.peek(1).text in ("W", "b"):
            # UFLDL's ΔW^{(l)}, Δb^{(l)}: the accumulated gradients
            self.advance()
            var = self.quantity()
            return self.with_transpose(replace(var, base="Delta" + var.base, column=token.column))
        if name in QUANTITY_NAMES:
            var = self.quantity()
            if var.base == "delta" and var.layer is None and len(var.indices) == 2 and var.example is None:
                return Kronecker(*var.indices)  # Bishop's δ_{kj} (5.76): an error has one index
            return self.with_transpose(var)
        if name in ("s", "S", "n") and self.peek(1).text == "_":  # UFLDL's s_l (S_l in its translation), n_l: a width
            self.advance()
            self.advance()
            return Var("s", self.layer(), column=token.column)
        if name in ("lambda", "eta", "m", "n"):
            self.advance()
            return Var(name, column=token.column)
        if name in OTHER_LETTERS:
            return self.other_letter(token)
        word, written = _word_at(self.text, token.column)
        if len(word) > len(name) and ("_" in word or "." in word or len(word) > 3):  # error_hidden, self.who
            raise self.error(
                f"unknown name {word!r}, a program's own name: bind it with --names '{written} = …' (what it "
                "holds, in the notation's letters)",
                token,
            )
        raise self.error(
            f"unknown name {name!r}; quantities are W w b z a delta x y, costs C J, activations f sigma phi, "
            "constants lambda eta (alpha) m n",
            token,
        )

    def other_letter(self, token: Token) -> object:
        """A letter of :data:`OTHER_LETTERS` (t_k, o_j), read as the quantity it stands for where nothing else
        reads it, and said in the verdict's note."""
        reader, layer, words = OTHER_LETTERS[token.text]
        self.tokens[self.pos] = Token("NAME", reader, token.column, token.raw or token.text)
        self.readings.append(f"{token.text} as {words}")
        var = self.quantity()
        if layer is not None and var.layer is None:
            var = replace(var, layer=Layer(layer))
        return self.with_transpose(var)

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
        return Var("a", Layer("L", 0, True, "n_l"), (), example, head.column)

    def with_transpose(self, var: Var) -> object:
        """``var``, transposed when its superscript held the transpose (A^{[l-1]T})."""
        if not self.transposed:
            return var
        self.transposed = False
        return Transpose(var, var.column)

    def check_exponent(self, power: Power, op: Token) -> None:
        """Refuses a numeric exponent too large to work with (the limits in :mod:`~symbackprop.check.tree`)."""
        exponent = power.exponent.operand if isinstance(power.exponent, Neg) else power.exponent
        if not isinstance(exponent, Num):
            return
        limit = MAX_NUMBER_EXPONENT if isinstance(power.base, Num) else MAX_EXPONENT
        if exponent.numerator > limit * exponent.denominator:
            what = "of a number" if limit == MAX_NUMBER_EXPONENT else "of an expression"
            raise self.error(
                f"exponent too large: a numeric exponent {what} is at most {limit} in size "
                "(larger powers take SymPy minutes or all the memory)",
                op,
            )

    def call_argument(self, head: Token, braced: bool = False) -> object:
        """The argument of a function (or, ``braced``, of an activation: a group), within
        MAX_NESTED_FUNCTIONS nested calls."""
        self.functions += 1
        if self.functions > MAX_NESTED_FUNCTIONS:
            raise self.error(f"more than {MAX_NESTED_FUNCTIONS} functions nested inside one another", head)
        node = self.group() if braced else self.argument()
        self.functions -= 1
        return node

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
        if self.at("(") and self.peek(1).kind == "NAME" and self.peek(1).text in COST_NAMES | QUANTITY_NAMES:
            save, readings = self.pos, list(self.readings)
            try:  # \frac{Co}{dw_L}: the d of the numerator not written, the denominator's d says a derivative
                derivative = self.fraction_derivative(head, numerator_d=False)
            except AnswerError:
                derivative = None
            if derivative is not None:
                self.readings.append("a fraction over d… as a derivative whose numerator's d is not written")
                return derivative
            self.pos, self.readings = save, readings
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

    def fraction_derivative(self, head: Token, numerator_d: bool = True) -> object | None:
        """\\frac{\\partial C}{\\partial w^l_{jk}}, \\frac{\\partial}{\\partial W} J(…), \\frac{dC}{da^L}; without
        ``numerator_d``, a numerator without its d (\\frac{Co}{dw_L})."""
        self.advance()  # {
        if numerator_d:
            self.advance()  # partial or d
        if self.at(")"):
            self.advance()
            numerator = None
        else:
            start = self.pos
            numerator = self.derivative_numerator()
            if not self.at(")") and not isinstance(numerator, Cost) and self._starts_expression_rest():
                # \frac{\partial w_l^T h^{(l-1)}}{\partial h^{(l-1)}}: the numerator's group is the expression
                self.pos = start
                numerator = self._differentiated(head)
                self.readings.append("the numerator after ∂ as the expression differentiated")
            self.expect(")", " after the numerator of the derivative")
        self.expect("(", " (the denominator of the derivative)")
        if not self.at("partial", "d"):
            return None
        self.advance()
        if self.at("(") and self.peek().raw == "{":  # \partial {b^{l}_{j}}: a TeX group around the variable
            opener = self.advance()
            wrt = self.quantity()
            self.expect(")", f" to close the group opened at column {opener.column}")
        else:
            wrt = self.quantity()
        self.expect(")", " after the denominator of the derivative")
        if numerator is None and (self.peek().kind == "END" or self.at("=", ")")):
            # ∂/∂w^3_{11} = …: the operator alone names the derivative of the cost
            self.readings.append(f"∂/∂{wrt.base} with nothing after it as the cost's derivative")
            numerator = Cost(self.implied_cost)
        elif numerator is None and self.peek().kind == "NAME" and self.peek().text in COST_NAMES:
            numerator = self.cost()
        elif numerator is None:  # ∂/∂z^{(n_l)}_i ½‖y − h(x)‖²: the operator applied to the product after it
            numerator = self._differentiated(head)
        return Partial(numerator, wrt, head.column)

    def _differentiated(self, head: Token) -> object:
        """The expression a derivative is applied to (a product), counted as a function nested in the answer."""
        self.functions += 1  # each derivative of an expression multiplies its size, as a function does
        if self.functions > MAX_NESTED_FUNCTIONS:
            raise self.error(f"more than {MAX_NESTED_FUNCTIONS} functions or derivatives nested in one another", head)
        self.enter(head)
        numerator = self.term()
        self.leave()
        self.functions -= 1
        return numerator

    def _starts_expression_rest(self) -> bool:
        """Whether what follows a quantity continues a product (a factor, ·, ⊙, ^, a transpose)."""
        token = self.peek()
        return self._starts_factor() or token.kind == "OP" and token.text in ("·", "⊙", "*", "^")

    def derivative_numerator(self) -> object:
        token = self.peek()
        if token.kind == "NAME" and token.text in COST_NAMES:
            return self.cost()
        if token.kind == "NAME" and token.text in QUANTITY_NAMES:
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
        braced = self.at("(") and self.peek().raw == "{" and self.peek(1).text == "Omega"  # {\Omega(\theta)}
        if braced or self.at("Omega"):  # Goodfellow's λ ∇_W Ω(θ): the weight decay's gradient
            opener = self.advance() if braced else None
            self.advance()
            if self.at("(") and self.peek(1).text in ("Theta", "theta") and self.peek(2).text == ")":
                self.advance(), self.advance(), self.advance()
            if opener is not None:
                self.expect(")", f" to close the group opened at column {opener.column}")
            return Partial(Penalty(), wrt, head.column)
        loss = self.at("L") and self.peek(1).text == "("  # Goodfellow's loss L(ŷ, y) of the example
        if not self.at(*COST_NAMES) and not loss:
            raise self.error(
                f"expected the cost (C or J) after \\nabla_{{…}}, found {self.describe(self.peek())}", self.peek()
            )
        return Partial(self.cost(), wrt, head.column)

    def cost(self) -> Cost:
        token = self.advance()
        example, per_example, zero = None, False, False
        if token.text == "C" and self.at("o") and self.peek().kind == "NAME" and self.at_adjacent(self.peek()):
            self.advance()  # Co: 3Blue1Brown's C_0 typed with the letter o
            self.readings.append("Co as C_0")
            return Cost(token.text, None, True, zero=True)
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
                    example = None if sub.text == "0" else sub.text
                    per_example = True
                    zero = sub.text == "0"
                self.expect(")", " after the cost's subscript")
            else:
                sub = self.advance()
                per_example = True
                example = None if sub.text in ("x", "0") else sub.text  # 3Blue1Brown's C_0: one example's cost
                zero = sub.text == "0"
        if self.at("(") and token.text == "L":  # Goodfellow's L(ŷ, y): the loss of one example
            opener = self.advance()
            depth = 1
            while depth:
                t = self.advance()
                if t.kind == "END":
                    raise self.error(f"unclosed '(' opened at column {opener.column}", opener)
                depth += {"(": 1, ")": -1}.get(t.text, 0)
            return Cost("L", None, True)
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
                        example = example_from(rest[n + 2 :])
                        break
        return Cost(token.text, example, per_example, zero)

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
        return example_from(tokens)

    def index_token(self) -> Token:
        token = self.advance()
        if token.kind not in ("NAME", "NUM"):
            raise self.error(f"expected an index, found {self.describe(token)}", token)
        return token

    def call(self, head: Token) -> list:
        """The arguments of a code call f(x, y, axis=1, keepdims=True): the positional ones (keywords dropped)."""
        opener = self.expect("(", f" after {head.text}")
        self.enter(opener)
        args = []
        self.keywords: set[str] = set()  # the keywords of the last call (np.sum without axis= sums every entry)
        self.axis: int | None = None
        self.axis_word = "axis"  # PyTorch's dim=
        while not self.at(")"):
            if self.at("npaxis", "npdim", "npkeepdims"):
                keyword = self.advance().text
                self.keywords.add("npaxis" if keyword == "npdim" else keyword)
                self.expect("=", " in a keyword argument")
                sign = self.advance() if self.at("-") else None
                value = self.advance()
                if keyword in ("npaxis", "npdim"):
                    self.axis_word = keyword.removeprefix("np")
                    if value.kind != "NUM" or value.text not in ("0", "1"):
                        raise self.error(
                            f"{self.axis_word}= is 0 (down the rows) or 1 (along the columns), or -1", value
                        )
                    self.axis = 1 if sign is not None else int(value.text)
            else:
                args.append(self.expr())
            if not self.at(","):
                break
            self.advance()
        self.expect(")", f" to close the call opened at column {opener.column}")
        self.leave()
        return args

    def code_call(self) -> object:
        """NumPy's np.dot(A, B), np.multiply(A, B), np.sum(dZ, axis=1, keepdims=True) and Sum(dZ)."""
        head = self.advance()
        args = self.call(head)
        wanted = 1 if head.text in ("sum", "nptranspose", "npsquare", "npmean") else 2
        if len(args) != wanted:
            raise self.error(f"{head.text.removeprefix('np')}(…) takes {wanted} argument(s), found {len(args)}", head)
        every_entry = "npaxis" not in self.keywords
        if head.text == "sum":  # np.sum(M) without axis= adds up every entry; a text's sum(dZ), its examples
            numpy = head.raw.startswith(("np.", "numpy.", "jnp.", "torch.", "tf."))
            return Function("sum", args[0], every_entry=numpy and every_entry, axis=self.axis, axis_word=self.axis_word)
        if head.text == "npmean":  # np.mean(dZ, axis=1): the sum over the batch's examples over m
            if every_entry:
                raise self.error("mean(…) without axis= averages every entry: give the axis of the examples", head)
            total = Function("sum", args[0], axis=self.axis)
            return BinOp("/", total, Var("m", column=head.column), head.column)
        if head.text == "nptranspose":
            return Transpose(args[0], head.column)
        if head.text == "npsquare":
            return Power(args[0], Num(2))
        if head.text == "nppower":
            node = Power(args[0], args[1])
            self.check_exponent(node, head)
            return node
        op = {"npdot": "dot", "npmultiply": "hadamard", "npdivide": "/"}[head.text]
        return BinOp(op, args[0], args[1], head.column)

    def sum(self) -> object:
        if self.peek(1).text == "(" and self.peek(1).raw == "(":  # sum(dZ): the code's sum over the examples
            return self.code_call()
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


#: Letters no catalogue notation gives a meaning to that many sources use for one quantity, read only where no
#: other rule reads the name (a bound index t stays an index): letter -> (the reader's letter, its layer, words).
#: t for the target (Mitchell, Rashid, forum posts on Bishop's sums), o for the network's output (Rashid, forum
#: posts: o_j = softmax(z)_j). (D2L's o is the output's weighted input: D2L is read in Goodfellow's letters.)
OTHER_LETTERS = {"t": ("y", None, "the target y"), "o": ("a", "L", "the output activation a^L")}


_ELISION_ENDS = (
    "an elision inside a product stands for the terms between those written on either side of it: write at least "
    "one term before it and one after it, and one elision per product"
)


def _number(text: str) -> Num:
    if "." in text:
        whole, _, frac = text.partition(".")
        value = Fraction(int((whole or "0") + frac), 10 ** len(frac))  # 1.0 is 1, 0.5 is 1/2
        return Num(value.numerator, value.denominator)
    return Num(int(text))


def _word_at(text: str, column: int) -> tuple[str, str]:
    """The program word (ASCII letters, digits, _ and .) around the 1-based ``column`` of ``text``, and how it is
    bound: ``Softmax(x)`` where it is called, ``self.weights[k]`` where it is indexed."""

    def in_word(ch: str) -> bool:
        return ch.isascii() and (ch.isalnum() or ch in "_.")

    start = end = column - 1
    if not 0 <= start < len(text):
        return "", ""
    while start > 0 and in_word(text[start - 1]):
        start -= 1
    while end < len(text) and in_word(text[end]):
        end += 1
    word = text[start:end].strip(".")
    after = text[end : end + 1]
    closing = text.find("]", end)
    if after == "(":
        return word, f"{word}(x)"
    if after == "[" and 0 < closing - end < 20:
        return word, word + text[end : closing + 1]
    return word, word


def parse_answer(text: str, letters: dict[str, str] | None = None, bindings=None) -> Equation:
    """The :class:`Equation` an answer's text states; raises :class:`AnswerError` with the column.

    ``letters`` maps a notation's own letters to the reader's (:func:`~symbackprop.check.lexicon.lexicon`);
    ``bindings`` a program's names to formulas (:class:`~symbackprop.check.tokens.Binding`).
    """
    if not text.strip():
        raise _error(text, "empty answer; write a formula such as delta^L = grad_a C (.) f'(z^L)", 1)
    return _Parser(text, letters, bindings).equation()


def parse_tokens(tokens: list[Token], text: str, letters: dict[str, str] | None = None) -> object:
    """One expression from tokens already made (a program's statement with its names expanded)."""
    parser = _Parser(text, letters, tokens=[*tokens, Token("END", "", len(text) + 1)])
    node = parser.expr()
    if parser.peek().kind != "END":
        token = parser.peek()
        raise parser.error(f"unexpected {parser.describe(token)}; expected an operator or the end", token)
    return node
