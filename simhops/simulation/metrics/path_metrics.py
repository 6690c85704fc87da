"""Path metrics: flown length, efficiency, tracking error to the active leg."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simhops.simulation.metrics.course_metrics import NAN, n_waypoints, reach_rows

if TYPE_CHECKING:
    from simhops.simulation.history.simulation_history import SimulationHistory


def _polyline_length(points: np.ndarray) -> float:
    """Sum of the finite segment lengths of a (N, 3) polyline (m)."""
    if points.shape[0] < 2:
        return 0.0
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    return float(np.sum(seg[np.isfinite(seg)]))


def path_length_m(history: "SimulationHistory") -> float:
    """Length of the flown path (m): sum of |p[k+1] - p[k]| over the recorded positions
    (segments with a non-finite end are skipped)."""
    return _polyline_length(np.asarray(history.positions))


def path_efficiency(history: "SimulationHistory") -> float:
    """Straight-line hops over flown length, in [0, 1] (dimensionless); NaN when no waypoint was reached.

    Reference: the polyline start -> r_0 -> r_1 -> ... -> r_last, where r_j is the drone's
    position when waypoint j was reached (a waypoint counts within the reach radius, so
    the waypoint-to-waypoint polyline could be longer than an ideal flight; through the
    actual reach points the straight line is a true lower bound). Flown length: the path
    up to the last reach. 1 = straight lines between the reach points.
    """
    rows = reach_rows(history)
    if rows.shape[0] == 0:
        return NAN
    p = np.asarray(history.positions)
    flown = _polyline_length(p[: rows[-1] + 1])
    if not flown > 0.0:
        return NAN
    straight = _polyline_length(np.vstack([p[:1], p[rows]]))
    return float(min(1.0, max(0.0, straight / flown)))


def tracking_errors_m(history: "SimulationHistory") -> np.ndarray:
    """(M,) distance (m) from the drone to the active leg, for every row before completion with a finite position.

    The active leg of row k is the segment from the previous waypoint (the start
    position ``positions[0]`` for the first leg) to the active waypoint
    ``active_index[k]``; the distance is the point-to-segment distance. A waypoint
    counts as reached within ``reach_radius_m``, so right after a reach the drone can be
    up to one reach radius from the new leg (it is still short of the leg's start).
    """
    p_all = np.asarray(history.positions)
    a = np.asarray(history.active_index)
    wp = np.asarray(history.scenario.waypoints)
    keep = (a < n_waypoints(history)) & np.all(np.isfinite(p_all), axis=1)
    if not np.any(keep):
        return np.zeros(0)
    p, a = p_all[keep], a[keep]
    nodes = np.vstack([p_all[:1], wp])  # node j = start of leg j
    s, e = nodes[a], nodes[a + 1]
    d = e - s
    dd = np.einsum("ij,ij->i", d, d)
    u = np.where(dd > 0, np.einsum("ij,ij->i", p - s, d) / np.where(dd > 0, dd, 1.0), 0.0)
    closest = s + np.clip(u, 0.0, 1.0)[:, None] * d
    return np.linalg.norm(p - closest, axis=1)


def mean_tracking_error_m(history: "SimulationHistory") -> float:
    """Mean distance to the active leg (m) over the rows before completion; NaN if none."""
    e = tracking_errors_m(history)
    return float(np.mean(e)) if e.shape[0] else NAN


def max_tracking_error_m(history: "SimulationHistory") -> float:
    """Max distance to the active leg (m) over the rows before completion; NaN if none."""
    e = tracking_errors_m(history)
    return float(np.max(e)) if e.shape[0] else NAN
