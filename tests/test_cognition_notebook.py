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


@pytest.mark.slow
def test_notebook_runs_quick(tmp_path):
    papermill = pytest.importorskip("papermill")
    from augbench.notebook import read_metrics
    out = tmp_path / "03.ipynb"
    papermill.execute_notebook(str(NB), str(out), parameters={"QUICK": True}, cwd=str(NB.parent),
                               progress_bar=False)
    m = read_metrics(out)
    assert m["questplus_same_choices"] > 0 or m["questplus_speed_ratio"] is None
    assert abs(m["converged_pc_1up2down"] - 0.707) < 0.02
    assert m["digits_heldout_accuracy"] > 0.95
