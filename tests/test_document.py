"""The LaTeX printer and the derivation document, compiled by a real LaTeX engine and read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

from symbackprop import document, load_spec, make_spec
from symbackprop.cli import main
from symbackprop.latex import latex

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
needs_engine = pytest.mark.skipif(
    document.engine() is None or shutil.which("pdftotext") is None,
    reason=f"no LaTeX engine or pdftotext installed (apt-get install {document.ENGINE_PACKAGES} poppler-utils)",
)


def test_printer_writes_components_as_the_texts_do():
    j, k = sp.symbols("j k", integer=True)
    assert latex(sp.IndexedBase("W^2")[j, k]) == "{W^{2}_{jk}}"
    assert latex(sp.IndexedBase("delta^(3)")[j]) == r"{\delta^{(3)}_{j}}"
    assert latex(sp.Function("f^2'")(sp.Symbol("z"))) == r"f^{2\prime}\left(z\right)"
    assert latex(sp.IndexedBase("a^1")[j] ** 2) == "{a^{1}_{j}}^{2}"


def _pdf_text(tex: str, folder: Path) -> str:
    path = folder / "doc.tex"
    path.write_text(tex)
    pdf = document.compile_pdf(path)
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


CASES = [
    ("notes", "nielsen", "sigmoid"),
    ("nielsen_ch3", "nielsen", "cross"),
    ("ufldl_qa", "ufldl", "ufldl"),
    ("blog", "blog", "blog"),
    ("softmax", "nielsen", "softmax"),
]


@needs_engine
@pytest.mark.parametrize(("example", "notation", "word"), CASES)
def test_document_compiles_and_reads_back(example, notation, word, tmp_path):
    spec = load_spec(EXAMPLES / f"{example}.toml")
    text = _pdf_text(document.render(spec, notation), tmp_path)
    for heading in ("The network", "Forward pass", "Cost", "BP1", "BP2", "BP3", "BP4", "Verification"):
        assert heading in text
    assert "Every applicable closed form holds" in text
    assert word in text


@needs_engine
@pytest.mark.parametrize("notation", ["nielsen", "blog", "ufldl"])
def test_every_notation_compiles(notation, tmp_path):
    spec = make_spec(
        layers=[2, 3, 2], activation="tanh", output="sigmoid", cost="cross_entropy", regularization={"l2": 0.5}
    )
    text = _pdf_text(document.render(spec, notation), tmp_path)
    assert f"{notation} notation" in text


@pytest.mark.slow
@needs_engine
def test_custom_activation_document_compiles(tmp_path):
    text = _pdf_text(document.render(load_spec(EXAMPLES / "swish.toml")), tmp_path)
    assert "swish" in text


def test_pdf_without_engine_names_what_to_install_and_keeps_the_tex(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(document, "engine", lambda: None)
    out = tmp_path / "notes.tex"
    assert main(["latex", str(EXAMPLES / "notes.toml"), "-o", str(out), "--pdf"]) == 2
    assert "texlive-latex-base" in capsys.readouterr().err
    assert out.read_text().startswith(r"\documentclass")
    assert not out.with_suffix(".pdf").exists()


def test_latex_refuses_to_overwrite_an_edited_document(tmp_path, capsys):
    out = tmp_path / "notes.tex"
    assert main(["latex", str(EXAMPLES / "notes.toml"), "-o", str(out)]) == 0
    out.write_text(out.read_text() + "% my notes\n")
    assert main(["latex", str(EXAMPLES / "notes.toml"), "-o", str(out)]) == 2
    assert out.read_text().endswith("% my notes\n")


def test_derive_latex_prints_the_document(capsys):
    assert main(["derive", str(EXAMPLES / "notes.toml"), "--latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(r"\documentclass") and out.rstrip().endswith(r"\end{document}")
