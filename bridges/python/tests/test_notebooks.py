"""The example notebooks run top to bottom (nbclient); a failing cell fails the test."""
from pathlib import Path

import nbclient  # test dependencies ([test] extras): missing, they fail the collection instead of skipping
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[3] / "examples" / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_an_example_notebook_runs_every_cell_without_error(path, monkeypatch):
    monkeypatch.delenv("CRUCIAL_DSO", raising=False)  # the notebook starts its own node, as a user's would
    monkeypatch.setenv("CRUCIAL_PROGRESSBAR", "0")
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
