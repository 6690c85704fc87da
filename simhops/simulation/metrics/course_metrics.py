"""Course metrics: completion, waypoints, times, crash.

All functions take a :class:`SimulationHistory` with ``T = history.n_rows`` rows
(row k = state at ``time_s[k]``; ``active_index[k]`` = waypoints reached by then;
the course tracker only counts waypoints in order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simhops.dynamics.kernels.layout import CRASH_NAMES, CRASH_NONE

if TYPE_CHECKING:
    from simhops.simulation.history.simulation_history import SimulationHistory

NAN = float("nan")


def n_waypoints(history: "SimulationHistory") -> int:
    """K, the waypoints of the course."""
    return int(history.scenario.waypoints.shape[0])


def waypoints_reached(history: "SimulationHistory") -> int:
    """Waypoints reached, in order, by the end of the episode (count, 0..K)."""
    a = history.active_index
    return int(a[-1]) if a.shape[0] else 0


def success(history: "SimulationHistory") -> bool:
    """True when every waypoint was reached, in order (bool)."""
    return waypoints_reached(history) >= n_waypoints(history)


def reach_rows(history: "SimulationHistory") -> np.ndarray:
    """(n_reached,) int: row at which waypoint j (0-based) was first counted as reached."""
    a = np.asarray(history.active_index)
    n = waypoints_reached(history)
    return np.searchsorted(a, np.arange(1, n + 1), side="left").astype(np.int64)


def time_to_complete_s(history: "SimulationHistory") -> float:
    """Time from the start to reaching the last waypoint (s); NaN when the course was not completed."""
    if not success(history):
        return NAN
    t = history.time_s
    return float(t[reach_rows(history)[-1]] - t[0])


def time_per_hop_s(history: "SimulationHistory") -> float:
    """Mean time per reached waypoint (s): (time of the last reach - start) / waypoints reached,
    i.e. the mean of start->wp0, wp0->wp1, ... hop times; NaN when none was reached."""
    rows = reach_rows(history)
    if rows.shape[0] == 0:
        return NAN
    t = history.time_s
    return float((t[rows[-1]] - t[0]) / rows.shape[0])


def _crash_code(history: "SimulationHistory") -> int:
    c = np.asarray(history.crash)
    nz = np.flatnonzero(c != CRASH_NONE)
    return int(c[nz[0]]) if nz.shape[0] else CRASH_NONE


def crashed(history: "SimulationHistory") -> bool:
    """True when the drone crashed: below ground, out of the flight dome or non-finite state (bool)."""
    return _crash_code(history) != CRASH_NONE


def crash_cause(history: "SimulationHistory") -> str:
    """``"none"``, ``"ground"``, ``"dome"`` or ``"non_finite"`` (the first crash recorded)."""
    return CRASH_NAMES[_crash_code(history)]


def episode_time_s(history: "SimulationHistory") -> float:
    """Simulated duration of the episode (s), first to last recorded row."""
    t = history.time_s
    return float(t[-1] - t[0]) if t.shape[0] else 0.0


def n_steps(history: "SimulationHistory") -> int:
    """Control steps taken (count) = ``len(history)``."""
    return int(len(history))


def final_distance_m(history: "SimulationHistory") -> float:
    """Distance to the active waypoint at the end (m); 0 when the course was completed."""
    d = history.distance_m
    return float(d[-1]) if d.shape[0] else NAN
