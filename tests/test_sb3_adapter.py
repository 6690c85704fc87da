"""SB3VecEnv: SB3 semantics over the native vector env."""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.vec_env import VecMonitor

from simhops.envs.sb3_vec_env import SB3VecEnv
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.envs.waypoints_env import WaypointsEnv


def test_same_step_reset_terminal_observation_and_truncation_flag():
    venv = SB3VecEnv(num_envs=2, overrides=["scenario.duration_s=0.2"])
    venv.seed(5)
    obs = venv.reset()
    single = WaypointsEnv(overrides=["scenario.duration_s=0.2"])
    s_obs, _ = single.reset(seed=5)
    np.testing.assert_array_equal(obs[0], s_obs)
    hover = np.zeros((2, 4), np.float32)
    hover[:, 0] = 2.0 / 2.25 - 1.0
    for k in range(10):
        venv.step_async(hover)
        obs, rew, dones, infos = venv.step_wait()
        s_obs, s_rew, s_term, s_trunc, _ = single.step(hover[0])
        assert rew.dtype == np.float32
    assert dones.all()
    assert infos[0]["TimeLimit.truncated"] is True
    np.testing.assert_array_equal(infos[0]["terminal_observation"], s_obs)
    s_reset, _ = single.reset()
    np.testing.assert_array_equal(obs[0], s_reset)  # reset in the same step, no fake transition
    assert infos[0]["waypoints_reached"] == 0 and infos[0]["is_success"] is False


def test_vec_monitor_reports_episodes():
    venv = VecMonitor(SB3VecEnv(num_envs=4, overrides=["scenario.duration_s=0.2"]))
    venv.seed(0)
    venv.reset()
    episodes = []
    for _ in range(25):
        _, _, dones, infos = venv.step(np.zeros((4, 4), np.float32))
        episodes += [info["episode"] for info, d in zip(infos, dones) if d]
    assert len(episodes) >= 4
    assert all(ep["l"] <= 10 for ep in episodes)


def test_requires_same_step_mode():
    import pytest

    with pytest.raises(ValueError, match="SAME_STEP"):
        SB3VecEnv(SimHopsVectorEnv(2, autoreset_mode="NextStep"))
