"""Aggregation per family x condition x planner: Wilson intervals, outcome mix, time bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simhops.dynamics.physics.airframe import CF2X, GRAVITY_M_S2
from simhops.dynamics.state.drone_state import DroneState
from simhops.evaluation.aggregate import (
    combine_condition_summaries,
    course_rows,
    group_summary,
    group_table,
    outcome_of,
    summarize,
    wilson_interval,
)
from simhops.scenario.scenario import Scenario
from simhops.scenario.time_bound import (
    level_flight_acceleration_m_s2,
    min_time_lower_bound_s,
    rest_to_rest_time_s,
)
from simhops.simulation.runner.runner_report import RunnerReport


# ----------------------------------------------------------------------------- Wilson interval

@pytest.mark.parametrize("k,n,lo,hi", [
    # reference values: scipy.stats.binomtest(k, n).proportion_ci(method="wilson") (scipy 1.17), 6 decimals
    (10, 10, 0.722467, 1.0),
    (0, 10, 0.0, 0.277533),
    (99, 100, 0.945514, 0.998233),
    (50, 100, 0.403832, 0.596168),
    (1, 2, 0.094531, 0.905469),
])
def test_wilson_known_values(k, n, lo, hi):
    a, b = wilson_interval(k, n)
    assert a == pytest.approx(lo, abs=2e-6) and b == pytest.approx(hi, abs=2e-6)


def test_wilson_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for k, n in [(0, 1), (3, 7), (997, 1000), (1000, 1000), (12, 40)]:
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson_interval(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_wilson_errors():
    with pytest.raises(ValueError, match="n must be >= 1"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(5, 4)


# ----------------------------------------------------------------------------- time bounds

def _scenario(name: str, waypoints, velocity=(0.0, 0.0, 0.0)) -> Scenario:
    init = DroneState.build((0.0, 0.0, 1.0), velocity=velocity)
    return Scenario(name=name, waypoints=np.asarray(waypoints, dtype=float), initial_state=init, dome_radius_m=10.0)


def test_level_flight_acceleration():
    twr = CF2X.thrust_to_weight
    assert 1.5 < twr < 2.5  # the identified cf2x: T_max 4 x 0.12 N over 0.027 kg x g
    assert level_flight_acceleration_m_s2(CF2X) == pytest.approx(GRAVITY_M_S2 * math.sqrt(twr ** 2 - 1))


def test_point_mass_bounds_by_hand():
    a = level_flight_acceleration_m_s2(CF2X)
    s = _scenario("x/a", [[3.0, 0.0, 1.0], [3.0, 4.0, 1.0]])  # legs 3 m and 4 m, reach radius 0.2
    length = (3.0 - 0.2) + (4.0 - 0.4)
    assert min_time_lower_bound_s(s, CF2X) == pytest.approx(math.sqrt(2 * length / a))
    assert rest_to_rest_time_s(s, CF2X) == pytest.approx(2 * math.sqrt(3 / a) + 2 * math.sqrt(4 / a))
    # an initial speed lowers the bound: L = v0 t + a t^2 / 2
    moving = _scenario("x/b", [[3.0, 0.0, 1.0], [3.0, 4.0, 1.0]], velocity=(2.0, 0.0, 0.0))
    t = min_time_lower_bound_s(moving, CF2X)
    assert 2.0 * t + 0.5 * a * t * t == pytest.approx(length)
    assert t < min_time_lower_bound_s(s, CF2X) < rest_to_rest_time_s(s, CF2X)


def test_bound_is_below_the_classical_planner():
    """The bound must never exceed what a real closed loop achieves."""
    from simhops.scenario.benchmark import build_benchmark
    from simhops.simulation.metrics.course_metrics import time_to_complete_s
    from simhops.simulation.planner.cascaded_pid_planner import CascadedPIDPlanner
    from simhops.simulation.runner.simulation_task import SimulationTask

    for s in build_benchmark("benchmark-v0")[:6]:
        h = SimulationTask(s, CascadedPIDPlanner(), keep_history=True).run().history
        assert time_to_complete_s(h) > min_time_lower_bound_s(s, CF2X)


# ----------------------------------------------------------------------------- groups

def _report(scenario: str, planner: str = "P", succeeded: bool = True, **metrics) -> RunnerReport:
    return RunnerReport(succeeded=succeeded, error_message=None if succeeded else "boom", start_time=0.0,
                        end_time=1.0, planner_name=planner, scenario_name=scenario, log_name="x",
                        metrics=metrics if succeeded else {})


def _m(success: bool, crashed: bool = False, ttc: float | None = None, tilt: float = 0.5, jerk: float = 50.0):
    return dict(success=success, crashed=crashed, time_to_complete_s=ttc if success else float("nan"),
                max_tilt_rad=tilt, body_rate_jerk_rad_s3=jerk, n_waypoints=2, waypoints_reached=2 if success else 1)


def test_outcomes():
    assert outcome_of(_report("a", **_m(True, ttc=3.0))) == "completed"
    assert outcome_of(_report("a", **_m(False, crashed=True))) == "crashed"
    assert outcome_of(_report("a", **_m(False))) == "timeout"
    assert outcome_of(_report("a", succeeded=False)) == "failed"


def test_group_summary_per_family_condition_planner():
    scen = {f"benchmark-v1/{fam}/{i:03d}": _scenario(f"benchmark-v1/{fam}/{i:03d}", [[2.0, 0.0, 1.0], [2.0, 2.0, 1.0]])
            for fam in ("long_legs", "k8") for i in range(4)}
    reports = [
        _report("benchmark-v1/long_legs/000", **_m(True, ttc=4.0, tilt=0.4, jerk=10.0)),
        _report("benchmark-v1/long_legs/001", **_m(True, ttc=6.0, tilt=0.6, jerk=30.0)),
        _report("benchmark-v1/long_legs/002", **_m(False, crashed=True, tilt=1.6)),
        _report("benchmark-v1/long_legs/003", **_m(False)),
        _report("benchmark-v1/k8/000", **_m(True, ttc=5.0)),
        _report("benchmark-v1/k8/001", **_m(True, ttc=5.0)),
        _report("benchmark-v1/k8/002", **_m(True, ttc=5.0)),
        _report("benchmark-v1/k8/003", succeeded=False),
    ]
    rows = course_rows(reports, list(scen.values()), condition="wind_3ms")
    groups = group_summary(rows)
    assert [(g["family"], g["condition"], g["planner"]) for g in groups] == [
        ("long_legs", "wind_3ms", "P"), ("k8", "wind_3ms", "P"), ("all", "wind_3ms", "P")]
    ll, k8, alll = groups
    assert ll["n"] == 4 and ll["success_rate"] == 0.5
    assert ll["success_ci95"] == pytest.approx(list(wilson_interval(2, 4)))
    assert ll["outcomes"] == {"completed": 2, "crashed": 1, "timeout": 1, "failed": 0}
    assert ll["crash_rate"] == 0.25 and ll["timeout_rate"] == 0.25
    assert ll["mean_time_to_complete_s"] == pytest.approx(5.0)
    assert ll["mean_max_tilt_rad"] == pytest.approx((0.4 + 0.6 + 1.6 + 0.5) / 4)
    assert ll["max_max_tilt_rad"] == pytest.approx(1.6)
    assert ll["mean_body_rate_jerk_rad_s3"] == pytest.approx((10 + 30 + 50 + 50) / 4)
    bound = min_time_lower_bound_s(next(iter(scen.values())), CF2X)
    assert ll["mean_time_bound_s"] == pytest.approx(bound)
    assert ll["mean_time_ratio"] == pytest.approx((4.0 / bound + 6.0 / bound) / 2)
    assert k8["outcomes"]["failed"] == 1 and k8["success_rate"] == 0.75
    assert alll["n"] == 8 and alll["success_rate"] == pytest.approx(5 / 8)


def test_summarize_has_ci_and_groups_and_combines():
    reports = [_report("benchmark-v0/random_000", **_m(True, ttc=3.0)), _report("benchmark-v0/square", **_m(False))]
    s = summarize(reports)
    assert s["success_ci95"] == pytest.approx(list(wilson_interval(1, 2)))
    assert {g["family"] for g in s["groups"]} == {"random", "tracks", "all"}
    assert all(g["mean_time_bound_s"] is None for g in s["groups"])  # no scenarios given
    s2 = dict(summarize(reports, condition="latency_1"), condition="latency_1")
    both = combine_condition_summaries([dict(s, condition="nominal"), s2])
    assert both["conditions"] == ["nominal", "latency_1"]
    assert {g["condition"] for g in both["groups"]} == {"nominal", "latency_1"}
    assert "groups" not in both["per_condition"]["nominal"]
    table = group_table(both["groups"])
    assert table.row_count == len(both["groups"])
    with pytest.raises(ValueError, match="no summaries"):
        combine_condition_summaries([])
