"""A wrong answer's mistake named as a teacher would (issue 13 item 4): the one correction that makes it right."""

from __future__ import annotations

import pytest
from paths import EXAMPLES

from symbackprop.check.grade import grade
from symbackprop.spec.load import load_spec, make_spec

NOTES = load_spec(EXAMPLES / "notes.toml")  # layers [3, 4, 2], W^l, f^l, ∘


@pytest.mark.parametrize(
    ("answer", "mistake"),
    [
        (r"\delta^l = (W^{l+1} \delta^{l+1}) \circ f'(z^l)", "a missing transpose: W^{l+1} should be (W^{l+1})ᵀ"),
        (r"\delta^l = ((W^{l+1})^T \delta^{l+1}) \circ f'(z^{l+1})", "f'(z^{l+1}) is taken at the wrong layer"),
        (r"\frac{\partial C}{\partial W^l_{jk}} = a^{l-1}_j \delta^l_k", "the indices j and k are swapped"),
        (r"\delta^l = ((W^{l})^T \delta^{l}) \circ f'(z^{l-1})", "the layer numbers are off by one"),
        (r"\delta^L = (y - a^L) \circ f'(z^L)", "the sign of y - a^L"),
        (r"\delta^L = 2 (a^L - y) \circ f'(z^L)", "a factor 2 too many"),
        # one quantity of the neighbouring layer (the class benchmark's commonest unnamed slip)
        (r"\delta^l = ((W^{l})^T \delta^{l+1}) \circ f'(z^l)", "W^l is from the wrong layer: it should be W^{l+1}"),
        (r"\frac{\partial C}{\partial W^l} = \delta^l (a^{l})^T", "a^l is from the wrong layer: it should be a^{l-1}"),
        # the kinds of slip the real corpus has (tests/check/corpus): f' left out, the wrong product, the
        # outer product's factors in the wrong order, a layer number where the general layer belongs
        (r"\delta^l = (W^{l+1})^T \delta^{l+1}", "the factor f'(z^l) is missing"),
        ("delta^L = a^L - y", "the factor f'(z^L) is missing"),
        (r"\delta^l = ((W^{l+1})^T \delta^{l+1}) f'(z^l)", "a matrix product where the elementwise product belongs"),
        (r"\frac{\partial C}{\partial W^l} = (a^{l-1})^T \circ \delta^l", "the factors are in the wrong order"),
        (r"\frac{\partial C}{\partial W^l} = a^{l-1} (\delta^l)^T", "the answer is transposed"),
        (r"\delta^L = a^L \circ (1 - a^L)", "the factor ∂C/∂a^L is missing"),  # a(1 − a) taken for ∂C/∂z^L
        (r"\delta^l_j = \sum_k w^{l+1}_{kj} \delta^{l+1}_j \sigma'(z^l_j)", "δ^{l+1}_j has the wrong index"),
    ],
)
def test_the_mistake_is_named(answer, mistake):
    v = grade(NOTES, answer)
    assert v.status == "wrong" and mistake in v.mistake, (v.mistake, v.reason)


def test_no_mistake_is_named_when_no_single_correction_makes_the_answer_right():
    v = grade(NOTES, r"\delta^L = a^L \circ z^L")
    assert v.status == "wrong" and v.mistake == ""


SOFTMAX = load_spec(EXAMPLES / "softmax.toml")


@pytest.mark.parametrize(
    ("spec", "answer", "mistake"),
    [
        # a constant factor, found at the counterexample and confirmed exactly (the notebook's 4./m bug)
        (NOTES, r"\delta^L = 3 (a^L - y) \circ f'(z^L)", "a factor 3 too many: the answer is 3 times the right value"),
        (NOTES, r"\delta^L = \frac{1}{3} (a^L - y) \circ f'(z^L)", "a factor 3 is missing"),
        # a softmax output: a - y holds only for the softmax itself, so corrections are tried for it
        (SOFTMAX, r"\delta^L = y - a^L", "the sign"),
        (SOFTMAX, r"\delta^L = 4 (a^L - y)", "factor 4"),
    ],
)
def test_a_constant_factor_or_sign_is_named(spec, answer, mistake):
    v = grade(spec, answer)
    assert v.status == "wrong" and mistake in v.mistake, (v.mistake, v.reason)


def test_a_layer_number_where_the_general_layer_belongs_is_named():
    deep = make_spec(name="deep", layers=[2, 3, 3, 2], activation="sigmoid", cost="quadratic", notation="notes")
    v = grade(deep, r"\delta^l = ((W^{3})^T \delta^{l+1}) \circ f'(z^l)")  # right at l = 2 only
    mistake = "W^3 has a layer number where the general layer belongs: it should be W^{l+1}"
    assert v.status == "wrong" and mistake in v.mistake, (v.mistake, v.reason)


def test_the_derivative_of_another_cost_is_named():
    from dataclasses import replace

    cross_entropy = replace(NOTES, cost="cross_entropy")  # σ' cancels: δ^L = a^L − y
    v = grade(cross_entropy, r"\delta^L = (a^L - y) \circ \sigma'(z^L)")  # network.py's, kept in network2.py
    assert v.status == "wrong"
    assert v.mistake == "the derivative of another cost: this holds for the quadratic cost, not for this spec's " \
        "cross entropy cost", v.mistake  # fmt: skip


def test_the_average_missing_from_the_data_term_alone_is_named():
    batch = make_spec(name="decay", layers=[3, 4, 2], activation="sigmoid", cost="quadratic", notation="notes",
                      regularization={"l2": 0.1, "scale": "batch"})  # fmt: skip
    v = grade(batch, r"\frac{\partial C}{\partial W^l} = \sum_{x} \delta^{x,l} (a^{x,l-1})^T + \lambda W^l")
    assert v.status == "wrong" and "1/m, is missing from" in v.mistake, (v.mistake, v.reason)


CHAIN = make_spec(name="chain", layers=[1, 1, 1], activation="sigmoid", cost="squared_error",
                  costs={"squared_error": {"formula": "(a - y)**2"}}, notation="threeblue1brown")  # fmt: skip


def test_a_chain_s_failing_link_is_the_one_repaired():
    # math.SE 4158072's chain, its σ'(w_L a_{L-1}) written σ'(z^{(L)}) as a network with biases has it: the long
    # first link holds and the last lacks ∂C_0/∂a^{(L)}; the repairs go to that link, not to the first one's many
    # factors (which used up the repairs before)
    chain = (
        r"\frac{\partial z^{(L-1)}}{\partial w^{(L-1)}} \frac{\partial a^{(L-1)}}{\partial z^{(L-1)}} "
        r"\frac{\partial z^{(L)}}{\partial a^{(L-1)}} \frac{\partial a^{(L)}}{\partial z^{(L)}} "
        r"\frac{\partial C_0}{\partial a^{(L)}}"
    )
    v = grade(CHAIN, rf"\frac{{\partial C_0}}{{\partial w^{{(L-1)}}}} = {chain} = a^{{(L-2)}} \sigma'(z^{{(L-1)}}) "
                     r"w^{(L)} \sigma'(z^{(L)})")  # fmt: skip
    assert v.status == "wrong" and "step 2 of the chain" in v.reason, v.reason
    assert v.mistake.startswith("the factor ∂C/∂a^{(L)} is missing"), v.mistake  # in the answer's (L)


def test_a_juxtaposition_for_the_hadamard_product_is_named_at_an_output_of_one_neuron():
    # Welch Labs' δ^{(2)} = δ^{(3)} (W^{(2)})ᵀ f'(z^{(2)}): δ^{(3)} is a number there, so δ^{(3)} (W^{(2)})ᵀ is a
    # column of n_2 entries, whose ⊙ with f'(z^{(2)}) fits although its shape is written n_2 × n_3
    ufldl = make_spec(name="welch", layers=[2, 3, 1], activation="sigmoid", cost="quadratic", notation="ufldl")
    v = grade(ufldl, "\\delta^{(2)} = \\delta^{(3)} \n(W^{(2)})^{T}\nf^\\prime(z^{(2)})")
    assert v.status == "wrong" and "a matrix product of" in v.reason, v.reason
    assert v.mistake.startswith("a matrix product where the elementwise product belongs"), v.mistake
    fixed = grade(ufldl, r"\delta^{(2)} = (\delta^{(3)} (W^{(2)})^{T}) \odot f'(z^{(2)})")
    assert fixed.status == "correct", fixed.reason
    wider = make_spec(name="wider", layers=[2, 3, 2], activation="sigmoid", cost="quadratic", notation="ufldl")
    assert grade(wider, r"\delta^{(2)} = (\delta^{(3)} (W^{(2)})^{T}) \odot f'(z^{(2)})").status == "wrong"


def test_a_factor_inside_a_sum_is_named():
    # github.com/rust0258 (NLP course 2 week 4): the bias gradient summed from the weight gradient, dZ Xᵀ for dZ
    dlai = make_spec(name="dlai", layers=[3, 4, 2], activation="relu", output="sigmoid", cost="cross_entropy",
                     notation="deeplearning_ai")  # fmt: skip
    v = grade(dlai, "db1 = np.sum(np.dot(dZ1, X.T), axis=1, keepdims=True) / m")
    assert v.status == "wrong" and v.mistake == "the factor Xᵀ should not be there", (v.mistake, v.reason)
