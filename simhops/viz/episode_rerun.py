"""The ONE "episode -> Rerun" function: :func:`log_episode`.

Used by the training snapshots (``SnapshotRerunCallback``), ``VisualizationCallback`` (closed-loop
evaluation, ``eval.rrd``) and ``simhops replay``. Input is an :class:`EpisodeArrays` (build it with
``EpisodeArrays.from_history(history)``), so ``simhops.viz`` never imports the simulation layer.

Entities of one episode (``base``, e.g. ``world/<scenario>``), on the timeline ``sim_time``
(duration since the episode start) and on every timeline of ``fixed_times`` (e.g. ``ppo_update``
and ``snapshot`` for a training snapshot, one fixed value for all rows):

| entity | archetype | when |
|---|---|---|
| ``base/start`` | ``Points3D`` "start" (the initial position, m ENU) | t = 0 |
| ``base/waypoints`` | ``Points3D``: reached green, next orange (label ``wpI <- next``), later grey; radius = reach radius | t = 0 and at every reach |
| ``base/trajectory`` | ``LineStrips3D``: the whole flown path | t = 0 |
| ``base/drone`` | ``Transform3D`` poses, at most ``max_pose_hz`` rows per second (plus the last row): the drone flies along the trajectory on ``sim_time`` | every pose row |
| ``base/drone/{body,arms,rotors,heading}`` | static body-frame geometry | static |
| ``summary_path`` | ``TextDocument`` markdown table (scenario, planner, waypoints, time, outcome, extra rows) | t = 0 and at the end |

With ``plots_base`` the time series (``Scalars`` columns, at most ``max_plot_hz`` rows/s) go to
``plots_base/altitude_m``, ``speed_m_s``, ``tilt_deg``, ``collective_thrust_n`` and
``body_rates_rad_s/{roll,pitch,yaw}`` (body FLU).

All rows are sent as columns (``send_columns``): one chunk per entity and episode, not one per row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import rerun as rr

from simhops.viz.episode_arrays import EpisodeArrays
from simhops.viz.rerun_visualizer import (COLOR_ACTIVE, COLOR_REACHED, COLOR_TRAJECTORY, COLOR_UNREACHED,
                                          RerunVisualizer, wxyz_to_xyzw)

__all__ = ["SIM_TIMELINE", "PLOT_SERIES", "log_episode", "episode_entity_path", "episode_summary_markdown",
           "decimate_rows"]

#: the timeline of simulation time (a duration since the episode start)
SIM_TIMELINE = "sim_time"

#: time-series entity (relative to ``plots_base``) -> (legend name, unit)
PLOT_SERIES: dict[str, tuple[str, str]] = {
    "altitude_m": ("altitude", "m"),
    "speed_m_s": ("speed", "m/s"),
    "tilt_deg": ("tilt", "deg"),
    "collective_thrust_n": ("collective thrust", "N"),
    "body_rates_rad_s/roll": ("roll rate", "rad/s"),
    "body_rates_rad_s/pitch": ("pitch rate", "rad/s"),
    "body_rates_rad_s/yaw": ("yaw rate", "rad/s"),
}

COLOR_START = (160, 60, 220)

_UNSAFE = re.compile(r"[^A-Za-z0-9_./-]+")


def episode_entity_path(name: str, root: str = "world") -> str:
    """``root/<name>`` with characters Rerun would need escaped replaced by ``_``."""
    parts = [p for p in _UNSAFE.sub("_", name).split("/") if p not in ("", ".", "..")]
    return "/".join([root, *parts]) if parts else f"{root}/scenario"


def decimate_rows(time_s: np.ndarray, max_hz: float | None) -> np.ndarray:
    """Row indices keeping at most ``max_hz`` rows per second of ``time_s`` (s), always the first and last row.

    ``max_hz`` None or <= 0 keeps every row.
    """
    n = int(np.asarray(time_s).shape[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if not max_hz or max_hz <= 0 or n < 3:
        return np.arange(n)
    bins = np.floor(np.asarray(time_s, dtype=np.float64) * float(max_hz) + 1e-9).astype(np.int64)
    keep = np.flatnonzero(np.r_[True, np.diff(bins) != 0])
    if keep[-1] != n - 1:
        keep = np.r_[keep, n - 1]
    return keep


def episode_summary_markdown(ep: EpisodeArrays, planner_name: str | None = None,
                             extra: Mapping[str, Any] | None = None, title: str | None = None) -> str:
    """A short markdown table: scenario, planner, waypoints reached, time, outcome, then ``extra`` rows."""
    rows: list[tuple[str, Any]] = [("scenario", ep.name)]
    if planner_name:
        rows.append(("planner", f"`{planner_name}`"))
    rows += [("waypoints reached", f"{ep.waypoints_reached} / {ep.n_waypoints}"),
             ("time", f"{ep.duration_s:.2f} s ({max(ep.n_rows - 1, 0)} steps)"),
             ("outcome", ep.outcome)]
    rows += list((extra or {}).items())
    lines = [f"### {title or ep.name}", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


def _index_columns(times_s: np.ndarray, fixed_times: Mapping[str, int], timeline: str) -> list[rr.TimeColumn]:
    n = times_s.shape[0]
    cols = [rr.TimeColumn(timeline, duration=np.asarray(times_s, dtype=np.float64))]
    cols += [rr.TimeColumn(name, sequence=np.full(n, int(v), dtype=np.int64)) for name, v in fixed_times.items()]
    return cols


def _waypoint_batch(ep: EpisodeArrays, n_reached: int) -> tuple[np.ndarray, list[str]]:
    k = ep.n_waypoints
    colors = np.empty((k, 3), dtype=np.uint8)
    labels = []
    for i in range(k):
        if i < n_reached:
            colors[i], label = COLOR_REACHED, f"wp{i + 1} ok"
        elif i == n_reached:
            colors[i], label = COLOR_ACTIVE, f"wp{i + 1} <- next"
        else:
            colors[i], label = COLOR_UNREACHED, f"wp{i + 1}"
        labels.append(label)
    return colors, labels


def log_episode(
    viz: RerunVisualizer,
    ep: EpisodeArrays,
    base: str | None = None,
    *,
    summary_path: str | None = None,
    plots_base: str | None = None,
    fixed_times: Mapping[str, int] | None = None,
    planner_name: str | None = None,
    summary_extra: Mapping[str, Any] | None = None,
    summary_title: str | None = None,
    max_pose_hz: float | None = 25.0,
    max_plot_hz: float | None = 25.0,
    timeline: str = SIM_TIMELINE,
    quad_scale: float | None = None,
) -> str:
    """Log one episode into ``viz`` (entities in the module docstring); returns ``base``.

    Args:
        viz: the recording.
        ep: the episode arrays.
        base: entity root of the episode (default ``world/<scenario name>``).
        summary_path: markdown summary entity (default ``base/summary``).
        plots_base: where the time series go (None: no time series).
        fixed_times: ``{timeline: sequence}`` stamped on every row (e.g. ``{"ppo_update": 40, "snapshot": 1}``).
        planner_name / summary_extra / summary_title: shown in the summary table.
        max_pose_hz / max_plot_hz: decimation of pose / plot rows per second of sim time (None: every row).
        timeline: name of the simulation-time timeline.
        quad_scale: drawing magnification of the drone (default ``RerunVisualizer``'s).

    Stateful time set on ``viz`` before the call is cleared for the timelines used here and the
    fixed ones when the call returns.
    """
    fixed = dict(fixed_times or {})
    base = base or episode_entity_path(ep.name)
    summary_path = summary_path or f"{base}/summary"
    rec = viz.rec
    if ep.n_rows == 0:
        return base
    t = ep.time_s
    for name, value in fixed.items():
        viz.set_time(name, sequence=value)
    try:
        viz.set_time(timeline, seconds=0.0)
        start = ep.positions[0].astype(np.float32)
        rec.log(f"{base}/start", rr.Points3D([start], radii=[0.06], colors=[COLOR_START], labels=["start"],
                                             show_labels=True))
        pos = ep.positions
        finite_pos = pos[np.all(np.isfinite(pos), axis=1)].astype(np.float32)
        rec.log(f"{base}/trajectory", rr.LineStrips3D([finite_pos], radii=rr.Radius.ui_points(2.0),
                                                      colors=[COLOR_TRAJECTORY]))
        rec.log(summary_path, rr.TextDocument(episode_summary_markdown(ep, planner_name, summary_extra, summary_title),
                                              media_type=rr.MediaType.MARKDOWN))

        # waypoints at t = 0 and whenever one is reached
        k = ep.n_waypoints
        if k:
            change_rows = np.r_[0, np.flatnonzero(np.diff(ep.active_index) != 0) + 1]
            positions = np.tile(ep.waypoints.astype(np.float32), (len(change_rows), 1))
            colors, labels = [], []
            for r in change_rows:
                c, lab = _waypoint_batch(ep, int(min(max(ep.active_index[r], 0), k)))
                colors.append(c)
                labels += lab
            radius = ep.reach_radius_m if math.isfinite(ep.reach_radius_m) and ep.reach_radius_m > 0 else 0.05
            rec.send_columns(
                f"{base}/waypoints",
                indexes=_index_columns(t[change_rows], fixed, timeline),
                columns=rr.Points3D.columns(positions=positions, colors=np.concatenate(colors),
                                            radii=np.full(len(positions), radius, dtype=np.float32),
                                            labels=labels).partition(np.full(len(change_rows), k)),
            )
            rec.log(f"{base}/waypoints", rr.Points3D.from_fields(show_labels=True), static=True)

        # the drone along its trajectory
        viz.log_quadcopter_body(f"{base}/drone", static=True,
                                **({} if quad_scale is None else {"scale": quad_scale}))
        quat = ep.quaternions_wxyz
        ok = np.all(np.isfinite(pos), axis=1) & np.all(np.isfinite(quat), axis=1)
        rows = decimate_rows(t, max_pose_hz)
        rows = rows[ok[rows]]
        if rows.shape[0]:
            xyzw = np.stack([wxyz_to_xyzw(q) for q in quat[rows]])
            rec.send_columns(
                f"{base}/drone",
                indexes=_index_columns(t[rows], fixed, timeline),
                columns=rr.Transform3D.columns(translation=pos[rows].astype(np.float32), quaternion=xyzw),
            )

        if plots_base is not None:
            _log_plots(viz, ep, plots_base, fixed, timeline, max_plot_hz)

        # final summary at the end of the episode (the table stays visible at every time)
        viz.set_time(timeline, seconds=float(t[-1]))
        rec.log(summary_path, rr.TextDocument(episode_summary_markdown(ep, planner_name, summary_extra, summary_title),
                                              media_type=rr.MediaType.MARKDOWN))
    finally:
        viz.disable_timeline(timeline)
        for name in fixed:
            viz.disable_timeline(name)
    return base


def _log_plots(viz: RerunVisualizer, ep: EpisodeArrays, plots_base: str, fixed: Mapping[str, int], timeline: str,
               max_plot_hz: float | None) -> None:
    rows = decimate_rows(ep.time_s, max_plot_hz)
    rates = ep.body_rates_rad_s
    series = {
        "altitude_m": ep.positions[:, 2],
        "speed_m_s": ep.speed_m_s,
        "tilt_deg": ep.tilt_deg,
        "collective_thrust_n": ep.collective_thrust_n,
        "body_rates_rad_s/roll": rates[:, 0],
        "body_rates_rad_s/pitch": rates[:, 1],
        "body_rates_rad_s/yaw": rates[:, 2],
    }
    for rel, values in series.items():
        v = np.asarray(values, dtype=np.float64)[rows]
        keep = np.isfinite(v)
        if not np.any(keep):
            continue
        path = f"{plots_base}/{rel}"
        name, unit = PLOT_SERIES[rel]
        viz.log_series_style(path, name=f"{name} [{unit}]")
        viz.rec.send_columns(path, indexes=_index_columns(ep.time_s[rows][keep], fixed, timeline),
                             columns=rr.Scalars.columns(scalars=v[keep]))
