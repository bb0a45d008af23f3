"""docs/tutorial.md is real: each command of its console blocks and each line of its Python session runs, in
order, in one folder, and prints what the page shows (times aside; `…` marks lines the page leaves out)."""

from __future__ import annotations

import doctest
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
from paths import ROOT

TUTORIAL = ROOT / "docs" / "tutorial.md"
_TIME = re.compile(r"\d+\.\d+ ?s\b")


def _normal(line: str) -> str:
    """A line with its timings blanked and its trailing spaces dropped."""
    return _TIME.sub("T", line).rstrip()


def _console_steps(text: str) -> list[tuple[str, list[str]]]:
    """(command, the output lines shown after it) for every ``$ `` line of the console blocks."""
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"^```console\n(.*?)^```", text, flags=re.S | re.M):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
    return steps


@pytest.mark.skipif(sys.platform != "linux", reason="the tutorial's shell commands are run as on Linux")
def test_the_tutorial_runs_as_shown(tmp_path, monkeypatch):
    text = TUTORIAL.read_text(encoding="utf-8")
    steps = _console_steps(text)
    assert len(steps) >= 6
    for command, shown in steps:
        words = shlex.split(command)
        assert words[0] == "symbackprop", command
        if "--pdf" in words and not (shutil.which("latexmk") or shutil.which("pdflatex")):
            words.remove("--pdf")
            shown = [line for line in shown if ".pdf" not in line]
        run = subprocess.run(
            [sys.executable, "-m", "symbackprop", *words[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        printed = {_normal(line) for line in (run.stdout + run.stderr).splitlines()}
        for line in shown:
            if line.strip() and line.strip() != "…":
                assert _normal(line) in printed, f"{command}: the page shows\n{line}\nbut it printed\n{run.stdout}"
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs: dict = {}
    for number, block in enumerate(re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)):
        test = parser.get_doctest(block, globs, f"tutorial python block {number}", str(TUTORIAL), 0)
        runner.run(test, clear_globs=False)
        globs = test.globs  # one session: the second block uses the first's names
    assert runner.failures == 0 and runner.tries >= 10, runner.summarize()
