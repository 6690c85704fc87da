"""SimHopsVectorEnv: equivalence with single envs, autoreset modes, seeding, make_vec."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector.vector_env import AutoresetMode

import simhops  # noqa: F401
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.envs.waypoints_env import WaypointsEnv

# The vector and the single env call the same compiled per-drone kernels without fastmath,
# so trajectories agree exactly; the stated tolerance only absorbs float32 observation rounding.
OBS_ATOL = 0.0
REWARD_ATOL = 0.0


def _actions(rng, n, scale=0.4):
    a = rng.uniform(-1, 1, (n, 4)) * scale
    a[:, 0] += 0.0  # mean thrust near hover for longer episodes
    return a.astype(np.float32)


@pytest.mark.parametrize("mode", [AutoresetMode.SAME_STEP, AutoresetMode.NEXT_STEP])
def test_vector_equals_single_envs(mode):
    n, seed = 6, 123
    venv = SimHopsVectorEnv(n, autoreset_mode=mode)
    obs, _ = venv.reset(seed=seed)
    envs = [WaypointsEnv() for _ in range(n)]
    single = [e.reset(seed=seed + i)[0] for i, e in enumerate(envs)]
    np.testing.assert_array_equal(obs, np.stack(single))
    pending_reset = np.zeros(n, dtype=bool)
    rng = np.random.default_rng(0)
    n_done = 0
    for _ in range(400):
        a = _actions(rng, n)
        obs, rew, term, trunc, info = venv.step(a)
        for i, e in enumerate(envs):
            if pending_reset[i]:  # NEXT_STEP: this step resets env i
                so, _ = e.reset()
                pending_reset[i] = False
                np.testing.assert_allclose(obs[i], so, atol=OBS_ATOL, rtol=0)
                assert rew[i] == 0.0 and not term[i] and not trunc[i]
                continue
            so, sr, ste, str_, si = e.step(a[i])
            assert (ste, str_) == (bool(term[i]), bool(trunc[i]))
            assert abs(sr - rew[i]) <= REWARD_ATOL
            if ste or str_:
                n_done += 1
                if mode == AutoresetMode.SAME_STEP:
                    np.testing.assert_allclose(info["final_obs"][i], so, atol=OBS_ATOL, rtol=0)
                    assert info["final_info"]["waypoints_reached"][i] == si["waypoints_reached"]
                    assert info["final_info"]["is_success"][i] == si["is_success"]
                    so, _ = e.reset()
                else:
                    pending_reset[i] = True
            else:
                assert info["waypoints_reached"][i] == si["waypoints_reached"]
            np.testing.assert_allclose(obs[i], so, atol=OBS_ATOL, rtol=0)
        np.testing.assert_array_equal(venv.states[~pending_reset],
                                      np.stack([e.drone_state.array for e in envs])[~pending_reset])
    assert n_done > 3, "the rollout should include several resets"


def test_per_env_clock_truncates_at_scenario_end():
    venv = SimHopsVectorEnv(3, overrides=["scenario.duration_s=0.5"], autoreset_mode="SameStep")
    venv.reset(seed=0)
    hover = np.zeros((3, 4), np.float32)
    hover[:, 0] = 2.0 / 2.25 - 1.0  # collective thrust = m g
    assert venv.max_episode_steps == 25
    for k in range(1, 26):
        _, _, term, trunc, info = venv.step(hover)
        assert not term.any()
        assert trunc.all() == (k == 25)
    assert (info["episode_step"] == 0).all()  # reset in the same step
    assert (info["final_info"]["episode_step"] == 25).all()


def test_seeding_and_make_vec():
    v1 = gym.make_vec("simhops/Waypoints-v0", num_envs=4, vectorization_mode="vector_entry_point")
    assert isinstance(v1.unwrapped, SimHopsVectorEnv) if hasattr(v1, "unwrapped") else isinstance(v1, SimHopsVectorEnv)
    o1, _ = v1.reset(seed=7)
    o2, _ = SimHopsVectorEnv(4).reset(seed=7)
    np.testing.assert_array_equal(o1, o2)
    o3, _ = SimHopsVectorEnv(4).reset(seed=8)
    assert not np.array_equal(o1, o3)
    assert v1.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert SimHopsVectorEnv(2, autoreset_mode="SameStep").metadata["autoreset_mode"] == AutoresetMode.SAME_STEP


def test_bad_actions_raise_clear_errors():
    venv = SimHopsVectorEnv(2)
    venv.reset(seed=0)
    with pytest.raises(ValueError, match="shape"):
        venv.step(np.zeros((3, 4)))
    a = np.zeros((2, 4))
    a[1, 2] = np.nan
    with pytest.raises(ValueError, match="finite"):
        venv.step(a)
    with pytest.raises(ValueError, match="num_envs"):
        SimHopsVectorEnv(0)


def test_recorded_history_matches_single_env_and_reaches_callback():
    from simhops.simulation.callback.abstract_callback import AbstractCallback

    class Collect(AbstractCallback):
        def __init__(self):
            self.events = []
            self.histories = []

        def on_initialization_start(self, setup):
            self.events.append("init_start")

        def on_simulation_start(self, setup):
            self.events.append("sim_start")

        def on_simulation_end(self, setup, planner, history):
            self.events.append("sim_end")
            self.histories.append(history)

    cb = Collect()
    venv = SimHopsVectorEnv(2, overrides=["scenario.duration_s=0.4"], autoreset_mode="SameStep", callback=cb)
    venv.reset(seed=3)
    env = WaypointsEnv(overrides=["scenario.duration_s=0.4"])
    env.reset(seed=3)
    rng = np.random.default_rng(1)
    for _ in range(20):
        a = _actions(rng, 2, 0.2)
        _, _, term, trunc, info = venv.step(a)
        env.step(a[0])
    assert trunc.all()
    hist = info["final_info"]["simulation_history"][0]
    # the recorder's scenario is the single env's: same name (from the course RNG), course, start, settings
    assert hist.scenario == env.scenario and hist.scenario.name.startswith("random_")
    np.testing.assert_array_equal(hist.states, env.simulation.history.states)
    np.testing.assert_allclose(hist.commands[:-1], env.simulation.history.commands[:-1], rtol=0, atol=1e-15)
    assert cb.events[:3] == ["init_start", "sim_start", "sim_start"]
    assert cb.events.count("sim_end") == 2 and len(cb.histories) == 2


def test_step_record_is_public_read_only_and_complete():
    from simhops.envs.vector_step_record import VectorStepRecord

    records: list[VectorStepRecord] = []
    venv = SimHopsVectorEnv(2, overrides=["scenario.duration_s=0.1"], autoreset_mode="SameStep")
    venv.on_record = records.append
    venv.reset(seed=0)
    assert records[0].started.all() and not records[0].stepped.any()
    with pytest.raises(ValueError):
        records[0].states[0, 0] = 1.0  # read-only views
    wp0 = records[0].waypoints.copy()
    for _ in range(5):
        venv.step(np.zeros((2, 4), np.float32))
    last = records[-1]
    assert last.done.all() and last.stepped.all() and last.started.all()
    assert (last.episode_steps == 5).all() and (last.step_index == 4).all()
    assert not np.array_equal(last.waypoints, wp0)  # the new courses


def test_vector_env_config_packing_is_shared_with_the_single_env():
    venv = SimHopsVectorEnv(1)
    env = WaypointsEnv()
    for name in ("phys", "course", "reward"):
        np.testing.assert_array_equal(getattr(venv.params, name), getattr(env.params, name))
    assert venv.max_episode_steps == env.params.max_episode_steps == 1000
