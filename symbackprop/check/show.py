"""Printing a read answer back, as text or LaTeX: what the report says the answer was read as."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from symbackprop.check.lexicon import LAYER, OUTPUT, PRODUCT, PRODUCT_TEX
from symbackprop.check.names import ACCUMULATORS
from symbackprop.check.tree import (
    Activation,
    BinOp,
    Compare,
    Cost,
    Elided,
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
    Var,
)
from symbackprop.notation.spelling import SIGNS, by_ascii

# -- printing the tree back: the answer as it was read ------------------------------------------------

#: The Greek letters an answer names in ASCII, as LaTeX and as Unicode (from the one spelling table).
_TEX_NAMES = {name: spelling.latex for name, spelling in by_ascii().items()}
_TEXT_NAMES = {name: spelling.unicode for name, spelling in by_ascii().items()}
#: Ng's Δ^{(l)}, UFLDL's ΔW^{(l)} and Δb^{(l)}: Δ and the letter it accumulates (names.ACCUMULATORS)
for _base in ACCUMULATORS:
    _TEX_NAMES[_base] = SIGNS["Delta"].latex + (" " + _base[5:] if _base[5:] else "")
    _TEXT_NAMES[_base] = SIGNS["Delta"].unicode + _base[5:]
_PRECEDENCE = {"+": 1, "-": 1, "dot": 2, "hadamard": 2, "star": 2, "/": 2}
_PRODUCTS = frozenset({"dot", "hadamard", "star"})


def _layer_script(layer: Layer | None, tex: bool, letters: dict[str, str] | None = None) -> str:
    if layer is None:
        return ""
    if layer.var == "l" and not layer.spelled and letters and LAYER in letters:
        layer = replace(layer, spelled=letters[LAYER])  # Goodfellow's k
    text = layer.text()
    return f"^{{{text}}}" if tex else (f"^{text}" if len(text) == 1 else f"^{{{text}}}")


def _indices(indices: tuple) -> str:
    if not indices:
        return ""
    body = ("" if all(len(str(i)) == 1 for i in indices) else ",").join(str(i) for i in indices)
    return f"_{{{body}}}" if len(body) > 1 else f"_{body}"


def show(node, tex: bool = False, letters: dict[str, str] | None = None) -> str:
    """The node as text (``tex=False``: the report's Unicode) or LaTeX; ``letters`` maps the reader's letters
    to the text's own (:func:`~symbackprop.check.lexicon.text_letters`: Bishop's a for our z), so an answer is
    shown back in the letters it was written in."""
    letters = letters or {}
    names = _TEX_NAMES if tex else _TEXT_NAMES

    def wrap(child, parent_precedence: int, parent_op: str = "") -> str:
        text = show(child, tex, letters)
        if isinstance(child, BinOp) and _PRECEDENCE[child.op] < parent_precedence:
            return (r"\left(" + text + r"\right)") if tex else f"({text})"
        mixed = {child.op, parent_op} <= _PRODUCTS and child.op != parent_op if isinstance(child, BinOp) else False
        if mixed:  # A ⊙ (B C), (A ⊙ B) C: products of two kinds, bracketed as they were read
            return (r"\left(" + text + r"\right)") if tex else f"({text})"
        if isinstance(child, (Neg, Sum)) and parent_precedence > 1:
            return (r"\left(" + text + r"\right)") if tex else f"({text})"
        return text

    if isinstance(node, Num):
        return str(node.numerator) if node.denominator == 1 else f"{node.numerator}/{node.denominator}"
    if isinstance(node, Var):
        base = letters.get(node.base, node.base)
        name = names.get(base, base)
        if node.base == "s":  # a layer's width: the reader's s, the text's own letter (n_L, UFLDL's s_l)
            return f"{letters.get('s', 's')}_{{{node.layer.text() if node.layer else ''}}}"
        if node.base == "a" and node.layer == Layer("L") and OUTPUT in letters and node.example is None:
            return letters[OUTPUT] + _indices(node.indices)  # Bishop's y_k, not his z^L_k
        if node.example is None:
            return name + _layer_script(node.layer, tex, letters) + _indices(node.indices)
        if node.base in ("x", "y"):
            return name + f"^{{({node.example})}}" + _indices(node.indices)
        if node.example == "x" and node.layer is not None:  # Nielsen's δ^{x,l}
            layer = _layer_script(node.layer, tex, letters)[1:]
            layer = layer[1:-1] if layer.startswith("{") else layer
            return name + f"^{{x,{layer}}}" + _indices(node.indices)
        return name + _layer_script(node.layer, tex, letters) + _indices(node.indices) + f"(x^{{({node.example})}})"
    if isinstance(node, Text):
        return node.tex if tex else node.text
    if isinstance(node, Penalty):
        return r"\Omega(\theta)" if tex else "Ω(θ)"
    if isinstance(node, Cost) and node.unregularised:
        return f"{node.name}_0"
    if isinstance(node, Cost):
        if node.example and str(node.example).isalpha():
            sub = f"_{node.example}"  # Bishop's E_n: the example's letter
        else:
            sub = f"_{{x_{node.example}}}" if node.example else ("_x" if node.per_example else "")
        return node.name + sub
    if isinstance(node, Partial):
        d = r"\partial " if tex else "∂"
        num, wrt = show(node.num, tex, letters), show(node.wrt, tex, letters)
        if not isinstance(node.num, (Var, Cost, Penalty)):  # the operator applied to an expression
            return rf"\frac{{\partial}}{{{d}{wrt}}}\left({num}\right)" if tex else f"∂/∂{wrt} ({num})"
        return rf"\frac{{{d}{num}}}{{{d}{wrt}}}" if tex else f"{d}{num}/{d}{wrt}"
    if isinstance(node, Activation):
        name = names.get(node.name, node.name)
        if node.layer is not None:
            name = (
                f"{name}{_layer_script(node.layer, tex, letters)}"
                if not node.prime
                else f"({name}{_layer_script(node.layer, tex, letters)})"
            )
        name += "'" if node.prime else ""
        if node.arg is None:
            return name
        arg = show(node.arg, tex, letters)
        return rf"{name}\left({arg}\right)" if tex else f"{name}({arg})"
    if isinstance(node, Function):
        arg = show(node.arg, tex, letters)
        return rf"\{node.name}\left({arg}\right)" if tex else f"{node.name}({arg})"
    if isinstance(node, Sum):
        lower = f"={show(node.lower, tex, letters)}" if node.lower is not None else ""
        upper = f"^{{{show(node.upper, tex, letters)}}}" if node.upper is not None else ""
        head = (r"\sum" if tex else "Σ") + f"_{{{node.index}{lower}}}{upper}"
        return f"{head} {wrap(node.body, 2)}"
    if isinstance(node, BinOp):
        p = _PRECEDENCE[node.op]
        if node.op == "/" and tex:
            return rf"\frac{{{show(node.left, tex, letters)}}}{{{show(node.right, tex, letters)}}}"
        symbol = {
            "+": " + ",
            "-": " - ",
            "dot": " " if tex else " ",
            "hadamard": f" {_product(letters, tex)} ",
            "star": r" \ast " if tex else " * ",
            "/": "/",
        }[node.op]
        right = wrap(node.right, p + (1 if node.op in ("-", "/") else 0), node.op)
        return wrap(node.left, p, node.op) + symbol + right
    if isinstance(node, Elided):
        symbol = {"dot": " ", "hadamard": f" {_product(letters, tex)} "}[node.op]
        dots = r"\cdots" if tex else "⋯"
        terms = [wrap(t, 3) for t in node.before] + [dots] + [wrap(t, 3) for t in node.after]
        return symbol.join(terms)
    if isinstance(node, Compare):
        op = {"<=": r" \le ", ">=": r" \ge "}.get(node.op, f" {node.op} ") if tex else f" {node.op} "
        return f"[{show(node.left, tex, letters)}{op}{show(node.right, tex, letters)}]"  # Iverson's bracket
    if isinstance(node, Neg):
        return "-" + wrap(node.operand, 2)
    if isinstance(node, Power):
        base = wrap(node.base, 3)
        if isinstance(node.base, Var) and (node.base.layer is not None or node.base.example is not None):
            base = "{" + base + "}"  # {W^{(1)}_{ji}}^{2}: one superscript per base in TeX
        return base + "^{" + show(node.exponent, tex, letters) + "}"
    if isinstance(node, Transpose):
        inner = show(node.operand, tex, letters)
        inner = (
            inner
            if isinstance(node.operand, Var) and node.operand.layer is None
            else (r"\left(" + inner + r"\right)" if tex else f"({inner})")
        )
        return inner + ("^{T}" if tex else "ᵀ")
    if isinstance(node, Ones):  # NumPy's np.ones((m, 1)), typeset as the vector of ones
        rows, cols = show(node.rows, tex, letters), show(node.cols, tex, letters)
        return rf"\mathbf{{1}}_{{{rows} \times {cols}}}" if tex else f"1_({rows}×{cols})"
    if isinstance(node, Kronecker):
        return (r"\delta" if tex else "δ") + _indices((node.first, node.second))
    if isinstance(node, Norm):
        inner = show(node.operand, tex, letters)
        return rf"\left\|{inner}\right\|" if tex else f"‖{inner}‖"
    raise TypeError(f"cannot show {type(node).__name__}")


def _product(letters: dict[str, str], tex: bool) -> str:
    """The elementwise product's sign as the text writes it where it typesets one (the notes' ∘), else ⊙."""
    return letters.get(PRODUCT_TEX, r"\odot") if tex else letters.get(PRODUCT, "⊙")


@dataclass(frozen=True)
class Text:
    """A part of a verdict's words that is no node of the answer, as text and as LaTeX (a shape: n_2 × 1)."""

    text: str
    tex: str


@dataclass(frozen=True)
class Words:
    """A mistake in a teacher's words with parts of the answer in it: ``template`` has ``{0}``, ``{1}``… where
    ``nodes`` go, shown as the report's text (σ'(z^{L-1})) or typeset (:meth:`latex`)."""

    template: str
    nodes: tuple = ()

    def text(self, letters: dict[str, str] | None = None) -> str:
        return self.template.format(*(show(node, letters=letters) for node in self.nodes))

    def latex(self, letters: dict[str, str] | None = None) -> str:
        from symbackprop.printing.latex import escaped_text

        parts = re.split(r"(\{\d+\})", self.template)
        return "".join(
            f"${show(self.nodes[int(part[1:-1])], tex=True, letters=letters)}$"
            if re.fullmatch(r"\{\d+\}", part)
            else escaped_text(part)
            for part in parts
        )
