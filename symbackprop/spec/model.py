"""The spec as plain data: a frozen :class:`Spec`, resolved once.

A :class:`Spec` holds the names a user wrote (``activation = "sigmoid"``,
custom formulas as text, for :meth:`Spec.to_dict`) and, resolved when it is
made, what those names mean: one :class:`~symbackprop.spec.functions.Activation`
per non-input layer and the :class:`~symbackprop.spec.functions.Cost`, custom
formulas already parsed into SymPy definitions. Nothing parses a formula
again later; every stage reads these definitions.

Build a spec with :func:`symbackprop.spec.load.spec_from_dict`,
:func:`~symbackprop.spec.load.load_spec` or :func:`~symbackprop.spec.load.make_spec`,
which validate every field first.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import sympy as sp

from symbackprop.errors import SpecError
from symbackprop.notation.catalogue import register as register_notation
from symbackprop.notation.custom import custom_notation
from symbackprop.spec.functions import ACTIVATIONS, COSTS, A, Activation, Cost, Y, Z

DEFAULT_NAME = "network"
DEFAULT_ACTIVATION = "sigmoid"
DEFAULT_COST = "quadratic"
DEFAULT_NOTATION = "nielsen"
DEFAULT_SOURCE = "<dict>"


@dataclass(frozen=True)
class Regularization:
    """L2 weight decay: ``(λ/2) ΣW²`` per batch (UFLDL) or ``(λ/2n) ΣW²`` over the dataset (Nielsen ch. 3)."""

    l2: float
    scale: str = "batch"


@dataclass(frozen=True)
class Training:
    """Defaults for ``train`` and the generated module's ``Network.train``."""

    eta: float = 3.0
    batch_size: int = 10
    epochs: int = 30
    seed: int = 0
    init: str = "normal"


@dataclass(frozen=True)
class Spec:
    """A validated network spec: plain data; build it with :func:`~symbackprop.spec.load.spec_from_dict`,
    :func:`~symbackprop.spec.load.load_spec` or :func:`~symbackprop.spec.load.make_spec`.

    ``activations`` holds one name per hidden layer (``len(layers) - 2``);
    custom activations and costs are ``(name, formula text)`` pairs sorted by
    name. Their definitions are resolved once, when the spec is made: see
    :meth:`layer_activation`, :meth:`activation` and :meth:`cost_function`.
    """

    name: str = DEFAULT_NAME
    layers: tuple[int, ...] = ()
    activations: tuple[str, ...] = ()
    output: str = DEFAULT_ACTIVATION
    cost: str = DEFAULT_COST
    notation: str = DEFAULT_NOTATION
    dtype: str = "float64"
    regularization: Regularization | None = None
    training: Training = Training()
    custom_activations: tuple[tuple[str, str], ...] = ()
    custom_costs: tuple[tuple[str, str], ...] = ()
    notation_table: str = ""  # a notation of one's own: the spec's [notation] table as canonical JSON
    source: str = field(default=DEFAULT_SOURCE, compare=False)
    # resolved from the names above when the spec is made (not arguments: dataclasses.replace resolves again)
    _definitions: Mapping[str, Activation] = field(init=False, compare=False, repr=False)
    _cost: Cost = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        definitions = {name: _custom_activation(name, text) for name, text in self.custom_activations}
        used = {*self.activations, self.output}
        for name in sorted(used - set(definitions)):
            if name not in ACTIVATIONS:
                names = activation_names(self.custom_activations)
                raise SpecError(_unknown("activation", name, names), source=self.source)
            definitions[name] = ACTIVATIONS[name]
        object.__setattr__(self, "_definitions", MappingProxyType(definitions))
        object.__setattr__(self, "_cost", _resolve_cost(self.cost, self.custom_costs, self.source))
        if self.notation_table:
            object.__setattr__(self, "notation", _own_notation(self.notation_table, self.name, self.source))

    @property
    def depth(self) -> int:
        """L, the number of non-input layers."""
        return len(self.layers) - 1

    @property
    def parameter_count(self) -> int:
        """The number of weights and biases, Σ_l n_l n_{l-1} + n_l."""
        return sum(n * m + n for m, n in zip(self.layers, self.layers[1:], strict=False))

    def activation(self, name: str) -> Activation:
        """The activation called ``name``: a built-in, or one of this spec's custom formulas in z."""
        if name in self._definitions:
            return self._definitions[name]
        if name in ACTIVATIONS:
            return ACTIVATIONS[name]
        raise SpecError(_unknown("activation", name, activation_names(self.custom_activations)), source=self.source)

    def layer_activation(self, l: int) -> Activation:  # noqa: E741 - l is the textbook's layer index
        """The activation f^l of layer ``l`` = 1..L; layer L is the output layer."""
        if not 1 <= l <= self.depth:
            raise IndexError(f"layer {l} is not a non-input layer; expected 1..{self.depth}")
        return self._definitions[self.output if l == self.depth else self.activations[l - 1]]

    def cost_function(self) -> Cost:
        """The per-output cost: a built-in, or this spec's custom formula in a and y."""
        return self._cost

    def in_notation(self, notation: str | None) -> Spec:
        """This spec written in another catalogue notation (itself when ``notation`` is None or its own)."""
        if notation is None or notation == self.notation:
            return self
        return dataclasses.replace(self, notation=notation, notation_table="")

    def to_dict(self) -> dict[str, Any]:
        """The spec as a plain TOML-shaped dict; ``spec_from_dict(spec.to_dict()) == spec``.

        ``activation`` is one name when every hidden layer shares it (with no
        hidden layers, the output's name), else the list. ``regularization`` is
        present only when set, ``activations`` and ``costs`` only when non-empty.
        """
        data: dict[str, Any] = {
            "name": self.name,
            "layers": list(self.layers),
            "activation": _activation_entry(self.activations, self.output),
            "output": self.output,
            "cost": self.cost,
            "notation": json.loads(self.notation_table) if self.notation_table else self.notation,
            "dtype": self.dtype,
        }
        if self.regularization is not None:
            data["regularization"] = dataclasses.asdict(self.regularization)
        data["training"] = dataclasses.asdict(self.training)
        if self.custom_activations:
            data["activations"] = {name: {"formula": text} for name, text in self.custom_activations}
        if self.custom_costs:
            data["costs"] = {name: {"formula": text} for name, text in self.custom_costs}
        return data


def _own_notation(table: str, spec_name: str, source: str) -> str:
    """Build the spec's own notation from its table and register it in the catalogue; its name."""
    try:
        own = custom_notation(json.loads(table), default_name=spec_name)
        register_notation(own)
    except SpecError as error:
        raise error.located(source=source) from None
    except ValueError:  # the catalogue holds a different notation of that name, from another spec
        raise SpecError(
            f"{own.name!r}: a different notation of that name is already loaded (from another spec); "
            "give this one its own name",
            field="notation.name",
            source=source,
        ) from None
    return own.name


def _activation_entry(activations: tuple[str, ...], output: str) -> str | list[str]:
    if not activations:
        return output
    if len(set(activations)) == 1:
        return activations[0]
    return list(activations)


# -- custom formulas, parsed once --------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def parse_activation(text: str) -> sp.Expr:
    """A custom activation's formula in z, parsed by the whitelist parser (never evaluated).

    Parsing is pure, so each text is parsed once: validation and the spec's resolution share the result.
    """
    from symbackprop.spec.formula import parse_formula

    return parse_formula(text, {"z": Z})


@functools.lru_cache(maxsize=256)
def parse_cost(text: str) -> sp.Expr:
    """A custom per-output cost's formula in a and y, parsed by the whitelist parser (never evaluated, parsed
    once per text)."""
    from symbackprop.spec.formula import parse_formula

    return parse_formula(text, {"a": A, "y": Y})


def _custom_activation(name: str, text: str) -> Activation:
    return Activation(name, formula=parse_activation(text), source=text)


def _resolve_cost(name: str, custom_costs: Sequence[tuple[str, str]], source: str) -> Cost:
    if name in COSTS:
        return COSTS[name]
    custom = dict(custom_costs)
    if name in custom:
        return Cost(name, per_output=parse_cost(custom[name]), source=custom[name])
    raise SpecError(_unknown("cost", name, sorted([*COSTS, *custom])), field="cost", source=source)


def activation_names(custom_activations: Sequence[tuple[str, str]]) -> list[str]:
    """Every activation name a spec with these custom activations knows, sorted."""
    return sorted([*ACTIVATIONS, *(name for name, _ in custom_activations)])


def _unknown(kind: str, value: str, choices: Sequence[str], *, label: str = "valid") -> str:
    """``unknown cost 'quadratik'; did you mean 'quadratic'? valid: cross_entropy, ...``"""
    close = difflib.get_close_matches(value, choices, n=1) if len(value) <= 100 else []
    hint = f"; did you mean {close[0]!r}?" if close else ";"
    return f"unknown {kind} {reprlib.repr(value)}{hint} {label}: {', '.join(choices)}"
