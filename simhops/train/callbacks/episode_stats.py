"""RollingEpisodeStats: rolling means of the training episodes (reward, length, success, waypoints, crashes)."""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

__all__ = ["RollingEpisodeStats", "PROGRESS_PATHS", "finite_float"]

#: rolling statistic -> meaning (the keys are also the Rerun entity paths of the training recording)
PROGRESS_PATHS: tuple[str, ...] = (
    "progress/mean_reward",
    "progress/mean_length",
    "progress/success_rate",
    "progress/waypoints_per_episode",
    "progress/crash_rate",
)


def finite_float(value: Any) -> float | None:
    """``float(value)`` when it is a finite real number, else None."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


class RollingEpisodeStats:
    """Rolling statistics over the last ``window`` finished episodes.

    :meth:`record` takes a finished episode's ``info``: ``info["episode"]`` (``r`` return, ``l`` length in
    steps, from SB3's ``VecMonitor``/``Monitor``), ``info["is_success"]`` (bool), ``info["waypoints_reached"]``
    (int) and ``info["crash"]`` (crash cause name, ``"none"`` when not crashed, or an int code, 0 = none).

    Raises:
        ValueError: ``window`` < 1.
    """

    def __init__(self, window: int = 100) -> None:
        if int(window) < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.window = int(window)
        self.rewards: deque[float] = deque(maxlen=self.window)
        self.lengths: deque[float] = deque(maxlen=self.window)
        self.successes: deque[float] = deque(maxlen=self.window)
        self.waypoints: deque[float] = deque(maxlen=self.window)
        self.crashes: deque[float] = deque(maxlen=self.window)
        self.n_episodes = 0

    def record(self, info: dict[str, Any]) -> bool:
        """Add one finished episode; False (nothing recorded) when ``info`` has no ``episode`` entry."""
        ep = info.get("episode")
        if ep is None:
            return False
        r, length = finite_float(ep.get("r")), finite_float(ep.get("l"))
        if r is not None:
            self.rewards.append(r)
        if length is not None:
            self.lengths.append(length)
        self.successes.append(1.0 if bool(info.get("is_success", False)) else 0.0)
        wp = finite_float(info.get("waypoints_reached"))
        if wp is not None:
            self.waypoints.append(wp)
        crash = info.get("crash")
        if crash is not None:
            crashed = (crash not in ("none", "")) if isinstance(crash, str) else bool(finite_float(crash))
            self.crashes.append(1.0 if crashed else 0.0)
        self.n_episodes += 1
        return True

    def record_finished(self, infos: Any, dones: Any) -> int:
        """Record the finished episodes of one vector-env step (SB3's ``infos`` list and ``dones``
        (N,) array, as in a callback's ``locals``); returns how many had an ``episode`` entry."""
        if infos is None or dones is None:
            return 0
        n = 0
        for i in np.flatnonzero(np.asarray(dones).reshape(-1)):
            if i < len(infos) and self.record(infos[i]):
                n += 1
        return n

    def means(self) -> dict[str, float]:
        """Rolling means keyed by :data:`PROGRESS_PATHS` (only those with data)."""
        out: dict[str, float] = {}
        for path, buf in zip(PROGRESS_PATHS, (self.rewards, self.lengths, self.successes, self.waypoints,
                                              self.crashes)):
            if len(buf):
                out[path] = float(np.mean(buf))
        return out

    def state_dict(self) -> dict[str, Any]:
        """Picklable state (for checkpoints)."""
        return {"window": self.window, "n_episodes": self.n_episodes,
                **{k: list(getattr(self, k)) for k in ("rewards", "lengths", "successes", "waypoints", "crashes")}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` output (the window of this object is kept)."""
        self.n_episodes = int(state["n_episodes"])
        for k in ("rewards", "lengths", "successes", "waypoints", "crashes"):
            getattr(self, k).clear()
            getattr(self, k).extend(state.get(k, []))
