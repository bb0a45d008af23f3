"""Derivatives inside the network (∂z^{l+1}_k/∂z^l_j, the softmax's ∂y_k/∂a_j, ∂z/∂W), the operator applied to
an expression (∂/∂z_i ½‖y − a‖²), the operator alone (∂/∂w =), and steps elided between = signs."""

from __future__ import annotations

import pytest

from symbackprop.check.grade import grade
from symbackprop.check.read import parse_answer
from symbackprop.spec.load import make_spec

NIELSEN = make_spec(name="n", layers=[2, 2, 2], activation="sigmoid", output="sigmoid", notation="nielsen")
SQUARE = make_spec(name="s", layers=[2, 2, 2], activation="sigmoid", output="sigmoid", notation="nielsen")
UFLDL = make_spec(name="u", layers=[2, 3, 2], activation="sigmoid", output="sigmoid", notation="ufldl")
BISHOP = make_spec(
    name="b", layers=[3, 4, 3], activation="tanh", output="softmax", cost="log_likelihood", notation="bishop"
)


@pytest.mark.parametrize(
    ("spec", "text", "status"),
    [
        # Nielsen (eq. 44): z^{l+1}_k = Σ_j w^{l+1}_{kj} σ(z^l_j) + b^{l+1}_k
        (NIELSEN, r"\frac{\partial z^{l+1}_k}{\partial z^l_j} = w^{l+1}_{kj} \sigma'(z^l_j)", "correct"),
        (SQUARE, r"\frac{\partial z^{l+1}_k}{\partial z^l_j} = w^{l+1}_{kj} \sigma'(z^l_j)", "correct"),
        (SQUARE, r"\frac{\partial z^{l+1}_k}{\partial z^l_j} = w^{l+1}_{jk} \sigma'(z^l_j)", "wrong"),  # swapped
        (SQUARE, r"da^{l+1}_k/dz^l_j = a^{l+1}_k (1 - a^{l+1}_k) w^{l+1}_{kj} a^l_j (1 - a^l_j)", "correct"),
        (SQUARE, r"da^{l+1}_k/dz^l_j = a^{l+1}_k (1 - a^{l+1}_k) w^{l+1}_{kj}", "wrong"),
        (NIELSEN, r"dz^{l+1}_k/da^l_j = w^{l+1}_{kj}", "correct"),
        (NIELSEN, r"dz^2_j/dw^2_{jk} = a^1_k", "correct"),
        (NIELSEN, r"dz^2_j/dw^2_{jk} = a^2_k", "wrong"),  # the layer's own activation, not its input
        # through two layers: a^{L}_j depends on z^{L-1}_i through z^L_j
        (NIELSEN, r"da^3_j/dz^2_i = \sigma'(z^3_j) w^3_{ji} \sigma'(z^2_i)", "correct"),
        (NIELSEN, r"da^3_j/dz^2_i = 0", "wrong"),
        # Bishop (5.76): the softmax's Jacobian, with Kronecker's δ_kj
        (BISHOP, r"\frac{\partial y_k}{\partial a_j} = \delta_{kj} y_k - y_k y_j", "correct"),
        (BISHOP, r"\frac{\partial y_k}{\partial a_j} = y_k - y_k y_j", "wrong"),
    ],
)
def test_a_derivative_inside_the_network_is_differentiated_in_it(spec, text, status):
    v = grade(spec, text)
    if spec is BISHOP:  # shown back in Bishop's letters: y_k the output
        assert v.parsed.startswith("∂y_k/∂a^L_j = ")
    assert v.status == status, (v.reason, v.parsed)
    assert "a derivative inside the network" in v.note
    if status == "wrong":
        assert v.counterexample and "differs from the derived value" in v.reason


def test_a_matrix_derivative_has_the_variables_shape():
    one = make_spec(name="w", layers=[2, 2, 1], activation="sigmoid", output="sigmoid", notation="ufldl")
    # Neural Networks Demystified (PR 12): ∂z^{(3)}/∂W^{(2)} is a^{(2)}ᵀ, not the gradient of J
    assert grade(one, r"\frac{\partial z^{(3)}}{\partial W^{(2)}} = (a^{(2)})^T").status == "correct"
    v = grade(one, r"\frac{\partial z^{(3)}}{\partial W^{(2)}} = -(y - a^{(3)}) f'(z^{(3)}) (a^{(2)})^T")
    assert v.status == "wrong"
    v = grade(
        one,
        r"\frac{\partial J}{\partial W^{(2)}} = -(y-\hat{y}) f^\prime(z^{(3)})"
        r" \frac{\partial z^{(3)}}{\partial W^{(2)}}",
    )
    assert v.status == "correct", v.reason


def test_the_operator_applied_to_an_expression():
    # UFLDL: δ^{(n_l)}_i = ∂/∂z^{(n_l)}_i ½‖y − h_{W,b}(x)‖² = −(y_i − a^{(n_l)}_i) f'(z^{(n_l)}_i)
    text = (
        r"\delta^{(n_l)}_i = \frac{\partial}{\partial z^{(n_l)}_i} \frac{1}{2} \left\|y - h_{W,b}(x)\right\|^2"
        r" = - (y_i - a^{(n_l)}_i) \cdot f'(z^{(n_l)}_i)"
    )
    v = grade(UFLDL, text)
    assert v.status == "correct", v.reason
    assert "∂/∂z^{(n_l)}_i (1/2 ‖y - a^{(n_l)}‖^{2})" in v.parsed
    v = grade(UFLDL, text.replace("= - (y_i", "= (y_i"))  # the minus dropped: the last link fails
    assert v.status == "wrong" and v.reason.startswith("step 2 of the chain")
    # the operator applies to the whole product after it, (y_i − a_j)² read as one factor
    tree = parse_answer(r"\frac{\partial}{\partial z^2_i} 2 (y_i - a^2_i)^2").sides[0]
    assert type(tree).__name__ == "Partial" and type(tree.num).__name__ == "BinOp"


def test_the_operator_alone_is_the_costs_derivative():
    # Data Science SE 11743's self-answer: ∂/∂w^3_{11} = a^2_1 (a^3_1 − y) σ'(z^3_1)
    net = make_spec(name="d", layers=[2, 3, 1], activation="sigmoid", output="sigmoid", notation="nielsen")
    v = grade(net, r"$\frac{\partial }{\partial w^3_{11}}=a^2_1(a^3_1-y)\sigma'(z^3_1)$")
    assert v.status == "correct" and "as the cost's derivative" in v.note
    assert grade(net, r"\frac{\partial}{\partial w^3_{11}} = a^3_1(a^3_1-y)\sigma'(z^3_1)").status == "wrong"


def test_steps_elided_between_equal_signs_are_skipped_and_elsewhere_named():
    text = r"\delta^L_j = \frac{\partial C}{\partial z^L_j} = \dots = (a^L_j - y_j) \sigma'(z^L_j)"
    v = grade(NIELSEN, text)
    assert v.status == "correct" and "steps not written" in v.note
    assert grade(NIELSEN, text.replace(r"\dots", r"\cdots").replace("(a^L_j - y_j)", "(y_j - a^L_j)")).status == (
        "wrong"
    )
    v = grade(NIELSEN, r"\delta^l = \sigma'(z^l) \odot \cdots \odot \nabla_a C")
    assert v.status == "error" and "elision" in v.reason and v.error_column == 31


def test_a_vector_by_a_vector_is_the_jacobian_a_row_per_entry_of_the_numerator():
    ufldl = make_spec(name="u", layers=[2, 3, 2], activation="sigmoid", output="sigmoid", notation="ufldl")
    assert grade(ufldl, r"\frac{\partial z^{(3)}}{\partial a^{(2)}} = W^{(2)}").status == "correct"
    v = grade(ufldl, r"\frac{\partial z^{(3)}}{\partial a^{(2)}} = (W^{(2)})^T")
    assert v.status == "wrong" and "is an n_3 × n_2 matrix, the answer is an n_2 × n_3 matrix" in v.reason
    assert grade(NIELSEN, r"\frac{\partial z^{l+1}}{\partial a^l} = w^{l+1}").status == "correct"


def test_a_wrong_derivative_inside_the_network_has_its_mistake_named():
    v = grade(SQUARE, r"\frac{\partial z^{l+1}_k}{\partial z^l_j} = w^{l+1}_{jk} \sigma'(z^l_j)")
    assert v.status == "wrong" and v.mistake == "the indices of w^{l+1}_{jk} are swapped: it should be w^{l+1}_{kj}"


def test_an_index_out_of_range_is_typeset_in_the_report():
    v = grade(NIELSEN, r"\frac{\partial z^{l+1}_k}{\partial z^l_j} = w^{l+1}_{k3}")
    assert v.status == "wrong" and "index 3 is out of range, layer 2 has 2 neurons" in v.reason
    assert "$w^{l+1}_{k3}$: index 3" in v.reason_latex, v.reason_latex


# -- the notes' unrolled products: (f^l)' as the diagonal matrix da^l/dz^l, an elision inside a product ------

WIKIPEDIA_DELTA = (  # Wikipedia "Backpropagation", section Matrix multiplication, as the corpus quotes it
    r"\delta ^{l}:=(f^{l})'\circ (W^{l+1})^{T}\cdot (f^{l+1})'\circ \cdots \circ (W^{L-1})^{T}\cdot (f^{L-1})'"
    r"\circ (W^{L})^{T}\cdot (f^{L})'\circ \nabla _{a^{L}}C."
)


def notes(layers, activation="sigmoid"):
    return make_spec(name="notes", layers=layers, activation=activation, output=activation, notation="notes")


@pytest.mark.parametrize("layers", [[3, 4, 3, 2], [2, 3, 3, 3, 3, 2]])
def test_the_notes_unrolled_delta_is_read_through_its_elision(layers):
    v = grade(notes(layers), WIKIPEDIA_DELTA)
    assert v.status == "correct", v.reason
    assert "continue the run of layers" in v.note
    # at l = L - 1 the terms written before and after the elision run past each other: that layer is left out
    assert f"not at l = {len(layers) - 2}" in v.note, v.note
    wrong = WIKIPEDIA_DELTA.replace(r"(W^{L})^{T}\cdot (f^{L})'", r"(W^{L})^{T}\cdot (f^{L-1})'")
    assert grade(notes(layers), wrong).status == "wrong"


def test_the_notes_chains_of_circ_and_dot_are_one_product_of_matrices_however_grouped():
    # written out at L = 3, the same product was graded wrong: (f^1)' ∘ ((W^2)ᵀ (f^2)') ∘ … as Hadamard products
    # of vectors of different lengths; the notes' (f^l)' is the diagonal matrix da^l/dz^l and ∘ composes
    written = (
        r"\delta^{1}:=(f^{1})'\circ (W^{2})^{T}\cdot (f^{2})'\circ (W^{3})^{T}\cdot (f^{3})'\circ \nabla _{a^{L}}C"
    )
    assert grade(notes([3, 4, 3, 2]), written).status == "correct"
    assert grade(notes([3, 4, 3, 3, 2]), written).status == "wrong"  # one layer short of the output there
    # the notes' own BP2, and a vector's Hadamard product with (f^l)' on either side, read as before
    for text in (
        r"\delta^{l-1} = (f^{l-1})' \circ (W^l)^T \cdot \delta^l",
        r"\delta^{l-1} = (W^l)^T \delta^l \circ (f^{l-1})'",
    ):
        assert grade(notes([3, 4, 3, 2]), text).status == "correct", text
    assert grade(notes([3, 4, 3, 2]), r"\delta^L = (f^L)'").status == "wrong"  # a diagonal matrix, not δ^L


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # the notes' ∇_x C with \ldots, and products side by side: a linear network's W^1ᵀ W^2ᵀ ⋯ W^Lᵀ ∇_a C
        (r"\nabla_x C = (W^1)^T (W^2)^T \cdots (W^L)^T \nabla_{a^L} C", "correct"),
        (r"\nabla_x C = (W^1)^T \cdot \ldots \cdot (W^L)^T \nabla_{a^L} C", "correct"),  # the way from 1 to L
        (r"\nabla_x C = (W^L)^T \cdots (W^1)^T \nabla_{a^L} C", "wrong"),  # the run the other way
    ],
)
def test_an_elision_between_products_side_by_side(text, status):
    v = grade(notes([2, 3, 3, 3, 2], "identity"), text)
    assert v.status == status, v.reason


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        (r"\nabla_x C = (W^1)^T (W^2)^T \cdots", 30, "at least one term before it and one after it"),
        (r"\nabla_x C = (W^1)^T \cdots \cdots (W^L)^T", 22, "one elision per product"),
        (r"\delta^l = \sigma'(z^l) \odot \cdots \odot \nabla_a C", 31, "not the same term at other layers"),
        (r"\nabla_x C = (W^1)^T \odot \cdots \cdot (W^L)^T", 28, "at least one term before it"),
    ],
)
def test_an_elision_that_cannot_be_read_is_named_with_its_column(text, column, words):
    v = grade(notes([2, 3, 3, 3, 2], "identity"), text)
    assert v.status == "error" and words in v.reason and v.error_column == column, (v.reason, v.error_column)


def test_an_elision_that_describes_no_layer_of_the_network_says_so():
    v = grade(notes([3, 4, 2]), WIKIPEDIA_DELTA)  # l = 1 = L - 1 only: its written terms run past each other
    assert v.status == "error" and "describes no layer here" in v.reason, v.reason
