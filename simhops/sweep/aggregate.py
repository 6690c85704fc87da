"""Aggregate a sweep's final evaluations over seeds: mean, std and a Wilson interval for success.

Each run's record carries ``evaluation`` (a :class:`simhops.train.policy_evaluation.PolicyEvaluation`
as a dict: ``n_episodes``, ``success_rate``, ``mean_waypoints_reached``, ``mean_return``,
``crash_rate``, ...). Per grid point the table has, over the runs that finished:

* ``<metric>_mean`` and ``<metric>_std`` (sample std over seeds, ``ddof=1``; None for one run);
* ``successes`` / ``episodes`` pooled over seeds and their Wilson score interval
  (``success_ci_low``, ``success_ci_high``; Wilson 1927, "Probable inference, the law of
  succession, and statistical inference", JASA 22(158); z = 1.96 for 95 %).
"""

from __future__ import annotations

import statistics
from typing import Any, Mapping, Sequence

from simhops.evaluation.aggregate import wilson_interval as _wilson_interval

#: Evaluation fields aggregated as mean / std over seeds.
METRICS = ("success_rate", "mean_waypoints_reached", "mean_return", "crash_rate")

#: Column order of the aggregated table.
COLUMNS = ("point", "runs", "failed", "seeds", *(f"{m}_{s}" for m in METRICS for s in ("mean", "std")),
           "successes", "episodes", "success_ci_low", "success_ci_high", "wall_time_s_mean", "fps_mean")


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval ``(low, high)`` of ``successes / n``: the evaluation's
    :func:`simhops.evaluation.aggregate.wilson_interval` with the sweep's conventional z = 1.96 (95 %).

    Raises ValueError unless ``0 <= successes <= n`` and ``n >= 1``.
    """
    return _wilson_interval(successes, n, z)


def _mean_std(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else None)


def aggregate(records: Sequence[Mapping[str, Any]], z: float = 1.96) -> list[dict[str, Any]]:
    """One row per grid point (in first-seen order) from per-run ``records``.

    A record has ``point`` (label), ``seed``, ``error`` (None when the run finished), ``evaluation``
    (dict or None), ``wall_time_s`` and ``fps``. Runs without an evaluation count in ``runs`` only.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        groups.setdefault(r["point"], []).append(r)
    rows = []
    for point, runs in groups.items():
        done = [r for r in runs if r.get("error") is None and r.get("evaluation")]
        row: dict[str, Any] = {"point": point, "runs": len(runs), "failed": sum(r.get("error") is not None for r in runs),
                               "seeds": " ".join(str(r["seed"]) for r in done)}
        for m in METRICS:
            row[f"{m}_mean"], row[f"{m}_std"] = _mean_std([float(r["evaluation"][m]) for r in done])
        k = sum(round(r["evaluation"]["success_rate"] * r["evaluation"]["n_episodes"]) for r in done)
        n = sum(int(r["evaluation"]["n_episodes"]) for r in done)
        row["successes"], row["episodes"] = k, n
        row["success_ci_low"], row["success_ci_high"] = wilson_interval(k, n, z) if n else (None, None)
        row["wall_time_s_mean"] = _mean_std([float(r["wall_time_s"]) for r in done])[0]
        row["fps_mean"] = _mean_std([float(r["fps"]) for r in done])[0]
        rows.append({c: row[c] for c in COLUMNS})
    return rows
