"""simhops sweep: grid expansion, Wilson interval, aggregation, and a real 2 x 2 sweep on a local Ray."""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

import pytest
import yaml

from simhops.cli import main
from simhops.sweep import aggregate, expand_grid, parse_axis, parse_seeds, wilson_interval

#: A training of a few thousand steps on 4 envs (a couple of seconds once the kernels are cached).
TINY = ["train.total_timesteps=2048", "train.n_envs=4", "train.n_steps=128", "train.batch_size=256",
        "train.n_epochs=2", "visualization.enabled=false", "scenario.duration_s=5"]


def test_wilson_interval_known_values():
    # Wilson (1927) score interval, z = 1.96; reference values from the closed form evaluated by hand
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    lo, hi = wilson_interval(0, 16)
    assert lo == 0.0 and hi == pytest.approx(1.96**2 / (16 + 1.96**2), abs=1e-12)
    lo3, hi3 = wilson_interval(3, 7)
    lo4, hi4 = wilson_interval(4, 7)
    assert lo3 == pytest.approx(1 - hi4) and hi3 == pytest.approx(1 - lo4)  # symmetric in success <-> failure
    assert wilson_interval(50, 100, z=2.576)[0] < wilson_interval(50, 100)[0]  # wider at 99 %
    for bad in ((1, 0), (-1, 5), (6, 5)):
        with pytest.raises(ValueError, match="successes"):
            wilson_interval(*bad)


def test_parse_axis_seeds_and_grid():
    assert parse_axis("train.net_arch=[64,64],[128, 128]").values == ("[64,64]", "[128, 128]")
    assert parse_axis("train.learning_rate=1e-4,3e-4").values == ("1e-4", "3e-4")
    for bad, msg in (("train.gamma", "expected"), ("train.gamma=0.9,,0.99", "empty"), ("seed=1,2", "--seeds"),
                     ("train.gamma=0.9,0.9", "repeated")):
        with pytest.raises(ValueError, match=msg):
            parse_axis(bad)
    assert parse_seeds("0-2,7") == [0, 1, 2, 7]
    for bad in ("a", "1,1", "-1", ""):
        with pytest.raises(ValueError, match="--seeds"):
            parse_seeds(bad)
    runs = expand_grid([parse_axis("train.gamma=0.98,0.99"), parse_axis("env.action_mode=ctbr,motor")], [3, 4],
                       ["train.n_envs=2"], root="sw")
    assert len(runs) == 8 and len({r.name for r in runs}) == 8 and len({r.output_dir for r in runs}) == 8
    assert {r.point_label for r in runs} == {f"train.gamma={g} env.action_mode={m}"
                                             for g in ("0.98", "0.99") for m in ("ctbr", "motor")}
    assert runs[5].overrides == ("train.n_envs=2", "train.gamma=0.99", "env.action_mode=ctbr", "seed=4",
                                 f"output_dir={Path('sw') / 'runs' / runs[5].name}")
    with pytest.raises(ValueError, match="repeated"):
        expand_grid([parse_axis("train.gamma=0.9"), parse_axis("train.gamma=0.8")], [0])


def _record(point, seed, success, n=10, waypoints=1.0, error=None):
    ev = None if error else {"n_episodes": n, "success_rate": success, "mean_waypoints_reached": waypoints,
                             "mean_return": 10 * success, "crash_rate": 1 - success}
    return {"point": point, "seed": seed, "error": error, "evaluation": ev, "wall_time_s": 2.0, "fps": 100.0}


def test_aggregate_over_seeds():
    records = [_record("a", 0, 0.8, waypoints=3.0), _record("a", 1, 0.6, waypoints=2.0), _record("a", 2, 0, error="boom"),
               _record("b", 0, 0.5, n=4)]
    a, b = aggregate(records)
    assert (a["point"], a["runs"], a["failed"], a["seeds"]) == ("a", 3, 1, "0 1")
    assert a["success_rate_mean"] == pytest.approx(0.7) and a["success_rate_std"] == pytest.approx(statistics.stdev([0.8, 0.6]))
    assert a["mean_waypoints_reached_mean"] == pytest.approx(2.5) and a["crash_rate_mean"] == pytest.approx(0.3)
    assert (a["successes"], a["episodes"]) == (14, 20)
    assert (a["success_ci_low"], a["success_ci_high"]) == pytest.approx(wilson_interval(14, 20))
    assert b["runs"] == 1 and b["success_rate_std"] is None and (b["successes"], b["episodes"]) == (2, 4)
    (c,) = aggregate([_record("c", 0, 0, error="boom")])
    assert c["success_rate_mean"] is None and c["success_ci_low"] is None and c["failed"] == 1


def test_sweep_2x2_on_local_ray(tmp_path, capsys):
    """2 learning rates x 2 seeds of tiny trainings, one Ray task each, aggregated into one table."""
    pytest.importorskip("ray")
    out = tmp_path / "sweep"
    rc = main(["sweep", "--seeds", "0,1", "--grid", "train.learning_rate=1e-4,3e-4", "--output-dir", str(out),
               "--eval-episodes", "8", "--num-cpus", "2", *TINY])
    printed = capsys.readouterr().out
    assert rc == 0, printed
    assert "4 runs (2 grid points x 2 seeds) on ray" in printed and "Wilson" in printed
    records = json.loads((out / "runs.json").read_text())
    assert [r["index"] for r in records] == [0, 1, 2, 3] and all(r["error"] is None for r in records)
    dirs = {Path(r["output_dir"]) for r in records}
    assert len(dirs) == 4 and all(d.parent == out / "runs" for d in dirs)
    for r in records:  # each task trained with its own seed and grid value, in its own folder
        cfg = yaml.safe_load((Path(r["output_dir"]) / "config.yaml").read_text())
        assert cfg["seed"] == r["seed"] and f"train.learning_rate={cfg['train']['learning_rate']:.0e}".replace(
            "e-0", "e-") == r["point"]
        assert cfg["train"]["total_timesteps"] == 2048 and cfg["train"]["progress_bar"] is False
        assert (Path(r["output_dir"]) / "model.zip").is_file()
        assert r["evaluation"]["n_episodes"] == 8 and r["total_timesteps"] >= 2048
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seeds"] == [0, 1] and summary["grid"] == {"train.learning_rate": ["1e-4", "3e-4"]}
    with open(out / "summary.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["point"] for r in rows] == [r["point"] for r in summary["rows"]] == \
        ["train.learning_rate=1e-4", "train.learning_rate=3e-4"]
    for row in summary["rows"]:
        mine = [r["evaluation"] for r in records if r["point"] == row["point"]]
        assert row["runs"] == 2 and row["failed"] == 0 and row["episodes"] == 16
        assert row["success_rate_mean"] == pytest.approx(statistics.fmean(e["success_rate"] for e in mine))
        assert row["mean_return_std"] == pytest.approx(statistics.stdev(e["mean_return"] for e in mine))
        assert row["success_ci_low"] <= row["successes"] / 16 <= row["success_ci_high"]
    assert not list(out.glob(".*.tmp"))  # atomic writes left no temp files


def test_sweep_failed_run_is_recorded_and_exit_1(tmp_path, capsys, monkeypatch):
    import simhops.train.trainer as trainer

    real_train = trainer.train

    def train_failing_seed0(cfg, eval_episodes=100):
        if cfg.seed == 0:
            raise FileExistsError("injected: run 0 fails after its config was validated")
        return real_train(cfg, eval_episodes=eval_episodes)

    monkeypatch.setattr(trainer, "train", train_failing_seed0)
    out = tmp_path / "sweep"
    rc = main(["sweep", "--backend", "sequential", "--seeds", "0,1", "--output-dir", str(out), "--eval-episodes", "2",
               *TINY])
    assert rc == 1
    r0, r1 = json.loads((out / "runs.json").read_text())
    assert r0["error"] and "FileExistsError" in r0["error"] and r0["evaluation"] is None
    assert r1["error"] is None and r1["evaluation"]["n_episodes"] == 2
    (row,) = json.loads((out / "summary.json").read_text())["rows"]
    assert (row["point"], row["runs"], row["failed"], row["seeds"], row["episodes"]) == ("default", 2, 1, "1", 2)
    assert "FAILED" in capsys.readouterr().out


def test_sweep_bad_input_exits_2_before_running(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "--grid", "train.n_envz=1,2", "--output-dir", str(out)]) == 2
    assert "train.n_envz" in capsys.readouterr().err and not out.exists()
    assert main(["sweep", "--seeds", "x", "--output-dir", str(out)]) == 2
    assert "--seeds" in capsys.readouterr().err
    assert main(["sweep", "--dry-run", "--seeds", "0-2", "--output-dir", str(out), "train.gamma=0.98"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all("train.gamma=0.98" in ln and "seed=" in ln for ln in lines) and not out.exists()
