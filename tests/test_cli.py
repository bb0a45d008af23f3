"""The command line: exit codes, output, and that build never destroys edited files."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from paths import EXAMPLES

from symbackprop.cli import main
from symbackprop.files import MANIFEST


def test_verify_json_shape_and_exit_code(capsys):
    assert main(["verify", str(EXAMPLES / "notes.toml"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["spec"] == "notes" and report["notation"] == "notes" and report["ok"] is True
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


def test_verify_names_each_equation_as_the_text_does(tmp_path, capsys):
    spec = tmp_path / "bishop.toml"
    spec.write_text(
        'name = "b"\nlayers = [2, 2, 2]\nactivation = "tanh"\noutput = "identity"\n'
        'cost = "quadratic"\nnotation = "bishop"\n'
    )
    assert main(["verify", str(spec), "--json", "--methods", "numeric"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["steps"]["BP2"].startswith("(5.56)")
    assert {c["equation"]: c["step"] for c in report["checks"]}["BP4"].startswith("(5.53)")
    assert main(["verify", str(spec), "--methods", "numeric"]) == 0
    assert "  steps  BP2            (5.56): delta_j = h'(a_j) sum_k w_kj delta_k" in capsys.readouterr().out


def test_notations_lists_every_entry_with_its_source(capsys):
    from symbackprop.notation.catalogue import NOTATIONS

    assert main(["notations"]) == 0
    out = capsys.readouterr().out
    for nt in NOTATIONS.values():
        assert f"\n{nt.name}\n" in out and nt.citation.url in out
    assert main(["notations", "ufldl"]) == 0
    ufldl = capsys.readouterr().out
    assert "forward      z^(l+1) = W^(l) a^(l) + b^(l), a^(l+1) = f^(l+1)(z^(l+1))" in ufldl
    assert "the input x is layer 1" in ufldl and "step 3: delta^(l)" in ufldl
    assert main(["notations", "deeplearning_ai", "--json"]) == 0
    dlai = json.loads(capsys.readouterr().out)
    assert dlai["examples"] == "columns" and dlai["symbols"]["weighted_input"]["ascii"] == "Z"
    with pytest.raises(SystemExit) as exit:
        main(["notations", "nelson"])
    assert exit.value.code == 2 and "invalid choice: 'nelson'" in capsys.readouterr().err


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
    assert (
        "w^2_ir" in out and "sum_{r=1}^{n_2}" in out
    )  # the blog's transposed weights: δ^1_i = Σ_r w^2_{ir} δ^2_r a'(z^1_i)


@pytest.mark.slow  # ~20 s idle: verification of the [64, 30, 10] network dominates
def test_build_default_trains_on_digits(tmp_path, capsys):
    pytest.importorskip("sklearn", reason="scikit-learn (the digits extra) is not installed")
    out = tmp_path / "build"
    assert main(["build", "-o", str(out)]) == 0
    report = json.loads((out / "verification.json").read_text())
    assert report["spec"] == "digits" and report["ok"] is True
    history = json.loads((out / "history.json").read_text())
    assert len(history["epochs"]) == 30 and history["epochs"][-1]["total"] == 297
    assert history["epochs"][-1]["accuracy"] > 0.8  # the stated figure is 93.3% (seed 0)
    plot = ("training.png",) if importlib.util.find_spec("matplotlib") else ()
    for name in ("digits.py", "digits.tex", "weights.npz", *plot):
        assert (out / name).stat().st_size > 0, name
    captured = capsys.readouterr()
    text = captured.out
    assert "Epoch 30: " in text and "every applicable closed form holds" in text
    assert ("wrote " + str(out / "digits.pdf")) in captured.err or "PDF skipped" in text  # messages on stderr


def test_build_twice_never_destroys_an_edited_file(tmp_path, capsys, monkeypatch):
    from symbackprop.teach import document

    monkeypatch.setattr(document, "engine", lambda: None)  # the PDF is tested above; keep this one quick
    spec = tmp_path / "tiny.toml"
    spec.write_text(TINY)  # no built-in data has 3 inputs: derive, verify, generate and latex, no training
    out = tmp_path / "build"
    args = ["build", str(spec), "-o", str(out)]
    assert main(args) == 0
    assert "PDF skipped: no LaTeX engine" in capsys.readouterr().out
    assert main(args) == 0  # a second run over unchanged files is fine
    for name in ("derivation.txt", "verification.json", "tiny.py"):
        edited = out / name
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        edited.write_text(edited.read_text() + "# my notes\n")
        capsys.readouterr()
        assert main(args) == 2
        assert "edited" in capsys.readouterr().err
        assert edited.read_text().endswith("# my notes\n")
        after = {p.name: p.read_bytes() for p in out.iterdir()}
        assert {k: v for k, v in after.items() if k != name} == {k: v for k, v in before.items() if k != name}
    assert main([*args, "--force"]) == 0
    assert not (out / "tiny.py").read_text().endswith("# my notes\n")


def test_a_rerun_never_replaces_an_earlier_training_run(tmp_path, capsys):
    """train and build refuse a folder holding a run's weights and history, before any work (issue 16 item 6)."""
    pytest.importorskip("sklearn", reason="scikit-learn (the digits extra) is not installed")
    spec = tmp_path / "small.toml"
    spec.write_text(SMALL)
    out = tmp_path / "run"
    args = ["train", str(spec), "-o", str(out), "--epochs", "2"]
    assert main(args) == 0
    kept = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    for command in (args, ["build", str(spec), "-o", str(out), "--epochs", "3"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "holds the results of an earlier training run (2 epochs of small on" in err, err
        assert "--force" in err and len(err.strip().splitlines()) == 1
        assert {p.name: p.read_bytes() for p in out.iterdir()} == kept  # nothing written, nothing lost
    assert main([*args, "--epochs", "3", "--force"]) == 0
    assert len(json.loads((out / "history.json").read_text())["epochs"]) == 3


TINY = """name = "tiny"
layers = [3, 2, 2]
activation = "sigmoid"
cost = "quadratic"
"""


SMALL = """name = "small"
layers = [64, 2, 10]
activation = "sigmoid"
cost = "quadratic"
"""


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


def test_build_without_data_for_its_width_skips_training(tmp_path, capsys, monkeypatch):
    from symbackprop.teach import document

    monkeypatch.setattr(document, "engine", lambda: None)
    out = tmp_path / "build"
    assert main(["build", str(EXAMPLES / "notes.toml"), "-o", str(out)]) == 0
    assert "training skipped: no built-in data for 3 inputs; pass --data" in capsys.readouterr().out
    assert (out / "notes.py").exists() and not (out / "weights.npz").exists()


def test_build_784_without_the_mnist_cache_says_so(tmp_path, monkeypatch):
    from symbackprop import load_spec, pipeline

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    spec = load_spec(EXAMPLES / "nielsen_ch1.toml")
    data, reason = pipeline._data_for(spec, None)
    assert data is None and "run `symbackprop data mnist` or pass --data" in reason


def test_train_refuses_bad_flags_and_mismatched_data(tmp_path, capsys):
    spec = tmp_path / "small.toml"
    spec.write_text(SMALL)
    assert main(["train", str(spec), "--epochs", "0", "-o", str(tmp_path / "t")]) == 2
    assert "--epochs: must be a positive integer" in capsys.readouterr().err
    import numpy as np

    np.savez(tmp_path / "d.npz", X=np.zeros((10, 5)), y=np.zeros(10, dtype=int))
    assert main(["train", str(spec), "--data", str(tmp_path / "d.npz"), "-o", str(tmp_path / "t")]) == 2
    assert "examples have 5 inputs but the spec's layers[0] is 64" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


# -- verify on a spec too large for the exact methods, and a time budget ---------------------------------


def test_verify_says_which_methods_it_uses_on_a_large_spec(tmp_path, capsys):
    spec = tmp_path / "wide.toml"
    spec.write_text('name = "wide"\nlayers = [3000, 1000, 10]\n')
    assert main(["verify", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "plan  exact: skipped" in out and "plan  numeric: skipped" in out
    assert "plan  all_widths: symbolic widths" in out
    assert "every applicable closed form holds" in out


def test_verify_max_seconds_stops_cleanly_with_a_partial_report(tmp_path, capsys):
    spec = tmp_path / "wide.toml"
    spec.write_text('name = "wide"\nlayers = [30, 30, 10]\n')
    code = main(["verify", str(spec), "--methods", "exact", "numeric", "--max-seconds", "1", "--json"])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["complete"] is False and report["ok"] is False
    assert report["unfinished"] and all("time budget" in c["detail"] for c in report["unfinished"])
    assert any("exact: stopped by the 1 s time budget" in line for line in report["plan"])
    assert main(["verify", str(spec), "--methods", "exact", "--max-seconds", "0.5"]) == 1
    out = capsys.readouterr().out
    assert "INCOMPLETE" in out and "did not finish within the time budget" in out


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan"])
def test_verify_max_seconds_must_be_positive(value, capsys):
    assert main(["verify", str(EXAMPLES / "notes.toml"), "--max-seconds", value]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--max-seconds" in err


def test_a_closed_pipe_stops_quietly():
    """`symbackprop verify ... | head -1`: no traceback when the reader goes away before the output."""
    process = subprocess.Popen(
        [sys.executable, "-m", "symbackprop", "verify", str(EXAMPLES / "notes.toml"), "--methods", "all_widths"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdout.close()  # the reader is gone before verify prints anything
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 141  # 128 + SIGPIPE, as a shell reports a closed pipe
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


# -- a newcomer's command line ---------------------------------------------------------------------


def test_version_and_an_example_in_every_help(capsys):
    from symbackprop import __version__
    from symbackprop.cli import EXAMPLES as HELP_EXAMPLES

    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out.strip() == f"symbackprop {__version__}"
    for command in HELP_EXAMPLES:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert "examples:\n  symbackprop " + command in text, command
        if command not in ("data", "notations", "init"):
            assert "-q, --quiet" in text and "-v, --verbose" in text, command


def test_every_command_takes_the_built_in_network(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "--methods", "numeric", "-q"]) == 0
    assert "every applicable closed form holds" in capsys.readouterr().out
    assert main(["derive"]) == 0
    assert capsys.readouterr().out.startswith("digits: layers [64, 30, 10], nielsen notation")
    assert main(["generate", "-o", "d.py"]) == 0 and (tmp_path / "d.py").exists()
    captured = capsys.readouterr()
    assert captured.out == "" and "generate: wrote d.py" in captured.err  # a message, on stderr
    assert main(["check", "--formula", "delta^L = (a^L - y) (.) sigma'(z^L)"]) == 0
    assert "1 answer, 1 correct, 0 wrong, 0 errors" in capsys.readouterr().out


def test_init_writes_a_spec_every_command_reads(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert "init: wrote network.toml" in capsys.readouterr().err
    text = (tmp_path / "network.toml").read_text()
    assert text.startswith("# the built-in network") and "# the learning rate" in text
    assert main(["verify", "network.toml", "--methods", "numeric", "-q"]) == 0
    assert main(["init"]) == 2 and "exists; give another file name, or --force" in capsys.readouterr().err
    assert main(["init", "--example", "softmax", "s.toml", "-q"]) == 0
    assert capsys.readouterr().err == ""  # -q: no message
    assert (tmp_path / "s.toml").read_text() == (EXAMPLES / "softmax.toml").read_text()
    with pytest.raises(SystemExit):
        main(["init", "--example", "nope"])
    assert "invalid choice: 'nope'" in capsys.readouterr().err


def test_verbose_names_the_spec_and_the_time(capsys):
    assert main(["derive", str(EXAMPLES / "blog.toml"), "-v"]) == 0
    err = capsys.readouterr().err
    assert f"derive: blog from {EXAMPLES / 'blog.toml'}, layers [3, 4, 2]" in err and "derive: done in " in err


@pytest.mark.slow  # 11 s: with the matrices, which CI runs after the README's command
@pytest.mark.matrix
def test_train_and_build_take_the_same_flags_and_a_notation(tmp_path, capsys, monkeypatch):
    pytest.importorskip("sklearn", reason="scikit-learn (the digits extra) is not installed")
    from symbackprop.teach import document

    monkeypatch.setattr(document, "engine", lambda: None)  # the PDF is tested above; keep this one quick
    spec = tmp_path / "small.toml"
    spec.write_text('name = "small"\nlayers = [64, 10]\nactivation = "sigmoid"\n')
    common = ["--epochs", "1", "--batch-size", "50", "--eta", "0.5", "--seed", "3", "--notation", "deeplearning_ai"]
    assert main(["train", str(spec), *common, "-o", str(tmp_path / "t"), "-q"]) == 0
    assert "train: 1 epoch in" in capsys.readouterr().out  # one epoch, not "1 epochs"
    module = (tmp_path / "t" / "small.py").read_text()
    assert "EXAMPLE_AXIS = 1" in module and "deeplearning_ai notation" in module
    assert main(["build", str(spec), *common, "-o", str(tmp_path / "b"), "-q"]) == 0
    history = json.loads((tmp_path / "b" / "history.json").read_text())
    assert len(history["epochs"]) == 1
    toml = (tmp_path / "b" / "spec.toml").read_text()
    assert 'notation = "deeplearning_ai"' in toml
    assert main(["verify", str(tmp_path / "b" / "spec.toml"), "--methods", "numeric", "-q"]) == 0


def test_train_holds_out_validation_examples_and_keeps_the_best_epoch(tmp_path, capsys):
    """--validation N: the last N training examples choose the epoch (issue 15); the test set chooses nothing."""
    pytest.importorskip("sklearn", reason="scikit-learn (the digits extra) is not installed")
    spec = tmp_path / "small.toml"
    spec.write_text('name = "small"\nlayers = [64, 10]\nactivation = "sigmoid"\n')
    args = ["train", str(spec), "--epochs", "4", "--batch-size", "20", "--eta", "0.5", "--validation", "300"]
    assert main([*args, "-o", str(tmp_path / "t")]) == 0
    err = capsys.readouterr().out  # the epochs' lines, as the book prints them
    assert "300 held out for validation" in err and ", validation " in err
    history = json.loads((tmp_path / "t" / "history.json").read_text())
    assert history["settings"]["validation"] == 300
    accuracies = [entry["validation_accuracy"] for entry in history["epochs"]]
    assert all(entry["validation_total"] == 300 for entry in history["epochs"])
    best = 1 + accuracies.index(max(accuracies))
    assert f"kept the weights of epoch {best}, the best on the 300 validation examples" in err
    assert main([*args[:-1], "100000", "-o", str(tmp_path / "u")]) == 2
    assert "--validation: 100000 examples would leave none to train on" in capsys.readouterr().err


def test_an_internal_error_has_its_own_exit_code_and_says_how_to_report_it(monkeypatch, capsys):
    """A bug is not bad input (2) nor a failing closed form (1): exit 3, two lines, no traceback (issue 16)."""
    from symbackprop import cli

    def broken(args):
        raise RuntimeError("an invariant\nthat broke")

    monkeypatch.setattr(cli, "_verify", broken)
    monkeypatch.delenv("SYMBACKPROP_TRACEBACK", raising=False)
    assert main(["verify"]) == cli.INTERNAL_ERROR == 3
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "symbackprop: internal error in verify: RuntimeError: an invariant that broke"
    assert "please report it" in err and "Traceback" not in err and len(err.splitlines()) == 2
    monkeypatch.setenv("SYMBACKPROP_TRACEBACK", "1")
    with pytest.raises(RuntimeError, match="an invariant"):
        main(["verify"])


@pytest.mark.slow  # 12 s: with the matrices, which CI runs after the README's command
@pytest.mark.matrix
def test_two_identical_builds_differ_only_in_their_timings(tmp_path, capsys):
    """Timings live in timings.json alone (issue 16 item 9): the document, its PDF, the module, the weights, the
    history and the plot of two identical runs are byte-identical; the manifest differs by timings.json's hash."""
    pytest.importorskip("sklearn", reason="scikit-learn (the digits extra) is not installed")
    spec = tmp_path / "small.toml"
    spec.write_text(SMALL)
    folders = [tmp_path / "first", tmp_path / "second"]
    for folder in folders:
        assert main(["build", str(spec), "-o", str(folder), "--epochs", "2", "-q"]) == 0
    first, second = ({p.name: p.read_bytes() for p in folder.iterdir()} for folder in folders)
    assert sorted(first) == sorted(second) and {"weights.npz", "history.json", "timings.json"} <= set(first)
    differ = sorted(name for name in first if first[name] != second[name])
    assert differ in ([MANIFEST, "timings.json"], [MANIFEST]), differ
    manifests = [json.loads(files[MANIFEST]) for files in (first, second)]
    assert {k: v for k, v in manifests[0].items() if k != "timings.json"} == {
        k: v for k, v in manifests[1].items() if k != "timings.json"
    }
    timings = json.loads(first["timings.json"])
    assert set(timings["stages"]) >= {"derive", "verify", "generate", "latex", "train"} and timings["training"] > 0
    assert "seconds" not in first["verification.json"].decode() and "seconds" not in first["history.json"].decode()
