"""Bad input to the envs gets a clear ValueError naming the argument (issue 7 §3)."""

from __future__ import annotations

import numpy as np
import pytest

import simhops.config.memory as memory
from simhops.config import load_config
from simhops.scenario import ScenarioBuilder
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.envs.waypoints_env import WaypointsEnv

HOVER = np.array([2.0 / 2.25 - 1.0, 0.0, 0.0, 0.0])

BAD_ACTIONS = {
    "complex": np.array([0.1 + 1j, 0, 0, 0]),
    "complex_zero_imag": np.array([0.1 + 0j, 0, 0, 0]),  # numpy would silently drop the imaginary part
    "strings": np.array(["0.1", "0", "0", "0"]),
    "str_list": ["0.1", "0", "0", "0"],
    "bools": np.array([True, False, False, False]),
    "objects": np.array([0.1, None, 0, 0], dtype=object),
}


@pytest.mark.parametrize("name", sorted(BAD_ACTIONS))
def test_single_env_rejects_non_real_actions(name):
    env = WaypointsEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be real numbers .* got dtype"):
        env.step(BAD_ACTIONS[name])
    assert env.step(HOVER)[4]["episode_step"] == 1  # nothing happened on the bad call


@pytest.mark.parametrize("name", sorted(BAD_ACTIONS))
def test_vector_env_rejects_non_real_actions(name):
    venv = SimHopsVectorEnv(2)
    venv.reset(seed=0)
    bad = np.stack([np.asarray(BAD_ACTIONS[name])] * 2)
    with pytest.raises(ValueError, match=r"actions must be real numbers .* got dtype"):
        venv.step(bad)
    assert (venv.step(np.tile(HOVER, (2, 1)))[4]["episode_step"] == 1).all()


def test_integer_actions_are_still_accepted():
    env = WaypointsEnv()
    env.reset(seed=0)
    env.step(np.array([0, 0, 0, 0]))
    venv = SimHopsVectorEnv(2)
    venv.reset(seed=0)
    venv.step(np.zeros((2, 4), dtype=np.int64))


def test_single_env_rejects_unknown_reset_options():
    env = WaypointsEnv()
    with pytest.raises(ValueError, match=r"unknown reset option\(s\) \['reset_mask', 'scenaro'\].*'scenario'"):
        env.reset(seed=0, options={"scenaro": None, "reset_mask": None})
    env.reset(seed=0, options={})  # empty and None are fine
    env.reset(seed=0, options=None)


def test_vector_env_rejects_unknown_reset_options():
    venv = SimHopsVectorEnv(2)
    with pytest.raises(ValueError, match=r"unknown reset option\(s\) \['scenario'\].*'reset_mask'"):
        venv.reset(seed=0, options={"scenario": None})
    with pytest.raises(ValueError, match=r"reset_mask.*bool array of shape \(2,\)"):
        venv.reset(seed=0, options={"reset_mask": [1, 0]})
    venv.reset(seed=0, options={"reset_mask": np.array([True, False])})


@pytest.mark.parametrize("seed,name", [(1.5, "seed"), (-1, "seed"), ("3", "seed"), (True, "seed"),
                                       ([0, 2.5], r"seed\[1\]"), ([0, -2], r"seed\[1\]"), ([0], "seed")])
def test_vector_env_bad_seed_names_seed(seed, name):
    venv = SimHopsVectorEnv(2)
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        venv.reset(seed=seed)


def test_vector_env_good_seeds():
    venv = SimHopsVectorEnv(2)
    a, _ = venv.reset(seed=np.int64(4))
    b, _ = venv.reset(seed=[4, 5])
    c, _ = venv.reset(seed=(4, None))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[0], c[0])


def test_vector_env_too_many_envs_fails_before_allocating():
    with pytest.raises(ValueError, match=r"num_envs=1000000000 .* would need [\d.]+ [KMGTP]iB .* of memory"):
        SimHopsVectorEnv(10**9)


def test_vector_env_recording_memory_counts_the_episode_length(monkeypatch, default_cfg):
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 50 * 2**20)  # 50 MiB
    SimHopsVectorEnv(512, config=default_cfg)  # ~1 MB of state
    with pytest.raises(ValueError, match=r"num_envs=512 \(x 1001 iterations per episode, recording histories\)"):
        SimHopsVectorEnv(512, config=default_cfg, record_histories=True)  # 512 x 1001 x 176 B = 90 MB


def test_single_env_refuses_an_episode_that_does_not_fit(monkeypatch):
    short, long = load_config(), load_config(overrides=["scenario.duration_s=600"])
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 2**20)  # 1 MiB: 4600 iterations at 226 B
    env = WaypointsEnv(short)  # 1001 iterations fit
    with pytest.raises(ValueError, match=r"scenario.duration_s x scenario.control_hz: an episode of 30001 "
                                         r"iterations would need 6.47 MiB"):
        WaypointsEnv(long)
    # a custom scenario in reset is checked too
    scenario = ScenarioBuilder(long).build_from_seed(0)
    with pytest.raises(ValueError, match=r"options\['scenario'\] 'random_seed0': an episode of 30001 iterations"):
        env.reset(seed=0, options={"scenario": scenario})
