"""EpisodeRecording: a Rerun recording of whole episodes (``eval.rrd``, ``simhops replay``) with a blueprint.

Layout of the file (rerun-sdk 0.41):

* ``world/dome``, ``world/ground`` (static scene, :meth:`RerunVisualizer.log_scene`);
* one subtree per episode, ``world/<scenario>/...`` and its time series ``plots/<scenario>/...``
  (:func:`simhops.viz.episode_rerun.log_episode`, timeline ``sim_time``);
* ``overview/summary`` (markdown: success rate, mean waypoints, a table of every episode) and
  ``overview/waypoints_reached`` (``BarChart``, one bar per episode), written by :meth:`close`;
* a default blueprint (:func:`simhops.viz.blueprint.build_episodes_blueprint`): the overview on
  the left, one tab per course on the right (3D view + altitude / speed / tilt / thrust / body-rate
  plots), sent by :meth:`close`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rerun as rr

from simhops.viz.blueprint import build_episodes_blueprint
from simhops.viz.episode_arrays import EpisodeArrays
from simhops.viz.episode_rerun import episode_entity_path, log_episode
from simhops.viz.rerun_visualizer import RerunVisualizer

__all__ = ["EpisodeRecording", "RecordedEpisode", "write_episode_rrd"]

OVERVIEW_SUMMARY = "overview/summary"
OVERVIEW_BARS = "overview/waypoints_reached"


@dataclass(frozen=True)
class RecordedEpisode:
    """What :meth:`EpisodeRecording.add` logged: entity roots and the outcome."""

    name: str
    base: str
    plots_base: str
    planner_name: str | None
    waypoints_reached: int
    n_waypoints: int
    duration_s: float
    outcome: str


class EpisodeRecording:
    """Whole episodes into one ``.rrd`` (see module docstring).

    Args:
        output_path: the ``.rrd`` file (parent directories are created).
        application_id: Rerun application id (``simhops_eval``, ``simhops_replay``).
        visualizer: log into this caller-owned recording instead (then ``output_path`` is ignored
            and :meth:`close` does not close it).
        max_pose_hz / max_plot_hz: decimation of drone poses / plot rows (rows per second of sim time).
    """

    def __init__(self, output_path: str | Path | None = None, application_id: str = "simhops_eval", *,
                 visualizer: RerunVisualizer | None = None, max_pose_hz: float | None = 25.0,
                 max_plot_hz: float | None = 25.0) -> None:
        if visualizer is None and output_path is None:
            raise ValueError("EpisodeRecording needs output_path or visualizer")
        self._owns = visualizer is None
        self.viz = visualizer if visualizer is not None else RerunVisualizer(application_id, output_path)
        self.max_pose_hz = max_pose_hz
        self.max_plot_hz = max_plot_hz
        self.episodes: list[RecordedEpisode] = []
        self._scene_radius: float | None = None
        self._closed = False

    def add(self, ep: EpisodeArrays, planner_name: str | None = None) -> RecordedEpisode:
        """Log one episode under ``world/<name>`` (a name seen before gets a ``_<n>`` suffix)."""
        if self._closed:
            raise RuntimeError("EpisodeRecording is closed")
        if self._scene_radius is None or ep.dome_radius_m > self._scene_radius:
            self._scene_radius = ep.dome_radius_m
            self.viz.log_scene("world", ep.dome_radius_m)
        base = episode_entity_path(ep.name)
        used = {e.base for e in self.episodes}
        if base in used:
            n = 2
            while f"{base}_{n}" in used:
                n += 1
            base = f"{base}_{n}"
        plots_base = "plots" + base[len("world"):]
        log_episode(self.viz, ep, base, plots_base=plots_base, planner_name=planner_name,
                    max_pose_hz=self.max_pose_hz, max_plot_hz=self.max_plot_hz)
        rec = RecordedEpisode(ep.name, base, plots_base, planner_name, ep.waypoints_reached, ep.n_waypoints,
                              ep.duration_s, ep.outcome)
        self.episodes.append(rec)
        return rec

    def overview_markdown(self) -> str:
        """Success rate, mean waypoints and one table row per episode."""
        eps = self.episodes
        n = len(eps)
        if n == 0:
            return "## No episodes"
        n_ok = sum(e.outcome == "completed" for e in eps)
        n_crash = sum(e.outcome.startswith("crashed") for e in eps)
        mean_wp = float(np.mean([e.waypoints_reached for e in eps]))
        planners = sorted({e.planner_name for e in eps if e.planner_name})
        lines = [f"## {n} episode{'s' if n != 1 else ''}" + (f" - planner `{', '.join(planners)}`" if planners else ""),
                 "", f"**success {n_ok}/{n} ({n_ok / n:.0%})**, crashed {n_crash}, "
                     f"mean waypoints reached {mean_wp:.2f}", "",
                 "| # | course | waypoints | time [s] | outcome |", "|---|---|---|---|---|"]
        lines += [f"| {i} | {e.name} | {e.waypoints_reached}/{e.n_waypoints} | {e.duration_s:.2f} | {e.outcome} |"
                  for i, e in enumerate(eps)]
        return "\n".join(lines)

    def close(self) -> None:
        """Write the overview and the blueprint, then finalize the file (if this recording opened it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self.viz.log_text(OVERVIEW_SUMMARY, self.overview_markdown())
            if self.episodes:
                self.viz.rec.log(OVERVIEW_BARS, rr.BarChart([e.waypoints_reached for e in self.episodes]))
            self.viz.send_blueprint(build_episodes_blueprint([(e.name, e.base, e.plots_base) for e in self.episodes]))
        finally:
            if self._owns:
                self.viz.close()

    def __enter__(self) -> "EpisodeRecording":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_episode_rrd(output_path: str | Path, history: Any, planner_name: str | None = None,
                      application_id: str = "simhops_replay", max_hz: float | None = None) -> RecordedEpisode:
    """Write one episode (a ``SimulationHistory`` or anything :meth:`EpisodeArrays.from_history` reads)
    to ``output_path`` with the episode blueprint; returns what was logged (``simhops replay``).

    ``max_hz``: pose / plot rows per second of sim time (None: every recorded row).
    """
    with EpisodeRecording(output_path, application_id, max_pose_hz=max_hz, max_plot_hz=max_hz) as recording:
        return recording.add(EpisodeArrays.from_history(history), planner_name)
