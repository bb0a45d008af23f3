"""Determinism: the same spec gives byte-identical generated code and LaTeX in every process.

This process and a separate Python process with another ``PYTHONHASHSEED``
(so set and dict-of-set iteration orders and SymPy's hashes differ) generate the
module (:func:`symbackprop.emission.module.generate_source`) and the derivation
document (:func:`symbackprop.teach.document.render`) for two example specs (in the
nielsen and blog notations) and a spec with custom formulas (in the notes
notation); the outputs must be equal byte for byte. (The golden test of
``generated/`` compares this process's modules with files written by another
process too.)

The documents include their verification table, which prints no timings.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys

import pytest
from networks import MATRIX
from paths import EXAMPLES

from symbackprop.emission.module import generate_source
from symbackprop.spec.load import load_spec

#: One worker runs this module (pyproject's --dist loadgroup), so its session-scoped fixture is computed once
#: (a module-scoped one was computed twice: xdist hands a worker other tests between this module's).
#: With the matrices (`-m matrix`, run by .ci/run after the README's command): two processes generating three
#: modules and documents took 25 s of the README suite's 6 minutes; the hash-seed check of one module in two
#: processes (tests/emission/test_emission.py) stays in it.
pytestmark = [pytest.mark.xdist_group("determinism"), *MATRIX]


#: Example specs: softmax with the log-likelihood, the blog's transposed weights (UFLDL's module, with L2 decay, is
#: compared across processes by the golden test of generated/).
SPECS = ("softmax.toml", "blog.toml")
#: Custom formulas (a where(...) activation, a custom cost), rendered in every notation.
CUSTOM = """\
name = "custom"
layers = [3, 4, 2]
activation = "bent"
output = "sigmoid"
cost = "half_square"

[activations.bent]
formula = "where(z > 0, z, 0.01*z)"

[costs.half_square]
formula = "(a - y)**2 / 2"
"""
NOTATIONS = ("notes",)

SCRIPT = """
import json, sys
from symbackprop.teach.document import render
from symbackprop.emission.module import generate_source
from symbackprop.spec.load import load_spec

out = {}
for path in sys.argv[2:]:
    spec = load_spec(path)
    out[spec.name + ".py"] = generate_source(spec)
    for notation in sys.argv[1].split(",") if spec.name == "custom" else [spec.notation]:
        out[f"{spec.name}.{notation}.tex"] = render(spec, notation)
json.dump(out, sys.stdout)
"""


def outputs(paths: list[str]) -> dict[str, str]:
    """What SCRIPT prints, computed in this process."""
    from symbackprop.teach.document import render

    out = {}
    for path in paths:
        spec = load_spec(path)
        out[spec.name + ".py"] = generate_source(spec)
        for notation in NOTATIONS if spec.name == "custom" else [spec.notation]:
            out[f"{spec.name}.{notation}.tex"] = render(spec, notation)
    return out


def first_difference(a: str, b: str) -> str:
    diff = difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=1)
    return "\n".join(list(diff)[:12])


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> list[dict[str, str]]:
    """The outputs of this process and of another one with a different hash seed, computed side by side."""
    custom = tmp_path_factory.mktemp("determinism") / "custom.toml"
    custom.write_text(CUSTOM, encoding="utf-8")
    paths = [str(EXAMPLES / name) for name in SPECS] + [str(custom)]
    seed = "0" if os.environ.get("PYTHONHASHSEED") == "4242" else "4242"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, ",".join(NOTATIONS), *paths],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": seed},
    )
    here = outputs(paths)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    return [here, json.loads(out)]


def test_generated_code_is_byte_identical_across_processes(runs) -> None:
    first, second = runs
    modules = sorted(name for name in first if name.endswith(".py"))
    assert modules == ["blog.py", "custom.py", "softmax_ll.py"]
    for name in modules:
        assert first[name] == second[name], f"{name} differs:\n" + first_difference(first[name], second[name])


def test_latex_is_byte_identical_across_processes(runs) -> None:
    first, second = runs
    documents = sorted(name for name in first if name.endswith(".tex"))
    assert sorted(second) == sorted(first)
    assert len(documents) == len(SPECS) + len(NOTATIONS)
    for name in documents:
        assert "\\section{Verification}" in first[name]  # the verification table is part of what is compared
        assert first[name] == second[name], f"{name} differs:\n" + first_difference(first[name], second[name])


def test_outputs_carry_no_timestamp_or_path(runs) -> None:
    for name, text in runs[0].items():
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b|\d\d:\d\d:\d\d", text), name
        assert str(EXAMPLES) not in text and "/tmp" not in text, name
