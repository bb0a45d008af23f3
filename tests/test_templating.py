"""Tests for :mod:`symbackprop.templating`: the one Jinja environment, and the generated module's fixed
runtime, a plain Python file the template includes verbatim."""

from __future__ import annotations

import shutil
import subprocess

import jinja2
import pytest
from paths import EXAMPLES, ROOT

from symbackprop.emission.module import generate_source
from symbackprop.spec.load import load_spec
from symbackprop.templating import RUNTIME, environment, runtime_parts, templates_folder, tex_environment


def test_the_runtime_is_a_python_file_ruff_checks_as_it_is():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    path = ROOT / "templates" / RUNTIME
    result = subprocess.run([ruff, "check", "--no-cache", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    compile(path.read_text(encoding="utf-8"), str(path), "exec")  # and it is a complete module


def test_every_runtime_part_is_in_every_generated_module_verbatim():
    parts = runtime_parts()
    assert {"constants", "buffers", "training", "loading"} <= set(parts)
    assert "stand-ins" not in parts and not any("# part:" in text for text in parts.values())
    for name in ("nielsen_ch1", "blog", "softmax"):
        source = generate_source(load_spec(EXAMPLES / f"{name}.toml"))
        for part, text in parts.items():
            assert text in source, f"{part} is not in {name}'s module as it is"


def test_parts_are_cut_at_their_markers():
    text = "\n".join(
        [
            "'''doc'''",
            "# part: stand-ins",
            "X = 1",
            "# part: one",
            "a = 1",
            "",
            "",
            "    # part: two",
            "    def f(self):",
        ]
    )
    text += "\n        pass\n"
    assert runtime_parts(text) == {"one": "a = 1", "two": "    def f(self):\n        pass"}


def test_the_module_template_has_no_notation_conditional():
    template = templates_folder().joinpath("network.py.j2").read_text(encoding="utf-8")
    assert "transposed else" not in template and "notation ==" not in template


def test_one_environment_strict_about_missing_slots():
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ missing }}").render()
    assert tex_environment().from_string(r"\VAR{x} {x}").render(x=1) == "1 {x}"
    assert tex_environment().loader is environment().loader
