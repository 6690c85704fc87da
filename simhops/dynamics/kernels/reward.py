"""Reward kernel (see :class:`simhops.envs.waypoints_env.WaypointsEnv` for the table)."""

from __future__ import annotations

from simhops.dynamics.kernels._jit import njit, njit_inline
from simhops.dynamics.kernels.layout import (
    R_ACTION_RATE,
    R_DESCENT,
    R_DESCENT_LIMIT,
    R_COMPLETION,
    R_CRASH,
    R_PROGRESS,
    R_RATE,
    R_TILT,
    R_TILT_LIMIT,
    R_TILT_LIMIT_COS,
    R_TIME,
    R_WAYPOINT,
)


@njit_inline
def reward_one(s, progress, reached_now, completed, crashed, reward, action_delta_sq):
    """Reward of one step.

    ``progress * w_progress + reached_now * bonus + completed * completion_bonus
    - crashed * crash_penalty - w_rate * |body rates|^2 - w_tilt * (1 - cos tilt)
    - w_action_rate * |a_t - a_{t-1}|^2 - w_limit * max(0, cos limit - cos tilt)
    - w_descent * max(0, -v_z - v_descent_limit) - time_penalty``.

    ``s`` (17,) state after the step; ``progress`` (m) decrease of the distance to the
    previously active waypoint; ``action_delta_sq`` the squared norm of the change of the
    normalized action in this step. ``cos tilt`` is the world-z component of the body z
    axis, ``1 - 2 (qx^2 + qy^2)``. The state terms are skipped on a crash (the state may be
    non-finite).

    No parking incentive: progress is a potential difference (a hover beside a waypoint
    earns 0 from it), so hovering only collects ``-time_penalty`` per step while reaching
    adds ``waypoint_bonus`` (tests/test_policy_reward.py).
    """
    r = reward[R_PROGRESS] * progress + reward[R_WAYPOINT] * reached_now - reward[R_TIME]
    r -= reward[R_ACTION_RATE] * action_delta_sq
    if completed:
        r += reward[R_COMPLETION]
    if crashed:
        r -= reward[R_CRASH]
    else:
        r -= reward[R_RATE] * (s[10] * s[10] + s[11] * s[11] + s[12] * s[12])
        tilt_sq = 2.0 * (s[4] * s[4] + s[5] * s[5])  # 1 - cos tilt
        r -= reward[R_TILT] * tilt_sq
        beyond = reward[R_TILT_LIMIT_COS] - (1.0 - tilt_sq)
        if beyond > 0.0:  # hinge: only tilts past the limit pay it (a soft attitude envelope)
            r -= reward[R_TILT_LIMIT] * beyond
        sink = -s[9] - reward[R_DESCENT_LIMIT]
        if sink > 0.0:  # hinge: descents faster than the limit pay (a soft sink-rate envelope)
            r -= reward[R_DESCENT] * sink
    return r
