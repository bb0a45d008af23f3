"""Bounded time and memory in check (issue 16 item 3): size limits read before any work, and a time
budget per answer that reports "undecided" instead of running for minutes.

Each input here is one the issue measured: ``(a - y)^{200}`` took 52 s, ``^{99999999999}`` grew to
24 GB, five nested exp ran over 300 s, a product of 12 sums took 134 s.
"""

from __future__ import annotations

import time

import pytest
from paths import EXAMPLES

from symbackprop.check import tree
from symbackprop.check.grade import grade
from symbackprop.check.parse import parse_answer
from symbackprop.cli import main
from symbackprop.spec.load import load_spec

SPEC = load_spec(EXAMPLES / "notes.toml")
BP1 = r"(a^L_j - y_j) \sigma'(z^L_j)"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (r"\delta^L_j = (a^L_j - y_j)^{200}\sigma'(z^L_j)", "exponent too large"),
        (r"\delta^L_j = (a^L_j - y_j)^{99999999999}\sigma'(z^L_j)", "exponent too large"),
        (r"\delta^L_j = (a^L_j - y_j)^{-13}\sigma'(z^L_j)", "exponent too large"),
        (r"\delta^L_j = 10^{1001}", "exponent too large"),
        (r"\delta^L_j = \exp(\exp(\exp(\exp(\exp(a^L_j - y_j)))))\sigma'(z^L_j)", "more than 3 functions nested"),
        (r"\delta^L_j = \sigma(\sigma(\sigma(\sigma(z^L_j))))", "more than 3 functions nested"),
        (r"\delta^L_j = " + r"(\sum_k a^L_k)" * 12 + BP1, "too large to grade"),
        (
            r"\delta^2_1 = " + r"\frac{\partial}{\partial z^2_1}" * 120 + "(a^3_1)",
            "more than 3 functions or derivatives",
        ),
        (r"\delta^2_1 = \frac{\partial}{\partial z^2_1} " + r"(\sum_k a^L_k)" * 12, "too large to grade"),
        (r"\delta^L_j = (a^L_j" + r" + a^L_j" * 60 + BP1, "to close the bracket"),  # 61 places it could close
        ("dW = 0\nfor k in range(1000000000):\n    dW += k", "the loop takes 1000000000 values"),
        ("dW = 0\nfor k in range(100):\n  for j in range(100):\n    dW += k", "more than 200 statements"),
    ],
)
def test_oversized_answers_are_refused_quickly_naming_the_limit(answer, message):
    start = time.perf_counter()
    v = grade(SPEC, answer)
    assert v.status == "error" and message in v.reason
    assert time.perf_counter() - start < 5  # refused before SymPy works on it (it took minutes before)


def test_sizes_within_the_limits_are_graded():
    assert grade(SPEC, rf"\delta^L_j = {BP1} + 10^{{-12}}").status == "wrong"
    assert grade(SPEC, r"\delta^L_j = 10^{400}").status == "wrong"
    assert grade(SPEC, r"\delta^L_j = \frac{(a^L_j - y_j)^{12}}{(a^L_j - y_j)^{11}} \sigma'(z^L_j)").correct
    assert grade(SPEC, r"\delta^L_j = \exp(\log(\exp(a^L_j - y_j))) \sigma'(z^L_j)").status == "wrong"  # 3 nested


def test_the_expansion_estimate_counts_sums_and_matrix_products_not_entries():
    def terms(text: str, width: int = 4) -> int:
        return tree.expanded_terms(parse_answer(text).sides[-1], width)

    assert terms(r"\delta = a^L_j - y_j") == 2
    assert terms(r"\delta = \sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)") == 4  # entries: no extra sum
    assert terms(r"\delta = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)") == 4  # one matrix product
    assert terms(r"\delta = (a^L_j - y_j)^3") == 8
    assert terms(r"\delta = " + r"(\sum_k a^L_k)" * 12) == tree.MAX_EXPANDED_TERMS + 1  # capped


def test_an_answer_over_its_time_budget_is_undecided_and_says_so():
    v = grade(SPEC, r"\delta^L_j = (a^L_j - y_j)^{12}\sigma'(z^L_j)", seconds=0.05)
    assert v.status == "undecided" and not v.correct
    assert "0.05 s budget" in v.reason and "--answer-seconds" in v.reason
    assert v.seconds < 2


def test_check_reports_undecided_answers_and_exits_1(tmp_path, capsys):
    answers = tmp_path / "a.txt"
    answers.write_text("slow: \\delta^L_j = (a^L_j - y_j)^{12}\\sigma'(z^L_j)\n", encoding="utf-8")
    code = main(["check", str(EXAMPLES / "notes.toml"), "--answers", str(answers), "--answer-seconds", "0.05"])
    out = capsys.readouterr().out
    assert code == 1
    assert "[UNDECIDED] slow" in out and "0 correct, 0 wrong, 0 errors, 1 undecided" in out


@pytest.mark.parametrize("seconds", ["0", "-1", "inf", "nan"])
def test_answer_seconds_must_be_a_positive_number(seconds, capsys):
    code = main(["check", str(EXAMPLES / "notes.toml"), "--formula", "delta^L = 1", "--answer-seconds", seconds])
    assert code == 2 and "--answer-seconds" in capsys.readouterr().err
