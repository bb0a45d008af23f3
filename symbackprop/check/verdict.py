"""A verdict on one answer and the report of many, rendered as text, JSON and LaTeX."""

from __future__ import annotations

from dataclasses import dataclass, field

from symbackprop.errors import SymbackpropError
from symbackprop.printing.data import dumps
from symbackprop.printing.latex import latex
from symbackprop.printing.words import count
from symbackprop.spec.model import Spec
from symbackprop.templating import tex_environment


class GradingError(SymbackpropError, ValueError):
    """An answer that can be read but not graded (no quantity named, an unknown equation): says what to write."""


class FreeIndex(GradingError):
    """An index neither on the left-hand side nor summed over: the text is no formula of one entry."""


class Undescribed(Exception):
    """At this layer the answer's elision cannot be read: the terms written on either side of it run past each
    other (the notes' δ^l = (f^l)' ∘ (W^{l+1})ᵀ (f^{l+1})' ∘ ⋯ ∘ (W^{L-1})ᵀ … at l = L − 1). The answer is checked
    at the other layers."""


class Wrong(Exception):
    """The answer cannot be formed in the network (shapes, layers or indices that do not exist): a wrong answer.
    ``words``: the same message with the answer's parts as nodes (a :class:`~symbackprop.check.show.Words`), so
    a report can typeset them."""

    def __init__(self, message: str, words=None):
        super().__init__(message)
        self.words = words


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer."""

    ident: str
    text: str
    status: str  # correct | wrong | error (unreadable) | undecided (its time budget ran out)
    equation: str | None = None
    notation: str | None = None
    quantity: str = ""
    method: str = ""  # exact | all_widths | numeric
    proofs: tuple[str, ...] = ()
    reason: str = ""
    counterexample: dict | None = None
    wrong_term: str = ""  # the residual, answer - derived
    mistake: str = ""  # the mistake in a teacher's words, where one correction makes the answer right
    mistake_latex: str = field(default="", compare=False, repr=False)  # the same words typeset, for documents
    note: str = ""
    parsed: str = ""
    parsed_latex: str = ""
    residual_latex: str = ""
    reason_latex: str = field(default="", compare=False, repr=False)  # the reason typeset, where it names parts
    error_column: int | None = None
    seconds: float = 0.0
    point: tuple = field(default=(), compare=False, repr=False)  # the counterexample's (symbol, value) pairs
    student: str = ""  # in a class: whose answer (the name of the student's file)

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def to_dict(self) -> dict:
        return {
            **({"student": self.student} if self.student else {}),
            "id": self.ident,
            "answer": self.text,
            "status": self.status,
            "equation": self.equation,
            "notation": self.notation,
            "quantity": self.quantity,
            "method": self.method,
            "proofs": list(self.proofs),
            "reason": self.reason,
            "counterexample": self.counterexample,
            "wrong_term": self.wrong_term,
            "mistake": self.mistake,
            "note": self.note,
            "parsed": self.parsed,
            "parsed_latex": self.parsed_latex,
            "residual_latex": self.residual_latex,
            "error_column": self.error_column,
            "seconds": round(self.seconds, 4),
        }


@dataclass(frozen=True)
class GradeReport:
    spec: Spec
    verdicts: tuple[Verdict, ...]
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 every answer correct; 1 one is wrong or undecided (as verify's exit when a budget runs out);
        2 one cannot be read."""
        if any(v.status == "error" for v in self.verdicts):
            return 2
        return 0 if all(v.correct for v in self.verdicts) else 1

    def to_dict(self) -> dict:
        counts = {s: sum(v.status == s for v in self.verdicts) for s in STATUSES}
        return {
            "spec": self.spec.name,
            "notation": self.spec.notation,
            **counts,
            "verdicts": [v.to_dict() for v in self.verdicts],
            "seconds": round(self.seconds, 4),
        }

    def to_json(self) -> str:
        return dumps(self.to_dict(), indent=2)  # NaN and inf as strings: valid JSON


#: The statuses of a verdict, in the order the report counts them.
STATUSES = ("correct", "wrong", "error", "undecided")
_MARK = {"correct": "[ok]   ", "wrong": "[WRONG]", "error": "[ERROR]", "undecided": "[UNDECIDED]"}


def headline(report: GradeReport, students: int | None = None) -> str:
    """The report's first line: the spec, the counts (of a class's students too), the seconds."""
    spec, d = report.spec, report.to_dict()
    who = f"{count(students, 'student')}, " if students is not None else ""
    return (
        f"check: {spec.name} (layers {list(spec.layers)}, {spec.notation} notation): {who}"
        f"{count(len(report.verdicts), 'answer')}, "
        f"{d['correct']} correct, {d['wrong']} wrong, {count(d['error'], 'error')}"
        + (f", {d['undecided']} undecided" if d["undecided"] else "")
        + f" ({report.seconds:.2f} s)"
    )


def report_text(report: GradeReport) -> str:
    """The graded report as plain text, one block per answer."""
    lines = [headline(report), ""]
    for v in report.verdicts:
        head = " ".join(p for p in (_MARK[v.status], v.ident, v.equation or "", v.notation or "", v.method) if p)
        lines.append(head)
        if v.status in ("error", "undecided"):
            lines.append(f"        {v.reason}")
            if v.error_column:
                flat = v.text.replace("\n", " ")
                lines.append(f"        {flat}")
                lines.append("        " + " " * (v.error_column - 1) + "^")
            lines.append("")
            continue
        lines.append(f"        read as: {v.parsed}")
        for proof in v.proofs:
            lines.append(f"        {proof}")
        if v.status == "wrong":
            lines.append(f"        {v.reason}")
            ce = v.counterexample
            if ce:
                values = ", ".join(f"{k} = {_short(x)}" for k, x in ce["values"].items())
                lines.append(f"        counterexample: {values}")
                lines.append(
                    f"        answer = {_short(ce['answer'])}, derived = {_short(ce['derived'])}, "
                    f"difference = {_short(ce['difference'])}"
                )
            if v.mistake:
                lines.append(f"        mistake: {v.mistake}")
            if v.wrong_term:
                lines.append(f"        wrong: {v.wrong_term}")
        if v.note:
            lines.append(f"        note: {v.note}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _short(x: float) -> str:
    return f"{x:.6g}"


#: Each verdict as the report's summary table writes it.
VERDICT_TEX = {
    "correct": r"\textcolor{green!50!black}{correct}",
    "wrong": r"\textcolor{red!70!black}{wrong}",
    "undecided": r"\textcolor{orange!80!black}{undecided}",
    "error": r"\textcolor{orange!80!black}{not readable}",
}


def mistake_counts(verdicts) -> list[tuple[str, int]]:
    """The mistakes named in wrong answers, most frequent first (ties in order of first appearance)."""
    counts: dict[str, int] = {}
    for v in verdicts:
        if v.status == "wrong" and v.mistake:  # one exercise's same slip has the same words in every answer
            counts[v.mistake] = counts.get(v.mistake, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


def report_latex(report: GradeReport, students: list[dict] | None = None, pages: list[dict] | None = None) -> str:
    """The report as a standalone LaTeX document: a summary table of every answer (verdict, mistake in words),
    the mistakes by how often they occur, then a section per answer that is not correct
    (``templates/check.tex.j2``). A class's report (:func:`~symbackprop.check.classroom.class_latex`) gives
    ``students`` (its summary table, one row per student) and its ``pages``."""
    typeset = {v.mistake: v.mistake_latex for v in report.verdicts if v.mistake}
    d = report.to_dict()
    return (
        tex_environment()
        .get_template("check.tex.j2")
        .render(
            spec=_tex(report.spec.name),
            layers=str(list(report.spec.layers)),
            notation=_tex(report.spec.notation),
            correct=d["correct"],
            wrong=d["wrong"],
            errors=d["error"],
            undecided=d["undecided"],
            pages=[answer_page(v) for v in report.verdicts] if pages is None else pages,
            students=students,
            mistakes=[(typeset.get(text) or _tex(text), count) for text, count in mistake_counts(report.verdicts)],
        )
    )


def _tex(text: str) -> str:
    from symbackprop.printing.latex import escaped_text

    return escaped_text(text)


def answer_page(v: Verdict) -> dict:
    """One answer as the report's template shows it: its summary row and its section."""
    ce = v.counterexample or {}
    return {
        "ident": _tex(v.ident),
        "ident_breakable": _tex(v.ident).replace("-", r"-\allowbreak{}"),  # long IDs wrap in the table
        "status": v.status,
        "verdict": VERDICT_TEX[v.status],
        "summary": v.mistake_latex
        or (v.reason_latex if v.status != "correct" and not v.mistake else "")
        or _tex(v.mistake or (v.reason if v.status != "correct" else "")),
        "equation": _tex(v.equation or "-"),
        "notation": _tex(v.notation or "-"),
        "method": _tex(v.method or "-"),
        "formula": v.parsed_latex,
        "answer_text": _tex(v.text.replace("\n", " ")),
        "proofs": [_tex(p) for p in v.proofs],
        "reason": v.reason_latex or _tex(v.reason),
        "wrong_term": _tex(v.wrong_term),
        "mistake": v.mistake_latex or _tex(v.mistake),
        "note": _tex(v.note),
        "point": [(latex(symbol), _short(float(x))) for symbol, x in v.point],
        "residual": v.residual_latex,
        "answer_value": _short(ce["answer"]) if "answer" in ce else "",
        "derived_value": _short(ce["derived"]) if "derived" in ce else "",
        "difference": _short(ce["difference"]) if "difference" in ce else "",
        "who": "",
    }
