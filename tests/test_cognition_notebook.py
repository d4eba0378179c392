"""The cognition notebook declares its parameters and runs headless in quick mode."""
import pathlib

import pytest

NB = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / "03_cognitive_adaptation.ipynb"


def test_notebook_declares_parameters_and_is_stripped():
    papermill = pytest.importorskip("papermill")
    import nbformat
    params = papermill.inspect_notebook(str(NB))
    assert {"QUICK", "SEED"} <= set(params)
    nb = nbformat.read(str(NB), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")

# Running the notebook (quick mode) and checking its published figures is tests/test_notebooks.py's job.
