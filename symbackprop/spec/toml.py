"""Specs written as TOML: what ``symbackprop init`` and ``build`` write, and every command reads back.

:func:`spec_toml` turns a spec's :meth:`~symbackprop.spec.model.Spec.to_dict` into TOML (tables after the
top-level keys, a table's own tables after its keys, small tables of strings inline), each field with a
comment saying what it is and what else it could be. ``tomllib.loads(spec_toml(spec))`` gives
``spec.to_dict()`` back, so ``spec_from_toml(spec_toml(spec)) == spec``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from symbackprop.spec.model import Spec

#: What each field is, as a comment beside it.
COMMENTS = {
    "name": "a Python identifier: it names the generated module",
    "layers": "the input's width first, the output's last",
    "activation": "hidden layers: one name or a list, one per layer (sigmoid, tanh, relu, ...)",
    "output": "the output layer's activation (also softmax)",
    "cost": "quadratic | cross_entropy | log_likelihood (with softmax)",
    "notation": "`symbackprop notations` lists them; a [notation] table makes your own",
    "dtype": "float64 | float32, of the generated module",
    "regularization.l2": "lambda; weights only, never biases",
    "regularization.scale": '"batch": (lambda/2) sum W^2 | "dataset": (lambda/2n) sum W^2',
    "training.eta": "the learning rate",
    "training.batch_size": "examples per mini-batch",
    "training.epochs": "passes over the training set",
    "training.seed": "of the initial weights and of the shuffles",
    "training.init": '"normal": W, b ~ N(0, 1) | "normal_scaled": W ~ N(0, 1/n_in)',
}


def spec_toml(spec: Spec, *, title: str = "") -> str:
    """The spec as commented TOML (``title``: a first comment line, e.g. where it comes from)."""
    lines = [f"# {line}" for line in title.splitlines()] if title else []
    lines += _table(spec.to_dict(), prefix="")
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(data: Mapping[str, Any], prefix: str) -> list[str]:
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, Mapping) and not _inline(value):
            tables.append((key, value))
            continue
        entry = f"{_key(key)} = {_value(value)}"
        comment = COMMENTS.get(prefix + key)
        lines.append(f"{entry:<30}# {comment}" if comment else entry)
    for key, value in tables:
        name = prefix + _key(key)
        lines += ["", f"[{name}]", *_table(value, prefix=name + ".")]
    return lines


def _inline(table: Mapping[str, Any]) -> bool:
    """A small table of scalars (a custom formula, a symbol's three spellings) is written inline."""
    return all(not isinstance(v, (Mapping, list)) for v in table.values()) and len(table) <= 3 and bool(table)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML has no value for {value!r} here")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
