"""Tables and aggregates of evaluation reports (deterministic: no wall times in the table)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Sequence

from simhops.dynamics.physics.airframe import CF2X, Airframe
from simhops.scenario.course_families import scenario_family
from simhops.scenario.scenario import Scenario
from simhops.scenario.time_bound import min_time_lower_bound_s, rest_to_rest_time_s
from simhops.simulation.history.plant_record import PLANT_COLUMNS
from simhops.simulation.runner.runner_report import RunnerReport

#: identification columns of metrics.parquet, before the metric columns
ID_COLUMNS = ("scenario", "planner", "seed", "run_succeeded")

#: two-sided 95 % normal quantile, Phi^-1(0.975)
Z_95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson, "Probable inference, the law of
    succession, and statistical inference", JASA 22(158), 1927; recommended by Brown, Cai &
    DasGupta, "Interval estimation for a binomial proportion", Statistical Science 16(2), 2001):

        centre = (p + z^2 / 2n) / (1 + z^2 / n),
        half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2),   p = successes / n.

    Returns (low, high) in [0, 1].

    Raises:
        ValueError: ``n < 1`` or ``successes`` outside [0, n].
    """
    if n < 1:
        raise ValueError(f"n must be >= 1 (got n={n}, successes={successes})")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in [0, n={n}] (got {successes})")
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z / denom * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def metrics_rows(reports: Sequence[RunnerReport], metric_names: Sequence[str]) -> list[dict[str, Any]]:
    """One row per report, sorted by scenario name: :data:`ID_COLUMNS`, ``metric_names``, then
    :data:`~simhops.simulation.history.plant_record.PLANT_COLUMNS` (the episode's sampled plant,
    from the report's ``plant_params``).

    A failed run (or a run without metrics) has null metric and plant values. No wall-clock
    values, so the table is identical for every worker pool.
    """
    rows = []
    for r in sorted(reports, key=lambda r: (r.scenario_name, r.planner_name)):
        row: dict[str, Any] = {"scenario": r.scenario_name, "planner": r.planner_name, "seed": r.seed,
                               "run_succeeded": bool(r.succeeded)}
        for name in metric_names:
            row[name] = r.metrics.get(name) if r.succeeded else None
        plant = (r.plant_params or {}) if r.succeeded else {}
        for name in PLANT_COLUMNS:
            row[name] = plant.get(name)
        rows.append(row)
    return rows


def _mean(values: list[float]) -> float | None:
    vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(vals) / len(vals) if vals else None


def summarize(reports: Sequence[RunnerReport], scenarios: Sequence[Scenario] | None = None,
              condition: str = "nominal", airframe: Airframe | None = None) -> dict[str, Any]:
    """Aggregates over the reports (JSON-ready: NaN/undefined -> None).

    ``scenarios`` (the evaluated courses) enable the point-mass time references of
    ``groups``; ``condition`` labels them; ``airframe`` is the nominal airframe of the bound.

    | key | meaning |
    |---|---|
    | ``n`` | scenarios |
    | ``failed`` | runs that raised (no metrics) |
    | ``success_rate`` | completed courses / n (a failed run counts as not completed) |
    | ``success_ci95`` | [low, high], Wilson 95 % interval of ``success_rate`` |
    | ``crash_rate`` | crashed / runs with metrics |
    | ``crash_causes`` | {cause: count} over runs with metrics |
    | ``mean_waypoints_reached``, ``mean_completion`` | waypoints reached, and as a fraction of the course |
    | ``mean_time_to_complete_s`` | over completed courses |
    | ``mean_time_per_hop_s``, ``mean_path_efficiency``, ``mean_tracking_error_m``, ``mean_max_tracking_error_m``, ``mean_max_speed_m_s``, ``mean_max_tilt_rad``, ``mean_control_effort``, ``mean_body_rate_jerk_rad_s3``, ``mean_path_length_m`` | means over runs where defined |
    | ``timing`` | mean/max step and planner ms, mean episode s (wall clock) |
    | ``groups`` | :func:`group_summary` per family (and ``"all"``) of ``condition`` |
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
        "success_ci95": list(wilson_interval(len(successes), n)) if n else None,
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
    out["groups"] = group_summary(course_rows(reports, scenarios, condition, airframe))
    return out


def outcome_of(report: RunnerReport) -> str:
    """``"completed"``, ``"crashed"``, ``"timeout"`` (neither, time ran out) or ``"failed"`` (the run raised)."""
    if not report.succeeded or not report.metrics:
        return "failed"
    m = report.metrics
    return "completed" if m.get("success") else ("crashed" if m.get("crashed") else "timeout")


def course_rows(reports: Sequence[RunnerReport], scenarios: Sequence[Scenario] | None = None,
                condition: str = "nominal", airframe: Airframe | None = None) -> list[dict[str, Any]]:
    """One row per report, the inputs of :func:`group_summary`, in the order of ``scenarios``
    (by name without them).

    | key | unit | meaning |
    |---|---|---|
    | ``scenario``, ``planner``, ``condition`` | - | identification |
    | ``family`` | - | :func:`~simhops.scenario.course_families.scenario_family` of the name |
    | ``outcome`` | - | :func:`outcome_of` |
    | ``time_to_complete_s`` | s | None unless completed |
    | ``max_tilt_rad``, ``body_rate_jerk_rad_s3`` | rad, rad/s^3 | None for a failed run |
    | ``time_bound_s`` | s | point-mass minimum-time lower bound (:mod:`simhops.scenario.time_bound`) of the nominal ``airframe`` (default cf2x); None without ``scenarios`` |
    | ``rest_to_rest_s`` | s | point-mass stop-at-every-waypoint time |
    | ``time_ratio`` | - | time_to_complete_s / time_bound_s |
    """
    af = airframe or CF2X
    by_name = {s.name: s for s in scenarios} if scenarios is not None else {}
    rows = []
    order = {s.name: i for i, s in enumerate(scenarios)} if scenarios is not None else {}
    for r in sorted(reports, key=lambda r: (order.get(r.scenario_name, len(order)), r.scenario_name, r.planner_name)):
        m = r.metrics if (r.succeeded and r.metrics) else {}
        out = outcome_of(r)
        ttc = m.get("time_to_complete_s") if out == "completed" else None
        sc = by_name.get(r.scenario_name)
        bound = min_time_lower_bound_s(sc, af) if sc is not None else None
        rows.append({
            "scenario": r.scenario_name, "family": scenario_family(r.scenario_name), "planner": r.planner_name,
            "condition": condition, "outcome": out, "time_to_complete_s": ttc,
            "max_tilt_rad": m.get("max_tilt_rad"), "body_rate_jerk_rad_s3": m.get("body_rate_jerk_rad_s3"),
            "time_bound_s": bound, "rest_to_rest_s": rest_to_rest_time_s(sc, af) if sc is not None else None,
            "time_ratio": (ttc / bound) if (ttc is not None and bound) else None,
        })
    return rows


def _group(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    counts = Counter(r["outcome"] for r in rows)
    k = counts.get("completed", 0)
    lo, hi = wilson_interval(k, n)
    tilts = [r["max_tilt_rad"] for r in rows]
    return {
        "n": n, "success_rate": k / n, "success_ci95": [lo, hi],
        "outcomes": {o: counts.get(o, 0) for o in ("completed", "crashed", "timeout", "failed")},
        "crash_rate": counts.get("crashed", 0) / n, "timeout_rate": counts.get("timeout", 0) / n,
        "mean_time_to_complete_s": _mean([r["time_to_complete_s"] for r in rows]),
        "mean_max_tilt_rad": _mean(tilts),
        "max_max_tilt_rad": max((t for t in tilts if t is not None), default=None),
        "mean_body_rate_jerk_rad_s3": _mean([r["body_rate_jerk_rad_s3"] for r in rows]),
        "mean_time_bound_s": _mean([r["time_bound_s"] for r in rows]),
        "mean_rest_to_rest_s": _mean([r["rest_to_rest_s"] for r in rows]),
        "mean_time_ratio": _mean([r["time_ratio"] for r in rows]),
    }


def group_summary(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Aggregates per (family, condition, planner), plus family ``"all"`` per (condition, planner).

    Each entry: ``family``, ``condition``, ``planner``, ``n``, ``success_rate``,
    ``success_ci95`` ([low, high], Wilson 95 %), ``outcomes`` ({completed, crashed, timeout,
    failed}: counts), ``crash_rate``, ``timeout_rate``, ``mean_time_to_complete_s`` (completed
    courses), ``mean_max_tilt_rad``, ``max_max_tilt_rad``, ``mean_body_rate_jerk_rad_s3``,
    ``mean_time_bound_s``, ``mean_rest_to_rest_s`` and ``mean_time_ratio`` (time-to-complete / point-mass bound, over
    completed courses). Sorted by condition, planner, then family in first-seen order with
    ``"all"`` last.
    """
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    family_order: dict[str, int] = {}
    for r in rows:
        family_order.setdefault(r["family"], len(family_order))
        for fam in (r["family"], "all"):
            groups.setdefault((r["condition"], r["planner"], fam), []).append(r)
    family_order["all"] = len(family_order) + 1
    out = []
    for (cond, planner, fam) in sorted(groups, key=lambda g: (g[0], g[1], family_order[g[2]])):
        if fam == "all" and sum(1 for g in groups if g[0] == cond and g[1] == planner) == 2:
            continue  # one family only: "all" repeats it
        out.append({"family": fam, "condition": cond, "planner": planner, **_group(groups[(cond, planner, fam)])})
    return out


def combine_condition_summaries(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One summary of several ``simhops eval`` summaries (one per condition, same planner and courses).

    Keys: ``planner``, ``scenarios``, ``conditions`` (names, in order), ``groups`` (every
    condition's :func:`group_summary` entries), ``per_condition`` ({name: that summary
    without its ``groups``}).
    """
    if not summaries:
        raise ValueError("no summaries to combine")
    return {
        "planner": summaries[0].get("planner"),
        "scenarios": summaries[0].get("scenarios"),
        "conditions": [s.get("condition", "nominal") for s in summaries],
        "groups": [g for s in summaries for g in s.get("groups", [])],
        "per_condition": {s.get("condition", "nominal"): {k: v for k, v in s.items() if k != "groups"}
                          for s in summaries},
    }


def group_table(groups: Sequence[dict[str, Any]], title: str = "per family x condition x planner") -> Any:
    """A ``rich.table.Table`` of :func:`group_summary` entries: success % with its Wilson 95 %
    interval, crash / timeout counts, mean time-to-complete (s) and its ratio to the point-mass
    bound, mean and max tilt (rad), mean body-rate jerk (rad/s^3). The planner column appears
    only when the entries hold more than one planner."""
    from rich.table import Table

    def f(v: Any, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    multi = len({g["planner"] for g in groups}) > 1
    t = Table(title=title)
    cols = ["condition"] + (["planner"] if multi else []) + ["family", "n", "success % [95% CI]", "crash",
                                                             "t/o", "ttc s", "ttc/LB", "tilt", "max", "jerk"]
    for c in cols:
        t.add_column(c, justify="left" if c in ("condition", "planner", "family") else "right")
    for g in groups:
        lo, hi = g["success_ci95"]
        t.add_row(g["condition"], *([g["planner"]] if multi else []), g["family"], str(g["n"]),
                  f"{100 * g['success_rate']:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]", str(g["outcomes"]["crashed"]),
                  str(g["outcomes"]["timeout"]), f(g["mean_time_to_complete_s"], ".2f"),
                  f(g["mean_time_ratio"], ".2f"), f(g["mean_max_tilt_rad"], ".2f"), f(g["max_max_tilt_rad"], ".2f"),
                  f(g["mean_body_rate_jerk_rad_s3"], ".0f"), end_section=g["family"] == "all")
    return t
