"""Execute every notebook in notebooks/ with nbclient and check what each one printed and showed.

The kernel is ``python3``: jupyter_client starts it with this test run's interpreter
(a kernelspec argv of ``python`` is mapped to ``sys.executable``), so the notebooks
see the same venv and the same simhops checkout as the tests. Any cell error fails the test;
every code cell must have run; then per notebook the expected outputs are checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
EXPECTED = {"01_quickstart.ipynb", "02_train_and_evaluate.ipynb", "03_recordings.ipynb"}


def _outputs(nb, kind: str) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == kind]


def _text(nb) -> str:
    return "".join(o.get("text", "") for o in _outputs(nb, "stream"))


def _images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for o in _outputs(nb, "display_data"))


def test_the_notebooks_exist():
    assert EXPECTED <= {p.name for p in NOTEBOOKS}, NOTEBOOKS


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def executed(request):
    path: Path = request.param
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    return path.name, nb


def test_notebook_ran_and_showed_its_results(executed):
    name, nb = executed
    assert not _outputs(nb, "error")
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells and all(c.get("execution_count") for c in code_cells)
    text = _text(nb)
    if name == "01_quickstart.ipynb":
        assert "waypoints reached:" in text
        assert _images(nb) >= 1, "the trajectory plot was not displayed"
    elif name == "02_train_and_evaluate.ipynb":
        _check_train_and_evaluate(nb, text)
    elif name == "03_recordings.ipynb":
        _check_recordings(nb, text)


def _check_train_and_evaluate(nb, text: str) -> None:
    assert "train exit status: 0" in text
    files = re.search(r"files: \[(.*)\]", text).group(1)
    assert "'model.zip'" in files and "'config.yaml'" in files and "'train_summary.json'" in files
    steps = int(re.search(r"trained (\d+) env steps", text).group(1))
    assert steps >= 30000
    assert "classical eval exit status: 0" in text and "policy eval exit status: 0" in text
    assert "classical: success 100%, crash 0%" in text and "on 10 courses" in text  # the baseline flies them all
    policy = re.search(r"policy: success (\d+)%, crash (\d+)%, mean waypoints ([\d.]+) on 10 courses", text)
    assert policy and 0 <= int(policy.group(1)) <= 100
    tables = [o["data"]["text/html"] for o in _outputs(nb, "execute_result") if "text/html" in o.get("data", {})]
    assert tables and "waypoints_reached" in tables[-1] and "classical" in tables[-1] and "policy" in tables[-1]
    assert "plotted 10 courses" in text and _images(nb) >= 1


def _check_recordings(nb, text: str) -> None:
    assert re.search(r"episode \S+: \d+ rows, \d/\d waypoints, success=True", text)
    size_kib = int(re.search(r"wrote episode\.rrd: (\d+) KiB", text).group(1))
    assert size_kib > 0
    assert "replay exit status: 0" in text
    for rrd in ("episode.rrd", "replay.rrd"):
        m = re.search(rf"{rrd}: (\d+) entities, e\.g\. \['(\S+)'", text)
        assert m and int(m.group(1)) > 0 and m.group(2).endswith("/trajectory"), rrd
        assert re.search(rf"^rerun \S+/{rrd}$", text, re.M), rrd
    m = re.search(r"rendered frame: \((\d+), (\d+), 3\) uint8", text)
    assert m and (int(m.group(1)), int(m.group(2))) == (240, 320), "the rgb_array frame (default 320x240)"
    assert _images(nb) >= 1, "the rendered frame was not displayed"
