"""Reading a person's answer: LaTeX (as the three source texts write it) or ASCII, to a small tree.

The reading stage of ``symbackprop check``, gathered here: a whitelist tokenizer
(:mod:`~symbackprop.check.tokens`) and a recursive-descent parser (:mod:`~symbackprop.check.parse`,
with :mod:`~symbackprop.check.names`) build an :class:`Equation` of the plain dataclass nodes of
:mod:`~symbackprop.check.tree`;
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

from symbackprop.check.answers import FILE_FORMAT, AnswerFileError, Submission, read_answers
from symbackprop.check.parse import parse_answer
from symbackprop.check.show import show
from symbackprop.check.tokens import tokenize
from symbackprop.check.tree import AnswerError, Equation

__all__ = [
    "FILE_FORMAT",
    "AnswerError",
    "AnswerFileError",
    "Equation",
    "Submission",
    "parse_answer",
    "read_answers",
    "show",
    "tokenize",
]
