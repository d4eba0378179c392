"""The BCI notebook declares its parameters; the light-import contract holds."""
import subprocess
import sys
from pathlib import Path

import pytest

NB = Path(__file__).resolve().parent.parent / "notebooks" / "02_bci_signal_chain.ipynb"


def test_notebook_parameters_declared():
    papermill = pytest.importorskip("papermill")
    params = papermill.inspect_notebook(str(NB))
    assert {"QUICK", "SEED", "SUBJECT"} <= set(params)
    assert params["QUICK"]["inferred_type_name"] == "bool" and params["SEED"]["default"] == "0"


def test_notebook_outputs_stripped():
    import nbformat

    nb = nbformat.read(str(NB), as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_import_bci_is_light():
    code = ("import sys, augbench.bci; heavy = [m for m in ('mne', 'torch', 'sklearn', 'panel', 'holoviews', 'xarray') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""

# Running the notebook (quick mode) is tests/test_notebooks.py's job: one run per notebook per suite.
