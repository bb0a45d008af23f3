"""A whole class at once (issue 13): a folder or a pattern of students' files, the gradebook, the summary,
the report whose first page is the summary, grading in parallel with the same verdicts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from symbackprop.check import classroom
from symbackprop.check.grade import grade_all
from symbackprop.check.read import read_answers
from symbackprop.cli import main
from symbackprop.spec.load import load_spec

ANSWERS = Path(__file__).parent / "answers"
SPEC = ANSWERS / "notes.toml"

#: Three students: the notes' textbook forms and two common slips (transpose, f' at the wrong layer).
CLASS = {
    "alice": "q1 (BP1): \\delta^L = \\nabla_a C \\odot \\sigma'(z^L)\n"
    "q2: \\delta^l = ((W^{l+1})^T \\delta^{l+1}) \\odot \\sigma'(z^l)\n",
    "bob": "q1 (BP1): \\delta^L = \\nabla_a C \\odot \\sigma'(z^{L-1})\n"
    "q2: \\delta^l = (W^{l+1} \\delta^{l+1}) \\odot \\sigma'(z^l)\n",
    "carol": "q1 (BP1): \\delta^L = \\nabla_a C \\odot \\sigma'(z^{L-1})\nq2: \\delta^l = \\oslash\n",
}


def _class(folder: Path, files: dict[str, str] = CLASS) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_a_folder_is_graded_into_a_gradebook_and_a_summary(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = _class(tmp_path / "submissions")
    assert main(["check", str(SPEC), "--answers", str(folder), "--jobs", "1"]) == 2  # carol's q2 is unreadable
    out = capsys.readouterr().out
    assert "3 students, 6 answers, 2 correct, 3 wrong, 1 error" in out
    assert "2 × σ'(z^{L-1}) is taken at the wrong layer: it should be σ'(z^L)" in out
    assert "1 × a missing transpose: W^{l+1} should be (W^{l+1})ᵀ" in out
    assert "alice  2/2 correct" in out and "carol  0/2 correct; q1 wrong, q2 error" in out
    rows = _rows(tmp_path / "gradebook.csv")
    assert [(r["student"], r["answer"], r["verdict"]) for r in rows] == [
        ("alice", "q1", "correct"),
        ("alice", "q2", "correct"),
        ("bob", "q1", "wrong"),
        ("bob", "q2", "wrong"),
        ("carol", "q1", "wrong"),
        ("carol", "q2", "error"),
    ]
    assert rows[2]["mistake"] == "σ'(z^{L-1}) is taken at the wrong layer: it should be σ'(z^L)"
    assert rows[5]["reason"].startswith("unknown LaTeX command \\oslash")
    assert rows[0]["formula"] == "\\delta^L = \\nabla_a C \\odot \\sigma'(z^L)"


def test_a_quoted_pattern_names_the_files_and_a_broken_file_is_that_students_row(tmp_path, capsys):
    folder = _class(tmp_path / "subs", {**CLASS, "dave": "this line is not an answer\n"})
    (folder / "notes.md").write_text("not matched by the pattern", encoding="utf-8")
    book = tmp_path / "book.csv"
    code = main(["check", str(SPEC), "--answers", str(folder / "*.txt"), "--gradebook", str(book), "--jobs", "1"])
    assert code == 2
    rows = _rows(book)
    assert {r["student"] for r in rows} == {"alice", "bob", "carol", "dave"}
    (dave,) = [r for r in rows if r["student"] == "dave"]
    assert dave["verdict"] == "error" and "dave.txt: line 1: expected 'ID: formula'" in dave["reason"]


def test_nothing_to_grade_is_a_clear_error_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert main(["check", str(SPEC), "--answers", str(tmp_path / "empty")]) == 2
    assert "has no *.txt files" in capsys.readouterr().err
    assert main(["check", str(SPEC), "--answers", str(tmp_path / "none-*.txt")]) == 2
    assert "matches no file" in capsys.readouterr().err
    assert not (tmp_path / "gradebook.csv").exists()


def test_someone_elses_gradebook_is_not_overwritten_and_nothing_is_graded(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = _class(tmp_path / "submissions")
    (tmp_path / "gradebook.csv").write_text("the teacher's own marks\n", encoding="utf-8")
    assert main(["check", str(SPEC), "--answers", str(folder)]) == 2
    captured = capsys.readouterr()
    assert "gradebook.csv" in captured.err and captured.out == ""
    assert (tmp_path / "gradebook.csv").read_text(encoding="utf-8") == "the teacher's own marks\n"


def test_parallel_grading_gives_the_verdicts_of_serial_grading_in_order():
    spec = load_spec(SPEC)
    subs = read_answers((ANSWERS / "notes.txt").read_text(encoding="utf-8"))[::2]  # textbook forms and slips
    # every answer twice, by two students: the second copy is graded once and shares the verdict
    people = [s.__class__(**{**s.__dict__, "student": who}) for who in ("p1", "p2") for s in subs]
    serial = grade_all(spec, people, jobs=1)
    parallel = grade_all(spec, people, jobs=2)
    key = lambda v: (v.student, v.ident, v.status, v.mistake, v.reason, v.parsed)  # noqa: E731
    assert [key(v) for v in parallel.verdicts] == [key(v) for v in serial.verdicts]
    assert [v.student for v in serial.verdicts] == ["p1"] * len(subs) + ["p2"] * len(subs)


def test_the_class_report_opens_with_the_summary_and_groups_the_same_answer(tmp_path):
    folder = _class(tmp_path / "submissions")
    submissions, unreadable = classroom.read_class(classroom.answer_files(str(folder)))
    report = classroom.with_file_errors(grade_all(load_spec(SPEC), submissions), unreadable)
    tex = classroom.class_latex(report)
    summary, _, sections = tex.partition("\\section*{Answer")
    assert "Mistakes, by how often they occur" in summary and "\\section*{The students}" in summary
    assert "\\texttt{carol} & 0/2" in summary
    # bob's and carol's q1 are the same slip, written the same way: one section names both
    assert "\\paragraph{Written by.} bob (q1), carol (q1)." in sections
    assert sections.count("\\paragraph{Written by.}") == 3


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_must_be_positive(jobs, capsys):
    assert main(["check", str(SPEC), "--formula", "\\delta^L = a^L - y", "--jobs", jobs]) == 2
    assert "--jobs: must be a positive number" in capsys.readouterr().err


def test_the_workers_end_quietly_and_leave_ctrl_c_to_the_parent():
    # the CLI's SIGTERM handler raises KeyboardInterrupt; inherited by a forked worker, it printed a traceback
    # when the pool ended its idle workers (seen in 2 of 6 runs of check --answers --jobs 2)
    import multiprocessing
    import signal

    from symbackprop.check import grade as grading

    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        with multiprocessing.get_context("fork").Pool(1, initializer=grading._quiet_worker) as pool:
            handlers = pool.apply(_handlers)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert handlers == (signal.SIG_DFL, signal.SIG_IGN)


def _handlers():
    import signal

    return signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
