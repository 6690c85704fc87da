"""Metrics on hand-made histories with known answers, and the MetricsEngine / MetricCallback."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from simhops.config import load_config
from simhops.scenario.benchmark import build_benchmark
from simhops.scenario.scenario import Scenario
from simhops.simulation.callback.metric_callback import MetricCallback
from simhops.simulation.history.history_io import history_arrays, history_from_arrays
from simhops.dynamics.kernels.layout import CRASH_GROUND, MODE_CTBR, MOTORS, QUAT, RATES, STATE_DIM, VEL
from simhops.simulation.metrics import course_metrics as cm
from simhops.simulation.metrics import dynamics_metrics as dm
from simhops.simulation.metrics import path_metrics as pm
from simhops.simulation.metrics.metric_engine import DEFAULT_METRICS, MetricsEngine
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.planner.waypoint_planner import WaypointPlanner
from simhops.simulation.runner.simulation_task import SimulationTask
from simhops.dynamics.state.drone_state import DroneState

DT = 0.02
PHYS = PhysicsParams()


def make_history(positions, waypoints, *, quats=None, velocities=None, rates=None, commands=None, crash=None,
                 reach_radius=0.2):
    """A SimulationHistory of T rows at 50 Hz; waypoints are reached in order within ``reach_radius``."""
    p = np.asarray(positions, dtype=float)
    t_rows = p.shape[0]
    wp = np.asarray(waypoints, dtype=float)
    sc = Scenario("hand/made", wp, DroneState.hover(p[0], 0.0663), time_step_s=DT, duration_s=(t_rows - 1) * DT,
                  reach_radius_m=reach_radius, dome_radius_m=10.0)  # waypoints up to 6 m out (no metric reads the dome)
    states = np.zeros((t_rows, STATE_DIM))
    states[:, 0:3] = p
    states[:, QUAT] = 1.0
    if quats is not None:
        states[:, QUAT:QUAT + 4] = quats
    if velocities is not None:
        states[:, VEL:VEL + 3] = velocities
    if rates is not None:
        states[:, RATES:RATES + 3] = rates
    states[:, MOTORS:MOTORS + 4] = 0.0663
    active = np.zeros(t_rows, dtype=np.int64)
    a = 0
    for k in range(t_rows):
        while a < wp.shape[0] and np.linalg.norm(p[k] - wp[a]) <= reach_radius:
            a += 1
        active[k] = a
    cmds = np.full((t_rows, 4), np.nan)
    modes = np.full(t_rows, -1, dtype=np.int8)
    cmds[:-1] = commands if commands is not None else [PHYS.airframe.weight_n, 0.0, 0.0, 0.0]
    modes[:-1] = MODE_CTBR
    arrays = {
        "time_us": np.arange(t_rows, dtype=np.int64) * int(DT * 1e6), "states": states, "commands": cmds,
        "command_modes": modes, "active_index": active, "progress_m": np.zeros(t_rows),
        "distance_m": np.zeros(t_rows), "crash": np.zeros(t_rows, dtype=np.int8) if crash is None else crash,
    }
    return history_from_arrays(sc, arrays, n_samples=t_rows - 1, has_last_state=True)


def straight_line(n=301, length=3.0, z=1.0, speed=None):
    x = np.linspace(0.0, length, n)
    p = np.c_[x, np.zeros(n), np.full(n, z)]
    v = np.zeros((n, 3))
    v[:, 0] = speed if speed is not None else length / ((n - 1) * DT)
    return p, v


class TestStraightLine:
    """Fly 3 m along x at constant speed through waypoints at x = 1, 2, 3."""

    @pytest.fixture()
    def h(self):
        p, v = straight_line()
        return make_history(p, [[1, 0, 1], [2, 0, 1], [3, 0, 1]], velocities=v)

    def test_course(self, h):
        assert cm.success(h) is True and cm.waypoints_reached(h) == 3
        # x_k = 0.01 k; waypoint j is reached at x = j - 0.2 -> row 100 j - 20 (t = 2 j - 0.4 s)
        assert list(cm.reach_rows(h)) == [80, 180, 280]
        assert cm.time_to_complete_s(h) == pytest.approx(5.6)
        assert cm.time_per_hop_s(h) == pytest.approx(5.6 / 3)
        assert cm.crashed(h) is False and cm.crash_cause(h) == "none"
        assert cm.episode_time_s(h) == pytest.approx(6.0) and cm.n_steps(h) == 300

    def test_path(self, h):
        assert pm.path_length_m(h) == pytest.approx(3.0)
        assert pm.path_efficiency(h) == pytest.approx(1.0)
        # on the line; only right after a reach (x in [0.8, 1) and [1.8, 2)) the drone is short of the new
        # leg's start (the waypoint): error 1 - x there, i.e. up to the reach radius
        err = pm.tracking_errors_m(h)
        assert err.shape == (280,)
        expected = np.zeros(280)
        expected[80:100] = 1.0 - 0.01 * np.arange(80, 100)
        expected[180:200] = 2.0 - 0.01 * np.arange(180, 200)
        assert err == pytest.approx(expected, abs=1e-12)
        assert pm.max_tracking_error_m(h) == pytest.approx(0.2)
        assert pm.mean_tracking_error_m(h) == pytest.approx(4.2 / 280)

    def test_dynamics(self, h):
        assert dm.max_speed_m_s(h) == pytest.approx(0.5)
        assert dm.max_tilt_rad(h) == pytest.approx(0.0, abs=1e-12)
        assert dm.body_rate_jerk_rad_s3(h) == pytest.approx(0.0, abs=1e-12)
        hover = PHYS.airframe.weight_n / PHYS.airframe.max_collective_thrust_n * 2 - 1
        assert dm.control_effort(h) == pytest.approx(hover ** 2 / 4)

    def test_engine(self, h):
        out = MetricsEngine.default().compute(h)
        assert list(out) == list(DEFAULT_METRICS)
        assert out["success"] is True and out["waypoints_reached"] == 3 and out["path_efficiency"] == pytest.approx(1)
        for v in out.values():
            assert type(v) in (bool, int, float, str)


def test_lateral_bump_tracking_error():
    # start (0,0,1) -> (2,0,1) -> (4,0,1) along x, with a 0.3 m sideways bump for 0.5 < x < 1.5
    p, _ = straight_line(n=401, length=4.0)
    bump = (p[:, 0] > 0.5) & (p[:, 0] < 1.5)
    p[bump, 1] = 0.3
    h = make_history(p, [[2, 0, 1], [4, 0, 1]])
    assert cm.success(h)
    err = pm.tracking_errors_m(h)
    n = cm.reach_rows(h)[-1]
    assert err.shape == (n,)  # rows before completion
    x = p[:n, 0]
    expected = np.where(bump[:n], 0.3, np.where((x >= 1.8) & (x < 2.0), 2.0 - x, 0.0))
    assert err == pytest.approx(expected, abs=1e-12)
    assert pm.max_tracking_error_m(h) == pytest.approx(0.3)
    assert pm.mean_tracking_error_m(h) == pytest.approx(expected.mean())
    assert pm.path_length_m(h) == pytest.approx(4.0 - 0.02 + 2 * math.hypot(0.01, 0.3), rel=1e-9)
    assert 0.8 < pm.path_efficiency(h) < 1.0


def test_tracking_error_uses_the_previous_waypoint_as_leg_start():
    # L-shaped course: start (0,0,1) -> (1,0,1) -> (1,1,1); at (1.1, 0.5) on leg 2 the error is 0.1
    p = np.array([[0, 0, 1], [1.0, 0, 1], [1.1, 0.5, 1], [1.1, 0.6, 1]])
    h = make_history(p, [[1, 0, 1], [1, 1, 1]], reach_radius=0.05)
    assert list(h.active_index) == [0, 1, 1, 1]
    assert list(pm.tracking_errors_m(h)) == pytest.approx([0.0, 0.0, 0.1, 0.1])


def test_known_tilt_and_jerk():
    n = 51
    p, _ = straight_line(n=n, length=0.0)
    angle = np.linspace(0.0, 0.3, n)
    quats = np.c_[np.cos(angle / 2), np.sin(angle / 2), np.zeros(n), np.zeros(n)]  # roll about x
    t = np.arange(n) * DT
    rates = np.c_[t ** 2, np.zeros(n), np.zeros(n)]  # d^2/dt^2 = 2 rad/s^3
    h = make_history(p, [[2, 0, 1]], quats=quats, rates=rates)
    assert dm.max_tilt_rad(h) == pytest.approx(0.3)
    assert dm.body_rate_jerk_rad_s3(h) == pytest.approx(2.0, rel=1e-6)


def test_incomplete_and_crashed():
    p, v = straight_line(n=101, length=1.0)
    crash = np.zeros(101, dtype=np.int8)
    crash[-1] = CRASH_GROUND
    h = make_history(p, [[5, 0, 1], [6, 0, 1]], velocities=v, crash=crash)
    assert cm.success(h) is False and cm.waypoints_reached(h) == 0
    assert math.isnan(cm.time_to_complete_s(h)) and math.isnan(cm.time_per_hop_s(h))
    assert math.isnan(pm.path_efficiency(h))
    assert cm.crashed(h) is True and cm.crash_cause(h) == "ground"
    assert pm.path_length_m(h) == pytest.approx(1.0)


def test_non_finite_rows_are_skipped():
    p, v = straight_line(n=101, length=1.0)
    p[-1] = np.nan
    v[-1] = np.nan
    h = make_history(p, [[5, 0, 1]], velocities=v)
    assert pm.path_length_m(h) == pytest.approx(0.99)
    assert dm.max_speed_m_s(h) == pytest.approx(0.5)
    assert np.isfinite(pm.mean_tracking_error_m(h))


def test_control_effort_motor_mode_and_physics():
    p, _ = straight_line(n=11, length=0.1)
    h = make_history(p, [[5, 0, 1]], commands=[PHYS.airframe.weight_n, 5.0, -5.0, 0.0])
    a0 = PHYS.airframe.weight_n / PHYS.airframe.max_collective_thrust_n * 2 - 1
    assert dm.control_effort(h) == pytest.approx((a0 ** 2 + 2) / 4)
    slow = PhysicsParams(max_body_rate_rad_s=(10.0, 10.0, 2.0))
    assert dm.control_effort(h, slow) == pytest.approx((a0 ** 2 + 0.5) / 4)
    engine = MetricsEngine.default(slow)
    assert engine.compute(h)["control_effort"] == pytest.approx((a0 ** 2 + 0.5) / 4)


def test_engine_names_and_errors():
    e = MetricsEngine([cm.success, functools.partial(dm.control_effort, physics=PHYS)])
    assert e.names == ["success", "control_effort"]
    with pytest.raises(ValueError, match="duplicate"):
        MetricsEngine([cm.success, cm.success])
    p, _ = straight_line(n=11)
    with pytest.raises(TypeError, match="must return"):
        MetricsEngine({"bad": lambda h: [1, 2]}).compute(make_history(p, [[5, 0, 1]]))


def test_metric_callback_on_a_real_run_does_not_touch_the_history():
    sc = build_benchmark(cfg=load_config(overrides=["scenario.duration_s=8"]))[4]
    cb = MetricCallback()
    report = SimulationTask(sc, WaypointPlanner(), cb, keep_history=True).run()
    h = report.history
    before = {k: a.copy() for k, a in history_arrays(h).items()}
    again = MetricCallback()
    again.on_simulation_end(None, None, h)
    for k, a in history_arrays(h).items():
        assert np.array_equal(a, before[k], equal_nan=True)
        assert not a.flags.writeable
    res = cb.results[sc.name]
    assert repr(res) == repr(again.results[sc.name]) == repr(report.metrics)
    assert res["success"] and res["waypoints_reached"] == 4 and not res["crashed"]
    assert 0.5 < res["path_efficiency"] <= 1.0
    assert res["time_to_complete_s"] == pytest.approx(res["episode_time_s"])
    assert 0 < res["mean_tracking_error_m"] < res["max_tracking_error_m"] < 0.5
    assert 0.5 < res["max_speed_m_s"] < 3 and 0 < res["max_tilt_rad"] < 0.7
    # nothing else is stored, and no history (gotcha 13): only scalar metric dicts
    assert set(vars(cb)) == {"metric_engine", "results", "latest", "max_results", "output_directory"}
    assert cb.latest is cb.results[sc.name]
