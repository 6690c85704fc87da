"""Reward kernel (see :class:`simhops.envs.waypoints_env.WaypointsEnv` for the table)."""

from __future__ import annotations

from simhops.dynamics.kernels._jit import njit
from simhops.dynamics.kernels.layout import (
    R_COMPLETION,
    R_CRASH,
    R_PROGRESS,
    R_RATE,
    R_TIME,
    R_WAYPOINT,
)


@njit
def reward_one(s, progress, reached_now, completed, crashed, reward):
    """Reward of one step.

    ``progress * w_progress + reached_now * bonus + completed * completion_bonus
    - crashed * crash_penalty - w_rate * |body rates|^2 - time_penalty``.
    The rate term is skipped on a crash (the state may be non-finite).
    """
    r = reward[R_PROGRESS] * progress + reward[R_WAYPOINT] * reached_now - reward[R_TIME]
    if completed:
        r += reward[R_COMPLETION]
    if crashed:
        r -= reward[R_CRASH]
    else:
        r -= reward[R_RATE] * (s[10] * s[10] + s[11] * s[11] + s[12] * s[12])
    return r
