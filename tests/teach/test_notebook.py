"""examples/derivation.ipynb runs from top to bottom in a Jupyter kernel, its results render as LaTeX, and it is
stored with the outputs it prints now (``python examples/refresh_notebook.py`` updates them)."""

from __future__ import annotations

import pytest
from paths import EXAMPLES

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the test extra: pip install '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra: pip install '.[test]'")

NOTEBOOK = EXAMPLES / "derivation.ipynb"


def _latex_outputs(notebook) -> list[str]:
    return [
        output["data"]["text/latex"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "text/latex" in output.get("data", {})
    ]


@pytest.mark.slow
@pytest.mark.matrix  # with the matrices (.ci/run, after the README's command): 13 s of the README suite's 6 minutes
def test_the_example_notebook_runs_and_renders_latex_and_is_stored_with_these_outputs():
    from jupyter_client.kernelspec import NoSuchKernel

    refresh = _refresh_module()
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert all(cell.get("outputs") for cell in stored.cells if cell.cell_type == "code")  # a reader sees them
    try:
        notebook = refresh.executed(NOTEBOOK)  # raises CellExecutionError on the first cell that fails
    except (NoSuchKernel, nbclient.exceptions.DeadKernelError) as error:
        pytest.skip(f"no Jupyter kernel could be started ({error}); pip install ipykernel")
    assert refresh.shown(notebook) == refresh.shown(stored), (
        "examples/derivation.ipynb is stored with stale outputs: run `python examples/refresh_notebook.py`"
    )
    latex = _latex_outputs(notebook)
    assert len(latex) == 4  # the derived formulas, the report, and two proofs
    formulas, report, sigmoid_bp1, softmax_bp1 = latex
    assert r"\text{BP1:}" in formulas and "{a^{3}_{j}} - {y_{j}}" in formulas
    assert "every applicable closed form holds" in report and r"\text{all widths}" in report
    assert "Chain rule" in sigmoid_bp1 and "cancels the denominator" in sigmoid_bp1
    assert "off-diagonal" in softmax_bp1 and "Jacobian" not in sigmoid_bp1


def _refresh_module():
    """examples/refresh_notebook.py, the notebook's update command, imported from its file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("refresh_notebook", EXAMPLES / "refresh_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
