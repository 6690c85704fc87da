"""The pretrained policy shipped in simhops/policies/default: loads, and flies the square track by default."""

from __future__ import annotations

import json

import pytest

from simhops.config import load_config
from simhops.evaluation.cli import main
from simhops.policies import policy_model_path

pytest.importorskip("stable_baselines3")


def test_shipped_policy_files_and_config():
    path = policy_model_path()
    assert path.stat().st_size > 10_000
    cfg = load_config(path.parent / "config.yaml")  # the training config validates under this build's schema
    assert cfg.env.action_mode == "ctbr" and cfg.env.n_obs_waypoints == 2
    assert (path.parent / "CARD.md").is_file()
    with pytest.raises(FileNotFoundError, match="no shipped policy"):
        policy_model_path("no_such_policy")


def test_eval_policy_without_model_flies_the_square(tmp_path):
    """``simhops eval --planner policy`` with no --model uses the shipped policy; it completes the
    square track (5 waypoints) without a crash (it achieves 100 %, ~7.2 s, max tilt ~0.87 rad)."""
    out = tmp_path / "eval"
    rc = main(["eval", "--planner", "policy", "--scenarios", "square", "--output-dir", str(out)])
    assert rc == 0
    summary = json.loads((out / "summary.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["planner"]["model"]["path"] == str(policy_model_path())
    assert summary["n"] == 1 and summary["success_rate"] == 1.0 and summary["crash_rate"] == 0.0
    assert summary["mean_waypoints_reached"] == 5
    assert summary["mean_time_to_complete_s"] < 10.0
    assert summary["mean_max_tilt_rad"] < 1.2
