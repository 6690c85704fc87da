"""SnapshotRerunCallback with SB3 PPO on a tiny WaypointsEnv config; the .rrd is read back."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest
from rrd_utils import all_finite, read_rrd, rrd_info, scalar_series
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.vec_env import DummyVecEnv, VecMonitor

from simhops.config import load_config
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.simulation.history.simulation_history import SimulationHistory
from simhops.train.callbacks.snapshot_rerun_callback import LOSS_KEYS, PROGRESS_PATHS, SnapshotRerunCallback
from simhops.train.snapshot_rollout import run_snapshot_episode

N_STEPS = 32
N_ENVS = 2
N_UPDATES = 5
EP_STEPS = 20  # scenario.duration_s=0.4 at 50 Hz

CFG = load_config(overrides=["scenario.duration_s=0.4"])
make_env = partial(WaypointsEnv, CFG, history_in_info=True)


def _model(n_envs: int = N_ENVS) -> PPO:
    vec_env = VecMonitor(DummyVecEnv([partial(WaypointsEnv, CFG)] * n_envs),
                         info_keywords=("waypoints_reached", "is_success", "crash"))
    return PPO("MlpPolicy", vec_env, n_steps=N_STEPS, batch_size=32, n_epochs=1, seed=0, verbose=0, device="cpu")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("snap") / "train.rrd"
    model = _model()
    cb = SnapshotRerunCallback(make_env=make_env, output_path=out, snapshot_freq_updates=1, snapshot_max_steps=50,
                               rolling_window=10, snapshot_seed=3, snapshot_courses=2, flush_every_updates=2,
                               strict=True)
    model.learn(total_timesteps=N_STEPS * N_ENVS * N_UPDATES, callback=cb)
    return out, cb


def test_counts(trained) -> None:
    _, cb = trained
    assert cb.n_updates == N_UPDATES
    assert cb.n_snapshots == N_UPDATES
    assert cb.n_episodes >= (N_STEPS * N_ENVS * N_UPDATES) // EP_STEPS - N_ENVS
    assert cb.viz is not None and cb.viz.closed


def test_file_complete_with_blueprint(trained) -> None:
    out, _ = trained
    info = rrd_info(out)
    assert info["footer"], info["warnings"]
    assert info["recordings"] == 1 and info["blueprints"] == 1
    assert info["blueprint_application_ids"] == [info["application_id"]]


def test_one_finite_row_per_update_in_few_chunks(trained) -> None:
    out, _ = trained
    ents = read_rrd(out)
    for path in (*PROGRESS_PATHS, *LOSS_KEYS):
        assert path in ents, f"{path} missing; have {sorted(ents)}"
        e = ents[path]
        series = scalar_series(e, "ppo_update")
        assert [t for t, _ in series] == list(range(1, N_UPDATES + 1)), (path, series)
        assert all_finite([v for _, v in series]), (path, series)
        assert "snapshot" not in e["timelines"], f"{path} carries the snapshot timeline"
        assert e["static"].get("SeriesLines:names"), path
    sr = [v for _, v in scalar_series(ents["progress/success_rate"], "ppo_update")]
    assert all(0.0 <= v <= 1.0 for v in sr)
    ml = [v for _, v in scalar_series(ents["progress/mean_length"], "ppo_update")]
    assert all(1.0 <= v <= EP_STEPS for v in ml)


def test_rows_are_sent_in_batches(trained) -> None:
    """flush_every_updates=2 over 5 updates: 3 column batches (2 + 2 + 1 rows), not 5 single rows."""
    from rerun.chunk import RrdReader

    out, _ = trained
    chunks = [c for c in RrdReader(str(out)).stream() if c.entity_path.lstrip("/") == "losses/value_loss"
              and not c.is_static]
    assert sorted(c.num_rows for c in chunks) == [1, 2, 2]


def test_snapshots_on_fixed_courses_with_animated_drone(trained) -> None:
    out, cb = trained
    ents = read_rrd(out)
    for path in ("world/snapshot/trajectory", "world/snapshot/waypoints", "snapshot/summary"):
        e = ents[path]
        assert sorted(set(e["timelines"]["snapshot"])) == list(range(N_UPDATES)), path
        assert sorted({row["ppo_update"] for row in e["index"]}) == list(range(1, N_UPDATES + 1)), path
    # fixed courses: snapshots 0, 2, 4 fly seed 3, snapshots 1, 3 seed 4 -> the same waypoints
    wp_rows = ents["world/snapshot/waypoints"]
    first_at = {}
    for idx, pos in zip(wp_rows["index"], wp_rows["data"]["Points3D:positions"]):
        first_at.setdefault(idx["snapshot"], np.asarray(pos))
    np.testing.assert_array_equal(first_at[0], first_at[2])
    np.testing.assert_array_equal(first_at[1], first_at[3])
    assert not np.array_equal(first_at[0], first_at[1])
    labels = wp_rows["data"]["Points3D:labels"][0]
    assert labels[0].startswith("wp1")
    # the drone moves along sim_time in every snapshot (several poses, not only the final one)
    drone = ents["world/snapshot/drone"]
    per_snapshot: dict[int, list] = {}
    for idx, tr in zip(drone["index"], drone["data"]["Transform3D:translation"]):
        per_snapshot.setdefault(idx["snapshot"], []).append((pd.Timedelta(idx["sim_time"]).total_seconds(), tr[0]))
    assert sorted(per_snapshot) == list(range(N_UPDATES))
    for rows in per_snapshot.values():
        assert len(rows) >= 2 and rows[0][0] == 0.0
    body = ents["world/snapshot/drone/body"]
    assert body["static_rows"] == 1 and {"Boxes3D", "LineStrips3D", "Ellipsoids3D", "Arrows3D"} <= body["archetypes"]
    assert ents["world/dome"]["static_rows"] == 1 and ents["world/ground"]["static_rows"] == 1
    strip = ents["world/snapshot/trajectory"]["data"]["LineStrips3D:strips"][0][0]
    start = ents["world/snapshot/trajectory"]["data"]["Points3D:positions"][0][0]
    np.testing.assert_allclose(strip[0], CFG.scenario.start_position_m, atol=1e-6)
    np.testing.assert_allclose(start, CFG.scenario.start_position_m, atol=1e-6)
    texts = ents["snapshot/summary"]["texts"]
    assert len(texts) == N_UPDATES
    assert "PPO update | 1 |" in texts[0] and "waypoints reached" in texts[0] and "course seed | 3 |" in texts[0]


def test_snapshot_rollout_returns_history_and_respects_the_cap() -> None:
    model = _model(1)
    env = make_env()
    full = run_snapshot_episode(model, env, seed=0, max_steps=1000)
    assert isinstance(full.history, SimulationHistory) and full.end in ("terminated", "truncated")
    assert len(full.history) == full.steps
    capped = run_snapshot_episode(model, env, seed=0, max_steps=3)
    assert capped.steps == 3 and capped.end == "capped" and len(capped.history) == 3
    assert full.steps > 3
    with pytest.raises(ValueError, match="max_steps"):
        run_snapshot_episode(model, env, seed=0, max_steps=0)


def test_snapshot_errors_become_warnings(tmp_path) -> None:
    def broken_env():
        raise RuntimeError("no env for you")

    model = _model(1)
    cb = SnapshotRerunCallback(broken_env, tmp_path / "t.rrd", snapshot_freq_updates=1)
    with pytest.warns(RuntimeWarning, match="no env for you"):
        model.learn(total_timesteps=N_STEPS * 2, callback=cb)
    ents = read_rrd(tmp_path / "t.rrd")
    assert [t for t, _ in scalar_series(ents["losses/value_loss"], "ppo_update")] == [1, 2]
    assert "world/snapshot/trajectory" not in ents


def test_log_interval_does_not_drop_losses(tmp_path) -> None:
    """Rows do not depend on log_interval (logger.dump() clears name_to_value only every 2nd rollout)."""
    model = _model(1)
    cb = SnapshotRerunCallback(make_env, tmp_path / "t.rrd", snapshot_freq_updates=2, log_aggregated_metrics=False,
                               strict=True)
    model.learn(total_timesteps=N_STEPS * 3, callback=cb, log_interval=2)
    ents = read_rrd(tmp_path / "t.rrd")
    for path in LOSS_KEYS:
        assert [t for t, _ in scalar_series(ents[path], "ppo_update")] == [1, 2, 3], path
    assert not any(p.startswith("progress/") for p in ents)
    assert set(ents["snapshot/summary"]["timelines"]["snapshot"]) == {0}
    assert {row["ppo_update"] for row in ents["snapshot/summary"]["index"]} == {2}


class _DumpOnRolloutStart(BaseCallback):
    """A foreign callback that dumps (clears) the SB3 logger before ours runs."""

    def _on_rollout_start(self) -> None:
        self.logger.dump(self.num_timesteps)

    def _on_step(self) -> bool:
        return True


def test_losses_survive_a_foreign_dump(tmp_path) -> None:
    """name_to_value cleared between train() and our hook: the KVWriter tap supplies the values."""
    model = _model(1)
    cb = SnapshotRerunCallback(make_env, tmp_path / "t.rrd", snapshot_freq_updates=0, strict=True)
    model.learn(total_timesteps=N_STEPS * 3, callback=CallbackList([_DumpOnRolloutStart(), cb]))
    ents = read_rrd(tmp_path / "t.rrd")
    for path in LOSS_KEYS:
        assert [t for t, _ in scalar_series(ents[path], "ppo_update")] == [1, 2, 3], path
    # the three value-loss rows are three different train() results, not one stale copy
    assert len({v for _, v in scalar_series(ents["losses/value_loss"], "ppo_update")}) == 3
    assert not any(p.startswith("world/snapshot") for p in ents)


def test_second_learn_and_restored_state_continue_one_recording(tmp_path) -> None:
    model = _model(1)
    cb = SnapshotRerunCallback(make_env, tmp_path / "train.rrd", snapshot_freq_updates=2, strict=True)
    model.learn(total_timesteps=N_STEPS * 2, callback=cb)
    rid = rrd_info(tmp_path / "train.rrd")["recording_id"]
    state = cb.state_dict()
    model.learn(total_timesteps=N_STEPS * 2, callback=cb, reset_num_timesteps=False)
    ents = read_rrd(tmp_path / "train.rrd")
    assert rrd_info(tmp_path / "train.rrd")["recording_id"] == rid
    assert [t for t, _ in scalar_series(ents["losses/value_loss"], "ppo_update")] == [1, 2, 3, 4]
    assert sorted(set(ents["snapshot/summary"]["timelines"]["snapshot"])) == [0, 1]
    # a fresh callback restored from the state after 2 updates continues the same recording (resume)
    cb2 = SnapshotRerunCallback(make_env, tmp_path / "resumed.rrd", snapshot_freq_updates=2, strict=True)
    cb2.load_state_dict(state)
    model.learn(total_timesteps=N_STEPS * 2, callback=cb2, reset_num_timesteps=False)
    ents2 = read_rrd(tmp_path / "resumed.rrd")
    assert rrd_info(tmp_path / "resumed.rrd")["recording_id"] == rid
    assert [t for t, _ in scalar_series(ents2["losses/value_loss"], "ppo_update")] == [1, 2, 3, 4]
    assert cb2.n_snapshots == 2
    with pytest.raises(ValueError, match="version"):
        cb2.load_state_dict({"version": 99})
