"""resolve_scenarios: what ``--scenarios`` names (a benchmark, tracks, or track files)."""

from __future__ import annotations

from pathlib import Path

from simhops.scenario.benchmark import available_benchmarks, build_benchmark
from simhops.scenario.scenario import Scenario
from simhops.scenario.scenario_builder import ScenarioBuilder, available_tracks


def resolve_scenarios(spec: str, cfg=None, limit: int | None = None) -> list[Scenario]:
    """The scenarios of ``spec``: a benchmark name (``benchmark-v0``), or a comma-separated
    list of shipped track names and track YAML files.

    Benchmarks keep their frozen courses (``cfg`` only changes their episode settings,
    see :func:`build_benchmark`); tracks are built with ``cfg`` (default config if None).
    ``limit`` keeps the first N, in benchmark order.

    Raises:
        ValueError: an unknown name (lists benchmarks and tracks), duplicate scenario
            names, or ``limit < 1``.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"--limit must be >= 1 (got {limit})")
    if spec in available_benchmarks():
        scenarios = build_benchmark(spec, cfg)
    else:
        if cfg is None:
            from simhops.config import SimHopsConfig

            cfg = SimHopsConfig()
        builder = ScenarioBuilder(cfg)
        scenarios = []
        for item in (s.strip() for s in spec.split(",")):
            if item in available_tracks() or (item.endswith((".yaml", ".yml")) and Path(item).is_file()):
                scenarios.append(builder.build_track(item))
            else:
                raise ValueError(f"unknown scenarios {item!r}: give a benchmark {available_benchmarks()}, "
                                 f"track names {available_tracks()} (comma-separated) or track YAML files")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate scenario names in {spec!r}: {names}")
    return scenarios[:limit] if limit is not None else scenarios
