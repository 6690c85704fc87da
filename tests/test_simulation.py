"""Simulation: the closed loop (seed 003 errors), history, buffer, planners."""

from __future__ import annotations

import numpy as np
import pytest

from simhops.scenario import Scenario
from simhops.simulation.controller import DroneCommand
from simhops.simulation.history import SimulationHistoryBuffer
from simhops.simulation.planner import (
    AbstractPlanner,
    HoverPlanner,
    PlannerInitialization,
    PlannerInput,
    WaypointPlanner,
)
from simhops.simulation.simulation_time_controller import SimulationIteration
from simhops.dynamics.state import DroneState


class ZeroThrustPlanner(AbstractPlanner):
    """Motor mode, every motor off."""

    command_mode = "motor"

    def initialize(self, initialization: PlannerInitialization) -> None:
        pass

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        return DroneCommand.motor((0.0, 0.0, 0.0, 0.0))


# ----------------------------------------------------------------------------- seed 003 errors


def test_planner_input_before_initialize_raises(short_builder, make_simulation):
    sim = make_simulation(short_builder.build_from_seed(0))
    with pytest.raises(RuntimeError, match="Simulation was not initialized!"):
        sim.get_planner_input()
    with pytest.raises(RuntimeError, match="Simulation was not initialized!"):
        sim.history_buffer  # noqa: B018


def test_propagate_before_initialize_raises(short_builder, make_simulation, physics):
    sim = make_simulation(short_builder.build_from_seed(0))
    with pytest.raises(RuntimeError, match="Simulation was not initialized!"):
        sim.propagate(DroneCommand.ctbr(physics.airframe.weight_n, (0.0, 0.0, 0.0)))


def test_propagate_after_end_raises(short_builder, make_simulation, run_episode, physics):
    sim = run_episode(make_simulation(short_builder.build_from_seed(0)), HoverPlanner())
    assert not sim.is_simulation_running()
    n = len(sim.history)
    with pytest.raises(RuntimeError, match="ended"):
        sim.propagate(DroneCommand.ctbr(physics.airframe.weight_n, (0.0, 0.0, 0.0)))
    assert len(sim.history) == n  # nothing was recorded


def test_propagate_rejects_non_commands(short_builder, make_simulation):
    sim = make_simulation(short_builder.build_from_seed(0))
    sim.initialize()
    with pytest.raises(TypeError, match="DroneCommand"):
        sim.propagate(np.zeros(4))  # type: ignore[arg-type]


def test_buffer_duration_shorter_than_step_raises(short_builder, make_simulation):
    with pytest.raises(ValueError, match="simulation_history_buffer_duration"):
        make_simulation(short_builder.build_from_seed(0), buffer_duration=0.01)


# ----------------------------------------------------------------------------- a full episode


def test_hover_episode_runs_to_the_end_of_the_clock(short_builder, make_simulation, run_episode, physics):
    scenario = short_builder.build_from_seed(0)  # 2 s, 101 iterations
    n_iter = scenario.get_number_of_iterations()
    assert n_iter == 101
    sim = make_simulation(scenario)
    planner = HoverPlanner()
    init = sim.initialize()
    assert isinstance(init, PlannerInitialization)
    assert init.scenario_name == scenario.name and init.physics is physics
    np.testing.assert_array_equal(init.waypoints, scenario.waypoints)
    assert init.time_step_s == scenario.time_step_s
    planner.initialize(init)
    steps = 0
    while sim.is_simulation_running():
        planner_input = sim.get_planner_input()
        assert planner_input.iteration == SimulationIteration(steps, steps * scenario.time_step_us)
        sim.propagate(planner.compute_planner_trajectory(planner_input))
        steps += 1
    tc = sim.setup.time_controller
    assert tc.reached_end()
    assert steps == n_iter - 1
    history = sim.history
    assert len(history) == n_iter - 1
    assert history.n_rows == n_iter  # the final state is recorded too
    np.testing.assert_array_equal(history.time_us, np.arange(n_iter) * scenario.time_step_us)
    final = sim.setup.ego_controller.get_state()
    assert history.last_state == final
    np.testing.assert_array_equal(history.states[-1], final.array)
    assert np.all(np.isnan(history.commands[-1])) and history.command_modes[-1] == -1
    assert np.all(np.isfinite(history.commands[:-1])) and np.all(history.command_modes[:-1] == 0)
    assert history.last_observation.crash_cause == "none" and not history.last_observation.completed
    # hover stays put
    assert np.max(np.abs(history.positions - scenario.initial_state.position)) < 1e-3
    # the samples are the rows
    sample = history[10]
    assert sample.iteration == SimulationIteration(10, 10 * scenario.time_step_us)
    np.testing.assert_array_equal(sample.drone_state.array, history.states[10])
    np.testing.assert_array_equal(sample.command.values, history.commands[10])
    assert len(list(history)) == n_iter - 1
    with pytest.raises(IndexError):
        history[n_iter - 1]


def test_history_arrays_are_read_only(short_builder, make_simulation, run_episode):
    sim = run_episode(make_simulation(short_builder.build_from_seed(0)), HoverPlanner())
    h = sim.history
    for name in ("time_us", "states", "positions", "commands", "command_modes", "active_index", "progress_m",
                 "distance_m", "crash"):
        arr = getattr(h, name)
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError):
            arr[...] = 0
    assert not h.last_state.array.flags.writeable


def test_crash_stops_the_simulation_early(short_builder, make_simulation, run_episode):
    """Motor mode, zero thrust, from 1 m: the drone hits the ground after about 0.45 s."""
    base = short_builder.build_from_seed(0)
    scenario = Scenario("drop", base.waypoints, DroneState.build((0.0, 0.0, 1.0)),
                        time_step_s=base.time_step_s, duration_s=base.duration_s)
    sim = run_episode(make_simulation(scenario), ZeroThrustPlanner())
    assert not sim.is_simulation_running()
    assert not sim.setup.time_controller.reached_end()
    obs = sim.history.last_observation
    assert obs.crashed and obs.crash_cause == "ground"
    steps = len(sim.history)
    t_ground = np.sqrt(2 * 1.0 / 9.81)
    assert steps == int(np.ceil(t_ground / scenario.time_step_s))
    assert sim.history.positions[-1, 2] < 0.0 <= sim.history.positions[-2, 2]
    with pytest.raises(RuntimeError):
        sim.propagate(DroneCommand.motor((0.0, 0.0, 0.0, 0.0)))


def test_waypoint_planner_completes_random_courses(builder, make_simulation, run_episode):
    results = []
    for seed in range(5):
        sim = run_episode(make_simulation(builder.build_from_seed(seed)), WaypointPlanner())
        obs = sim.history.last_observation
        results.append((seed, obs.waypoints_reached, obs.completed, obs.crash_cause, len(sim.history)))
        if obs.completed:
            assert not sim.is_simulation_running()
            assert sim.history.active_index[-1] == obs.n_waypoints
            assert np.all(np.diff(sim.history.active_index) >= 0)
    completed = sum(r[2] for r in results)
    assert completed >= 1, f"WaypointPlanner completed {completed}/5 courses: {results}"


def test_reset_and_reinitialize_repeat_the_episode(short_builder, make_simulation, run_episode):
    sim = make_simulation(short_builder.build_from_seed(3))
    run_episode(sim, WaypointPlanner())
    first = sim.history.states.copy()
    sim.reset()
    with pytest.raises(RuntimeError, match="Simulation was not initialized!"):
        sim.get_planner_input()
    assert len(sim.history) == 0
    assert sim.setup.time_controller.get_iteration().index == 0
    run_episode(sim, WaypointPlanner())
    np.testing.assert_array_equal(sim.history.states, first)


# ----------------------------------------------------------------------------- history buffer


@pytest.mark.parametrize("duration, size", [(0.02, 2), (0.1, 6), (0.2, 11), (0.05, 3), (1.0, 51)])
def test_buffer_size_from_duration(short_builder, make_simulation, duration, size):
    dt = 0.02
    assert size == int(duration / dt) + 1
    sim = make_simulation(short_builder.build_from_seed(0), buffer_duration=duration)
    sim.initialize()
    assert sim.history_buffer.size == size
    assert SimulationHistoryBuffer.from_duration(duration, dt).size == size


def test_buffer_rolls_and_holds_the_current_state(short_builder, make_simulation, physics):
    sim = make_simulation(short_builder.build_from_seed(0), buffer_duration=0.1)  # 6 samples
    sim.initialize()
    buf = sim.history_buffer
    assert len(buf) == 1
    command = DroneCommand.ctbr(physics.airframe.weight_n * 1.1, (0.0, 0.0, 0.0))
    for k in range(10):
        sim.propagate(command)
        assert len(buf) == min(k + 2, 6)
    state, obs = buf.current_state
    assert state == sim.setup.ego_controller.get_state()
    assert state == sim.history.last_state
    np.testing.assert_array_equal([s.array for s in buf.drone_states], sim.history.states[-6:])
    assert len(buf.observations) == 6


def test_buffer_validation():
    with pytest.raises(ValueError):
        SimulationHistoryBuffer(0)
    with pytest.raises(ValueError, match="too small"):
        SimulationHistoryBuffer.from_duration(0.01, 0.02)
    with pytest.raises(RuntimeError):
        SimulationHistoryBuffer(3).current_state  # noqa: B018
