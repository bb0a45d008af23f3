"""A notation of one's own: a spec's [notation] table, validated field by field, spoken by every command."""

from __future__ import annotations

import dataclasses
import json

import pytest

from symbackprop.check.grade import grade
from symbackprop.cli import main
from symbackprop.closed_forms import forms_for
from symbackprop.derivation.formulas import derived_formulas
from symbackprop.emission.module import generate_source
from symbackprop.errors import SpecError
from symbackprop.notation.catalogue import get, names, unregister
from symbackprop.printing.text import derivation_text
from symbackprop.spec.load import spec_from_dict, spec_from_toml
from symbackprop.teach.document import render
from symbackprop.verification import verify

OWN = """
name = "course_net"
layers = [2, 3, 2]
activation = "tanh"
output = "sigmoid"
cost = "cross_entropy"

[notation]
base = "nielsen"
name = "our_course"
layer_style = "parenthesised"
input_layer = 0
product = "circ"
indices = ["i", "j"]

[notation.symbols]
weight = "theta"
cost = "J"
"""


@pytest.fixture
def own():
    spec = spec_from_toml(OWN, source="own.toml")
    yield spec
    unregister("our_course")


def test_the_table_makes_a_notation_from_its_base(own) -> None:
    nt = get(own.notation)
    assert own.notation == "our_course" and nt.base == "nielsen"
    assert nt.spell("weight", "unicode") == "Θ" and nt.spell("cost") == "J" and nt.spell("function") == "sigma"
    assert nt.label(2) == "(2)" and nt.input_layer == 0 and nt.hadamard.unicode == "∘" and nt.indices == ("i", "j")
    assert (
        "changed by the spec's [notation] table" in nt.citation.text()
        and nt.citation.url == get("nielsen").citation.url
    )
    assert forms_for("our_course").bp2.text == forms_for("nielsen").bp2.text  # the same layout: the base's forms


def test_the_table_round_trips_and_is_in_the_generated_module(own) -> None:
    again = spec_from_dict(own.to_dict())
    assert again == own and again.notation == "our_course"
    source = generate_source(own)
    assert "our_course notation" in source and "Theta^(l), shape (n_l, n_(l-1))" in source


def test_verify_derive_latex_and_check_speak_it(own) -> None:
    report = verify(own, methods=["exact", "numeric"])
    assert report.ok, report.failures
    assert {(c.equation, c.layer) for c in report.checks} >= {("BP1", 2), ("BP4", 1), ("input_gradient", 0)}
    text = derivation_text(own, derived_formulas(own), own.notation)
    assert "dJ/dTheta^(2)_ij" in text and "delta^(2)_i" in text
    tex = render(own)
    assert r"\Theta^{(2)}_{ij}" in tex and r"\circ" in tex
    verdict = grade(own, r"\delta^{(2)} = a^{(2)} - y", equation="BP1")
    assert verdict.correct, verdict
    wrong = grade(own, r"\delta^{(2)} = (a^{(2)} - y) \circ \sigma'(z^{(2)})", equation="BP1")
    assert wrong.status == "wrong" and wrong.counterexample, wrong


def test_changing_the_layout_takes_the_forms_of_the_new_layout() -> None:
    spec = spec_from_toml(OWN.replace("input_layer = 0", "transposed = true").replace("our_course", "t_course"))
    try:
        assert get("t_course").layout == "transposed"
        assert forms_for("t_course").bp4.text != forms_for("nielsen").bp4.text
        report = verify(spec, methods=["exact"])
        assert report.ok, report.failures
        wrong = forms_for("nielsen")  # the untransposed forms do not hold for transposed weights
        assert not verify(spec, forms=dataclasses.replace(wrong, notation="t_course"), methods=["exact"]).ok
    finally:
        unregister("t_course")


def test_examples_as_columns_from_a_table() -> None:
    spec = spec_from_toml(OWN.replace("input_layer = 0", 'examples = "columns"').replace("our_course", "c_course"))
    try:
        source = generate_source(spec)
        assert "EXAMPLE_AXIS = 1" in source and "X has shape (2, m)" in source
    finally:
        unregister("c_course")


BAD = [
    ('notation = "neilsen"', "notation", "did you mean 'nielsen'?"),
    ("[notation]\nname = 'x'", "notation.base", "missing"),
    ("[notation]\nbase = 'nielson'", "notation.base", "not a catalogue notation; valid: nielsen"),
    ("[notation]\nbase = 'nielsen'\ncolour = 'red'", "notation.colour", "valid keys: base, name"),
    ("[notation]\nbase = 'nielsen'\nname = 'notes'", "notation.name", "is a catalogue notation"),
    ("[notation]\nbase = 'nielsen'\nname = 'my notation'", "notation.name", "an identifier"),
    ("[notation]\nbase = 'nielsen'\ninput_layer = 2", "notation.input_layer", "valid: 0, 1"),
    ("[notation]\nbase = 'nielsen'\nweight_offset = 1", "notation.weight_offset", "valid: 0, -1"),
    ("[notation]\nbase = 'nielsen'\ninput_layer = 1.0", "notation.input_layer", "1.0 is not valid"),
    ("[notation]\nbase = 'nielsen'\ntransposed = 'yes'", "notation.transposed", "true or false"),
    ("[notation]\nbase = 'nielsen'\nvectors = 'rows'", "notation", "no closed forms for transposed = false"),
    ("[notation]\nbase = 'ufldl'\ntransposed = true", "notation", "valid combinations"),
    ("[notation]\nbase = 'nielsen'\nlayer_style = 'curly'", "notation.layer_style", "'parenthesised'"),
    ("[notation]\nbase = 'nielsen'\nindices = ['i', 'i']", "notation.indices", "two different letters"),
    ("[notation]\nbase = 'nielsen'\nproduct = 'x'", "notation.product", "'circ'"),
    ("[notation]\nbase = 'nielsen'\n[notation.symbols]\nweigth = 'w'", "notation.symbols.weigth", "valid: weight"),
    ("[notation]\nbase = 'nielsen'\n[notation.symbols]\nweight = 'w 2'", "notation.symbols.weight", "not a letter"),
    (
        "[notation]\nbase = 'nielsen'\n[notation.symbols]\n"
        "weight = {ascii = 'w', unicode = 'w', latex = '\\\\input{x}'}",
        "notation.symbols.weight.latex",
        "(not input)",
    ),
    (
        "[notation]\nbase = 'nielsen'\n[notation.symbols]\nweight = {ascii = 'w', unicode = 'w', latex = '{w'}",
        "notation.symbols.weight.latex",
        "balanced braces",
    ),
    ("[notation]\nbase = 'nielsen'\n[notation.symbols]\nweight = {ascii = 'w'}", "notation.symbols.weight", "exactly"),
]


@pytest.mark.parametrize("table, field, message", BAD, ids=[b[1] + ":" + b[2][:20] for b in BAD])
def test_a_bad_table_names_the_field(table, field, message) -> None:
    text = 'name = "t"\nlayers = [2, 2]\n' + table
    with pytest.raises(SpecError) as error:
        spec_from_toml(text, source="t.toml")
    assert error.value.field == field and message in error.value.message, str(error.value)
    assert str(error.value).startswith(f"t.toml: {field}: ") and "\n" not in str(error.value)
    assert not [n for n in names() if get(n).base and n == "t"]  # nothing registered by a refused spec


def test_the_command_line_takes_a_table(tmp_path, capsys) -> None:
    path = tmp_path / "own.toml"
    path.write_text(OWN, encoding="utf-8")
    try:
        assert main(["verify", str(path), "--json", "--methods", "numeric"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["notation"] == "our_course" and report["ok"]
        assert main(["derive", str(path)]) == 0
        assert "dJ/dTheta^(2)_ij" in capsys.readouterr().out
        bad = tmp_path / "bad.toml"
        bad.write_text(OWN.replace('product = "circ"', 'product = "x"'), encoding="utf-8")
        assert main(["verify", str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "bad.toml: notation.product: 'x' is not valid" in err
    finally:
        unregister("our_course")
