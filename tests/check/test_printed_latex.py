"""check reads the LaTeX symbackprop's own printer writes (the handout's formulas), in the reader's notation,
and grades a row-vector text's vectors as rows."""

from __future__ import annotations

import pytest
from paths import EXAMPLES

from symbackprop import load_spec
from symbackprop.check.grade import grade
from symbackprop.teach import handout, proof

#: The notations whose printed letters check reads (see tests/teach/test_document.py's READ_BACK).
READ_BACK = ("nielsen", "notes", "ufldl", "bishop", "threeblue1brown", "rows")


@pytest.mark.parametrize("notation", READ_BACK)
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
