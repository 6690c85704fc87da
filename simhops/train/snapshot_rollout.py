"""The snapshot rollout: one deterministic episode of the current policy, returned as a ``SimulationHistory``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simhops.envs.waypoints_env import WaypointsEnv
from simhops.simulation.history.simulation_history import SimulationHistory

__all__ = ["SnapshotEpisode", "run_snapshot_episode"]


@dataclass(frozen=True)
class SnapshotEpisode:
    """A snapshot episode: its history and what the env reported.

    ``end`` is ``terminated``, ``truncated`` or ``capped`` (stopped at ``max_steps``).
    """

    history: SimulationHistory
    reward: float
    steps: int
    end: str
    seed: int

    @property
    def is_success(self) -> bool:
        return self.history.waypoints_reached >= int(self.history.scenario.waypoints.shape[0])


def run_snapshot_episode(model: Any, env: WaypointsEnv, seed: int, max_steps: int) -> SnapshotEpisode:
    """Fly one episode of ``model`` (``predict(obs, deterministic=True)``) on the course ``env.reset(seed=seed)`` draws.

    Observations are normalised with the model's ``VecNormalize`` statistics if it has any. At most
    ``max_steps`` env steps (>= 1); the episode's ``SimulationHistory`` is returned either way (when
    capped, the history holds the steps flown so far).

    Raises:
        ValueError: ``max_steps`` < 1.
    """
    if max_steps < 1:
        raise ValueError(f"max_steps must be >= 1, got {max_steps}")
    vec_norm = model.get_vec_normalize_env()
    obs, info = env.reset(seed=seed)
    total = 0.0
    steps = 0
    end = "capped"
    while steps < max_steps:
        policy_obs = vec_norm.normalize_obs(obs) if vec_norm is not None else obs
        action, _ = model.predict(policy_obs, deterministic=True)
        obs, reward, terminated, truncated, info = env.step(action)
        steps += 1
        r = float(reward)
        total += r if np.isfinite(r) else 0.0
        if terminated or truncated:
            end = "terminated" if terminated else "truncated"
            break
    history = info.get("simulation_history")
    if not isinstance(history, SimulationHistory):
        history = env.unwrapped.simulation.history
    return SnapshotEpisode(history=history, reward=total, steps=steps, end=end, seed=int(seed))
