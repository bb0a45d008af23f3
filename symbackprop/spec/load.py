"""The network spec: TOML, a dict or keyword arguments in; a validated, frozen :class:`Spec` out.

This is the first stage of the pipeline. Everything a user can
get wrong is caught here, before any symbolic work: each problem raises
:class:`~symbackprop.errors.SpecError` naming the source (a file name or
``"<dict>"``), the dotted field (``layers[1]``, ``training.eta``,
``activations.swish.formula``) and what would be valid, so ``str(error)`` is one
line ``source: field: message``. Custom formulas are parsed (never evaluated) by
:func:`symbackprop.spec.formula.parse_formula`.

Defaults, when a key is absent:

- ``name = "network"``, ``activation = "sigmoid"``, ``cost = "quadratic"``,
  ``notation = "nielsen"``, ``dtype = "float64"``;
- ``output`` = the hidden activation when ``activation`` is one name; when it is
  a list, the *last* hidden layer's activation (``"sigmoid"`` if the list is
  empty, i.e. there are no hidden layers);
- ``[training]``: ``eta = 3.0``, ``batch_size = 10``, ``epochs = 30``,
  ``seed = 0``, ``init = "normal"`` (or ``"normal_scaled"``); a partial table fills in the rest;
- ``[regularization]`` absent: no regulariser (``Spec.regularization is None``);
  present: ``l2`` is required and ``scale`` defaults to ``"batch"``.

Example::

    >>> spec = make_spec(layers=[2, 3, 1], activation="tanh")
    >>> spec.activations, spec.output, spec.parameter_count
    (('tanh',), 'tanh', 13)
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import keyword
import math
import numbers
import os
import re
import reprlib
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp

from symbackprop.errors import FormulaError, SpecError
from symbackprop.files import read_regular
from symbackprop.notation.catalogue import entries as catalogue_entries
from symbackprop.notation.custom import custom_notation
from symbackprop.spec import domains
from symbackprop.spec.functions import ACTIVATIONS, COSTS
from symbackprop.spec.model import (
    DEFAULT_ACTIVATION,
    DEFAULT_COST,
    DEFAULT_NAME,
    DEFAULT_NOTATION,
    DEFAULT_SOURCE,
    Regularization,
    Spec,
    Training,
    _unknown,
    activation_names,
    parse_activation,
    parse_cost,
)

#: The keys each table of a spec may hold.
TOP_KEYS = (
    "name", "layers", "activation", "output", "cost", "notation", "dtype",
    "regularization", "training", "activations", "costs",
)  # fmt: skip
REGULARIZATION_KEYS = ("l2", "scale")
TRAINING_KEYS = ("eta", "batch_size", "epochs", "seed", "init")
#: How the generated module's `Network(seed)` draws its parameters: W and b from N(0, 1) (Nielsen ch. 1), or W
#: from N(0, 1/n_in) and b from N(0, 1) (Nielsen ch. 3's default_weight_initializer).
INITS = ("normal", "normal_scaled")
CUSTOM_KEYS = ("formula",)

DTYPES = ("float64", "float32")
L2_SCALES = ("batch", "dataset")

#: The widest layer a spec may ask for.
MAX_WIDTH = 100_000
#: The largest spec file (or TOML text) read, in bytes.
MAX_SPEC_BYTES = 1_000_000
#: The most layers (n_0 .. n_L) a spec may have.
MAX_LAYERS = 100
#: Names a generated module may not take: they would shadow modules its code imports (a file ``numpy.py``
#: beside a script hides NumPy from it, and any standard-library name hides that module), or the names the
#: generated module itself defines (``Network``, ``LAYERS``, ...), or symbackprop itself.
RESERVED_NAMES = frozenset(
    {"numpy", "np", "math", "sys", "os", "symbackprop", "Network", "LAYERS", "DTYPE", "SPEC"}
    | set(sys.stdlib_module_names)
)
#: The modules symbackprop and its extras import: a generated ``sympy.py`` in a folder hides SymPy from
#: ``python -m symbackprop`` run there, so a spec may not be named after one either.
DEPENDENCY_MODULES = frozenset(
    {
        "sympy", "mpmath", "jinja2", "markupsafe", "tqdm", "sklearn", "scipy", "joblib", "threadpoolctl",
        "matplotlib", "PIL", "autograd", "pytest", "hypothesis", "nbclient", "nbformat", "ipykernel",
    }
)  # fmt: skip
#: Python's built-in names (``list``, ``print``, ``open``...): a spec name may not shadow them either.
BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))


# --------------------------------------------------------------------------- entry points


def load_spec(path: str | os.PathLike[str]) -> Spec:
    """Read and validate a TOML spec; errors name the file as given."""
    source = os.fspath(path)
    try:
        content = read_regular(path, MAX_SPEC_BYTES)  # a FIFO or a device is refused, not read
    except FileNotFoundError:
        raise SpecError("no such file; expected a TOML spec", source=source) from None
    except IsADirectoryError:
        raise SpecError("is a directory; expected a TOML spec file", source=source) from None
    except OSError as error:
        message = _one_line(error.strerror or str(error))
        if message.startswith("is "):  # what the path is instead of a file
            raise SpecError(f"{message}; expected a TOML spec file", source=source) from None
        raise SpecError(f"cannot read: {message}", source=source) from None
    return spec_from_toml(content, source=source)


def spec_from_toml(text: str | bytes, *, source: str = "<toml>") -> Spec:
    """Parse and validate the text of a TOML spec (``bytes`` must be UTF-8); errors name ``source``."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"too large: a spec is at most {MAX_SPEC_BYTES:_} bytes", source=source)
    try:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"invalid TOML: {_toml_problem(str(error), text)}", source=source) from None
    except UnicodeDecodeError as error:
        raise SpecError(f"not UTF-8 text: {_one_line(str(error))}", source=source) from None
    except RecursionError:
        raise SpecError("invalid TOML: arrays or tables nested too deeply", source=source) from None
    return spec_from_dict(data, source=source)


def make_spec(**fields: Any) -> Spec:
    """The keyword form: ``make_spec(layers=[784, 30, 10], cost="cross_entropy")``.

    Besides the TOML-shaped values, ``regularization`` and ``training`` may be
    :class:`Regularization` / :class:`Training` instances, and ``regularization``
    may be ``None`` (no regulariser).
    """
    return spec_from_dict(fields)


def spec_from_dict(data: Mapping[str, Any], *, source: str = DEFAULT_SOURCE) -> Spec:
    """Validate a TOML-shaped mapping and build the :class:`Spec`; raise :class:`SpecError` on any problem."""
    try:
        return _build(data, source)
    except SpecError as error:  # FormulaError too: ``located`` keeps the subclass and its details
        raise error.located(source=source) from None


# --------------------------------------------------------------------------- validation
# Each check raises SpecError(message, field=...) without a source; spec_from_dict adds it.


def _build(data: Mapping[str, Any], source: str) -> Spec:
    if not isinstance(data, Mapping):
        raise SpecError(f"expected a table of spec fields, got {_describe(data)}")
    _check_keys(data, TOP_KEYS, prefix="")
    name = _check_name(data.get("name", DEFAULT_NAME))
    if "layers" not in data:
        raise SpecError(
            "missing; give the layer widths n_0 (input) .. n_L (output), e.g. [784, 30, 10]", field="layers"
        )
    layers = _check_layers(data["layers"])
    custom_activations = _check_customs(data.get("activations", {}), "activations", ACTIVATIONS, parse_activation)
    custom_costs = _check_customs(data.get("costs", {}), "costs", COSTS, parse_cost)
    known = activation_names(custom_activations)
    activations = _check_hidden_activations(data.get("activation", DEFAULT_ACTIVATION), len(layers) - 2, known)
    output = _check_output(data.get("output", _default_output(data.get("activation", DEFAULT_ACTIVATION))), known)
    cost = _check_cost(data.get("cost", DEFAULT_COST), output, custom_costs)
    notation, notation_table = _check_notation(data.get("notation", DEFAULT_NOTATION), name)
    spec = Spec(
        name=name,
        layers=layers,
        activations=activations,
        output=output,
        cost=cost,
        notation=notation,
        notation_table=notation_table,
        dtype=_check_choice(data.get("dtype", "float64"), "dtype", DTYPES),
        regularization=_check_regularization(data.get("regularization")),
        training=_check_training(data.get("training", {})),
        custom_activations=custom_activations,
        custom_costs=custom_costs,
        source=source,
    )
    _check_vector_output(spec)
    _check_domains(spec)
    return spec


def _check_vector_output(spec: Spec) -> None:
    """Refuse a vector activation (softmax) on a one-neuron output: softmax of one number is always 1."""
    output = spec.layer_activation(spec.depth)
    if not output.elementwise and spec.layers[-1] < 2:
        raise SpecError(
            f"{output.name!r} over a one-neuron output layer is always 1, so nothing can be learnt; give the last "
            'layer at least 2 neurons, or use output = "sigmoid" for one output',
            field="output",
        )


def _check_domains(spec: Spec) -> None:
    """Refuse a cost that is undefined on part of its output's range (cross-entropy on a tanh output)."""
    output, cost = spec.layer_activation(spec.depth), spec.cost_function()
    verdict = domains.check(output, cost)
    if verdict.fits is False:
        raise SpecError(domains.refusal(output, cost, verdict), field="cost")


def _check_notation(value: Any, name: str) -> tuple[str, str]:
    """A catalogue name, or a ``[notation]`` table of one's own: (its name, the table as canonical JSON)."""
    if isinstance(value, Mapping):
        own = custom_notation(value, default_name=name)
        return own.name, json.dumps(value, sort_keys=True, ensure_ascii=False)
    try:
        return _check_choice(value, "notation", catalogue_entries()), ""
    except SpecError as error:
        hint = "; `symbackprop notations` lists them, or write a [notation] table with base = one of them"
        raise SpecError(error.message + hint, field="notation") from None


def _check_keys(table: Mapping[Any, Any], valid: Sequence[str], *, prefix: str) -> None:
    for key in table:
        if key not in valid:
            raise SpecError(
                _unknown("key", str(key), valid, label="valid keys"),
                field=f"{prefix}{_key(key)}",
            )


def _check_name(value: Any) -> str:
    rule = "the name must be a Python identifier (it names the generated module)"
    if not isinstance(value, str):
        raise SpecError(f"expected a string: {rule}, e.g. 'nielsen_ch1'; got {_describe(value)}", field="name")
    if not value.isidentifier():
        raise SpecError(f"{_short(value)} is not valid: {rule}, e.g. 'nielsen_ch1'", field="name")
    if not value.isascii():
        raise SpecError(
            f"{_short(value)} has non-ASCII character {_first_non_ascii(value)}: {rule} in ASCII letters, "
            "digits and '_' (look-alike letters make different files and modules)",
            field="name",
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        raise SpecError(f"{value!r} is a Python keyword: {rule} that is not a keyword", field="name")
    if value.startswith("__"):
        raise SpecError(f"{value!r} starts with '__': {rule}, not a dunder name", field="name")
    if value in BUILTIN_NAMES:
        raise SpecError(f"{value!r} would shadow Python's built-in {value!r}: {rule}, e.g. 'nielsen_ch1'", field="name")
    if value in DEPENDENCY_MODULES:
        raise SpecError(
            f"{value!r} would shadow the module {value!r} that symbackprop imports (a generated {value}.py in a "
            f"folder hides it from `python -m symbackprop` run there): {rule}, e.g. 'nielsen_ch1'",
            field="name",
        )
    if value in RESERVED_NAMES:
        raise SpecError(
            f"{value!r} would shadow a module or name the generated code uses (numpy, np, Network, LAYERS, "
            f"DTYPE, SPEC, symbackprop or a standard-library module): {rule}, e.g. 'nielsen_ch1'",
            field="name",
        )
    return value


def _check_layers(value: Any) -> tuple[int, ...]:
    expected = f"a list of at least 2 positive integer widths (each <= {MAX_WIDTH:_}), e.g. [784, 30, 10]"
    if not _is_list(value):
        raise SpecError(f"expected {expected}; got {_describe(value)}", field="layers")
    if len(value) < 2:
        raise SpecError(f"expected {expected}: an input and an output layer at least; got {len(value)}", field="layers")
    if len(value) > MAX_LAYERS:
        raise SpecError(f"expected {expected}: at most {MAX_LAYERS} layers; got {len(value)}", field="layers")
    return tuple(_check_width(width, f"layers[{index}]") for index, width in enumerate(value))


def _check_width(value: Any, where: str) -> int:
    if not _is_int(value):
        raise SpecError(f"expected a positive integer width; got {_describe(value)}", field=where)
    if value < 1:
        raise SpecError(f"expected a positive integer width; got {_short(int(value))}", field=where)
    if value > MAX_WIDTH:
        raise SpecError(f"width {_short(int(value))} is above the limit of {MAX_WIDTH:_}", field=where)
    return int(value)


def _check_customs(
    value: Any, kind: str, builtins: Mapping[str, object], parse: Callable[[str], sp.Expr]
) -> tuple[tuple[str, str], ...]:
    """Check ``[activations.NAME]`` or ``[costs.NAME]`` tables and parse their formulas."""
    singular = kind[:-1]
    variables = "z" if kind == "activations" else "a and y"
    if not isinstance(value, Mapping):
        raise SpecError(
            f'expected a table of custom {kind}, e.g. [{kind}.my_{singular}] with formula = "..." in '
            f"{variables}; got {_describe(value)}",
            field=kind,
        )
    customs = []
    for name, table in value.items():
        where = f"{kind}.{_key(name)}"
        _check_custom_name(name, where, singular, builtins)
        if not isinstance(table, Mapping):
            raise SpecError(
                f'expected a table with formula = "..." in {variables}; got {_describe(table)}', field=where
            )
        _check_keys(table, CUSTOM_KEYS, prefix=f"{where}.")
        text = table.get("formula")
        if not isinstance(text, str):
            got = "missing" if text is None else f"got {_describe(text)}"
            raise SpecError(f"expected a string formula in {variables}; {got}", field=f"{where}.formula")
        try:
            parse(text)
        except FormulaError as error:
            raise error.located(field=f"{where}.formula") from None
        customs.append((name, text))
    return tuple(sorted(customs))


def _check_custom_name(name: Any, where: str, singular: str, builtins: Mapping[str, object]) -> None:
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii() or keyword.iskeyword(name):
        raise SpecError(
            f"a custom {singular}'s name must be an ASCII Python identifier, not a keyword; got {_short(name)}",
            field=where,
        )
    if name in builtins:
        raise SpecError(
            f"{name!r} is a built-in {singular}; give the custom one another name "
            f"(built-ins: {', '.join(sorted(builtins))})",
            field=where,
        )


def _default_output(activation: Any) -> Any:
    """``output`` defaults to the hidden activation: the last one when a list (sigmoid when empty)."""
    if _is_list(activation):
        return activation[-1] if activation else DEFAULT_ACTIVATION
    return activation


def _check_hidden_activations(value: Any, hidden: int, names: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        _check_hidden_activation(value, "activation", names, hidden > 0)
        return (value,) * hidden
    if not _is_list(value):
        raise SpecError(
            f"expected an activation name or a list of {hidden} names, one per hidden layer; got {_describe(value)}",
            field="activation",
        )
    if len(value) != hidden:
        raise SpecError(
            f"expected {_count(hidden, 'activation name')}, one per hidden layer (layers has "
            f"{_count(hidden, 'hidden layer')}), or a single name for all; got {len(value)}",
            field="activation",
        )
    for index, name in enumerate(value):
        _check_hidden_activation(name, f"activation[{index}]", names, True)
    return tuple(value)


def _check_hidden_activation(value: Any, where: str, names: Sequence[str], on_hidden_layer: bool) -> None:
    """A hidden activation: any known name but an output-only one (softmax), unless no layer is hidden."""
    output_only = [name for name in names if name in ACTIVATIONS and ACTIVATIONS[name].output_only]
    hidden = [name for name in names if name not in output_only]
    choices = ", ".join(hidden)
    if not isinstance(value, str):
        raise SpecError(f"expected an activation name (one of {choices}); got {_describe(value)}", field=where)
    if value in output_only and on_hidden_layer:
        raise SpecError(
            f"{value} is allowed only as `output`, not on a hidden layer; hidden layers take: {choices}",
            field=where,
        )
    if value not in names:
        note = f" ({', '.join(output_only)} only as `output`)" if output_only else ""
        raise SpecError(_unknown("activation", value, hidden) + note, field=where)


def _check_output(value: Any, names: Sequence[str]) -> str:
    if not isinstance(value, str):
        raise SpecError(
            f"expected an activation name (one of {', '.join(names)}); got {_describe(value)}", field="output"
        )
    if value not in names:
        raise SpecError(_unknown("activation", value, names), field="output")
    return value


def _check_cost(value: Any, output: str, custom_costs: Sequence[tuple[str, str]]) -> str:
    names = sorted([*COSTS, *(name for name, _ in custom_costs)])
    if not isinstance(value, str):
        raise SpecError(f"expected a cost name (one of {', '.join(names)}); got {_describe(value)}", field="cost")
    if value not in names:
        raise SpecError(_unknown("cost", value, names), field="cost")
    if value in COSTS and COSTS[value].needs_softmax and output != "softmax":
        raise SpecError(f'cost {value!r} needs output = "softmax"; got output = {output!r}', field="cost")
    return value


def _check_choice(value: Any, where: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str):
        raise SpecError(f"expected one of {', '.join(choices)}; got {_describe(value)}", field=where)
    if value not in choices:
        raise SpecError(
            _unknown(where, value, choices),
            field=where,
        )
    return value


def _check_regularization(value: Any) -> Regularization | None:
    if value is None:
        return None
    if isinstance(value, Regularization):
        value = dataclasses.asdict(value)
    if not isinstance(value, Mapping):
        raise SpecError(
            f'expected a table with l2 = λ (>= 0) and scale = "batch" | "dataset"; got {_describe(value)}',
            field="regularization",
        )
    _check_keys(value, REGULARIZATION_KEYS, prefix="regularization.")
    if "l2" not in value:
        raise SpecError(
            "missing; give the weight decay λ as a non-negative number, e.g. l2 = 5.0", field="regularization.l2"
        )
    l2 = _check_number(value["l2"], "regularization.l2", "a non-negative number", lambda x: x >= 0)
    scale = _check_choice(value.get("scale", "batch"), "regularization.scale", L2_SCALES)
    return Regularization(l2=l2, scale=scale)


def _check_training(value: Any) -> Training:
    if isinstance(value, Training):
        value = dataclasses.asdict(value)
    if not isinstance(value, Mapping):
        raise SpecError(
            f"expected a table with keys {', '.join(TRAINING_KEYS)}; got {_describe(value)}", field="training"
        )
    _check_keys(value, TRAINING_KEYS, prefix="training.")
    defaults = Training()
    positive = "a positive number"
    return Training(
        eta=_check_number(value.get("eta", defaults.eta), "training.eta", positive, lambda x: x > 0),
        batch_size=_check_integer(value.get("batch_size", defaults.batch_size), "training.batch_size", 1),
        epochs=_check_integer(value.get("epochs", defaults.epochs), "training.epochs", 1),
        seed=_check_integer(value.get("seed", defaults.seed), "training.seed", 0),
        init=_check_choice(value.get("init", defaults.init), "training.init", INITS),
    )


def _check_number(value: Any, where: str, expected: str, ok: Callable[[float], bool]) -> float:
    """A finite real satisfying ``ok``, kept an int if given as one (bool is not a number here)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise SpecError(f"expected {expected}; got {_describe(value)}", field=where)
    try:
        number = int(value) if isinstance(value, numbers.Integral) else float(value)
        finite = math.isfinite(number)
    except OverflowError:  # an integer too large for a float
        raise SpecError(f"expected {expected} below 1e308; got {_short(int(value))}", field=where) from None
    if not finite or not ok(number):
        raise SpecError(f"expected {expected}; got {_short(number)}", field=where)
    return number


def _check_integer(value: Any, where: str, minimum: int) -> int:
    expected = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if not _is_int(value):
        raise SpecError(f"expected {expected}; got {_describe(value)}", field=where)
    if value < minimum:
        raise SpecError(f"expected {expected}; got {_short(int(value))}", field=where)
    return int(value)


# --------------------------------------------------------------------------- formulas and names


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _describe(value: Any) -> str:
    return f"{reprlib.repr(value)} ({type(value).__name__})"


def _key(key: Any) -> str:
    """A table key as it appears in a field name: as is when printable, else quoted (one line, short)."""
    if isinstance(key, str) and key.isprintable() and len(key) <= 40:
        return key
    return _short(key)


def _short(value: Any) -> str:
    """``repr(value)``, shortened to fit on one line of an error message."""
    return reprlib.repr(value)


def _first_non_ascii(text: str) -> str:
    char = next(c for c in text if not c.isascii())
    return f"U+{ord(char):04X} {char!r}"


def _toml_problem(message: str, text: str) -> str:
    """tomllib's message, naming the key when it is a duplicate (tomllib only says where)."""
    message = _one_line(message)
    where = re.search(r"\(at line (\d+), column \d+\)", message)
    if message.startswith("Cannot overwrite a value") and where:
        lines = text.splitlines()
        line = int(where.group(1))
        key = lines[line - 1].split("=", 1)[0].strip() if 0 < line <= len(lines) else ""
        if key:
            return f"duplicate key {_short(key)}: a key may be given only once {where.group(0)}"
    return message


def _one_line(text: str) -> str:
    return " ".join(text.split())
