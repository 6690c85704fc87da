"""Reward of the default recipe: no parking incentive, smoothness terms (tilt, action rate)."""

from __future__ import annotations

import numpy as np
import pytest

from simhops.config import load_config
from simhops.dynamics.kernels.reward import reward_one
from simhops.envs.env_params import reward_params
from simhops.envs.waypoints_env import WaypointsEnv

CFG = load_config()
R = reward_params(CFG)
GAMMA = CFG.train.gamma


def _hover_state(tilt_rad: float = 0.0) -> np.ndarray:
    s = np.zeros(17)
    s[2] = 1.0
    s[3], s[4] = np.cos(tilt_rad / 2), np.sin(tilt_rad / 2)  # roll by tilt_rad
    return s


def _discounted(rewards) -> float:
    return float(sum(r * GAMMA ** t for t, r in enumerate(rewards)))


@pytest.mark.parametrize("horizon", [1, 10, 100, 1000])
@pytest.mark.parametrize("gap_m", [0.01, 0.05, 0.2])
def test_parking_beside_a_waypoint_pays_less_than_reaching_it(horizon, gap_m):
    """From ``gap_m`` outside the reach radius: hovering there for ``horizon`` steps (until time runs out)
    vs. closing the gap in one step and reaching the (last) waypoint, under the default weights."""
    s = _hover_state()
    park = [reward_one(s, 0.0, 0, False, False, R, 0.0) for _ in range(horizon)]
    reach = [reward_one(s, gap_m, 1, True, False, R, 0.1)]  # a small action change to get there
    assert _discounted(reach) > _discounted(park)
    assert max(park) < 0.0  # every parked step loses reward: no stationary optimum beside a waypoint


def test_parking_in_the_env_loses_reward_every_step():
    """The env itself: a waypoint 0.25 m beside the start (outside the 0.2 m radius), hover thrust held."""
    env = WaypointsEnv()
    env.reset(seed=0)
    start = np.asarray(CFG.scenario.start_position_m, dtype=float)
    sc = env.builder.build("park", (start + [0.25, 0.0, 0.0])[None, :])
    env.reset(options={"scenario": sc})
    a_hover = 2.0 * env.physics.airframe.hover_motor_thrust_n / env.physics.airframe.max_motor_thrust_n - 1.0
    rewards = []
    for _ in range(50):
        _, r, term, trunc, _ = env.step(np.array([a_hover, 0.0, 0.0, 0.0], dtype=np.float32))
        assert not term
        rewards.append(r)
    assert max(rewards) < 0.0


def test_tilt_and_action_rate_are_penalized():
    level = reward_one(_hover_state(0.0), 0.0, 0, False, False, R, 0.0)
    tilted = reward_one(_hover_state(0.8), 0.0, 0, False, False, R, 0.0)
    jerky = reward_one(_hover_state(0.0), 0.0, 0, False, False, R, 1.0)
    assert tilted == pytest.approx(level - R[6] * (1.0 - np.cos(0.8)))
    assert jerky == pytest.approx(level - R[7] * 1.0)
    assert tilted < level and jerky < level


def test_env_reward_includes_the_action_change():
    """The env passes ``|a_t - a_{t-1}|^2`` (normalized, clipped actions) to the reward kernel."""
    env = WaypointsEnv()
    env.reset(seed=3)
    a1 = np.array([0.1, 0.3, -0.2, 0.0], dtype=np.float32)
    a2 = np.array([-0.1, -0.4, 0.2, 0.5], dtype=np.float32)
    env.step(a1)
    _, r, *_ = env.step(a2)
    p = env.course_progress
    da2 = float(np.sum((a2.astype(np.float64) - a1.astype(np.float64)) ** 2))
    expected = reward_one(env.drone_state.array, p.progress_m, p.reached_now, p.completed, p.crashed, R, da2)
    assert r == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert R[7] * da2 > 1e-3  # the term is not negligible here


def test_tilt_limit_hinge_only_charges_tilts_past_the_limit():
    """``tilt_limit_penalty * max(0, cos(tilt_limit_rad) - cos tilt)``: zero inside the envelope,
    growing past it, on top of the smooth tilt term."""
    cfg = load_config(None, ["reward.tilt_limit_rad=0.8", "reward.tilt_limit_penalty=2.0"])
    r = reward_params(cfg)
    r0 = reward_params(load_config(None, ["reward.tilt_limit_rad=0.8", "reward.tilt_limit_penalty=0.0"]))
    for tilt in (0.0, 0.4, 0.79):
        s = _hover_state(tilt)
        assert reward_one(s, 0.0, 0, False, False, r, 0.0) == pytest.approx(reward_one(s, 0.0, 0, False, False, r0, 0.0))
    extra = []
    for tilt in (0.9, 1.2, 1.6, 2.5):
        s = _hover_state(tilt)
        got = reward_one(s, 0.0, 0, False, False, r0, 0.0) - reward_one(s, 0.0, 0, False, False, r, 0.0)
        assert got == pytest.approx(2.0 * (np.cos(0.8) - np.cos(tilt)), rel=1e-9)
        extra.append(got)
    assert extra == sorted(extra) and extra[0] > 0.0


def test_sink_rate_hinge_only_charges_descents_past_the_limit():
    """``descent_speed_penalty * max(0, -v_z - descent_speed_limit_m_s)``: climbs and slow descents are free."""
    on = reward_params(load_config(None, ["reward.descent_speed_limit_m_s=1.5", "reward.descent_speed_penalty=0.4"]))
    off = reward_params(load_config(None, ["reward.descent_speed_limit_m_s=1.5", "reward.descent_speed_penalty=0.0"]))
    for vz, charged in ((3.0, 0.0), (0.0, 0.0), (-1.4, 0.0), (-2.0, 0.4 * 0.5), (-4.0, 0.4 * 2.5)):
        s = _hover_state()
        s[9] = vz
        got = reward_one(s, 0.0, 0, False, False, off, 0.0) - reward_one(s, 0.0, 0, False, False, on, 0.0)
        assert got == pytest.approx(charged, abs=1e-12)


@pytest.mark.parametrize("overlay", [False, True])
def test_a_whole_episode_of_time_penalty_costs_less_than_a_crash(overlay):
    """No incentive to crash early: the time penalty summed over the longest episode (evaluation config, and
    the training overlay's episodes) stays below the crash penalty, under the default weights."""
    from simhops.scenario.scenario_builder import ScenarioBuilder
    from simhops.train.training_config import training_env_config

    cfg = training_env_config(CFG) if overlay else CFG
    steps = ScenarioBuilder(cfg).number_of_iterations - 1
    assert steps * cfg.reward.time_penalty < cfg.reward.crash_penalty
