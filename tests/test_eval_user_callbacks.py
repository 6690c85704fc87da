"""`simhops eval` runs the config's user callbacks (``callbacks.simulation_callbacks`` ``{target, args}``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simhops.evaluation.cli import main
from simhops.simulation.callback.abstract_callback import AbstractCallback


class EndCounter(AbstractCallback):
    """Appends one line per finished simulation to ``path``."""

    def __init__(self, path: str, tag: str = "end") -> None:
        self.path = path
        self.tag = tag

    def on_simulation_end(self, setup, planner, history) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(f"{self.tag} {setup.scenario.name} {len(history)}\n")


def _cfg(tmp_path: Path, entry) -> Path:
    f = tmp_path / "cfg.yaml"
    f.write_text(yaml.safe_dump({"callbacks": {"simulation_callbacks": ["metric", entry]}}))
    return f


def test_eval_runs_user_callbacks_from_config(tmp_path):
    log = tmp_path / "ends.txt"
    cfg = _cfg(tmp_path, {"target": "tests.test_eval_user_callbacks.EndCounter", "args": {"path": str(log),
                                                                                         "tag": "x"}})
    rc = main(["eval", "--planner", "hover", "--scenarios", "benchmark-v0", "--limit", "3", "--config", str(cfg),
               "scenario.duration_s=0.5", "--output-dir", str(tmp_path / "out"), "--no-progress"])
    assert rc == 0
    lines = log.read_text().splitlines()
    assert len(lines) == 3 and all(line.startswith("x benchmark-v0/") for line in lines)


def test_eval_refuses_a_bad_user_callback(tmp_path, capsys):
    cfg = _cfg(tmp_path, {"target": "tests.test_eval_user_callbacks.NoSuchClass", "args": {}})
    with pytest.raises(SystemExit) as exc:
        main(["eval", "--planner", "hover", "--limit", "1", "--config", str(cfg), "--output-dir",
              str(tmp_path / "out"), "--no-progress"])
    assert exc.value.code == 2
    assert "callbacks.simulation_callbacks[1]" in capsys.readouterr().err
