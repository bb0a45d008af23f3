"""Files of answers: ``ID (EQUATION, NOTATION): FORMULA`` per entry, with continuation lines and comments."""

from __future__ import annotations

import re
from dataclasses import dataclass

from symbackprop.check.tree import AnswerError
from symbackprop.notation.catalogue import NOTATIONS

# -- files of answers --------------------------------------------------------------------------------

#: The largest answers file ``check --answers`` reads: 4 MB, some 20,000 answers of 200 characters.
MAX_ANSWERS_BYTES = 4_000_000

_HEADER = re.compile(r"^(?P<id>[A-Za-z0-9_.\-]+)\s*(?:\((?P<options>[^)]*(?:\)[^):]*)*)\))?\s*:(?P<formula>.*)$")


@dataclass(frozen=True)
class Submission:
    """One answer of a file: its identifier, the formula, and optionally its equation and notation."""

    ident: str
    text: str
    equation: str | None = None
    notation: str | None = None
    line: int = 0
    student: str = ""  # in a class (check --answers FOLDER): the name of the student's file


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


def read_answers(
    text: str, source: str = "<answers>", notations: tuple[str, ...] | None = None, student: str = ""
) -> list[Submission]:
    """The answers of a file in the format :data:`FILE_FORMAT` describes (``notations``: the catalogue's), each
    marked as ``student``'s."""
    notations = tuple(NOTATIONS) if notations is None else notations
    result: list[Submission] = []
    current: dict | None = None
    seen: set[str] = set()

    def close():
        if current is not None:
            result.append(
                Submission(
                    current["id"], current["text"].strip(), current["eq"], current["nt"], current["line"], student
                )
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
