"""Training checkpoints: ``<output_dir>/checkpoints/step_<N>/`` with the model, normalization stats and callback state.

Layout of one checkpoint (written into a temporary folder, then renamed: a checkpoint folder is
complete or absent)::

    checkpoints/step_000001048576/
        model.zip           SB3 model (policy, optimizer, num_timesteps, _n_updates)
        vecnormalize.pkl    VecNormalize statistics (only when the training env is wrapped in one)
        callbacks.pkl       {callback name: state_dict()} of the stateful callbacks (pickle)
        meta.json           {"num_timesteps", "n_updates", "reason", "wall_time_unix"}

Only the newest ``keep`` checkpoints are kept. ``callbacks.pkl`` is a pickle written by this
process: load checkpoints you trust only.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback

from simhops.io.atomic import atomic_write_bytes, atomic_write_text

__all__ = ["CheckpointManager", "Checkpoint", "PeriodicCheckpointCallback", "CHECKPOINT_DIR"]

CHECKPOINT_DIR = "checkpoints"
_PREFIX = "step_"


@dataclass(frozen=True)
class Checkpoint:
    """A saved checkpoint folder and what it holds."""

    path: Path
    num_timesteps: int
    n_updates: int
    reason: str

    @property
    def model_path(self) -> Path:
        return self.path / "model.zip"

    @property
    def vecnormalize_path(self) -> Path | None:
        p = self.path / "vecnormalize.pkl"
        return p if p.is_file() else None

    def callback_states(self) -> dict[str, Any]:
        """``{callback name: state}`` saved with the checkpoint (empty if none)."""
        p = self.path / "callbacks.pkl"
        return pickle.loads(p.read_bytes()) if p.is_file() else {}


class CheckpointManager:
    """Saves and finds checkpoints under ``output_dir/checkpoints`` (see module docstring).

    Raises:
        ValueError: ``keep`` < 1.
    """

    def __init__(self, output_dir: str | Path, keep: int = 2) -> None:
        if keep < 1:
            raise ValueError(f"keep must be >= 1, got {keep}")
        self.root = Path(output_dir) / CHECKPOINT_DIR
        self.keep = int(keep)

    def save(self, model: BaseAlgorithm, callback_states: dict[str, Any], reason: str = "periodic",
             num_timesteps: int | None = None) -> Checkpoint:
        """Write a checkpoint of ``model`` (at ``num_timesteps``, default ``model.num_timesteps``) and prune old ones."""
        steps = int(model.num_timesteps if num_timesteps is None else num_timesteps)
        final = self.root / f"{_PREFIX}{steps:012d}"
        tmp = self.root / f".tmp-{_PREFIX}{steps:012d}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        saved_steps = model.num_timesteps
        model.num_timesteps = steps
        try:
            model.save(tmp / "model.zip")
        finally:
            model.num_timesteps = saved_steps
        vec_norm = model.get_vec_normalize_env()
        if vec_norm is not None:
            vec_norm.save(str(tmp / "vecnormalize.pkl"))
        atomic_write_bytes(tmp / "callbacks.pkl", pickle.dumps(callback_states, protocol=pickle.HIGHEST_PROTOCOL))
        meta = {"num_timesteps": steps, "n_updates": int(getattr(model, "_n_updates", 0)), "reason": reason,
                "wall_time_unix": time.time()}
        atomic_write_text(tmp / "meta.json", json.dumps(meta, indent=2))
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        self._prune()
        return Checkpoint(final, steps, meta["n_updates"], reason)

    def list(self) -> list[Checkpoint]:
        """Complete checkpoints, oldest first."""
        out = []
        if not self.root.is_dir():
            return out
        for p in sorted(self.root.glob(f"{_PREFIX}*")):
            meta_path = p / "meta.json"
            if p.is_dir() and meta_path.is_file() and (p / "model.zip").is_file():
                meta = json.loads(meta_path.read_text())
                out.append(Checkpoint(p, int(meta["num_timesteps"]), int(meta.get("n_updates", 0)),
                                      str(meta.get("reason", ""))))
        return out

    def latest(self) -> Checkpoint | None:
        """The newest complete checkpoint, or None."""
        cps = self.list()
        return cps[-1] if cps else None

    def _prune(self) -> None:
        for cp in self.list()[:-self.keep]:
            shutil.rmtree(cp.path, ignore_errors=True)


class PeriodicCheckpointCallback(BaseCallback):
    """Saves a checkpoint every ``freq_steps`` env steps, at rollout boundaries (after an update, before the
    next rollout), so ``num_timesteps`` of a checkpoint is always a multiple of the rollout size.

    ``states``: ``{name: object with state_dict()}`` saved in ``callbacks.pkl``. ``freq_steps`` <= 0:
    no periodic checkpoints. :attr:`boundary_timesteps` is ``num_timesteps`` at the last rollout start,
    i.e. the steps the current policy has learned from (used for checkpoints taken on a signal).
    """

    def __init__(self, manager: CheckpointManager, freq_steps: int, states: dict[str, Any], verbose: int = 0) -> None:
        super().__init__(verbose)
        self.manager = manager
        self.freq_steps = int(freq_steps)
        self.states = states
        self.boundary_timesteps = 0
        self._last_saved = 0
        self.saved: list[Checkpoint] = []

    def _on_training_start(self) -> None:
        self.boundary_timesteps = self.num_timesteps
        self._last_saved = self.num_timesteps

    def _on_rollout_start(self) -> None:
        self.boundary_timesteps = self.num_timesteps
        if self.freq_steps > 0 and self.num_timesteps - self._last_saved >= self.freq_steps:
            self.save("periodic")

    def _on_step(self) -> bool:
        return True

    def save(self, reason: str) -> Checkpoint:
        """Checkpoint now, at :attr:`boundary_timesteps`."""
        cp = self.manager.save(self.model, {k: v.state_dict() for k, v in self.states.items()}, reason,
                               num_timesteps=self.boundary_timesteps)
        self._last_saved = self.boundary_timesteps
        self.saved.append(cp)
        return cp
