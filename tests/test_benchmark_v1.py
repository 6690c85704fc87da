"""benchmark-v1 is frozen, deterministic, and every family satisfies its definition."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from simhops.config import load_config
from simhops.scenario.benchmark import available_benchmarks, benchmark_fingerprint, build_benchmark
from simhops.scenario.course_families import (
    BENCHMARK_V1_FAMILIES,
    MIN_WAYPOINT_Z_M,
    build_family,
    scenario_family,
)

#: changes only when benchmark-v1 changes - which it must not (make a benchmark-v2 instead)
BENCHMARK_V1_SHA256 = "e556773f094e0983175f18018fdfdca2245dd1fd582dae496312baf84a0febf9"


@pytest.fixture(scope="module")
def bench():
    return build_benchmark("benchmark-v1")


@pytest.fixture(scope="module")
def by_family(bench):
    out = defaultdict(list)
    for s in bench:
        out[scenario_family(s.name)].append(s)
    return out


def _hops(s) -> np.ndarray:
    pts = np.vstack([s.initial_state.position, s.waypoints])
    return np.linalg.norm(np.diff(pts, axis=0), axis=1)


def _dz(s) -> np.ndarray:
    pts = np.vstack([s.initial_state.position, s.waypoints])
    return np.diff(pts[:, 2])


def test_composition(bench, by_family):
    assert "benchmark-v1" in available_benchmarks()
    names = [s.name for s in bench]
    assert len(bench) == 1000 and len(set(names)) == 1000
    assert sum(f.size for f in BENCHMARK_V1_FAMILIES) == 1000
    assert list(by_family) == [f.name for f in BENCHMARK_V1_FAMILIES]
    for f in BENCHMARK_V1_FAMILIES:
        courses = by_family[f.name]
        assert [s.name for s in courses] == [f"benchmark-v1/{f.name}/{i:03d}" for i in range(f.size)]
        assert all(s.n_waypoints == f.n_waypoints and s.duration_s == f.duration_s for s in courses)
    for s in bench:
        assert (s.time_step_s, s.reach_radius_m, s.dome_radius_m) == (0.02, 0.2, 5.0)
        assert np.all(np.linalg.norm(s.waypoints, axis=1) <= 4.0 + 1e-9)  # 1 m inside the dome
        assert np.all(s.waypoints[:, 2] >= MIN_WAYPOINT_Z_M - 1e-9)


def test_deterministic_and_frozen(bench):
    again = build_benchmark("benchmark-v1")
    assert again == bench
    assert all(np.array_equal(a.initial_state.array, b.initial_state.array) for a, b in zip(again, bench))
    assert benchmark_fingerprint(again, full=True) == benchmark_fingerprint(bench, full=True) == BENCHMARK_V1_SHA256


def test_benchmark_v0_unchanged():
    from test_benchmark import BENCHMARK_V0_SHA256

    assert benchmark_fingerprint(build_benchmark("benchmark-v0")) == BENCHMARK_V0_SHA256


def test_random_hops_k8_k12(by_family):
    for fam, k in (("random_hops", 4), ("k8", 8), ("k12", 12)):
        for s in by_family[fam]:
            h = _hops(s)
            assert h.shape == (k,)
            # the kernel clamps a candidate after 256 rejections; allow that rare case to be shorter
            assert np.mean((h >= 1.0 - 1e-9) & (h <= 3.0 + 1e-9)) >= 0.9, s.name
            assert np.all((s.waypoints[:, 2] >= 0.5 - 1e-9) & (s.waypoints[:, 2] <= 3.0 + 1e-9))


def test_long_legs(by_family):
    for s in by_family["long_legs"]:
        h = _hops(s)
        assert np.all((h >= 3.0 - 1e-9) & (h <= 8.0 + 1e-9)), (s.name, h)
    assert max(_hops(s).max() for s in by_family["long_legs"]) > 6.5  # really across the dome


@pytest.mark.parametrize("family,sign", [("steep_descents", -1.0), ("steep_climbs", 1.0)])
def test_steep(by_family, family, sign):
    for s in by_family[family]:
        dz = _dz(s)[1:]  # the hops between waypoints
        assert np.sum(sign * dz >= 2.0) >= 2, (s.name, dz)
        assert np.all(np.abs(dz) >= 2.0)


def test_near_ground_and_ceiling(by_family):
    for s in by_family["near_ground"]:
        assert np.all((s.waypoints[:, 2] >= 0.25 - 1e-9) & (s.waypoints[:, 2] <= 0.35 + 1e-9)), s.name
        assert np.all((_hops(s)[1:] >= 1.0 - 1e-9) & (_hops(s)[1:] <= 3.0 + 1e-9))
    for s in by_family["near_ceiling"]:
        assert np.all((s.waypoints[:, 2] >= 2.7 - 1e-9) & (s.waypoints[:, 2] <= 3.0 + 1e-9)), s.name


def test_tight_clusters(by_family):
    for s in by_family["tight_clusters"]:
        h = _hops(s)
        assert 1.0 - 1e-9 <= h[0] <= 3.0 + 1e-9
        assert np.all((h[1:] >= 0.25 - 1e-9) & (h[1:] < 0.5 + 1e-9)), (s.name, h)


def test_moving_start(by_family, bench):
    for s in by_family["moving_start"]:
        speed = float(np.linalg.norm(s.initial_state.velocity))
        assert 0.5 - 1e-9 <= speed <= 2.0 + 1e-9
        assert 0.1 - 1e-9 <= s.initial_state.tilt_rad() <= 0.5 + 1e-9
    others = [s for s in bench if scenario_family(s.name) != "moving_start"]
    assert all(np.linalg.norm(s.initial_state.velocity) == 0.0 and s.initial_state.tilt_rad() == 0.0 for s in others)


def test_family_builder_and_names():
    fam = BENCHMARK_V1_FAMILIES[1]
    assert build_family(fam) == build_family(fam)
    with pytest.raises(ValueError, match="unknown course family"):
        from simhops.scenario.course_families import CourseFamily

        build_family(CourseFamily("nope", 1, 4, 20.0, ""))
    assert scenario_family("benchmark-v1/long_legs/003") == "long_legs"
    assert scenario_family("benchmark-v0/random_001") == "random"
    assert scenario_family("benchmark-v0/square") == "tracks"
    assert scenario_family("square") == "all"


def test_user_config_keeps_courses_and_family_durations(bench):
    cfg = load_config(overrides=["scenario.n_waypoints=6", "scenario.reach_radius_m=0.5", "scenario.control_hz=100"])
    other = build_benchmark("benchmark-v1", cfg)
    assert benchmark_fingerprint(other) == benchmark_fingerprint(bench)
    assert all(a.duration_s == b.duration_s and a.time_step_s == 0.01 for a, b in zip(other, bench))
    short = build_benchmark("benchmark-v1", load_config(overrides=["scenario.duration_s=5"]))
    assert all(s.duration_s == 5.0 for s in short)
