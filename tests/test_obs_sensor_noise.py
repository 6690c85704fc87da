"""Sensor noise reaches planners in the closed loop (issue 8).

``Simulation`` hands planners the *observed* state (``DroneController.observed_state()``) through
the history buffer and keeps the *true* state in the history; with noise off the two are the
same objects and the loop equals a hand-written one that feeds the planner the true state (what
``Simulation`` did before). ``PolicyPlanner`` in evaluation sees the very numbers the env's
policy observation has in training.
"""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils import seeding

from simhops.config import SimHopsConfig, load_config
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.scenario.benchmark import build_benchmark
from simhops.scenario.conditions import apply_condition, load_condition
from simhops.simulation.controller.drone_controller import DroneController
from simhops.simulation.history.simulation_history_buffer import SimulationHistoryBuffer
from simhops.simulation.observation.course_observation import CourseObservation
from simhops.simulation.observation.policy_observation import compute_policy_observation
from simhops.simulation.planner.abstract_planner import PlannerInitialization, PlannerInput
from simhops.simulation.planner.cascaded_pid_planner import CascadedPIDPlanner
from simhops.simulation.planner.policy_planner import PolicyPlanner
from simhops.simulation.simulation import Simulation
from simhops.simulation.simulation_setup import build_simulation_setup
from simhops.simulation.simulation_time_controller.step_simulation_time_controller import (
    StepSimulationTimeController,
)


def _physics(condition: str) -> PhysicsParams:
    return PhysicsParams.from_config(apply_condition(SimHopsConfig(), load_condition(condition)))


def _fly(scenario, physics, seed=5, max_steps=None):
    """Closed loop with the classical planner; returns (sim, planner states seen, commands)."""
    sim = Simulation(build_simulation_setup(scenario, physics, np.array([seed], dtype=np.uint64)))
    planner = CascadedPIDPlanner()
    planner.initialize(sim.initialize())
    seen, commands = [], []
    while sim.is_simulation_running() and (max_steps is None or len(commands) < max_steps):
        planner_input = sim.get_planner_input()
        seen.append(planner_input.history.current_state[0].array.copy())
        command = planner.compute_trajectory(planner_input)
        commands.append(command.values.copy())
        sim.propagate(command)
    return sim, np.array(seen), np.array(commands)


@pytest.fixture(scope="module")
def course():
    return build_benchmark("benchmark-v0")[4]  # random_000


def test_sensor_noise_changes_the_commands_and_the_classical_planner_still_completes(course):
    nominal, _, cmd_nominal = _fly(course, _physics("nominal"))
    noisy, seen, cmd_noisy = _fly(course, _physics("sensor_noise"))
    assert nominal.history.last_observation.completed
    assert noisy.history.last_observation.completed
    n = min(len(cmd_nominal), len(cmd_noisy))
    assert not np.array_equal(cmd_nominal[:n], cmd_noisy[:n])
    # the planner saw the noisy state, the history kept the true one: the difference has the configured std
    true = noisy.history.states[: len(seen)]
    err = seen[:, 0:3] - true[:, 0:3]
    assert np.all(np.any(err != 0.0, axis=1))
    assert np.std(err) == pytest.approx(0.01, rel=0.2)  # sensor_noise.yaml: obs_noise_position_m 0.01
    verr = seen[:, 7:10] - true[:, 7:10]
    assert np.std(verr) == pytest.approx(0.05, rel=0.2)  # obs_noise_velocity_m_s 0.05
    # metrics come from the true states: the course outcome is the referee's
    assert noisy.current_state[0] is noisy.setup.ego_controller.get_state()


def test_without_noise_the_planner_sees_the_true_state_and_the_loop_is_unchanged(course):
    physics = _physics("wind_3ms")  # disturbed plant, no observation noise
    sim, seen, commands = _fly(course, physics, max_steps=150)
    np.testing.assert_array_equal(seen, sim.history.states[: len(seen)])
    buffer_states = sim.history_buffer.drone_states
    assert buffer_states[-1] is sim.current_state[0]  # the very same objects, no copy, no draw

    # the pre-issue loop by hand: the planner is fed the TRUE state of the controller
    controller = DroneController(course, physics, np.array([5], dtype=np.uint64))
    clock = StepSimulationTimeController(course)
    observation = CourseObservation(course)
    planner = CascadedPIDPlanner()
    controller.reset()
    observation.initialize(controller.get_state())
    planner.initialize(PlannerInitialization(course.name, course.waypoints, course.reach_radius_m,
                                             course.dome_radius_m, course.time_step_s, physics))
    buffer = SimulationHistoryBuffer(1)
    ref_commands = []
    for _ in range(len(commands)):
        buffer.append(controller.get_state(), observation.get_observation())
        it = clock.get_iteration()
        command = planner.compute_trajectory(PlannerInput(it, buffer))
        ref_commands.append(command.values.copy())
        nxt = clock.next_iteration()
        controller.update_state(it, nxt, controller.get_state(), command)
        observation.update_observation(it, nxt, controller.get_state())
    np.testing.assert_array_equal(np.array(ref_commands), commands)
    np.testing.assert_array_equal(controller.get_state().array, sim.history.states[len(commands)])


class _RecordingModel:
    """A stand-in for an SB3 model: a fixed smooth map of the observation, recording what it was given."""

    def __init__(self, obs_dim: int) -> None:
        self.weights = np.random.default_rng(0).normal(0.0, 0.05, (4, obs_dim))
        self.seen: list[np.ndarray] = []

    def action(self, obs: np.ndarray) -> np.ndarray:
        a = np.tanh(self.weights @ obs.astype(np.float64)) * 0.3
        a[0] += 0.1  # a little over hover so the course is flown for a while
        return a.astype(np.float32)

    def predict(self, obs, deterministic=True):
        self.seen.append(np.array(obs, copy=True))
        return self.action(obs), None


@pytest.mark.parametrize("overrides", [
    ["disturbances.obs_noise_position_m=0.02", "disturbances.obs_noise_velocity_m_s=0.05",
     "disturbances.obs_noise_attitude_rad=0.01", "disturbances.obs_noise_body_rates_rad_s=0.05"],
    ["disturbances.obs_noise_position_m=0.02", "disturbances.obs_noise_body_rates_rad_s=0.05",
     "disturbances.wind_m_s=[1.0,-0.5,0.0]", "disturbances.gust_std_m_s=0.6", "disturbances.latency_steps=1",
     "randomization.mass={kind: relative_uniform, low: 0.85, high: 1.15}"],
])
def test_policy_planner_sees_what_the_env_policy_sees(course, overrides):
    cfg = load_config(None, overrides)
    seed = 11
    env = WaypointsEnv(cfg)
    obs, _ = env.reset(seed=seed, options={"scenario": course})
    # Simulation with the env's disturbance stream (the env derives it from the seed like this)
    rng = np.array([seeding.np_random(seed)[0].integers(0, 2**63)], dtype=np.uint64)
    sim = Simulation(build_simulation_setup(course, env.physics, rng))
    model = _RecordingModel(obs.shape[0])
    planner = PolicyPlanner("unused.zip", n_obs_waypoints=env.n_obs_waypoints, action_mode=env.action_mode)
    planner._model = model  # no file: the stand-in is the loaded model
    planner.initialize(sim.initialize())
    env_obs = [obs]
    while sim.is_simulation_running() and len(model.seen) < 120:
        command = planner.compute_trajectory(sim.get_planner_input())
        sim.propagate(command)
        obs, _, term, trunc, _ = env.step(model.action(model.seen[-1]))  # the action the planner got
        env_obs.append(obs)
        if term or trunc:
            break
    assert len(model.seen) >= 20
    np.testing.assert_array_equal(np.array(model.seen), np.array(env_obs[: len(model.seen)]))
    # and those numbers are noisy: the first one is not the observation of the true initial state
    exact = compute_policy_observation(sim.history[0].drone_state, course.waypoints, 0, np.zeros(4),
                                       env.n_obs_waypoints)
    assert not np.array_equal(model.seen[0], exact)
    assert np.array_equal(model.seen[0][-4 - 1:-1], np.zeros(4, dtype=np.float32))  # same last action (zeros)
    np.testing.assert_array_equal(sim.current_state[0].array, env.drone_state.array)

