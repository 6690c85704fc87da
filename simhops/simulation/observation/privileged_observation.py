"""Privileged plant features: the episode's true plant, normalized, for asymmetric actor-critic.

With ``env.privileged_plant_params: true`` both envs append :data:`PRIVILEGED_DIM` entries
to the policy observation, computed once per episode by :func:`privileged_features` from
the episode's plant row (the randomized, disturbed parameters, layout
:mod:`simhops.dynamics.kernels.layout` ``P_*``) and the nominal row
(``PhysicsParams.as_array()``). This is information a real drone does not have
(issue 8, "the plant is not the planner's model"): it is meant for a critic (or a
teacher policy) in training, and it is off by default.

Normalization: a parameter ``v`` with nominal ``v0 > 0`` becomes ``v / v0 - 1`` (0 at the
nominal plant); with ``v0 = 0`` it is ``v`` itself (in the unit below); the wind is
divided by :data:`WIND_SCALE_M_S` and the latency by ``MAX_LATENCY_STEPS``.

| index | entry | normalization |
|---|---|---|
| 0 | mass | relative |
| 1, 2, 3 | inertia Ixx, Iyy, Izz | relative |
| 4 | max motor thrust T_max | relative |
| 5 | thrust-to-weight 4 T_max / (m g) | relative |
| 6 | yaw moment per thrust | relative |
| 7, 8 | rotor time constants up, down | relative |
| 9, 10, 11 | linear drag x, y, z (body FLU) | relative (N/(m/s) when nominal 0) |
| 12, 13, 14 | constant wind x, y, z (world ENU) | m/s / ``WIND_SCALE_M_S`` |
| 15 | gust std | relative (m/s when nominal 0) |
| 16 | action latency | steps / ``MAX_LATENCY_STEPS`` |
| 17, 18, 19, 20 | observation noise std: position, velocity, attitude, body rates | relative (m, m/s, rad, rad/s when nominal 0) |
| 21 | motor-command noise std | relative (fraction of T_max when nominal 0) |

The features are float32 and clipped to ``[-OBS_LIMIT, OBS_LIMIT]``. The computation is
element-wise numpy on rows, so one env (one row) and the vector env (N rows) give the same
numbers bit for bit.
"""

from __future__ import annotations

import numpy as np

from simhops.dynamics.kernels import layout as L

#: entries appended to the policy observation
PRIVILEGED_DIM = 22
#: m/s, the wind divisor
WIND_SCALE_M_S = 5.0

_RELATIVE = (L.P_MASS, L.P_IXX, L.P_IYY, L.P_IZZ, L.P_TMAX)
_RELATIVE_AFTER_TW = (L.P_YAW_K, L.P_TAU_UP, L.P_TAU_DN, L.P_DRAG_X, L.P_DRAG_Y, L.P_DRAG_Z)
_GUST = (L.P_GUST_STD,)
_TAIL = (L.P_NOISE_POS, L.P_NOISE_VEL, L.P_NOISE_ATT, L.P_NOISE_RATE, L.P_MOTOR_NOISE)
_WIND = (L.P_WIND_X, L.P_WIND_Y, L.P_WIND_Z)


def _relative(v: np.ndarray, v0: np.ndarray) -> np.ndarray:
    """``v / v0 - 1`` where ``v0 > 0``, else ``v`` (columns)."""
    safe = np.where(v0 > 0.0, v0, 1.0)
    return np.where(v0 > 0.0, v / safe - 1.0, v)


def privileged_features(rows: np.ndarray, nominal: np.ndarray) -> np.ndarray:
    """The normalized plant of each row (see the module docstring for the layout).

    Args:
        rows: (N, PHYS_DIM) or (PHYS_DIM,) float64, the episodes' plant rows.
        nominal: (PHYS_DIM,) float64, the nominal row.

    Returns:
        (N, PRIVILEGED_DIM) float32 (or (PRIVILEGED_DIM,) for one row).

    Raises:
        ValueError: a row of the wrong length.
    """
    r = np.asarray(rows, dtype=np.float64)
    one = r.ndim == 1
    r = np.atleast_2d(r)
    n0 = np.asarray(nominal, dtype=np.float64)
    if r.shape[1] != L.PHYS_DIM or n0.shape != (L.PHYS_DIM,):
        raise ValueError(f"rows must have {L.PHYS_DIM} columns and nominal shape ({L.PHYS_DIM},); "
                         f"got {r.shape} and {n0.shape}")
    tw = 4.0 * r[:, L.P_TMAX] / (r[:, L.P_MASS] * r[:, L.P_GRAVITY])
    tw0 = 4.0 * n0[L.P_TMAX] / (n0[L.P_MASS] * n0[L.P_GRAVITY])
    cols = [
        _relative(r[:, list(_RELATIVE)], n0[list(_RELATIVE)]),
        _relative(tw[:, None], np.array([tw0])),
        _relative(r[:, list(_RELATIVE_AFTER_TW)], n0[list(_RELATIVE_AFTER_TW)]),
        r[:, list(_WIND)] / WIND_SCALE_M_S,
        _relative(r[:, list(_GUST)], n0[list(_GUST)]),
        r[:, [L.P_LATENCY]] / float(L.MAX_LATENCY_STEPS),
        _relative(r[:, list(_TAIL)], n0[list(_TAIL)]),
    ]
    out = np.clip(np.concatenate(cols, axis=1), -L.OBS_LIMIT, L.OBS_LIMIT).astype(np.float32)
    assert out.shape[1] == PRIVILEGED_DIM
    return out[0] if one else out
