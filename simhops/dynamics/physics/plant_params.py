"""Named view of kernel parameter rows: the plant and disturbance parameters of an episode."""

from __future__ import annotations

import numpy as np

from simhops.dynamics.kernels import layout as L


def plant_params_from_rows(rows: np.ndarray) -> dict[str, np.ndarray]:
    """Named copies of the parameters of rows ``(N, PHYS_DIM)`` (or one row ``(PHYS_DIM,)``).

    | key | shape | unit |
    |---|---|---|
    | ``mass_kg``, ``max_motor_thrust_n``, ``thrust_to_weight``, ``yaw_moment_per_thrust_m`` | (N,) | kg, N, -, m |
    | ``motor_tau_up_s``, ``motor_tau_down_s`` | (N,) | s |
    | ``inertia_kg_m2``, ``drag_n_s_m``, ``wind_m_s`` | (N, 3) | kg m^2, N/(m/s), m/s (world ENU) |
    | ``gust_std_m_s`` | (N,) | m/s |
    | ``latency_steps`` | (N,) int64 | control steps |
    | ``obs_noise`` | (N, 4) | m, m/s, rad, rad/s (position, velocity, attitude, body rates) |
    | ``motor_noise`` | (N,) | fraction of T_max |
    """
    r = np.atleast_2d(np.asarray(rows, dtype=np.float64))
    return {
        "mass_kg": r[:, L.P_MASS].copy(),
        "inertia_kg_m2": r[:, [L.P_IXX, L.P_IYY, L.P_IZZ]].copy(),
        "max_motor_thrust_n": r[:, L.P_TMAX].copy(),
        "thrust_to_weight": 4.0 * r[:, L.P_TMAX] / (r[:, L.P_MASS] * r[:, L.P_GRAVITY]),
        "yaw_moment_per_thrust_m": r[:, L.P_YAW_K].copy(),
        "motor_tau_up_s": r[:, L.P_TAU_UP].copy(),
        "motor_tau_down_s": r[:, L.P_TAU_DN].copy(),
        "drag_n_s_m": r[:, [L.P_DRAG_X, L.P_DRAG_Y, L.P_DRAG_Z]].copy(),
        "wind_m_s": r[:, [L.P_WIND_X, L.P_WIND_Y, L.P_WIND_Z]].copy(),
        "gust_std_m_s": r[:, L.P_GUST_STD].copy(),
        "latency_steps": r[:, L.P_LATENCY].astype(np.int64),
        "obs_noise": r[:, [L.P_NOISE_POS, L.P_NOISE_VEL, L.P_NOISE_ATT, L.P_NOISE_RATE]].copy(),
        "motor_noise": r[:, L.P_MOTOR_NOISE].copy(),
    }
