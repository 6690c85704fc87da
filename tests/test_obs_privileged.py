"""``env.privileged_plant_params`` (privileged plant in the policy observation) and the vector env's
``plant_params`` infos of every new episode, autoresets included; single env = vector env bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.vector.vector_env import AutoresetMode

from simhops.config import load_config
from simhops.dynamics.kernels import layout as L
from simhops.dynamics.kernels.layout import obs_dim
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.simulation.observation.privileged_observation import PRIVILEGED_DIM, privileged_features
from simhops.simulation.planner.policy_planner import n_obs_waypoints_of

RANDOM = [
    "disturbances.wind_m_s=[1.0,-0.5,0.0]", "disturbances.gust_std_m_s=0.3",
    "disturbances.obs_noise_position_m=0.02", "disturbances.obs_noise_body_rates_rad_s=0.05",
    "randomization.mass={kind: relative_uniform, low: 0.85, high: 1.15}",
    "randomization.thrust={kind: relative_uniform, low: 0.9, high: 1.1}",
    "randomization.motor_tau={kind: relative_uniform, low: 0.7, high: 1.3}",
    "randomization.latency={kind: absolute_uniform, low: 0, high: 2}",
    "randomization.wind_speed={kind: absolute_uniform, low: 0.0, high: 2.0}",
    "randomization.obs_noise_scale={kind: relative_uniform, low: 0.5, high: 1.5}",
    "scenario.duration_s=1.0",  # short episodes: many autoresets
]


def test_off_by_default_and_the_space_grows_when_on():
    cfg = load_config()
    assert cfg.env.privileged_plant_params is False
    assert WaypointsEnv(cfg).observation_space.shape == (obs_dim(cfg.env.n_obs_waypoints),)
    on = load_config(None, ["env.privileged_plant_params=true"])
    env = WaypointsEnv(on)
    assert env.observation_space.shape == (obs_dim(on.env.n_obs_waypoints) + PRIVILEGED_DIM,)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    # nominal plant: the relative entries are 0, the wind and the latency are 0 here
    np.testing.assert_array_equal(obs[-PRIVILEGED_DIM:], np.zeros(PRIVILEGED_DIM, dtype=np.float32))
    venv = SimHopsVectorEnv(2, config=on)
    assert venv.single_observation_space.shape == env.observation_space.shape
    # a privileged policy cannot be flown by PolicyPlanner (its observation is refused)
    with pytest.raises(ValueError, match="not a simhops policy observation"):
        n_obs_waypoints_of(env.observation_space.shape)


def test_features_are_the_normalized_true_plant():
    cfg = load_config(None, [*RANDOM, "env.privileged_plant_params=true"])
    env = WaypointsEnv(cfg)
    obs, info = env.reset(seed=4)
    priv = obs[-PRIVILEGED_DIM:]
    p = info["plant_params"]
    af = env.physics.airframe
    assert priv[0] == np.float32(p["mass_kg"] / af.mass_kg - 1.0)
    assert priv[16] == np.float32(p["latency_steps"] / L.MAX_LATENCY_STEPS)
    np.testing.assert_allclose(priv[12:15], p["wind_m_s"] / 5.0, rtol=1e-6)
    # constant over the episode, while the rest of the observation moves
    for _ in range(5):
        obs2, *_ = env.step(np.zeros(4, dtype=np.float32))
    np.testing.assert_array_equal(obs2[-PRIVILEGED_DIM:], priv)
    rows = np.stack([env.simulation.setup.ego_controller.plant_row] * 3)
    np.testing.assert_array_equal(privileged_features(rows, env.params.phys)[2], priv)


@pytest.mark.parametrize("mode", [AutoresetMode.SAME_STEP, AutoresetMode.NEXT_STEP])
@pytest.mark.parametrize("privileged", [False, True])
def test_vector_equals_single_with_plant_infos_after_autoresets(mode, privileged):
    cfg = load_config(None, [*RANDOM, f"env.privileged_plant_params={str(privileged).lower()}"])
    n, seed = 3, 21
    venv = SimHopsVectorEnv(n, config=cfg, autoreset_mode=mode)
    obs, info = venv.reset(seed=seed)
    envs = [WaypointsEnv(cfg) for _ in range(n)]
    resets = [e.reset(seed=seed + i) for i, e in enumerate(envs)]
    np.testing.assert_array_equal(obs, np.stack([r[0] for r in resets]))
    rng = np.random.default_rng(3)
    pending = np.zeros(n, dtype=bool)
    new_episodes = 0
    for _ in range(130):
        a = (rng.uniform(-1, 1, (n, 4)) * 0.3).astype(np.float32)
        obs, rew, term, trunc, info = venv.step(a)
        started = {}
        for i, e in enumerate(envs):
            if pending[i]:
                so, sinfo = e.reset()
                pending[i] = False
                started[i] = sinfo
            else:
                so, sr, ste, str_, _ = e.step(a[i])
                assert (ste, str_) == (bool(term[i]), bool(trunc[i])) and sr == rew[i]
                if ste or str_:
                    if mode == AutoresetMode.SAME_STEP:
                        np.testing.assert_array_equal(info["final_obs"][i], so)
                        so, sinfo = e.reset()
                        started[i] = sinfo
                    else:
                        pending[i] = True
            np.testing.assert_array_equal(obs[i], so)
        if started:
            mask = info["_plant_params"]
            assert sorted(np.flatnonzero(mask)) == sorted(started)
            for i, sinfo in started.items():
                for k, v in sinfo["plant_params"].items():
                    np.testing.assert_array_equal(info["plant_params"][k][i], v, err_msg=k)
            new_episodes += len(started)
        else:
            assert "plant_params" not in info
    assert new_episodes >= 3
