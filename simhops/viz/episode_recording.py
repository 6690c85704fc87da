"""EpisodeRecording: a Rerun recording of whole episodes (``eval.rrd``, ``simhops replay``) with a blueprint.

Layout of the file (rerun-sdk 0.41):

* ``world/dome``, ``world/ground`` (static scene, :meth:`RerunVisualizer.log_scene`);
* one subtree per episode, ``world/<scenario>/...`` (:func:`simhops.viz.episode_rerun.log_episode`,
  timeline ``sim_time``);
* the time series ``plots/{altitude_m, speed_m_s, tilt_deg, collective_thrust_n, body_rates_rad_s}``,
  one series per episode (:func:`simhops.viz.episode_rerun.log_episodes_plots`), written by :meth:`close`;
* ``overview/summary`` (markdown: success rate, mean waypoints, a table of every episode) and
  ``overview/waypoints_reached`` (``BarChart``, one bar per episode), written by :meth:`close`;
* a default blueprint (:func:`simhops.viz.blueprint.build_episodes_blueprint`): the overview on
  the left, one 3D tab per course in the middle, altitude / speed / tilt / thrust / body-rate plots
  on the right, sent by :meth:`close`.

Drone poses and plot rows are decimated to ``max_pose_hz`` / ``max_plot_hz`` (default 10 rows per
second of sim time; the trajectory line keeps every point): benchmark-v0 (100 courses) stays a few MB
and loads in the web viewer in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rerun as rr

from simhops.viz.blueprint import build_episodes_blueprint
from simhops.viz.episode_arrays import EpisodeArrays
from simhops.viz.episode_rerun import episode_entity_path, log_episode, log_episodes_plots
from simhops.viz.rerun_visualizer import RerunVisualizer

__all__ = ["EpisodeRecording", "RecordedEpisode", "write_episode_rrd"]

OVERVIEW_SUMMARY = "overview/summary"
OVERVIEW_BARS = "overview/waypoints_reached"
PLOTS_ROOT = "plots"


@dataclass(frozen=True)
class RecordedEpisode:
    """What :meth:`EpisodeRecording.add` logged: entity roots and the outcome."""

    name: str
    base: str
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
                 visualizer: RerunVisualizer | None = None, max_pose_hz: float | None = 10.0,
                 max_plot_hz: float | None = 10.0) -> None:
        if visualizer is None and output_path is None:
            raise ValueError("EpisodeRecording needs output_path or visualizer")
        self._owns = visualizer is None
        self.viz = visualizer if visualizer is not None else RerunVisualizer(application_id, output_path)
        self.max_pose_hz = max_pose_hz
        self.max_plot_hz = max_plot_hz
        self.episodes: list[RecordedEpisode] = []
        self._arrays: list[EpisodeArrays] = []  # for the shared time series written by close()
        self._closed = False

    def add(self, ep: EpisodeArrays, planner_name: str | None = None) -> RecordedEpisode:
        """Add one episode, to be logged under ``world/<name>`` (a name seen before gets a ``_<n>`` suffix).

        Everything is written by :meth:`close`, overview and plots first, so a viewer that is still
        loading a large file already shows the summary.
        """
        if self._closed:
            raise RuntimeError("EpisodeRecording is closed")
        base = episode_entity_path(ep.name)
        used = {e.base for e in self.episodes}
        if base in used:
            n = 2
            while f"{base}_{n}" in used:
                n += 1
            base = f"{base}_{n}"
        self._arrays.append(ep)
        rec = RecordedEpisode(ep.name, base, planner_name, ep.waypoints_reached, ep.n_waypoints,
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
                 ]
        # a shared "benchmark/" prefix goes into the header, so the table stays narrow
        prefixes = {e.name.rsplit("/", 1)[0] if "/" in e.name else "" for e in eps}
        prefix = prefixes.pop() + "/" if len(prefixes) == 1 and "" not in prefixes else ""
        if prefix:
            lines += [f"courses of `{prefix[:-1]}`", ""]
        lines += ["| # | course | wp | t [s] | outcome |", "|---|---|---|---|---|"]
        lines += [f"| {i} | {e.name[len(prefix):]} | {e.waypoints_reached}/{e.n_waypoints} | {e.duration_s:.2f} "
                  f"| {e.outcome} |" for i, e in enumerate(eps)]
        return "\n".join(lines)

    def close(self) -> None:
        """Write blueprint, overview, plots and every episode, then finalize the file (if this recording opened
        it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self.viz.send_blueprint(build_episodes_blueprint([(e.name, e.base) for e in self.episodes]))
            # static: visible on every timeline (sim_time included)
            self.viz.rec.log(OVERVIEW_SUMMARY, rr.TextDocument(self.overview_markdown(),
                                                               media_type=rr.MediaType.MARKDOWN), static=True)
            if self.episodes:
                self.viz.rec.log(OVERVIEW_BARS, rr.BarChart([e.waypoints_reached for e in self.episodes]),
                                 static=True)
                self.viz.log_scene("world", max(ep.dome_radius_m for ep in self._arrays))
            log_episodes_plots(self.viz, self._arrays, PLOTS_ROOT, self.max_plot_hz)
            for rec, ep in zip(self.episodes, self._arrays):
                log_episode(self.viz, ep, rec.base, planner_name=rec.planner_name, max_pose_hz=self.max_pose_hz,
                            log_summary=False)
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
