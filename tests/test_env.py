"""WaypointsEnv: Gymnasium API, checkers, determinism, episode end, action validation, reward, info."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.error import ResetNeeded
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from simhops.config import ConfigError
from simhops.envs.env_info import CRASH_DOME, CRASH_GROUND, CRASH_NONE, INFO_KEYS, crash_name
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.scenario import Scenario
from simhops.simulation.planner import PlannerInitialization, WaypointPlanner

ENV_ID = "simhops/Waypoints-v0"
ZERO_THRUST = np.array([-1.0, 0.0, 0.0, 0.0], dtype=np.float32)


def _rollout(env, seed: int, actions: np.ndarray) -> list:
    """Step through ``actions``, resetting (without a seed) whenever an episode ends; returns every output."""
    obs, info = env.reset(seed=seed)
    out = [("reset", obs, info)]
    for a in actions:
        obs, reward, terminated, truncated, info = env.step(a)
        out.append(("step", obs, reward, terminated, truncated, info))
        if terminated or truncated:
            obs, info = env.reset()
            out.append(("reset", obs, info))
    return out


def _assert_same(a: list, b: list) -> None:
    assert len(a) == len(b)
    for ra, rb in zip(a, b):
        assert len(ra) == len(rb) and ra[0] == rb[0]
        for xa, xb in zip(ra[1:], rb[1:]):
            if isinstance(xa, np.ndarray):
                np.testing.assert_array_equal(xa, xb)
            else:
                assert xa == xb


def _planner_for(env) -> WaypointPlanner:
    u = env.unwrapped
    sc = u.scenario
    planner = WaypointPlanner()
    planner.initialize(PlannerInitialization(sc.name, sc.waypoints, sc.reach_radius_m, sc.dome_radius_m,
                                             sc.time_step_s, u.physics))
    return planner


# ----------------------------------------------------------------------------- creation and checkers


def test_make_and_spaces(make_env):
    env = make_env()
    assert isinstance(env.unwrapped, WaypointsEnv)
    assert env.action_space == gym.spaces.Box(-1.0, 1.0, (4,), np.float32)
    assert env.observation_space.shape == (26,) and env.observation_space.dtype == np.float32
    obs, info = env.reset(seed=0)
    assert obs.dtype == np.float32 and obs in env.observation_space
    obs, *_ = env.step(env.action_space.sample())
    assert obs in env.observation_space


@pytest.mark.parametrize("mode", ["ctbr", "motor"])
def test_gymnasium_env_checker_passes(make_env, mode):
    env = make_env(overrides=[f"env.action_mode={mode}"])
    gym_check_env(env.unwrapped, skip_render_check=True)


def test_sb3_env_checker_passes(make_env):
    env = make_env()
    sb3_check_env(env, warn=True, skip_render_check=True)


def test_unknown_render_mode_is_rejected():
    with pytest.raises(ValueError, match="render_mode"):
        WaypointsEnv(render_mode="bogus")


def test_wrong_config_key_names_the_key():
    with pytest.raises(ConfigError, match=r"train\.n_envz") as info:
        gym.make(ENV_ID, overrides=["train.n_envz=3"])
    assert isinstance(info.value, ValueError)
    assert "n_envs" in str(info.value)  # the suggestion


def test_bad_config_value_names_the_key():
    with pytest.raises(ConfigError, match=r"scenario\.duration_s"):
        gym.make(ENV_ID, overrides=["scenario.duration_s=-1"])


# ----------------------------------------------------------------------------- determinism


def test_same_seed_same_trajectory(make_env):
    actions = np.random.default_rng(0).uniform(-1, 1, size=(200, 4)).astype(np.float32)
    a = _rollout(make_env(), 42, actions)
    b = _rollout(make_env(), 42, actions)
    _assert_same(a, b)
    assert sum(r[0] == "step" for r in a) == 200


def test_same_env_reseeded_repeats_itself(make_env):
    actions = np.random.default_rng(1).uniform(-1, 1, size=(60, 4)).astype(np.float32)
    env = make_env()
    first = _rollout(env, 7, actions)
    second = _rollout(env, 7, actions)
    _assert_same(first, second)


def test_different_seed_different_course(make_env):
    env_a, env_b = make_env(), make_env()
    obs_a, _ = env_a.reset(seed=1)
    obs_b, _ = env_b.reset(seed=2)
    assert not np.array_equal(env_a.unwrapped.scenario.waypoints, env_b.unwrapped.scenario.waypoints)
    assert not np.array_equal(obs_a, obs_b)
    # and a reset without a seed moves on to a new course
    before = env_a.unwrapped.scenario.waypoints.copy()
    env_a.reset()
    assert not np.array_equal(before, env_a.unwrapped.scenario.waypoints)


# ----------------------------------------------------------------------------- episode end


def test_truncated_exactly_at_the_last_iteration(make_env, hover_action):
    env = make_env(overrides=["scenario.duration_s=0.5"])
    env.reset(seed=0)
    n_iter = env.unwrapped.scenario.get_number_of_iterations()
    assert n_iter == 26
    for k in range(1, n_iter):
        _, _, terminated, truncated, info = env.step(hover_action)
        assert not terminated
        assert info["episode_step"] == k
        assert truncated == (k == n_iter - 1), f"step {k}"
    assert env.unwrapped.simulation.setup.time_controller.reached_end()
    with pytest.raises(ResetNeeded):
        env.step(hover_action)


def test_terminated_on_completion_at_start(make_env, hover_action, physics):
    """A one-waypoint course whose waypoint is the start position is completed by the first step."""
    env = make_env()
    start = env.unwrapped.builder.initial_state()
    scenario = Scenario("at_start", np.array([start.position]), start)
    obs, info = env.reset(seed=0, options={"scenario": scenario})
    assert env.unwrapped.scenario is scenario
    assert info["waypoints_reached"] == 0 and not info["is_success"]
    _, reward, terminated, truncated, info = env.step(hover_action)
    assert terminated and not truncated
    assert info["is_success"] is True and info["waypoints_reached"] == 1 and info["crash"] == CRASH_NONE
    # hand-checked: progress (0 - d1) * 10 + bonus 10 - 0.001 |w|^2 - tilt, action-rate (from a zero action) and time terms
    state = env.unwrapped.drone_state
    d1 = float(np.linalg.norm(start.position - state.position))
    a = hover_action.astype(np.float64)
    qx, qy = state.array[4], state.array[5]
    expected = (10.0 * (0.0 - d1) + 10.0 - 0.001 * float(state.body_rates @ state.body_rates)
                - 0.05 * 2.0 * (qx * qx + qy * qy) - 0.15 * float(a @ a) - 0.002)
    assert reward == pytest.approx(expected, rel=1e-12, abs=1e-12)
    with pytest.raises(ResetNeeded):
        env.step(hover_action)


def test_terminated_on_completion_with_the_classical_planner(make_env):
    env = make_env()
    start = env.unwrapped.builder.initial_state()
    scenario = Scenario("two_hops", np.array([[0.8, 0.0, 1.2], [0.8, 0.8, 1.0]]), start)
    env.reset(seed=0, options={"scenario": scenario})
    planner = _planner_for(env)
    physics = env.unwrapped.physics
    total = 0.0
    for _ in range(scenario.get_number_of_iterations() - 1):
        command = planner.compute_planner_trajectory(env.unwrapped.simulation.get_planner_input())
        _, reward, terminated, truncated, info = env.step(command.to_normalized(physics))
        total += reward
        if terminated or truncated:
            break
    assert terminated and not truncated, info
    assert info["is_success"] and info["waypoints_reached"] == 2 and info["crash"] == CRASH_NONE
    assert total > 20.0  # two bonuses plus net progress


def test_terminated_on_ground_crash(make_env, default_cfg):
    env = make_env(overrides=["scenario.duration_s=2.0"])
    env.reset(seed=0)
    for k in range(1, 100):
        _, reward, terminated, truncated, info = env.step(ZERO_THRUST)
        if terminated:
            break
        assert info["crash"] == CRASH_NONE
    assert terminated and not truncated and k < 99
    assert info["crash"] == CRASH_GROUND and not info["is_success"]
    assert env.unwrapped.drone_state.position[2] < 0.0
    rc = default_cfg.reward  # progress is 0 on a crash, no rate or tilt term; the action is constant
    assert reward == pytest.approx(-rc.crash_penalty - rc.time_penalty, rel=1e-12)
    with pytest.raises(ResetNeeded):
        env.step(ZERO_THRUST)


def test_terminated_on_ground_crash_in_motor_mode(make_env):
    env = make_env(overrides=["env.action_mode=motor", "scenario.duration_s=2.0"])
    env.reset(seed=0)
    terminated = False
    for _ in range(99):
        _, _, terminated, truncated, info = env.step(np.full(4, -1.0, dtype=np.float32))
        if terminated or truncated:
            break
    assert terminated and info["crash"] == CRASH_GROUND


def test_terminated_on_leaving_the_dome(make_env):
    env = make_env(overrides=["scenario.duration_s=2.0"])
    env.reset(seed=0)
    for _ in range(99):
        _, _, terminated, truncated, info = env.step(np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32))
        if terminated or truncated:
            break
    assert terminated and info["crash"] == CRASH_DOME
    assert np.linalg.norm(env.unwrapped.drone_state.position) > 5.0


def test_step_before_reset_raises(make_env):
    with pytest.raises(ResetNeeded):
        make_env().step(np.zeros(4, dtype=np.float32))
    with pytest.raises(ResetNeeded):
        WaypointsEnv().step(np.zeros(4, dtype=np.float32))


def test_options_scenario_must_be_a_scenario(make_env):
    with pytest.raises(TypeError, match="Scenario"):
        make_env().reset(seed=0, options={"scenario": "square"})


# ----------------------------------------------------------------------------- actions


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_action_raises(make_env, hover_action, bad):
    env = make_env()
    env.reset(seed=0)
    action = hover_action.copy()
    action[2] = bad
    with pytest.raises(ValueError, match="action"):
        env.step(action)
    # nothing happened: the next valid step is step 1
    _, _, _, _, info = env.step(hover_action)
    assert info["episode_step"] == 1


@pytest.mark.parametrize("shape", [(3,), (5,), (2, 2), (1, 4), ()])
def test_wrong_shape_action_raises(make_env, shape):
    env = make_env()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros(shape, dtype=np.float32))


def test_out_of_range_action_is_clipped(make_env):
    raw = np.array([1.7, -3.0, 0.5, 9.0], dtype=np.float32)
    clipped = np.clip(raw, -1.0, 1.0)
    env_raw, env_clip = make_env(), make_env()
    env_raw.reset(seed=5)
    env_clip.reset(seed=5)
    for _ in range(3):
        out_raw = env_raw.step(raw)
        out_clip = env_clip.step(clipped)
        np.testing.assert_array_equal(out_raw[0], out_clip[0])
        assert out_raw[1:] == out_clip[1:]
    n_wp = env_raw.unwrapped.n_obs_waypoints
    last_action = out_raw[0][3 * n_wp + 15: 3 * n_wp + 19]
    np.testing.assert_array_equal(last_action, clipped)
    np.testing.assert_array_equal(env_raw.unwrapped.simulation.history.states,
                                  env_clip.unwrapped.simulation.history.states)


# ----------------------------------------------------------------------------- info and reward


def _no_floats(value) -> bool:
    if isinstance(value, dict):
        return all(_no_floats(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_no_floats(v) for v in value)
    if isinstance(value, np.ndarray):
        return not np.issubdtype(value.dtype, np.floating)
    return not isinstance(value, (float, np.floating))


def test_info_contents(make_env):
    env = make_env()
    _, info = env.reset(seed=0)
    infos = [info]
    for a in np.random.default_rng(2).uniform(-1, 1, size=(50, 4)).astype(np.float32):
        _, _, terminated, truncated, info = env.step(a)
        infos.append(info)
        if terminated or truncated:
            break
    for info in infos:
        assert isinstance(info["waypoints_reached"], int) and not isinstance(info["waypoints_reached"], bool)
        assert isinstance(info["is_success"], bool)
        assert type(info["crash"]) is int and crash_name(info["crash"]) in ("none", "ground", "dome", "non_finite")
        assert type(info["episode_step"]) is int
        assert tuple(info) == INFO_KEYS
        assert _no_floats(info), f"float value in info (wall-clock values break determinism): {info}"


def test_reward_matches_documented_formula(make_env, hover_action, default_cfg):
    """progress_weight * (d_before - d_after) + waypoint_bonus * reached - rate_penalty * |omega|^2
    - tilt_penalty * (1 - cos tilt) - action_rate_penalty * |a_t - a_{t-1}|^2 - time_penalty."""
    rc = default_cfg.reward
    assert (rc.progress_weight, rc.waypoint_bonus, rc.rate_penalty, rc.time_penalty, rc.completion_bonus,
            rc.tilt_penalty, rc.action_rate_penalty) == (10.0, 10.0, 0.001, 0.002, 0.0, 0.05, 0.15)
    env = make_env()
    env.reset(seed=3)
    u = env.unwrapped
    action = hover_action.copy()
    action[:] = (hover_action[0] + 0.2, 0.6, -0.4, 0.5)
    last = np.zeros(4)
    for _ in range(3):
        before = u.drone_state
        active = u.course_progress.active_index
        wp = u.scenario.waypoints[active]
        _, reward, terminated, _, info = env.step(action)
        after = u.drone_state
        assert not terminated and u.course_progress.active_index == active  # no waypoint reached
        d0 = float(np.linalg.norm(wp - before.position))
        d1 = float(np.linalg.norm(wp - after.position))
        rates = after.body_rates
        rate_term = 0.001 * float(rates @ rates)
        assert rate_term > 0.0
        q = after.array
        tilt_term = 0.05 * 2.0 * (q[4] * q[4] + q[5] * q[5])  # 1 - cos tilt = 2 (qx^2 + qy^2)
        da = action.astype(np.float64) - last
        last = action.astype(np.float64)
        expected = 10.0 * (d0 - d1) + 0.0 - rate_term - tilt_term - 0.15 * float(da @ da) - 0.002
        assert reward == pytest.approx(expected, rel=1e-9, abs=1e-12)
