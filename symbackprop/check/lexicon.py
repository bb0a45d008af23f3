"""The letters an answer is written in: a notation's own letters, read as the reader's quantities.

The reader's tree names quantities by their meaning (z the weighted input, a the activation, δ the error,
y the target, x the input, l the general layer). A text with other letters (Bishop's a for the weighted
input and z for the activation, t for the target; Goodfellow's a, h and g, and k for the layer) is read
through its catalogue entry: :func:`lexicon` maps its letters to the reader's, all at once, before parsing
(Ng's Θ is the weights only in his notation).
deeplearning.ai's capitals (Z, A, X, Y: a column per example) are the reader's own and stay.
"""

from __future__ import annotations

from symbackprop.check.names import BATCH_NAMES
from symbackprop.check.tokens import Token
from symbackprop.notation.model import Notation

#: The catalogue's quantities and the reader's letter for each.
READER_LETTERS = {
    "weight": "W",
    "weighted_input": "z",
    "activation": "a",
    "error": "delta",
    "target": "y",
    "input": "x",
    "learning_rate": "eta",
}
#: The key of :func:`text_letters` for the layer letter (Goodfellow's k for the reader's l).
LAYER = "(layer)"
#: The key of :func:`text_letters` for a text's letter of the network's output, a^L (Bishop's y_k).
OUTPUT = "(output)"
#: The keys of :func:`text_letters` for a text's typeset sign of the elementwise product (the notes' ∘, UFLDL's •),
#: as text and as LaTeX.
PRODUCT, PRODUCT_TEX = "(product)", "(product tex)"
#: Catalogue letters longer than one character that the tokenizer reads as one name (\\Theta, Θ, \\epsilon).
_SPELLED_OUT = frozenset({"Theta", "epsilon", "delta", "eta"})


def lexicon(nt: Notation) -> dict[str, str]:
    """The notation's letters that differ from the reader's, each mapped to the reader's letter."""
    table: dict[str, str] = {}
    for quantity, reader in READER_LETTERS.items():
        letter = nt.spell(quantity)
        if letter in ("W", "w") and quantity == "weight":
            continue  # both are the reader's weights (Nielsen's w, the notes' W)
        if letter != reader and (len(letter) == 1 or letter in _SPELLED_OUT) and letter not in BATCH_NAMES:
            table[letter] = reader
    if nt.layer_letter != "l":
        table[nt.layer_letter] = "l"  # Goodfellow's h^{(k)}
    if table.get("t") == "y" and "y" not in table:
        table["y"] = "a"  # Bishop's y_k is the network's output, t_k the target
    return table


def text_letters(nt: Notation) -> dict[str, str]:
    """The way back: each reader's letter that the notation spells otherwise, mapped to the notation's letter
    (Bishop's z → a, a → z, y → t), so the words about an answer use the letters it was written in."""
    back: dict[str, str] = {}
    for quantity, reader in READER_LETTERS.items():
        letter = nt.spell(quantity)
        if quantity == "weight" and letter in ("W", "w"):
            continue
        if letter != reader and (len(letter) == 1 or letter in _SPELLED_OUT) and letter not in BATCH_NAMES:
            back[reader] = letter
    if nt.layer_letter != "l":
        back[LAYER] = nt.layer_letter
    if nt.spell("width") != "s":
        back["s"] = nt.spell("width")  # the reader's s_l is every text's width, Nielsen's n_l
    if back.get("y") == "t":
        back[OUTPUT] = "y"  # Bishop's y_k is the output, a^L: shown as he writes it
    sign = nt.hadamard
    if sign.unicode != "⊙" and not sign.unicode.isascii():  # a typeset sign; an ASCII * or .* would hide the reading
        back[PRODUCT], back[PRODUCT_TEX] = sign.unicode, sign.latex
    return back


def translate(tokens: list[Token], table: dict[str, str]) -> list[Token]:
    """The tokens with every name in ``table`` replaced by the reader's (simultaneously: Bishop's a↔z); ŷ, read
    as the reader's output a^L already, stays (Goodfellow's a is the weighted input, his ŷ the output)."""
    if not table:
        return tokens
    return [Token(t.kind, table[t.text], t.column, t.raw or t.text)
            if t.kind == "NAME" and t.text in table and t.raw != "ŷ" else t
            for t in tokens]  # fmt: skip
