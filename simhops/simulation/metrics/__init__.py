"""Episode metrics over a :class:`~simhops.simulation.history.simulation_history.SimulationHistory`.

Every metric is a module-level function ``metric(history) -> bool | int | float | str``
(picklable, no side effects; the history is only read). :class:`MetricsEngine`
computes a named set of them; :data:`DEFAULT_METRICS` lists the standard set
with units.
"""

from simhops.simulation.metrics.course_metrics import (
    crash_cause,
    crashed,
    episode_time_s,
    final_distance_m,
    n_steps,
    reach_rows,
    success,
    time_per_hop_s,
    time_to_complete_s,
    waypoints_reached,
)
from simhops.simulation.metrics.dynamics_metrics import (
    body_rate_jerk_rad_s3,
    control_effort,
    max_speed_m_s,
    max_tilt_rad,
)
from simhops.simulation.metrics.metric_engine import DEFAULT_METRICS, MetricsEngine
from simhops.simulation.metrics.path_metrics import (
    max_tracking_error_m,
    mean_tracking_error_m,
    path_efficiency,
    path_length_m,
    tracking_errors_m,
)

__all__ = [
    "MetricsEngine", "DEFAULT_METRICS",
    "success", "waypoints_reached", "time_to_complete_s", "time_per_hop_s", "crashed", "crash_cause",
    "episode_time_s", "n_steps", "final_distance_m", "reach_rows",
    "path_length_m", "path_efficiency", "mean_tracking_error_m", "max_tracking_error_m", "tracking_errors_m",
    "max_speed_m_s", "max_tilt_rad", "control_effort", "body_rate_jerk_rad_s3",
]
