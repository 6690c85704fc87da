"""VisualizationCallback: log whole episodes to a Rerun recording (via :mod:`simhops.viz.episode_recording`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.viz.episode_rerun import SIM_TIMELINE, episode_entity_path

if TYPE_CHECKING:
    from simhops.simulation.history.simulation_history import SimulationHistory
    from simhops.viz.episode_recording import EpisodeRecording
    from simhops.viz.rerun_visualizer import RerunVisualizer

__all__ = ["VisualizationCallback", "scenario_entity_path", "SIM_TIMELINE"]


def scenario_entity_path(scenario_name: str, root: str = "world") -> str:
    """``world/<scenario name>`` with characters Rerun would need escaped replaced by ``_``."""
    return episode_entity_path(scenario_name, root)


class VisualizationCallback(AbstractCallback):
    """Logs each episode, whole, at ``on_simulation_end`` (seed 000, gotcha 11: nothing per step).

    The logging is the shared :func:`simhops.viz.episode_rerun.log_episode` (the same as training
    snapshots and ``simhops replay``): one subtree per scenario (``world/<scenario name>/...``:
    start, waypoints, trajectory, the drone flying along it on ``sim_time``, summary) plus its time
    series under ``plots/<scenario name>/...``; :meth:`close` adds the overview and the blueprint
    (:class:`simhops.viz.episode_recording.EpisodeRecording`).

    The recording is opened lazily (first episode) and only its path is pickled, so
    the callback can be sent to a worker - but every copy writes the same file, so for
    parallel runs log in the main process (:meth:`log_history` on saved histories, as
    ``simhops eval --rerun`` does). Call :meth:`close` to finalize the ``.rrd`` file.

    Args:
        output: ``.rrd`` path (the recording is created here) or a live
            :class:`RerunVisualizer` owned by the caller (then not picklable).
        application_id: Rerun application id of a recording created here.
    """

    def __init__(self, output: "str | Path | RerunVisualizer", application_id: str = "simhops_eval") -> None:
        from simhops.viz.rerun_visualizer import RerunVisualizer

        self._given_viz: RerunVisualizer | None = output if isinstance(output, RerunVisualizer) else None
        self.output_path = output.output_path if isinstance(output, RerunVisualizer) else Path(output)
        self._recording: EpisodeRecording | None = None
        self.application_id = application_id
        self._closed = False

    def __getstate__(self) -> dict[str, Any]:
        if self._given_viz is not None:
            raise TypeError("a VisualizationCallback wrapping a caller's RerunVisualizer cannot be pickled; "
                            "build it from an output path instead")
        state = dict(self.__dict__)
        state["_recording"] = None
        return state

    @property
    def recording(self) -> "EpisodeRecording":
        """The episode recording (opened on first use).

        Raises:
            RuntimeError: after :meth:`close` (reopening would overwrite the file).
        """
        if self._closed:
            raise RuntimeError(f"VisualizationCallback({self.output_path}) is closed")
        if self._recording is None:
            from simhops.viz.episode_recording import EpisodeRecording

            self._recording = EpisodeRecording(self.output_path, self.application_id, visualizer=self._given_viz)
        return self._recording

    @property
    def visualizer(self) -> "RerunVisualizer":
        """The underlying recording stream wrapper (opened on first use); RuntimeError after :meth:`close`."""
        return self.recording.viz

    def log_history(self, history: "SimulationHistory", planner_name: str | None = None) -> str:
        """Log one episode (see class docstring); returns its entity path. Does not modify ``history``."""
        from simhops.viz.episode_arrays import EpisodeArrays

        return self.recording.add(EpisodeArrays.from_history(history), planner_name).base

    def on_simulation_end(self, setup: Any, planner: Any, history: Any) -> None:
        self.log_history(history, planner.name())

    def on_initialization_end(self, setup: Any) -> None:
        if self._recording is not None:
            self._recording.viz.flush()

    def close(self) -> None:
        """Write the overview and blueprint and finalize the recording if this callback opened it (idempotent)."""
        if self._recording is not None:
            self._recording.close()
            self._recording = None
        self._closed = True
