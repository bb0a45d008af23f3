"""Grading a person's answer: the verdict on a formula read by :mod:`symbackprop.check.read`.

The grading stage of ``symbackprop check``. An answer's left-hand side (or
the equation it is filed under) names a quantity (δ^l, ∂C/∂W^l, ∂C/∂b^l,
∇_x C, ∇_a C of the output or of a hidden layer (deeplearning.ai's dA^{[l]}), the updated W^l or b^l); its
right-hand side is evaluated in a
notation's symbolic network and compared with that quantity as
:mod:`symbackprop.derivation.layered` derives it by ``sympy.diff``:

1. ``exact`` — at the spec's widths, every elementwise layer an abstract
   f^l: the difference expands to 0 for every entry and every layer l the
   answer speaks of, a proof for every elementwise activation. Batch answers
   (a sum over the m examples, 1/m, λW) are checked with m = 2 examples.
2. ``all_widths`` — per-example answers are also evaluated on the network of
   :mod:`symbackprop.network.indexed` (symbolic widths, ``Sum`` over ``Indexed``),
   a proof for every width.
3. with the spec's own activations (σ' = a(1 − a) holds only for the
   sigmoid): exact when the difference simplifies to 0, else ``numeric``
   (random rational points) and said so.

Networks above GRADE_LIMIT parameters are compared at every width capped at
REDUCED_WIDTH (the proof says so). Beside BP1–BP4, ∇_x C, ∇_a C and the
updates W − η∂C/∂W and b − η∂C/∂b, the cost itself (C_x = ½‖a^L − y‖², UFLDL's J(W,b) with
its weight decay) can be graded.

A wrong answer gets the entry, the layer, values of every symbol at which the
two sides differ, both values and their difference, and the residual. The
notation an answer is read in is the spec's unless its writing says
otherwise (UFLDL's parenthesised layers ``^{(l)}`` or the cost J; the blog's
``a'(z)``) or the answer names it; a wrong answer that would hold in
another notation says so.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import random
import re
import signal
import time
from dataclasses import fields, is_dataclass, replace
from fractions import Fraction

import sympy as sp
from sympy.core.function import AppliedUndef

from symbackprop.check import program, tree
from symbackprop.check.backends import (
    EXAMPLES_DIM,
    UPDATES,
    ConcreteNames,
    IndexedNames,
    Unsupported,
    Value,
    delta_values,
    indexed_truth,
    network_at,
    truth_matrix,
)
from symbackprop.check.evaluate import Evaluator, Frame, as_column, dims_of, var_text, walk
from symbackprop.check.infer import (
    NAMED,
    Quantity,
    default_lhs,
    free_indices,
    internal_k,
    is_batch,
    layer_values,
    notation_of,
    quantity_of,
    readable,
)
from symbackprop.check.lexicon import lexicon, text_letters
from symbackprop.check.names import ACCUMULATORS, BATCH_NAMES
from symbackprop.check.parse import parse_answer, parse_tokens
from symbackprop.check.show import Words, show
from symbackprop.check.tokens import _error, tokenize
from symbackprop.check.verdict import FreeIndex, GradeReport, GradingError, Undescribed, Verdict, Wrong
from symbackprop.errors import SymbackpropError
from symbackprop.network import indexed
from symbackprop.network.cost import TRAINING_SET_SIZE
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import NOTATIONS
from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.spelling import SIGNS
from symbackprop.printing.latex import escaped_text, latex
from symbackprop.printing.text import text as as_text
from symbackprop.spec.functions import COSTS, Z
from symbackprop.spec.model import Spec
from symbackprop.timing import SIMPLIFY_SECONDS, OutOfTime, rational_zero, simplifies_to_zero, time_limit, within
from symbackprop.verification import sampling

#: The equations an answer can be filed under, and the quantity each is about.
EQUATIONS = {
    "BP1": "delta_output",
    "delta_output": "delta_output",
    "BP2": "delta_hidden",
    "BP3": "bias",
    "BP4": "weight",
    "input_gradient": "input",
    "cost_gradient": "cost_gradient",
    "weight_update": "update",
    "cost": "cost",
}
#: Examples in the batch when an answer averages over examples.
BATCH_EXAMPLES = 2
#: Above this many parameters the exact comparison runs on a copy of the network with every width at most
#: REDUCED_WIDTH (larger where the answer names a larger index); the all-widths proof covers every width.
GRADE_LIMIT = 1000
REDUCED_WIDTH = 3


# -- grading ---------------------------------------------------------------------------------------


def grade(
    spec: Spec,
    text: str,
    *,
    equation: str | None = None,
    notation: str | None = None,
    ident: str = "answer",
    seed: int = 0,
    seconds: float | None = tree.ANSWER_SECONDS,
    names: dict | None = None,
) -> Verdict:
    """The verdict on one answer; bad input gives a Verdict with status ``error`` and the column; an answer
    not graded within ``seconds`` (None: no limit) one with status ``undecided``, which says so.

    ``names`` binds a program's names to formulas (:func:`~symbackprop.check.program.parse_bindings`); an answer
    of several assignments is run as a program (:mod:`~symbackprop.check.program`) and its final values graded.
    """
    start = time.perf_counter()
    try:
        with time_limit(seconds):
            verdict = _verdict(spec, text, equation, notation, ident, seed, names)
            if names and verdict.status == "wrong" and not verdict.mistake:
                verdict = _forward_for_gradient(spec, text, verdict, equation, notation, ident, seed, names)
    except tree.AnswerError as error:
        verdict = Verdict(ident, text, "error", equation, reason=str(error), error_column=error.column)
    except GradingError as error:
        verdict = Verdict(ident, text, "error", equation, reason=str(error))
    except OutOfTime:
        reason = (
            f"undecided: not graded within the {seconds:g} s budget of an answer (neither proved nor refuted; "
            "a simpler equivalent form, or check --answer-seconds, may decide it)"
        )
        verdict = Verdict(ident, text, "undecided", equation, reason=reason)
    return _replace(verdict, seconds=time.perf_counter() - start)


def _verdict(spec, text, equation, notation, ident, seed, names) -> Verdict:
    """The verdict on a formula or a program (raising the reader's and the grader's errors)."""
    code = program.statements(text, names)
    if code is not None:
        return _grade_program(spec, text, code, equation, notation, ident, random.Random(seed), names or {})
    try:
        verdict = _grade(spec, text, equation, notation, ident, random.Random(seed), names)
    except tree.UnclosedBracket as error:
        verdict = _unclosed(spec, text, error, equation, notation, ident, seed, names)
    if names and verdict.status in ("correct", "wrong"):
        verdict = _with_names(verdict, names, "the names")
    return verdict


def _forward_for_gradient(spec, text, verdict, equation, notation, ident, seed, names) -> Verdict:
    """A wrong answer's mistake where a bound name stands where its d-name belongs: CS231n's dW = D.dot(X.T) for
    dD.dot(X.T), the forward value D used for its gradient dD (both bound). The verdict, with it named if so."""
    for name, binding in names.items():
        gradient = "d" + name
        if binding.params is not None or gradient not in names:
            continue
        used = re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w\[(])")
        lines = text.split("\n")
        fixed = [line[: line.index("=") + 1] + used.sub(gradient, line[line.index("=") + 1 :]) if "=" in line else line
                 for line in lines]  # fmt: skip
        if fixed == lines:
            continue
        try:
            repaired = _verdict(spec, "\n".join(fixed), equation, notation, ident, seed, names)
        except (tree.AnswerError, GradingError):
            continue
        if repaired.status == "correct":
            words = f"{name} where {gradient} belongs: the forward value used for its gradient"
            return _replace(verdict, mistake=words, mistake_latex=escaped_text(words))
    return verdict


#: At most this many readings of a bracket never closed are graded (each is a whole grade).
MAX_CLOSINGS = 8
#: Operators at which a bracket left open may have been meant to close: before each, or where its contents end.
_CLOSING_BEFORE = {"+", "-", "⊙", "*", "·", "/", ".*", "="}


def _closings(text: str, error: tree.UnclosedBracket) -> list[int]:
    """The offsets in ``text`` where a ``)`` could close the bracket opened at ``error.opened``: before each
    operator directly inside it, and where the reader found its contents to end."""
    try:
        tokens = tokenize(text)
    except tree.AnswerError:
        return []
    depth, places = 0, []
    for token in tokens:
        if token.column <= error.opened or token.column > error.stopped:
            continue
        if token.kind == "OP" and token.text == ")":
            depth -= 1
        if depth == 0 and (token.column == error.stopped or token.kind == "OP" and token.text in _CLOSING_BEFORE):
            places.append(token.column - 1 if token.kind != "END" else len(text.rstrip()))
        if token.kind == "OP" and token.text == "(":
            depth += 1
    return sorted(set(places))


def _unclosed(spec, text, error: tree.UnclosedBracket, equation, notation, ident, seed, names) -> Verdict:
    """An answer with a bracket never closed, graded where the verdict does not depend on where it closes:
    closed at each place it could close, every reading graded; one verdict when all that read agree, else the
    reader's error (with the readings where they disagree). A reading that cannot be graded (too large, a
    construct not read) leaves the answer unread, with the reader's error."""
    places = _closings(text, error)
    if len(places) > MAX_CLOSINGS:
        raise error  # too many readings to grade: the reader's error, the bracket to close
    graded, read_at = [], []
    for at in places:
        reading = text[:at].rstrip() + ")" + (" " if text[at : at + 1] not in ("", " ") else "") + text[at:]
        try:
            graded.append(_grade(spec, reading, equation, notation, ident, random.Random(seed), names))
            read_at.append(at + 1)
        except (tree.AnswerError, FreeIndex):
            continue  # closed there, it does not read (or leaves an index outside its sum)
        except GradingError:
            raise error from None
    statuses = {v.status for v in graded}
    if len(statuses) != 1 or not statuses <= {"correct", "wrong"}:
        if statuses == {"correct", "wrong"}:
            readings = ", ".join(f"{_closed_where(text, at)}: {v.status}" for at, v in zip(read_at, graded))
            message = f"the bracket is never closed, and where it closes decides the verdict ({readings}): close it"
            raise _error(text, message, error.opened, "(") from None
        raise error
    shown = next((v for v in graded if v.mistake), graded[-1])  # the reading whose mistake is named, if any
    said = "correct" if shown.status == "correct" else "wrong"
    where = (
        f"read closed at each of the {len(graded)} places where it makes a formula, every reading is {said}; "
        f"shown {_closed_where(text, read_at[graded.index(shown)])}"
        if len(graded) > 1
        else "read closed where its contents end, the one place where it makes a formula"
    )
    note = f"the bracket opened at column {error.opened} is never closed: {where}"
    return _replace(shown, text=text, note=f"{shown.note}; {note}" if shown.note else note)


#: The operators a bracket may close before, as the verdict's words show them.
_TEX_SIGNS = {s.latex: s.unicode for s in SIGNS.values() if s.latex.startswith("\\")} | {
    "\\cdot": "·",
    "\\times": "×",
    "\\ast": "∗",
}


def _closed_where(text: str, column: int) -> str:
    """Where a reading closes the bracket, in words: before the operator at ``column``, or at the end."""
    after = text[column - 1 :].strip()
    if not after:
        return "closed at the end"
    word = re.match(r"\\[A-Za-z]+|\S", after).group(0)
    return f"closed before {_TEX_SIGNS.get(word, word)} (column {column})"


def _replace(verdict: Verdict, **changes) -> Verdict:
    return replace(verdict, **changes)


def _with_names(verdict: Verdict, names: dict, whose: str) -> Verdict:
    """The verdict with the bindings it was read with in its note."""
    bound = f"{whose} read as " + ", ".join(f"{b.name}{_parameters(b)} = {b.formula}" for b in names.values())
    return _replace(verdict, note=f"{verdict.note}; {bound}" if verdict.note else bound)


def _parameters(binding) -> str:
    """A binding's parameters as written: (s) for a function, [k] for an indexed name."""
    if binding.params is None:
        return ""
    inside = ", ".join(binding.params)
    return f"[{inside}]" if binding.indexed else f"({inside})"


def _instance(spec: Spec, parsed: tree.Equation, equation: str | None) -> tuple[Spec, str]:
    """The spec itself, or for a large network the same network at small widths, and the note saying so."""
    if spec.parameter_count <= GRADE_LIMIT:
        return spec, ""
    trees = list(parsed.sides)
    if equation and equation not in EQUATIONS:
        trees.append(parse_answer(equation).sides[0])
    nodes = [n for tree in trees for n in walk(tree)]
    literal = [i for n in nodes if isinstance(n, tree.Var) for i in n.indices if isinstance(i, int)]
    cap = max([REDUCED_WIDTH, *literal])
    small = replace(spec, layers=tuple(min(n, cap) for n in spec.layers))
    note = f" (the spec's {list(spec.layers)} reduced: {spec.parameter_count} parameters exceed {GRADE_LIMIT})"
    return small, note


def _grade_program(
    spec: Spec, text: str, code: list, equation: str | None, explicit: str | None, ident: str, rng, names: dict
) -> Verdict:
    """A program's verdict: each final value that names a quantity graded; the first wrong one decides."""
    reading = NOTATIONS.get(explicit) if explicit else notation_named(spec.notation)
    letters = lexicon(reading) if reading else None
    graded = []
    for value in program.run(code, names):
        try:
            lhs = parse_answer(value.name, letters, names).sides[0]
        except tree.AnswerError:
            continue  # the program's own intermediate name
        rhs = parse_tokens(list(value.tokens), value.text, letters)
        lhs, rhs = program.unscaled(lhs, rhs)
        q = quantity_of(lhs)
        if q is None or (value.name not in names and q.layer is None and not q.text.startswith("d")):
            continue
        graded.append((value, q, tree.Equation((lhs, rhs), text)))
    wanted = EQUATIONS.get(equation) if equation else None
    about = [g for g in graded if wanted and _kind_family(g[1].kind) == _kind_family(wanted)]
    # filed under an equation: the assignments about it (grad_w2 under BP4, not the grad_y_pred before it)
    todo, graded = about or graded, []
    for value, _, parsed in todo:  # in the program's order, up to the first that is not correct
        graded.append((value, _grade(spec, text, equation if about else None, explicit, ident, rng, names, parsed)))
        if graded[-1][1].status != "correct":
            break
    if not todo:
        raise GradingError(
            "no assignment of this program names a quantity that can be graded: bind the names of what it "
            "computes with --names, such as --names 'dscores = dZ^{[2]}/m'"
        )
    if names:
        graded = [(value, _with_names(v, names, "the program's names")) for value, v in graded]
    loops = sorted({s.case.split(" = ")[0] for s in code if s.case})
    if loops:
        unrolled = f"the loop over {', '.join(loops)} unrolled, a statement per value"
        if any(s.flat for s in code):
            unrolled += " (its body read as every line after it: the quote lost its indentation)"
        graded = [(value, _replace(v, note=f"{v.note}; {unrolled}" if v.note else unrolled)) for value, v in graded]
    lines = [s.line for s in code if not s.case]
    shared = len(set(lines)) < len(lines)  # a; b on one line: the statements are numbered instead
    where = {
        id(v): f"{value.name} ({'statement ' + str(value.number) if shared else 'line ' + str(value.line)}"
        f"{', ' + value.case if value.case else ''})"
        for value, v in graded
    }
    last = graded[-1][1]
    if last.status != "correct":  # the first statement that is not correct decides
        lead = f"{where[id(last)]}: " if len(todo) > 1 else ""
        return _replace(last, reason=lead + last.reason)
    first = graded[0][1]
    return _replace(
        first,
        quantity=", ".join(v.quantity for _, v in graded),
        parsed="; ".join(v.parsed for _, v in graded),
        parsed_latex=r"; \quad ".join(v.parsed_latex for _, v in graded),
        proofs=tuple(f"{where[id(v)]}: {p}" if len(graded) > 1 else p for _, v in graded for p in v.proofs),
        method="exact" if all(v.method in ("exact", "all_widths") for _, v in graded) else "numeric",
    )


def _kind_family(kind: str) -> str:
    return "delta" if kind.startswith("delta") else kind


def _grade(
    spec: Spec,
    text: str,
    equation: str | None,
    explicit: str | None,
    ident: str,
    rng: random.Random,
    names: dict | None = None,
    parsed: tree.Equation | None = None,
) -> Verdict:
    if equation is not None and equation not in EQUATIONS and not equation.startswith(("d", "∂", "\\")):
        raise GradingError(
            f"unknown equation {equation!r}; valid: {', '.join(EQUATIONS)} or a quantity such as dC/dW^2_{{1,2}}"
        )
    reading = NOTATIONS.get(explicit) if explicit else notation_named(spec.notation)
    if parsed is None:  # in the notation's own letters
        parsed = parse_answer(text, lexicon(reading) if reading else None, names)
    spec, reduced = _instance(spec, parsed, equation)
    width = max(max(spec.layers), BATCH_EXAMPLES)
    # * is the matrix product only where the notation writes ⊙ as .* (Ng's Octave); elsewhere, mostly NumPy's
    star_entrywise = reading is None or reading.hadamard.ascii != ".*"
    for side in parsed.sides:
        if tree.expanded_terms(side, width, star_entrywise) > tree.MAX_EXPANDED_TERMS:
            raise GradingError(
                f"too large to grade: multiplied out at widths {list(spec.layers)} this answer would have (by an upper "
                f"estimate) more than "
                f"{tree.MAX_EXPANDED_TERMS:_} terms (products of many sums, or large powers of sums)"
            )
    sides, accumulation = _accumulation(list(parsed.sides), parsed.condition, reading)
    lhs_node = None
    if equation is not None and equation not in EQUATIONS:  # a quantity such as dC/dW^2_{1,2}
        lhs_node = parse_answer(equation, lexicon(reading) if reading else None, names).sides[0]
        if len(sides) > 1 and quantity_of(sides[0]) is not None and not parsed.continuation:
            sides = sides[1:]
    elif len(sides) > 1 and (quantity_of(sides[0]) is not None or _local(sides[0])):
        lhs_node, sides = sides[0], sides[1:]
    nt_name, why = notation_of(parsed, spec, explicit)
    if parsed.readings:
        why += "; read " + ", ".join(parsed.readings)
    if accumulation:
        why += f"; {accumulation}"
    if spec.cost_function().probability_targets:
        why += f"; {ASSUMED}"
    nt = NOTATIONS[nt_name]
    depth = len(spec.layers) - 1
    wanted = EQUATIONS.get(equation) if equation else None
    register = nt.gradient_register and _bare_error(lhs_node) and sides and quantity_of(sides[0]) is not None
    if register:  # Goodfellow's g ← ∇_{a^{(k)}} J = g ⊙ f'(a^{(k)}): the register, then what it now holds
        lhs_node, sides = sides[0], sides[1:]
        why += f"; {nt.spell('error', 'unicode')} on the right the gradient the step receives (Algorithm 6.4)"
    if lhs_node is None:
        if wanted is None and parsed.continuation:
            raise GradingError(
                "a continuation line (= …) has its left-hand side on the line before it: give that with --equation, "
                "such as --equation 'dC/dW^l'"
            )
        if wanted is None:
            raise GradingError(
                "the answer names no quantity: write a left-hand side such as delta^L = … or give --equation"
            )
        rhs_free = [i for side in sides for i in free_indices(side)]
        matrix, component = default_lhs(wanted, nt)
        lhs_node = parse_answer(component if rhs_free else matrix).sides[0]
        canonical = quantity_of(lhs_node).indices
        if rhs_free and sorted(set(rhs_free)) != sorted(canonical):
            if len(canonical) == 1 and len(set(rhs_free)) == 1:
                lhs_node = _with_indices(lhs_node, (rhs_free[0],))
            else:
                raise GradingError(
                    f"free indices {', '.join(sorted(set(rhs_free)))}: write the left-hand side, e.g. {component} = …"
                )
    outputs = {
        v.indices[0]
        for side in (lhs_node, *sides)
        for v in walk(side)
        if isinstance(v, tree.Var) and v.layer == tree.Layer("L") and v.indices and isinstance(v.indices[0], str)
    }
    if nt.unit_layers and outputs and any(_unit_var(v, nt, outputs) for s in (lhs_node, *sides) for v in walk(s)):
        # Bishop's ∂y_k/∂a_j = δ_kj y_k − y_k y_j: j indexes y, so a_j is an output unit's too
        lhs_node, sides = _unit_layered(lhs_node, nt, outputs), [_unit_layered(side, nt, outputs) for side in sides]
        why += f"; {', '.join(sorted(outputs))} as the output units' letters, as in y_{sorted(outputs)[0]}"
    if nt.unit_layers and depth > 1 and not any(_layered(side) for side in (lhs_node, *sides)):
        letters = {i for side in (lhs_node, *sides) for v in walk(side) if _unit_var(v, nt) for i in v.indices}
        if len(letters) > 1:  # two units' letters: layers relative to each other (Bishop's j, i, k)
            lhs_node, sides = _unit_layered(lhs_node, nt), [_unit_layered(side, nt) for side in sides]
            why += f"; the layers by the units' letters ({', '.join(_unit_words(nt))})"
    q = quantity_of(lhs_node)
    if q is None and _local(lhs_node):  # ∂y_k/∂a_j, ∂z^{(3)}/∂W^{(2)}: a derivative inside the network
        verdict = _grade_local(spec, nt, lhs_node, sides, rng, why, reduced, ident=ident, text=text, equation=equation)
        own = None
        if verdict.status == "wrong":
            own = _in_spec_notation(spec, nt_name, why, text, equation, explicit, ident, rng, names, parsed)
        return own or verdict
    if q is None:
        raise GradingError("the left-hand side names no quantity (δ, ∂C/∂W, ∂C/∂b, ∂C/∂x, ∇_a C or W)")
    placeholders = [n for s in sides for n in walk(s) if isinstance(n, tree.Partial) and n.wrt is None]
    if placeholders:  # (from back propagation): the gradient of the left-hand side's weights, without the decay
        wrt = _gradient_of(lhs_node) if q.kind in ("weight", "bias") else None
        if wrt is None:
            raise GradingError(
                f"'(from back propagation)' stands for the gradient the left-hand side names, and {q.text} is no "
                "weight's or bias's gradient"
            )
        sides = [_mapped(s, lambda n: replace(n, wrt=wrt) if isinstance(n, tree.Partial) and n.wrt is None else n)
                 for s in sides]  # fmt: skip
    if register and q.layer is not None and q.kind in ("delta", "cost_gradient"):
        sides = [_received(side, q) for side in sides]
    if wanted == "delta_output" and q.kind == "delta" and q.layer is None:  # filed under BP1: the output layer
        q = replace(q, layer=tree.Layer("L"))
    if q.columns and not any(isinstance(n, tree.Var) and n.base in BATCH_NAMES for s in sides for n in walk(s)):
        q = replace(q, columns=False)  # dA = −y/a + …: written for one example, graded as one column
    kind = q.kind
    if kind == "delta":
        kind = "delta_output" if q.layer is not None and q.layer.var == "L" and q.layer.offset == 0 else "delta_hidden"
        if kind == "delta_hidden" and q.layer is not None and q.layer.var is None:
            # a layer number (δ^2, δ^{(3)}): the output layer's δ where the number is the output's
            if internal_k(q, kind, nt, depth, None) == depth:
                kind = "delta_output"
    if (
        wanted
        and wanted != kind
        and not (wanted == "delta_output" and kind == "delta_hidden" and q.layer and q.layer.var is None)
    ):
        raise GradingError(f"the left-hand side {q.text} is not what {equation} is about ({wanted.replace('_', ' ')})")
    batch = is_batch(parsed) or kind in UPDATES
    if nt.unregularised_cost and any(isinstance(n, tree.Cost) and n.zero for s in sides for n in walk(s)):
        # Nielsen's ∂C/∂w = ∂C_0/∂w + (λ/n) w (eq. 88): C_0 the cost of the training set without its decay
        sides = [_unregularised(side) for side in sides]
        batch = True
        why += "; C_0 as the cost without its weight decay, C = C_0 + λ/2n Σ_w w² (eq. 85)"
    examples = None  # the batch's examples: BATCH_EXAMPLES
    averaged = any(isinstance(n, (tree.Sum, tree.Var)) and _over_examples(n) for s in sides for n in walk(s))
    examples_named = any(getattr(n, "example", None) is not None for s in sides for n in walk(s))  # Σ_x δ^{x,l}
    if kind in UPDATES and not is_batch(parsed) and not averaged and not examples_named:
        examples = 1  # W ← W − η δ aᵀ of one example's quantities: a stochastic step, the batch of that example
        why += "; a step on one example"
    penalty = any(isinstance(n, tree.Penalty) for side in sides for n in walk(side))
    named = {n.base for s in sides for n in walk(s) if isinstance(n, tree.Var)}
    decay = nt.penalty_per_example and "lambda" in named
    own = not named & (BATCH_NAMES | {"m", "n"})  # one example's quantities
    if (penalty or (decay and own)) and not averaged and kind not in UPDATES:
        # Goodfellow's J = L + λΩ(θ) of one example (Algorithm 6.4): the batch cost of a batch of one
        batch, examples = True, 1
        why += "; J = L + λΩ(θ) of one example, Ω(θ) = ½ Σ ‖W‖² (Deep Learning, section 7.1.1)"
    layered_nodes = [n for side in (lhs_node, *sides) for n in walk(side) if getattr(n, "layer", None) is not None]
    others = {n.base for s in (lhs_node, *sides) for n in walk(s) if isinstance(n, tree.Var)} - {
        "W", "w", "b", "lambda", "eta", "m", "n"
    }  # fmt: skip
    if q.layer is None and depth > 1 and kind in ("weight", "bias") and not layered_nodes and not others:
        # ∂C/∂w = ∂C_0/∂w + (λ/n) w: a statement about every weight, w^l of every layer l
        lhs_node, sides = _any_layer(lhs_node), [_any_layer(side) for side in sides]
        q, layered_nodes = replace(q, layer=tree.Layer("l")), [lhs_node]
        why += f"; {'w' if kind == 'weight' else 'b'} without a layer as every layer's"
    if q.layer is None and depth > 1 and kind not in ("cost", "cost_gradient", "input") and not layered_nodes:
        raise GradingError(
            f"{q.text} names no layer, and this network has {depth} layers of weights: write the layer "
            f"(as {default_lhs(kind, nt)[1]}); an answer without layers is read only for a network of one layer"
        )
    layers = layer_values(q, kind, nt, depth)
    if not layers:
        raise GradingError(f"{q.text} does not exist in this network for any layer l")
    if parsed.stated_layers:
        layers, stated = _stated_layers(text, parsed.stated_layers, q, layers, nt, depth)
        why += f"; {stated}"
    letters = text_letters(nt)  # shown back in the answer's own letters (Bishop's a, z, t)
    rhs_text = " = ".join(show(s, letters=letters) for s in sides)
    # an update W^l → W^l − η(…) is no equation: written as the texts write it (Nielsen's →)
    arrow, tex_arrow = (" → ", r" \to ") if kind in UPDATES else (" = ", " = ")
    base = dict(
        ident=ident,
        text=text,
        equation=equation,
        notation=nt_name,
        quantity=q.text,
        parsed=f"{show(lhs_node, letters=letters)}{arrow}{rhs_text}",
        parsed_latex=show(lhs_node, tex=True, letters=letters)
        + tex_arrow
        + " = ".join(show(s, tex=True, letters=letters) for s in sides),
    )
    result = first = _check(spec, nt, kind, q, sides, layers, batch, True, rng, examples=examples)
    abstract = True
    if not result["holds"]:
        abstract = False
        result = _check(
            spec, nt, kind, q, sides, layers, batch, False, rng, explain=not first.get("residual"), examples=examples
        )
        if not result["holds"] and first.get("residual"):
            result["residual"] = first["residual"] + " (for every elementwise f)"
            result["residual_latex"] = first["residual_latex"]
            result["counterexample"] = result.get("counterexample") or first.get("counterexample")
    if result.get("undescribed"):
        why += (
            f"; checked where the elision reads, not at {_layer_list(result['undescribed'])}, where the terms "
            "written before and after it run past each other"
        )
    proofs = []
    if result["holds"]:
        method = result["method"]
        label = "every elementwise activation" if abstract else "this network's activations"
        widths = (
            f"widths {list(spec.layers)}" + (f", m = {examples or BATCH_EXAMPLES} examples" if batch else "") + reduced
        )
        proofs.append(f"{method}: at {widths}, for {label}, {result['detail']}")
        if abstract and not batch and method == "exact":
            proof = all_widths_proof(spec, nt, kind, q, sides, layers)
            if isinstance(proof, Wrong) and 1 in spec.layers[1:]:  # one-neuron layers: their vectors are numbers
                proofs.append(
                    f"at symbolic widths: {proof}; the answer holds for this network, whose layers of one neuron "
                    "make every vector a number, not for wider layers"
                )
            elif isinstance(proof, Wrong):  # holds at these widths only by coincidence of sizes
                return Verdict(
                    status="wrong",
                    method="all_widths",
                    reason=f"at symbolic widths: {proof} (at widths {list(spec.layers)} the sizes happen to agree)",
                    note=f"read in {nt_name} notation ({why})",
                    **base,
                )
            if proof:
                proofs.append(proof)
                method = "all_widths"
        note = f"read in {nt_name} notation ({why})"
        if nt_name != spec.notation:
            note = f"correct in {nt_name} notation, not the spec's {spec.notation} ({why})"
        return Verdict(status="correct", method=method, proofs=tuple(proofs), note=note, **base)
    own = _in_spec_notation(spec, nt_name, why, text, equation, explicit, ident, rng, names, parsed)
    if own is not None:
        return own
    note = f"read in {nt_name} notation ({why})"
    for other in (name for name, candidate in NOTATIONS.items() if readable(candidate)):
        if other != nt_name and explicit is None and not names:  # bound names are in the spec's notation
            try:
                alt = _check(
                    spec,
                    NOTATIONS[other],
                    kind,
                    q,
                    sides,
                    layer_values(q, kind, NOTATIONS[other], depth),
                    batch,
                    True,
                    rng,
                    explain=False,
                    examples=examples,
                )
            except (GradingError, Wrong):
                continue
            if alt["holds"]:
                note += f"; it would hold in {other} notation"
    counterexample = dict(result["counterexample"]) if result.get("counterexample") else None
    culprit = _culprit(
        spec, nt, kind, q, sides, layers, batch, rng, _ratio(counterexample), examples, result.get("side")
    )
    wrong_term = result.get("residual", "")
    point = counterexample.pop("point", ()) if counterexample else ()
    reason, reason_latex = _chain_reason(result, lhs_node, sides, letters, q.text)
    return Verdict(
        residual_latex=result.get("residual_latex", ""),
        reason_latex=reason_latex,
        status="wrong",
        method=result.get("method", "exact"),
        reason=reason,
        counterexample=counterexample,
        point=point,
        wrong_term=wrong_term,
        mistake=culprit.text(letters) if culprit else "",
        mistake_latex=culprit.latex(letters) if culprit else "",
        note=note,
        **base,
    )


def _in_spec_notation(spec, nt_name, why, text, equation, explicit, ident, rng, names, parsed) -> Verdict | None:
    """The verdict in the spec's own notation where it holds there, for an answer wrong in the notation its
    writing suggested (its layers in parentheses): a Nielsen course's ∂C/∂w^{(L)} = δ^{(L)} (a^{(L-1)})ᵀ holds in
    his numbering, not in UFLDL's, which writes its layers so. None where that does not apply."""
    if nt_name == spec.notation or explicit is not None or not readable(notation_named(spec.notation)):
        return None
    apart = random.Random()
    apart.setstate(rng.getstate())  # the verdict in the notation read draws the same counterexample as before
    try:
        own = _grade(spec, text, equation, spec.notation, ident, apart, names, parsed)
    except (GradingError, tree.AnswerError):
        return None  # not read in the spec's notation: the verdict stands
    if own.status != "correct":
        return None
    suggested = f"the spec's notation; not {nt_name} notation, which its {why.split(';')[0]} suggested"
    return _replace(own, note=own.note.replace(NAMED, suggested, 1))


def _gradient_of(lhs) -> tree.Var | None:
    """The weight or bias whose gradient the left-hand side names: ∂C/∂W^l's W^l, dW^{[l]}'s W^{[l]}."""
    if isinstance(lhs, tree.Partial) and isinstance(lhs.wrt, tree.Var):
        return lhs.wrt
    if isinstance(lhs, tree.Var) and lhs.base in ("dW", "dw", "db"):
        return replace(lhs, base=lhs.base[1:])
    return None


def _stated_layers(text: str, stated, q: Quantity, layers: list, nt, depth: int) -> tuple[list, str]:
    """The layers l of ``for l = L-1, …, 2``, where the left-hand side names a quantity of this kind: every one
    of them is checked; a range beyond them is not read (the answer claims an equation where it names nothing)."""
    _, first, last, column = stated
    ends = []
    for end in (first, last):
        if end.var == "l":
            raise _error(text, f"the range of layers 'l = {first.text()}, …, {last.text()}' has l at one end", column)
        ends.append(end.offset + (nt.layer(depth) if end.var == "L" else 0))
    words = f"l = {first.text()}, …, {last.text()}"

    def numbered(values) -> str:
        return f"layer{'s' if len(values) > 1 else ''} {', '.join(map(str, values))}"

    if q.layer is None or q.layer.var != "l":
        raise _error(text, f"the answer is stated for {words}, but its left-hand side {q.text} has no layer l", column)
    wanted = range(min(ends), max(ends) + 1)
    outside = [l for l in wanted if l not in layers]
    if outside:
        message = (
            f"the answer is stated for {words} ({numbered(wanted)}), but {q.text} as it is written here exists only "
            f"at {numbered(layers)} of this network, not at {numbered(outside)}"
        )
        raise _error(text, message, column)
    return list(wanted), f"stated for {words}: {numbered(wanted)}"


def _mapped(node, change):
    """``node`` with ``change`` applied to it and, where it returns the node unchanged, to its parts: a tree
    rewritten wherever ``change`` rewrites a sub-node (a :class:`tree.Layer` is a part only of what holds it)."""
    new = change(node)
    if new is not node or not is_dataclass(node) or isinstance(node, tree.Layer):
        return new
    return replace(node, **{f.name: _mapped(getattr(node, f.name), change) for f in fields(node)})


def _unregularised(node):
    """``node`` with each C_0 read as the cost without its weight decay (:attr:`Notation.unregularised_cost`)."""
    return _mapped(
        node,
        lambda n: (
            replace(n, unregularised=True, per_example=False, example=None)
            if isinstance(n, tree.Cost) and n.zero
            else n
        ),
    )


def _any_layer(node):
    """``node`` with each weight and bias written without a layer given the general layer l (Nielsen's ∂C/∂w
    for any weight w)."""
    return _mapped(
        node,
        lambda n: (
            replace(n, layer=tree.Layer("l"))
            if isinstance(n, tree.Var) and n.base in ("W", "w", "b") and n.layer is None
            else n
        ),
    )


def _local(node) -> bool:
    """Whether ``node`` is a derivative of one of the network's quantities, not of the cost (∂z^{l+1}_k/∂z^l_j)."""
    return (
        isinstance(node, tree.Partial)
        and isinstance(node.num, tree.Var)
        and node.num.base in ("z", "a")
        and node.wrt.base in ("z", "a", "W", "w", "b", "x")
    )


def _grade_local(spec, nt, lhs, sides, rng, why: str, reduced: str, **base) -> Verdict:
    """The verdict on a derivative inside the network (the softmax's ∂y_k/∂a_j, a layer's ∂z^{l+1}_k/∂z^l_j):
    the left-hand side itself differentiated by ``sympy.diff`` in the network, compared entry by entry."""
    letters = text_letters(nt)
    generic = any(getattr(n, "layer", None) is not None and n.layer.var == "l" for s in (lhs, *sides) for n in walk(s))
    depth = len(spec.layers) - 1
    layers = list(range(0, depth + 2)) if generic else [None]
    rhs_text = " = ".join(show(s, letters=letters) for s in sides)
    base.update(
        notation=nt.name,
        quantity=show(lhs, letters=letters),
        parsed=f"{show(lhs, letters=letters)} = {rhs_text}",
        parsed_latex=show(lhs, tex=True, letters=letters)
        + " = "
        + " = ".join(show(s, tex=True, letters=letters) for s in sides),
    )
    if not any(isinstance(v, tree.Var) and v.base == "y" for s in sides for v in walk(s)):
        why = why.replace(f"; {ASSUMED}", "")  # no targets in it
    note = f"read in {nt.name} notation ({why}; a derivative inside the network, not of the cost)"
    first = result = _check_local(spec, nt, lhs, sides, layers, True, rng)
    abstract = result["holds"]
    if not result["holds"]:  # with the spec's own activations (σ' = a(1 − a)), the residual kept from the first
        result = _check_local(spec, nt, lhs, sides, layers, False, rng, explain=not first.get("residual"))
        if not result["holds"] and first.get("residual"):
            result.update(
                residual=first["residual"] + " (for every elementwise f)", residual_latex=first["residual_latex"]
            )
    if result["holds"]:
        label = "every elementwise activation" if abstract else "this network's activations"
        proof = f"{result['method']}: at widths {list(spec.layers)}{reduced}, for {label}, {result['detail']}"
        return Verdict(status="correct", method=result["method"], proofs=(proof,), note=note, **base)
    counterexample = dict(result["counterexample"]) if result.get("counterexample") else None
    point = counterexample.pop("point", ()) if counterexample else ()
    reason, reason_latex = _chain_reason(result, lhs, sides, letters)
    culprit = _local_culprit(spec, nt, lhs, sides[result["side"] - 1], layers, rng) if result.get("side") else None
    return Verdict(
        status="wrong",
        method="exact",
        reason=reason,
        reason_latex=reason_latex,
        mistake=culprit.text(letters) if culprit else "",
        mistake_latex=culprit.latex(letters) if culprit else "",
        counterexample=counterexample,
        point=point,
        wrong_term=result.get("residual", ""),
        residual_latex=result.get("residual_latex", ""),
        note=note,
        **base,
    )


def _chain_reason(result: dict, lhs, sides: list, letters: dict, lhs_text: str = "") -> tuple[str, str]:
    """The reason, as text and typeset; in a chain of equalities, naming the first link that fails (``lhs_text``:
    the left-hand side as the verdict names it)."""
    reason, reason_latex = result["reason"], result.get("reason_latex", "")
    if len(sides) > 1 and result.get("side"):
        n = result["side"]
        before = lhs if n == 1 else sides[n - 2]
        left = lhs_text if n == 1 and lhs_text else show(before, letters=letters)
        text = f"{left} = {show(sides[n - 1], letters=letters)}"
        tex = f"{show(before, tex=True, letters=letters)} = {show(sides[n - 1], tex=True, letters=letters)}"
        inner = reason_latex or escaped_text(reason)
        reason = f"step {n} of the chain, {text}, is the first that fails: {reason}"
        reason_latex = f"step {n} of the chain, ${tex}$, is the first that fails: {inner}"
    return reason, reason_latex


def _local_culprit(spec, nt, lhs, side, layers, rng) -> Words | None:
    """The repair a teacher would name (swapped indices, a transpose, f' at another layer, a term too many)
    that makes a derivative inside the network hold, if one is found quickly."""
    q = Quantity("local", None, tuple(free_indices(lhs)), "")
    removals = [(Words(f"the {label} {{0}} should not be there", (part,)), rest) for label, part, rest in _terms(side)]
    tried, deadline = 0, time.monotonic() + REPAIR_SECONDS
    for words, repaired in itertools.chain(removals, _repairs(side, q, "local", False)):
        if tried >= MAX_REPAIRS or time.monotonic() > deadline:
            return None
        tried += 1
        try:
            if _check_local(spec, nt, lhs, [repaired], layers, True, rng, explain=False)["holds"]:
                return words
        except (GradingError, Wrong):
            continue
    return None


def _check_local(spec, nt, lhs, sides, layers, abstract, rng, explain: bool = True) -> dict:
    """Every side compared with the left-hand side's derivative, for every value of its free indices (or
    every entry of a derivative written as a matrix) and every layer l it exists for."""
    net = network_at(spec, nt.name, 1, abstract)
    backend = ConcreteNames(net)
    constraints = dict(net.target_constraints)
    free = free_indices(lhs)
    q = Quantity("local", None, tuple(free), show(lhs, letters=text_letters(nt)))
    tally = {"unproved": 0, "simplified": False}
    graded = []
    for l in layers:
        frame = Frame(l=l)
        evaluator = Evaluator(backend, frame)
        try:
            ranges = [range(1, backend.width(evaluator._index_layer(lhs, name)) + 1) for name in free]
            combos = list(itertools.product(*ranges))
            frame.env = dict(zip(free, combos[0]))
            evaluator.eval(lhs)
            lowest = evaluator.lowest(lhs.wrt)
        except (Wrong, GradingError) as error:
            if l is None or (not graded and l == layers[-1]):
                raise GradingError(f"{q.text}: {error}") from None
            continue  # no such layer l
        graded.append(l)
        where = f"l = {l}" if l is not None else ""
        for n, side in enumerate(sides):
            entries = []
            try:
                for combo in combos:
                    frame.env = dict(zip(free, combo))
                    true, value = evaluator.eval(lhs), evaluator.eval(side)
                    one = (true.scalar or evaluator.unit(true)) and (value.scalar or evaluator.unit(value))
                    shape = [backend.width(d) if d is not None else 1 for d in (true.rows, true.cols)]
                    if not one and shape != [
                        backend.width(d) if d is not None else 1 for d in (value.rows, value.cols)
                    ]:
                        raise Wrong(f"{q.text} is {evaluator._shape(true)}, the answer is {evaluator._shape(value)}")
                    # both in the weighted inputs of the variable's layer: the answer's σ'(z^{l+1}) as the truth's
                    cells = [(1, 1)] if one else itertools.product(range(1, shape[0] + 1), range(1, shape[1] + 1))
                    for r, c in cells:
                        answer, derived = (backend.through(v.get(r, c), lowest) for v in (value, true))
                        entries.append((combo if one else (*combo, r, c), answer, derived))
            except Wrong as wrong:
                typeset = wrong.words.latex() if wrong.words else ""
                if typeset and where:
                    typeset = escaped_text(where + ": ") + typeset
                return {
                    "holds": False,
                    "reason": f"{where + ': ' if where else ''}{wrong}",
                    "reason_latex": typeset,
                    "side": n + 1,
                }
            failed = _compare(
                entries, spec, nt, net, abstract, constraints, rng, q, "local", where, l, n, tally, explain=explain
            )
            if failed is not None:
                return failed
    return _held(tally, graded if layers != [None] else [None])


def _accumulation(sides: list, condition, reading) -> tuple[list, str]:
    """Ng's and UFLDL's accumulators read as the gradients they are, with the words that say so.

    Δ^{(l)} := Δ^{(l)} + δ^{(l+1)} (a^{(l)})ᵀ adds one example's ∂C_x/∂Θ^{(l)}: its increment is graded as that;
    Δ^{(l)} = … without itself on the right is one example's. D^{(l)} := (1/m) Δ^{(l)} + … is the gradient of the
    cost J. Ng's case ``if j = 0`` is the bias column Θ_{i0}: there Θ_{ij}, Δ_{ij} and D_{ij} are the biases'.
    """
    bias_column = reading is not None and reading.bias_column
    words = []
    if condition is not None and bias_column and condition[1:] == ("=", 0):
        column = condition[0]
        sides = [_bias_column(side, column) for side in sides]
        words.append(f"{column} = 0 is the bias column")
    elif condition is not None and bias_column and condition[1:] == ("≠", 0):
        words.append(f"{condition[0]} ≠ 0: the weights, not the bias column")
    elif condition is not None:
        raise GradingError(
            f"the case 'if {condition[0]} {condition[1]} {condition[2]}' is read only as Ng's bias column "
            "(if j = 0, if j ≠ 0)"
        )
    lhs = sides[0]
    if len(sides) < 2 or not isinstance(lhs, tree.Var) or lhs.base not in {*ACCUMULATORS, "D", "Db"}:
        return sides, "; ".join(words)
    target = "b" if lhs.base in ("Deltab", "Db") else "W"
    wrt = tree.Var(target, lhs.layer, lhs.indices, None, lhs.column)
    if lhs.base in ("D", "Db"):
        words.append("D read as the gradient of the cost J")
        return [tree.Partial(tree.Cost("J"), wrt, lhs.column), *sides[1:]], "; ".join(words)
    rest, accumulates = [], False
    for side in sides[1:]:
        if isinstance(side, tree.BinOp) and side.op == "+":
            for mine, other in ((side.left, side.right), (side.right, side.left)):
                if isinstance(mine, tree.Var) and (mine.base, mine.layer, mine.indices) == (
                    lhs.base,
                    lhs.layer,
                    lhs.indices,
                ):
                    side, accumulates = other, True
                    break
        rest.append(side)
    words.append(
        f"an accumulation {show(lhs)} := {show(lhs)} + …: what it adds graded as one example's gradient"
        if accumulates
        else f"{show(lhs)} read for one example, as its gradient"
    )
    return [tree.Partial(tree.Cost("C", per_example=True), wrt, lhs.column), *rest], "; ".join(words)


def _bias_column(node, column: str):
    """``node`` in Ng's bias column (``column`` = 0): Θ_{ij} is b_i, Δ_{ij} the biases' Δ, D_{ij} their D."""
    if isinstance(node, tree.Var) and len(node.indices) == 2 and node.indices[1] == column:
        base = {"W": "b", "w": "b", "Delta": "Deltab", "D": "Db"}.get(node.base)
        if base:
            return replace(node, base=base, indices=node.indices[:1])
    if not is_dataclass(node) or isinstance(node, tree.Layer):
        return node
    return replace(node, **{f.name: _bias_column(getattr(node, f.name), column) for f in fields(node)})


def _terms(node) -> list:
    """The top-level summands (with their signs) or factors of an expression, as (label, node without it)."""
    out = []
    if isinstance(node, tree.BinOp) and node.op in ("+", "-"):
        out.append(("term", node.right, node.left))
        out.append(("term", node.left, node.right if node.op == "+" else tree.Neg(node.right)))
    elif isinstance(node, tree.BinOp) and node.op in ("dot", "hadamard", "star"):
        out.append(("factor", node.right, node.left))
        out.append(("factor", node.left, node.right))
        out.append(("sign of the factor", node.left, tree.BinOp(node.op, tree.Neg(node.left), node.right, node.column)))
    elif isinstance(node, tree.Neg):
        out.append(("sign", node, node.operand))
    elif isinstance(node, tree.BinOp) and node.op == "/":  # np.sum(…) / m: the numerator's
        out.extend((label, part, replace(node, left=rest)) for label, part, rest in _terms(node.left))
    elif isinstance(node, tree.Function) and node.name == "sum":  # np.sum(1/m * dot(l1, x.T), axis=1): inside it
        out.extend((label, part, replace(node, arg=rest)) for label, part, rest in _factors(node.arg))
    return out


def _factors(node) -> list:
    """Every factor of a product, however deep in its products, as ("factor", the factor, the product without it)."""
    if not (isinstance(node, tree.BinOp) and node.op in ("dot", "hadamard", "star")):
        return []
    out = [("factor", node.right, node.left), ("factor", node.left, node.right)]
    for side in ("left", "right"):
        out += [(label, part, replace(node, **{side: rest})) for label, part, rest in _factors(getattr(node, side))]
    return out


def _ratio(counterexample: dict | None) -> Fraction | None:
    """The answer's value over the derived one at the counterexample, where it is a small fraction (2, 4, 1/2,
    3/2): the constant factor to try as the mistake (a 4/m where 1/m belongs)."""
    if not counterexample or not counterexample.get("derived"):
        return None
    try:
        ratio = float(counterexample["answer"]) / float(counterexample["derived"])
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not math.isfinite(ratio):
        return None
    near = Fraction(ratio).limit_denominator(12)
    if near in (0, 1) or abs(float(near) - ratio) > 1e-9 * abs(ratio) or abs(near.numerator) > 100:
        return None
    return near


def _culprit(
    spec,
    nt,
    kind,
    q,
    sides,
    layers,
    batch,
    rng,
    ratio: Fraction | None = None,
    examples: int | None = None,
    failing: int | None = None,
) -> Words | None:
    """The one summand, factor or sign whose removal makes the answer hold, if there is one; else one repair a
    teacher would name (a transpose, f' at another layer, …, a constant factor ``ratio`` too many).

    ``failing``: the number of the first side that fails (a chain's link). Only that side is repaired: the
    others hold, and one repair elsewhere cannot make it hold.

    A correction is tried for every elementwise activation (the quicker test) where the output layer's is
    elementwise, else for this network's own (a softmax output's a - y holds only for the softmax)."""
    primed = any(isinstance(node, tree.Activation) and node.prime for side in sides for node in walk(side))
    # tried for every elementwise f where the answer writes f' (the quicker test); with the network's own
    # functions where it writes none (σ' as a(1 − a), or f' missing), which no abstract f can match
    abstract = spec.layer_activation(len(spec.layers) - 1).elementwise and primed
    repairable = [(failing - 1, sides[failing - 1])] if failing else list(enumerate(sides))
    for n, side in repairable:
        for label, part, rest in _terms(side):
            trial = list(sides)
            trial[n] = rest
            try:
                if _check(
                    spec, nt, kind, q, trial, layers, batch, abstract, rng, explain=False, quick=True, examples=examples
                )["holds"]:
                    if label == "sign":
                        return Words("the sign: the answer is the negative of the right value")
                    if label.startswith("sign"):
                        return Words("the sign of {0}: it should be negated", (part,))
                    return Words(f"the {label} {{0}} should not be there", (part,))
            except (GradingError, Wrong):
                continue
    tried, deadline = 0, time.monotonic() + REPAIR_SECONDS
    for n, side in repairable:
        for words, repaired in itertools.chain(_rescaled(side, ratio), _repairs(side, q, kind, batch)):
            if tried >= MAX_REPAIRS or time.monotonic() > deadline:
                break  # named when found quickly; the counterexample says the rest
            tried += 1
            trial = list(sides)
            trial[n] = repaired
            try:
                if _check(
                    spec, nt, kind, q, trial, layers, batch, abstract, rng, explain=False, quick=True, examples=examples
                )["holds"]:
                    return words
            except (GradingError, Wrong):
                continue
    return _other_cost(spec, nt, kind, q, sides, layers, batch, rng, examples)


def _other_cost(spec, nt, kind, q, sides, layers, batch, rng, examples) -> Words | None:
    """The derivative of another built-in cost, where the answer holds for it: the quadratic cost's
    δ^L = (a − y) ⊙ σ'(z^L) written for the cross-entropy, whose σ' cancels."""
    for other in COSTS:
        if other == spec.cost:
            continue
        try:
            alt = replace(spec, cost=other)
            if _check(alt, nt, kind, q, sides, layers, batch, False, rng, explain=False, quick=True, examples=examples)[
                "holds"
            ]:
                words = f"the derivative of another cost: this holds for the {other.replace('_', ' ')} cost"
                return Words(f"{words}, not for this spec's {spec.cost.replace('_', ' ')} cost")
        except (GradingError, Wrong, SymbackpropError):
            continue
    return None


#: Most repairs tried when naming a wrong answer's mistake (each is one exact comparison), and the seconds
#: they may take together.
MAX_REPAIRS = 48
REPAIR_SECONDS = 1.5


def _rewrites(node, rule):
    """Every tree with exactly one sub-node of ``node`` rewritten by ``rule`` (sub-node -> [(words, new)])."""
    yield from rule(node)
    if not is_dataclass(node) or isinstance(node, (tree.Partial, tree.Cost)):  # a derivative is one quantity
        return
    for f in fields(node):
        child = getattr(node, f.name)
        if is_dataclass(child) and not isinstance(child, tree.Layer):
            for words, new in _rewrites(child, rule):
                yield words, replace(node, **{f.name: new})


def _renamed(node, names: dict):
    """``node`` with its index letters renamed (simultaneously)."""
    if isinstance(node, tree.Var):
        return replace(node, indices=tuple(names.get(i, i) for i in node.indices))
    if isinstance(node, tree.Sum):
        return replace(node, index=names.get(node.index, node.index), body=_renamed(node.body, names))
    if not is_dataclass(node) or isinstance(node, tree.Layer):
        return node
    return replace(node, **{f.name: _renamed(getattr(node, f.name), names) for f in fields(node)})


def _shift_layers(node, by: int):
    """``node`` with every layer number moved by ``by`` (l to l+1, 2 to 3)."""
    return _mapped(node, lambda n: replace(n, offset=n.offset + by) if isinstance(n, tree.Layer) else n)


def _transposes(node):
    if isinstance(node, tree.Transpose):
        yield Words("a transpose too many: {0} should be {1}", (node, node.operand)), node.operand
    elif isinstance(node, tree.Var) and node.base in ("W", "w", "delta", "a", "x") and not node.indices:
        yield Words("a missing transpose: {0} should be {1}", (node, tree.Transpose(node))), tree.Transpose(node)


def _swapped_indices(node):
    if isinstance(node, tree.Var) and len(node.indices) == 2:
        swapped = replace(node, indices=node.indices[::-1])
        yield Words("the indices of {0} are swapped: it should be {1}", (node, swapped)), swapped


def _derivative_layers(node):
    if isinstance(node, tree.Activation):
        for by in (-1, 1):
            moved = _shift_layers(node, by)
            yield Words("{0} is taken at the wrong layer: it should be {1}", (node, moved)), moved


def _quantity_layers(node):
    """A weight, error or activation of the layer next to the right one (W^l in BP2, where W^{l+1} is)."""
    if isinstance(node, tree.Var) and node.layer is not None and node.base in ("W", "w", "delta", "a", "z", "b"):
        for by in (-1, 1):
            moved = _shift_layers(node, by)
            yield Words("{0} is from the wrong layer: it should be {1}", (node, moved)), moved


def _missing_derivative(side, q):
    """The error without its factor f'(z^l): δ^l (deeplearning.ai's dZ^{[l]}) propagated or taken without the
    activation's derivative, as the output error a − y or W^T δ alone."""
    if q.kind != "delta":
        return
    z = tree.Var("Z" if q.columns else "z", q.layer, q.indices)
    factor = tree.Activation("f", z, True, None)
    yield (
        Words("the factor {0} is missing: it should be {1}", (factor, tree.BinOp("hadamard", side, factor))),
        (tree.BinOp("hadamard", side, factor)),
    )


def _transpose_of(node):
    """``node`` transposed as a teacher writes it: (A B)ᵀ = Bᵀ Aᵀ, (Aᵀ)ᵀ = A, a number its own transpose."""
    if isinstance(node, tree.Transpose):
        return node.operand
    if isinstance(node, tree.BinOp) and node.op == "dot":
        return replace(node, left=_transpose_of(node.right), right=_transpose_of(node.left))
    if isinstance(node, tree.BinOp) and node.op in ("+", "-", "hadamard"):
        return replace(node, left=_transpose_of(node.left), right=_transpose_of(node.right))
    if isinstance(node, tree.Neg):
        return replace(node, operand=_transpose_of(node.operand))
    if isinstance(node, tree.Num) or isinstance(node, tree.Var) and node.base in ("eta", "lambda", "m", "n"):
        return node
    return tree.Transpose(node)


def _decay(node) -> bool:
    """Whether ``node`` is a weight-decay term: it names λ."""
    return any(isinstance(n, tree.Var) and n.base == "lambda" for n in walk(node))


def _missing_cost_factor(side, q, kind: str):
    """The cost's own factor ∂C/∂a^L left out (a(1 − a) taken for ∂C/∂z^L, a chain without its last factor)."""
    if kind not in ("delta_output", "weight", "bias"):
        return
    written = q.layer or tree.Layer("L")  # the output layer as the answer writes its layers: a^{(L)}, a^{(n_l)}
    output = tree.Layer("L", parenthesised=written.parenthesised, spelled=written.spelled if written.var else "")
    factor = tree.Partial(tree.Cost("C"), tree.Var("a", output, q.indices if kind == "delta_output" else ()))
    fixed = tree.BinOp("hadamard", side, factor)
    yield Words("the factor {0} is missing: it should be {1}", (factor, fixed)), fixed


def _wrong_index(node, side, q):
    """One quantity with the wrong index letter (y_i inside a sum over j), given another letter in scope."""
    if not (isinstance(node, tree.Var) and len(node.indices) == 1 and isinstance(node.indices[0], str)):
        return
    scope = {i for i in q.indices if isinstance(i, str)} | {n.index for n in walk(side) if isinstance(n, tree.Sum)}
    for letter in sorted(scope - {node.indices[0]}):
        renamed = replace(node, indices=(letter,))
        yield Words("{0} has the wrong index: it should be {1}", (node, renamed)), renamed


def _products(node):
    """A product of the wrong kind or order: a matrix product where ⊙ belongs, ⊙ where a matrix product does,
    the outer product δ aᵀ written a δ."""
    if not (isinstance(node, tree.BinOp) and node.op in ("dot", "star", "hadamard")):
        return
    left, right = node.left, node.right
    if node.op == "dot":
        entrywise = replace(node, op="hadamard")
        yield (
            Words("a matrix product where the elementwise product belongs: {0} should be {1}", (node, entrywise)),
            (entrywise),
        )
    else:
        matrix = replace(node, op="dot")
        yield (
            Words("an elementwise product where the matrix product belongs: {0} should be {1}", (node, matrix)),
            (matrix),
        )
    for outer in (tree.BinOp("dot", right, tree.Transpose(left), node.column), tree.BinOp("dot", right, left)):
        yield Words("the factors are in the wrong order: {0} should be {1}", (node, outer)), outer


def _literal_layers(node, q):
    """A layer written as a number where the general layer belongs (dZ^{[1]} in a formula for layer l)."""
    if q.layer is None or q.layer.var != "l":
        return
    if isinstance(node, tree.Var) and node.layer is not None and node.layer.var is None:
        for offset in (0, -1, 1):
            general = replace(node, layer=replace(node.layer, var="l", offset=offset))
            yield (
                Words("{0} has a layer number where the general layer belongs: it should be {1}", (node, general)),
                (general),
            )


def _bare_error(node) -> bool:
    return isinstance(node, tree.Var) and node.base == "delta" and node.layer is None and not node.indices


def _received(node, q):
    """A bare g on the right of Goodfellow's step: the gradient the step receives, ∇_{h^{(k)}} J where the step
    computes ∇_{a^{(k)}} J, and ∇_{a^{(k)}} J where it computes ∇_{h^{(k-1)}} J (Deep Learning, Algorithm 6.4)."""
    if _bare_error(node):
        if q.kind == "delta":
            return tree.Partial(tree.Cost("J"), tree.Var("a", q.layer), getattr(node, "column", 0))
        return tree.Var("delta", replace(q.layer, offset=q.layer.offset + 1))
    if not is_dataclass(node) or isinstance(node, tree.Layer):
        return node
    return replace(node, **{f.name: _received(getattr(node, f.name), q) for f in fields(node)})


def _over_examples(node) -> bool:
    """A sum over the examples, an average's m, or a batch matrix: the answer is about a batch of several."""
    if isinstance(node, tree.Var):
        return node.base in {"m", "n"} | BATCH_NAMES
    return isinstance(node.upper, tree.Var) and node.upper.base in ("m", "n")


def _layered(node) -> bool:
    return any(getattr(n, "layer", None) is not None for n in walk(node))


def _unit_var(node, nt, outputs=None) -> bool:
    """Whether ``node`` is a quantity without a layer whose unit's letter (or, given ``outputs``, an output
    unit's letter) says its layer."""
    return (
        isinstance(node, tree.Var)
        and node.layer is None
        and node.base in ("delta", "z", "a", "w", "W", "b")
        and bool(node.indices)
        and node.indices[0] in (nt.unit_layers if outputs is None else outputs)
    )


def _unit_layered(node, nt, outputs=None):
    """``node`` with each quantity's layer said by its unit's letter (:attr:`Notation.unit_layers`): the
    layer of a weight is that of the unit it feeds, its first index; with ``outputs``, the output layer where
    the letter is an output unit's."""

    def layered(n):
        if not _unit_var(n, nt, outputs):
            return n
        if outputs is not None:
            return replace(n, layer=tree.Layer("L"))
        return replace(n, layer=tree.Layer("l", nt.unit_layers[n.indices[0]], parenthesised=True))

    return _mapped(node, layered)


def _unit_words(nt) -> list[str]:
    offset = {-1: "l-1", 0: "l", 1: "l+1"}
    return [f"{letter} in layer {offset.get(by, f'l{by:+d}')}" for letter, by in sorted(nt.unit_layers.items())]


def _whole_sums(node):
    """NumPy's np.sum(W) without axis=: one number, where the matrix itself was meant; a sum along the wrong
    axis (the examples' axis is the other one)."""
    if isinstance(node, tree.Function) and node.name == "sum" and node.every_entry:
        yield Words("{0} adds up every entry of {1}, one number: it should be {1}", (node, node.arg)), node.arg
    if isinstance(node, tree.Function) and node.name == "sum" and node.axis in (0, 1):
        other = replace(node, axis=1 - node.axis, every_entry=False)
        word = node.axis_word
        yield Words(f"the sum runs along the wrong axis: {word}={node.axis} should be {word}={1 - node.axis}"), other
    if isinstance(node, tree.Function) and node.name == "sum" and node.every_entry:
        for axis in (0, 1):
            yield (
                Words(f"the sum adds up every entry, one number: it should run along {node.axis_word}={axis}"),
                (replace(node, axis=axis, every_entry=False)),
            )


def _decay_terms(node):
    """The weight-decay term written λ W without the average's 1/m, or λ/W for λ W."""
    lam, m = tree.Var("lambda"), tree.Var("m")
    if not (isinstance(node, tree.BinOp) and isinstance(node.left, tree.Var) and node.left.base == "lambda"):
        return
    if node.op in ("dot", "star"):  # λ W, λ * W
        scaled = tree.BinOp(node.op, tree.BinOp("/", lam, m), node.right)
        yield Words("the weight-decay term {0} lacks the average's 1/m: it should be {1}", (node, scaled)), scaled
    elif node.op == "/":
        for fixed in (tree.BinOp("dot", lam, node.right), tree.BinOp("dot", tree.BinOp("/", lam, m), node.right)):
            yield (
                Words("{0} divides by the weights where the weight decay multiplies: it should be {1}", (node, fixed)),
                fixed,
            )


def _repairs(side, q, kind: str, batch: bool):
    """Corrections a teacher would name, each with its words, the commonest first (each one exact comparison,
    within MAX_REPAIRS): the decay's 1/m, a sum of every entry, f' missing, a transpose, the wrong product, swapped
    indices, f' or a quantity at another layer, a number for the general layer, the whole answer transposed, the
    cost's factor ∂C/∂a missing, the layers off by one, the average 1/m, the weight decay, a factor 2 (the
    quadratic cost's 1/2), an index letter of another sum."""
    yield from _rewrites(side, _decay_terms)  # yields only where λ is written
    yield from _rewrites(side, _whole_sums)
    yield from _missing_derivative(side, q)
    yield from _rewrites(side, _transposes)
    yield from _rewrites(side, _products)
    yield from _rewrites(side, _swapped_indices)
    yield from _rewrites(side, _derivative_layers)
    yield from _rewrites(side, _quantity_layers)
    yield from _rewrites(side, lambda node: _literal_layers(node, q))
    transposed = _transpose_of(side)
    yield Words("the answer is transposed: it should be {0}", (transposed,)), transposed
    yield from _missing_cost_factor(side, q, kind)
    letters = [i for i in q.indices if isinstance(i, str)]
    if len(letters) == 2:
        a, b = letters
        yield Words(f"the indices {a} and {b} are swapped on the right-hand side"), _renamed(side, {a: b, b: a})
    for by in (-1, 1):
        yield (
            Words(f"the layer numbers are off by one: every layer should be {'one lower' if by < 0 else 'one higher'}"),
            (_shift_layers(side, by)),
        )
    m = tree.Var("m")
    if batch:
        yield Words("the average over the examples, 1/m, is missing"), tree.BinOp("/", side, m)
        if isinstance(side, tree.BinOp) and side.op == "+" and _decay(side.right) and not _decay(side.left):
            data = tree.BinOp("/", side.left, m)
            yield (
                Words("the average over the examples, 1/m, is missing from {0}", (side.left,)),
                (tree.BinOp("+", data, side.right)),
            )
        yield (
            Words("a 1/m too many: this quantity is a sum over the examples, not their average"),
            tree.BinOp("dot", side, m),
        )
    if kind in ("weight", "update") and q.layer is not None:
        decay = tree.BinOp("dot", tree.Var("lambda"), tree.Var("W", q.layer))
        yield Words("the weight-decay term {0} is missing", (decay,)), tree.BinOp("+", side, decay)
    yield (
        Words("a factor 2 is missing (the derivative of a square without the cost's 1/2?)"),
        tree.BinOp("dot", tree.Num(2), side),
    )
    yield (
        Words("a factor 2 too many (the quadratic cost here has the 1/2 that cancels it)"),
        tree.BinOp("/", side, tree.Num(2)),
    )
    yield from _rewrites(side, lambda node: _wrong_index(node, side, q))


def _rescaled(side, ratio: Fraction | None):
    """The answer divided by the constant factor it is off by (found at the counterexample), with its words."""
    if ratio is None or ratio in (2, Fraction(1, 2)):  # a factor 2 is tried, with its reason, by _repairs
        return
    if ratio == -1:
        yield Words("the sign: the answer is the negative of the right value"), tree.Neg(side)
        return
    factor = tree.Num(abs(ratio.numerator), ratio.denominator)
    fixed = tree.BinOp("/", side, factor)
    if ratio < 0:
        fixed = tree.Neg(fixed)
    if abs(ratio) > 1:
        yield Words(f"a factor {abs(ratio)} too many: the answer is {ratio} times the right value"), fixed
    else:
        yield Words(f"a factor {1 / abs(ratio)} is missing: the answer is {ratio} times the right value"), fixed


def _with_indices(node, indices):
    if isinstance(node, tree.Partial):
        return replace(node, wrt=replace(node.wrt, indices=indices))
    return replace(node, indices=indices)


def _check(
    spec,
    nt,
    kind,
    q,
    sides,
    layers,
    batch,
    abstract,
    rng,
    *,
    explain: bool = True,
    quick: bool = False,
    examples: int | None = None,
) -> dict:
    """Compare every right-hand side with the derived quantity, at every layer l and entry.

    ``explain=False`` (a trial answer, where only whether it holds matters) skips simplifying the residual;
    ``quick=True`` (a trial correction) simplifies a difference only where it is 0 at a random point.
    """
    net = network_at(spec, nt.name, examples or (BATCH_EXAMPLES if batch else 1), abstract)
    backend = ConcreteNames(net)
    depth = net.depth
    tally = {"unproved": 0, "simplified": False}  # entries not proved; some difference needed simplify
    # what the sides are compared under: the cost's assumption on the targets (the log-likelihood's Σ_k y_k = 1);
    # in a text whose m is the whole training set, the batch is that set, so the L2 term's n is the batch's m
    constraints = dict(net.target_constraints)
    named = {n.base for s in sides for n in walk(s) if isinstance(n, tree.Var)}
    sums = [n for s in sides for n in walk(s) if isinstance(n, tree.Sum)]
    unregularised = any(isinstance(n, tree.Cost) and n.unregularised for s in sides for n in walk(s))
    over_set = (
        "n" in named and "m" not in named and (unregularised or any(n.index == "x" or _over_examples(n) for n in sums))
    )
    if batch and (nt.whole_training_set or over_set):  # (1/n) Σ_x over the training inputs: the set is the batch
        constraints[TRAINING_SET_SIZE] = sp.Integer(len(net.layers))
    undescribed = []  # the layers l at which an elision cannot be read
    for l in layers:
        k = internal_k(q, kind, nt, depth, l)
        if not 1 <= k <= depth:
            return {"holds": False, "reason": f"{q.text}: no such layer here", "method": "exact"}
        if kind in ("delta_output", "delta_hidden"):  # in another notation the same number may name the other
            kind = "delta_output" if k == depth else "delta_hidden"
        # dX, as dA: each example's own ∂C_x/∂x in its column (m ∂J/∂X of the batch's average)
        own = batch and not (q.columns and kind == "input")
        truths = truth_matrix(spec, nt.name, len(net.layers), abstract, kind, k, own)
        rows, cols = dims_of(
            nt,
            kind.replace("delta_output", "delta").replace("delta_hidden", "delta"),
            k,
            depth,
        )
        truth = truths[0]
        if q.columns and nt.vectors == "rows":  # CS231n's dZ of shape (N, n_l): each example's δ as a row
            truth, rows, cols = sp.Matrix.hstack(*truths).T, EXAMPLES_DIM, rows
        elif q.columns:  # dZ^{[l]}: each example's δ as a column
            truth, cols = sp.Matrix.hstack(*truths), EXAMPLES_DIM
        where = f"l = {l}" if l is not None else ""
        if len(q.indices) == 1 and rows is not None and cols is not None and backend.width(rows) == 1:
            q = replace(q, indices=(1, q.indices[0]))  # w_j of a single neuron: its row of weights, w_{1j}
        for name, dim in zip(q.indices, (rows, cols)):
            if isinstance(name, int) and dim is not None and not 1 <= name <= backend.width(dim):
                raise GradingError(
                    f"{q.text}: entry {name} does not exist, that dimension has {backend.width(dim)} entries "
                    "(a layer's number is written as a superscript, δ^3, not δ_3)"
                )
        for n, side in enumerate(sides):
            frame = Frame(
                l=l, own_layer=k if kind in ("delta_output", "delta_hidden", "bias", "weight") else None, batch=batch
            )
            evaluator = Evaluator(backend, frame)
            entries = []
            try:
                if q.indices:
                    names = q.indices
                    ranges = [range(1, backend.width(rows) + 1)] + (
                        [range(1, backend.width(cols) + 1)] if cols is not None else []
                    )
                    import itertools

                    for combo in itertools.product(*ranges):
                        if any(isinstance(name, int) for name in names):
                            combo = tuple(name if isinstance(name, int) else c for name, c in zip(names, combo))
                            if combo in [c for c, _, _ in entries]:
                                continue
                        frame.env = {name: c for name, c in zip(names, combo) if isinstance(name, str)}
                        value = evaluator.eval(side)
                        if not value.scalar and (value.rows, value.cols) == (rows, cols) and not free_indices(side):
                            # δ^{(3)}_j = (Θ^{(3)})ᵀ δ^{(4)} .* g'(z^{(3)}): a vector written under a component's name
                            entry = value.get(combo[0], combo[1] if len(combo) > 1 else 1)
                            entries.append((combo, entry, truth[combo[0] - 1, combo[1] - 1 if len(combo) > 1 else 0]))
                            continue
                        if not value.scalar:
                            bare = sorted(
                                {
                                    var_text(v)
                                    for v in walk(side)
                                    if isinstance(v, tree.Var)
                                    and v.base in ("y", "a", "z", "delta", "x", "b")
                                    and not v.indices
                                }
                            )
                            hint = f" ({', '.join(bare)} without an index is a vector)" if bare else ""
                            raise Wrong(
                                f"the component {q.text} is a number, the answer is {evaluator._shape(value)}{hint}"
                            )
                        entries.append(
                            (combo, value.get(1, 1), truth[combo[0] - 1, combo[1] - 1 if len(combo) > 1 else 0])
                        )
                else:
                    value = evaluator.eval(side)
                    if nt.vectors == "rows" and cols is None and not value.scalar:  # a row-vector text's δ^l
                        if value.cols is None and backend.width(rows) != 1:
                            want = Value(None, rows, lambda i, j: 0)
                            raise Wrong(
                                f"{q.text} is {evaluator._shape(want)} (this notation's vectors are rows), the "
                                f"answer is {evaluator._shape(value)}"
                            )
                        value = as_column(value)
                    if not evaluator.same_shape(value, Value(rows, cols, value.get)) and not (
                        (value.scalar or evaluator.unit(value)) and evaluator.unit(Value(rows, cols, value.get))
                    ):  # one neuron per layer (3Blue1Brown's chain): every shape is 1 x 1
                        want = Value(rows, cols, lambda i, j: 0)
                        raise Wrong(f"{q.text} is {evaluator._shape(want)}, the answer is {evaluator._shape(value)}")
                    for r in range(1, (backend.width(rows) if rows is not None else 1) + 1):
                        for c in range(1, (backend.width(cols) if cols is not None else 1) + 1):
                            entries.append(((r, c) if cols is not None else (r,), value.get(r, c), truth[r - 1, c - 1]))
            except Undescribed:
                undescribed.append(l)  # the elision's written terms run past each other: no formula at this l
                break
            except Wrong as wrong:
                reason = f"{where + ': ' if where else ''}{wrong}"
                typeset = escaped_text(where + ": ") + wrong.words.latex() if where and wrong.words else ""
                typeset = typeset or (wrong.words.latex() if wrong.words else "")
                return {"holds": False, "reason": reason, "reason_latex": typeset, "method": "exact", "side": n + 1}
            failed = _compare(
                entries,
                spec,
                nt,
                net,
                abstract,
                constraints,
                rng,
                q,
                kind,
                where,
                l,
                n,
                tally,
                quick=quick,
                explain=explain,
            )
            if failed is not None:
                return failed
    described = [l for l in layers if l not in undescribed]
    if not described:
        raise GradingError(
            f"the elision describes no layer here: at {_layer_list(undescribed)} the terms written before and "
            "after it run past each other (the network is too shallow for the terms written)"
        )
    result = _held(tally, described)
    if undescribed:
        result["undescribed"] = undescribed
    return result


def _layer_list(layers: list) -> str:
    return "l = " + ", ".join(str(l) for l in layers)


def _held(tally: dict, layers: list) -> dict:
    """The result of a comparison in which every entry agreed: proved, or numeric where some did not simplify."""
    if tally["unproved"]:
        return {
            "holds": True,
            "method": "numeric",
            "detail": f"{tally['unproved']} entries agree at {sampling.POINTS} random points but did not simplify to 0 "
            "(not a proof)",
        }
    return {
        "holds": True,
        "method": "exact",
        "detail": f"the difference {'simplifies' if tally['simplified'] else 'expands'} to 0 for every entry"
        + (f" and l in {layers}" if layers != [None] else ""),
    }


def _compare(
    entries, spec, nt, net, abstract, constraints, rng, q, kind, where, l, n, tally, *, quick=False, explain=True
) -> dict | None:
    """Each (entry, answer, derived) of side n compared; the first that differs as a failed result, else None
    (``tally`` counts the entries that agree only numerically)."""
    for combo, answer, true in entries:
        # graded under what the cost assumes of the targets (the log-likelihood's sum_k y_k = 1)
        answer, true = answer.subs(constraints), true.subs(constraints)
        if answer == true:
            continue
        deltas = delta_values(spec, nt.name, len(net.layers), abstract)
        own = answer.free_symbols & deltas.keys()
        # δ by its value: where the truth is written in δ and the answer not, or the answer names a δ
        # the truth does not (the chain's δ^l = ∂C/∂z^l, the definition itself)
        difference = None
        if (true.free_symbols & deltas.keys() and not own) or (own - true.free_symbols):
            answer_value, true_value = (side.xreplace(deltas).subs(constraints) for side in (answer, true))
            by_value = answer_value - true_value
            decided = None if quick else within(SIMPLIFY_SECONDS, lambda e=by_value: rational_zero(e), None)
            if decided:  # a rational function of the exponentials: proved (before expanding a large sum)
                tally["simplified"] = True
                continue
            expanded = (
                within(EXPAND_SECONDS, lambda e=by_value: sp.expand(e), by_value) if decided is None else by_value
            )
            if expanded == 0:
                continue
            if decided is None and not quick and not by_value.atoms(AppliedUndef):
                if not _clearly_nonzero(by_value, rng) and simplifies_to_zero(by_value):
                    tally["simplified"] = True
                    continue
            if not by_value.atoms(AppliedUndef):
                # compared by value from here on, never in δ: the δ are not independent of each other (δ^l is a
                # function of δ^{l+1} and z), so a point giving them values of their own is no network's
                answer, true, difference = answer_value, true_value, expanded
            # for every elementwise f (the abstract pass) the δ stay: the network's own functions decide after
        if difference is None:  # multiplied out where that is quick; a deep network's product is decided at points
            difference = within(EXPAND_SECONDS, lambda a=answer, t=true: sp.expand(a - t), answer - true)
            if difference == 0:
                continue
        if quick and (
            difference.atoms(AppliedUndef)
            or _clearly_nonzero(difference, rng)
            or not simplifies_to_zero(difference)  # 0 at a random point: worth simplifying (a softmax)
        ):
            return {"holds": False, "reason": "differs", "method": "exact"}
        if quick:
            continue
        if difference.is_number and difference.is_zero is False:  # a nonzero constant: wrong at every point
            at = f"{where}, " if where else ""
            entry = f"entry {_entry_text(q, combo)}: " if kind != "cost" else ""
            return {
                "holds": False,
                "side": n + 1,
                "reason": f"{at}{entry}the answer differs from the derived value by the constant "
                f"{as_text(sp.N(difference, 6))}",
                "residual": f"answer - derived = {as_text(difference)}",
                "residual_latex": latex(difference),
                "method": "exact",
            }
        # a difference far from 0 at a point (drawn apart from the counterexample's) is not simplified in vain
        maybe_zero = not _clearly_nonzero(difference, random.Random(len(entries)))
        if (not abstract or not difference.atoms(AppliedUndef)) and maybe_zero and simplifies_to_zero(answer - true):
            tally["simplified"] = True
            continue
        counterexample = _counterexample(answer, true, rng, abstract, constraints)
        if counterexample is None:
            tally["unproved"] += 1
            continue
        counterexample.update({"entry": list(combo), "layer_l": l, "side": n + 1})
        residual_expr = symbols.primed(_tidy(answer - true) if explain else answer - true)
        residual = as_text(residual_expr)
        at = f"{where}, " if where else ""
        entry = f"entry {_entry_text(q, combo)}: " if kind != "cost" else ""
        reason = f"{at}{entry}the answer differs from the derived value"
        return {
            "holds": False,
            "reason": reason,
            "side": n + 1,
            "counterexample": counterexample,
            "residual": f"answer - derived = {residual}",
            "residual_latex": latex(residual_expr),
            "method": "exact",
        }
    return None


#: How long a difference may be multiplied out before it is compared at points instead (a product of five
#: layers' matrices, W^1ᵀ ⋯ W^5ᵀ ∇_a C, takes tens of seconds to expand and one to evaluate).
EXPAND_SECONDS = 1.0

#: What a grade on probability targets assumes, in the verdict's words.
ASSUMED = "graded under sum_k y_k = 1, the cost's targets being probability vectors such as one-hot labels"


def _entry_text(q: Quantity, combo) -> str:
    named = [(str(i), c) for i, c in zip(q.indices, combo) if not isinstance(i, int)]
    if named:  # j=2 (a written number, w_{1j}'s 1, is no index to name)
        return ", ".join(f"{n}={c}" for n, c in named)
    return str(combo[0]) if len(combo) == 1 else f"({', '.join(str(c) for c in combo)})"  # entry 2, entry (1, 2)


def _counterexample(
    answer: sp.Expr, true: sp.Expr, rng: random.Random, abstract: bool, constraints: dict | None = None
) -> dict | None:
    """Values at which the sides differ (generic stand-ins for abstract f^l), or None.

    The point's symbols themselves are kept under ``"point"`` (for the printers), their names under ``"values"``.
    """
    left, right = answer, true
    if abstract:
        functions = {f.func for f in (left.atoms(sp.Function) | right.atoms(sp.Function)) if symbols.is_function(f)}
        bodies = {f: sp.Lambda(Z, sampling.stand_in(n + 2)) for n, f in enumerate(sorted(functions, key=str))}
        left, right = sampling.with_activations(left, bodies), sampling.with_activations(right, bodies)
    difference = sampling.find_difference(left, right, rng, digits=20, constraints=constraints)
    if difference is None:
        return None
    return {
        "values": difference.named_values(),
        "answer": difference.left.real,
        "derived": difference.right.real,
        "difference": (difference.left - difference.right).real,
        "point": tuple(difference.values.items()),
    }


def all_widths_proof(spec, nt, kind, q, sides, layers) -> str | Wrong | None:
    """A proof for every width, on the indexed network, or None where it does not apply or does not close."""
    try:
        for l in layers:
            net = indexed.IndexedNetwork(spec, notation=nt.name)
            backend = IndexedNames(net)
            k = internal_k(q, kind, nt, net.depth, l)
            rows, cols = dims_of(
                nt, kind.replace("delta_output", "delta").replace("delta_hidden", "delta"), k, net.depth
            )
            names = list(q.indices) if q.indices else ["p", "q"][: 1 if cols is None else 2]
            symbols = []
            for name, dim in zip(names, (rows, cols)):
                symbols.append(sp.Integer(name) if isinstance(name, int) else net.index(f"{name}", dim))
            truth = indexed_truth(net, kind, k, tuple(symbols))
            for side in sides:
                frame = Frame(
                    l=l,
                    own_layer=k if kind in ("delta_output", "delta_hidden", "bias", "weight") else None,
                    batch=False,
                )
                frame.env = {n: s for n, s in zip(names, symbols) if isinstance(n, str)}
                try:
                    value = Evaluator(backend, frame).eval(side)
                except Undescribed:
                    break  # an elision that reads at other layers only
                if nt.vectors == "rows" and cols is None:
                    value = as_column(value)
                answer = (
                    value.get(1, 1) if value.scalar else value.get(symbols[0], symbols[1] if len(symbols) > 1 else 1)
                )
                derived = indexed.normalize(truth, net.ranges)
                got = indexed.normalize(answer.doit() if hasattr(answer, "doit") else answer, net.ranges)
                difference = derived - got
                if not (indexed.is_zero(difference) or simplifies_to_zero(difference)):
                    return None
    except Wrong as wrong:
        return wrong
    except (Unsupported, GradingError, TypeError, ValueError, IndexError, AttributeError):
        return None
    return "all_widths: the component form holds for every width (symbolic n_l, Sum over Indexed), every elementwise f"


# -- many answers, and the report ---------------------------------------------------------------------


#: Factoring is tried for this long on the simplified residual (factoring 10^400 + ... or exp(800) + ... searches
#: primes for seconds); past it the residual is shown simplified, not factored.
FACTOR_SECONDS = 0.5


def _clearly_nonzero(expr: sp.Expr, rng: random.Random) -> bool:
    """Whether ``expr`` is far from 0 at a random point (then simplifying it cannot make it 0)."""
    point = {s: sp.Rational(rng.randint(11, 89), 100) for s in expr.free_symbols}
    try:
        value = complex(expr.xreplace(point).evalf(30))
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return abs(value) > 1e-9


def _tidy(expr: sp.Expr) -> sp.Expr:
    """The residual as a reader wants it: simplified and factored when SymPy manages in time, else expanded."""
    simplified = within(SIMPLIFY_SECONDS, lambda: sp.simplify(expr), sp.expand(expr))
    return within(FACTOR_SECONDS, lambda: sp.factor(simplified), simplified)


def grade_all(
    spec: Spec,
    submissions,
    *,
    notation: str | None = None,
    seed: int = 0,
    seconds: float | None = tree.ANSWER_SECONDS,
    jobs: int = 1,
    names: dict | None = None,
) -> GradeReport:
    """Verdicts on every :class:`~symbackprop.check.read.Submission`, in order, each within ``seconds``.

    An answer written the same way twice (a class's common slip) is graded once: the verdict depends only on
    the text, its equation and its notation (the counterexample's seed is fixed). With ``jobs`` > 1 the
    answers are graded by that many worker processes: the first student's answers are graded here first, so
    the derived truth they need is computed once and every worker inherits it (the caches of
    :mod:`~symbackprop.check.backends`, copied by fork)."""
    start = time.perf_counter()
    todo = list(submissions)
    distinct: dict[tuple, object] = {}
    for s in todo:
        distinct.setdefault(_grading_key(s, notation), s)
    unique = list(distinct.values())
    first = [s for s in unique if s.student == unique[0].student] if unique else []
    graded = {_grading_key(s, notation): _one(spec, s, notation, seed, seconds, names) for s in first[:WARM_ANSWERS]}
    rest = [s for s in unique if _grading_key(s, notation) not in graded]
    if jobs > 1 and len(rest) > 1 and "fork" in multiprocessing.get_all_start_methods():
        global _JOB
        _JOB = (spec, notation, seed, seconds, names)
        try:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(rest)), initializer=_quiet_worker) as pool:
                chunk = max(1, len(rest) // (jobs * 8))
                for s, verdict in zip(rest, pool.imap(_one_of_job, rest, chunksize=chunk)):
                    graded[_grading_key(s, notation)] = verdict
        finally:
            _JOB = None
    else:
        for s in rest:
            graded[_grading_key(s, notation)] = _one(spec, s, notation, seed, seconds, names)
    verdicts = tuple(_replace(graded[_grading_key(s, notation)], ident=s.ident, student=s.student) for s in todo)
    return GradeReport(spec, verdicts, time.perf_counter() - start)


#: At most this many of the first student's answers are graded before the workers start (their truth is shared).
WARM_ANSWERS = 8
#: What the workers of :func:`grade_all` grade against: (spec, notation, seed, seconds, names), set before they fork.
_JOB: tuple | None = None


def _quiet_worker() -> None:
    """A worker of :func:`grade_all` ends without a word when the pool ends it (SIGTERM), and leaves Ctrl-C to
    the parent: the CLI's SIGTERM handler, inherited by fork, would print a traceback from each idle worker."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _grading_key(s, notation: str | None) -> tuple:
    return (s.text, s.equation, s.notation or notation)


def _one(spec: Spec, s, notation: str | None, seed: int, seconds: float | None, names: dict | None) -> Verdict:
    return grade(
        spec,
        s.text,
        equation=s.equation,
        notation=s.notation or notation,
        ident=s.ident,
        seed=seed,
        seconds=seconds,
        names=names,
    )


def _one_of_job(s) -> Verdict:
    return _one(*_JOB[:1], s, *_JOB[1:])
