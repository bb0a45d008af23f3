"""The one spelling table: every letter and operator symbackprop writes, in ASCII, Unicode and LaTeX.

Notations build their symbols from these entries (:mod:`symbackprop.notation.catalogue`); the printers
and the reader of people's formulas look spellings up here, so no module keeps a table of its own.
"""

from __future__ import annotations

from symbackprop.notation.model import Spelling


def latin(letter: str) -> Spelling:
    """A Latin letter, the same in every script: ``W``, ``z``."""
    return Spelling(letter, letter, letter)


#: Greek letters and the mathematical signs symbackprop writes, by their ASCII name.
SIGNS: dict[str, Spelling] = {
    "alpha": Spelling("alpha", "α", r"\alpha"),
    "delta": Spelling("delta", "δ", r"\delta"),
    "eta": Spelling("eta", "η", r"\eta"),
    "lambda": Spelling("lambda", "λ", r"\lambda"),
    "sigma": Spelling("sigma", "σ", r"\sigma"),
    "phi": Spelling("phi", "φ", r"\varphi"),
    "theta": Spelling("Theta", "Θ", r"\Theta"),
    "Delta": Spelling("Delta", "Δ", r"\Delta"),
    "Omega": Spelling("Omega", "Ω", r"\Omega"),
    "nabla": Spelling("grad", "∇", r"\nabla"),
    "partial": Spelling("d", "∂", r"\partial"),
    "sum": Spelling("sum", "Σ", r"\sum"),
    "prime": Spelling("'", "′", r"\prime"),
    "hadamard": Spelling("(.)", "⊙", r"\odot"),
    "bullet": Spelling("*", "•", r"\bullet"),
    "circ": Spelling("o", "∘", r"\circ"),
    "epsilon": Spelling("epsilon", "ε", r"\epsilon"),
    "minus": Spelling("-", "−", "-"),
    "squared": Spelling("^2", "²", "^2"),
    "in": Spelling("in", "∈", r"\in"),
    "reals": Spelling("R", "ℝ", r"\mathbb{R}"),
    "transpose": Spelling("^T", "ᵀ", "^T"),
    "times": Spelling("x", "×", r"\times"),  # n_2 × 1: a shape in the words of a verdict
    "to": Spelling("->", "→", r"\to"),
    "norm": Spelling("||", "‖", r"\|"),
    "neq": Spelling("!=", "≠", r"\neq"),
    "ellipsis": Spelling("...", "…", r"\ldots"),
    "section": Spelling("section", "§", r"\S{}"),
    "en_dash": Spelling("-", "–", "--"),
    "em_dash": Spelling("--", "—", "---"),
}


def unicode_to_latex_text() -> dict[str, str]:
    """Each Unicode sign as LaTeX for running text (math signs wrapped in ``$…$``)."""
    text_only = {"minus", "prime", "section", "en_dash", "em_dash"}
    table = {}
    for name, spelling in SIGNS.items():
        if spelling.unicode == spelling.ascii:
            continue
        if name in text_only:
            table[spelling.unicode] = {"minus": "-", "prime": "'"}.get(name, spelling.latex)
        elif name == "squared":
            table[spelling.unicode] = r"$^2$"
        elif name == "sum":  # in prose Σ is the letter, not the summation operator
            table[spelling.unicode] = r"$\Sigma$"
        else:
            table[spelling.unicode] = f"${spelling.latex}$"
    return table


def unicode_to_latex_math() -> dict[str, str]:
    """Each Unicode sign as LaTeX inside mathematics (a command followed by a space)."""
    table = {}
    for name, spelling in SIGNS.items():
        if spelling.unicode == spelling.ascii:
            continue
        if name in ("minus", "squared"):
            table[spelling.unicode] = spelling.latex
        elif name == "prime":
            table[spelling.unicode] = "'"
        else:
            table[spelling.unicode] = spelling.latex + " "
    return table


def by_ascii() -> dict[str, Spelling]:
    """The Greek letters by the ASCII name a person types (``delta``, ``lambda``, ``eta``, ``sigma``, ``phi``)."""
    return {s.ascii: s for name, s in SIGNS.items() if name in ("alpha", "delta", "eta", "lambda", "sigma", "phi")}
