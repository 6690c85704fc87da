"""MetricsEngine: compute a named set of metrics on a history."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np

from simhops.simulation.metrics import course_metrics as cm
from simhops.simulation.metrics import dynamics_metrics as dm
from simhops.simulation.metrics import path_metrics as pm

if TYPE_CHECKING:
    from simhops.simulation.history.simulation_history import SimulationHistory
    from simhops.dynamics.physics.physics_params import PhysicsParams

Metric = Callable[["SimulationHistory"], Any]

#: the standard metrics: name -> (function, unit, meaning)
DEFAULT_METRICS: dict[str, tuple[Metric, str, str]] = {
    "success": (cm.success, "bool", "all waypoints reached, in order"),
    "waypoints_reached": (cm.waypoints_reached, "count", "waypoints reached in order"),
    "n_waypoints": (cm.n_waypoints, "count", "waypoints of the course"),
    "time_to_complete_s": (cm.time_to_complete_s, "s", "start to last waypoint; NaN if not completed"),
    "time_per_hop_s": (cm.time_per_hop_s, "s", "mean time per reached waypoint; NaN if none"),
    "crashed": (cm.crashed, "bool", "ground, dome or non-finite state"),
    "crash_cause": (cm.crash_cause, "-", "none | ground | dome | non_finite"),
    "episode_time_s": (cm.episode_time_s, "s", "simulated duration"),
    "n_steps": (cm.n_steps, "count", "control steps"),
    "final_distance_m": (cm.final_distance_m, "m", "distance to the active waypoint at the end"),
    "path_length_m": (pm.path_length_m, "m", "flown path length"),
    "path_efficiency": (pm.path_efficiency, "-", "straight hops through the reach points / flown length, [0, 1]"),
    "mean_tracking_error_m": (pm.mean_tracking_error_m, "m", "mean distance to the active leg (previous -> active waypoint)"),
    "max_tracking_error_m": (pm.max_tracking_error_m, "m", "max distance to the active leg"),
    "max_speed_m_s": (dm.max_speed_m_s, "m/s", "largest speed"),
    "max_tilt_rad": (dm.max_tilt_rad, "rad", "largest tilt from level"),
    "control_effort": (dm.control_effort, "-", "mean squared normalized command, [0, 1]"),
    "body_rate_jerk_rad_s3": (dm.body_rate_jerk_rad_s3, "rad/s^3", "mean |d^2 omega/dt^2|"),
}


def _to_builtin(value: Any) -> Any:
    """numpy scalars -> python bool/int/float/str (None stays None)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    raise TypeError(f"a metric must return bool, int, float, str or None, got {type(value).__name__}")


class MetricsEngine:
    """Computes ``{name: value}`` for a set of metric functions, in a fixed order.

    Args:
        metrics: ``{name: fn}`` or a sequence of functions (named by ``__name__``, or
            ``func.__name__`` of a ``functools.partial``); each ``fn(history)`` returns a
            bool, int, float or str. Functions must pickle (module level) for worker pools.

    Raises:
        ValueError: duplicate or empty names.
        TypeError: a metric returns another type (from :meth:`compute`).
    """

    def __init__(self, metrics: Mapping[str, Metric] | Sequence[Metric]) -> None:
        if isinstance(metrics, Mapping):
            items = list(metrics.items())
        else:
            items = []
            for fn in metrics:
                base = fn.func if isinstance(fn, functools.partial) else fn
                items.append((getattr(base, "__name__", ""), fn))
        names = [n for n, _ in items]
        if any(not n for n in names):
            raise ValueError("every metric needs a name")
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate metric names in {names}")
        self._metrics: dict[str, Metric] = dict(items)

    @classmethod
    def default(cls, physics: "PhysicsParams | None" = None) -> "MetricsEngine":
        """The :data:`DEFAULT_METRICS` (``control_effort`` normalized with ``physics``, default config's if None)."""
        metrics = {name: fn for name, (fn, _, _) in DEFAULT_METRICS.items()}
        if physics is not None:
            metrics["control_effort"] = functools.partial(dm.control_effort, physics=physics)
        return cls(metrics)

    @property
    def names(self) -> list[str]:
        """Metric names, in computation order."""
        return list(self._metrics)

    def compute(self, history: "SimulationHistory") -> dict[str, Any]:
        """``{name: value}`` for ``history`` (python scalars; NaN for undefined floats)."""
        return {name: _to_builtin(fn(history)) for name, fn in self._metrics.items()}
