"""The reader's rules for what names a quantity: activation functions, layer numbers, quantities and their
subscripts and superscripts."""

from __future__ import annotations

from dataclasses import replace

from symbackprop.check.tokens import Token
from symbackprop.check.tree import Activation, AnswerError, Layer, Var

# -- the parser ------------------------------------------------------------------------------------

QUANTITY_NAMES = {"W", "w", "b", "z", "a", "delta", "x", "y", "Z", "A", "X", "Y", "Delta", "D"}
#: The accumulators of the weight gradient over the examples: Ng's Δ^{(l)} (his D^{(l)} = (1/m) Δ^{(l)} + … is the
#: gradient), UFLDL's ΔW^{(l)} and Δb^{(l)}. Each is Σ over the examples of ∂C_x/∂W^{(l)} (∂C_x/∂b^{(l)}).
ACCUMULATORS = {"Delta": "W", "DeltaW": "W", "Deltab": "b"}
#: deeplearning.ai's batch matrices (one example per column): Z^{[l]}, A^{[l]}, X, Y, dZ^{[l]}, dA^{[L]}.
BATCH_NAMES = {"Z", "A", "X", "Y", "dZ", "dA"}
#: The letters after deeplearning.ai's d (dZ, dW, db, dA; dz, dw, da for one example): the derivative of the cost.
D_BASES = {"Z", "W", "b", "A", "z", "w", "a", "X", "x"}
#: Letters whose layer may be written as digits right after them (code's A1, W2, dZ2) or in brackets (dZ[l]).
_CODE_LAYERED = {"Z", "A", "W"}
_BRACKET_LAYERED = {"w", "b", "z", "a"}
ACTIVATION_NAMES = {"f", "sigma", "phi", "g", "h"}
COST_NAMES = {"C", "J", "E"}
INDEX_LETTERS = set("ijkpqrstuvmn")


#: The letters of a layer in a subscript (w_l, a_{L-1}): the general layer and the output layer, never an index;
#: and what the note says of each.
_LAYER_LETTERS = ("L", "l")
_SUBSCRIPT_READINGS = {
    "L": "a subscript L as the layer, a_{L-1} as a^{(L-1)}",
    "l": "a subscript l as the layer, w_l as w^l",
}


class Names:
    """The parser's rules for what names a quantity: activation functions, layer numbers, quantities and their
    scripts (mixed into :class:`_Parser`, which supplies the token cursor)."""

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
            elif self.primed_group():  # LaTeX's \sigma^{\prime}, f^{2\prime}, f^{(l)\prime}
                opener = self.advance()
                if not self.at("'"):
                    layer = self.layer() if self.at("(") else self.layer_body()  # (l), or L-1
                self.expect("'", " (the prime of the activation's derivative)")
                self.expect(")", f" to close the superscript opened at column {opener.column}")
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
        following = self.peek()
        if layer is None and following.kind == "NUM" and following.text.isdigit() and self.at_adjacent(following):
            layer = Layer(None, int(self.advance().text))  # code's g'1(Z1)
        elif layer is None and self.at("(") and following.raw == "[":
            layer = self.layer()  # g'[l](Z[l])
            if self.at("'"):
                self.advance()
                prime = True
        if not self.at("(") and layer is not None:  # the notes' (f^l)' ∘ v: f' at z^l, elementwise
            return Activation(token.text, None, prime, layer, token.column)
        if not self.at("("):
            raise self.error(f"expected the argument of {token.text}, as in {token.text}'(z^l)", self.peek())
        return self.activation_call(token, layer, prime)

    def d_name(self) -> Var:
        """deeplearning.ai's dZ^{[l]}, dW2, db[l], dA^{[L]}: the derivative of the cost by that quantity."""
        d = self.advance()
        var = self.quantity(code_layer=True)
        return Var("d" + var.base, var.layer, var.indices, var.example, d.column)

    def primed_group(self) -> bool:
        r"""Whether a TeX group {…} opens here whose last token is a prime: {\prime}, {2\prime}, {(l)\prime}."""
        if not (self.at("(") and self.peek().raw == "{"):
            return False
        depth = 0
        for n in range(self.pos, len(self.tokens)):
            token = self.tokens[n]
            depth += (token.text == "(") - (token.text == ")")
            if depth == 0:
                return self.tokens[n - 1].text == "'"
        return False

    def activation_call(self, token: Token, layer: Layer | None, prime: bool) -> Activation:
        return Activation(token.text, self.call_argument(token, braced=True), prime, layer, token.column)

    def at_adjacent(self, token: Token) -> bool:
        """Whether ``token`` follows the previous token with no space between them."""
        before = self.tokens[self.pos - 1]
        return token.column == before.column + max(len(before.raw or before.text), 1)

    def layer(self) -> Layer:
        """A layer number: l, l+1, L-1, 2, {l+1}, UFLDL's (l), {(n_l)}, {(\\ell+1)}, deeplearning.ai's [l]."""
        if self.at("(") and self.peek().raw != "(":  # a TeX group {…} or a bracket […]
            opener = self.advance()
            nested = self.at("(") and self.peek().raw in ("(", "[")
            inner = self.layer() if nested else self.layer_body()
            self.expect(")", f" to close the layer number opened at column {opener.column}")
            return inner
        if self.at("("):  # UFLDL's (l)
            opener = self.advance()
            inner = self.layer_body()
            self.expect(")", f" to close the layer number opened at column {opener.column}")
            return replace(inner, parenthesised=True)
        return self.layer_atom(self.advance())

    def layer_then_transpose(self) -> Layer:
        """A superscript layer, also where the transpose shares its group: A^{[l-1]T}, h^{(k-1)\\top}
        (the transpose is left in ``self.transposed`` for the caller to apply)."""
        if not (self.at("(") and self.peek().raw == "{" and self.peek(1).text == "("):
            return self.layer()
        save = self.pos
        opener = self.advance()
        inner = self.layer()
        if not self.at("T"):
            self.pos = save
            return self.layer()
        self.advance()
        self.expect(")", f" to close the superscript opened at column {opener.column}")
        self.transposed = True
        return inner

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
        return replace(layer, offset=offset)

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
            return Layer("L", spelled="n_l")
        raise self.error(
            f"expected a layer number (l, l+1, L, a number, (l), (n_l)), found {self.describe(token)}", token
        )

    def quantity(self, subscripts: bool = True, code_layer: bool = False) -> Var:
        """A quantity and its scripts; ``code_layer``: its layer may follow as digits or in brackets (dZ2, dZ[l])."""
        token = self.advance()
        if token.kind != "NAME" or token.text not in QUANTITY_NAMES:
            raise self.error(f"expected a quantity (W w b z a delta x y), found {self.describe(token)}", token)
        base = token.text
        layer: Layer | None = None
        indices: tuple = ()
        example = None
        if code_layer or base in _CODE_LAYERED:
            following = self.peek()
            if following.kind == "NUM" and following.column == token.column + 1 and following.text.isdigit():
                layer = Layer(None, int(self.advance().text))
            elif following.kind == "NAME" and following.text == "L" and following.column == token.column + 1:
                self.advance()
                layer = Layer("L")  # the code's AL, dAL
            elif self.at("(") and following.raw == "[":
                layer = self.layer()
        elif base in _BRACKET_LAYERED and self.at("(") and self.peek().raw == "[":  # code's w[l], b[l]
            layer = self.layer()
        while True:
            if self.at("^") and layer is None and example is None and not self._transpose_ahead():
                self.advance()
                if base in ("x", "y"):
                    example = self.example_superscript()
                    continue
                if self.at("(") and self.peek().raw == "{" and self.peek(1).text == "x" and self.peek(2).text == ",":
                    self.advance(), self.advance(), self.advance()  # Nielsen's δ^{x,l}: the example x, then the layer
                    example, layer = "x", self.layer_body()
                    self.expect(")", " to close the superscript {x, layer}")
                    continue
                layer = self.layer_then_transpose()
                continue
            if self.at("_") and layer is None and not indices and self._layer_subscript():
                self.advance()  # a_{L-1}, w_L: the output layer's letter L is never a unit's index
                layer = replace(self.layer(), subscripted=True)
                self.readings.append(_SUBSCRIPT_READINGS[layer.var])  # said once, whichever quantity
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
        elif layer is None and base not in ("x", "y") and self.at("(") and self.peek().raw == "(":
            layer = self.layer_in_parentheses()  # notes typed in ASCII: delta(l+1), a(L), Delta(l)
            if layer is not None and self.at("_") and not indices:
                self.advance()
                indices = self.subscript(base)
        if token.raw == "y" and base == "a" and layer is None:
            layer = Layer("L")  # Bishop's y_k: the output layer's activation, whatever its unit's letter
        return Var(base, layer, indices, example, token.column)

    def layer_in_parentheses(self) -> Layer | None:
        """``(l+1)`` after a quantity, as ASCII notes write the layer (delta(l+1) for δ^{(l+1)}); None, and nothing
        read, where the parentheses hold something else (a product, an argument)."""
        save = self.pos
        try:
            self.advance()
            layer = self.layer_body()
            self.expect(")")
        except AnswerError:
            self.pos = save
            return None
        return replace(layer, parenthesised=True)

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
        return example_from([t for t in tokens if t.text not in ("^", "_")])

    def _layer_subscript(self) -> bool:
        """Whether the subscript after ``_`` is a layer written with L or l: _L, _{L-1}, _l, _{l+1} (w_l, δ_{l+1}):
        neither letter is ever a unit's index."""
        following = self.peek(1)
        if following.kind == "NAME" and following.text in _LAYER_LETTERS:
            return True
        if not (following.text == "(" and following.raw == "{" and self.peek(2).text in _LAYER_LETTERS):
            return False
        after = self.peek(3)
        return after.text == ")" or after.text in ("+", "-") and self.peek(4).kind == "NUM" and self.peek(5).text == ")"

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


def example_from(tokens: list[Token]) -> str | None:
    for t in tokens:
        if t.kind in ("NAME", "NUM") and t.text not in ("(", ")"):
            return t.text
    return None
