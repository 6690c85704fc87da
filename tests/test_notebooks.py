"""Execute every notebook in notebooks/ with nbclient; any cell error fails the test.

The kernel is ``python3``: jupyter_client starts it with this test run's interpreter
(a kernelspec argv of ``python`` is mapped to ``sys.executable``), so the notebooks
see the same venv and the same simhops checkout as the tests.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _outputs(nb, kind: str) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == kind]


def test_quickstart_notebook_exists():
    assert any(p.name == "01_quickstart.ipynb" for p in NOTEBOOKS), NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path: Path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    assert not _outputs(nb, "error")
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells and all(c.get("execution_count") for c in code_cells)
    if path.name == "01_quickstart.ipynb":
        text = "".join(o.get("text", "") for o in _outputs(nb, "stream"))
        assert "waypoints reached:" in text
        assert any("image/png" in o.get("data", {}) for o in _outputs(nb, "display_data")), \
            "the trajectory plot was not displayed"
