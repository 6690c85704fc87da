"""Policy observation kernel: one flat vector per drone, shared by env and PolicyPlanner.

| slice | content | frame | unit |
|---|---|---|---|
| ``3 * n_obs_wp`` | upcoming waypoints relative to the drone (active first; past the last one, the last is repeated) | body FLU | m |
| 3 | velocity | body FLU | m/s |
| 9 | rotation matrix body -> world, row-major | - | - |
| 3 | body rates | body FLU | rad/s |
| 4 | previous normalized action | - | [-1, 1] |
| 1 | distance to the active waypoint (the norm of the first 3 entries) | - | m |

No absolute position enters (no altitude: a policy could learn a ceiling from it); the
ground and the dome are only seen through the waypoints, which the course keeps inside.
Non-finite entries become 0 and all entries are clipped to +-OBS_LIMIT.
"""

from __future__ import annotations

import numpy as np
from simhops.dynamics.kernels._jit import njit, njit_inline
from simhops.dynamics.kernels.layout import OBS_LIMIT


@njit
def _put(out, j, x):
    if not np.isfinite(x):
        x = 0.0
    out[j] = min(max(x, -OBS_LIMIT), OBS_LIMIT)


@njit_inline
def observation_one(s, waypoints, n_waypoints, active, last_action, n_obs_wp, out):
    """Write the observation of one drone into ``out`` (3 * n_obs_wp + 20,)."""
    qw, qx, qy, qz = s[3], s[4], s[5], s[6]
    r00 = 1.0 - 2.0 * (qy * qy + qz * qz)
    r01 = 2.0 * (qx * qy - qw * qz)
    r02 = 2.0 * (qx * qz + qw * qy)
    r10 = 2.0 * (qx * qy + qw * qz)
    r11 = 1.0 - 2.0 * (qx * qx + qz * qz)
    r12 = 2.0 * (qy * qz - qw * qx)
    r20 = 2.0 * (qx * qz - qw * qy)
    r21 = 2.0 * (qy * qz + qw * qx)
    r22 = 1.0 - 2.0 * (qx * qx + qy * qy)
    j = 0
    k0 = min(active, n_waypoints - 1)
    d0x = waypoints[k0, 0] - s[0]
    d0y = waypoints[k0, 1] - s[1]
    d0z = waypoints[k0, 2] - s[2]
    for w in range(n_obs_wp):
        k = min(active + w, n_waypoints - 1)
        dx = waypoints[k, 0] - s[0]
        dy = waypoints[k, 1] - s[1]
        dz = waypoints[k, 2] - s[2]
        _put(out, j, r00 * dx + r10 * dy + r20 * dz)
        _put(out, j + 1, r01 * dx + r11 * dy + r21 * dz)
        _put(out, j + 2, r02 * dx + r12 * dy + r22 * dz)
        j += 3
    vx, vy, vz = s[7], s[8], s[9]
    _put(out, j, r00 * vx + r10 * vy + r20 * vz)
    _put(out, j + 1, r01 * vx + r11 * vy + r21 * vz)
    _put(out, j + 2, r02 * vx + r12 * vy + r22 * vz)
    _put(out, j + 3, r00)
    _put(out, j + 4, r01)
    _put(out, j + 5, r02)
    _put(out, j + 6, r10)
    _put(out, j + 7, r11)
    _put(out, j + 8, r12)
    _put(out, j + 9, r20)
    _put(out, j + 10, r21)
    _put(out, j + 11, r22)
    _put(out, j + 12, s[10])
    _put(out, j + 13, s[11])
    _put(out, j + 14, s[12])
    for a in range(4):
        _put(out, j + 15 + a, last_action[a])
    _put(out, j + 19, np.sqrt(d0x * d0x + d0y * d0y + d0z * d0z))
