"""The README's Python session is real: its examples run and print what it shows."""

from __future__ import annotations

import doctest
import re

from paths import ROOT


def test_the_readme_python_session_runs_as_shown():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert blocks, "the README has a Python session"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, {}, f"README.md python block {number}", "README.md", 0)
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 10, runner.summarize()
