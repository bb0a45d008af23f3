"""Where the tests find the repository's files: one owner for every path a test reads."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository's top folder.
ROOT = Path(__file__).resolve().parent.parent
#: The example specs (and the notebook).
EXAMPLES = ROOT / "examples"
#: The checked-in generated modules.
GENERATED = ROOT / "generated"
#: A folder of the four MNIST IDX files: $SYMBACKPROP_MNIST, else ../shared/data beside the clone (CI has them);
#: tests that need them skip with a reason when absent.
SHARED_DATA = Path(os.environ.get("SYMBACKPROP_MNIST") or ROOT.parent / "shared" / "data")
