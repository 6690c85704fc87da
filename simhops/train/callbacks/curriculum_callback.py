"""CurriculumCallback: raises the training difficulty level by rolling success and by a schedule floor."""

from __future__ import annotations

import sys
from typing import Any, TextIO

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from simhops.config import SimHopsConfig
from simhops.train.callbacks.episode_stats import RollingEpisodeStats
from simhops.train.curriculum import Curriculum, schedule_floor_level

__all__ = ["CurriculumCallback", "SET_METHOD"]

#: the env method that takes a level's config (``SimHopsVectorEnv.set_episode_config``, via ``env_method``)
SET_METHOD = "set_episode_config"


class CurriculumCallback(BaseCallback):
    """Difficulty levels of :class:`~simhops.train.curriculum.Curriculum` over the training env.

    After every rollout (PPO update) it promotes one level when the rolling success rate of the
    last ``rolling_window`` training episodes *at this level* is >= ``promote_success`` (the window
    full) and at least ``min_updates_per_level`` updates were spent at the level; independently the
    schedule floor lifts the level to at least
    :func:`~simhops.train.curriculum.schedule_floor_level` of the training progress
    (``num_timesteps / total_timesteps``), the full level at ``full_at_fraction``. On a level change
    it clears the success window, calls ``env.env_method("set_episode_config", level_config)``
    (episodes that start afterwards use the new level) and prints one console line, e.g.
    ``[simhops curriculum] level 2/4 at step 491,520 (success 81.0%)``.

    Episodes that began at the previous level and end after a change count toward the new level's
    window (at most one episode per sub-env).

    Every update it records ``curriculum/level`` and ``curriculum/fraction`` (level / levels) into the
    SB3 logger. :meth:`state_dict` / :meth:`load_state_dict` carry the level through checkpoints;
    loading re-applies the level to the env.

    Args:
        curriculum: the levels.
        base_config: the config the overlays are applied to (the run's config).
        env: a VecEnv with ``env_method`` (None: the model's training env, once the callback is initialized).
        total_timesteps: ``train.total_timesteps`` (the schedule's 100 %).
        promote_success / min_updates_per_level / full_at_fraction: see ``train.curriculum``.
        rolling_window: episodes in the success window.
        stream: console stream (default stdout); ``print_changes=False`` prints nothing.

    Raises:
        ValueError: an argument out of range (names it).
    """

    def __init__(self, curriculum: Curriculum, base_config: SimHopsConfig, env: Any = None, *,
                 total_timesteps: int, promote_success: float = 0.8, min_updates_per_level: int = 5,
                 full_at_fraction: float = 0.6, rolling_window: int = 100, stream: TextIO | None = None,
                 print_changes: bool = True, verbose: int = 0) -> None:
        super().__init__(verbose)
        if total_timesteps < 1:
            raise ValueError(f"total_timesteps must be >= 1 (got {total_timesteps})")
        if not 0.0 <= promote_success <= 1.0:
            raise ValueError(f"promote_success must be in [0, 1] (got {promote_success})")
        if min_updates_per_level < 1:
            raise ValueError(f"min_updates_per_level must be >= 1 (got {min_updates_per_level})")
        if not 0.0 < full_at_fraction <= 1.0:
            raise ValueError(f"full_at_fraction must be in (0, 1] (got {full_at_fraction})")
        self.curriculum = curriculum
        self.base_config = base_config
        self.env = env
        self.total_timesteps = int(total_timesteps)
        self.promote_success = float(promote_success)
        self.min_updates_per_level = int(min_updates_per_level)
        self.full_at_fraction = float(full_at_fraction)
        self.rolling_window = int(rolling_window)
        self.stats = RollingEpisodeStats(rolling_window)
        self.stream = stream
        self.print_changes = print_changes
        self.level = 0
        self.updates_at_level = 0
        self.n_updates = 0
        self.changes: list[tuple[int, int, str]] = []  # (num_timesteps, new level, reason)
        self._configs = [curriculum.level_config(base_config, lv) for lv in range(curriculum.levels + 1)]

    @classmethod
    def from_config(cls, cfg: SimHopsConfig, env: Any = None, **kwargs: Any) -> "CurriculumCallback":
        """The callback of ``cfg.train.curriculum`` (window ``callbacks.rolling_window``).

        Raises:
            ConfigError: see :meth:`Curriculum.from_config`.
        """
        cur = cfg.train.curriculum
        return cls(Curriculum.from_config(cfg), cfg, env, total_timesteps=cfg.train.total_timesteps,
                   promote_success=cur.promote_success, min_updates_per_level=cur.min_updates_per_level,
                   full_at_fraction=cur.full_at_fraction, rolling_window=cfg.callbacks.rolling_window, **kwargs)

    @property
    def levels(self) -> int:
        """L: the full level."""
        return self.curriculum.levels

    def level_config(self, level: int | None = None) -> SimHopsConfig:
        """The training env config of ``level`` (default: the current one)."""
        return self._configs[self.level if level is None else level]

    def _env(self) -> Any:
        if self.env is not None:
            return self.env
        if getattr(self, "model", None) is None:
            raise RuntimeError("CurriculumCallback has no env: pass env= or initialize it with a model")
        return self.training_env

    def check_env(self) -> None:
        """Check that the env accepts every level's config (``check_episode_config``) before training.

        Raises:
            ValueError: naming the config key a level changes that the env cannot change at runtime.
        """
        env = self._env()
        for lv, c in enumerate(self._configs):
            try:
                env.env_method("check_episode_config", c)
            except ValueError as exc:
                raise ValueError(f"train.curriculum level {lv}/{self.levels}: {exc}") from None

    def apply(self) -> None:
        """Set the env to the current level (episodes that start afterwards)."""
        self._env().env_method(SET_METHOD, self._configs[self.level])

    def _on_step(self) -> bool:
        self.stats.record_finished(self.locals.get("infos"), self.locals.get("dones"))
        return True

    def success_rate(self) -> float | None:
        """Rolling success at this level, None until the window is full."""
        s = self.stats.successes
        return float(np.mean(s)) if len(s) >= self.rolling_window else None

    def _on_rollout_end(self) -> None:
        self.n_updates += 1
        self.updates_at_level += 1
        target, reason = self.level, ""
        success = self.success_rate()
        if (self.level < self.levels and success is not None and success >= self.promote_success
                and self.updates_at_level >= self.min_updates_per_level):
            target, reason = self.level + 1, f"success {success:.1%}"
        floor = schedule_floor_level(self.num_timesteps / self.total_timesteps, self.levels, self.full_at_fraction)
        if floor > target:
            target, reason = floor, "schedule"
        if target != self.level:
            self.set_level(target, reason)
        self.logger.record("curriculum/level", self.level)
        self.logger.record("curriculum/fraction", self.level / self.levels)

    def set_level(self, level: int, reason: str = "") -> None:
        """Go to ``level``: clear the success window, apply it to the env, print one line.

        Raises:
            ValueError: ``level`` outside 0..levels.
        """
        if not (isinstance(level, (int, np.integer)) and 0 <= level <= self.levels):
            raise ValueError(f"level must be an int in [0, {self.levels}] (got {level!r})")
        self.level = int(level)
        self.updates_at_level = 0
        self.stats = RollingEpisodeStats(self.rolling_window)
        self.apply()
        self.changes.append((int(self.num_timesteps), self.level, reason))
        if self.print_changes:
            print(f"[simhops curriculum] level {self.level}/{self.levels} at step {self.num_timesteps:,}"
                  + (f" ({reason})" if reason else ""), file=self.stream or sys.stdout, flush=True)

    def state_dict(self) -> dict[str, Any]:
        """Picklable state (for checkpoints)."""
        return {"level": self.level, "updates_at_level": self.updates_at_level, "n_updates": self.n_updates,
                "stats": self.stats.state_dict(), "changes": list(self.changes)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` output and apply the level to the env (when there is one).

        Raises:
            ValueError: a saved level above this curriculum's ``levels``.
        """
        level = int(state["level"])
        if not 0 <= level <= self.levels:
            raise ValueError(f"checkpoint curriculum level {level} is outside 0..{self.levels} "
                             f"(train.curriculum.levels changed?)")
        self.level = level
        self.updates_at_level = int(state.get("updates_at_level", 0))
        self.n_updates = int(state.get("n_updates", 0))
        self.stats.load_state_dict(state["stats"])
        self.changes = [tuple(c) for c in state.get("changes", [])]
        if self.env is not None or getattr(self, "model", None) is not None:
            self.apply()
