"""Scenario validation and the seeded ScenarioBuilder."""

from __future__ import annotations

import numpy as np
import pytest

from simhops.config import load_config
from simhops.scenario import Scenario, ScenarioBuilder
from simhops.scenario.scenario_builder import DOME_MARGIN_M, seed_to_rng_state
from simhops.dynamics.state import DroneState

_EPS = 1e-9


def _start() -> DroneState:
    return DroneState.build((0.0, 0.0, 1.0))


# ----------------------------------------------------------------------------- builder: determinism


def test_same_seed_same_course(builder, default_cfg):
    a = builder.build_from_seed(123)
    b = builder.build_from_seed(123)
    c = ScenarioBuilder(default_cfg).build_from_seed(123)  # a fresh builder too
    np.testing.assert_array_equal(a.waypoints, b.waypoints)
    np.testing.assert_array_equal(a.waypoints, c.waypoints)
    assert a == b == c
    assert a.seed == 123 and a.name == b.name


def test_different_seeds_differ(builder):
    courses = [builder.build_from_seed(s).waypoints for s in range(50)]
    for i in range(len(courses)):
        for j in range(i + 1, len(courses)):
            assert not np.array_equal(courses[i], courses[j]), (i, j)
    assert builder.build_from_seed(0) != builder.build_from_seed(1)


def test_build_random_advances_the_state(builder):
    state = seed_to_rng_state(5)
    first = builder.build_random(state)
    second = builder.build_random(state)
    assert not np.array_equal(first.waypoints, second.waypoints)
    # the first draw from a fresh state of seed 5 is the course of seed 5
    np.testing.assert_array_equal(first.waypoints, builder.build_from_seed(5).waypoints)


def test_builder_scenario_fields(builder, default_cfg, physics):
    sc = builder.build_from_seed(0)
    cfg = default_cfg.scenario
    assert sc.waypoints.shape == (cfg.n_waypoints, 3) == (4, 3)
    assert sc.time_step_s == pytest.approx(1.0 / cfg.control_hz) and sc.time_step_us == 20_000
    assert sc.duration_s == cfg.duration_s == 20.0
    assert sc.get_number_of_iterations() == 1001
    assert sc.reach_radius_m == 0.2 and sc.dome_radius_m == 5.0
    s0 = sc.initial_state
    np.testing.assert_array_equal(s0.position, cfg.start_position_m)
    np.testing.assert_array_equal(s0.attitude, (1.0, 0.0, 0.0, 0.0))
    np.testing.assert_array_equal(s0.velocity, 0.0)
    np.testing.assert_allclose(s0.motor_thrusts, physics.airframe.hover_motor_thrust_n)


# ----------------------------------------------------------------------------- builder: constraints


def _check_constraints(builder: ScenarioBuilder, cfg, seeds) -> int:
    """Assert the course constraints for every seed; returns how many hops were clamped."""
    sc_cfg = cfg.scenario
    r_max = sc_cfg.dome_radius_m - min(DOME_MARGIN_M, 0.5 * sc_cfg.dome_radius_m)
    clamped = 0
    for seed in seeds:
        wp = builder.build_from_seed(seed).waypoints
        assert wp.shape == (sc_cfg.n_waypoints, 3)
        assert np.all(np.isfinite(wp))
        z = wp[:, 2]
        assert np.all(z >= sc_cfg.min_altitude_m - _EPS) and np.all(z <= sc_cfg.max_altitude_m + _EPS), seed
        assert np.all(np.linalg.norm(wp, axis=1) <= r_max + _EPS), seed
        prev = np.asarray(sc_cfg.start_position_m)
        for k, p in enumerate(wp):
            hop = float(np.linalg.norm(p - prev))
            if not sc_cfg.hop_min_m - _EPS <= hop <= sc_cfg.hop_max_m + _EPS:
                # only a clamped waypoint (after the rejection budget) may break the hop range;
                # a clamped one lies on the altitude band or the dome-minus-margin sphere
                on_boundary = (abs(p[2] - sc_cfg.min_altitude_m) < _EPS or abs(p[2] - sc_cfg.max_altitude_m) < _EPS
                               or abs(np.linalg.norm(p) - r_max) < 1e-7)
                assert on_boundary, f"seed {seed} waypoint {k}: hop {hop:.3f} m outside range and not clamped"
                clamped += 1
            prev = p
    return clamped


def test_course_constraints_hold_over_many_seeds(builder, default_cfg):
    clamped = _check_constraints(builder, default_cfg, range(500))
    assert clamped <= 5, f"{clamped} clamped hops in 2000: rejection sampling should almost never give up"


def test_course_constraints_hold_for_a_tight_config():
    cfg = load_config(overrides=["scenario.dome_radius_m=3.0", "scenario.min_altitude_m=0.3",
                                 "scenario.max_altitude_m=1.5", "scenario.hop_min_m=0.5", "scenario.hop_max_m=2.5",
                                 "scenario.n_waypoints=8", "scenario.start_position_m=[0.5,0,1]"])
    _check_constraints(ScenarioBuilder(cfg), cfg, range(200))


def test_seed_validation(builder):
    with pytest.raises(ValueError, match="seed"):
        builder.build_from_seed(-1)
    with pytest.raises(ValueError, match="rng_state"):
        builder.sample_waypoints(np.array([1], dtype=np.int64))


def test_track_from_yaml_file(builder, tmp_path):
    path = tmp_path / "line.yaml"
    path.write_text("name: line\nwaypoints: [[1, 0, 1], [2, 0, 1.5]]\nduration_s: 4.0\nstart_position_m: [0, 0, 0.5]\n")
    sc = builder.build_track(path)
    assert sc.name == "line" and sc.seed is None
    np.testing.assert_array_equal(sc.waypoints, [[1, 0, 1], [2, 0, 1.5]])
    assert sc.duration_s == 4.0 and sc.get_number_of_iterations() == 201
    np.testing.assert_array_equal(sc.initial_state.position, (0, 0, 0.5))
    with pytest.raises(FileNotFoundError, match="no_such_track"):
        builder.build_track("no_such_track")


# ----------------------------------------------------------------------------- Scenario validation


@pytest.mark.parametrize("waypoints", [np.zeros((3, 2)), np.zeros(3), np.zeros((0, 3)), np.zeros((2, 3, 1)),
                                       np.array([[0.0, np.nan, 1.0]]), np.array([[np.inf, 0.0, 1.0]])])
def test_bad_waypoints_name_the_field(waypoints):
    with pytest.raises(ValueError, match="waypoints"):
        Scenario("bad", waypoints, _start())


@pytest.mark.parametrize("time_step_s", [-0.02, 0.0, float("nan"), float("inf"), 1e-9])
def test_bad_time_step_names_the_field(time_step_s):
    with pytest.raises(ValueError, match="time_step_s"):
        Scenario("bad", np.ones((1, 3)), _start(), time_step_s=time_step_s)


@pytest.mark.parametrize("duration_s", [0.01, 0.0, -1.0, float("nan")])
def test_bad_duration_names_the_field(duration_s):
    with pytest.raises(ValueError, match="duration_s"):
        Scenario("bad", np.ones((1, 3)), _start(), time_step_s=0.02, duration_s=duration_s)


@pytest.mark.parametrize("field", ["reach_radius_m", "dome_radius_m"])
def test_bad_radii_name_the_field(field):
    with pytest.raises(ValueError, match=field):
        Scenario("bad", np.ones((1, 3)), _start(), **{field: -1.0})


def test_bad_initial_state_names_the_field():
    with pytest.raises(ValueError, match="initial_state"):
        Scenario("bad", np.ones((1, 3)), np.zeros(17))  # type: ignore[arg-type]


def test_waypoints_are_a_read_only_copy():
    wp = np.array([[1.0, 2.0, 1.0]])
    sc = Scenario("ro", wp, _start())
    wp[0, 0] = 99.0
    assert sc.waypoints[0, 0] == 1.0
    with pytest.raises(ValueError):
        sc.waypoints[0, 0] = 5.0
    assert sc.n_waypoints == 1 and sc.scenario_name == "ro"


def test_dict_round_trip(builder):
    sc = builder.build_from_seed(9)
    again = Scenario.from_dict(sc.to_dict())
    assert again == sc
    np.testing.assert_array_equal(again.waypoints, sc.waypoints)
    assert again.initial_state == sc.initial_state
