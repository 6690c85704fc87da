"""TrainingLogCallback: rolling episode stats into SB3's logger, one short console line every N updates."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from stable_baselines3.common.callbacks import BaseCallback

from simhops.train.callbacks.episode_stats import RollingEpisodeStats

__all__ = ["TrainingLogCallback", "LOGGER_KEYS"]

#: rolling statistic (``RollingEpisodeStats.means()`` key) -> SB3 logger key
LOGGER_KEYS: dict[str, str] = {
    "progress/success_rate": "rollout/success_rate",
    "progress/waypoints_per_episode": "rollout/waypoints_per_episode",
    "progress/crash_rate": "rollout/crash_rate",
    "progress/mean_reward": "rollout/rolling_reward",
    "progress/mean_length": "rollout/rolling_length",
}


class TrainingLogCallback(BaseCallback):
    """After every rollout, records the rolling statistics of the last ``rolling_window`` finished episodes into
    the SB3 logger (:data:`LOGGER_KEYS`: success rate, waypoints per episode, crash rate, reward, length), so
    they reach every configured output (stdout table, csv, json, TensorBoard) at the next dump.

    Every ``print_freq_updates`` PPO updates (and when training ends) it writes ONE short line to ``stream``
    (default stdout), e.g. ``[simhops] update 20/610 steps 327,680/10,000,000 fps 41,200 success 12.0%
    waypoints/ep 1.31 crash 40.0% reward 5.21``; ``print_freq_updates`` <= 0 prints nothing. A default run
    (610 updates, every 10) prints 62 lines.

    Needs ``info["episode"]`` (``VecMonitor``), ``info["is_success"]``, ``info["waypoints_reached"]`` and
    ``info["crash"]`` in finished episodes' infos.
    """

    def __init__(self, rolling_window: int = 100, print_freq_updates: int = 10, total_timesteps: int | None = None,
                 stream: TextIO | None = None, verbose: int = 0) -> None:
        super().__init__(verbose)
        self.stats = RollingEpisodeStats(rolling_window)
        self.print_freq_updates = int(print_freq_updates)
        self.total_timesteps = total_timesteps
        self.stream = stream
        self.n_updates = 0
        self.lines_printed = 0
        self._t0 = time.perf_counter()
        self._steps0 = 0

    def _on_training_start(self) -> None:
        self._t0 = time.perf_counter()
        self._steps0 = self.num_timesteps

    def _on_step(self) -> bool:
        self.stats.record_finished(self.locals.get("infos"), self.locals.get("dones"))
        return True

    def _on_rollout_end(self) -> None:
        self.n_updates += 1
        for key, value in self.stats.means().items():
            self.logger.record(LOGGER_KEYS[key], value)
        if self.print_freq_updates > 0 and self.n_updates % self.print_freq_updates == 0:
            self.print_line()

    def _on_training_end(self) -> None:
        if self.print_freq_updates > 0 and self.n_updates % self.print_freq_updates != 0:
            self.print_line()

    def line(self) -> str:
        """The console line (see class docstring)."""
        m = self.stats.means()
        wall = max(time.perf_counter() - self._t0, 1e-9)
        fps = (self.num_timesteps - self._steps0) / wall
        total = self.total_timesteps
        n_total = getattr(self.model, "n_steps", 0) * getattr(self.model, "n_envs", 0) if self.model else 0
        upd = f"{self.n_updates}/{-(-total // n_total)}" if total and n_total else f"{self.n_updates}"
        steps = f"{self.num_timesteps:,}/{total:,}" if total else f"{self.num_timesteps:,}"

        def f(key: str, fmt: str) -> str:
            return format(m[key], fmt) if key in m else "n/a"

        return (f"[simhops] update {upd} steps {steps} fps {fps:,.0f} "
                f"success {f('progress/success_rate', '.1%')} waypoints/ep {f('progress/waypoints_per_episode', '.2f')} "
                f"crash {f('progress/crash_rate', '.1%')} reward {f('progress/mean_reward', '.2f')}")

    def print_line(self) -> None:
        print(self.line(), file=self.stream or sys.stdout, flush=True)
        self.lines_printed += 1

    def state_dict(self) -> dict[str, Any]:
        return {"stats": self.stats.state_dict(), "n_updates": self.n_updates}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.stats.load_state_dict(state["stats"])
        self.n_updates = int(state["n_updates"])
