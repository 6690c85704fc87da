"""The house is one-way: import-linter's layers and no-cycles contracts (pyproject.toml) hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    out = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
                         cwd=ROOT, capture_output=True, text=True)
    assert "Contracts: 2 kept, 0 broken." in out.stdout, out.stdout + out.stderr
    assert out.returncode == 0, out.stdout + out.stderr


def test_ground_floor_imports_nothing_above_it():
    """dynamics is importable on its own and pulls in no simulation/env/train module."""
    code = ("import sys, simhops.dynamics.kernels.vector_step, simhops.dynamics.physics.physics_params, "
            "simhops.dynamics.state.drone_state, simhops.scenario.scenario_builder;"
            "bad=[m for m in sys.modules if m.startswith(('simhops.simulation','simhops.envs','simhops.train',"
            "'simhops.evaluation','simhops.viz'))]; print(bad); assert not bad")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
