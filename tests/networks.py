"""The collection of small networks the symbolic tests parametrize over.

The collection crosses every built-in activation (hidden and output), every
built-in cost and the three notations, plus the networks of the three source
texts (``../shared/sources``):

* the notes: sigmoid + quadratic in ``nielsen`` notation, whose point is ∇_x C;
* the UFLDL Q&A: ``ufldl`` numbering, m = 3 examples, ``(λ/2) ΣW²`` weight
  decay on the batch, biases not decayed;
* the blog: ``blog`` notation, transposed weights.

The default run takes a curated subset (each activation, cost and notation
at least once); every combination, and deeper and wider networks, are marked
``slow``. Cross-entropy always has a sigmoid output (it needs a in (0, 1)
numerically) and the log-likelihood a softmax one.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from symbackprop.notation.catalogue import names
from symbackprop.spec.load import Spec, make_spec
from symbackprop.verification import Report, verify

NOTATION_NAMES = names()  # every notation of the catalogue
ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity")
COST_NAMES = ("quadratic", "cross_entropy", "log_likelihood")


@dataclass(frozen=True)
class Case:
    """One network of the collection and how to verify it."""

    id: str
    fields: dict[str, Any] = field(hash=False)
    examples: int = 2  # m, the examples of the batch cost verify() checks

    @property
    def spec(self) -> Spec:
        return make_spec(name=re.sub(r"\W", "_", self.id), **self.fields)

    @property
    def notation(self) -> str:
        return self.fields.get("notation", "notes")

    @property
    def depth(self) -> int:
        return len(self.fields["layers"]) - 1

    @property
    def softmax(self) -> bool:
        return self.fields.get("output") == "softmax"


def case(hidden: str | list[str], output: str, cost: str, notation: str, layers: list[int], **extra) -> Case:
    hidden_name = "_".join(hidden) if isinstance(hidden, list) else hidden
    name = f"{hidden_name}-{output}-{cost}-{notation}-{'x'.join(map(str, layers))}"
    if extra.get("regularization"):
        name += f"-l2{extra['regularization'].get('scale', 'batch')}"
    examples = extra.pop("examples", 2)
    fields = dict(layers=layers, activation=hidden, output=output, cost=cost, notation=notation, **extra)
    return Case(name, fields, examples)


# -- the source texts' own networks ------------------------------------------------------------

NOTES = Case("notes", dict(layers=[3, 4, 2], activation="sigmoid", cost="quadratic", notation="notes"))
UFLDL_QA = Case(
    "ufldl_qa",
    dict(
        layers=[3, 4, 2],
        activation="sigmoid",
        cost="quadratic",
        notation="ufldl",
        regularization={"l2": 0.1, "scale": "batch"},
    ),
    examples=3,
)
BLOG = Case("blog", dict(layers=[3, 4, 2], activation="sigmoid", cost="quadratic", notation="blog"))
SOURCES = (NOTES, UFLDL_QA, BLOG)

# -- the default (fast) collection: each activation, cost and notation at least once -------------

FAST = (
    case("sigmoid", "sigmoid", "quadratic", "notes", [2, 3, 2]),
    case("tanh", "tanh", "quadratic", "blog", [3, 2, 2]),
    case("relu", "identity", "quadratic", "ufldl", [2, 3, 2]),
    case("leaky_relu", "leaky_relu", "quadratic", "notes", [3, 2, 2]),
    case("softplus", "softplus", "quadratic", "blog", [2, 3, 2]),
    case("identity", "identity", "quadratic", "ufldl", [3, 2, 2]),
    case("relu", "relu", "quadratic", "blog", [3, 2, 2]),
    case("tanh", "sigmoid", "cross_entropy", "notes", [2, 3, 2]),
    case("softplus", "sigmoid", "cross_entropy", "ufldl", [3, 2, 2]),
    case("leaky_relu", "sigmoid", "cross_entropy", "blog", [2, 3, 2]),
    case("sigmoid", "softmax", "log_likelihood", "notes", [3, 2, 2]),
    case("relu", "softmax", "log_likelihood", "blog", [2, 3, 2]),
    case("tanh", "softmax", "log_likelihood", "ufldl", [3, 2, 3]),
    case("sigmoid", "softmax", "quadratic", "notes", [2, 3, 3]),
    case(
        "sigmoid",
        "sigmoid",
        "quadratic",
        "notes",
        [2, 3, 2],
        regularization={"l2": 0.5, "scale": "dataset"},
    ),
    case(["relu", "tanh"], "sigmoid", "quadratic", "blog", [2, 3, 3, 2]),
    case(["softplus", "sigmoid"], "identity", "quadratic", "ufldl", [2, 3, 2, 2], regularization={"l2": 0.3}),
    # the other texts of the catalogue, each at least once (with an L2 term, a softmax and a deeper net among them)
    case("sigmoid", "sigmoid", "cross_entropy", "nielsen", [2, 3, 2], regularization={"l2": 0.4, "scale": "dataset"}),
    case("sigmoid", "sigmoid", "cross_entropy", "coursera_ml", [3, 2, 2], regularization={"l2": 0.6}),
    case("relu", "sigmoid", "cross_entropy", "deeplearning_ai", [2, 3, 2], regularization={"l2": 0.7}),
    case("tanh", "identity", "quadratic", "bishop", [3, 2, 2]),
    case(["relu", "tanh"], "softmax", "log_likelihood", "goodfellow", [2, 3, 2, 3], regularization={"l2": 0.2}),
    case("sigmoid", "sigmoid", "quadratic", "threeblue1brown", [2, 3, 2]),
    case("relu", "softmax", "log_likelihood", "rows", [3, 2, 3], regularization={"l2": 0.5}),
    case(["tanh", "sigmoid"], "identity", "quadratic", "rows", [2, 3, 2, 2]),
)

# -- slow: every combination, and deeper/wider networks ------------------------------------------


def _every_combination() -> list[Case]:
    """Every hidden activation with every output and cost, each pair in one notation, the notations in turn.

    A notation changes only the layout and numbering of the closed forms, which FAST and the big networks
    exercise in every notation; crossing every pair with every notation as well would prove nothing new.
    """
    cases = []
    widths = itertools.cycle(([2, 3, 2], [3, 2, 2], [2, 2, 3]))
    notations = itertools.cycle(NOTATION_NAMES)
    for hidden in ELEMENTWISE:
        for output in ELEMENTWISE:
            cases.append(case(hidden, output, "quadratic", next(notations), next(widths)))
        cases.append(case(hidden, "sigmoid", "cross_entropy", next(notations), next(widths)))
        cases.append(case(hidden, "softmax", "log_likelihood", next(notations), next(widths)))
    return cases


def _big() -> list[Case]:
    """Three deep networks in the four layouts of the closed forms (columns, from-layer, transposed, rows).

    The notations of a layout share its recipes; FAST and every pair above run each notation on small nets.
    """
    deep = case("tanh", "sigmoid", "quadratic", "nielsen", [7, 7, 7, 7, 7])
    wide = case(["relu", "softplus", "tanh"], "softmax", "log_likelihood", "ufldl", [4, 7, 5, 6, 3])
    mixed = dict(regularization={"l2": 0.2}, examples=3)
    return [
        deep,
        wide,
        case(["sigmoid", "leaky_relu", "identity"], "sigmoid", "cross_entropy", "blog", [7, 3, 7, 2, 7], **mixed),
        case(["sigmoid", "leaky_relu", "identity"], "sigmoid", "cross_entropy", "rows", [7, 3, 7, 2, 7], **mixed),
    ]


SLOW = tuple(c for c in _every_combination() + _big() if c.id not in {f.id for f in FAST})

ALL_CASES = FAST + SOURCES + SLOW


#: The marks of a case of the full matrices (every combination, the big networks): ``slow``, and ``matrix``, which
#: the README's test command deselects and ``.ci/run`` runs after it (the whole suite does not fit in 6 minutes).
MATRIX = (pytest.mark.slow, pytest.mark.matrix)


def params(cases, slow: tuple[Case, ...] = SLOW) -> list:
    """``pytest.param`` for each case, the slow ones marked ``slow`` and ``matrix``."""
    return [pytest.param(c, id=c.id, marks=MATRIX if c in slow else ()) for c in cases]


NETWORK_PARAMS = params(ALL_CASES)

_REPORTS: dict[str, Report] = {}


def verified(c: Case) -> Report:
    """verify() of a case with every method, computed once per session."""
    if c.id not in _REPORTS:
        _REPORTS[c.id] = verify(c.spec, examples=c.examples)
    return _REPORTS[c.id]
