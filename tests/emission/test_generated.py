"""The checked-in modules in generated/ are byte-identical to what the generator writes today.

Refresh them with `python generated/refresh.py` after changing the generator or a reference spec.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from paths import ROOT


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFRESH = _load(ROOT / "generated" / "refresh.py", "refresh_generated")


@pytest.fixture(scope="session")
def expected():  # computed once: the tests that use it share one xdist worker, and the session keeps it
    return REFRESH.expected()


@pytest.mark.xdist_group("golden")
@pytest.mark.parametrize("name", REFRESH.REFERENCES)
def test_checked_in_module_is_what_the_generator_writes(name, expected):
    path = ROOT / "generated" / f"{name}.py"
    assert path.exists(), f"{path} missing: run python generated/refresh.py"
    assert path.read_text(encoding="utf-8") == expected[path], f"{path} is stale: run python generated/refresh.py"


def test_checked_in_modules_pass_ruff():
    """Every reference module is ruff-clean (between them: custom activations, softmax, L2, three notations)."""
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    paths = [str(ROOT / "generated" / f"{name}.py") for name in REFRESH.REFERENCES]
    result = subprocess.run([ruff, "check", "--no-cache", *paths], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", REFRESH.REFERENCES)
def test_checked_in_module_trains_one_step(name):
    module = _load(ROOT / "generated" / f"{name}.py", f"generated_{name}")
    net = module.Network(seed=0)
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(4, module.LAYERS[0])).astype(module.DTYPE)
    Y = np.eye(module.LAYERS[-1], dtype=module.DTYPE)[rng.integers(module.LAYERS[-1], size=4)]
    before = net.cost(X, Y, n=100)
    for _ in range(20):
        net.step(X, Y, 0.1, n=100)
    assert net.cost(X, Y, n=100) < before


def test_cli_generate_writes_and_refuses_edits(tmp_path, capsys):
    from symbackprop.cli import main

    out = tmp_path / "notes.py"
    assert main(["generate", str(ROOT / "examples" / "notes.toml"), "-o", str(out)]) == 0
    assert main(["generate", str(ROOT / "examples" / "notes.toml"), "-o", str(out)]) == 0
    out.write_text(out.read_text() + "# my change\n")
    assert main(["generate", str(ROOT / "examples" / "notes.toml"), "-o", str(out)]) == 2
    assert "edited" in capsys.readouterr().err
    assert out.read_text().endswith("# my change\n")
    assert main(["generate", str(ROOT / "examples" / "notes.toml"), "-o", str(out), "--force"]) == 0
    assert not out.read_text().endswith("# my change\n")
