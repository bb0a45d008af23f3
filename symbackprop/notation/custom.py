"""A notation of one's own: a catalogue entry with the changes of a spec's ``[notation]`` table.

::

    [notation]
    base = "nielsen"              # the catalogue entry to start from (required)
    name = "our_course"           # default: the spec's name
    input_layer = 0               # the input's layer number, 0 or 1
    weight_offset = 0             # 0: W^l feeds layer l; -1: W^(l) leaves layer l (UFLDL)
    transposed = false            # weights (n_{l-1}, n_l), used as w^T a
    vectors = "columns"           # or "rows": z = a W + b (needs transposed = true)
    examples = "rows"             # or "columns": a batch X is n_0 x m (deeplearning.ai)
    layer_style = "parenthesised" # plain 2, parenthesised (2), bracketed [2]
    indices = ["i", "j"]          # a weight's row and column letters
    product = "circ"              # the Hadamard product: hadamard, circ, bullet, "*", ".*"
    function_layered = true       # f^l'(z^l), or false: one letter for every layer, sigma'(z^l)

    [notation.symbols]
    weight = "theta"              # a Greek letter's name, a Latin letter, or {ascii, unicode, latex}
    cost = "J"

:func:`custom_notation` validates such a table and returns the :class:`~symbackprop.notation.model.Notation`;
every error names the field (``notation.symbols.weight``) and what would be valid. Its closed forms are its
base's (:func:`symbackprop.closed_forms.forms_for`). The spec registers it in the catalogue under its name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from symbackprop.errors import SpecError
from symbackprop.notation.catalogue import NOTATIONS, derive, entries
from symbackprop.notation.model import (
    EXAMPLES,
    LAYER_STYLES,
    LAYOUTS,
    QUANTITIES,
    VECTORS,
    Notation,
    Spelling,
    layout_problem,
)
from symbackprop.notation.spelling import SIGNS

#: The keys a ``[notation]`` table may hold.
KEYS = (
    "base", "name", "description", "symbols", "input_layer", "weight_offset", "transposed", "vectors",
    "examples", "layer_style", "indices", "product", "function_layered",
)  # fmt: skip
#: The Hadamard product's spellings a table may name.
PRODUCTS = {
    "hadamard": SIGNS["hadamard"],
    "circ": SIGNS["circ"],
    "bullet": SIGNS["bullet"],
    "*": Spelling("*", "*", "*"),
    ".*": Spelling(".*", ".*", r".\!*"),
}
#: LaTeX commands a symbol's own LaTeX spelling may use (letters and these; nothing that reads files or
#: redefines anything).
LATEX_COMMANDS = frozenset(
    {s.latex.lstrip("\\") for s in SIGNS.values() if s.latex.startswith("\\")}
    | {
        "mathrm", "mathbf", "mathcal", "boldsymbol", "hat", "tilde", "bar", "vec", "Theta", "theta", "Phi",
        "psi", "Psi", "gamma", "Gamma", "mu", "nu", "xi", "rho", "tau", "omega", "beta", "kappa", "ell",
    }
)  # fmt: skip
#: The Greek letters a symbol may be named by (``theta`` for Θ).
GREEK = tuple(k for k, s in SIGNS.items() if s.unicode.isalpha() and k != "sum")
_LETTERS = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_ASCII = re.compile(r"[A-Za-z0-9_^(),;.'*+-]+")
_LATEX = re.compile(r"(?:\\[A-Za-z]+|[A-Za-z0-9_^{}(),;.' ])+")


def custom_notation(table: Any, *, default_name: str) -> Notation:
    """The notation a ``[notation]`` table describes (its base with its changes); SpecError naming the field."""
    if not isinstance(table, Mapping):
        raise SpecError(
            f"expected a catalogue name or a table starting from one (base = ...); got {_kind(table)}",
            field="notation",
        )
    for key in table:
        if key not in KEYS:
            raise SpecError(f"unknown key {key!r}; valid keys: {', '.join(KEYS)}", field=f"notation.{key}")
    base = _base(table.get("base"))
    if "name" not in table and default_name in entries():
        default_name += "_notation"  # a spec called "notes" with a table of its own
    name = _name(table.get("name", default_name))
    changes: dict[str, Any] = {}
    for key in ("transposed", "function_layered"):
        if key in table:
            changes[key] = _boolean(table[key], key)
    if "input_layer" in table:
        changes["input_layer"] = _choice(table["input_layer"], "input_layer", (0, 1))
    if "weight_offset" in table:
        changes["weight_offset"] = _choice(table["weight_offset"], "weight_offset", (0, -1))
    for key, valid in (("vectors", VECTORS), ("examples", EXAMPLES), ("layer_style", tuple(LAYER_STYLES))):
        if key in table:
            changes[key] = _choice(table[key], key, valid)
    if "indices" in table:
        changes["indices"] = _indices(table["indices"])
        changes["input_index"] = changes["indices"][1]
    if "product" in table:
        changes["product"] = _choice(table["product"], "product", tuple(PRODUCTS))
        changes["hadamard"] = PRODUCTS[changes.pop("product")]
    symbols = _symbols(table.get("symbols", {}))
    combination = tuple(changes.get(k, getattr(base, k)) for k in ("transposed", "weight_offset", "vectors"))
    if combination not in LAYOUTS:
        raise SpecError(layout_problem(*combination), field="notation")
    description = table.get("description", f"{base.name}'s notation, changed by {name}'s [notation] table")
    if not isinstance(description, str) or not description.strip() or len(description) > 500:
        raise SpecError("expected one line of text (at most 500 characters)", field="notation.description")
    changed = [
        f"{k} = {_kind(v)}" for k, v in sorted(table.items()) if k not in ("base", "name", "description", "symbols")
    ]
    changed += [f"symbols.{q} = {symbols[q].ascii}" for q in sorted(symbols)]
    note = f"changed by the spec's [notation] table: {', '.join(changed) or 'nothing'}"
    citation = dataclasses.replace(base.citation, note="; ".join(filter(None, [base.citation.note, note])))
    return derive(
        base,
        name,
        description=" ".join(description.split()),
        citation=citation,
        symbols=symbols,
        base=base.name,
        **changes,
    )


def _base(value: Any) -> Notation:
    catalogue = entries()
    if value is None:
        raise SpecError(
            f"missing: name the catalogue entry to start from, one of {', '.join(catalogue)}", field="notation.base"
        )
    if not isinstance(value, str) or value not in catalogue:
        raise SpecError(
            f"{_kind(value)} is not a catalogue notation; valid: {', '.join(catalogue)}", field="notation.base"
        )
    return NOTATIONS[value]


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.isidentifier() or not value.isascii():
        raise SpecError(f"expected an identifier such as 'our_course'; got {_kind(value)}", field="notation.name")
    if value in entries():
        raise SpecError(
            f"{value!r} is a catalogue notation; give your own notation another name", field="notation.name"
        )
    return value


def _boolean(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(f"expected true or false; got {_kind(value)}", field=f"notation.{key}")
    return value


def _choice(value: Any, key: str, valid: tuple) -> Any:
    if isinstance(value, bool) or type(value) is not type(valid[0]) or value not in valid:  # 1.0 is not 1
        shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in valid)
        raise SpecError(f"{_kind(value)} is not valid; valid: {shown}", field=f"notation.{key}")
    return value


def _indices(value: Any) -> tuple[str, str]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, str) and len(v) == 1 and v.isascii() and v.isalpha() for v in value)
        or value[0] == value[1]
    ):
        raise SpecError(
            f'expected two different letters, a weight\'s row and column, e.g. ["j", "k"]; got {_kind(value)}',
            field="notation.indices",
        )
    return value[0], value[1]


def _symbols(table: Any) -> dict[str, Spelling]:
    if not isinstance(table, Mapping):
        raise SpecError(f"expected a table of quantity = spelling; got {_kind(table)}", field="notation.symbols")
    symbols = {}
    for quantity, value in table.items():
        field = f"notation.symbols.{quantity}"
        if quantity not in QUANTITIES:
            raise SpecError(f"unknown quantity; valid: {', '.join(QUANTITIES)}", field=field)
        symbols[quantity] = _spelling(value, field)
    return symbols


def _spelling(value: Any, field: str) -> Spelling:
    """A Greek letter's name (``theta``), a Latin letter (``J``), or a table of the three scripts."""
    if isinstance(value, str):
        if value in GREEK:
            return SIGNS[value]
        if len(value) == 1 and value.isascii() and value.isalpha():
            return Spelling(value, value, value)
        if _LETTERS.fullmatch(value) and len(value) <= 12:
            return Spelling(value, value, rf"\mathrm{{{value}}}")
        greek = ", ".join(GREEK)
        raise SpecError(
            f"{_kind(value)} is not a letter; give a Latin letter, a Greek letter's name ({greek}) or a table "
            "{ascii = ..., unicode = ..., latex = ...}",
            field=field,
        )
    if not isinstance(value, Mapping) or set(value) != {"ascii", "unicode", "latex"}:
        raise SpecError(
            f"expected a letter or a table with exactly the keys ascii, unicode and latex; got {_kind(value)}",
            field=field,
        )
    for script in ("ascii", "unicode", "latex"):
        if not isinstance(value[script], str) or not value[script].strip() or len(value[script]) > 40:
            raise SpecError("expected a short non-empty string", field=f"{field}.{script}")
    if not _ASCII.fullmatch(value["ascii"]):
        raise SpecError("expected ASCII letters, digits and _^(),;.'*+- only", field=f"{field}.ascii")
    if not value["unicode"].isprintable() or any(c.isspace() for c in value["unicode"]):
        raise SpecError("expected printable characters and no spaces", field=f"{field}.unicode")
    latex = value["latex"]
    commands = set(re.findall(r"\\([A-Za-z]+)", latex))
    if not _LATEX.fullmatch(latex) or not _balanced(latex) or commands - LATEX_COMMANDS:
        bad = ", ".join(sorted(commands - LATEX_COMMANDS))
        raise SpecError(
            "expected letters, digits, balanced braces and these commands only: "
            + ", ".join(sorted(LATEX_COMMANDS))
            + (f" (not {bad})" if bad else ""),
            field=f"{field}.latex",
        )
    return Spelling(value["ascii"], value["unicode"], latex)


def _balanced(latex: str) -> bool:
    depth = 0
    for c in latex:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return repr(value)
    return f"a {type(value).__name__}"
