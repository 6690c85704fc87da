"""RaptorPlanner (``--planner raptor``): the RAPTOR foundation policy flying simhops courses.

The interface checks (observation layout, rotor-speed -> thrust mapping, motor order against
the mixer, the 100 Hz requirement) need no extra package; the closed-loop checks need
``foundation-policy`` (``pip install 'simhops[raptor]'``) and are skipped without it.
"""

from __future__ import annotations

import importlib.util
import pickle

import numpy as np
import pytest

from simhops.config import SimHopsConfig, load_config
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.dynamics.state.drone_state import DroneState
from simhops.evaluation.planner_factory import build_planner
from simhops.scenario.benchmark import build_benchmark
from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.planner.raptor_planner import (RaptorPlanner, hover_action, raptor_observation,
                                                       rotor_thrusts_n)
from simhops.simulation.simulation import Simulation
from simhops.simulation.simulation_setup import build_simulation_setup

HAVE_RAPTOR = importlib.util.find_spec("foundation_policy") is not None
needs_raptor = pytest.mark.skipif(not HAVE_RAPTOR, reason="foundation-policy is not installed "
                                                          "(pip install 'simhops[raptor]')")


@pytest.fixture(scope="module")
def cfg100():
    return load_config(None, ["scenario.control_hz=100"])


@pytest.fixture(scope="module")
def physics100(cfg100) -> PhysicsParams:
    return PhysicsParams.from_config(cfg100)


@pytest.fixture(scope="module")
def courses100(cfg100):
    return build_benchmark("benchmark-v0", cfg100)


def fly(scenario, planner, physics: PhysicsParams, seed: int = 1) -> tuple[bool, bool, Simulation]:
    """Closed loop on the real plant; returns (completed, crashed, simulation)."""
    sim = Simulation(build_simulation_setup(scenario, physics, np.array([seed], dtype=np.uint64)))
    planner.initialize(sim.initialize())
    while sim.is_simulation_running():
        sim.propagate(planner.compute_trajectory(sim.get_planner_input()))
    progress = sim.history_buffer.current_state[1]
    return bool(progress.completed), bool(progress.crashed), sim


# ---------------------------------------------------------------------------------------------- interface
def test_observation_layout_and_position_cap():
    rot = np.arange(9.0).reshape(3, 3)
    obs = raptor_observation(np.array([3.0, 0.0, -4.0]), rot, np.array([1.0, 2.0, 3.0]),
                             np.array([0.1, 0.2, 0.3]), np.array([-1.0, 0.0, 0.5, 1.0]), 1.0)
    assert obs.shape == (1, 22)
    np.testing.assert_allclose(obs[0, :3], [0.6, 0.0, -0.8])  # |e| = 5 m scaled to 1 m, direction kept
    np.testing.assert_array_equal(obs[0, 3:12], np.arange(9.0))  # row-major R
    np.testing.assert_array_equal(obs[0, 12:15], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(obs[0, 15:18], [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(obs[0, 18:22], [-1.0, 0.0, 0.5, 1.0])
    uncapped = raptor_observation(np.array([3.0, 0.0, -4.0]), rot, np.zeros(3), np.zeros(3), np.zeros(4), None)
    np.testing.assert_array_equal(uncapped[0, :3], [3.0, 0.0, -4.0])
    inside = raptor_observation(np.array([0.3, 0.0, 0.4]), rot, np.zeros(3), np.zeros(3), np.zeros(4), 1.0)
    np.testing.assert_array_equal(inside[0, :3], [0.3, 0.0, 0.4])


def test_rotor_speed_to_thrust_is_quadratic():
    t_max = 0.15
    np.testing.assert_allclose(rotor_thrusts_n(np.array([-1.0, 0.0, 1.0, 3.0]), t_max),
                               [0.0, t_max / 4.0, t_max, t_max])  # u = 0, 1/2, 1, clipped to 1
    af = PhysicsParams.from_config(SimHopsConfig()).airframe
    a = hover_action(af.hover_motor_thrust_n, af.max_motor_thrust_n)
    np.testing.assert_allclose(rotor_thrusts_n(np.full(4, a), af.max_motor_thrust_n), af.hover_motor_thrust_n)


def test_motor_order_is_raptors(physics100, courses100):
    """RAPTOR's actions are front-right, back-right, back-left, front-left with rotor torque directions
    -z, +z, -z, +z (l2f's crazyflie.h): raising one motor above hover must turn the drone about
    the axes a rotor at that corner turns it, i.e. simhops's m0..m3 are those corners."""
    corners = {0: (+1, -1, -1), 1: (-1, -1, +1), 2: (-1, +1, -1), 3: (+1, +1, +1)}  # (x, y, torque dir)
    af = physics100.airframe
    for i, (sx, sy, sz) in corners.items():
        pos = af.motor_positions_m()[i]
        assert np.sign(pos[0]) == sx and np.sign(pos[1]) == sy
        sim = Simulation(build_simulation_setup(courses100[0], physics100, np.array([1], dtype=np.uint64)))
        sim.initialize()
        thrusts = np.full(4, af.hover_motor_thrust_n)
        thrusts[i] *= 1.3
        sim.propagate(DroneCommand.motor(thrusts))
        rates = sim.history_buffer.current_state[0].body_rates
        # torque r x F with F = +z: tau_x = y F, tau_y = -x F; yaw from the rotor's drag torque
        assert np.sign(rates[0]) == sy and np.sign(rates[1]) == -sx and np.sign(rates[2]) == sz, (i, rates)


def test_factory_requires_100_hz():
    with pytest.raises(ValueError, match=r"scenario\.control_hz=100"):
        build_planner("raptor")  # default config: 50 Hz
    with pytest.raises(ValueError, match=r"scenario\.control_hz=100"):
        build_planner("raptor-uncapped", cfg=load_config(None, ["scenario.control_hz=200"]))


def test_initialize_rejects_other_control_periods(physics100):
    scenario = build_benchmark("benchmark-v0")[0]  # 50 Hz
    sim = Simulation(build_simulation_setup(scenario, PhysicsParams.from_config(SimHopsConfig()),
                                            np.array([1], dtype=np.uint64)))
    with pytest.raises(ValueError, match=r"10 ms control period.*scenario\.control_hz=100"):
        RaptorPlanner().initialize(sim.initialize())


@pytest.mark.parametrize("kwargs", [{"max_position_error_m": 0.0}, {"max_position_error_m": float("nan")},
                                    {"initial_action": "random"}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="RaptorPlanner"):
        RaptorPlanner(**kwargs)


# ---------------------------------------------------------------------------------------------- closed loop
@needs_raptor
def test_factory_builds_capped_and_uncapped(cfg100):
    assert build_planner("raptor", cfg=cfg100).max_position_error_m == 1.0
    assert build_planner("raptor-uncapped", cfg=cfg100).max_position_error_m is None


@needs_raptor
def test_holds_hover_at_a_waypoint(physics100, courses100):
    """Started in hover on the first waypoint (reach radius 1 um, so the course never ends), the
    policy stays there: no drift, no yaw spin (a wrong motor order or yaw sign would diverge)."""
    import dataclasses

    base = courses100[0]
    wp = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    scenario = dataclasses.replace(base, waypoints=wp, reach_radius_m=1e-6, duration_s=3.0,
                                   initial_state=DroneState.hover(wp[0], physics100.airframe.hover_motor_thrust_n))
    done, crashed, sim = fly(scenario, RaptorPlanner(), physics100)
    states = [DroneState.from_array(row) for row in np.asarray(sim.history.states)]
    late = np.array([s.position for s in states[len(states) // 2:]])
    assert not crashed and not done
    assert np.max(np.linalg.norm(late - wp[0], axis=1)) < 0.1
    assert np.max(np.abs([s.body_rates[2] for s in states])) < 1.0


@needs_raptor
def test_capped_policy_completes_courses_the_uncapped_one_crashes(physics100, courses100):
    """On the 4 named tracks + 8 random courses of benchmark-v0: capped at 1 m the policy completes
    every one; seeing the whole leg as position error it dives into the ground on some (on all 100
    courses: 100 % vs 53 % success)."""
    courses = courses100[:12]
    capped = [fly(s, RaptorPlanner(1.0), physics100) for s in courses]
    assert [s.name for s, (done, _, _) in zip(courses, capped) if not done] == []
    uncapped = [fly(s, RaptorPlanner(None), physics100) for s in courses]
    assert any(crashed for _, crashed, _ in uncapped)


@needs_raptor
def test_planner_pickles_without_its_policy(physics100, courses100):
    p = RaptorPlanner()
    done, _, _ = fly(courses100[0], p, physics100)
    q = pickle.loads(pickle.dumps(p))
    assert q._policy is None and done
    assert fly(courses100[0], q, physics100)[0]


@needs_raptor
def test_cli_runs_raptor_with_conditions(tmp_path, capsys):
    from simhops.evaluation.cli import main

    rc = main(["eval", "--planner", "raptor", "--scenarios", "square", "--conditions", "nominal,wind_3ms",
               "--output-dir", str(tmp_path / "out"), "--no-progress", "scenario.control_hz=100"])
    assert rc == 0
    assert (tmp_path / "out" / "nominal" / "summary.json").is_file()
    assert (tmp_path / "out" / "wind_3ms" / "summary.json").is_file()
