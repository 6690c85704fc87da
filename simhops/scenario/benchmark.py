"""Frozen, versioned benchmark sets of courses (``benchmark-v0``, ...)."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Callable

import numpy as np

from simhops.scenario.scenario import Scenario
from simhops.scenario.scenario_builder import ScenarioBuilder

#: named tracks of benchmark-v0 (YAML files in ``simhops/scenario/tracks``), in benchmark order
BENCHMARK_V0_TRACKS = ("square", "figure_eight", "helix", "zigzag")
#: courses in benchmark-v0
BENCHMARK_V0_SIZE = 100
#: random course i of benchmark-v0 is ``ScenarioBuilder.build_from_seed(BENCHMARK_V0_SEED_OFFSET + i)``
BENCHMARK_V0_SEED_OFFSET = 1000


def _default_builder() -> ScenarioBuilder:
    from simhops.config import SimHopsConfig

    return ScenarioBuilder(SimHopsConfig())


def _benchmark_v0() -> list[Scenario]:
    """benchmark-v0: the 4 named tracks, then 96 random 4-waypoint courses (seeds 1000..1095)."""
    builder = _default_builder()
    out = [dataclasses.replace(builder.build_track(t), name=f"benchmark-v0/{t}") for t in BENCHMARK_V0_TRACKS]
    for i in range(BENCHMARK_V0_SIZE - len(out)):
        out.append(builder.build_from_seed(BENCHMARK_V0_SEED_OFFSET + i, name=f"benchmark-v0/random_{i:03d}"))
    return out


def _benchmark_v1() -> list[Scenario]:
    """benchmark-v1: 1000 courses in the named families of :mod:`simhops.scenario.course_families`."""
    from simhops.config import SimHopsConfig
    from simhops.scenario.course_families import BENCHMARK_V1_FAMILIES, build_family

    cfg = SimHopsConfig()
    return [s for fam in BENCHMARK_V1_FAMILIES for s in build_family(fam, cfg)]


_BENCHMARKS: dict[str, Callable[[], list[Scenario]]] = {"benchmark-v0": _benchmark_v0, "benchmark-v1": _benchmark_v1}


def available_benchmarks() -> list[str]:
    """Names :func:`build_benchmark` knows."""
    return sorted(_BENCHMARKS)


def build_benchmark(name: str = "benchmark-v0", cfg=None) -> list[Scenario]:
    """The scenarios of a benchmark set, always the same for the same name.

    ``benchmark-v0`` (100 courses, in this order): the named tracks ``square``,
    ``figure_eight``, ``helix``, ``zigzag`` (``benchmark-v0/<track>``), then 96 random
    courses ``benchmark-v0/random_000`` .. ``random_095`` = ``build_from_seed(1000 + i)``.
    Everything (waypoints, start hover at (0, 0, 1) m, reach radius 0.2 m, dome 5 m,
    50 Hz, 20 s) comes from the *default* config, never the user's, so results stay
    comparable; :func:`benchmark_fingerprint` pins the courses in the tests.

    ``benchmark-v1`` (1000 courses): the families of
    :data:`~simhops.scenario.course_families.BENCHMARK_V1_FAMILIES` in order, named
    ``benchmark-v1/<family>/<i:03d>`` (random hops, long legs, steep descents and climbs,
    near-ground and near-ceiling waypoints, K = 8 and 12, tight clusters, moving starts),
    each with its own episode length (20-40 s); same default-config settings otherwise.

    Args:
        name: the benchmark.
        cfg: optional :class:`~simhops.config.SimHopsConfig` whose *episode settings*
            replace the benchmark's for every course: the control period
            (``1 / scenario.control_hz``) and ``scenario.duration_s``, e.g. for quick runs
            (for benchmark-v1 only a ``duration_s`` that differs from the default config's
            replaces the family durations).
            The courses themselves (waypoints, start, reach radius, dome) never change.

    Raises:
        ValueError: unknown name (the message lists the known ones).
    """
    if name not in _BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; known benchmarks: {available_benchmarks()}")
    scenarios = _BENCHMARKS[name]()
    if cfg is not None:
        from simhops.config import SimHopsConfig

        sc = cfg.scenario
        keep_duration = name != "benchmark-v0" and sc.duration_s == SimHopsConfig().scenario.duration_s
        scenarios = [dataclasses.replace(s, time_step_s=1.0 / sc.control_hz,
                                         duration_s=s.duration_s if keep_duration else sc.duration_s)
                     for s in scenarios]
    return scenarios


def benchmark_fingerprint(scenarios: list[Scenario], decimals: int = 9, full: bool = False) -> str:
    """SHA-256 of the names, waypoints, start positions and reach/dome radii (rounded to ``decimals``);
    with ``full`` also the whole initial state (attitude, velocity, ...) and the episode length."""
    h = hashlib.sha256()
    for s in scenarios:
        h.update(s.name.encode())
        h.update(np.round(np.asarray(s.waypoints, dtype=np.float64), decimals).tobytes())
        h.update(np.round(s.initial_state.array if full else s.initial_state.position, decimals).tobytes())
        h.update(np.round(np.array([s.reach_radius_m, s.dome_radius_m]), decimals).tobytes())
        if full:
            h.update(np.round(np.array([s.duration_s, s.time_step_s]), decimals).tobytes())
    return h.hexdigest()
