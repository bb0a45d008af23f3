"""A notation defined here, in the test, is spoken by verify, derive, the LaTeX document and check.

It numbers the input layer 1 (as Nielsen's book does: a^1 = x, the first weights w^2) and stores the
weights transposed, w^l_{ij} from neuron i of layer l-1 to neuron j of layer l (as the blog does). Adding it
takes one data entry and its closed forms (here the blog's recipes, which read the notation's own layer
numbers), registered for the test's duration; no module of the package compares a notation's name.
"""

from __future__ import annotations

import dataclasses

import pytest

from symbackprop.check.grade import grade
from symbackprop.closed_forms import BLOG_FORMS
from symbackprop.closed_forms import register as register_forms
from symbackprop.closed_forms import unregister as unregister_forms
from symbackprop.derivation.formulas import derived_formulas
from symbackprop.notation.catalogue import COMMON, registered
from symbackprop.notation.model import Citation, Notation
from symbackprop.notation.spelling import latin
from symbackprop.printing.text import derivation_text
from symbackprop.spec.load import make_spec
from symbackprop.teach.document import render
from symbackprop.verification import verify

BOOKISH = Notation(
    name="bookish",
    description="a test notation: the input is layer 1, transposed weights w^l_{ij} from i in l-1 to j in l",
    citation=Citation("", "a notation defined by tests/notation/test_own_notation.py"),
    symbols={**COMMON, "weight": latin("w")},
    input_layer=1,
    transposed=True,
    indices=("i", "j"),
    input_index="j",
)


@pytest.fixture(scope="module")
def spec():
    forms = dataclasses.replace(BLOG_FORMS, notation="bookish")
    with registered(BOOKISH):
        register_forms(forms)
        try:
            yield make_spec(name="bookish_net", layers=[2, 3, 2], activation="sigmoid", notation="bookish")
        finally:
            unregister_forms("bookish")


def test_the_spec_takes_the_new_notation(spec) -> None:
    assert spec.notation == "bookish"


def test_verify_numbers_the_layers_as_the_notation_does(spec) -> None:
    report = verify(spec)
    assert report.ok, report.failures
    layers = {(c.equation, c.layer) for c in report.checks}
    # input = layer 1, so BP1 is at layer 3, BP2 at layer 2, and the weights are w^2 and w^3
    assert {("BP1", 3), ("BP2", 2), ("BP3", 2), ("BP4", 3), ("input_gradient", 1)} <= layers
    assert not {layer for eq, layer in layers if eq == "BP4"} & {1}


def test_a_wrong_closed_form_is_still_caught_in_it(spec) -> None:
    wrong = dataclasses.replace(BLOG_FORMS, notation="bookish", bp4=lambda net, l: net.delta(l) * net.a(l - 1).T)
    report = verify(spec, forms=wrong, methods=["exact"])
    assert not report.ok
    assert {c.equation for c in report.failures} == {"BP4"}


def test_derive_writes_its_letters_and_numbers(spec) -> None:
    text = derivation_text(spec, derived_formulas(spec), "bookish")
    assert "delta^3_i" in text and "dC/dw^2_ij" in text and "dC/dw^3_ij" in text
    assert "dC/dW" not in text and "delta^0" not in text


def test_the_document_is_written_in_it(spec) -> None:
    tex = render(spec)
    assert "{w^{3}_{ij}}" in tex and r"{\delta^{3}_{i}}" in tex
    assert "a notation defined by tests/notation/test" in tex  # its citation


def test_check_reads_and_grades_answers_in_it(spec) -> None:
    right = grade(spec, r"\frac{\partial C}{\partial w^l_{ij}} = a^{l-1}_i \delta^l_j")
    assert right.correct, right.reason
    assert right.notation == "bookish"
    swapped = grade(spec, r"\frac{\partial C}{\partial w^l_{ij}} = a^{l-1}_j \delta^l_i")
    assert swapped.status == "wrong"
