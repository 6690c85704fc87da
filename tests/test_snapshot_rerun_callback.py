"""SnapshotRerunCallback with SB3 PPO on a tiny fake waypoint env; the .rrd is read back."""

from __future__ import annotations

import math
from types import SimpleNamespace

import gymnasium as gym
import numpy as np
import pytest
from rrd_utils import all_finite, read_rrd, rrd_info, scalar_series
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.vec_env import DummyVecEnv, VecMonitor

from simhops.train.callbacks.snapshot_rerun_callback import LOSS_KEYS, PROGRESS_PATHS, SnapshotRerunCallback

N_STEPS = 32
N_ENVS = 2
N_UPDATES = 5
EP_LEN = 20


class FakeWaypointEnv(gym.Env):
    """Point mass (velocity command, 0.1 s steps) hopping through 3 waypoints; 20-step episodes.

    Exposes what the callback needs: ``drone_state.position`` (3,) m,
    ``drone_state.attitude`` (4,) wxyz, ``scenario.waypoints`` (K, 3) m,
    ``scenario.reach_radius_m``, ``info["waypoints_reached"]``, ``info["is_success"]``.
    """

    metadata: dict = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(-10.0, 10.0, shape=(6,), dtype=np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, shape=(3,), dtype=np.float32)
        self.scenario = SimpleNamespace(waypoints=np.zeros((3, 3)), reach_radius_m=0.3)
        self.drone_state = SimpleNamespace(position=np.zeros(3), attitude=np.array([1.0, 0.0, 0.0, 0.0]))
        self._t = 0
        self._reached = 0

    def _obs(self) -> np.ndarray:
        target = self.scenario.waypoints[min(self._reached, len(self.scenario.waypoints) - 1)]
        return np.concatenate([self.drone_state.position, target - self.drone_state.position]).astype(np.float32)

    def _info(self) -> dict:
        return {"waypoints_reached": self._reached, "is_success": self._reached == len(self.scenario.waypoints)}

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        wps = self.np_random.uniform([-1.0, -1.0, 0.5], [1.0, 1.0, 1.5], size=(3, 3))
        wps[0] = [0.1, 0.0, 0.6]  # first one is easy: some episodes reach it
        self.scenario.waypoints = wps
        self.drone_state.position = np.array([0.0, 0.0, 0.5])
        self.drone_state.attitude = np.array([1.0, 0.0, 0.0, 0.0])
        self._t = 0
        self._reached = 0
        return self._obs(), self._info()

    def step(self, action):
        a = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        self.drone_state.position = self.drone_state.position + 0.1 * a
        yaw = math.atan2(a[1], a[0])
        self.drone_state.attitude = np.array([math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2)])
        k = len(self.scenario.waypoints)
        reward = 0.0
        if self._reached < k:
            d = float(np.linalg.norm(self.scenario.waypoints[self._reached] - self.drone_state.position))
            reward = -d
            if d < self.scenario.reach_radius_m:
                self._reached += 1
                reward += 10.0
        self._t += 1
        terminated = self._reached == k
        truncated = self._t >= EP_LEN
        return self._obs(), reward, terminated, truncated, self._info()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("snap") / "train.rrd"
    vec_env = VecMonitor(DummyVecEnv([FakeWaypointEnv for _ in range(N_ENVS)]), info_keywords=("waypoints_reached",))
    model = PPO("MlpPolicy", vec_env, n_steps=N_STEPS, batch_size=32, n_epochs=1, seed=0, verbose=0, device="cpu")
    cb = SnapshotRerunCallback(
        make_env=FakeWaypointEnv,
        output_path=out,
        snapshot_freq_updates=1,
        snapshot_max_steps=50,
        rolling_window=10,
        print_freq_episodes=4,
        snapshot_seed=3,
        verbose=1,
        strict=True,  # surface snapshot/metric errors in tests
    )
    model.learn(total_timesteps=N_STEPS * N_ENVS * N_UPDATES, callback=cb)
    return out, cb


def test_counts(trained) -> None:
    _, cb = trained
    assert cb.n_updates == N_UPDATES
    assert cb.n_snapshots == N_UPDATES
    assert cb.n_episodes >= (N_STEPS * N_ENVS * N_UPDATES) // EP_LEN - N_ENVS
    assert cb.viz is not None and cb.viz.closed


def test_file_complete_with_blueprint(trained) -> None:
    out, _ = trained
    info = rrd_info(out)
    assert info["footer"], info["warnings"]
    assert info["recordings"] == 1 and info["blueprints"] == 1
    assert info["blueprint_application_ids"] == [info["application_id"]]


def test_one_finite_row_per_update(trained) -> None:
    out, _ = trained
    ents = read_rrd(out)
    for path in (*PROGRESS_PATHS, *LOSS_KEYS):
        assert path in ents, f"{path} missing; have {sorted(ents)}"
        e = ents[path]
        series = scalar_series(e, "ppo_update")
        updates = [t for t, _ in series]
        # every update has finished episodes here (20-step episodes, 32-step rollouts)
        assert updates == list(range(1, N_UPDATES + 1)), (path, updates)
        assert all_finite([v for _, v in series]), (path, series)
        assert "snapshot" not in e["timelines"], f"{path} carries the snapshot timeline"
        assert e["static"].get("SeriesLines:names"), path
    sr = [v for _, v in scalar_series(ents["progress/success_rate"], "ppo_update")]
    assert all(0.0 <= v <= 1.0 for v in sr)
    wpe = [v for _, v in scalar_series(ents["progress/waypoints_per_episode"], "ppo_update")]
    assert all(0.0 <= v <= 3.0 for v in wpe)
    ml = [v for _, v in scalar_series(ents["progress/mean_length"], "ppo_update")]
    assert all(1.0 <= v <= EP_LEN for v in ml)


def test_snapshots_on_both_timelines(trained) -> None:
    out, _ = trained
    ents = read_rrd(out)
    for path in ("world/snapshot/trajectory", "world/snapshot/waypoints", "world/snapshot/drone", "snapshot/summary"):
        e = ents[path]
        assert e["timelines"]["snapshot"] == list(range(N_UPDATES)), path
        # snapshot i is taken after update i + 1 and stamped with it
        assert [row["ppo_update"] for row in e["index"]] == list(range(1, N_UPDATES + 1)), path
    for child in ("body", "arms", "rotors"):
        assert ents[f"world/snapshot/drone/{child}"]["timelines"]["snapshot"] == list(range(N_UPDATES))

    for strips in ents["world/snapshot/trajectory"]["data"]["LineStrips3D:strips"]:
        pts = np.array(strips[0])
        assert pts.ndim == 2 and pts.shape[1] == 3 and 2 <= len(pts) <= EP_LEN + 1
        assert np.isfinite(pts).all()
        np.testing.assert_allclose(pts[0], [0.0, 0.0, 0.5])  # initial position recorded before the first step

    wp = ents["world/snapshot/waypoints"]["data"]
    for pos, radii, labels in zip(wp["Points3D:positions"], wp["Points3D:radii"], wp["Points3D:labels"]):
        assert np.array(pos).shape == (3, 3)
        assert radii == pytest.approx([0.3] * 3)
        assert labels[0].startswith("wp0")

    tf = ents["world/snapshot/drone"]["data"]
    for q in tf["Transform3D:quaternion"]:
        assert np.linalg.norm(q[0]) == pytest.approx(1.0, abs=1e-5)
    final = [np.array(s[0])[-1] for s in ents["world/snapshot/trajectory"]["data"]["LineStrips3D:strips"]]
    np.testing.assert_allclose([t[0] for t in tf["Transform3D:translation"]], final, atol=1e-5)

    texts = ents["snapshot/summary"]["texts"]
    assert len(texts) == N_UPDATES
    assert "PPO update | 1 |" in texts[0] and "waypoints reached" in texts[0] and "success" in texts[0]


def test_progress_lines_printed(trained, capsys) -> None:
    _, cb = trained
    line = cb.progress_line()
    assert "\n" not in line
    for word in ("episodes=", "timesteps=", "mean_reward=", "mean_length=", "success_rate=", "waypoints/episode="):
        assert word in line


def test_snapshot_errors_become_warnings(tmp_path) -> None:
    def broken_env():
        raise RuntimeError("no env for you")

    vec_env = VecMonitor(DummyVecEnv([FakeWaypointEnv]))
    model = PPO("MlpPolicy", vec_env, n_steps=N_STEPS, batch_size=32, n_epochs=1, seed=0, verbose=0, device="cpu")
    cb = SnapshotRerunCallback(broken_env, tmp_path / "t.rrd", snapshot_freq_updates=1, verbose=0)
    with pytest.warns(RuntimeWarning, match="no env for you"):
        model.learn(total_timesteps=N_STEPS * 2, callback=cb)
    ents = read_rrd(tmp_path / "t.rrd")
    assert [t for t, _ in scalar_series(ents["losses/value_loss"], "ppo_update")] == [1, 2]
    assert "world/snapshot/trajectory" not in ents


def test_log_interval_does_not_drop_losses(tmp_path) -> None:
    """Rows do not depend on log_interval (logger.dump() clears name_to_value only every 2nd rollout)."""
    vec_env = VecMonitor(DummyVecEnv([FakeWaypointEnv]))
    model = PPO("MlpPolicy", vec_env, n_steps=N_STEPS, batch_size=32, n_epochs=1, seed=0, verbose=0, device="cpu")
    cb = SnapshotRerunCallback(
        FakeWaypointEnv, tmp_path / "t.rrd", snapshot_freq_updates=2, log_aggregated_metrics=False, verbose=0, strict=True
    )
    model.learn(total_timesteps=N_STEPS * 3, callback=cb, log_interval=2)
    ents = read_rrd(tmp_path / "t.rrd")
    for path in LOSS_KEYS:
        assert [t for t, _ in scalar_series(ents[path], "ppo_update")] == [1, 2, 3], path
    assert not any(p.startswith("progress/") for p in ents)
    assert ents["snapshot/summary"]["timelines"]["snapshot"] == [0]
    assert [row["ppo_update"] for row in ents["snapshot/summary"]["index"]] == [2]


class _DumpOnRolloutStart(BaseCallback):
    """A foreign callback that dumps (clears) the SB3 logger before ours runs."""

    def _on_rollout_start(self) -> None:
        self.logger.dump(self.num_timesteps)

    def _on_step(self) -> bool:
        return True


def test_losses_survive_a_foreign_dump(tmp_path) -> None:
    """name_to_value cleared between train() and our hook: the KVWriter tap supplies the values."""
    vec_env = VecMonitor(DummyVecEnv([FakeWaypointEnv]))
    model = PPO("MlpPolicy", vec_env, n_steps=N_STEPS, batch_size=32, n_epochs=1, seed=0, verbose=0, device="cpu")
    cb = SnapshotRerunCallback(FakeWaypointEnv, tmp_path / "t.rrd", snapshot_freq_updates=0, verbose=0, strict=True)
    model.learn(total_timesteps=N_STEPS * 3, callback=CallbackList([_DumpOnRolloutStart(), cb]))
    ents = read_rrd(tmp_path / "t.rrd")
    for path in LOSS_KEYS:
        series = scalar_series(ents[path], "ppo_update")
        assert [t for t, _ in series] == [1, 2, 3], path
    # the three value-loss rows are three different train() results, not one stale copy
    assert len({v for _, v in scalar_series(ents["losses/value_loss"], "ppo_update")}) == 3
    assert not any(p.startswith("world/snapshot") for p in ents)


def test_second_learn_call_continues_in_part_file(tmp_path) -> None:
    vec_env = VecMonitor(DummyVecEnv([FakeWaypointEnv]))
    model = PPO("MlpPolicy", vec_env, n_steps=N_STEPS, batch_size=32, n_epochs=1, seed=0, verbose=0, device="cpu")
    cb = SnapshotRerunCallback(FakeWaypointEnv, tmp_path / "train.rrd", snapshot_freq_updates=2, verbose=0, strict=True)
    model.learn(total_timesteps=N_STEPS * 2, callback=cb)
    with pytest.warns(RuntimeWarning, match="part2"):
        model.learn(total_timesteps=N_STEPS * 2, callback=cb, reset_num_timesteps=False)
    first, second = tmp_path / "train.rrd", tmp_path / "train.part2.rrd"
    assert rrd_info(first)["recording_id"] == rrd_info(second)["recording_id"]
    assert [t for t, _ in scalar_series(read_rrd(first)["losses/value_loss"], "ppo_update")] == [1, 2]
    ents2 = read_rrd(second)
    assert [t for t, _ in scalar_series(ents2["losses/value_loss"], "ppo_update")] == [3, 4]
    assert ents2["snapshot/summary"]["timelines"]["snapshot"] == [1]
