"""resolve_scenarios: what ``--scenarios`` names (a benchmark, tracks, or track files)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from simhops.scenario.benchmark import available_benchmarks, build_benchmark
from simhops.scenario.scenario import Scenario
from simhops.scenario.scenario_builder import ScenarioBuilder, available_tracks


#: keys of a track YAML file
TRACK_KEYS = ("name", "description", "waypoints", "duration_s", "reach_radius_m", "start_position_m")


class TrackFileError(ValueError):
    """A track YAML file is unreadable or invalid; the message names the file and the field."""


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _vec3(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and len(v) == 3 and all(_number(x) for x in v)


def check_track_file(path: str | Path) -> dict[str, Any]:
    """Read and check a track YAML file (``name``, ``waypoints`` and optional episode settings).

    Returns:
        The parsed mapping.

    Raises:
        TrackFileError: unreadable (missing, a folder, not UTF-8), not YAML, not a
            mapping, an unknown key, or a field of the wrong type or range; the message
            names the file and the field.
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TrackFileError(f"track file {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise TrackFileError(f"track file {path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        d = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TrackFileError(f"track file {path}: invalid YAML ({exc})") from exc
    if not isinstance(d, dict):
        raise TrackFileError(f"track file {path}: top level must be a mapping with 'name' and 'waypoints', "
                             f"got {type(d).__name__}")
    unknown = sorted(str(k) for k in d if k not in TRACK_KEYS)
    if unknown:
        raise TrackFileError(f"track file {path}: field {unknown[0]!r}: unknown key; allowed: {list(TRACK_KEYS)}")
    if not isinstance(d.get("name"), str) or not d["name"].strip():
        raise TrackFileError(f"track file {path}: field 'name': required, a non-empty string (got {d.get('name')!r})")
    wp = d.get("waypoints")
    if not isinstance(wp, list) or not wp:
        raise TrackFileError(f"track file {path}: field 'waypoints': required, a non-empty list of [x, y, z] "
                             f"(got {wp!r})")
    for i, p in enumerate(wp):
        if not _vec3(p):
            raise TrackFileError(f"track file {path}: field 'waypoints[{i}]': must be 3 finite numbers [x, y, z] "
                                 f"in metres (got {p!r})")
    for key in ("duration_s", "reach_radius_m"):
        if key in d and not (_number(d[key]) and d[key] > 0):
            raise TrackFileError(f"track file {path}: field {key!r}: must be a finite number > 0 (got {d[key]!r})")
    if "start_position_m" in d and not _vec3(d["start_position_m"]):
        raise TrackFileError(f"track file {path}: field 'start_position_m': must be 3 finite numbers "
                             f"(got {d['start_position_m']!r})")
    return d


def resolve_scenarios(spec: str, cfg=None, limit: int | None = None) -> list[Scenario]:
    """The scenarios of ``spec``: a benchmark name (``benchmark-v0``), or a comma-separated
    list of shipped track names and track YAML files.

    Benchmarks keep their frozen courses (``cfg`` only changes their episode settings,
    see :func:`build_benchmark`); tracks are built with ``cfg`` (default config if None).
    ``limit`` keeps the first N, in benchmark order.

    Raises:
        TrackFileError: a track file is unreadable or invalid (names the file and field).
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
            if item in available_tracks():
                scenarios.append(builder.build_track(item))
            elif item.endswith((".yaml", ".yml")):
                check_track_file(item)
                try:
                    scenarios.append(builder.build_track(item))
                except (ValueError, KeyError, TypeError) as exc:
                    raise TrackFileError(f"track file {item}: {exc}") from exc
            else:
                raise ValueError(f"unknown scenarios {item!r}: give a benchmark {available_benchmarks()}, "
                                 f"track names {available_tracks()} (comma-separated) or track YAML files")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate scenario names in {spec!r}: {names}")
    return scenarios[:limit] if limit is not None else scenarios
