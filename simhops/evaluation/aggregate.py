"""Tables and aggregates of evaluation reports (deterministic: no wall times in the table)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Sequence

from simhops.simulation.runner.runner_report import RunnerReport

#: identification columns of metrics.parquet, before the metric columns
ID_COLUMNS = ("scenario", "planner", "seed", "run_succeeded")


def metrics_rows(reports: Sequence[RunnerReport], metric_names: Sequence[str]) -> list[dict[str, Any]]:
    """One row per report, sorted by scenario name: :data:`ID_COLUMNS` then ``metric_names``.

    A failed run (or a run without metrics) has null metric values. No wall-clock
    values, so the table is identical for every worker pool.
    """
    rows = []
    for r in sorted(reports, key=lambda r: (r.scenario_name, r.planner_name)):
        row: dict[str, Any] = {"scenario": r.scenario_name, "planner": r.planner_name, "seed": r.seed,
                               "run_succeeded": bool(r.succeeded)}
        for name in metric_names:
            row[name] = r.metrics.get(name) if r.succeeded else None
        rows.append(row)
    return rows


def _mean(values: list[float]) -> float | None:
    vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(vals) / len(vals) if vals else None


def summarize(reports: Sequence[RunnerReport]) -> dict[str, Any]:
    """Aggregates over the reports (JSON-ready: NaN/undefined -> None).

    | key | meaning |
    |---|---|
    | ``n`` | scenarios |
    | ``failed`` | runs that raised (no metrics) |
    | ``success_rate`` | completed courses / n (a failed run counts as not completed) |
    | ``crash_rate`` | crashed / runs with metrics |
    | ``crash_causes`` | {cause: count} over runs with metrics |
    | ``mean_waypoints_reached``, ``mean_completion`` | waypoints reached, and as a fraction of the course |
    | ``mean_time_to_complete_s`` | over completed courses |
    | ``mean_time_per_hop_s``, ``mean_path_efficiency``, ``mean_tracking_error_m``, ``mean_max_tracking_error_m``, ``mean_max_speed_m_s``, ``mean_max_tilt_rad``, ``mean_control_effort``, ``mean_body_rate_jerk_rad_s3``, ``mean_path_length_m`` | means over runs where defined |
    | ``timing`` | mean/max step and planner ms, mean episode s (wall clock) |
    """
    n = len(reports)
    ok = [r for r in reports if r.succeeded and r.metrics]
    m = [r.metrics for r in ok]
    successes = [x for x in m if x.get("success")]
    out: dict[str, Any] = {
        "n": n,
        "failed": sum(1 for r in reports if not r.succeeded),
        "n_with_metrics": len(m),
        "success_rate": (len(successes) / n) if n else None,
        "crash_rate": (sum(1 for x in m if x.get("crashed")) / len(m)) if m else None,
        "crash_causes": dict(sorted(Counter(x.get("crash_cause", "none") for x in m).items())),
        "mean_waypoints_reached": _mean([x.get("waypoints_reached") for x in m]),
        "mean_completion": _mean([x["waypoints_reached"] / x["n_waypoints"] for x in m
                                  if x.get("n_waypoints")]),
        "mean_time_to_complete_s": _mean([x.get("time_to_complete_s") for x in successes]),
    }
    for key in ("time_per_hop_s", "path_efficiency", "path_length_m", "mean_tracking_error_m",
                "max_tracking_error_m", "max_speed_m_s", "max_tilt_rad", "control_effort", "body_rate_jerk_rad_s3"):
        name = key if key.startswith("mean_") else f"mean_{key}"
        out[name] = _mean([x.get(key) for x in m])
    timings = [r.timing for r in reports if r.timing]
    out["timing"] = {
        "mean_step_ms": _mean([t.get("step_mean_ms") for t in timings]),
        "max_step_ms": max((t.get("step_max_ms", 0.0) for t in timings), default=None),
        "mean_planner_ms": _mean([t.get("planner_mean_ms") for t in timings]),
        "mean_episode_s": _mean([t.get("episode_s") for t in timings]),
    }
    return out
