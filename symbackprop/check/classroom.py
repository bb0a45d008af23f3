"""A whole class at once: every student's file of answers, one gradebook and a summary of the mistakes.

``check SPEC --answers 'submissions/*.txt'`` (a glob pattern) or ``--answers submissions/`` (a folder: its
``*.txt`` files) grades every file; each file is one student's, named by the file's name without ``.txt``.
A file that cannot be read (not UTF-8, a layout error) is that student's error row, not the end of the run.
"""

from __future__ import annotations

import csv
import glob
import io
from pathlib import Path

from symbackprop.check.answers import MAX_ANSWERS_BYTES, AnswerFileError, Submission, read_answers
from symbackprop.check.verdict import GradeReport, Verdict, answer_page, headline, mistake_counts, report_latex
from symbackprop.errors import SymbackpropError
from symbackprop.files import read_regular
from symbackprop.printing.latex import escaped_text as _tex


class ClassError(SymbackpropError, ValueError):
    """--answers names no file of answers (an empty folder, a pattern that matches nothing)."""


def is_class(pattern: str) -> bool:
    """Whether ``--answers`` names several students' files: a folder or a glob pattern, not one file."""
    return Path(pattern).is_dir() or (glob.has_magic(pattern) and not Path(pattern).is_file())


def answer_files(pattern: str) -> list[Path]:
    """The files a folder (its ``*.txt``) or a glob pattern names, sorted by name."""
    if Path(pattern).is_dir():
        files = sorted(p for p in Path(pattern).glob("*.txt") if p.is_file())
        where = f"the folder {pattern} has no *.txt files"
    else:
        files = sorted(Path(p) for p in glob.glob(pattern) if Path(p).is_file())
        where = f"the pattern {pattern!r} matches no file"
    if not files:
        raise ClassError(f"--answers: {where}; give a file of answers, a folder of *.txt files, or a quoted pattern")
    return files


def student_names(files: list[Path]) -> list[str]:
    """Each file's student: its name without the suffix, or, where two share a name, its path."""
    stems = [f.stem for f in files]
    return [f.stem if stems.count(f.stem) == 1 else str(f.with_suffix("")) for f in files]


def read_class(files: list[Path]) -> tuple[list[Submission], list[Verdict]]:
    """Every student's answers, and an error row for each file that cannot be read (named, with why)."""
    submissions: list[Submission] = []
    unreadable: list[Verdict] = []
    for path, student in zip(files, student_names(files)):
        try:
            raw = read_regular(path, MAX_ANSWERS_BYTES)
            if len(raw) > MAX_ANSWERS_BYTES:
                raise AnswerFileError(f"{path}: too large: an answers file is at most {MAX_ANSWERS_BYTES:_} bytes")
            submissions += read_answers(raw.decode("utf-8"), source=str(path), student=student)
        except UnicodeDecodeError as error:
            unreadable.append(
                _file_error(student, f"{path}: not UTF-8 text (byte {error.start}); an answers file is text")
            )
        except OSError as error:
            unreadable.append(_file_error(student, f"{path}: cannot read the answers: {error.strerror}"))
        except AnswerFileError as error:
            unreadable.append(_file_error(student, str(error)))
    return submissions, unreadable


def _file_error(student: str, reason: str) -> Verdict:
    return Verdict("(file)", "", "error", reason=reason, student=student)


def with_file_errors(report: GradeReport, unreadable: list[Verdict]) -> GradeReport:
    """The report with the unreadable files' rows, in the order of the students' names."""
    if not unreadable:
        return report
    order = {name: n for n, name in enumerate(sorted({v.student for v in (*report.verdicts, *unreadable)}))}
    verdicts = sorted((*report.verdicts, *unreadable), key=lambda v: order[v.student])  # stable: answers in order
    return GradeReport(report.spec, tuple(verdicts), report.seconds)


# -- what the teacher reads ---------------------------------------------------------------------------

#: The gradebook's columns: who, which answer, the verdict and the mistake in words, then what was graded.
GRADEBOOK_COLUMNS = ("student", "answer", "verdict", "mistake", "equation", "formula", "reason")


def gradebook_csv(report: GradeReport) -> str:
    """One CSV row per answer (:data:`GRADEBOOK_COLUMNS`); a correct answer's reason is empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GRADEBOOK_COLUMNS)
    for v in report.verdicts:
        reason = "" if v.correct else v.reason
        writer.writerow((v.student, v.ident, v.status, v.mistake, v.equation or "", v.text, reason))
    return out.getvalue()


def students(report: GradeReport) -> list[dict]:
    """Per student, in order: the name, how many answers are correct of how many, the answers not correct."""
    rows: dict[str, dict] = {}
    for v in report.verdicts:
        row = rows.setdefault(v.student, {"student": v.student, "correct": 0, "answers": 0, "not_correct": []})
        row["answers"] += v.ident != "(file)"
        row["correct"] += v.correct
        if not v.correct:
            row["not_correct"].append(v)
    return list(rows.values())


def summary_text(report: GradeReport) -> str:
    """The class in a few lines: the counts, the mistakes by how often they occur, then one line per student."""
    people = students(report)
    lines = [headline(report, len(people)), ""]
    mistakes = mistake_counts(report.verdicts)
    if mistakes:
        lines.append("Mistakes, most frequent first:")
        lines += [f"  {n:4d} × {text}" for text, n in mistakes]
        unnamed = sum(v.status == "wrong" and not v.mistake for v in report.verdicts)
        if unnamed:
            lines.append(f"  {unnamed:4d} × wrong, with no single slip to name (see the gradebook's reason)")
        lines.append("")
    lines.append("Students:")
    width = max(len(p["student"]) for p in people)
    for p in people:
        missed = ", ".join(f"{v.ident} {v.status}" for v in p["not_correct"])
        lines.append(
            f"  {p['student']:<{width}}  {p['correct']}/{p['answers']} correct" + (f"; {missed}" if missed else "")
        )
    return "\n".join(lines) + "\n"


#: A verdict without a named mistake, in the students' table.
_STATUS_WORDS = {"wrong": "wrong", "error": "not readable", "undecided": "undecided"}


def class_latex(report: GradeReport) -> str:
    """The class's report: first the summary (the counts, the mistakes by how often they occur, one row per
    student), then one section per distinct answer that is not correct, with the students who wrote it."""
    rows = []
    for p in students(report):
        rows.append(
            {
                "student": _tex(p["student"]),
                "score": f"{p['correct']}/{p['answers']}",
                "missed": "; ".join(
                    _tex(v.ident) + ": " + (v.mistake_latex or _tex(v.mistake or _STATUS_WORDS[v.status]))
                    for v in p["not_correct"]
                ),
            }
        )
    groups: dict[tuple, list[Verdict]] = {}
    for v in report.verdicts:
        if not v.correct:
            groups.setdefault((v.text, v.equation, v.notation, v.reason), []).append(v)
    pages = []
    for same in groups.values():
        page = answer_page(same[0])
        page["ident"] = _tex(f"{same[0].student}, {same[0].ident}")
        page["who"] = ", ".join(_tex(f"{v.student} ({v.ident})") for v in same)
        pages.append(page)
    return report_latex(report, students=rows, pages=pages)
