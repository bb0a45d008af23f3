"""check reads the LaTeX symbackprop's own printer writes (the handout's formulas), in the reader's notation,
and grades a row-vector text's vectors as rows."""

from __future__ import annotations

import pytest
from networks import MATRIX
from paths import EXAMPLES

from symbackprop import load_spec
from symbackprop.check.grade import grade
from symbackprop.teach import handout, proof

#: The notations whose printed letters check reads (see tests/teach/test_document.py's READ_BACK); they run
#: with the matrices (`-m matrix`, by .ci/run after the README's command), for the suite's budget (Nielsen's
#: took 15 s of it; the documents' read-back of three notations stays in the README's suite).
READ_BACK = ("nielsen", "notes", "ufldl", "bishop", "threeblue1brown", "rows")
_IN_THE_MATRIX = READ_BACK


@pytest.mark.parametrize("notation", [pytest.param(n, marks=MATRIX) if n in _IN_THE_MATRIX else n for n in READ_BACK])
def test_the_handouts_general_equations_read_back_as_correct(notation):
    spec = load_spec(EXAMPLES / "nielsen_ch3.toml")
    summary = handout.statements(proof.general_proofs(spec, notation))
    for statement in summary:
        for text in (statement.component, statement.matrix):  # \sigma^{\prime}, \partial {b^{l}_{j}}, f^{L\prime}
            verdict = grade(spec, text, notation=notation)
            assert verdict.status == "correct", (text, verdict.reason)


@pytest.mark.parametrize(
    ("text", "status", "mistake"),
    [
        ("dC/db^l = delta^l", "correct", ""),
        ("dC/dW^l = (a^(l-1))^T delta^l", "correct", ""),
        ("delta^l = (delta^(l+1) (W^(l+1))^T) (.) f'(z^l)", "correct", ""),
        ("dC/dx = delta^1 (W^1)^T", "correct", ""),
        ("dC/db^l = (delta^l)^T", "wrong", "a transpose too many"),
        ("delta^1 = (delta^2 W^2) (.) f'(z^1)", "wrong", "a missing transpose"),
        ("delta^1 = (delta^2 (W^2)^T) (.) f'(z^2)", "wrong", "wrong layer"),
    ],
)
def test_a_row_vector_texts_vectors_are_rows(text, status, mistake):
    """CS231n-style z = a W + b: δ^l, a^l and ∂C/∂b^l are rows, so (a^{l-1})ᵀ δ^l is the weights' gradient."""
    verdict = grade(load_spec(EXAMPLES / "softmax.toml"), text, notation="rows")
    assert verdict.status == status, verdict.reason
    assert mistake in verdict.mistake


@pytest.mark.parametrize(
    ("spec", "text", "typeset"),
    [
        (
            "nielsen_ch1.toml",
            "delta^L = (a^L - y) (.) sigma'(z^{L-1})",
            r"$\sigma'\left(z^{L-1}\right)$ is taken at the wrong layer: it should be $\sigma'\left(z^{L}\right)$",
        ),
        ("nielsen_ch1.toml", "dC/dW^l = delta^l a^{l-1}", r"should be $\left(a^{l-1}\right)^{T}$"),
        # the output layer as the answer wrote it: UFLDL's n_l stays n_l, a parenthesised L stays L
        ("ufldl_qa.toml", "delta^{(n_l)} = -(y - a^{(n_l)}) (.) f'(z^{(n_l-1)})", r"f'\left(z^{(n_l)}\right)"),
        ("nielsen_ch1.toml", "delta^{(L)} = (a^{(L)} - y) (.) sigma'(z^{(L-1)})", r"\sigma'\left(z^{(L)}\right)"),
    ],
)
def test_a_mistake_is_typeset_for_documents(spec, text, typeset):
    """The words of a mistake as the report and the handout's solutions print them: the answer's parts as
    mathematics (not σ'(z\\^{}\\{L-1\\}) in text), each layer as the answer wrote it."""
    verdict = grade(load_spec(EXAMPLES / spec), text)
    assert verdict.status == "wrong"
    assert typeset in verdict.mistake_latex, verdict.mistake_latex
    assert r"\^{}" not in verdict.mistake_latex
    assert ("n_l" in verdict.mistake_latex) == ("n_l" in text)
