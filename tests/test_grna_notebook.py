"""The gRNA notebook declares the papermill parameters (running it is tests/test_notebooks.py's job)."""
from pathlib import Path


NB = Path(__file__).resolve().parent.parent / "notebooks" / "01_grna_design_kinetics.ipynb"


def test_notebook_parameters_and_stripped():
    import nbformat
    import papermill as pm

    params = pm.inspect_notebook(str(NB))
    assert {"QUICK", "SEED"} <= set(params)
    nb = nbformat.read(str(NB), as_version=4)
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert nb.metadata["kernelspec"]["name"] == "python3"
    titles = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert titles[0] == "# gRNA design and Cas9 kinetics"
    assert any(t.startswith("## Limits and responsible use") for t in titles)
