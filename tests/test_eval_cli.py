"""The simhops CLI: eval writes its files, replay turns a history into an .rrd."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rrd_utils import read_rrd, rrd_info
from simhops.evaluation.aggregate import ID_COLUMNS
from simhops.evaluation.cli import main
from simhops.simulation.history.history_io import load_history
from simhops.simulation.history.plant_record import PLANT_COLUMNS
from simhops.simulation.metrics.metric_engine import DEFAULT_METRICS


@pytest.fixture(scope="module")
def eval_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("eval")
    rc = main(["eval", "--planner", "classical", "--scenarios", "benchmark-v0", "--limit", "5",
               "--output-dir", str(out), "--rerun"])
    assert rc == 0
    return out


def test_eval_writes_the_files(eval_dir, capsys):
    assert sorted(os.listdir(eval_dir)) == ["eval.rrd", "histories", "manifest.json", "metrics.parquet",
                                            "simulation_log.parquet", "summary.json"]
    df = pd.read_parquet(eval_dir / "metrics.parquet")
    assert list(df.columns) == [*ID_COLUMNS, *DEFAULT_METRICS, *PLANT_COLUMNS]
    names = ["benchmark-v0/figure_eight", "benchmark-v0/helix", "benchmark-v0/random_000", "benchmark-v0/square",
             "benchmark-v0/zigzag"]
    assert list(df["scenario"]) == names  # one row per scenario, sorted
    assert df["run_succeeded"].all() and df["success"].all()
    assert (df["planner"] == "CascadedPIDPlanner").all()
    summary = json.loads((eval_dir / "summary.json").read_text())
    assert summary["n"] == 5 and summary["failed"] == 0 and summary["success_rate"] == 1.0
    assert summary["crash_rate"] == 0.0 and summary["mean_waypoints_reached"] == pytest.approx((5 + 8 + 8 + 4 + 6) / 5)
    assert summary["mean_time_to_complete_s"] == pytest.approx(df["time_to_complete_s"].mean())
    assert summary["backend"] == "sequential" and summary["planner"] == "CascadedPIDPlanner"
    assert summary["complete"] is True and summary["timeouts"] == 0
    manifest = json.loads((eval_dir / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["interrupted_by"] is None
    assert manifest["scenarios"] == {"set": "benchmark-v0", "n": 5, "names": sorted(names, key=lambda n: [
        "benchmark-v0/square", "benchmark-v0/figure_eight", "benchmark-v0/helix", "benchmark-v0/zigzag",
        "benchmark-v0/random_000"].index(n))}
    assert manifest["planner"]["kind"] == "classical" and manifest["planner"]["model"] is None
    assert manifest["simhops_version"] and manifest["n_reports"] == 5 and manifest["n_failed"] == 0
    log = pd.read_parquet(eval_dir / "simulation_log.parquet")
    assert list(log["scenario"]) == names and (log["status"] == "succeeded").all()
    assert (log["outcome"] == "completed").all() and log["error"].isna().all()
    assert len(os.listdir(eval_dir / "histories")) == 5
    ents = read_rrd(eval_dir / "eval.rrd")
    assert all(f"world/{n}/trajectory" in ents for n in names)
    assert rrd_info(eval_dir / "eval.rrd")["footer"]


def test_replay_matches_history(eval_dir, tmp_path, capsys):
    hist_path = eval_dir / "histories" / "benchmark-v0__helix.msgpack"
    out = tmp_path / "helix.rrd"
    assert main(["replay", str(hist_path), "--output", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    history = load_history(hist_path)
    ents = read_rrd(out)
    strip = ents["world/benchmark-v0/helix/trajectory"]["data"]["LineStrips3D:strips"][0][0]
    assert np.array_equal(np.asarray(strip, dtype=np.float32), history.positions.astype(np.float32))
    drone = ents["world/benchmark-v0/helix/drone"]
    # pose rows on sim_time: one per recorded state (the body logged at t = 0 repeats the first pose)
    poses = {}
    for idx, row in zip(drone["index"], drone["data"]["Transform3D:translation"]):
        if row is not None:
            t = pd.Timedelta(idx["sim_time"]).total_seconds()
            assert poses.setdefault(t, row[0]) == row[0]
    assert len(poses) == history.n_rows
    times = sorted(poses)
    assert np.allclose(times, history.time_s - history.time_s[0], atol=1e-9)
    assert np.array_equal(np.asarray([poses[t] for t in times], dtype=np.float32),
                          history.positions.astype(np.float32))
    assert rrd_info(out)["application_id"] == "simhops_replay"


def test_replay_of_bad_file_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.msgpack"
    bad.write_bytes(b"\x01\x02 nope")
    with pytest.raises(SystemExit) as e:
        main(["replay", str(bad)])
    assert e.value.code == 2 and "not a simhops history file" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["eval", "--planner", "policy", "--model", "no/such/model.zip"], "--model"),  # without --model: the shipped policy
    (["eval", "--planner", "classical", "--scenarios", "nowhere"], "unknown scenarios 'nowhere'"),
    (["eval", "--planner", "classical", "--limit", "0"], "argument --limit: must be >= 1"),
    (["eval", "--planner", "classical", "--output-dir"], "expected one argument"),
    (["eval", "--planner", "classical", "--bogus"], "unrecognized arguments: --bogus"),
    (["eval", "--planner", "warp"], "invalid choice"),
])
def test_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_tracks_and_failures_exit_status(tmp_path):
    out = tmp_path / "tracks"
    rc = main(["eval", "--planner", "hover", "--scenarios", "square,helix", "scenario.duration_s=1",
               "--output-dir", str(out), "--no-progress", "--format", "json"])
    assert rc == 0
    df = pd.read_parquet(out / "metrics.parquet")
    assert list(df["scenario"]) == ["helix", "square"] and not df["success"].any()
    assert sorted(os.listdir(out / "histories")) == ["helix.json", "square.json"]


def test_console_script():
    exe = Path(sys.executable).with_name("simhops")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "simhops.evaluation.cli"]
    res = subprocess.run([*cmd, "eval", "--help"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "--backend" in res.stdout and "metrics.parquet" in res.stdout


def _exploding_planner(bad: str):
    from simhops.simulation.planner.waypoint_planner import WaypointPlanner

    class Exploding(WaypointPlanner):
        def initialize(self, initialization):
            if initialization.scenario_name == bad:
                raise ArithmeticError(f"cannot fly {bad}")
            super().initialize(initialization)

    return Exploding()


def test_evaluator_keeps_every_other_scenario(tmp_path):
    from simhops.config import load_config
    from simhops.evaluation.evaluator import Evaluator
    from simhops.scenario.benchmark import build_benchmark

    scs = build_benchmark(cfg=load_config(overrides=["scenario.duration_s=1"]))[:4]
    bad = scs[1].name
    result = Evaluator(_exploding_planner(bad), scs, tmp_path, scenarios_name="four").run()
    df = pd.read_parquet(tmp_path / "metrics.parquet")
    assert list(df["scenario"]) == sorted(s.name for s in scs)
    row = df.set_index("scenario").loc[bad]
    assert not row["run_succeeded"] and np.isnan(row["path_length_m"]) and row["success"] is None
    others = df[df["scenario"] != bad]
    assert others["run_succeeded"].all() and (others["n_steps"] == 50).all()
    log = pd.read_parquet(tmp_path / "simulation_log.parquet").set_index("scenario")
    assert log.loc[bad, "status"] == "failed" and "ArithmeticError: cannot fly" in log.loc[bad, "error"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["failed"] == 1 and summary["n"] == 4 and summary["n_with_metrics"] == 3
    assert summary["scenarios"] == "four"
    assert [r.succeeded for r in result.reports].count(False) == 1


def test_set_is_a_deprecated_alias_of_positional_overrides(tmp_path):
    out = tmp_path / "set"
    with pytest.warns(DeprecationWarning, match="--set KEY=VALUE is deprecated"):
        rc = main(["eval", "--planner", "hover", "--scenarios", "square", "--set", "scenario.duration_s=0.5",
                   "--output-dir", str(out), "--no-progress"])
    assert rc == 0
    assert json.loads((out / "manifest.json").read_text())["config"]["scenario"]["duration_s"] == 0.5
    assert load_history(out / "histories" / "square.msgpack").n_rows == 26
