"""Reading answers: LaTeX in the three source texts' styles, ASCII, errors with the column, answer files."""

from __future__ import annotations

import pytest

from symbackprop.check.read import AnswerError, AnswerFileError, parse_answer, read_answers, show
from symbackprop.check.tree import Activation, BinOp, Cost, Layer, Partial, Sum, Transpose, Var


def lhs_rhs(text):
    sides = parse_answer(text).sides
    assert len(sides) == 2
    return sides


def test_component_form_with_sum_and_indices():
    lhs, rhs = lhs_rhs(r"\delta^l_j = \sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)")
    assert lhs == Var("delta", Layer("l"), ("j",), column=1)
    assert isinstance(rhs, Sum) and rhs.index == "k" and rhs.upper is None
    weight = rhs.body.left.left
    assert weight.base == "w" and weight.layer == Layer("l", 1) and weight.indices == ("k", "j")
    assert isinstance(rhs.body.right, Activation) and rhs.body.right.prime


def test_matrix_form_transpose_and_hadamard():
    _, rhs = lhs_rhs(r"\delta^l = ((W^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)")
    assert isinstance(rhs, BinOp) and rhs.op == "hadamard"
    assert isinstance(rhs.left.left, Transpose) and rhs.left.op == "dot"


@pytest.mark.parametrize(
    "text",
    [
        r"\delta^l = ((W^{l+1})^\top \delta^{l+1}) \circ \sigma'(z^l)",
        r"δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ σ'(z^l)",
        "delta^l = (W^{l+1})^T delta^{l+1} (.) sigma'(z^l)",
        "delta^l = (W^{l+1})^T @ delta^{l+1} .* sigma'(z^l)",
        r"$\delta^l = \left((W^{l+1})^{T} \delta^{l+1}\right) \odot \sigma'(z^l)$",
    ],
)
def test_the_same_bp2_in_many_spellings(text):
    want = show(parse_answer(r"\delta^l = ((W^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)").sides[1])
    assert show(parse_answer(text).sides[1]) == want


def test_ufldl_parenthesised_layers_and_output_layer():
    lhs, rhs = lhs_rhs(r"\delta^{(n_l)}_i = -(y_i - a^{(n_l)}_i) \cdot f'(z^{(n_l)}_i)")
    assert lhs.layer == Layer("L", 0, True)
    assert Layer("l", 1, True) == parse_answer(r"\delta^{(\ell+1)}_j").sides[0].layer
    assert parse_answer(r"\delta^{l+1}_j").sides[0].layer == Layer("l", 1, False)


def test_partial_derivatives_in_latex_and_ascii():
    for text in (r"\frac{\partial C}{\partial w^l_{jk}}", "dC/dw^l_{jk}", "partial C / partial w^l_{jk}"):
        node = parse_answer(text).sides[0]
        assert isinstance(node, Partial) and node.wrt.indices == ("j", "k") and node.wrt.layer == Layer("l")
    node = parse_answer(r"\frac{\partial}{\partial W_{ij}^{(l)}} J(W,b; x^{(i)}, y^{(i)})").sides[0]
    assert node.num == Cost("J", "i", True) and node.wrt.layer == Layer("l", 0, True)
    node = parse_answer(r"\nabla_{a^L} C_x").sides[0]
    assert node.num == Cost("C", None, True) and node.wrt.base == "a"
    assert parse_answer("W^2_{12}").sides[0].indices == (1, 2)


def test_notes_style_displaystyle_braces_and_full_stop():
    lhs, rhs = lhs_rhs(r"{\displaystyle \nabla _{W^{l}}C=\delta ^{l}(a^{l-1})^{T}.}")
    assert isinstance(lhs, Partial) and lhs.wrt.base == "W"
    lhs, rhs = lhs_rhs(r"\delta ^{l-1}:=(f^{l-1})'\circ (W^{l})^{T}\cdot \delta ^{l}")
    # a typeset ∘ binds less tightly than the product: (f^{l-1})' ∘ ((W^l)ᵀ · δ^l)
    assert rhs.op == "hadamard" and rhs.right.op == "dot"
    assert isinstance(rhs.left, Activation) and rhs.left.arg is None and rhs.left.prime


def test_blog_markdown_escapes_and_delimiters():
    text = r"\\(\delta\_{i}^{L} = \frac{\partial C\_x}{\partial a\_{i}^{L}} a'(z\_{i}^{L})\\)"
    lhs, rhs = lhs_rhs(text)
    assert lhs.indices == ("i",) and isinstance(rhs.right, Activation) and rhs.right.name == "a"


def test_norm_fraction_and_batch_sum():
    _, rhs = lhs_rhs(r"C = \frac{1}{2}\|a^L - y\|^2")
    assert show(rhs) == "1/2 ‖a^L - y‖^{2}"
    _, rhs = lhs_rhs(
        r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m}\sum_{i=1}^m \delta^{(l+1)} (a^{(l)})^T + \lambda W^{(l)}"
    )
    assert rhs.op == "+" and rhs.left.right.upper == Var("m", column=rhs.left.right.upper.column)


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        (r"\delta^L = \nabla_a C \oslash \sigma'(z^L)", 23, "unknown LaTeX command \\oslash"),
        (r"\delta^L = (a^L - y \odot \sigma'(z^L)", 39, "to close the bracket opened at column 12"),
        ("delta^L = a^L ? y", 15, "unexpected character '?'"),
        ("delta^L = a^L - ", 17, "expected a number"),
        ("delta^L = q^L", 11, "unknown name 'q'"),
        ("", 1, "empty answer"),
        (r"\sum_{1} a_1", 7, "summation index must be a letter"),
        (r"\text{hello} = 1", 1, "\\text{hello} cannot be graded"),
    ],
)
def test_errors_point_at_the_column(text, column, words):
    with pytest.raises(AnswerError) as info:
        parse_answer(text)
    assert info.value.column == column
    assert words in str(info.value) and f"(column {column})" in str(info.value)


def test_show_round_trips_to_the_same_tree():
    for text in (
        r"\delta^l_j = \sum_k W^{l+1}_{kj} \delta^{l+1}_k f'(z^l_j)",
        r"\delta^{(l)}_i = (\sum_j W^{(l)}_{ji} \delta^{(l+1)}_j) f'(z^{(l)}_i)",
        r"\frac{\partial C}{\partial W^l} = \delta^l (a^{l-1})^T - \eta \lambda W^l",
    ):
        first = parse_answer(text)
        again = parse_answer(" = ".join(show(s, tex=True) for s in first.sides))
        assert [show(s) for s in again.sides] == [show(s) for s in first.sides]


def test_answers_file_format():
    text = """# a comment
a1 (BP2): delta^l = x

a2 (dC/dW^2_{1,2}, ufldl): a^1_2
   delta^2_1
a3 (blog): delta^L = 1
a4: delta^L = 2
"""
    subs = read_answers(text)
    assert [(s.ident, s.equation, s.notation, s.line) for s in subs] == [
        ("a1", "BP2", None, 2),
        ("a2", "dC/dW^2_{1,2}", "ufldl", 4),
        ("a3", None, "blog", 6),
        ("a4", None, None, 7),
    ]
    assert subs[1].text == "a^1_2\n   delta^2_1"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("  indented first\n", "continuation line before any answer"),
        ("no colon here\n", "expected 'ID: formula'"),
        ("a: 1\na: 2\n", "used twice"),
        ("# only a comment\n", "no answers found"),
    ],
)
def test_answers_file_errors_name_the_line(text, words):
    with pytest.raises(AnswerFileError, match=words):
        read_answers(text, source="answers.txt")


def test_answers_are_never_evaluated_as_python():
    for text in ("__import__('os').system('true')", "exec('1')", "a.__class__"):
        with pytest.raises(AnswerError):
            parse_answer(text)


def test_hostile_nesting_is_refused_quickly():
    with pytest.raises(AnswerError, match="nested sums"):
        parse_answer("delta^L_j = " + "sum_k " * 5 + "a^L_k")
    with pytest.raises(AnswerError, match="nested deeper"):
        parse_answer("delta^L = " + "(" * 70 + "a^L" + ")" * 70)
    with pytest.raises(AnswerError, match="too long"):
        parse_answer("a" * 5000)
