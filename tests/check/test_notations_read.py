"""Formulas in the notations' own writing (issue 13): deeplearning.ai's batch matrices and d-names,
NumPy calls, the Deep Learning book's macros, Unicode scripts. Each text is quoted from a public source
(named beside it) and its truth was established by NumPy finite differences in the source's convention
(the corpus's check scripts), not by this tool.
"""

from __future__ import annotations

import pytest

from symbackprop.check.grade import grade
from symbackprop.check.parse import parse_answer
from symbackprop.check.program import parse_bindings
from symbackprop.check.show import show
from symbackprop.spec.load import make_spec

DLAI = make_spec(name="dlai", layers=[3, 4, 2], activation="relu", output="sigmoid", cost="cross_entropy",
                 notation="deeplearning_ai")  # fmt: skip
GOODFELLOW = make_spec(name="gf", layers=[3, 4, 2], activation="tanh", output="identity", notation="goodfellow")

#: (text, truth): mbadry1/DeepLearning.ai-Summary (course 1, week 3-4 notes) and its pre-fix revisions.
DLAI_ANSWERS = [
    ("dZ2 = A2 - Y", "correct"),
    ("dW2 = (dZ2 * A1.T) / m", "correct"),
    ("db2 = Sum(dZ2) / m", "correct"),
    ("dZ1 = (W2.T * dZ2) * g'1(Z1)  # element wise product (*)", "correct"),
    ("dW1 = (dZ1 * A0.T) / m   # A0 = X", "correct"),
    ("dW2 = (dZ1 * A0.T) / m   # A0 = X", "wrong"),  # the layers' numbers mixed up (a pre-fix revision)
    ("db2 = Sum(dZ1) / m", "wrong"),
    ("dZ[l] = dA[l] * g'[l](Z[l])", "correct"),  # dA of a hidden layer: W^{[l+1]T} dZ^{[l+1]} by the chain rule
    # the course's dA_prev = W^T dZ (mbadry1's notes; Step by Step eq. (10)), and the notes' typo dZ[1]
    ("dA[l-1] = np.dot(W[l].T, dZ[l])", "correct"),
    (r"dA^{[l-1]} = \frac{\partial \mathcal{L} }{\partial A^{[l-1]}} = W^{[l] T} dZ^{[l]}", "correct"),
    ("dA[l-1] = np.dot(W[l].T, dZ[1])", "wrong"),
    ("dA[l-1] = np.dot(W[l], dZ[l])", "wrong"),
    ("dW[l] = (dZ[l]A[l-1].T) / m", "correct"),
    ("db[l] = sum(dZ[l])/m                # Dont forget axis=1, keepdims=True", "correct"),
    ("dA[L] = (-(y/a) + ((1-y)/(1-a)))", "correct"),
    # the course's Step by Step assignment, eq. (8)-(9), in its LaTeX
    (r"dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l-1] T}", "correct"),
    (r"db^{[l]} = \frac{1}{m} np.sum(dZ^{[l]}, axis = 1, keepdims = True)", "correct"),
    # course 2's gradient-checking assignment, NumPy's float literal 1. and its planted bugs (2 and 4 too many)
    ("dW2 = 1./m * np.dot(dZ2, A1.T)", "correct"),
    ("dW2 = 1./m * np.dot(dZ2, A1.T) * 2", "wrong"),
    ("db1 = 4./m * np.sum(dZ1, axis=1, keepdims = True)", "wrong"),
]


@pytest.mark.parametrize(("text", "truth"), DLAI_ANSWERS)
def test_deeplearning_ai_answers_get_their_established_verdict(text, truth):
    v = grade(DLAI, text)
    assert v.status == truth, (v.reason, v.parsed)


def test_goodfellow_is_read_in_the_books_letters():
    # Deep Learning, Algorithm 6.4 (exacity/deeplearningbook-chinese LaTeX): a = pre-activation, h = activation,
    # g = the gradient on a, k = the layer
    v = grade(GOODFELLOW, r"\nabla_{\MW^{(k)}} J = \Vg \; \Vh^{(k-1)\top}")
    assert v.correct and v.notation == "goodfellow", (v.reason, v.parsed)
    assert v.parsed == "∂J/∂W^{(k)} = g (h^{(k-1)})ᵀ"  # shown back in the book's letters


BISHOP = make_spec(name="bishop", layers=[3, 4, 2], activation="sigmoid", output="sigmoid", notation="bishop")


def test_the_words_about_a_bishop_answer_use_bishops_letters():
    # Bishop's a is the weighted input, z the activation: the slip f' at the layer before the output
    # is named as h'(a^{(L-1)}), not in the reader's letters (h'(z^{(L-1)})), which would mean the activation
    v = grade(BISHOP, r"\delta^{(L)} = \nabla_z E_n \odot h'(a^{(L-1)})")
    assert v.status == "wrong"
    assert v.mistake == "h'(a^{(L-1)}) is taken at the wrong layer: it should be h'(a^{(L)})"
    assert "a^{(L-1)}" in v.mistake_latex
    v = grade(BISHOP, r"\frac{\partial E_n}{\partial w^{(l)}} = \delta^{(l)} z^{(l-1)}")
    assert v.mistake == "a missing transpose: z^{(l-1)} should be (z^{(l-1)})ᵀ"
    assert "z^{(l-1)}, an n_0 × 1 matrix" in v.reason


def test_an_ascii_star_between_square_matrices_is_not_graded_on_a_guess():
    spec = make_spec(name="sq", layers=[2, 2, 2], notation="nielsen")
    v = grade(spec, r"\delta^l = (\delta^l (\delta^l)^T) * (\delta^l (\delta^l)^T)")  # n_l x n_l twice
    assert v.status == "error" and "'*' at column" in v.reason and "ambiguous" in v.reason


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("δ₁ = a₁ − y₁", "δ_1 = a_1 - y_1"),  # an AssertionError before
        ("δ^L = (a^L − y) ⊙ σ’(z^L)", "δ^L = (a^L - y) ⊙ σ'(z^L)"),
        ("𝛿^L = 𝑎^L − 𝑦", "δ^L = a^L - y"),  # mathematical italic letters
        (
            r"\textcolor{red}{\delta^{(L)}} = 2(a^{(L)} - \textcolor{gold}{y})",
            "δ^{(L)} = 2 (a^{(L)} - y)",
        ),  # (L) shown as UFLDL's (n_l)
    ],
)
def test_unicode_and_decorations_are_read(text, read):
    assert " = ".join(show(s) for s in parse_answer(text).sides) == read


def test_an_answer_without_layers_in_a_deep_network_is_refused_not_misjudged():
    bishop = make_spec(name="bi", layers=[3, 4, 2], activation="tanh", output="identity", notation="bishop")
    v = grade(bishop, r"\delta_k = z_k")  # one unit letter, no output named: which layer is not said
    assert v.status == "error" and "names no layer" in v.reason
    # Bishop (5.54) δ_k = y_k − t_k: k indexes the output y_k, so δ_k is an output unit's error
    v = grade(bishop, r"\delta_k = y_k - t_k")
    assert v.status == "correct" and "k as the output units' letters" in v.note
    assert grade(bishop, r"\delta_k = t_k - y_k").status == "wrong"


SOFTMAX_2 = make_spec(name="sm", layers=[3, 3, 3], activation="sigmoid", output="softmax", cost="log_likelihood",
                      notation="blog")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "status"),
    [
        (r"$$\frac{\partial E} {\partial z_j} = o_j - t_j$$", "correct"),  # Cross Validated question 273465
        (r"\frac{\partial E}{\partial z_j} = t_j - o_j", "wrong"),
    ],
)
def test_t_and_o_are_read_as_target_and_output_and_the_note_says_so(text, status):
    """Letters no catalogue notation uses, read where nothing else reads them: t the target, o the output."""
    v = grade(SOFTMAX_2, text, equation="delta_output")
    assert v.status == status, v.reason
    assert "o as the output activation a^L" in v.note and "t as the target y" in v.note


def test_t_stays_a_summation_index_where_it_is_one():
    v = grade(SOFTMAX_2, r"\delta^L_j = \frac{e^{z^L_j}}{\sum_t e^{z^L_t}} - y_j")
    assert v.status == "correct", v.reason
    assert "t as the target" not in v.note


#: Ng's Machine Learning course, week 5 (the lecture slides as the course's notes transcribe them, and the
#: fengdu78/Coursera-ML-AndrewNg-Notes and ASCII student notes in the corpus); the truths by finite differences
#: of J = -(1/m) Σ [y log h + (1 - y) log(1 - h)] + λ/(2m) Σ Θ² (ex4), where m is the whole training set.
COURSERA = make_spec(name="ng", layers=[3, 4, 2], activation="sigmoid", output="sigmoid", cost="cross_entropy",
                     regularization={"l2": 0.1, "scale": "dataset"}, notation="coursera_ml")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        # the accumulator: what it adds is one example's gradient
        ("Δ(𝑙)=Δ(𝑙)+𝛿(𝑙+1)(𝑎(𝑙))(𝑇)", "correct", "an accumulation Δ^{(l)} := Δ^{(l)} + …"),
        (r"\Delta^{(l)}_{ij} := \Delta^{(l)}_{ij} + a^{(l)}_j \delta^{(l+1)}_i", "correct", "one example's gradient"),
        ("△(l) = △(l) + a(l) * delta(l+1)", "wrong", "accumulation"),  # a column times a column
        # D, the gradient of J: ex4's λ/m, and the bias column j = 0 without the decay
        (r"D_{ij}^{(l)} := \frac{1}{m}\Delta_{ij}^{(l)}+\frac{\lambda}{m}\Theta_{ij}^{(l)} \text{if}\; j \neq 0",
         "correct", "j ≠ 0: the weights"),
        (r"D_{ij}^{(l)} :=\frac{1}{m}\Delta_{ij}^{(l)} {if}\; j = 0", "correct", "j = 0 is the bias column"),
        (r"D_{ij}^{(l)} :=\frac{1}{m}\Delta_{ij}^{(l)}+\lambda\Theta_{ij}^{(l)} {if}\; j \neq  0", "wrong", "D read"),
    ],
)  # fmt: skip
def test_ngs_accumulators_are_read_as_the_gradients_they_add_up(text, status, words):
    v = grade(COURSERA, text)
    assert v.status == status, (v.reason, v.parsed)
    assert words in v.note, v.note


def test_the_lectures_decay_without_1_over_m_is_named_and_right_for_the_batch_scale():
    """The lecture's D = (1/m) Δ + λ Θ: wrong for ex4's cost λ/(2m) Σ Θ² (the mistake named), right for the
    cost (λ/2) Σ Θ², the batch scale, which is how the catalogue reads the lecture."""
    text = r"D_{ij}^{(l)} :=\frac{1}{m}\Delta_{ij}^{(l)}+\lambda\Theta_{ij}^{(l)} {if}\; j \neq  0"
    v = grade(COURSERA, text)
    assert "lacks the average's 1/m" in v.mistake
    batch = make_spec(name="ng", layers=[3, 4, 2], activation="sigmoid", output="sigmoid", cost="cross_entropy",
                      regularization={"l2": 0.1, "scale": "batch"}, notation="coursera_ml")  # fmt: skip
    assert grade(batch, text).correct


def test_lambda_dividing_the_weights_is_named():
    v = grade(COURSERA, "D(l) = 1/m * △(l) + lambda / theta(l) if j != 0")  # ASCII student notes
    assert v.status == "wrong" and "divides by the weights" in v.mistake, (v.reason, v.mistake)


def test_a_case_other_than_the_bias_column_is_refused_with_what_is_read():
    v = grade(COURSERA, r"D^{(l)}_{ij} := \frac{1}{m}\Delta^{(l)}_{ij} \text{ if } i = 1")
    assert v.status == "error" and "only as Ng's bias column" in v.reason


DLAI_L2 = make_spec(name="dlai_l2", layers=[3, 4, 1], activation="relu", output="sigmoid", cost="cross_entropy",
                    regularization={"l2": 0.7, "scale": "dataset"}, notation="deeplearning_ai")  # fmt: skip


def test_the_courses_lambd_and_a_sum_of_every_entry():
    # community.deeplearning.ai/t/dw-for-l2-regularization/165181: the assignment's name lambd (lambda is a
    # Python keyword); np.sum(W1) without axis= is one number, not the matrix (truths: the corpus's NumPy checks)
    assert grade(DLAI_L2, "dW1 = 1/m * np.dot(dZ1, X.T) + (lambd * W1) / m").correct
    v = grade(DLAI_L2, "dW1 = 1/m * np.dot(dZ1, X.T) + (lambd * np.sum(W1)) / m")
    assert v.status == "wrong" and v.mistake == "sum(W^1) adds up every entry of W^1, one number: it should be W^1"
    # with axis= it is a sum over one dimension, as before: over the examples of dZ
    assert grade(DLAI_L2, "db1 = np.sum(dZ1, axis=1, keepdims=True) / m").correct
    v = grade(DLAI_L2, "db1 = np.sum(dZ1, axis=0, keepdims=True) / m")  # down the units, not the examples
    assert v.status == "wrong" and v.mistake == "the sum runs along the wrong axis: axis=0 should be axis=1"
    v = grade(DLAI_L2, "db1 = np.sum(dZ1) / m")  # NumPy adds up every entry: one number for every unit's bias
    assert v.status == "wrong" and "it should run along axis=1" in v.mistake, v.mistake
    assert grade(DLAI_L2, "db1 = 1/m * sum(dZ1)").correct  # a text's sum(dZ): over the examples, as it means
    # PyTorch's dim= and keepdim= are NumPy's axis= and keepdims=
    assert grade(DLAI_L2, "db1 = torch.sum(dZ1, dim=1, keepdim=True) / m").correct
    v = grade(DLAI_L2, "db1 = torch.sum(dZ1, dim=0, keepdim=True) / m")
    assert v.status == "wrong" and "dim=0 should be dim=1" in v.mistake, v.mistake


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # the course's notes: "dw[l] = (from back propagation) + lambda/m * w[l]", the placeholder for what
        # backpropagation gives without the decay (the gradient (1/m) dZ A^T of the cost without it)
        ("dw[l] = (from back propagation) + lambda/m * w[l]", "correct"),
        ("dW[l] = (from backprop) + (lambda/m) W[l]", "correct"),
        ("db[l] = (from back propagation)", "correct"),  # the decay leaves the biases alone
        ("dw[l] = (from back propagation) + lambda * w[l]", "wrong"),  # the 1/m of the dataset scale missing
        ("db[l] = (from back propagation) + lambda/m * b[l]", "wrong"),
    ],
)
def test_ngs_placeholder_from_back_propagation_is_the_gradient_without_the_decay(text, status):
    v = grade(DLAI_L2, text)
    assert v.status == status, v.reason
    assert "as the gradient without the weight decay" in v.note


def test_a_decay_written_with_a_star_and_without_1_over_m_is_named():
    v = grade(DLAI_L2, "dw[l] = (from back propagation) + lambda * w[l]")
    assert v.mistake == "the weight-decay term λ * w^l lacks the average's 1/m: it should be λ/m * w^l", v.mistake


def test_the_placeholder_from_back_propagation_needs_a_gradient_on_the_left():
    v = grade(DLAI_L2, "dZ[l] = (from back propagation)")
    assert v.status == "error" and "stands for the gradient the left-hand side names" in v.reason


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # PRML (5.53), (5.56) and a Data Science SE answer quoting (5.50): no layers written, the units'
        # letters say them (j in a layer l, i in l-1, k in l+1); truths by finite differences (the corpus)
        (r"\frac{\partial E_n}{\partial w_{ji}} = \delta_j z_i", "correct"),
        (r"\delta_j = h'(a_j) \sum_k w_{kj} \delta_k", "correct"),
        (
            r"\frac{\partial E_n}{\partial w_{ji}}=\frac{\partial E_n}{\partial a_j}"
            r"\frac{\partial a_j}{\partial w_{ji}}",
            "correct",
        ),
        (r"\delta_j = h'(a_j) \sum_k w_{jk} \delta_k", "wrong"),  # the weight's indices swapped
        (r"\frac{\partial E_n}{\partial w_{ji}} = \delta_i z_j", "wrong"),
    ],
)
def test_bishops_formulas_without_layers_are_read_by_the_units_letters(text, status):
    v = grade(BISHOP, text)
    assert v.status == status, (v.reason, v.parsed)
    assert "the layers by the units' letters" in v.note


NIELSEN = make_spec(name="nielsen", layers=[3, 4, 2], activation="sigmoid", notation="nielsen")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # Nielsen ch. 2, "The backpropagation algorithm" with gradient descent: the example x in the superscript
        (r"w^l \to w^l-\frac{\eta}{m} \sum_x \delta^{x,l} (a^{x,l-1})^T", "correct"),
        (r"b^l \to b^l-\frac{\eta}{m} \sum_x \delta^{x,l}", "correct"),
        (r"w^l \to w^l-\eta \sum_x \delta^{x,l} (a^{x,l-1})^T", "wrong"),  # the 1/m of the average missing
        (r"w^l \to w^l-\frac{\eta}{m} \sum_x \delta^{x,l} (a^{x,l})^T", "wrong"),
    ],
)
def test_nielsens_example_superscript_and_sum_over_x(text, status):
    v = grade(NIELSEN, text)
    assert v.status == status, (v.reason, v.parsed)
    if status == "correct":
        assert "δ^{x,l}" in v.parsed


GOODFELLOW_L2 = make_spec(name="gf_l2", layers=[3, 4, 4, 2], activation="tanh", output="tanh",
                          regularization={"l2": 0.1, "scale": "batch"}, notation="goodfellow")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # Deep Learning, Algorithm 6.4 (the book's LaTeX) and a Math SE question quoting it: J = L + λΩ(θ) of one
        # example, Ω(θ) = ½ Σ ‖W‖² (section 7.1.1); truths by finite differences (the corpus)
        (r"\nabla_{\MW^{(k)}} J = \Vg \; \Vh^{(k-1)\top} + \lambda \nabla_{\MW^{(k)}} \Omega(\theta)", "correct"),
        (r"\nabla_{W^{(k)}}J = gh^{(k-1)T}+\lambda\nabla_{W^{(k)}}{\Omega(\theta)}", "correct"),
        (r"\nabla_{W^{(k)}}J = gh^{(k-1)T}+2\lambda\nabla_{W^{(k)}}{\Omega(\theta)}", "wrong"),
        (r"\nabla_{W^{(k)}}J = gh^{(k-1)T}-\lambda\nabla_{W^{(k)}}{\Omega(\theta)}", "wrong"),
    ],
)
def test_goodfellows_penalty_omega(text, status):
    v = grade(GOODFELLOW_L2, text)
    assert v.status == status, (v.reason, v.parsed)


def test_omega_is_graded_only_with_respect_to_the_weights():
    v = grade(GOODFELLOW_L2, r"\nabla_{b^{(k)}} J = g + \lambda \nabla_{b^{(k)}} \Omega(\theta)")
    assert v.status == "error" and "∇_W Ω(θ) = W" in v.reason


THREE_B1B = make_spec(name="chain", layers=[1, 1, 1], activation="sigmoid", output="sigmoid", cost="squared_error",
                      costs={"squared_error": {"formula": "(a - y)**2"}}, notation="threeblue1brown")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # 3Blue1Brown, Backpropagation calculus: one neuron per layer, so the chain's factors are numbers
        (r"\frac{\partial C_0}{\partial b^{(L)}} = \frac{\partial z^{(L)}}{\partial b^{(L)}} "
         r"\frac{\partial a^{(L)}}{\partial z^{(L)}} \frac{\partial C_0}{\partial a^{(L)}}", "correct"),
        (r"\frac{\partial C_0}{\partial w^{(L)}} = \frac{\partial z^{(L)}}{\partial w^{(L)}} "
         r"\frac{\partial a^{(L)}}{\partial z^{(L)}} \frac{\partial C_0}{\partial a^{(L)}}", "correct"),
        (r"\frac{\partial C_0}{\partial b^{(L)}} = \frac{\partial z^{(L)}}{\partial b^{(L)}} "
         r"\frac{\partial C_0}{\partial a^{(L)}}", "wrong"),  # the activation's factor left out
    ],
)  # fmt: skip
def test_a_one_neuron_chain_of_derivatives_without_components(text, status):
    v = grade(THREE_B1B, text)
    assert v.status == status, (v.reason, v.parsed)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # as a Q&A typed 3Blue1Brown's chain (math.stackexchange 4158072): Co for C_0, the numerators' d left out,
        # the layer as a subscript
        (r"\frac{Co}{db_L} = \frac{z_L}{db_L} \frac{a_L}{dz_L} \frac{Co}{da_L} = \sigma'(z_L) * 2*(a_L - y)",
         "correct"),
        (r"\frac{Co}{db_L} = \frac{a_L}{dz_L} \frac{Co}{da_L} = \sigma'(z_L) * 2*(a_L - y)", "correct"),
        (r"\frac{Co}{da_{L-1}} = w_L * \sigma'(z_L) * 2*(a_L - y)", "correct"),
        (r"\frac{Co}{da_{L-1}} = w_{L-1} * \sigma'(z_L) * 2*(a_L - y)", "wrong"),  # the layer's own weight
        (r"\frac{Co}{dw_L} = a_L * \sigma'(z_L) * 2*(a_L - y)", "wrong"),  # the output, not the input a_{L-1}
    ],
)  # fmt: skip
def test_a_derivative_typed_without_its_numerators_d_and_layers_as_subscripts(text, status):
    v = grade(THREE_B1B, text)
    assert v.status == status, (v.reason, v.parsed)
    assert "Co as C_0" in v.note and "a subscript L as the layer" in v.note
    assert "threeblue1brown" in v.note


def test_a_fraction_of_quantities_without_d_stays_a_fraction():
    assert grade(THREE_B1B, r"\frac{\partial C_0}{\partial b^{(L)}} = \frac{a^{(L)}}{b^{(L)}}").status == "wrong"


THREE_B1B_WIDE = make_spec(name="wide", layers=[3, 4, 2], activation="sigmoid", output="sigmoid",
                           cost="squared_error", costs={"squared_error": {"formula": "(a - y)**2"}},
                           notation="threeblue1brown")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # 3Blue1Brown's lesson text: neurons numbered from 0, a labelled \underbrace (its label is a comment)
        (r"\frac{\partial C_0}{\partial a_k^{(L-1)}} = \underbrace{\sum_{j=0}^{n_L - 1}"
         r"\frac{\partial z_j^{(L)}}{\partial a_k^{(L-1)}} \frac{\partial a_j^{(L)}}{\partial z_j^{(L)}}"
         r"\frac{\partial C_0}{\partial a_j^{(L)}}}_{\text {Sum over layer L}}", "correct"),
        (r"\frac{\partial C_0}{\partial a_k^{(L-1)}} = \sum_{j=0}^{n_L - 2}"
         r"\frac{\partial z_j^{(L)}}{\partial a_k^{(L-1)}} \frac{\partial a_j^{(L)}}{\partial z_j^{(L)}}"
         r"\frac{\partial C_0}{\partial a_j^{(L)}}", "wrong"),  # one neuron short
        (r"\frac{\partial C_0}{\partial a_k^{(L-1)}} = \sum_{j=1}^{n_L}"
         r"\frac{\partial z_j^{(L)}}{\partial a_k^{(L-1)}} \frac{\partial C_0}{\partial a_j^{(L)}}", "wrong"),
    ],
)  # fmt: skip
def test_sums_numbered_from_zero_and_brace_labels(text, status):
    v = grade(THREE_B1B_WIDE, text)
    assert v.status == status, (v.reason, v.parsed)


def test_a_brace_label_is_blanked_keeping_the_columns():
    from symbackprop.check.tokens import tokenize

    text = r"\underbrace{a^L - y}_{\text{the error}} + \foo"
    with pytest.raises(Exception) as error:
        tokenize(text)
    assert getattr(error.value, "column", None) == text.index(r"\foo") + 1


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # Deep Learning, Algorithm 6.4 (the book's LaTeX): g is a register; on the right of a step it is the
        # gradient the step receives (truths by finite differences: the corpus)
        (r"\Vg \leftarrow \nabla_{\Va^{(k)}} J = \Vg \odot f'(\Va^{(k)})", "correct"),
        (r"\Vg \leftarrow \nabla_{\Vh^{(k-1)}} J = \MW^{(k)\top} \; \Vg", "correct"),
        (r"\Vg \leftarrow \nabla_{\Vh^{(k-1)}} J = \MW^{(k)} \; \Vg", "wrong"),  # the transpose missing
        (r"\Vg \leftarrow \nabla_{\Va^{(k)}} J = \Vg \odot f'(\Va^{(k-1)})", "wrong"),
        (r"\Vg \leftarrow \nabla_{\Va^{(k)}} J = \Vg", "wrong"),  # f' left out
    ],
)
def test_goodfellows_register_g_on_the_right_of_a_step(text, status):
    v = grade(GOODFELLOW_L2, text)
    assert v.status == status, (v.reason, v.parsed)
    assert "the gradient the step receives" in v.note


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # Deep Learning, Algorithm 6.4's first step: ŷ is the output h^{(l)}, not Goodfellow's weighted input a
        (r"\Vg \leftarrow \nabla_{\hat{\Vy}} J = \nabla_{\hat{\Vy}} L(\hat{\Vy},\Vy)", "correct"),
        (r"\nabla_{\hat{\Vy}} L(\hat{\Vy},\Vy) = \hat{\Vy} - \Vy", "correct"),  # the quadratic cost's gradient
        (r"\nabla_{\hat{\Vy}} L(\hat{\Vy},\Vy) = \Vy - \hat{\Vy}", "wrong"),
    ],
)
def test_goodfellows_output_y_hat_and_loss_l(text, status):
    v = grade(GOODFELLOW_L2, text)
    assert v.status == status, (v.reason, v.parsed)


def test_a_dot_between_two_factors_is_their_product():
    # deeplearning.ai's notes (week 4, eq. 9) as a student's transcription writes them: W^{[l]T}.dZ^{[l]}
    dlai = make_spec(name="d", layers=[3, 4, 2], activation="relu", output="sigmoid", cost="cross_entropy",
                     notation="deeplearning_ai")  # fmt: skip
    v = grade(dlai, r"d{{A}^{[l-1]}}={{W}^{\left[ l \right]T}}.d{{Z}^{[l]}}")
    assert v.status == "correct" and "'.' between two factors as their product" in v.note
    assert grade(dlai, r"dA^{[l-1]} = W^{[l]}.dZ^{[l]}").status == "wrong"  # the transpose missing


NIELSEN_L2 = make_spec(name="n3", layers=[3, 4, 2], activation="sigmoid", output="sigmoid", cost="cross_entropy",
                       regularization={"l2": 0.1, "scale": "dataset"}, notation="nielsen")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "status"),
    [
        (r"\frac{\partial C}{\partial w} = \frac{\partial C_0}{\partial w} + \frac{\lambda}{n} w", "correct"),  # (88)
        (r"\frac{\partial C}{\partial b} = \frac{\partial C_0}{\partial b}", "correct"),  # (89)
        (r"\frac{\partial C}{\partial w} = \frac{\partial C_0}{\partial w} + \frac{\lambda}{2n} w", "wrong"),
        (r"\frac{\partial C}{\partial b} = \frac{\partial C_0}{\partial b} + \frac{\lambda}{n} b", "wrong"),
    ],
)
def test_nielsens_c0_is_the_cost_without_its_decay_and_w_any_weight(text, status):
    v = grade(NIELSEN_L2, text)
    assert v.status == status, v.reason
    assert "C_0 as the cost without its weight decay" in v.note and "without a layer as every layer's" in v.note


@pytest.mark.parametrize(
    ("notation", "text"),
    [
        # a course's own numbering with its layers written in parentheses, which UFLDL's writing suggested: a
        # Nielsen course's BP4 was graded wrong ("∂C/∂w^{(L)}: no such layer here", UFLDL's w^{(L)} not existing)
        ("nielsen", r"\frac{\partial C}{\partial w^{(L)}} = \delta^{(L)} (a^{(L-1)})^T"),
        ("blog", r"\frac{\partial C}{\partial w^{(L)}} = a^{(L-1)} (\delta^{(L)})^T"),
        ("nielsen", r"\frac{\partial z^{(L)}}{\partial a^{(L-1)}} = w^{(L)}"),  # a derivative inside the network
        ("blog", r"\frac{\partial z^{(L)}}{\partial a^{(L-1)}} = (w^{(L)})^T"),
    ],
)
def test_parenthesised_layers_are_read_in_the_spec_s_own_numbering_where_the_answer_holds_there(notation, text):
    spec = make_spec(name="p", layers=[3, 4, 3], activation="sigmoid", cost="quadratic", notation=notation)
    v = grade(spec, text)
    assert v.status == "correct", v.reason
    assert f"read in {notation} notation (the spec's notation; not ufldl notation" in v.note, v.note
    transposed = text.replace("(a^{(L-1)})^T", "a^{(L-1)}").replace("(\\delta^{(L)})^T", "\\delta^{(L)}")
    if transposed != text:  # wrong in every numbering: still wrong
        assert grade(spec, transposed).status == "wrong"


def test_kyle_lo_s_w_l_and_the_derivative_of_a_product_in_a_fraction():
    # kyleclo's post: z^{(l)} = w_l^T h^{(l-1)}, w_l of m_{l-1} × m_l (the blog's transposed weights), h its a
    blog = make_spec(name="b", layers=[3, 4, 3], activation="tanh", output="softmax", cost="log_likelihood",
                     notation="blog")  # fmt: skip
    text = r"\frac{\partial z^{(l)}}{\partial h^{(l-1)}} = \frac{\partial w_l^T h^{(l-1)}}{\partial h^{(l-1)}} = w_l^T"
    v = grade(blog, text, names=parse_bindings(["h = a"]))
    assert v.status == "correct", v.reason
    assert "a subscript l as the layer" in v.note and "the numerator after ∂ as the expression" in v.note
    assert grade(blog, text.replace("= w_l^T", "= w_l"), names=parse_bindings(["h = a"])).status == "wrong"


def test_a_weight_without_its_layer_is_unread_not_wrong():
    deep = make_spec(name="d", layers=[3, 4, 4, 2], activation="sigmoid", cost="quadratic", notation="nielsen")
    v = grade(deep, r"\delta^l = (w)^T \delta^{l+1} \odot \sigma'(z^l)")
    assert v.status == "error" and "needs a layer number" in v.reason, (v.status, v.reason)


@pytest.mark.parametrize(("notation", "sign"), [("notes", "∘"), ("ufldl", "•"), ("nielsen", "⊙")])
def test_the_answer_is_shown_back_with_the_notation_s_own_sign_of_the_elementwise_product(notation, sign):
    # an answer's (.) shown as its text writes ⊙: the notes' ∘, UFLDL's • (an ASCII sign, * or .*, is not used)
    spec = make_spec(name="s", layers=[3, 4, 2], activation="sigmoid", cost="quadratic", notation=notation)
    text = r"\delta^{(3)} = (a^{(3)} - y) (.) f'(z^{(3)})" if notation == "ufldl" else "delta^L = (a^L - y) (.) f'(z^L)"
    v = grade(spec, text)
    assert v.status == "correct", v.reason
    assert f" {sign} " in v.parsed and (sign == "⊙" or "⊙" not in v.parsed), v.parsed
