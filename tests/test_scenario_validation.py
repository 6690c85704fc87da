"""Scenario validates its waypoints and start (issue 7 §3) and hashes like it compares (issue 7 §4)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simhops.dynamics.state import DroneState
from simhops.scenario import Scenario
from simhops.scenario.scenario import number_of_iterations


def _start(position=(0.0, 0.0, 1.0)) -> DroneState:
    return DroneState.build(position)


@pytest.mark.parametrize("waypoints,message", [
    ([[1.0, 0.0, 1.0], [1.0, np.nan, 1.0]], r"Scenario\.waypoints must be finite \(row 1: \[1\.0, nan, 1\.0\]\)"),
    ([[1.0, 0.0, 1.0], [np.inf, 0.0, 1.0]], r"Scenario\.waypoints must be finite \(row 1"),
    ([[1.0, 0.0, -0.01]], r"Scenario\.waypoints must be at or above the ground, z >= 0 m \(row 0"),
    ([[1.0, 0.0, 1.0], [4.0, 3.0, 0.5]], r"Scenario\.waypoints must lie inside the dome, \|p\| <= dome_radius_m = "
                                         r"5\.0 m \(row 1: \[4\.0, 3\.0, 0\.5\], \|p\| = 5\.02494 m\)"),
])
def test_bad_waypoints_name_field_and_row(waypoints, message):
    with pytest.raises(ValueError, match=message):
        Scenario("bad", np.array(waypoints), _start())


def test_waypoints_on_the_ground_and_the_dome_surface_are_accepted():
    sc = Scenario("edge", np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 5.0]]), _start())
    assert sc.n_waypoints == 2
    # a larger dome admits far waypoints
    Scenario("far", np.array([[8.0, 0.0, 1.0]]), _start(), dome_radius_m=10.0)


@pytest.mark.parametrize("state,message", [
    (DroneState.from_array(np.r_[0.0, 0.0, 1.0, 1.0, 0, 0, 0, np.nan, np.zeros(9)]),
     r"Scenario\.initial_state must be finite \(non-finite entries \[7\]\)"),
    (_start((0.0, 0.0, -0.1)), r"Scenario\.initial_state must be at or above the ground, z >= 0 m"),
    (_start((5.0, 0.0, 1.0)), r"Scenario\.initial_state must lie inside the dome"),
])
def test_bad_initial_state_names_the_field(state, message):
    with pytest.raises(ValueError, match=message):
        Scenario("bad", np.array([[1.0, 0.0, 1.0]]), state)


def test_bool_time_step_is_rejected():
    with pytest.raises(ValueError, match="time_step_s"):
        Scenario("bad", np.array([[1.0, 0.0, 1.0]]), _start(), time_step_s=True)


def test_equal_scenarios_hash_alike(builder):
    a = builder.build_from_seed(3)
    b = builder.build_from_seed(3)
    c = builder.build_from_seed(4)
    assert a == b and hash(a) == hash(b)
    assert len({a, b, c}) == 2
    assert {a: 1}[b] == 1
    assert hash(Scenario.from_dict(a.to_dict())) == hash(a)
    # -0.0 == 0.0 in to_dict, so they must hash alike too
    wp = np.array([[1.0, 0.0, 1.0]])
    neg = wp.copy()
    neg[0, 1] = -0.0
    x, y = Scenario("z", wp, _start()), Scenario("z", neg, _start())
    assert x == y and hash(x) == hash(y)
    assert dataclasses.replace(a, duration_s=5.0) != a


@pytest.mark.parametrize("duration,step,expected", [(20.0, 0.02, 1001), (0.15, 0.1, 2), (0.5, 0.02, 26), (1.0, 1 / 7, 8)])
def test_number_of_iterations_is_the_scenario_formula(duration, step, expected):
    assert number_of_iterations(duration, step) == expected
    sc = Scenario("n", np.array([[1.0, 0.0, 1.0]]), _start(), time_step_s=step, duration_s=duration)
    assert sc.get_number_of_iterations() == expected
