"""Exercises with solutions, in the reader's notation, and the file of answers ``symbackprop check`` grades.

Two of them are slips to find: BP1 with f' taken at the layer before, and BP4 with its transpose dropped. Each
is made from the notation's own closed-form recipe by one structural change (a symbol replaced, a transpose
removed), never by editing text, and graded by :func:`symbackprop.check.grade.grade`, whose verdict and mistake
in words are the solution; the correct forms of the summary are in the same file, so that grading it shows both.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symbackprop.check.grade import grade
from symbackprop.network.indexed import relative_label
from symbackprop.notation import symbols
from symbackprop.notation.model import Notation
from symbackprop.printing.latex import latex
from symbackprop.spec.model import Spec
from symbackprop.teach import proof
from symbackprop.teach.matrix_forms import MatrixView
from symbackprop.teach.steps import Context
from symbackprop.verification import Report


@dataclass(frozen=True)
class Answer:
    """A formula as a student hands it in, the equation it answers, and check's verdict on it."""

    ident: str
    equation: str
    text: str  # LaTeX
    slip: str  # what was changed to make it wrong, in words (LaTeX text)
    status: str  # correct | wrong | error | undecided: what check said
    mistake: str = ""  # check's mistake in words, for a wrong one (typeset)


@dataclass(frozen=True)
class Exercise:
    question: str  # LaTeX text
    solution: str  # LaTeX text
    answer: Answer | None = None  # a slip to find, graded by check


def slips(spec: Spec, nt: Notation, report: Report) -> list[Answer]:
    """BP1 with f' at the layer before the output, BP4 with its transpose dropped: each graded by check."""
    sliced = proof.general_spec(spec)
    out = nt.output_layer.get("ascii")
    output = Context(sliced, nt.name, report, general=(nt.layer(2), out))
    view = MatrixView(output)
    bp1 = output.forms.bp1(view).e
    before = relative_label(nt.layer(1), nt.layer(2), out)
    wrong_layer = {
        s: sp.MatrixSymbol(symbols.quantity(nt, "fprime", before), *s.shape)
        for s in bp1.atoms(sp.MatrixSymbol)
        if isinstance(s.args[0], symbols.NetworkSymbol) and s.args[0].quantity == "fprime"
    }
    first = f"{latex(output.net.deltas[2])} = {latex(bp1.xreplace(wrong_layer))}"
    z = nt.spell("weighted_input", "latex")
    first_slip = (
        f"the derivative of the activation is taken at the layer before the output, ${z}^{{{nt.label(before)}}}$, "
        f"instead of at the output layer's own weighted input ${z}^{{{nt.label(out)}}}$ (the shapes differ too)"
    )
    weights = Context(sliced, nt.name, report, general=(nt.weight_layer(1), nt.layer_letter))
    view = MatrixView(weights)
    bp4 = weights.forms.bp4(view, nt.weight_layer(1)).e
    dropped = bp4.replace(lambda e: isinstance(e, sp.Transpose), lambda e: e.arg)
    gradient = f"\\frac{{\\partial {weights.Cx}}}{{\\partial {latex(weights.net.weights[1])}}}"
    second = f"{gradient} = {latex(dropped)}"
    transposed = [latex(e) for e in sp.preorder_traversal(bp4) if isinstance(e, sp.Transpose)]
    second_slip = (
        f"the transpose is missing: ${transposed[0]}$ is written without it, so the product of two vectors is "
        "not defined (the outer product needs one column and one row)"
    )
    answers = []
    for ident, equation, text, slip in (
        ("slip-bp1", "BP1", first, first_slip),
        ("slip-bp4", "BP4", second, second_slip),
    ):
        verdict = grade(spec, text, equation=equation, notation=nt.name, ident=ident)
        answers.append(Answer(ident, equation, text, slip, verdict.status, verdict.mistake_latex))
    return answers


def exercises(spec: Spec, nt: Notation, report: Report, summary, elsewhere, worked) -> list[Exercise]:
    """The exercises of the handout, each with its solution."""
    other = next((e for e in elsewhere if e.notation == ("ufldl" if nt.name != "ufldl" else "nielsen")), None)
    items = [
        Exercise(
            "Prove BP3 for a general layer without looking at Section~\\ref{sec:proofs}: write the chain rule "
            "through the weighted inputs of the layer and say which terms vanish.",
            "The proof of BP3 in Section~\\ref{sec:proofs}: the bias enters only its own neuron's weighted "
            "input, with coefficient 1, so one term of the chain rule survives and it is that neuron's error.",
        )
    ]
    if other is not None:
        items.append(
            Exercise(
                f"Write BP2 as the text \\emph{{{other.title}}} writes it, and say what changed.",
                f"${other.equations[1]}$. The letters and the numbering of the layers change; the mathematics "
                "does not.",
            )
        )
    errors = {line.name: line.value for line in worked.errors}
    output_error = next(iter(errors))
    items.append(
        Exercise(
            f"With the numbers of Section~\\ref{{sec:example}}, compute ${output_error}$ by hand from the "
            "output activations, the target and BP1.",
            f"${output_error} = {errors[output_error]}$ (BP1, as in Section~\\ref{{sec:example}}).",
        )
    )
    for answer in slips(spec, nt, report):
        graded = ""
        if answer.status == "wrong":
            graded = " \\texttt{symbackprop check} grades it wrong" + (
                f": {answer.mistake}." if answer.mistake else "."
            )
        items.append(
            Exercise(
                f"A student writes ${answer.text}$ for {answer.equation}. Find the slip.",
                f"In ${answer.text}$ {answer.slip}.{graded}",
                answer,
            )
        )
    return items


def graded(items: list[Exercise]) -> bool:
    """Whether check grades every slip of the exercises wrong (what the document then says)."""
    answers = [e.answer for e in items if e.answer is not None]
    return bool(answers) and all(a.status == "wrong" for a in answers)


def answers_file(spec: Spec, nt: Notation, summary, items: list[Exercise]) -> str:
    """The exercises' answers as a file ``symbackprop check --answers`` grades: the summary's forms (each
    right, ``ok-``) and the slips (``bad-``)."""
    lines = [
        f"# The answers of the exercises of the handout for {spec.name} ({nt.name} notation).",
        "# The prefix of each ID is the expected verdict: ok- (right), bad- (wrong).",
    ]
    for s in summary:
        lines.append(f"ok-{s.equation.lower()} ({s.equation}, {nt.name}): {s.matrix}")
    for e in items:
        if e.answer is not None:
            lines.append(f"bad-{e.answer.ident} ({e.answer.equation}, {nt.name}): {e.answer.text}")
    return "\n".join(lines) + "\n"
