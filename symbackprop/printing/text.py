"""Plain-text rendering of derivations and verification reports, for the terminal."""

from __future__ import annotations

import sympy as sp

from symbackprop.derivation.formulas import DerivedFormula
from symbackprop.spec.load import Spec
from symbackprop.verification.verify import Report


def _result(check) -> str:
    if check.holds:
        return "holds"
    return "fails" if check.applicable else "fails (n/a)"


def verification_table(report: Report) -> str:
    """The table `symbackprop verify` prints: equation, layer, example (or all), form, method, result, time."""
    spec = report.spec
    lines = [
        f"{spec.name}: layers {list(spec.layers)}, {report.notation} notation, cost {spec.cost}",
        *[f"  plan  {p}" for p in report.plan],
        "",
        f"{'equation':<15} {'layer':>5} {'example':>7}  {'form':<10} {'method':<10} {'result':<12} {'time':>8}",
    ]
    for c in report.checks:
        example = "all" if c.example is None else c.example
        row = f"{c.equation:<15} {c.layer:>5} {example:>7}  {c.form:<10} {c.method:<10} {_result(c):<12}"
        lines.append(f"{row} {c.seconds:>7.3f}s")
    lines.append("")
    lines.append("identities")
    for identity in report.identities:
        lines.append(f"  {identity.statement()}")
    failures = [c for c in report.checks if not c.holds]
    if failures:
        lines.append("")
        lines.append("counterexamples")
        for c in failures:
            tag = "" if c.applicable else " (not applicable to this network: expected to fail)"
            lines.append(f"  {c.equation} layer {c.layer}, {c.form}, {c.method}{tag}: {c.detail}")
            if c.counterexample:
                for key, value in c.counterexample.items():
                    lines.append(f"      {key}: {value}")
    lines.append("")
    lines.append(f"{report.verdict} ({report.seconds:.2f} s)")
    return "\n".join(lines)


def derivation_text(spec: Spec, formulas: list[DerivedFormula], notation: str) -> str:
    """The derived gradients, one per line, general and specialised to the spec's activations."""
    lines = [
        f"{spec.name}: layers {list(spec.layers)}, {notation} notation",
        f"  activations: {', '.join(spec.layer_activation(k).name for k in range(1, len(spec.layers)))}; "
        f"cost: {spec.cost}; examples are averaged, C = (1/m) sum_x C_x"
        + (
            ""
            if spec.regularization is None
            else f" + L2 (lambda = {spec.regularization.l2}, {spec.regularization.scale} scale)"
        ),
        "",
    ]
    for f in formulas:
        lines.append(f"{f.equation:<15} {f.lhs} = {sp.sstr(f.general)}")
        if f.specialised is not None:
            lines.append(f"{'':<15} {' ' * len(f.lhs)} = {sp.sstr(f.specialised)}")
    return "\n".join(lines)
