"""Course kernels: random course sampling, waypoint tracking, crash detection.

A course is ``waypoints (K, 3)`` (m, world ENU) flown in order. The *active*
waypoint is the first not yet reached; it counts as reached when the drone's
centre is within ``reach_radius`` of it. The course is complete when all K are
reached. Crashes: non-finite state, below the ground plane (z < 0), or outside
the flight dome (|p| > dome radius, a sphere around the world origin).
"""

from __future__ import annotations

import numpy as np
from simhops.dynamics.kernels._jit import njit, njit_inline
from simhops.dynamics.kernels.layout import (
    C_DOME,
    C_HOP_MAX,
    C_HOP_MIN,
    C_MARGIN,
    C_MAX_ALT,
    C_MIN_ALT,
    C_REACH,
    C_START_X,
    C_START_Y,
    C_START_Z,
    CRASH_DOME,
    CRASH_GROUND,
    CRASH_NONE,
    CRASH_NONFINITE,
)
from simhops.dynamics.kernels.rng import uniform

_MAX_TRIES = 256


@njit
def sample_course_one(rng, i, course, waypoints, n_waypoints):
    """Write a random course of ``n_waypoints`` into ``waypoints`` (>= n, 3), drawing from ``rng[i]``.

    Each waypoint is a hop of uniform length in [hop_min, hop_max] in a uniformly
    random direction from the previous one (the first from the start position),
    kept within [min_alt, max_alt] and ``margin`` inside the dome (rejection
    sampling; after ``_MAX_TRIES`` rejections the candidate is clamped inside).
    """
    prev_x = course[C_START_X]
    prev_y = course[C_START_Y]
    prev_z = course[C_START_Z]
    r_max = course[C_DOME] - course[C_MARGIN]
    for k in range(n_waypoints):
        x = prev_x
        y = prev_y
        z = prev_z
        for _ in range(_MAX_TRIES):
            dz = uniform(rng, i, -1.0, 1.0)
            phi = uniform(rng, i, 0.0, 2.0 * np.pi)
            rho = np.sqrt(max(0.0, 1.0 - dz * dz))
            d = uniform(rng, i, course[C_HOP_MIN], course[C_HOP_MAX])
            x = prev_x + d * rho * np.cos(phi)
            y = prev_y + d * rho * np.sin(phi)
            z = prev_z + d * dz
            if course[C_MIN_ALT] <= z <= course[C_MAX_ALT] and x * x + y * y + z * z <= r_max * r_max:
                break
        else:
            z = min(max(z, course[C_MIN_ALT]), course[C_MAX_ALT])
            n = np.sqrt(x * x + y * y + z * z)
            if n > r_max:
                x *= r_max / n
                y *= r_max / n
                z *= r_max / n
        waypoints[k, 0] = x
        waypoints[k, 1] = y
        waypoints[k, 2] = z
        prev_x, prev_y, prev_z = x, y, z


@njit_inline
def distance_to(s, waypoints, k):
    """Distance (m) from the drone position ``s[0:3]`` to waypoint ``k``."""
    dx = waypoints[k, 0] - s[0]
    dy = waypoints[k, 1] - s[1]
    dz = waypoints[k, 2] - s[2]
    return np.sqrt(dx * dx + dy * dy + dz * dz)


@njit_inline
def crash_code_one(s, course):
    """Crash cause of state ``s`` (17,): CRASH_NONE, _GROUND, _DOME or _NONFINITE."""
    for j in range(13):
        if not np.isfinite(s[j]):
            return CRASH_NONFINITE
    if s[2] < 0.0:
        return CRASH_GROUND
    if s[0] * s[0] + s[1] * s[1] + s[2] * s[2] > course[C_DOME] * course[C_DOME]:
        return CRASH_DOME
    return CRASH_NONE


@njit_inline
def track_course_one(s, waypoints, n_waypoints, active, prev_dist, course):
    """Update course progress after the drone moved to state ``s``.

    Returns ``(active, reached_now, progress_m, dist_m, crash)``: the new active
    index, how many waypoints were reached in this step, progress toward the
    previously active waypoint (``prev_dist - new distance``, m; 0 on a crash),
    the distance to the new active waypoint (0 once complete) and the crash code.
    """
    crash = crash_code_one(s, course)
    if crash != CRASH_NONE or active >= n_waypoints:
        return active, 0, 0.0, prev_dist, crash
    d = distance_to(s, waypoints, active)
    progress = prev_dist - d
    reached = 0
    r = course[C_REACH]
    while active < n_waypoints and d <= r:
        active += 1
        reached += 1
        d = distance_to(s, waypoints, active) if active < n_waypoints else 0.0
    return active, reached, progress, d, crash
