"""SB3 callback: aggregated training metrics per PPO update + periodic policy snapshots in Rerun.

Instead of logging every environment step, this callback writes (rerun-sdk 0.41):

* one row per PPO update on the ``ppo_update`` timeline (sequence = update
  index, starting at 1):

  ===============================  ==============================================
  ``progress/mean_reward``         rolling mean episode return (last ``rolling_window`` episodes)
  ``progress/mean_length``         rolling mean episode length [steps]
  ``progress/success_rate``        rolling fraction of successful episodes [0, 1]
  ``progress/waypoints_per_episode`` rolling mean of waypoints reached per episode
  ``losses/policy_loss``           SB3 ``train/policy_gradient_loss``
  ``losses/value_loss``            SB3 ``train/value_loss``
  ``losses/entropy_loss``          SB3 ``train/entropy_loss``
  ``ppo/approx_kl``                SB3 ``train/approx_kl``
  ``ppo/clip_fraction``            SB3 ``train/clip_fraction``
  ``ppo/explained_variance``       SB3 ``train/explained_variance``
  ===============================  ==============================================

  ``progress/*`` only once an episode has finished and only with
  ``log_aggregated_metrics=True``; non-finite or missing values are skipped.
  Metric rows carry ``ppo_update`` (and the built-in ``log_time``) but never
  ``snapshot``.

* every ``snapshot_freq_updates`` updates, ONE deterministic episode of the
  current policy in a separate env (``make_env()``, created once), logged as a
  whole on the ``snapshot`` timeline (sequence = snapshot index, from 0) and
  ALSO stamped with ``ppo_update`` = the update after which it was taken:

  ============================  ==============================================
  ``world/snapshot/trajectory``  ``LineStrips3D``: drone positions (m, world ENU), initial + one per step
  ``world/snapshot/waypoints``   ``Points3D``: reached green, next orange, later grey; radius = reach radius
  ``world/snapshot/drone``       ``Transform3D`` final pose + ``drone/{body,arms,rotors,heading}``
  ``snapshot/summary``           ``TextDocument`` (markdown): update, reward, waypoints, steps, success
  ============================  ==============================================

Update / snapshot timing
------------------------
SB3 ``OnPolicyAlgorithm.learn`` runs, per iteration: ``collect_rollouts``
(``on_rollout_start`` -> ``on_step`` x n_steps -> ``on_rollout_end``), then
``dump_logs`` (only when ``log_interval`` hits; it calls ``logger.dump()``,
which CLEARS ``logger.name_to_value``), then ``train()``, which records the
``train/*`` values.  Nothing clears ``name_to_value`` between the end of
``train()`` and the next ``on_rollout_start`` (or ``on_training_end``), so the
row of update ``k`` is logged at the start of rollout ``k+1`` (and the last row
in ``_on_training_end``), reading ``model.logger.name_to_value``.  As a
fallback (a foreign callback dumping the logger in between) a small
``KVWriter`` tap attached to ``model.logger.output_formats`` remembers the
``train/*`` values of every dump.

A snapshot is taken right after the row of update ``k`` when
``k % snapshot_freq_updates == 0`` (so with ``snapshot_freq_updates=1`` the
first snapshot shows the policy after update 1; with 20: after updates 20, 40,
...), i.e. always with the policy that update ``k`` produced, including the
last update (in ``_on_training_end``).  ``snapshot_freq_updates <= 0``
disables snapshots.

Environment contract (snapshot env built by ``make_env``)
----------------------------------------------------------
``env.unwrapped.drone_state.position`` (3,) m world ENU,
``env.unwrapped.drone_state.attitude`` (4,) quaternion (w, x, y, z) body->world,
``env.unwrapped.scenario.waypoints`` (K, 3) m, ``env.unwrapped.scenario.reach_radius_m`` m,
``info["waypoints_reached"]`` (int, reached in order) and ``info["is_success"]`` (bool).
The training env's infos at episode end must hold ``info["episode"]`` (SB3
``VecMonitor`` / ``Monitor``), ``info["waypoints_reached"]`` and ``info["is_success"]``.
If the training env is wrapped in ``VecNormalize``, snapshot observations are
normalised with its current statistics before ``model.predict``.

The recording is written by :class:`simhops.viz.RerunVisualizer` with the
:func:`simhops.viz.build_training_blueprint` layout.  Snapshot and metric
logging never crash training: failures become ``warnings`` (``RuntimeWarning``)
unless ``strict=True``.
"""

from __future__ import annotations

import math
import warnings
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.logger import KVWriter

from simhops.viz import RerunVisualizer, build_training_blueprint

__all__ = [
    "SnapshotRerunCallback",
    "UPDATE_TIMELINE",
    "SNAPSHOT_TIMELINE",
    "LOSS_KEYS",
    "PROGRESS_PATHS",
]

UPDATE_TIMELINE = "ppo_update"
SNAPSHOT_TIMELINE = "snapshot"

#: Rerun entity path -> SB3 logger key (recorded by PPO.train()).
LOSS_KEYS: dict[str, str] = {
    "losses/policy_loss": "train/policy_gradient_loss",
    "losses/value_loss": "train/value_loss",
    "losses/entropy_loss": "train/entropy_loss",
    "ppo/approx_kl": "train/approx_kl",
    "ppo/clip_fraction": "train/clip_fraction",
    "ppo/explained_variance": "train/explained_variance",
}

PROGRESS_PATHS: tuple[str, ...] = (
    "progress/mean_reward",
    "progress/mean_length",
    "progress/success_rate",
    "progress/waypoints_per_episode",
)

_SERIES_NAMES: dict[str, str] = {
    "progress/mean_reward": "mean reward",
    "progress/mean_length": "mean length [steps]",
    "progress/success_rate": "success rate",
    "progress/waypoints_per_episode": "waypoints / episode",
    "losses/policy_loss": "policy loss",
    "losses/value_loss": "value loss",
    "losses/entropy_loss": "entropy loss",
    "ppo/approx_kl": "approx KL",
    "ppo/clip_fraction": "clip fraction",
    "ppo/explained_variance": "explained variance",
}

TRAJECTORY_PATH = "world/snapshot/trajectory"
WAYPOINTS_PATH = "world/snapshot/waypoints"
DRONE_PATH = "world/snapshot/drone"
SUMMARY_PATH = "snapshot/summary"


def _finite_float(value: Any) -> float | None:
    """``float(value)`` when it is a finite real number, else None."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


class _TrainValuesTap(KVWriter):
    """KVWriter that remembers the ``train/*`` values of the latest logger dump."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}

    def write(self, key_values: dict[str, Any], key_excluded: dict[str, tuple[str, ...]], step: int = 0) -> None:
        vals = {k: v for k, v in key_values.items() if k.startswith("train/")}
        if vals:
            self.last = vals

    def close(self) -> None:
        pass


class SnapshotRerunCallback(BaseCallback):
    """Log aggregated PPO metrics per update and periodic policy snapshots to a Rerun ``.rrd``.

    Parameters
    ----------
    make_env:
        Factory for a fresh single (non-vectorised) gymnasium env used for the
        snapshot episodes; called once, the env is reused and closed at the end.
    output_path:
        The ``.rrd`` file (e.g. ``<output_dir>/train.rrd``); complete (footer
        written) after training ends.
    snapshot_freq_updates:
        Take a snapshot after every N-th PPO update (see module docstring); <= 0 disables.
    snapshot_max_steps:
        Cap on the number of env steps of one snapshot episode.
    log_aggregated_metrics:
        Log the rolling ``progress/*`` metrics.
    rolling_window:
        Number of most recent finished training episodes the rolling metrics use.
    print_freq_episodes:
        Print one progress line every N finished episodes (``verbose >= 1``); <= 0 disables.
    spawn:
        Also stream to a spawned Rerun viewer.
    snapshot_seed:
        Snapshot ``i`` resets its env with ``seed = snapshot_seed + i``.
    verbose:
        SB3 verbosity.
    strict:
        Re-raise errors of snapshot/metric logging instead of turning them into
        warnings (for debugging / tests).
    """

    def __init__(
        self,
        make_env: Callable[[], Any],
        output_path: str | Path,
        snapshot_freq_updates: int = 20,
        snapshot_max_steps: int = 500,
        log_aggregated_metrics: bool = True,
        rolling_window: int = 100,
        print_freq_episodes: int = 10,
        spawn: bool = False,
        snapshot_seed: int = 0,
        verbose: int = 1,
        *,
        strict: bool = False,
    ) -> None:
        super().__init__(verbose=verbose)
        self.make_env = make_env
        self.output_path = Path(output_path)
        self.snapshot_freq_updates = int(snapshot_freq_updates)
        self.snapshot_max_steps = int(snapshot_max_steps)
        self.log_aggregated_metrics = bool(log_aggregated_metrics)
        self.rolling_window = max(1, int(rolling_window))
        self.print_freq_episodes = int(print_freq_episodes)
        self.spawn = bool(spawn)
        self.snapshot_seed = int(snapshot_seed)
        self.strict = bool(strict)

        self.viz: RerunVisualizer | None = None
        self._snapshot_env: Any = None
        self._tap: _TrainValuesTap | None = None

        # rolling episode statistics (training env)
        self.ep_rewards: deque[float] = deque(maxlen=self.rolling_window)
        self.ep_lengths: deque[float] = deque(maxlen=self.rolling_window)
        self.ep_successes: deque[float] = deque(maxlen=self.rolling_window)
        self.ep_waypoints: deque[float] = deque(maxlen=self.rolling_window)
        self.n_episodes = 0

        # update bookkeeping
        self.n_updates = 0  # PPO updates (rollout + train()) completed
        self._last_logged_update = 0
        self._last_snapshot_update = 0
        self.n_snapshots = 0
        self._last_train_values: dict[str, float] = {}
        self._n_training_runs = 0
        self._recording_id: str | None = None
        self._warned_no_episode_info = False

    # ------------------------------------------------------------------ helpers
    def _warn(self, what: str, exc: BaseException) -> None:
        if self.strict:
            raise exc
        warnings.warn(f"SnapshotRerunCallback: {what} failed: {type(exc).__name__}: {exc}", RuntimeWarning, stacklevel=3)

    def _recording_path(self) -> Path:
        if self._n_training_runs <= 1:
            return self.output_path
        # learn() called again: keep the first file, continue the same recording in a part file
        # (same recording id, so the viewer merges the files when opened together).
        return self.output_path.with_name(f"{self.output_path.stem}.part{self._n_training_runs}{self.output_path.suffix}")

    # ------------------------------------------------------------------ SB3 hooks
    def _on_training_start(self) -> None:
        self._n_training_runs += 1
        path = self._recording_path()
        if self._n_training_runs > 1:
            warnings.warn(
                f"SnapshotRerunCallback: learn() called again; continuing the recording in {path}",
                RuntimeWarning,
                stacklevel=2,
            )
        self.viz = RerunVisualizer(
            "simhops_training",
            output_path=path,
            spawn=self.spawn,
            blueprint=build_training_blueprint(),
            recording_id=self._recording_id,
        )
        self._recording_id = self.viz.rec.get_recording_id()
        for p, name in _SERIES_NAMES.items():
            if self.log_aggregated_metrics or p not in PROGRESS_PATHS:
                self.viz.log_series_style(p, name=name)
        self._tap = _TrainValuesTap()
        self.model.logger.output_formats.append(self._tap)

    def _on_rollout_start(self) -> None:
        # A rollout after the first: the previous rollout's train() has run.
        if self.n_updates > self._last_logged_update:
            self._finish_update(self.n_updates)

    def _on_rollout_end(self) -> None:
        # learn() always calls train() after a completed rollout.
        self.n_updates += 1

    def _on_step(self) -> bool:
        infos = self.locals.get("infos")
        dones = self.locals.get("dones")
        if infos is None or dones is None:
            return True
        for i, done in enumerate(np.asarray(dones).reshape(-1)):
            if done and i < len(infos):
                self._record_episode(infos[i])
        return True

    def _on_training_end(self) -> None:
        try:
            if self.n_updates > self._last_logged_update:
                self._finish_update(self.n_updates)
        finally:
            if self._tap is not None:
                formats = self.model.logger.output_formats
                if self._tap in formats:
                    formats.remove(self._tap)
                self._tap = None
            if self.viz is not None:
                self.viz.close()
            if self._snapshot_env is not None:
                try:
                    self._snapshot_env.close()
                except Exception as exc:  # pragma: no cover
                    self._warn("closing the snapshot env", exc)
                self._snapshot_env = None

    # ------------------------------------------------------------------ episodes
    def _record_episode(self, info: dict[str, Any]) -> None:
        ep = info.get("episode")
        if ep is None:
            if not self._warned_no_episode_info:
                self._warned_no_episode_info = True
                warnings.warn(
                    "SnapshotRerunCallback: finished episode without info['episode']; wrap the training env in VecMonitor",
                    RuntimeWarning,
                    stacklevel=3,
                )
            return
        r, length = _finite_float(ep.get("r")), _finite_float(ep.get("l"))
        if r is not None:
            self.ep_rewards.append(r)
        if length is not None:
            self.ep_lengths.append(length)
        self.ep_successes.append(1.0 if bool(info.get("is_success", False)) else 0.0)
        wp = _finite_float(info.get("waypoints_reached"))
        if wp is not None:
            self.ep_waypoints.append(wp)
        self.n_episodes += 1
        if self.verbose >= 1 and self.print_freq_episodes > 0 and self.n_episodes % self.print_freq_episodes == 0:
            print(self.progress_line(), flush=True)

    def rolling_metrics(self) -> dict[str, float]:
        """Rolling means over the last ``rolling_window`` finished episodes (``progress/*`` paths)."""
        out: dict[str, float] = {}
        for path, buf in zip(
            PROGRESS_PATHS, (self.ep_rewards, self.ep_lengths, self.ep_successes, self.ep_waypoints)
        ):
            if len(buf):
                out[path] = float(np.mean(buf))
        return out

    def progress_line(self) -> str:
        """One-line training progress summary."""
        m = self.rolling_metrics()

        def f(key: str, fmt: str) -> str:
            return format(m[key], fmt) if key in m else "n/a"

        return (
            f"[simhops] episodes={self.n_episodes} timesteps={self.num_timesteps} "
            f"mean_reward={f('progress/mean_reward', '.2f')} mean_length={f('progress/mean_length', '.1f')} "
            f"success_rate={f('progress/success_rate', '.1%')} "
            f"waypoints/episode={f('progress/waypoints_per_episode', '.2f')}"
        )

    # ------------------------------------------------------------------ per update
    def _train_values(self) -> dict[str, float]:
        """``train/*`` values recorded by the last ``train()``."""
        ntv = self.model.logger.name_to_value
        vals = {k: ntv[k] for k in LOSS_KEYS.values() if k in ntv}
        if not vals and self._tap is not None and self._tap.last:
            # name_to_value was dumped (cleared) after train(): use the tap's copy unless it is stale.
            cand = {k: self._tap.last[k] for k in LOSS_KEYS.values() if k in self._tap.last}
            if cand != self._last_train_values:
                vals = cand
        self._last_train_values = dict(vals)
        return vals

    def _finish_update(self, update: int) -> None:
        """Log the row of ``update`` and, if due, a snapshot taken with the current policy."""
        self._last_logged_update = update
        try:
            self._log_update_row(update)
        except Exception as exc:
            self._warn(f"logging metrics of update {update}", exc)
        if self.snapshot_freq_updates > 0 and update % self.snapshot_freq_updates == 0 and update > self._last_snapshot_update:
            self._last_snapshot_update = update
            try:
                self._take_snapshot(update)
            except Exception as exc:
                self._warn(f"snapshot after update {update}", exc)

    def _log_update_row(self, update: int) -> None:
        viz = self.viz
        if viz is None:
            return
        # explicit timelines per row: a metrics row never carries the sticky snapshot stamp
        viz.disable_timeline(SNAPSHOT_TIMELINE)
        viz.set_time(UPDATE_TIMELINE, sequence=update)
        row: dict[str, Any] = {}
        if self.log_aggregated_metrics:
            row.update(self.rolling_metrics())
        train_vals = self._train_values()
        for path, key in LOSS_KEYS.items():
            if key in train_vals:
                row[path] = train_vals[key]
        viz.log_scalars(row)

    # ------------------------------------------------------------------ snapshots
    def _get_snapshot_env(self) -> Any:
        if self._snapshot_env is None:
            self._snapshot_env = self.make_env()
        return self._snapshot_env

    def run_snapshot_episode(self, seed: int) -> dict[str, Any]:
        """Run one deterministic episode of the current policy in the snapshot env.

        Returns ``positions`` (T+1, 3) m (initial + after each step), ``attitude``
        (4,) final (w, x, y, z), ``waypoints`` (K, 3) m, ``reach_radius_m``,
        ``waypoints_reached`` (int), ``is_success`` (bool), ``reward`` (sum),
        ``steps`` (int), ``terminated`` / ``truncated`` (bool).
        """
        env = self._get_snapshot_env()
        vec_norm = self.model.get_vec_normalize_env()
        obs, info = env.reset(seed=seed)
        u = env.unwrapped
        positions = [np.array(u.drone_state.position, dtype=np.float64).reshape(3)]
        total_reward = 0.0
        steps = 0
        terminated = truncated = False
        while steps < self.snapshot_max_steps:
            policy_obs = vec_norm.normalize_obs(obs) if vec_norm is not None else obs
            action, _ = self.model.predict(policy_obs, deterministic=True)
            obs, reward, terminated, truncated, info = env.step(action)
            steps += 1
            r = _finite_float(reward)
            total_reward += r if r is not None else 0.0
            positions.append(np.array(u.drone_state.position, dtype=np.float64).reshape(3))
            if terminated or truncated:
                break
        scenario = u.scenario
        return {
            "positions": np.stack(positions),
            "attitude": np.array(u.drone_state.attitude, dtype=np.float64).reshape(4),
            "waypoints": np.array(scenario.waypoints, dtype=np.float64).reshape(-1, 3),
            "reach_radius_m": float(scenario.reach_radius_m),
            "waypoints_reached": int(info.get("waypoints_reached", 0)),
            "is_success": bool(info.get("is_success", False)),
            "reward": total_reward,
            "steps": steps,
            "terminated": bool(terminated),
            "truncated": bool(truncated),
        }

    def _take_snapshot(self, update: int) -> None:
        viz = self.viz
        if viz is None:
            return
        index = self.n_snapshots
        ep = self.run_snapshot_episode(self.snapshot_seed + index)
        self.n_snapshots += 1

        k = ep["waypoints"].shape[0]
        n_reached = max(0, min(ep["waypoints_reached"], k))
        reached = np.arange(k) < n_reached
        active = n_reached if n_reached < k else None

        viz.set_time(UPDATE_TIMELINE, sequence=update)
        viz.set_time(SNAPSHOT_TIMELINE, sequence=index)
        try:
            viz.log_trajectory(TRAJECTORY_PATH, ep["positions"])
            viz.log_waypoints(WAYPOINTS_PATH, ep["waypoints"], reached, ep["reach_radius_m"], active)
            viz.log_quadcopter(DRONE_PATH, ep["positions"][-1], ep["attitude"])
            if ep["terminated"]:
                end = "terminated"
            elif ep["truncated"]:
                end = "truncated"
            else:
                end = f"stopped at snapshot_max_steps={self.snapshot_max_steps}"
            viz.log_text(
                SUMMARY_PATH,
                "\n".join(
                    [
                        f"## Snapshot {index} (after PPO update {update})",
                        "",
                        "| | |",
                        "|---|---|",
                        f"| PPO update | {update} |",
                        f"| timesteps | {self.num_timesteps} |",
                        f"| reward | {ep['reward']:.3f} |",
                        f"| waypoints reached | {n_reached} / {k} |",
                        f"| steps | {ep['steps']} |",
                        f"| success | {'yes' if ep['is_success'] else 'no'} |",
                        f"| episode end | {end} |",
                        f"| seed | {self.snapshot_seed + index} |",
                    ]
                ),
            )
        finally:
            viz.disable_timeline(SNAPSHOT_TIMELINE)
