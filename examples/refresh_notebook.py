"""Run examples/derivation.ipynb in a Jupyter kernel and store it with its outputs, so that a reader of the
repository sees them rendered: ``python examples/refresh_notebook.py`` (``--check``: exit 1 if stale).

tests/teach/test_notebook.py runs it again and fails when the stored outputs are not what it prints now.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parent / "derivation.ipynb"
_TIME = re.compile(r"\d+\.\d+ ?(?:s\b|\\,\\mathrm\{s\}|\\text\{ s\})")


def executed(path: Path = NOTEBOOK):
    """The notebook, run from top to bottom in a fresh kernel (in its own folder)."""
    import nbclient
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return notebook


def shown(notebook) -> list[list[str]]:
    """What each code cell shows, timings blanked (they differ from run to run)."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        texts = []
        for output in cell.outputs:
            data = output.get("data", {})
            for kind in ("text/latex", "text/plain"):
                if kind in data:
                    texts.append(_TIME.sub("T", data[kind]))
                    break
            else:
                texts.append(_TIME.sub("T", output.get("text", "")))
        cells.append(texts)
    return cells


def main(argv: list[str]) -> int:
    import nbformat

    fresh = executed()
    if "--check" in argv:
        stale = shown(fresh) != shown(nbformat.read(NOTEBOOK, as_version=4))
        print(f"{NOTEBOOK.name}: {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    for cell in fresh.cells:
        cell.get("metadata", {}).pop("execution", None)  # no timestamps in the stored file
    nbformat.write(fresh, NOTEBOOK)
    print(f"wrote {NOTEBOOK}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
