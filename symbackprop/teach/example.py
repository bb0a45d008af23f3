"""A worked example with numbers: one training example through a small network, every number computed here.

The network is the spec's own when it is small (:data:`SMALL`), else a 2–3–2 slice with its first hidden
activation, its output activation and its cost. Its parameters and example are drawn at random and rounded to
one decimal, so that a student can redo the arithmetic. The forward pass is the notation's own map, the errors
and gradients are the notation's closed forms (the recipes the verifier checks) evaluated on these numbers, one
weight's gradient is checked by central finite differences of the cost, and one gradient-descent step is taken.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from symbackprop.closed_forms import forms_for
from symbackprop.network import numeric
from symbackprop.network.sites import sites
from symbackprop.notation import symbols
from symbackprop.notation.model import Notation
from symbackprop.printing.latex import latex
from symbackprop.spec.model import Spec

#: A network whose widths are at most this (and with at most three weight layers) is worked through itself.
SMALL = 4
SLICE = (2, 3, 2)
#: The seed of the example's parameters and input (fixed: the document is deterministic).
SEED = 7
#: The step of the finite-difference check (written 10^{-5} in the document).
STEP = 1e-5


@dataclass(frozen=True)
class Line:
    """``name = value`` in LaTeX, and what it is."""

    name: str
    value: str
    what: str


@dataclass(frozen=True)
class Worked:
    layers: tuple[int, ...]
    sliced: bool  # a 2–3–2 slice of a larger network
    given: tuple[Line, ...]  # x, y, the weights and biases
    forward: tuple[Line, ...]  # z and a per layer
    errors: tuple[Line, ...]  # δ per layer, output first
    gradients: tuple[Line, ...]  # ∂C_x/∂b, ∂C_x/∂W per layer
    cost: str  # C_x of this example
    check: dict  # one weight entry: its name, the closed form's value, the finite difference's
    update: tuple[Line, ...]  # the weights feeding the output after one step
    eta: float
    decay: str  # the decay coefficient used, as LaTeX ("" without weight decay)


def small_spec(spec: Spec) -> Spec:
    """The network worked through: the spec's own, or a 2–3–2 slice of it."""
    if max(spec.layers) <= SMALL and spec.depth <= 3:
        return spec
    hidden = spec.activations[0] if spec.activations else spec.output
    return dataclasses.replace(spec, layers=SLICE, activations=(hidden,))


def worked(spec: Spec, nt: Notation) -> Worked:
    """Every number of one example's forward pass, backward pass, gradient check and update."""
    small = small_spec(spec)
    net = numeric.NumericNetwork(small, notation=nt.name, examples=1, seed=SEED)
    net.weights = [np.round(W, 1) for W in net.weights]
    net.biases = [np.round(b, 1) for b in net.biases]
    net.inputs = [np.round(x, 1) for x in net.inputs]
    if not small.cost_function().probability_targets:
        net.targets = [np.round(y, 1) for y in net.targets]
    L, forms = net.depth, forms_for(nt.name)
    deltas: list = [None] * (L + 1)
    view = net.view(0, deltas)  # reads the list as it is filled, output layer first
    plan = sites(small, nt)
    for site in (s for s in plan if s.equation in ("BP1", "BP2")):
        form = "jacobian" if site.jacobian else "hadamard"
        deltas[site.k] = forms.example_form(site, form, view).values.ravel()
    rows = nt.vectors == "rows"
    q = lambda name, k=None: latex(symbols.quantity(nt, name, k))  # noqa: E731 - a symbol's LaTeX
    x, y = net.inputs[0], net.targets[0]
    given = [Line(q("input"), _vector(x, rows), "the input"), Line(q("target"), _vector(y, rows), "the target")]
    for k in range(1, L + 1):
        given.append(Line(q("weight", nt.weight_layer(k)), _matrix(net.weights[k - 1]), ""))
        given.append(Line(q("bias", nt.weight_layer(k)), _vector(net.biases[k - 1], rows), ""))
    forward = []
    for k in range(1, L + 1):
        forward.append(Line(q("weighted_input", nt.layer(k)), _vector(view.zs[k], rows), ""))
        forward.append(Line(q("activation", nt.layer(k)), _vector(view.activations[k], rows), ""))
    errors = [Line(q("error", nt.layer(k)), _vector(deltas[k], rows), "") for k in range(L, 0, -1)]
    decay = net.number(forms.decay(small))
    gradients, weight_gradients = [], {}
    for site in sorted((s for s in plan if s.equation in ("BP3", "BP4")), key=lambda s: (-s.k, s.equation)):
        value = forms.example_form(site, "matrix", view).values
        parameter = q("bias" if site.equation == "BP3" else "weight", site.layer)
        name = f"\\frac{{\\partial {nt.spell('example_cost', 'latex')}}}{{\\partial {parameter}}}"
        if site.equation == "BP4":
            weight_gradients[site.k] = value
            gradients.append(Line(name, _matrix(value), ""))
        else:
            gradients.append(Line(name, _vector(value.ravel(), rows), ""))
    # one entry of the output layer's weights, checked by finite differences of the cost
    entry = (0, 1) if net.weights[L - 1].shape[1] > 1 else (0, 0)
    closed = float(weight_gradients[L][entry] + decay * net.weights[L - 1][entry])

    def cost_at(value: float) -> float:
        weights = [W.copy() for W in net.weights]
        weights[L - 1][entry] = value
        return net.batch_cost(weights=weights)

    w = float(net.weights[L - 1][entry])
    difference = (cost_at(w + STEP) - cost_at(w - STEP)) / (2 * STEP)
    name = latex(symbols.component(nt, "weight", nt.weight_layer(L), entry))
    eta = spec.training.eta
    stepped = net.weights[L - 1] - eta * (weight_gradients[L] + decay * net.weights[L - 1])
    update = (Line(q("weight", nt.weight_layer(L)), _matrix(stepped), ""),)
    return Worked(
        tuple(small.layers),
        small is not spec,
        tuple(given),
        tuple(forward),
        tuple(errors),
        tuple(gradients),
        _number(net._c(view.activations[L], y)),
        {
            "name": name,
            "closed": closed,
            "difference": difference,
            "closed_tex": _rate(closed),
            "difference_tex": _rate(difference),
            "step": "10^{-5}",
        },
        update,
        eta,
        _number(decay) if decay else "",
    )


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _vector(values, rows: bool) -> str:
    """A column (or, in a row-vector notation, a row) of numbers."""
    entries = [_number(float(v)) for v in np.ravel(values)]
    separator = " & " if rows else r" \\ "
    return r"\begin{pmatrix} " + separator.join(entries) + r" \end{pmatrix}"


def _matrix(values) -> str:
    values = np.atleast_2d(values)
    body = r" \\ ".join(" & ".join(_number(float(v)) for v in row) for row in values)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def _rate(value: float) -> str:
    """A derivative as LaTeX, six decimals, or six significant digits with a power of ten where those would
    show only zeros (a cubic cost's -7.93209 × 10^{-6}, not -0.000008)."""
    if value == 0 or abs(value) >= 1e-3:
        return f"${value:.6f}$"
    mantissa, exponent = f"{value:.5e}".split("e")
    return f"${mantissa} \\times 10^{{{int(exponent)}}}$"
