"""benchmark-v0 is frozen: same names, same courses, valid tracks."""

from __future__ import annotations

import numpy as np
import pytest

from simhops.config import load_config
from simhops.scenario.benchmark import (
    BENCHMARK_V0_TRACKS,
    available_benchmarks,
    benchmark_fingerprint,
    build_benchmark,
)
from simhops.scenario.scenario_builder import ScenarioBuilder, available_tracks

#: changes only when benchmark-v0 changes - which it must not (make a benchmark-v1 instead)
BENCHMARK_V0_SHA256 = "579ecff50eb40bc62fed9b3d1b865d9a0388ddae2235202defa17d00b69dd72d"


@pytest.fixture(scope="module")
def bench():
    return build_benchmark("benchmark-v0")


def test_composition(bench):
    names = [s.name for s in bench]
    assert len(bench) == 100 and len(set(names)) == 100
    assert names[:4] == [f"benchmark-v0/{t}" for t in ("square", "figure_eight", "helix", "zigzag")]
    assert names[4:] == [f"benchmark-v0/random_{i:03d}" for i in range(96)]
    assert [s.seed for s in bench[4:]] == list(range(1000, 1096))
    assert all(s.seed is None for s in bench[:4])
    assert all(s.n_waypoints == 4 for s in bench[4:])
    for s in bench:
        assert (s.time_step_s, s.duration_s, s.reach_radius_m, s.dome_radius_m) == (0.02, 20.0, 0.2, 5.0)
        assert np.array_equal(s.initial_state.position, [0.0, 0.0, 1.0])


def test_frozen_fingerprint(bench):
    assert benchmark_fingerprint(bench) == BENCHMARK_V0_SHA256
    assert benchmark_fingerprint(build_benchmark()) == BENCHMARK_V0_SHA256
    assert build_benchmark() == bench


def test_user_config_does_not_change_the_courses(bench):
    cfg = load_config(overrides=["scenario.n_waypoints=6", "scenario.reach_radius_m=0.5", "scenario.hop_max_m=4",
                                 "scenario.duration_s=3", "scenario.control_hz=100"])
    short = build_benchmark("benchmark-v0", cfg)
    assert benchmark_fingerprint(short) == BENCHMARK_V0_SHA256
    assert all(s.duration_s == 3.0 and s.time_step_s == 0.01 for s in short)
    assert all(np.array_equal(a.waypoints, b.waypoints) for a, b in zip(short, bench))


def test_unknown_name_lists_known():
    with pytest.raises(ValueError, match=r"unknown benchmark 'benchmark-v9'.*benchmark-v0"):
        build_benchmark("benchmark-v9")
    assert "benchmark-v0" in available_benchmarks()


@pytest.mark.parametrize("track", BENCHMARK_V0_TRACKS)
def test_tracks_are_flyable_courses(track):
    assert track in available_tracks()
    sc = ScenarioBuilder(load_config()).build_track(track)
    wp = sc.waypoints
    start = sc.initial_state.position
    assert sc.name == track and wp.shape[0] >= 4
    assert np.all(np.linalg.norm(wp, axis=1) <= sc.dome_radius_m - 1.0)  # inside the 5 m dome, with margin
    assert np.all((wp[:, 2] >= 0.5) & (wp[:, 2] <= 3.0))
    hops = np.linalg.norm(np.diff(np.vstack([start, wp]), axis=0), axis=1)
    assert np.all(hops >= 0.8)
