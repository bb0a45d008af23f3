"""Tests for :mod:`symbackprop.spec.load`: loading, defaults, round trips and every rejected spec.

Each bad spec must fail with a :class:`SpecError` naming the field and saying
what would be valid, on one line that names the file it came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sympy as sp

from symbackprop.errors import FormulaError, SpecError
from symbackprop.spec.functions import ACTIVATIONS, COSTS, A, Y, Z
from symbackprop.spec.load import (
    Regularization,
    Spec,
    Training,
    load_spec,
    make_spec,
    spec_from_dict,
)

DESIGN_EXAMPLE = """\
name = "nielsen_ch1"          # a Python identifier: names the generated module
layers = [784, 30, 10]        # n_0 (input) .. n_L (output)
activation = "sigmoid"        # hidden layers: one name, or a list with one name per hidden layer
output = "sigmoid"            # output activation; defaults to `activation`
cost = "quadratic"            # quadratic | cross_entropy (binary) | log_likelihood (softmax output)
notation = "notes"          # nielsen | blog | ufldl
dtype = "float64"             # float64 | float32, for generated code

[regularization]              # optional
l2 = 5.0                      # λ; weights only, never biases
scale = "batch"               # "batch": (λ/2)ΣW² as in UFLDL; "dataset": (λ/2n)ΣW² as in Nielsen ch. 3

[training]                    # defaults for `train` and the generated module
eta = 3.0
batch_size = 10
epochs = 30
seed = 0

[activations.swish]           # a custom activation: a formula in z
formula = "z / (1 + exp(-z))"

[costs.cubic]                 # a custom per-example cost: a formula in a and y, summed over outputs
formula = "abs(a - y)**3 / 3"
"""


def write(tmp_path: Path, text: str, name: str = "net.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rejected(data: dict[str, Any]) -> SpecError:
    with pytest.raises(SpecError) as info:
        spec_from_dict(data)
    return info.value


def is_plain(value: Any) -> bool:
    """True when ``value`` is TOML-shaped: str, int, float, lists and string-keyed dicts of those."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(is_plain(v) for v in value)
    return type(value) in (str, int, float)


# --------------------------------------------------------------------------- a full valid spec


def test_design_example_loads_with_its_fields(tmp_path: Path) -> None:
    path = write(tmp_path, DESIGN_EXAMPLE)
    spec = load_spec(path)
    assert spec.name == "nielsen_ch1"
    assert spec.layers == (784, 30, 10)
    assert spec.activations == ("sigmoid",)
    assert spec.output == "sigmoid"
    assert spec.cost == "quadratic"
    assert spec.notation == "notes"
    assert spec.dtype == "float64"
    assert spec.regularization == Regularization(l2=5.0, scale="batch")
    assert spec.training == Training(eta=3.0, batch_size=10, epochs=30, seed=0)
    assert spec.custom_activations == (("swish", "z / (1 + exp(-z))"),)
    assert spec.custom_costs == (("cubic", "abs(a - y)**3 / 3"),)
    assert spec.source == str(path)
    assert spec.depth == 2
    assert spec.parameter_count == 784 * 30 + 30 + 30 * 10 + 10


def test_load_spec_keeps_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "layers = [2, 1]\n")
    monkeypatch.chdir(tmp_path)
    assert load_spec("net.toml").source == "net.toml"


def test_custom_activation_formula_is_parsed(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, DESIGN_EXAMPLE))
    swish = spec.activation("swish")
    assert swish.name == "swish"
    assert swish.source == "z / (1 + exp(-z))"
    assert swish.elementwise
    assert sp.simplify(swish.formula - Z / (1 + sp.exp(-Z))) == 0


def test_custom_cost_formula_is_parsed(tmp_path: Path) -> None:
    text = DESIGN_EXAMPLE.replace('cost = "quadratic"', 'cost = "cubic"    ')
    spec = load_spec(write(tmp_path, text))
    cost = spec.cost_function()
    assert cost.name == "cubic"
    assert cost.source == "abs(a - y)**3 / 3"
    assert sp.simplify(cost.per_output - sp.Abs(A - Y) ** 3 / 3) == 0


def test_custom_activation_may_be_used_on_layers(tmp_path: Path) -> None:
    spec = make_spec(
        layers=[2, 3, 4, 1],
        activation=["swish", "tanh"],
        output="swish",
        activations={"swish": {"formula": "z / (1 + exp(-z))"}},
    )
    assert spec.activations == ("swish", "tanh")
    assert spec.layer_activation(2) is ACTIVATIONS["tanh"]
    assert spec.layer_activation(1).name == spec.layer_activation(3).name == "swish"


# --------------------------------------------------------------------------- defaults


def test_defaults() -> None:
    spec = make_spec(layers=[2, 3, 1])
    assert spec == Spec(layers=(2, 3, 1), activations=("sigmoid",))
    assert spec.name == "network"
    assert spec.output == "sigmoid"
    assert spec.cost == "quadratic"
    assert spec.notation == "nielsen"
    assert spec.dtype == "float64"
    assert spec.regularization is None
    assert spec.training == Training(eta=3.0, batch_size=10, epochs=30, seed=0)
    assert spec.custom_activations == spec.custom_costs == ()
    assert spec.source == "<dict>"


def test_output_defaults_to_the_activation() -> None:
    assert make_spec(layers=[2, 3, 3, 1], activation="tanh").output == "tanh"


def test_output_defaults_to_the_last_hidden_activation_of_a_list() -> None:
    spec = make_spec(layers=[2, 3, 3, 1], activation=["relu", "tanh"])
    assert spec.activations == ("relu", "tanh")
    assert spec.output == "tanh"


def test_output_defaults_to_sigmoid_for_an_empty_list() -> None:
    assert make_spec(layers=[2, 1], activation=[]).output == "sigmoid"


def test_partial_tables_fill_in_defaults() -> None:
    spec = make_spec(layers=[2, 1], regularization={"l2": 0}, training={"epochs": 5})
    assert spec.regularization == Regularization(l2=0, scale="batch")
    assert spec.training == Training(epochs=5)


def test_numbers_are_kept_as_given() -> None:
    spec = make_spec(layers=[2, 1], regularization={"l2": 5}, training={"eta": 1})
    assert type(spec.regularization.l2) is int
    assert type(spec.training.eta) is int


def test_make_spec_accepts_dataclasses_and_none() -> None:
    spec = make_spec(layers=[2, 1], regularization=Regularization(0.1, "dataset"), training=Training(seed=3))
    assert spec.regularization == Regularization(0.1, "dataset")
    assert spec.training.seed == 3
    assert make_spec(layers=[2, 1], regularization=None).regularization is None


def test_softmax_output_without_hidden_layers() -> None:
    spec = make_spec(layers=[4, 3], activation="softmax", cost="log_likelihood")
    assert spec.activations == ()
    assert spec.output == "softmax"
    assert spec.layer_activation(1) is ACTIVATIONS["softmax"]
    assert spec.cost_function() is COSTS["log_likelihood"]


def test_depth_parameter_count_and_layer_activation() -> None:
    spec = make_spec(layers=[3, 4, 2], activation="relu", output="softmax")
    assert spec.depth == 2
    assert spec.parameter_count == (3 * 4 + 4) + (4 * 2 + 2)
    assert spec.layer_activation(1) is ACTIVATIONS["relu"]
    assert spec.layer_activation(2) is ACTIVATIONS["softmax"]
    with pytest.raises(IndexError):
        spec.layer_activation(0)
    with pytest.raises(IndexError):
        spec.layer_activation(3)
    assert spec.cost_function() is COSTS["quadratic"]


def test_unknown_activation_lookup_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="did you mean 'sigmoid'"):
        make_spec(layers=[2, 1]).activation("sigmod")


def test_source_is_not_part_of_equality(tmp_path: Path) -> None:
    from_file = load_spec(write(tmp_path, "layers = [2, 3, 1]\n"))
    assert from_file == make_spec(layers=[2, 3, 1])
    assert from_file.source != "<dict>"
    assert hash(from_file) == hash(make_spec(layers=[2, 3, 1]))


# --------------------------------------------------------------------------- to_dict


ROUND_TRIP = [
    {"layers": [2, 1]},
    {"layers": [2, 3, 1], "activation": "tanh", "output": "identity", "notation": "ufldl"},
    {"layers": [2, 3, 1], "dtype": "float32", "name": "small"},
    {"layers": [2, 3, 4, 1], "activation": ["relu", "leaky_relu"]},
    {"layers": [2, 3, 3], "activation": "relu", "output": "softmax", "cost": "log_likelihood"},
    {"layers": [4, 3], "activation": "softmax", "cost": "log_likelihood"},
    {"layers": [2, 3, 1], "regularization": {"l2": 0}},
    {"layers": [2, 1], "regularization": {"l2": 0.5, "scale": "dataset"}, "training": {"eta": 0.1}},
    {"layers": [2, 1], "training": {"batch_size": 1, "epochs": 2, "seed": 7}},
]


@pytest.mark.parametrize("data", ROUND_TRIP)
def test_to_dict_round_trip(data: dict[str, Any]) -> None:
    spec = spec_from_dict(data)
    again = spec.to_dict()
    assert is_plain(again)
    assert spec_from_dict(again) == spec
    assert spec_from_dict(again).to_dict() == again


def test_to_dict_of_the_design_example(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, DESIGN_EXAMPLE))
    data = spec.to_dict()
    assert data == {
        "name": "nielsen_ch1",
        "layers": [784, 30, 10],
        "activation": "sigmoid",
        "output": "sigmoid",
        "cost": "quadratic",
        "notation": "notes",
        "dtype": "float64",
        "regularization": {"l2": 5.0, "scale": "batch"},
        "training": {"eta": 3.0, "batch_size": 10, "epochs": 30, "seed": 0, "init": "normal"},
        "activations": {"swish": {"formula": "z / (1 + exp(-z))"}},
        "costs": {"cubic": {"formula": "abs(a - y)**3 / 3"}},
    }
    assert spec_from_dict(data) == spec


def test_to_dict_writes_a_list_only_for_mixed_hidden_activations() -> None:
    assert make_spec(layers=[2, 3, 3, 1], activation=["relu", "relu"]).to_dict()["activation"] == "relu"
    mixed = make_spec(layers=[2, 3, 3, 1], activation=["relu", "tanh"])
    assert mixed.to_dict()["activation"] == ["relu", "tanh"]
    assert "regularization" not in make_spec(layers=[2, 1]).to_dict()


def test_custom_tables_are_sorted_by_name() -> None:
    spec = make_spec(
        layers=[2, 1],
        activations={"zeta": {"formula": "z"}, "alpha": {"formula": "2*z"}},
    )
    assert [name for name, _ in spec.custom_activations] == ["alpha", "zeta"]


# --------------------------------------------------------------------------- rejected specs

BAD = [
    # unknown keys, at every level
    ({"layers": [2, 1], "activaton": "relu"}, "activaton", "did you mean 'activation'?"),
    ({"layers": [2, 1], "zzz": 1}, "zzz", "valid keys: name, layers"),
    ({"layers": [2, 1], "regularization": {"l2": 1, "scal": "batch"}}, "regularization.scal", "did you mean 'scale'?"),
    ({"layers": [2, 1], "training": {"epoch": 3}}, "training.epoch", "did you mean 'epochs'?"),
    (
        {"layers": [2, 1], "activations": {"swish": {"formla": "z"}}},
        "activations.swish.formla",
        "did you mean 'formula'?",
    ),
    ({"layers": [2, 1], "costs": {"cubic": {"formula": "a", "extra": 1}}}, "costs.cubic.extra", "valid keys: formula"),
    # layers
    ({}, "layers", "missing"),
    ({"layers": "784, 30, 10"}, "layers", "expected a list"),
    ({"layers": [784]}, "layers", "at least 2"),
    ({"layers": []}, "layers", "at least 2"),
    ({"layers": [784, 30.0, 10]}, "layers[1]", "positive integer"),
    ({"layers": [784, True, 10]}, "layers[1]", "positive integer"),
    ({"layers": [784, 0, 10]}, "layers[1]", "positive integer"),
    ({"layers": [784, 30, -1]}, "layers[2]", "positive integer"),
    ({"layers": ["784", 10]}, "layers[0]", "positive integer"),
    ({"layers": [784, 100_001]}, "layers[1]", "100_000"),
    # activation
    (
        {"layers": [2, 3, 1], "activation": "sigmod"},
        "activation",
        "unknown activation 'sigmod'; did you mean 'sigmoid'? valid:",
    ),
    ({"layers": [2, 3, 4, 1], "activation": ["relu", "sigmod"]}, "activation[1]", "did you mean 'sigmoid'?"),
    ({"layers": [2, 3, 4, 1], "activation": ["relu"]}, "activation", "expected 2 activation names"),
    ({"layers": [2, 3, 1], "activation": ["relu", "relu"]}, "activation", "one per hidden layer"),
    ({"layers": [2, 3, 1], "activation": 3}, "activation", "expected an activation name or a list"),
    ({"layers": [2, 3, 4, 1], "activation": ["relu", 3]}, "activation[1]", "expected an activation name"),
    ({"layers": [2, 3, 1], "activation": "softmax"}, "activation", "allowed only as `output`"),
    ({"layers": [2, 3, 4, 1], "activation": ["relu", "softmax"]}, "activation[1]", "allowed only as `output`"),
    # output
    ({"layers": [2, 3, 1], "output": "softmaks"}, "output", "did you mean 'softmax'?"),
    ({"layers": [2, 3, 1], "output": ["sigmoid"]}, "output", "expected an activation name"),
    # cost
    ({"layers": [2, 3, 1], "cost": "quadratik"}, "cost", "did you mean 'quadratic'?"),
    ({"layers": [2, 3, 1], "cost": "cross-entropy"}, "cost", "valid: cross_entropy, log_likelihood, quadratic"),
    ({"layers": [2, 3, 1], "cost": "log_likelihood"}, "cost", 'needs output = "softmax"'),
    ({"layers": [2, 3, 1], "cost": None}, "cost", "expected a cost name"),
    # notation and dtype
    ({"layers": [2, 1], "notation": "neilsen"}, "notation", "did you mean 'nielsen'?"),
    ({"layers": [2, 1], "notation": "math"}, "notation", "valid: nielsen, notes, blog, ufldl"),
    ({"layers": [2, 1], "dtype": "float16"}, "dtype", "valid: float64, float32"),
    ({"layers": [2, 1], "dtype": 64}, "dtype", "expected one of float64, float32"),
    # name
    ({"layers": [2, 1], "name": "my-net"}, "name", "Python identifier"),
    ({"layers": [2, 1], "name": "2net"}, "name", "Python identifier"),
    ({"layers": [2, 1], "name": ""}, "name", "Python identifier"),
    ({"layers": [2, 1], "name": "class"}, "name", "keyword"),
    ({"layers": [2, 1], "name": "match"}, "name", "keyword"),
    ({"layers": [2, 1], "name": "__init__"}, "name", "dunder"),
    ({"layers": [2, 1], "name": "numpy"}, "name", "Python identifier"),
    ({"layers": [2, 1], "name": "np"}, "name", "shadow"),
    ({"layers": [2, 1], "name": "math"}, "name", "shadow"),
    ({"layers": [2, 1], "name": "sympy"}, "name", "would shadow the module 'sympy' that symbackprop imports"),
    ({"layers": [2, 1], "name": "tqdm"}, "name", "hides it from `python -m symbackprop`"),
    ({"layers": [2, 1], "name": 7}, "name", "expected a string"),
    # regularization
    ({"layers": [2, 1], "regularization": 5.0}, "regularization", "expected a table"),
    ({"layers": [2, 1], "regularization": {}}, "regularization.l2", "missing"),
    ({"layers": [2, 1], "regularization": {"l2": -1}}, "regularization.l2", "non-negative number"),
    ({"layers": [2, 1], "regularization": {"l2": True}}, "regularization.l2", "non-negative number"),
    ({"layers": [2, 1], "regularization": {"l2": "5"}}, "regularization.l2", "non-negative number"),
    ({"layers": [2, 1], "regularization": {"l2": float("nan")}}, "regularization.l2", "non-negative number"),
    (
        {"layers": [2, 1], "regularization": {"l2": 1, "scale": "epoch"}},
        "regularization.scale",
        "valid: batch, dataset",
    ),
    # training
    ({"layers": [2, 1], "training": []}, "training", "expected a table"),
    ({"layers": [2, 1], "training": {"eta": 0}}, "training.eta", "positive number"),
    ({"layers": [2, 1], "training": {"eta": -0.5}}, "training.eta", "positive number"),
    ({"layers": [2, 1], "training": {"eta": "fast"}}, "training.eta", "positive number"),
    ({"layers": [2, 1], "training": {"eta": float("inf")}}, "training.eta", "positive number"),
    ({"layers": [2, 1], "training": {"batch_size": 0}}, "training.batch_size", "positive integer"),
    ({"layers": [2, 1], "training": {"batch_size": 10.0}}, "training.batch_size", "positive integer"),
    ({"layers": [2, 1], "training": {"epochs": False}}, "training.epochs", "positive integer"),
    ({"layers": [2, 1], "training": {"seed": -1}}, "training.seed", "integer >= 0"),
    # custom tables
    ({"layers": [2, 1], "activations": "swish"}, "activations", "expected a table"),
    ({"layers": [2, 1], "activations": {"swish": "z"}}, "activations.swish", "expected a table"),
    ({"layers": [2, 1], "activations": {"swish": {}}}, "activations.swish.formula", "missing"),
    (
        {"layers": [2, 1], "activations": {"swish": {"formula": 1}}},
        "activations.swish.formula",
        "expected a string formula",
    ),
    ({"layers": [2, 1], "activations": {"my act": {"formula": "z"}}}, "activations.my act", "Python identifier"),
    ({"layers": [2, 1], "activations": {"relu": {"formula": "z"}}}, "activations.relu", "built-in activation"),
    ({"layers": [2, 1], "costs": {"quadratic": {"formula": "a - y"}}}, "costs.quadratic", "built-in cost"),
    ({"layers": [2, 1], "costs": []}, "costs", "expected a table"),
]


@pytest.mark.parametrize(("data", "field", "fragment"), BAD, ids=[f"{i}-{c[1]}" for i, c in enumerate(BAD)])
def test_bad_spec_names_the_field(data: dict[str, Any], field: str, fragment: str) -> None:
    error = rejected(data)
    assert error.field == field
    assert fragment in error.message
    assert error.source == "<dict>"
    assert str(error) == f"<dict>: {field}: {error.message}"
    assert "\n" not in str(error)


def test_unknown_activation_lists_the_valid_names() -> None:
    swish = {"swish": {"formula": "z"}}
    error = rejected({"layers": [2, 3, 1], "activation": "sigmod", "activations": swish})
    assert "valid: identity, leaky_relu, relu, sigmoid, softplus, swish, tanh" in error.message
    assert "softmax only as `output`" in error.message


def test_unknown_cost_lists_custom_costs() -> None:
    error = rejected({"layers": [2, 1], "cost": "cubik", "costs": {"cubic": {"formula": "a - y"}}})
    assert "did you mean 'cubic'?" in error.message
    assert "cubic" in error.message.split("valid:")[1]


def test_wrong_number_of_hidden_activations_says_how_many() -> None:
    error = rejected({"layers": [2, 3, 4, 5, 1], "activation": ["relu", "tanh"]})
    assert "expected 3 activation names" in error.message
    assert "got 2" in error.message


def test_the_whole_spec_must_be_a_table() -> None:
    with pytest.raises(SpecError, match="expected a table"):
        spec_from_dict(["layers", [2, 1]])  # type: ignore[arg-type]


def test_source_is_named_for_dict_specs() -> None:
    with pytest.raises(SpecError) as info:
        spec_from_dict({"layers": [2, 0]}, source="inline")
    assert str(info.value).startswith("inline: layers[1]: ")


FILE_ERRORS = [
    ("layers = [784, 30.0, 10]\n", "layers[1]"),
    ('layers = [2, 1]\nactivation = "sigmod"\n', "activation"),
    ("layers = [2, 1]\n[training]\neta = -1\n", "training.eta"),
    ("layers = [2, 1]\n[regularization]\nl2 = -1\n", "regularization.l2"),
]


@pytest.mark.parametrize(("text", "field"), FILE_ERRORS)
def test_errors_in_files_are_one_line_naming_the_file(tmp_path: Path, text: str, field: str) -> None:
    path = write(tmp_path, text, "my_net.toml")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    line = str(info.value)
    assert "\n" not in line
    assert line.startswith(f"{path}: {field}: ")
    assert "my_net.toml" in line
    assert info.value.source == str(path)


# --------------------------------------------------------------------------- load_spec


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.source == str(path)
    assert info.value.field is None
    assert "no such file" in info.value.message
    assert str(info.value).startswith(f"{path}: no such file")


def test_broken_toml_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'layers = [2, 1]\nname = "unterminated\n')
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.field is None
    assert "line 2" in info.value.message
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_duplicate_keys_are_broken_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "layers = [2, 1]\nlayers = [3, 1]\n")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.field is None
    assert "invalid TOML" in info.value.message


def test_a_directory_is_not_a_spec(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="directory"):
        load_spec(tmp_path)


# --------------------------------------------------------------------------- formulas


@pytest.mark.parametrize(
    ("table", "formula", "field"),
    [
        ("activations", "__import__('os').system('true')", "activations.evil.formula"),
        ("activations", "z + a", "activations.evil.formula"),
        ("costs", "(a - y) ** 2 + z", "costs.evil.formula"),
        ("costs", "open('x')", "costs.evil.formula"),
    ],
)
def test_bad_formulas_are_located(tmp_path: Path, table: str, formula: str, field: str) -> None:
    path = write(tmp_path, f'layers = [2, 1]\n[{table}.evil]\nformula = "{formula}"\n')
    with pytest.raises(FormulaError) as info:
        load_spec(path)
    assert info.value.field == field
    assert info.value.source == str(path)
    assert str(info.value).startswith(f"{path}: {field}: ")
    assert "\n" not in str(info.value)


def test_formulas_are_never_evaluated(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    formula = f"__import__('pathlib').Path('{marker}').touch()"
    with pytest.raises(FormulaError):
        make_spec(layers=[2, 1], activations={"evil": {"formula": formula}})
    assert not marker.exists()


# --------------------------------------------------------------------------- hostile specs through the CLI
# Each bad value, in a TOML file, makes every command exit with code 2 and one line on stderr naming the
# file and the field (or, for broken TOML, the line), before any symbolic work.

CLI_BAD = [
    # layers
    ("layers = [784, -30, 10]", "layers[1]", "positive integer"),
    ("layers = [784, 0, 10]", "layers[1]", "positive integer"),
    ("layers = [784, 1000000000, 10]", "layers[1]", "above the limit"),
    ("layers = [784, 99999999999999999, 10]", "layers[1]", "above the limit"),
    ("layers = []", "layers", "at least 2"),
    ("layers = [784]", "layers", "at least 2"),
    ("layers = [" + ", ".join(["2"] * 101) + "]", "layers", "at most 100 layers"),
    ('layers = "784, 30, 10"', "layers", "expected a list"),
    ('layers = [784, "30", 10]', "layers[1]", "positive integer"),
    ("layers = [784, 30.5, 10]", "layers[1]", "positive integer"),
    ("layers = [784, true, 10]", "layers[1]", "positive integer"),
    ("layers = [[784], 10]", "layers[0]", "positive integer"),
    ("layers = {input = 784}", "layers", "expected a list"),
    # name
    ('name = "class"', "name", "keyword"),
    ('name = "lambda"', "name", "keyword"),
    ('name = "list"', "name", "built-in"),
    ('name = "print"', "name", "built-in"),
    ('name = "np"', "name", "shadow"),
    ('name = "numpy"', "name", "shadow"),
    ('name = "Network"', "name", "shadow"),
    ('name = "LAYERS"', "name", "shadow"),
    ('name = "random"', "name", "shadow"),
    ('name = "symbackprop"', "name", "shadow"),
    ('name = "my-net"', "name", "Python identifier"),
    ('name = "__init__"', "name", "dunder"),
    ('name = "nаme"', "name", "U+0430"),
    ('name = "ｎｐ"', "name", "U+FF4E"),
    ("name = 7", "name", "expected a string"),
    # choices
    ('activation = "sigmod"', "activation", "did you mean 'sigmoid'"),
    ("activation = 3", "activation", "expected an activation name"),
    ('activation = "softmax"', "activation", "only as `output`"),
    ('output = "relu6"', "output", "unknown activation"),
    ('cost = "log_likelihood"', "cost", 'needs output = "softmax"'),
    ("cost = []", "cost", "expected a cost name"),
    ('notation = "feynman"', "notation", "valid: nielsen, notes, blog, ufldl"),
    ("notation = ['nielsen']", "notation", "expected one of"),
    ('dtype = "float16"', "dtype", "valid: float64, float32"),
    ("dtype = 64", "dtype", "expected one of"),
    ('colour = "blue"', "colour", "unknown key"),
    # tables
    ("regularization = 5", "regularization", "expected a table"),
    ("[regularization]\nl2 = -5", "regularization.l2", "non-negative"),
    ("[regularization]\nl2 = nan", "regularization.l2", "non-negative"),
    ("[regularization]\nl2 = 5\nscale = 'epoch'", "regularization.scale", "valid: batch, dataset"),
    ("[regularization]\nlambda = 5", "regularization.lambda", "unknown key"),
    ("[training]\neta = 0", "training.eta", "positive number"),
    ("[training]\neta = inf", "training.eta", "positive number"),
    ("[training]\neta = '3'", "training.eta", "positive number"),
    ("[training]\nbatch_size = 0", "training.batch_size", "positive integer"),
    ("[training]\nbatch_size = 1.5", "training.batch_size", "positive integer"),
    ("[training]\nepochs = -1", "training.epochs", "positive integer"),
    ("[training]\nseed = -1", "training.seed", "integer >= 0"),
    ("[training]\nrate = 1", "training.rate", "unknown key"),
    ("training = 3", "training", "expected a table"),
    # custom activations and costs
    ("[activations.np]\nformula = '__import__(\"os\")'", "activations.np.formula", "'__import__'"),
    ("[activations.swish]\nformula = 'z.real'", "activations.swish.formula", "attribute access"),
    ('[activations.swish]\nformula = "z\\u0000"', "activations.swish.formula", "U+0000"),
    ("[activations.swish]\nformula = 9", "activations.swish.formula", "expected a string formula"),
    ("[activations.swish]\nformula = '9**9**9'", "activations.swish.formula", "'**'"),
    ("[activations.\"ѕwish\"]\nformula = 'z'", "activations.ѕwish", "ASCII Python identifier"),
    ("[activations.class]\nformula = 'z'", "activations.class", "not a keyword"),
    ("[activations.relu]\nformula = 'z'", "activations.relu", "built-in activation"),
    ("[costs.cubic]\nformula = 'abs(a - y)**3 / 3 + z'", "costs.cubic.formula", "'z'"),
    ("[costs.cubic]\nshape = 'abs'", "costs.cubic.shape", "unknown key"),
]


def _cli_spec(tmp_path: Path, snippet: str) -> Path:
    """``snippet`` in a spec that is otherwise valid: top-level keys first, tables after."""
    base = {"name": 'name = "hostile"', "layers": "layers = [3, 4, 2]"}
    lines = [line for key, line in base.items() if not snippet.startswith(key)]
    text = "\n".join([*lines, snippet] if snippet.startswith("[") else [snippet, *lines])
    return write(tmp_path, text + "\n", "hostile.toml")


@pytest.mark.parametrize(("snippet", "field", "fragment"), CLI_BAD, ids=[f"{i}-{c[1]}" for i, c in enumerate(CLI_BAD)])
def test_every_bad_field_exits_2_with_one_line(tmp_path: Path, capsys, snippet: str, field: str, fragment: str) -> None:
    from symbackprop.cli import main

    path = _cli_spec(tmp_path, snippet)
    assert main(["verify", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"symbackprop: {path}: {field}: "), lines[0]
    assert fragment in lines[0]
    assert len(lines[0]) < 700


@pytest.mark.parametrize("command", ["derive", "generate", "latex", "build"])
def test_every_command_rejects_a_bad_spec_before_writing(tmp_path: Path, capsys, command: str) -> None:
    from symbackprop.cli import main

    path = _cli_spec(tmp_path, "layers = [784, 0, 10]")
    out = tmp_path / "out"
    extra = {"generate": ["-o", str(out / "m.py")], "latex": ["-o", str(out / "m.tex")], "build": ["-o", str(out)]}
    assert main([command, str(path), *extra.get(command, [])]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "layers[1]" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("layers = [3, 2]\nlayers = [4, 2]\n", "duplicate key 'layers'"),
        ("layers = [3, 2]\n[training]\neta = 1\neta = 2\n", "duplicate key 'eta'"),
        ("layers = [3, 2]\n[training]\neta = 1\n[training]\nseed = 2\n", "twice"),
        ("layers = [3, 2]\nx = {a = 1, a = 2}\n", "Duplicate inline table key 'a'"),
        ("layers = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ('layers = [3, 2]\nname = "unterminated\n', "line 2"),
        ("layers = [3, 2]\n\x00\n", "invalid TOML"),
    ],
)
def test_broken_toml_exits_2_with_one_line(tmp_path: Path, capsys, text: str, fragment: str) -> None:
    from symbackprop.cli import main

    path = write(tmp_path, text)
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"symbackprop: {path}: invalid TOML: ") and fragment in err


def test_non_utf8_and_oversized_spec_files_exit_2(tmp_path: Path, capsys) -> None:
    from symbackprop.cli import main
    from symbackprop.spec.load import MAX_SPEC_BYTES

    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'name = "caf\xe9"\nlayers = [3, 2]\n')
    huge = tmp_path / "huge.toml"
    huge.write_text("layers = [3, 2]\n" + "# padding\n" * (MAX_SPEC_BYTES // 10 + 1))
    for path, fragment in ((latin, "not UTF-8"), (huge, "too large")):
        assert main(["verify", str(path)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and str(path) in err and fragment in err


def test_spec_from_toml_matches_load_spec(tmp_path: Path) -> None:
    from symbackprop.spec.load import spec_from_toml

    assert spec_from_toml(DESIGN_EXAMPLE) == load_spec(write(tmp_path, DESIGN_EXAMPLE))
    assert spec_from_toml(DESIGN_EXAMPLE.encode()) == spec_from_toml(DESIGN_EXAMPLE)
    with pytest.raises(SpecError) as info:
        spec_from_toml("layers = [2, 0]", source="inline.toml")
    assert str(info.value).startswith("inline.toml: layers[1]: ")


def test_numbers_too_large_for_a_float_are_rejected_not_crashed() -> None:
    error = rejected({"layers": [2, 1], "training": {"eta": 10**400}})
    assert error.field == "training.eta" and "below 1e308" in error.message and len(str(error)) < 200
    error = rejected({"layers": [2, 10**400]})
    assert error.field == "layers[1]" and len(str(error)) < 200


@pytest.mark.parametrize(
    "data",
    [
        {"layers": [2, 1], "activations": {"\n\x06 ": {"formula": "z"}}},
        {"layers": [2, 1], "a\nb": 1},
        {"layers": [2, 1], "x" * 1_000_000: 1},
        {"layers": [2, 1], "training": {"\r\n": 1}},
    ],
)
def test_odd_keys_still_give_one_short_line(data: dict[str, Any]) -> None:
    message = str(rejected(data))
    assert "\n" not in message and "\r" not in message and len(message) < 400
