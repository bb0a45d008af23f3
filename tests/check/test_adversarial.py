"""check cannot be fooled (issue 16 item 1): hypothesis adds huge or tiny terms, divisions by zero and
cancelling products to right answers.

A right answer plus a term that is not zero (10^{-15} as well as 10^{400}), or times a factor that is not
one (1 + 10^{-12}), is never graded correct; a division by zero never makes an answer correct; adding a
term that cancels (0 · 10^{300}, 2 · 10^{-15} − 2/10^{15}) or multiplying by one written as a quotient
(10^{300}/10^{300}) keeps a right answer right. The truth of each case is arithmetic on the perturbation
alone, independent of the tool; the base answers are textbook forms (Nielsen ch. 2).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import EXAMPLES

from symbackprop.check.grade import grade
from symbackprop.spec.load import load_spec

SPEC = load_spec(EXAMPLES / "notes.toml")

#: Right answers (Nielsen ch. 2 and the notes, in component form), each with a side that perturbations join.
RIGHT = (
    r"\frac{\partial C}{\partial b^l_j} = \delta^l_j",
    r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j",
    r"\delta^L_j = (a^L_j - y_j) \sigma'(z^L_j)",
)

#: Terms that are not zero, and factors that are not one: the answer becomes wrong.
NONZERO_TERMS = st.one_of(
    st.integers(1, 15).map(lambda k: rf"10^{{-{k}}}"),
    st.integers(100, 400).map(lambda k: rf"10^{{{k}}}"),
    st.integers(1, 12).map(lambda k: rf"\frac{{1}}{{10^{{{k}}}}}"),
)
FACTORS_NOT_ONE = st.integers(1, 14).map(lambda k: rf"(1 + 10^{{-{k}}})")
#: Undefined pieces: an answer holding one is never right.
UNDEFINED = st.sampled_from([r"\frac{1}{0}", r"\frac{0}{0}", r"\log(0)", r"\frac{\delta^l_j}{0}"])
#: Terms that are zero, and factors that are one: the answer stays right.
ZERO_TERMS = st.one_of(
    st.integers(1, 300).map(lambda k: rf"0 \cdot 10^{{{k}}}"),
    st.integers(1, 15).map(lambda k: rf"(2 \cdot 10^{{-{k}}} - \frac{{2}}{{10^{{{k}}}}})"),  # tiny terms that cancel
    st.integers(2, 9).map(lambda k: rf"({k} - {k})"),
)
FACTORS_ONE = st.one_of(
    st.integers(1, 300).map(lambda k: rf"\frac{{10^{{{k}}}}}{{10^{{{k}}}}}"),
    st.integers(2, 99).map(lambda k: rf"\frac{{{k}}}{{{k}}}"),
)


def _perturbed(right: str, how: str, piece: str) -> str:
    lhs, rhs = right.split(" = ")
    return f"{lhs} = {rhs} + {piece}" if how == "add" else f"{lhs} = ({rhs}) \\cdot {piece}"


CASES = st.one_of(
    st.tuples(st.sampled_from(RIGHT), st.just("add"), NONZERO_TERMS, st.just(False)),
    st.tuples(st.sampled_from(RIGHT), st.just("times"), FACTORS_NOT_ONE, st.just(False)),
    st.tuples(st.sampled_from(RIGHT), st.sampled_from(["add", "times"]), UNDEFINED, st.just(False)),
    st.tuples(st.sampled_from(RIGHT), st.just("add"), ZERO_TERMS, st.just(True)),
    st.tuples(st.sampled_from(RIGHT), st.just("times"), FACTORS_ONE, st.just(True)),
)


@pytest.mark.parametrize("right", RIGHT)
def test_the_base_answers_are_right(right):
    assert grade(SPEC, right).status == "correct"


@pytest.mark.slow  # 40 gradings, about 5 s
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(CASES)
def test_perturbed_right_answers_are_graded_by_the_perturbation(case):
    right, how, piece, still_right = case
    answer = _perturbed(right, how, piece)
    verdict = grade(SPEC, answer)
    if still_right:
        assert verdict.status == "correct", f"{answer}: {verdict.status}: {verdict.reason}"
    else:
        assert verdict.status != "correct", f"{answer} was graded correct"


def test_the_derivative_of_the_activation_at_the_input_layer_is_wrong_not_a_crash():
    # found by mutating the corpus: f'(a^{(l)}) at UFLDL's l = 1 (the input, internal layer 0) raised IndexError
    from symbackprop.check.grade import grade
    from symbackprop.spec.load import make_spec

    spec = make_spec(name="u", layers=[3, 3, 2], activation="sigmoid", notation="ufldl")
    v = grade(spec, r"\delta^{(l)}_i = \left( \sum_{j=1}^{s_{l+1}} W^{(l)}_{ji} \delta^{(l+1)}_j \right) f'(a^{(l)}_i)")
    assert v.status == "wrong"
    v = grade(spec, r"\frac{\partial J}{\partial W^{(1)}_{11}} = a^{(1)}_1 f'(a^{(1)}_1)")
    assert v.status == "wrong" and "no activation function acts on the input" in v.reason, v.reason
