"""Plain-text rendering of derivations and verification reports, for the terminal.

:class:`TextPrinter` subclasses SymPy's ``StrPrinter`` and dispatches on the
network's symbol classes, as the LaTeX printer does: a
:class:`~symbackprop.notation.symbols.NetworkSymbol` prints from its fields in
its notation's ASCII letters (``W^2_{1,3}``, ``delta^(3)_1``, ``s_2`` for a
UFLDL width), and a layer's activation function f^l and its derivative f^l'
from the fields the function carries.
"""

from __future__ import annotations

import math
import textwrap

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.str import StrPrinter

from symbackprop.notation.catalogue import get as notation_named
from symbackprop.notation.symbols import NetworkSymbol, is_function


class TextPrinter(StrPrinter):
    """SymPy's string printer, with the network's symbols written in their notation's letters, sums as Σ is
    written in plain text, piecewise functions as words and floats to six digits."""

    printmethod = "_symbackprop_text"  # not _sympystr: Indexed prints itself as a[j] through that

    def _print_NetworkSymbol(self, expr: NetworkSymbol) -> str:
        nt = notation_named(expr.notation)
        if expr.quantity == "width":
            return f"{nt.spell('width')}_{expr.layer}"
        bias_column = nt.bias_column and expr.quantity == "bias"  # Θ^(2)_{1,0}: the bias is column 0 of Θ
        head = nt.spell("weight") if bias_column else expr.spelling.ascii
        if expr.layer is not None:
            head += f"^{nt.label(expr.layer)}"
        index = [str(i + 1) for i in expr.index] + (["0"] if bias_column else [])
        if expr.index:
            head += f"_{{{','.join(index)}}}" if len(index) > 1 else f"_{index[0]}"
        if expr.example is not None:
            head += f"[x{expr.example + 1}]"
        return head

    def _print_Function(self, expr) -> str:
        if isinstance(expr, AppliedUndef) and is_function(expr):
            nt = notation_named(expr.func.notation)
            name = nt.function_head(expr.func.layer, expr.func.derivative)
            return f"{name}({', '.join(self._print(a) for a in expr.args)})"
        return super()._print_Function(expr)

    def _print_Indexed(self, expr) -> str:
        """``w^3_{rj}`` as the left-hand sides write it (``w^3_rj``), not ``w^3[r, j]``."""
        indices = [self._print(i) for i in expr.indices]
        if all(len(i) == 1 for i in indices):
            return f"{self._print(expr.base)}_{''.join(indices)}"
        return f"{self._print(expr.base)}_{{{','.join(indices)}}}"

    def _print_IndexedBase(self, expr) -> str:
        return self._print(expr.label)

    def _print_Sum(self, expr) -> str:
        """``sum_{r=1}^{n_3} (w^3_rj delta^3_r)``: a sum as people write it in plain text."""
        body = self._print(expr.function)
        for variable, lower, upper in reversed(expr.limits):
            body = f"sum_{{{self._print(variable)}={self._print(lower)}}}^{{{self._print(upper)}}} ({body})"
        return body

    def _print_Piecewise(self, expr) -> str:
        """``(1 if a^2_j > 0, else 0)``."""
        parts = []
        for value, condition in expr.args:
            if condition == sp.true:
                parts.append(f"else {self._print(value)}" if parts else self._print(value))
            else:
                parts.append(f"{self._print(value)} if {self._print(condition)}")
        return "(" + ", ".join(parts) + ")"

    def _print_Float(self, expr) -> str:
        """Six significant digits (``0.333333``, ``1.5e+230``, ``1e+400``), not SymPy's fifteen or more."""
        return _six_digits(expr)

    def _print_Integer(self, expr) -> str:
        """An integer as written, unless it has more than :data:`LONG_INTEGER` digits (``1e+400``, not 401 digits)."""
        return str(expr.p) if len(str(abs(expr.p))) <= LONG_INTEGER else _six_digits(expr)


#: Integers with more digits than this are printed in scientific notation.
LONG_INTEGER = 15


def _six_digits(value) -> str:
    """A number to six significant digits, in scientific notation when large, beyond a float's range too."""
    number = float(value)
    if math.isfinite(number):
        return format(number, ".6g")
    return mpmath.nstr(mpmath.mpf(sp.Float(value, 15)._mpf_), 6).replace(".0e", "e")


def text(expr) -> str:
    """``expr`` as terminal text in its notation's letters."""
    return TextPrinter().doprint(expr)


def lhs_text(expr: sp.Basic, cost: str = "C") -> str:
    """A derived formula's left-hand side as written in a line of text: ``delta^2_j``, ``dC/dW^2_jk``, ``dC/dx_k``
    (``dJ/dW^(2)_ij`` with the cost letter J of UFLDL)."""
    if isinstance(expr, sp.Derivative):
        (variable,) = expr.variables
        return f"d{cost}/d{_component(variable)}"
    return _component(expr)


def _component(expr: sp.Basic) -> str:
    if isinstance(expr, sp.Indexed):
        return f"{text(expr.base)}_{''.join(text(i) for i in expr.indices)}"
    return text(expr)


def _number_text(value) -> str:
    """A counterexample's value for the terminal: floats to six significant digits, inside lists and dicts too."""
    if isinstance(value, float):
        return format(value, ".6g")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_number_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_number_text(v) for v in value) + "]"
    return str(value)


def _result(check) -> str:
    if check.holds:
        return "holds"
    return "fails" if check.applicable else "fails (n/a)"


def _step_legend(steps: dict[str, str], equations: set[str]) -> list[str]:
    """``  steps  BP2            (5.56): delta_j = ...``: each equation the text names in its own words."""
    return [f"  steps  {eq:<14} {name}" for eq, name in steps.items() if name != eq and eq in equations]


def verification_table(report, *, timings: bool = True) -> str:
    """The table `symbackprop verify` prints: equation, layer, example (or all), form, method, result, time
    (``timings=False``: without the times, for a file two identical runs must write alike)."""
    spec = report.spec
    lines = [
        f"{spec.name}: layers {list(spec.layers)}, {report.notation} notation, cost {spec.cost}",
        *[f"  plan  {p}" for p in report.plan],
        *_step_legend(report.steps, {c.equation for c in report.checks}),
        "",
        f"{'equation':<15} {'layer':>5} {'example':>7}  {'form':<10} {'method':<10} {'result':<12}"
        + (f" {'time':>8}" if timings else ""),
    ]
    for c in report.checks:
        example = "all" if c.example is None else c.example
        row = f"{c.equation:<15} {c.layer:>5} {example:>7}  {c.form:<10} {c.method:<10} {_result(c):<12}"
        lines.append(f"{row} {c.seconds:>7.3f}s" if timings else row.rstrip())
    lines.append("")
    lines.append("identities")
    for identity in report.identities:
        lines.append(f"  {identity.statement(text)}")
    failures = [c for c in report.checks if not c.holds]
    if failures:
        lines.append("")
        lines.append("counterexamples")
        for c in failures:
            tag = "" if c.applicable else " (not applicable to this network: expected to fail)"
            lines.append(f"  {c.equation} layer {c.layer}, {c.form}, {c.method}{tag}: {c.detail}")
            if c.counterexample:
                for key, value in c.counterexample.items():
                    lines.append(f"      {key}: {_number_text(value)}")
    lines.append("")
    lines.append(f"{report.verdict} ({report.seconds:.2f} s)" if timings else report.verdict)
    return "\n".join(lines)


def derivation_text(spec, formulas, notation: str) -> str:
    """The derived gradients, one per line, general and specialised to the spec's activations."""
    nt = notation_named(notation)
    cost, example_cost = nt.spell("cost"), nt.spell("example_cost")
    lines = [
        f"{spec.name}: layers {list(spec.layers)}, {notation} notation",
        f"  activations: {', '.join(spec.layer_activation(k).name for k in range(1, len(spec.layers)))}; "
        f"cost: {spec.cost}; examples are averaged, {cost} = (1/m) sum_x {example_cost}"
        + (
            ""
            if spec.regularization is None
            else f" + L2 (lambda = {spec.regularization.l2}, {spec.regularization.scale} scale)"
        ),
        "",
    ]
    for f in formulas:
        lhs = lhs_text(f.lhs, cost)
        lines.append(f"{f.equation:<15} {lhs} = {text(f.general)}")
        if f.specialised is not None:
            lines.append(f"{'':<15} {' ' * len(lhs)} = {text(f.specialised)}")
    return "\n".join(lines)


def catalogue_text(notations) -> str:
    """What ``symbackprop notations`` prints: each notation's name, what it is, and its source."""
    lines = [f"{len(notations)} notations; `symbackprop notations NAME` shows one in full.", ""]
    for nt in notations:
        lines.append(nt.name)
        lines.extend(_wrapped(nt.description, "  "))
        lines.extend(_wrapped("source: " + nt.citation.text(), "  "))
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def notation_text(nt) -> str:
    """What ``symbackprop notations NAME`` prints: the source, the conventions, the steps and the decisions."""
    w, n = nt.spell("weight"), nt.spell("width")
    frm, to, layer = (f"({x})" if len(x) > 1 else x for x in nt.general_layers())
    rows, columns = (frm, to) if nt.transposed else (to, frm)
    connects = reversed(nt.indices) if not nt.transposed else nt.indices
    weights = f"{w}^{nt.general_labels()[2]} is ({n}_{rows}, {n}_{columns}); {w}_{''.join(nt.indices)} connects "
    weights += "neuron {} to neuron {}".format(*connects)
    if nt.bias_column:
        weights += f"; the biases are its column 0, {w}_{nt.indices[0]}0"
    vectors = ", ".join(nt.spell(q) for q in ("activation", "weighted_input", "error", "bias"))
    lines = [*_wrapped(f"{nt.name}: {nt.description}", ""), ""]
    lines += _wrapped("source: " + nt.citation.text(), "")
    lines += [
        "",
        f"forward      {nt.forward_text()}, {nt.activation_text()}",
        f"layers       the input {nt.spell('input')} is layer {nt.input_layer}; the output layer is "
        f"{nt.output_layer.ascii}",
        f"weights      {weights}",
        f"vectors      one example's {vectors} are {'row' if nt.vectors == 'rows' else 'column'} vectors; a batch "
        f"holds one example per {'column' if nt.examples == 'columns' else 'row'}",
        f"symbols      error {nt.spell('error')}, target {nt.spell('target')}, cost of one example "
        f"{nt.spell('example_cost')}, of the batch {nt.spell('cost')}, product {nt.hadamard.ascii}, "
        f"widths {n}_{layer}",
        "",
        "steps (the equation each of the text's steps proves)",
        *[f"  {eq:<15} {name}" for eq, name in nt.steps.items()],
    ]
    if nt.decisions:
        lines += ["", "decisions (where the source is ambiguous or silent)"]
        for decision in nt.decisions:
            lines.extend(_wrapped(decision, "  - ", "    "))
    return "\n".join(lines)


def _wrapped(text: str, first: str, rest: str | None = None, width: int = 100) -> list[str]:
    """``text`` in lines of at most ``width`` characters (an address is never broken)."""
    rest = first if rest is None else rest
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False, break_long_words=False
    )
