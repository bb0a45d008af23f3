"""The step-by-step proofs: generated from the verifier's symbolic steps, checked, and specialised to the spec."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp
from networks import MATRIX
from paths import EXAMPLES

from symbackprop import load_spec, make_spec, verify
from symbackprop.closed_forms import CLOSED_FORMS
from symbackprop.notation import symbols
from symbackprop.notation.catalogue import NOTES_NOTATION as NIELSEN
from symbackprop.notation.catalogue import get
from symbackprop.notation.catalogue import names as notation_names
from symbackprop.printing.latex import latex
from symbackprop.teach import proof


def _by(proofs, equation: str) -> list[proof.Proof]:
    return [p for p in proofs if p.equation == equation]


def _reasons(p: proof.Proof) -> str:
    return " ".join(s.reason for s in (*p.steps, *p.special))


#: The notations proved in the README's suite; the others run with the matrices (`-m matrix`, by .ci/run).
IN_THE_SUITE = ("nielsen", "notes", "ufldl")


@pytest.mark.parametrize(
    "notation", [n if n in IN_THE_SUITE else pytest.param(n, marks=MATRIX) for n in notation_names()]
)
def test_every_proof_lands_on_the_closed_form(notation):
    spec = make_spec(
        layers=[2, 3, 3, 2],
        activation="tanh",
        output="sigmoid",
        cost="quadratic",
        regularization={"l2": 0.5, "scale": "batch"},
    )
    proofs = proof.proofs(spec, notation)
    assert [p.equation for p in proofs] == [
        "BP1",
        "BP2",
        "BP2",
        "BP3",
        "BP4",
        "BP3",
        "BP4",
        "BP3",
        "BP4",
        "input_gradient",
        "L2",
    ]
    assert all(p.checked for p in proofs), [p.title for p in proofs if not p.checked]
    for p in _by(proofs, "BP2"):
        # the justification is read off the derivative SymPy took: a Kronecker bracket, then summed away
        brackets = [s for s in p.steps if s.rhs.has(sp.KroneckerDelta)]
        assert brackets and "elementwise" in brackets[0].reason
        assert not p.steps[-1].rhs.has(sp.KroneckerDelta)
        assert "Chain rule" in p.steps[1].reason
        assert p.matrix and get(notation).hadamard.latex in p.matrix[0]
    # the matrix forms show where the transposes come from
    bp2 = _by(proofs, "BP2")[0].matrix[0]
    assert ("^{T}" in bp2) == (notation != "blog")  # rows: (W^{l+1})^T on the right of the row δ


def test_a_wrong_closed_form_is_not_confirmed():
    spec = make_spec(layers=[2, 3, 2], activation="sigmoid", cost="quadratic")

    def bp2_without_transpose(net, l, j):  # W^{l+1}_{jk} instead of W^{l+1}_{kj}
        k = net.index("k")
        return sp.Sum(net.W(l + 1)[j, k] * net.delta(l + 1)[k], (k, 1, net.width(l + 1))) * net.fprime(l)(j)

    wrong = dataclasses.replace(CLOSED_FORMS["notes"], bp2_component=bp2_without_transpose)
    proofs = proof.proofs(spec, forms=wrong)
    assert not _by(proofs, "BP2")[0].checked
    assert _by(proofs, "BP1")[0].checked and _by(proofs, "BP4")[0].checked


def test_sigmoid_cross_entropy_shows_the_cancellation():
    spec = make_spec(layers=[2, 2], activation="sigmoid", cost="cross_entropy", notation="notes")
    (bp1,) = _by(proof.proofs(spec), "BP1")
    a, y = symbols.indexed(NIELSEN, "activation", 1), symbols.indexed(NIELSEN, "target")
    j = sp.Symbol("i", integer=True)  # the notes' neuron index
    assert sp.simplify(bp1.special[-1].rhs - (a[j] - y[j])) == 0
    assert "cancels the denominator" in bp1.special[-1].reason
    # the cost's gradient and sigma' are printed from SymPy, not typed in
    assert (
        latex(
            sp.diff(spec.cost_function().per_output, sp.Symbol("a", real=True)).subs(
                {sp.Symbol("a", real=True): a[j], sp.Symbol("y", real=True): y[j]}
            )
        )
        in bp1.special[0].reason
    )


def test_softmax_proof_uses_the_jacobian_and_the_verifiers_counterexample():
    spec = dataclasses.replace(load_spec(EXAMPLES / "softmax.toml"), notation="notes")
    report = verify(spec)
    (bp1,) = _by(proof.proofs(spec, report=report), "BP1")
    assert bp1.checked and "Jacobian" in bp1.conclusion
    reasons = _reasons(bp1)
    assert "off-diagonal" in reasons and "quotient rule" in reasons
    (failed,) = [
        c
        for c in report.checks
        if c.equation == "BP1"
        and c.form == "hadamard"
        and c.method == "exact"
        and "derived" in (c.counterexample or {})
    ][:1]
    assert f"{failed.counterexample['derived']:.4g}" in reasons
    assert f"{failed.counterexample['closed_form']:.4g}" in reasons
    a, y = symbols.indexed(NIELSEN, "activation", 2), symbols.indexed(NIELSEN, "target")
    j = sp.Symbol("i", integer=True)  # the notes' neuron index
    assert sp.simplify(bp1.special[-1].rhs - (a[j] - y[j])) == 0
    assert "sum to 1" in bp1.special[-1].reason


def test_a_custom_activation_gets_its_own_derivative():
    spec = make_spec(
        layers=[2, 2, 1],
        activation="zexp",
        output="sigmoid",
        cost="quadratic",
        activations={"zexp": {"formula": "z * exp(z)"}},
        notation="notes",
    )
    (bp2,) = _by(proof.proofs(spec), "BP2")
    z = sp.Symbol("z", real=True)
    first = bp2.special[0]
    assert "exp(z^1[i])*z^1[i] + exp(z^1[i])" in str(first.rhs) and "Sum(W^2[j, i]*delta^2[j]" in str(first.rhs)
    assert "zexp" in first.reason and latex(sp.diff(z * sp.exp(z), z)) in first.reason
    assert "no way to write" in first.reason  # z e^z has no f' through a alone: said, not hidden


def test_the_table_has_every_parameter_and_only_for_small_networks():
    spec = load_spec(EXAMPLES / "ufldl_qa.toml")
    entries = proof.entry_table(spec)
    assert len(entries) == spec.parameter_count == 20
    assert all(e.equal for e in entries)
    # the derived entries are written out to the cost (no δ left); the closed forms use δ
    assert not any("delta" in str(e.derived) for e in entries)
    assert all("delta" in str(e.closed) for e in entries)
    weight = [e for e in entries if str(e.parameter) == "W^(1)_{1,1}"][0]
    assert weight.derived.has(sp.Symbol("lambda", positive=True))  # the batch-scale decay λW
    assert proof.entry_table(load_spec(EXAMPLES / "softmax.toml")) == []  # 43 parameters > 30


def test_proofs_render_in_jupyter():
    spec = make_spec(layers=[2, 2], activation="sigmoid", cost="quadratic", notation="notes")
    text = proof.proofs(spec)._repr_latex_()
    assert "Chain rule" in text and "$$" in text and r"\delta^{1}_{i}" in text


#: How each notation writes the layers of its general statements: the output layer, a layer, the next one.
GENERAL_LAYERS = {
    "nielsen": ("L", "l", "l+1"),
    "ufldl": ("(n_l)", "(l)", "(l+1)"),
    "deeplearning_ai": ("[L]", "[l]", "[l+1]"),
    "goodfellow": ("(l)", "(k)", "(k+1)"),
}


@pytest.mark.parametrize(
    "notation", [n if n in IN_THE_SUITE else pytest.param(n, marks=MATRIX) for n in notation_names()]
)
def test_the_general_proofs_hold_for_a_symbolic_layer_and_land_on_the_closed_form(notation):
    spec = make_spec(layers=[2, 3, 2], activation="tanh", output="sigmoid", cost="cross_entropy")
    general = proof.general_proofs(spec, notation)
    assert [p.equation for p in general] == ["BP1", "BP2", "BP3", "BP4"]
    assert all(p.checked for p in general), [p.title for p in general if not p.checked]
    # no layer of the spec is named: every layer is a letter (l, l+1, L), the activation an abstract f
    for p in general:
        layers = {s.layer for s in sp.Tuple(p.lhs, *(s.rhs for s in p.steps)).atoms(symbols.NetworkSymbol)}
        assert layers and not any(isinstance(x, int) for x in layers), (p.title, layers)
        assert not p.special  # this network's functions come after the general proofs
        assert "tanh" not in _reasons(p) and "sigmoid" not in _reasons(p)
    if notation in GENERAL_LAYERS:
        output, layer, following = GENERAL_LAYERS[notation]
        assert f"^{{{output}}}" in general[0].matrix[0]
        assert f"^{{{layer}}}" in general[1].matrix[0] and f"^{{{following}}}" in general[1].matrix[0]


def test_a_wrong_closed_form_is_not_confirmed_in_the_general_proof_either():
    spec = make_spec(layers=[2, 3, 2], activation="sigmoid", cost="quadratic", notation="notes")

    def bp4_without_transpose(net, l, j, k):  # a^{l-1}_j δ^l_k: the indices swapped
        return net.a(l - 1)[j] * net.delta(l)[k]

    wrong = dataclasses.replace(CLOSED_FORMS["notes"], bp4_component=bp4_without_transpose)
    general = proof.general_proofs(spec, forms=wrong)
    assert [p.checked for p in general] == [True, True, True, False]
