"""The policy observation has no absolute-position shortcut; the training overlay stays training-only."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simhops.config import SimHopsConfig, load_config
from simhops.dynamics.kernels.layout import obs_dim
from simhops.dynamics.kernels.observation import observation_one
from simhops.train.training_config import training_env_config


def _obs(state: np.ndarray, wps: np.ndarray, active: int = 0) -> np.ndarray:
    out = np.empty(obs_dim(2), dtype=np.float32)
    observation_one(state, wps, wps.shape[0], active, np.array([0.1, -0.2, 0.3, 0.0]), 2, out)
    return out


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3), st.lists(st.floats(-1, 1), min_size=4, max_size=4))
def test_observation_is_translation_invariant(offset, q):
    """Moving the drone and the course together (altitude included) leaves the observation unchanged."""
    q = np.asarray(q) + np.array([1.5, 0.0, 0.0, 0.0])
    s = np.zeros(17)
    s[0:3] = [0.3, -0.4, 1.2]
    s[3:7] = q / np.linalg.norm(q)
    s[7:13] = [0.5, -1.0, 0.2, 0.3, -0.1, 0.05]
    wps = np.array([[1.0, 1.0, 2.0], [2.0, -1.0, 0.5], [0.0, 0.0, 1.0]])
    shifted = s.copy()
    shifted[0:3] += offset
    a, b = _obs(s, wps), _obs(shifted, wps + np.asarray(offset))
    np.testing.assert_allclose(a, b, atol=1e-4)


def test_last_entry_is_the_distance_to_the_active_waypoint():
    s = np.zeros(17)
    s[3] = 1.0
    s[2] = 2.9  # high up: nothing in the observation says so
    wps = np.array([[1.0, 2.0, 0.9], [0.0, 0.0, 1.0]])
    o = _obs(s, wps)
    assert o[-1] == np.float32(np.linalg.norm(o[0:3]))
    assert o[-1] == np.float32(3.0)


def test_training_overlay_is_training_only():
    cfg = load_config()
    train_cfg = training_env_config(cfg)
    assert cfg.randomization.mass.kind == "none" and cfg.disturbances.gust_std_m_s == 0.0
    assert cfg.scenario.hop_max_m == 3.0  # eval default (benchmark-v1's random_hops uses it)
    assert train_cfg.randomization.mass.kind == "relative_uniform" and train_cfg.randomization.gust_std.high > 0
    assert train_cfg.scenario.hop_max_m >= 8.0 and train_cfg.scenario.min_altitude_m <= 0.3
    bare = SimHopsConfig(train={"env_overlay": {}})  # no overlay: the training envs run the config itself
    assert training_env_config(bare) is bare
