"""Course families of ``benchmark-v1``: named, seeded generators of waypoint courses.

Every family draws from a legacy ``numpy.random.RandomState`` seeded with
``[BENCHMARK_V1_SEED, family index, course index]`` (RandomState's streams are frozen by
NumPy's compatibility policy, NEP 19), except ``random_hops``, ``k8`` and ``k12``, which
use the env's own course kernel (:meth:`ScenarioBuilder.build_from_seed`, the training
distribution) at seeds ``seed_offset + i``. Geometry is in world ENU metres; every
waypoint stays ``DOME_MARGIN_M`` inside the default 5 m flight dome and at z >= 0.25 m.

| family | courses | K | definition (checked by the tests) | duration |
|---|---|---|---|---|
| ``random_hops`` | 200 | 4 | hops (start -> wp0 included) of 1-3 m, z in [0.5, 3] | 20 s |
| ``long_legs`` | 150 | 4 | hops of 3-8 m across the dome, z in [0.5, 3] | 30 s |
| ``steep_descents`` | 100 | 4 | high (z 2.5-3) / low (z 0.3-0.5) alternating, starting high: 2 hops drop >= 2 m | 20 s |
| ``steep_climbs`` | 100 | 4 | low / high alternating, starting low: 2 hops climb >= 2 m | 20 s |
| ``near_ground`` | 100 | 4 | every waypoint at z in [0.25, 0.35], horizontal hops 1-3 m | 20 s |
| ``near_ceiling`` | 100 | 4 | every waypoint at z in [2.7, 3.0] (the top of the default altitude range), hops 1-3 m | 20 s |
| ``k8`` | 75 | 8 | random hops of 1-3 m | 30 s |
| ``k12`` | 75 | 12 | random hops of 1-3 m | 40 s |
| ``tight_clusters`` | 50 | 8 | wp0 1-3 m from the start, then hops of 0.25-0.5 m | 20 s |
| ``moving_start`` | 50 | 4 | random hops of 1-3 m; start with speed 0.5-2 m/s and tilt 0.1-0.5 rad | 20 s |
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from simhops.dynamics.state.drone_state import DroneState
from simhops.scenario.scenario import Scenario
from simhops.scenario.scenario_builder import DOME_MARGIN_M, ScenarioBuilder

#: base seed of benchmark-v1's RandomState streams
BENCHMARK_V1_SEED = 20261122
#: lowest waypoint altitude of any family (m)
MIN_WAYPOINT_Z_M = 0.25


@dataclass(frozen=True)
class CourseFamily:
    """One named family: how many courses, how many waypoints, the episode length."""

    name: str
    size: int
    n_waypoints: int
    duration_s: float
    description: str


#: benchmark-v1's families, in benchmark order (1000 courses)
BENCHMARK_V1_FAMILIES: tuple[CourseFamily, ...] = (
    CourseFamily("random_hops", 200, 4, 20.0, "hops of 1-3 m (the training distribution)"),
    CourseFamily("long_legs", 150, 4, 30.0, "hops of 3-8 m across the dome"),
    CourseFamily("steep_descents", 100, 4, 20.0, "high/low alternating from high: drops >= 2 m"),
    CourseFamily("steep_climbs", 100, 4, 20.0, "low/high alternating from low: climbs >= 2 m"),
    CourseFamily("near_ground", 100, 4, 20.0, "waypoints at z = 0.25-0.35 m"),
    CourseFamily("near_ceiling", 100, 4, 20.0, "waypoints at z = 2.7-3.0 m"),
    CourseFamily("k8", 75, 8, 30.0, "8 waypoints, hops of 1-3 m"),
    CourseFamily("k12", 75, 12, 40.0, "12 waypoints, hops of 1-3 m"),
    CourseFamily("tight_clusters", 50, 8, 20.0, "hops of 0.25-0.5 m after the first"),
    CourseFamily("moving_start", 50, 4, 20.0, "start with 0.5-2 m/s and 0.1-0.5 rad of tilt"),
)

#: seeds of the kernel-drawn families: course i uses ``build_from_seed(offset + i)``
KERNEL_SEED_OFFSETS = {"random_hops": 10_000, "k8": 20_000, "k12": 30_000}


def _rng(family_index: int, i: int) -> np.random.RandomState:
    return np.random.RandomState([BENCHMARK_V1_SEED, family_index, i])


def _inside(p: np.ndarray, r_max: float) -> bool:
    return float(np.linalg.norm(p)) <= r_max and p[2] >= MIN_WAYPOINT_Z_M


def _hop_chain(rng: np.random.RandomState, start: np.ndarray, k: int, hop: tuple[float, float],
               z_range: tuple[float, float], r_max: float, horizontal: bool = False) -> np.ndarray:
    """K waypoints, each a hop of uniform length in ``hop`` in a uniform direction from the
    previous one (horizontal only with ``horizontal``; z then redrawn in ``z_range``),
    inside ``z_range`` and the dome (rejection sampling, restarting the chain if stuck)."""
    for _ in range(1000):
        out = []
        prev = np.asarray(start, dtype=np.float64)
        for _j in range(k):
            for _t in range(500):
                d = rng.uniform(*hop)
                if horizontal:
                    phi = rng.uniform(0.0, 2.0 * math.pi)
                    z = rng.uniform(*z_range)
                    dh = math.sqrt(max(d * d - (z - prev[2]) ** 2, 0.0))
                    cand = np.array([prev[0] + dh * math.cos(phi), prev[1] + dh * math.sin(phi), z])
                else:
                    dz = rng.uniform(-1.0, 1.0)
                    phi = rng.uniform(0.0, 2.0 * math.pi)
                    rho = math.sqrt(1.0 - dz * dz)
                    cand = prev + d * np.array([rho * math.cos(phi), rho * math.sin(phi), dz])
                if (z_range[0] <= cand[2] <= z_range[1] and _inside(cand, r_max)
                        and hop[0] - 1e-9 <= np.linalg.norm(cand - prev) <= hop[1] + 1e-9):
                    break
            else:
                break
            out.append(cand)
            prev = cand
        if len(out) == k:
            return np.array(out)
    raise RuntimeError(f"could not draw a course with hops {hop} in z {z_range}")  # pragma: no cover


def _alternating(rng: np.random.RandomState, k: int, first_high: bool, r_max: float) -> np.ndarray:
    """Waypoints alternating between high (z 2.5-3.0) and low (z 0.3-0.5), horizontal offset 0-1.5 m."""
    out = []
    prev = np.array([0.0, 0.0, 1.0])
    for j in range(k):
        high = (j % 2 == 0) == first_high
        while True:
            z = rng.uniform(2.5, 3.0) if high else rng.uniform(0.3, 0.5)
            d = rng.uniform(0.0, 1.5)
            phi = rng.uniform(0.0, 2.0 * math.pi)
            cand = np.array([prev[0] + d * math.cos(phi), prev[1] + d * math.sin(phi), z])
            if _inside(cand, r_max) and (j == 0 or abs(z - prev[2]) >= 2.0):
                break
        out.append(cand)
        prev = cand
    return np.array(out)


def _cluster(rng: np.random.RandomState, start: np.ndarray, r_max: float) -> np.ndarray:
    """wp0 a hop of 1-3 m from the start, then 7 hops of 0.25-0.5 m."""
    first = _hop_chain(rng, start, 1, (1.0, 3.0), (0.5, 3.0), r_max)
    return np.vstack([first, _hop_chain(rng, first[0], 7, (0.25, 0.5), (0.5, 3.0), r_max)])


def _moving_start(rng: np.random.RandomState, builder: ScenarioBuilder) -> DroneState:
    """Hover motors, speed 0.5-2 m/s (horizontal direction uniform, vertical +-0.5 m/s max),
    tilt 0.1-0.5 rad about a uniform horizontal axis."""
    speed = rng.uniform(0.5, 2.0)
    phi = rng.uniform(0.0, 2.0 * math.pi)
    vz = rng.uniform(-0.5, 0.5) * min(speed, 1.0)
    vh = math.sqrt(speed * speed - vz * vz)
    tilt = rng.uniform(0.1, 0.5)
    axis = rng.uniform(0.0, 2.0 * math.pi)
    q = (math.cos(tilt / 2), math.sin(tilt / 2) * math.cos(axis), math.sin(tilt / 2) * math.sin(axis), 0.0)
    base = builder.initial_state()
    return DroneState.build(base.position, q, (vh * math.cos(phi), vh * math.sin(phi), vz), (0.0, 0.0, 0.0),
                            base.motor_thrusts)


def build_family(family: CourseFamily, cfg=None, prefix: str = "benchmark-v1") -> list[Scenario]:
    """The courses of ``family`` named ``<prefix>/<family>/<i:03d>``, with the family's duration.

    ``cfg``: the :class:`~simhops.config.SimHopsConfig` whose ``scenario`` section gives the
    reach radius, dome, start and control rate (benchmarks pass the default config).

    Raises:
        ValueError: unknown family name.
    """
    names = [f.name for f in BENCHMARK_V1_FAMILIES]
    if family.name not in names:
        raise ValueError(f"unknown course family {family.name!r}; known: {names}")
    fi = names.index(family.name)
    if cfg is None:
        from simhops.config import SimHopsConfig

        cfg = SimHopsConfig()
    builder = ScenarioBuilder(cfg)
    r_max = cfg.scenario.dome_radius_m - min(DOME_MARGIN_M, 0.5 * cfg.scenario.dome_radius_m)
    start = np.asarray(cfg.scenario.start_position_m, dtype=np.float64)
    sc = cfg.scenario
    out: list[Scenario] = []
    kernel_builder = builder
    if family.name in KERNEL_SEED_OFFSETS and family.n_waypoints != sc.n_waypoints:
        kernel_builder = ScenarioBuilder(cfg.model_copy(update={"scenario": sc.model_copy(
            update={"n_waypoints": family.n_waypoints})}), builder.physics)
    gens: dict[str, Callable[[np.random.RandomState], np.ndarray]] = {
        "long_legs": lambda r: _hop_chain(r, start, 4, (3.0, 8.0), (0.5, 3.0), r_max),
        "steep_descents": lambda r: _alternating(r, 4, True, r_max),
        "steep_climbs": lambda r: _alternating(r, 4, False, r_max),
        "near_ground": lambda r: _hop_chain(r, start, 4, (1.0, 3.0), (0.25, 0.35), r_max, horizontal=True),
        "near_ceiling": lambda r: _hop_chain(r, start, 4, (1.0, 3.0), (2.7, 3.0), r_max, horizontal=True),
        "tight_clusters": lambda r: _cluster(r, start, r_max),
        "moving_start": lambda r: _hop_chain(r, start, 4, (1.0, 3.0), (0.5, 3.0), r_max),
    }
    for i in range(family.size):
        name = f"{prefix}/{family.name}/{i:03d}"
        if family.name in KERNEL_SEED_OFFSETS:
            s = kernel_builder.build_from_seed(KERNEL_SEED_OFFSETS[family.name] + i, name=name)
            s = dataclasses.replace(s, duration_s=family.duration_s)
        else:
            rng = _rng(fi, i)
            wp = gens[family.name](rng)
            init = _moving_start(rng, builder) if family.name == "moving_start" else builder.initial_state()
            s = Scenario(name=name, waypoints=wp, initial_state=init, time_step_s=1.0 / sc.control_hz,
                         duration_s=family.duration_s, reach_radius_m=sc.reach_radius_m,
                         dome_radius_m=sc.dome_radius_m, seed=None)
        out.append(s)
    return out


def scenario_family(scenario_name: str) -> str:
    """The family of a scenario name: ``benchmark-v1/<family>/<i>`` -> ``<family>``;
    ``benchmark-v0/random_*`` -> ``random``, ``benchmark-v0/<track>`` -> ``tracks``;
    anything else -> ``all``."""
    parts = scenario_name.split("/")
    if len(parts) == 3:
        return parts[1]
    if len(parts) == 2 and parts[0] == "benchmark-v0":
        return "random" if parts[1].startswith("random_") else "tracks"
    return "all"
