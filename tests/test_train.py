"""train.py end to end: files, config errors, and the Rerun recording read back."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rrd_utils import read_rrd, rrd_info

ROOT = Path(__file__).resolve().parents[1]

UPDATE_ENTITIES = [
    "progress/mean_reward", "progress/mean_length", "progress/success_rate", "progress/waypoints_per_episode",
    "progress/crash_rate",
    "losses/policy_loss", "losses/value_loss", "losses/entropy_loss",
    "ppo/approx_kl", "ppo/clip_fraction", "ppo/explained_variance",
]
SNAPSHOT_ENTITIES = ["world/snapshot/trajectory", "world/snapshot/waypoints", "world/snapshot/drone",
                     "snapshot/summary"]


def _run(args, cwd):
    return subprocess.run([sys.executable, str(ROOT / "train.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def test_train_smoke_writes_model_config_and_recording(tmp_path):
    out = tmp_path / "run"
    proc = _run(["train.total_timesteps=20000", f"output_dir={out}", "callbacks.snapshot_freq_updates=1",
                 "callbacks.simulation_callbacks=[metric]", "train.env_overlay={}",
                 "train.progress_bar=false", "--eval-episodes", "4"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("model.zip", "config.yaml", "train.rrd", "train_summary.json"):
        assert (out / name).is_file(), name
    cfg = yaml.safe_load((out / "config.yaml").read_text())
    assert cfg["train"]["total_timesteps"] == 20000 and cfg["callbacks"]["snapshot_freq_updates"] == 1
    info = rrd_info(out / "train.rrd")
    assert info["footer"], info["warnings"]
    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["complete"] is True and summary["stop_signal"] is None
    assert summary["total_timesteps"] >= 20000 and summary["evaluation"]["n_episodes"] == 4
    header = (out / "logs" / "progress.csv").read_text().splitlines()[0].split(",")
    for key in ("rollout/success_rate", "rollout/waypoints_per_episode", "rollout/crash_rate", "sim/success",
                "train/value_loss"):
        assert key in header, key
    # the console: a short line every print_freq_updates updates, not one per episode
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("[simhops]")]
    n_updates = -(-20000 // (256 * 64))
    assert len(lines) == -(-n_updates // 10), proc.stdout[-2000:]
    ents = read_rrd(out / "train.rrd")
    n_updates = None
    for path in UPDATE_ENTITIES:
        assert path in ents, f"missing {path}"
        updates = ents[path]["timelines"]["ppo_update"]
        n_updates = n_updates or len(updates)
        assert updates == list(range(1, n_updates + 1)) and n_updates >= 2, path
        assert all(math.isfinite(v) for v in ents[path]["scalars"]), path
    for path in SNAPSHOT_ENTITIES:
        assert path in ents, f"missing {path}"
        assert ents[path]["timelines"].get("snapshot"), path
        assert ents[path]["timelines"].get("ppo_update"), f"{path} should be stamped with ppo_update"
        assert ents[path]["timelines"].get("sim_time"), f"{path} should be stamped with sim_time"
    strips = ents["world/snapshot/trajectory"]["data"]["LineStrips3D:strips"]
    points = [p for row in strips if row for strip in row for p in strip]
    assert points and all(math.isfinite(c) for p in points for c in p)


def test_train_rejects_bad_config_key(tmp_path):
    proc = _run(["train.n_envz=3", f"output_dir={tmp_path}"], tmp_path)
    assert proc.returncode == 2
    assert "train.n_envz" in proc.stderr


def test_train_rejects_bad_config_value(tmp_path):
    proc = _run(["train.n_envs=0", f"output_dir={tmp_path}"], tmp_path)
    assert proc.returncode == 2
    assert "train.n_envs" in proc.stderr and ">= 1" in proc.stderr


@pytest.mark.slow
def test_default_training_budget_learns(tmp_path):
    """A shortened default run (2M steps) already reaches a useful success rate on fresh courses."""
    out = tmp_path / "run"
    proc = _run(["train.total_timesteps=2000000", f"output_dir={out}", "train.progress_bar=false",
                 "--eval-episodes", "100"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["evaluation"]["success_rate"] >= 0.3, summary
