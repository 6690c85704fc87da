"""VisualizationCallback: log whole episodes to a Rerun recording."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.dynamics.kernels.layout import QUAT

if TYPE_CHECKING:
    from simhops.simulation.history.simulation_history import SimulationHistory
    from simhops.viz.rerun_visualizer import RerunVisualizer

#: the timeline of simulation time (a duration in seconds)
SIM_TIMELINE = "sim_time"

_UNSAFE = re.compile(r"[^A-Za-z0-9_./-]+")


def scenario_entity_path(scenario_name: str, root: str = "world") -> str:
    """``world/<scenario name>`` with characters Rerun would need escaped replaced by ``_``."""
    parts = [p for p in _UNSAFE.sub("_", scenario_name).split("/") if p not in ("", ".", "..")]
    return "/".join([root, *parts]) if parts else f"{root}/scenario"


class VisualizationCallback(AbstractCallback):
    """Logs each episode, whole, at ``on_simulation_end`` (seed 000, gotcha 11: nothing per step).

    Entities, one subtree per scenario (``world/<scenario name>/...``), on the timeline
    ``sim_time`` (seconds since the episode start):

    | entity | content |
    |---|---|
    | ``.../waypoints`` | ``RerunVisualizer.log_waypoints`` at t = 0 and whenever a waypoint is reached (reached = green, active = orange) |
    | ``.../trajectory`` | ``RerunVisualizer.log_trajectory``: the full flown path (T, 3) m, at t = 0 |
    | ``.../drone`` | ``RerunVisualizer.log_quadcopter`` body at t = 0, then its pose (translation, attitude) at every recorded row |
    | ``.../summary`` | a markdown line: planner, waypoints reached, outcome |

    The recording is opened lazily (first episode) and only its path is pickled, so
    the callback can be sent to a worker - but every copy writes the same file, so for
    parallel runs log in the main process (:meth:`log_history` on saved histories, as
    ``simhops eval --rerun`` does). Call :meth:`close` to finalize the ``.rrd`` file.

    Args:
        output: ``.rrd`` path (the recording is created here) or a live
            :class:`RerunVisualizer` owned by the caller (then not picklable).
        application_id: Rerun application id of a recording created here.
        root: entity root (``world``).
    """

    def __init__(self, output: "str | Path | RerunVisualizer", application_id: str = "simhops_eval",
                 root: str = "world") -> None:
        from simhops.viz.rerun_visualizer import RerunVisualizer

        if isinstance(output, RerunVisualizer):
            self._viz: RerunVisualizer | None = output
            self._owns_viz = False
            self.output_path = output.output_path
        else:
            self._viz = None
            self._owns_viz = True
            self.output_path = Path(output)
        self.application_id = application_id
        self.root = root
        self._closed = False

    def __getstate__(self) -> dict[str, Any]:
        if not self._owns_viz:
            raise TypeError("a VisualizationCallback wrapping a caller's RerunVisualizer cannot be pickled; "
                            "build it from an output path instead")
        state = dict(self.__dict__)
        state["_viz"] = None
        return state

    @property
    def visualizer(self) -> "RerunVisualizer":
        """The recording (opened on first use).

        Raises:
            RuntimeError: after :meth:`close` (reopening would overwrite the file).
        """
        if self._closed:
            raise RuntimeError(f"VisualizationCallback({self.output_path}) is closed")
        if self._viz is None:
            from simhops.viz.rerun_visualizer import RerunVisualizer

            self._viz = RerunVisualizer(self.application_id, self.output_path)
        return self._viz

    def log_history(self, history: "SimulationHistory", planner_name: str | None = None) -> str:
        """Log one episode (see class docstring); returns its entity path. Does not modify ``history``."""
        import rerun as rr

        from simhops.viz.rerun_visualizer import wxyz_to_xyzw

        viz = self.visualizer
        sc = history.scenario
        base = scenario_entity_path(sc.name, self.root)
        t = np.asarray(history.time_s, dtype=np.float64)
        if t.shape[0] == 0:
            return base
        t = t - t[0]
        pos = np.asarray(history.positions, dtype=np.float64)
        quat = np.asarray(history.states)[:, QUAT:QUAT + 4]
        active = np.asarray(history.active_index)
        k = sc.waypoints.shape[0]

        def waypoints_at(row: int) -> None:
            a = int(active[row])
            viz.set_time(SIM_TIMELINE, seconds=float(t[row]))
            viz.log_waypoints(f"{base}/waypoints", sc.waypoints, reached=np.arange(k) < a,
                              reach_radius_m=sc.reach_radius_m, active_index=a if a < k else None)

        waypoints_at(0)
        for row in np.flatnonzero(np.diff(active) != 0) + 1:
            waypoints_at(int(row))
        viz.set_time(SIM_TIMELINE, seconds=0.0)
        viz.log_trajectory(f"{base}/trajectory", pos)
        finite = np.all(np.isfinite(pos), axis=1) & np.all(np.isfinite(quat), axis=1)
        viz.log_quadcopter(f"{base}/drone", pos[0], quat[0])
        if np.any(finite):
            xyzw = np.stack([wxyz_to_xyzw(q) for q in quat[finite]])
            viz.rec.send_columns(
                f"{base}/drone",
                indexes=[rr.TimeColumn(SIM_TIMELINE, duration=t[finite])],
                columns=rr.Transform3D.columns(translation=pos[finite].astype(np.float32), quaternion=xyzw),
            )
        from simhops.simulation.metrics.course_metrics import crash_cause, waypoints_reached

        reached = waypoints_reached(history)
        outcome = "completed" if reached >= k else (f"crashed ({crash_cause(history)})"
                                                    if crash_cause(history) != "none" else "incomplete")
        viz.set_time(SIM_TIMELINE, seconds=float(t[-1]))
        viz.log_text(f"{base}/summary", f"**{sc.name}** - planner `{planner_name or '?'}`: "
                                        f"{reached}/{k} waypoints in {t[-1]:.2f} s, {outcome}")
        return base

    def on_simulation_end(self, setup: Any, planner: Any, history: Any) -> None:
        self.log_history(history, planner.name())

    def on_initialization_end(self, setup: Any) -> None:
        if self._viz is not None:
            self._viz.flush()

    def close(self) -> None:
        """Finalize the recording if this callback opened it (idempotent)."""
        if self._viz is not None and self._owns_viz:
            self._viz.close()
            self._viz = None
        self._closed = True
