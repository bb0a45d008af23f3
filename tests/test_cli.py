"""The command line: exit codes, output, and that build never destroys edited files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from symbackprop.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_verify_json_shape_and_exit_code(capsys):
    assert main(["verify", str(EXAMPLES / "notes.toml"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["spec"] == "notes" and report["notation"] == "nielsen" and report["ok"] is True
    equations = {c["equation"] for c in report["checks"]}
    assert equations == {"BP1", "BP2", "BP3", "BP4", "input_gradient"}
    for check in report["checks"]:
        assert set(check) >= {"equation", "layer", "form", "method", "holds", "counterexample", "seconds"}
        assert check["method"] in {"exact", "all_widths", "numeric"}
        assert check["form"] in {"hadamard", "jacobian", "component", "matrix"}


def test_verify_softmax_reports_hadamard_failure_but_exits_zero(capsys):
    assert main(["verify", str(EXAMPLES / "softmax.toml"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    hadamard = [c for c in report["checks"] if c["equation"] == "BP1" and c["form"] == "hadamard"]
    jacobian = [c for c in report["checks"] if c["equation"] == "BP1" and c["form"] == "jacobian"]
    assert hadamard and all(not c["holds"] and not c["applicable"] for c in hadamard)
    assert all(c["counterexample"] for c in hadamard)
    assert jacobian and all(c["holds"] for c in jacobian)


def test_verify_table_in_ufldl_numbering(capsys):
    assert main(["verify", str(EXAMPLES / "ufldl_qa.toml")]) == 0
    out = capsys.readouterr().out
    assert "ufldl notation" in out
    bp1 = [line for line in out.splitlines() if line.startswith("BP1")]
    assert bp1 and all(line.split()[1] == "3" for line in bp1)  # layers 1..3, output n_l = 3


def test_bad_spec_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('layers = [3, 2]\nactivation = "sigmod"\n')
    assert main(["verify", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bad.toml" in err and "activation" in err and "sigmoid" in err


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["derive", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml" in capsys.readouterr().err


def test_derive_prints_every_equation(capsys):
    assert main(["derive", str(EXAMPLES / "blog.toml")]) == 0
    out = capsys.readouterr().out
    for equation in ("BP1", "BP2", "BP3", "BP4", "input_gradient"):
        assert equation in out
    assert "w^2[i, r]" in out  # the blog's transposed weights: δ^1_i = Σ_r w^2_{ir} δ^2_r a'(z^1_i)


def test_build_default_writes_and_refuses_to_destroy_edits(tmp_path, capsys):
    out = tmp_path / "build"
    assert main(["build", "-o", str(out)]) == 0
    report = json.loads((out / "verification.json").read_text())
    assert report["spec"] == "nielsen_ch1" and report["ok"] is True
    assert "exact: skipped" in " ".join(report["plan"])
    # a second run over unchanged files is fine
    assert main(["build", "-o", str(out)]) == 0
    edited = out / "derivation.txt"
    edited.write_text(edited.read_text() + "my notes\n")
    capsys.readouterr()
    assert main(["build", "-o", str(out)]) == 2
    assert "edited" in capsys.readouterr().err
    assert edited.read_text().endswith("my notes\n")
    assert main(["build", "-o", str(out), "--force"]) == 0
    assert not edited.read_text().endswith("my notes\n")


def test_build_refuses_foreign_file(tmp_path, capsys):
    out = tmp_path / "build"
    out.mkdir()
    (out / "verification.txt").write_text("someone else's file\n")
    assert main(["build", str(EXAMPLES / "notes.toml"), "-o", str(out)]) == 2
    assert (out / "verification.txt").read_text() == "someone else's file\n"
    assert not (out / "derivation.txt").exists()


@pytest.mark.parametrize("module", [True, False])
def test_entry_points(module, tmp_path):
    cmd = [sys.executable, "-m", "symbackprop"] if module else ["symbackprop"]
    result = subprocess.run(
        [*cmd, "verify", str(EXAMPLES / "notes.toml"), "--methods", "all_widths"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "every applicable closed form holds" in result.stdout
