"""Where the tests find the repository's files: one owner for every path a test reads."""

from __future__ import annotations

from pathlib import Path

#: The repository's top folder.
ROOT = Path(__file__).resolve().parent.parent
#: The example specs (and the notebook).
EXAMPLES = ROOT / "examples"
#: The checked-in generated modules.
GENERATED = ROOT / "generated"
#: The MNIST files of the workplace (CI has them); tests that need them skip with a reason when absent.
SHARED_DATA = ROOT.parent / "shared" / "data"
