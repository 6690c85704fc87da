"""SimHopsVectorEnv.set_episode_config: a curriculum level reaches new episodes only; changes it cannot apply are refused."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.vector.vector_env import AutoresetMode

from simhops.config import SimHopsConfig
from simhops.dynamics.kernels import layout as L
from simhops.envs.sb3_vec_env import SB3VecEnv
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.train.curriculum import Curriculum
from simhops.train.training_config import training_env_config

N = 64


def _hops(env: SimHopsVectorEnv) -> np.ndarray:
    start = np.asarray(env.config.scenario.start_position_m)
    w = env.waypoints
    legs = np.concatenate([w[:, :1] - start, np.diff(w, axis=1)], axis=1)
    return np.linalg.norm(legs, axis=2)


@pytest.fixture(scope="module")
def levels():
    cfg = SimHopsConfig()
    cur = Curriculum.from_config(cfg)
    return [cur.level_config(cfg, lv) for lv in range(cur.levels + 1)]


def test_new_episodes_use_the_new_level_and_match_an_env_built_for_it(levels):
    env = SimHopsVectorEnv(N, levels[-1])
    env.reset(seed=0)
    assert _hops(env).max() > 3.5  # full level: legs up to 8 m
    env.set_episode_config(levels[0])
    assert env.max_episode_steps == 1000 and env.config == levels[0]
    obs, _ = env.reset(seed=0)
    assert _hops(env).max() <= 3.0 + 1e-9  # level 0: the base config's hops (1-3 m)
    assert np.all(env._dist.rows[:, L.P_MASS] == env._phys[L.P_MASS])  # the degenerate mass range of level 0
    # the same numbers as an env built for level 0 (the kernel path is the same: randomization on)
    fresh = SimHopsVectorEnv(N, levels[0])
    obs0, _ = fresh.reset(seed=0)
    np.testing.assert_array_equal(obs, obs0)
    rng = np.random.default_rng(1)
    for _ in range(5):
        a = rng.uniform(-1, 1, (N, 4))
        out, out0 = env.step(a), fresh.step(a)
        for x, y in zip(out[:4], out0[:4]):
            np.testing.assert_array_equal(x, y)
    # difficulty grows level by level: longer hops on the same seeds
    longest = []
    for cfg in levels:
        env.set_episode_config(cfg)
        env.reset(seed=0)
        longest.append(_hops(env).max())
    assert all(b >= a for a, b in zip(longest, longest[1:])) and longest[-1] > longest[0] + 2.0


def test_running_episodes_keep_their_plant_and_course(levels):
    env = SimHopsVectorEnv(8, levels[-1], autoreset_mode=AutoresetMode.SAME_STEP)
    env.reset(seed=3)
    rows, wps = env._dist.rows.copy(), env.waypoints.copy()
    assert np.ptp(rows[:, L.P_MASS]) > 0  # randomized masses at the full level
    env.set_episode_config(levels[0])
    hover = np.zeros((8, 4))
    for _ in range(3):
        env.step(hover)
    np.testing.assert_array_equal(env._dist.rows, rows)
    np.testing.assert_array_equal(env.waypoints, wps)
    env.reset(seed=3)  # new episodes: level 0's nominal mass
    assert np.all(env._dist.rows[:, L.P_MASS] == env._phys[L.P_MASS])


def test_sb3_adapter_passes_it_through(levels):
    venv = SB3VecEnv(num_envs=4, config=levels[-1])
    venv.env_method("set_episode_config", levels[1])
    assert venv.venv.config == levels[1]
    venv.set_episode_config(levels[2])
    assert venv.venv.config == levels[2]


@pytest.mark.parametrize("section, update, key", [
    ("env", {"n_obs_waypoints": 3}, "env.n_obs_waypoints"),
    ("env", {"action_mode": "motor"}, "env.action_mode"),
    ("physics", {"airframe": "cf2x_L250"}, "physics.airframe"),
    ("scenario", {"n_waypoints": 6}, "scenario.n_waypoints"),
    ("scenario", {"reach_radius_m": 0.3}, "scenario.reach_radius_m"),
    ("reward", {"crash_penalty": 1.0}, "reward.crash_penalty"),
])
def test_changes_that_cannot_apply_at_runtime_are_refused(levels, section, update, key):
    env = SimHopsVectorEnv(2, levels[-1])
    bad = levels[-1].model_copy(update={section: getattr(levels[-1], section).model_copy(update=update)})
    with pytest.raises(ValueError, match=key.replace(".", r"\.")):
        env.set_episode_config(bad)
    assert env.config == levels[-1]  # nothing changed
    ok = levels[-1].model_copy(update={"seed": 7, "output_dir": "elsewhere"})  # sections the env does not read
    env.set_episode_config(ok)


def test_turning_disturbances_on_in_an_env_built_without_them_is_refused(levels):
    env = SimHopsVectorEnv(2, SimHopsConfig())
    gusty = SimHopsConfig().model_copy(update={"disturbances": SimHopsConfig().disturbances.model_copy(
        update={"gust_std_m_s": 0.5})})
    with pytest.raises(ValueError, match="disturbances"):
        env.set_episode_config(gusty)
    with pytest.raises(TypeError, match="SimHopsConfig"):
        env.set_episode_config({"scenario": {}})


def test_recording_env_refuses_a_longer_episode_than_its_buffers(levels):
    env = SimHopsVectorEnv(2, levels[0], record_histories=True)  # 20 s buffers
    with pytest.raises(ValueError, match=r"scenario\.duration_s"):
        env.set_episode_config(levels[-1])  # 30 s
    assert training_env_config(SimHopsConfig()) == levels[-1]
