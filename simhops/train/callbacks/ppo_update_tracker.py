"""PPOUpdateTracker: which PPO update just finished, and its ``train/*`` losses from SB3's logger.

SB3 ``OnPolicyAlgorithm.learn`` runs, per iteration: ``collect_rollouts``
(``on_rollout_start`` -> ``on_step`` x n_steps -> ``on_rollout_end``), then
``dump_logs`` (only when ``log_interval`` hits; it calls ``logger.dump()``,
which CLEARS ``logger.name_to_value``), then ``train()``, which records the
``train/*`` values.  Nothing clears ``name_to_value`` between the end of
``train()`` and the next ``on_rollout_start`` (or ``on_training_end``), so the
values of update ``k`` are read at the start of rollout ``k+1`` (and the last
ones in ``on_training_end``).  As a fallback (a foreign callback dumping the
logger in between) a small ``KVWriter`` tap attached to the logger's
``output_formats`` remembers the ``train/*`` values of every dump.
"""

from __future__ import annotations

from typing import Any

from stable_baselines3.common.logger import KVWriter, Logger

__all__ = ["PPOUpdateTracker", "LOSS_KEYS"]

#: Rerun entity path -> SB3 logger key (recorded by ``PPO.train()``).
LOSS_KEYS: dict[str, str] = {
    "losses/policy_loss": "train/policy_gradient_loss",
    "losses/value_loss": "train/value_loss",
    "losses/entropy_loss": "train/entropy_loss",
    "ppo/approx_kl": "train/approx_kl",
    "ppo/clip_fraction": "train/clip_fraction",
    "ppo/explained_variance": "train/explained_variance",
}


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


class PPOUpdateTracker:
    """Counts PPO updates and reads their losses; drive it from an SB3 callback's hooks.

    ``n_updates``: updates (rollout + ``train()``) completed; :meth:`on_rollout_start` /
    :meth:`on_training_end` return the update whose losses are now readable (or None).
    """

    def __init__(self) -> None:
        self.n_updates = 0
        self.last_reported_update = 0
        self._tap: _TrainValuesTap | None = None
        self._logger: Logger | None = None
        self._last_train_values: dict[str, float] = {}

    def attach(self, logger: Logger) -> None:
        """Start tapping ``logger``'s dumps (call in ``_on_training_start``)."""
        self.detach()
        self._logger = logger
        self._tap = _TrainValuesTap()
        logger.output_formats.append(self._tap)

    def detach(self) -> None:
        """Remove the tap (call in ``_on_training_end``; idempotent)."""
        if self._logger is not None and self._tap in self._logger.output_formats:
            self._logger.output_formats.remove(self._tap)
        self._tap = None

    def on_rollout_end(self) -> None:
        """``learn()`` always calls ``train()`` after a completed rollout."""
        self.n_updates += 1

    def finished_update(self) -> int | None:
        """The update whose ``train()`` has run but was not reported yet (then marked reported), else None."""
        if self.n_updates > self.last_reported_update:
            self.last_reported_update = self.n_updates
            return self.n_updates
        return None

    def train_values(self) -> dict[str, float]:
        """``{entity path: value}`` of the ``train/*`` values recorded by the last ``train()`` (:data:`LOSS_KEYS`)."""
        ntv = self._logger.name_to_value if self._logger is not None else {}
        vals = {k: ntv[k] for k in LOSS_KEYS.values() if k in ntv}
        if not vals and self._tap is not None and self._tap.last:
            # name_to_value was dumped (cleared) after train(): use the tap's copy unless it is stale.
            cand = {k: self._tap.last[k] for k in LOSS_KEYS.values() if k in self._tap.last}
            if cand != self._last_train_values:
                vals = cand
        self._last_train_values = dict(vals)
        return {path: vals[key] for path, key in LOSS_KEYS.items() if key in vals}

    def state_dict(self) -> dict[str, int]:
        return {"n_updates": self.n_updates, "last_reported_update": self.last_reported_update}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.n_updates = int(state["n_updates"])
        self.last_reported_update = int(state["last_reported_update"])
