"""SB3 callback: aggregated training metrics per PPO update + periodic policy snapshots in Rerun (rerun-sdk 0.41).

Built from three parts: :class:`~simhops.train.callbacks.episode_stats.RollingEpisodeStats` (rolling
episode statistics), :class:`~simhops.train.callbacks.ppo_update_tracker.PPOUpdateTracker` (which update
finished, its ``train/*`` losses) and :func:`~simhops.train.snapshot_rollout.run_snapshot_episode` (one
deterministic episode returning a ``SimulationHistory``), logged with the shared
:func:`simhops.viz.episode_rerun.log_episode`.

The recording holds:

* one row per PPO update on the ``ppo_update`` timeline (sequence = update index, from 1):
  ``progress/*`` (rolling means of the last ``rolling_window`` episodes: ``mean_reward``, ``mean_length``
  [steps], ``success_rate``, ``waypoints_per_episode``, ``crash_rate``; only once an episode finished and
  with ``log_aggregated_metrics=True``) and the losses of :data:`LOSS_KEYS` (``losses/*``, ``ppo/*``).
  Rows are buffered and sent as columns (``send_columns``) every ``flush_every_updates`` updates and at
  the end: a few chunks per series instead of one per row (each chunk costs ~1.3 KB of file).
* every ``snapshot_freq_updates`` updates, ONE deterministic episode of the current policy on a FIXED
  course (snapshot ``i`` uses seed ``snapshot_seed + i % snapshot_courses``, so successive snapshots
  are comparable), stamped with ``snapshot`` (index, from 0), ``ppo_update`` (the update after which it
  was taken) and ``sim_time``: ``world/snapshot/{start,waypoints,trajectory,drone}`` and the markdown
  table ``snapshot/summary`` (see :mod:`simhops.viz.episode_rerun`); the drone flies along the
  trajectory on ``sim_time``. ``world/dome`` and ``world/ground`` are static.

A snapshot is taken right after the row of update ``k`` when ``k % snapshot_freq_updates == 0``,
always with the policy that update ``k`` produced, including the last update.

Checkpoints and resume: :meth:`state_dict` holds everything logged so far (rows, snapshot arrays,
recording id, counters); after :meth:`load_state_dict` the next ``learn()`` rewrites the ``.rrd``
with that content under the same recording id and continues it, so a resumed run ends with ONE
complete file. A second ``learn()`` on the same callback does the same.

Snapshot and metric logging never crash training: failures become ``RuntimeWarning`` unless ``strict=True``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import rerun as rr
from stable_baselines3.common.callbacks import BaseCallback

from simhops.envs.waypoints_env import WaypointsEnv
from simhops.train.callbacks.episode_stats import PROGRESS_PATHS, RollingEpisodeStats
from simhops.train.callbacks.ppo_update_tracker import LOSS_KEYS, PPOUpdateTracker
from simhops.train.snapshot_rollout import SnapshotEpisode, run_snapshot_episode
from simhops.viz import RerunVisualizer, build_training_blueprint
from simhops.viz.blueprint import TRAINING_SERIES
from simhops.viz.episode_arrays import EpisodeArrays
from simhops.viz.episode_rerun import log_episode

__all__ = ["SnapshotRerunCallback", "UPDATE_TIMELINE", "SNAPSHOT_TIMELINE", "LOSS_KEYS", "PROGRESS_PATHS",
           "SNAPSHOT_BASE", "SUMMARY_PATH"]

UPDATE_TIMELINE = "ppo_update"
SNAPSHOT_TIMELINE = "snapshot"
SNAPSHOT_BASE = "world/snapshot"
SUMMARY_PATH = "snapshot/summary"


class SnapshotRerunCallback(BaseCallback):
    """Log aggregated PPO metrics per update and periodic policy snapshots to a Rerun ``.rrd``.

    Args:
        make_env: factory of the single :class:`WaypointsEnv` used for snapshots (called once, reused,
            closed at the end); build it with ``history_in_info=True``.
        output_path: the ``.rrd`` file (e.g. ``<output_dir>/train.rrd``); complete (footer written)
            after training ends, also when training was stopped by a callback (SIGINT/SIGTERM).
        snapshot_freq_updates: take a snapshot after every N-th PPO update; <= 0 disables.
        snapshot_max_steps: cap on the env steps of one snapshot episode.
        snapshot_courses: number of fixed snapshot courses (seeds ``snapshot_seed + 0 .. n-1``), >= 1.
        log_aggregated_metrics: log the rolling ``progress/*`` metrics.
        rolling_window: finished training episodes the rolling metrics average over.
        spawn: also stream to a spawned Rerun viewer.
        snapshot_seed: seed of the first snapshot course.
        flush_every_updates: send buffered metric rows every N updates (>= 1; default 100 for a file, 5 when
            streaming to a spawned viewer). The default run (611 updates) then writes 7 chunks per series.
        max_pose_hz: drone poses per second of sim time in a snapshot.
        strict: re-raise snapshot/metric logging errors instead of warning (tests, debugging).
    """

    def __init__(
        self,
        make_env: Callable[[], WaypointsEnv],
        output_path: str | Path,
        snapshot_freq_updates: int = 20,
        snapshot_max_steps: int = 500,
        log_aggregated_metrics: bool = True,
        rolling_window: int = 100,
        spawn: bool = False,
        snapshot_seed: int = 0,
        verbose: int = 0,
        *,
        snapshot_courses: int = 1,
        flush_every_updates: int | None = None,
        max_pose_hz: float | None = 15.0,
        strict: bool = False,
    ) -> None:
        super().__init__(verbose=verbose)
        if int(snapshot_courses) < 1:
            raise ValueError(f"snapshot_courses must be >= 1, got {snapshot_courses}")
        if flush_every_updates is None:
            flush_every_updates = 5 if spawn else 100
        if int(flush_every_updates) < 1:
            raise ValueError(f"flush_every_updates must be >= 1, got {flush_every_updates}")
        self.make_env = make_env
        self.output_path = Path(output_path)
        self.snapshot_freq_updates = int(snapshot_freq_updates)
        self.snapshot_max_steps = int(snapshot_max_steps)
        self.snapshot_courses = int(snapshot_courses)
        self.log_aggregated_metrics = bool(log_aggregated_metrics)
        self.spawn = bool(spawn)
        self.snapshot_seed = int(snapshot_seed)
        self.flush_every_updates = int(flush_every_updates)
        self.max_pose_hz = max_pose_hz
        self.strict = bool(strict)

        self.stats = RollingEpisodeStats(max(1, int(rolling_window)))
        self.tracker = PPOUpdateTracker()
        self.viz: RerunVisualizer | None = None
        self._snapshot_env: WaypointsEnv | None = None
        self.n_snapshots = 0
        self._last_snapshot_update = 0
        self._recording_id: str | None = None
        self._rows: dict[str, list[tuple[int, float]]] = {}  # every row logged (replayed on resume)
        self._pending: dict[str, list[tuple[int, float]]] = {}  # rows not sent yet
        self._snapshots: list[dict[str, Any]] = []  # every snapshot logged (replayed on resume)
        self._scene_logged = False
        self._warned_no_episode_info = False

    # ------------------------------------------------------------------ public counters
    @property
    def n_updates(self) -> int:
        """PPO updates completed (rollout + ``train()``)."""
        return self.tracker.n_updates

    @property
    def n_episodes(self) -> int:
        """Training episodes finished."""
        return self.stats.n_episodes

    def rolling_metrics(self) -> dict[str, float]:
        """Rolling means over the last ``rolling_window`` finished episodes (``progress/*`` paths)."""
        return self.stats.means()

    # ------------------------------------------------------------------ checkpoint state
    def state_dict(self) -> dict[str, Any]:
        """Picklable state: counters, rolling stats, every logged row and snapshot, the recording id."""
        return {"version": 1, "stats": self.stats.state_dict(), "tracker": self.tracker.state_dict(),
                "n_snapshots": self.n_snapshots, "last_snapshot_update": self._last_snapshot_update,
                "recording_id": self._recording_id, "rows": {k: list(v) for k, v in self._rows.items()},
                "snapshots": list(self._snapshots)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` output before ``learn()`` (resume)."""
        if state.get("version") != 1:
            raise ValueError(f"unsupported SnapshotRerunCallback state version {state.get('version')!r}")
        self.stats.load_state_dict(state["stats"])
        self.tracker.load_state_dict(state["tracker"])
        self.n_snapshots = int(state["n_snapshots"])
        self._last_snapshot_update = int(state["last_snapshot_update"])
        self._recording_id = state["recording_id"]
        self._rows = {k: list(v) for k, v in state["rows"].items()}
        self._pending = {}
        self._snapshots = list(state["snapshots"])

    # ------------------------------------------------------------------ helpers
    def _warn(self, what: str, exc: BaseException) -> None:
        if self.strict:
            raise exc
        warnings.warn(f"SnapshotRerunCallback: {what} failed: {type(exc).__name__}: {exc}", RuntimeWarning,
                      stacklevel=3)

    def _flush_rows(self) -> None:
        """Send the buffered metric rows as one column batch per series."""
        viz, pending = self.viz, self._pending
        self._pending = {}
        if viz is None:
            return
        for path, rows in pending.items():
            if rows:
                updates = np.array([u for u, _ in rows], dtype=np.int64)
                values = np.array([v for _, v in rows], dtype=np.float64)
                viz.rec.send_columns(path, indexes=[rr.TimeColumn(UPDATE_TIMELINE, sequence=updates)],
                                     columns=rr.Scalars.columns(scalars=values))

    # ------------------------------------------------------------------ SB3 hooks
    def _on_training_start(self) -> None:
        self.viz = RerunVisualizer("simhops_training", output_path=self.output_path, spawn=self.spawn,
                                   blueprint=build_training_blueprint(), recording_id=self._recording_id)
        self._recording_id = self.viz.rec.get_recording_id()
        self._scene_logged = False
        for path, name in TRAINING_SERIES.items():
            if self.log_aggregated_metrics or path not in PROGRESS_PATHS:
                self.viz.log_series_style(path, name=name)
        # an earlier learn() / a resumed checkpoint: rewrite what was logged, then continue
        self._pending = {k: list(v) for k, v in self._rows.items()}
        self._flush_rows()
        for snap in self._snapshots:
            self._log_snapshot(snap)
        self.tracker.attach(self.model.logger)

    def _on_rollout_start(self) -> None:
        update = self.tracker.finished_update()  # a rollout after the first: the previous train() has run
        if update is not None:
            self._finish_update(update)

    def _on_rollout_end(self) -> None:
        self.tracker.on_rollout_end()

    def _on_step(self) -> bool:
        infos = self.locals.get("infos")
        dones = self.locals.get("dones")
        if infos is None or dones is None:
            return True
        for i in np.flatnonzero(np.asarray(dones).reshape(-1)):
            if i < len(infos) and not self.stats.record(infos[i]) and not self._warned_no_episode_info:
                self._warned_no_episode_info = True
                warnings.warn("SnapshotRerunCallback: finished episode without info['episode']; wrap the "
                              "training env in VecMonitor", RuntimeWarning, stacklevel=2)
        return True

    def _on_training_end(self) -> None:
        try:
            update = self.tracker.finished_update()
            if update is not None:
                self._finish_update(update)
        finally:
            self.tracker.detach()
            if self.viz is not None:
                try:
                    self._flush_rows()
                finally:
                    self.viz.close()
            if self._snapshot_env is not None:
                try:
                    self._snapshot_env.close()
                except Exception as exc:  # pragma: no cover
                    self._warn("closing the snapshot env", exc)
                self._snapshot_env = None

    # ------------------------------------------------------------------ per update
    def _finish_update(self, update: int) -> None:
        """Buffer the row of ``update`` and, if due, take a snapshot with the current policy."""
        try:
            row: dict[str, float] = {}
            if self.log_aggregated_metrics:
                row.update(self.stats.means())
            row.update(self.tracker.train_values())
            for path, value in row.items():
                if value is not None and np.isfinite(value):
                    self._rows.setdefault(path, []).append((update, float(value)))
                    self._pending.setdefault(path, []).append((update, float(value)))
            if update % self.flush_every_updates == 0:
                self._flush_rows()
        except Exception as exc:
            self._warn(f"logging metrics of update {update}", exc)
        if (self.snapshot_freq_updates > 0 and update % self.snapshot_freq_updates == 0
                and update > self._last_snapshot_update):
            self._last_snapshot_update = update
            try:
                self._take_snapshot(update)
            except Exception as exc:
                self._warn(f"snapshot after update {update}", exc)

    # ------------------------------------------------------------------ snapshots
    def _get_snapshot_env(self) -> WaypointsEnv:
        if self._snapshot_env is None:
            self._snapshot_env = self.make_env()
        return self._snapshot_env

    def snapshot_seed_of(self, index: int) -> int:
        """Course seed of snapshot ``index``."""
        return self.snapshot_seed + index % self.snapshot_courses

    def run_snapshot_episode(self, seed: int) -> SnapshotEpisode:
        """One deterministic episode of the current policy in the snapshot env (see :func:`run_snapshot_episode`)."""
        return run_snapshot_episode(self.model, self._get_snapshot_env(), seed, self.snapshot_max_steps)

    def _take_snapshot(self, update: int) -> None:
        index = self.n_snapshots
        ep = self.run_snapshot_episode(self.snapshot_seed_of(index))
        self.n_snapshots += 1
        end = ep.end if ep.end != "capped" else f"stopped at snapshot_max_steps={self.snapshot_max_steps}"
        snap = {"update": update, "index": index, "arrays": EpisodeArrays.from_history(ep.history),
                "extra": {"PPO update": update, "timesteps": self.num_timesteps, "reward": f"{ep.reward:.3f}",
                          "success": "yes" if ep.is_success else "no", "episode end": end,
                          "course seed": ep.seed}}
        self._snapshots.append(snap)
        self._log_snapshot(snap)

    def _log_snapshot(self, snap: dict[str, Any]) -> None:
        viz = self.viz
        if viz is None:
            return
        ep: EpisodeArrays = snap["arrays"]
        if not self._scene_logged:
            viz.log_scene("world", ep.dome_radius_m)
        log_episode(viz, ep, SNAPSHOT_BASE, summary_path=SUMMARY_PATH,
                    fixed_times={UPDATE_TIMELINE: snap["update"], SNAPSHOT_TIMELINE: snap["index"]},
                    summary_extra=snap["extra"], max_pose_hz=self.max_pose_hz, max_trajectory_hz=25.0,
                    summary_title=f"Snapshot {snap['index']} (after PPO update {snap['update']})",
                    log_static=not self._scene_logged)
        self._scene_logged = True
