"""Dynamics metrics: speed, tilt, control effort, body-rate jerk."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from simhops.dynamics.kernels.layout import MODE_CTBR, MODE_MOTOR, QUAT, RATES, VEL
from simhops.simulation.metrics.course_metrics import NAN

if TYPE_CHECKING:
    from simhops.simulation.history.simulation_history import SimulationHistory
    from simhops.dynamics.physics.physics_params import PhysicsParams


def _nanmax(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.max(x)) if x.shape[0] else NAN


def max_speed_m_s(history: "SimulationHistory") -> float:
    """Largest speed |v| over the episode (m/s); NaN if no finite state."""
    v = np.asarray(history.states)[:, VEL:VEL + 3]
    return _nanmax(np.linalg.norm(v, axis=1))


def max_tilt_rad(history: "SimulationHistory") -> float:
    """Largest angle between body z and world z (rad, 0 = level, pi = upside down)."""
    q = np.asarray(history.states)[:, QUAT:QUAT + 4]
    w, x, y, z = q.T
    n2 = np.einsum("ij,ij->i", q, q)
    with np.errstate(invalid="ignore", divide="ignore"):
        r33 = (w * w - x * x - y * y + z * z) / n2
    return _nanmax(np.arccos(np.clip(r33, -1.0, 1.0)))


@lru_cache(maxsize=1)
def _default_physics() -> "PhysicsParams":
    from simhops.config import SimHopsConfig
    from simhops.dynamics.physics.physics_params import PhysicsParams

    return PhysicsParams.from_config(SimHopsConfig())


def normalized_commands(history: "SimulationHistory", physics: "PhysicsParams | None" = None) -> np.ndarray:
    """(len(history), 4) commands mapped to the normalized action scale [-1, 1].

    CTBR: ``thrust / max_collective_thrust * 2 - 1`` and ``rate / max_body_rate``; motor:
    ``thrust / max_motor_thrust * 2 - 1`` (the inverse of ``DroneCommand.from_normalized``).
    """
    physics = physics if physics is not None else _default_physics()
    af = physics.airframe
    n = len(history)
    cmd = np.asarray(history.commands)[:n]
    modes = np.asarray(history.command_modes)[:n]
    out = np.full((n, 4), np.nan)
    c = modes == MODE_CTBR
    out[c, 0] = cmd[c, 0] / af.max_collective_thrust_n * 2.0 - 1.0
    out[c, 1:] = cmd[c, 1:] / np.asarray(physics.max_body_rate_rad_s)
    m = modes == MODE_MOTOR
    out[m] = cmd[m] / af.max_motor_thrust_n * 2.0 - 1.0
    return np.clip(out, -1.0, 1.0)


def control_effort(history: "SimulationHistory", physics: "PhysicsParams | None" = None) -> float:
    """Mean squared normalized command (dimensionless, in [0, 1]): the mean over steps and the
    4 channels of a^2, with ``a`` the command on the policy's action scale
    (:func:`normalized_commands`; ``physics`` default: the default config's). A level
    CTBR hover is about 0.003 (thrust channel -0.11); NaN without steps."""
    a = normalized_commands(history, physics)
    a = a[np.all(np.isfinite(a), axis=1)]
    return float(np.mean(a * a)) if a.shape[0] else NAN


def body_rate_jerk_rad_s3(history: "SimulationHistory") -> float:
    """Mean angular jerk |d^2 omega / dt^2| (rad/s^3): second finite differences of the body
    rates at the control period, ``|w[k+1] - 2 w[k] + w[k-1]| / dt^2``, averaged over the
    interior rows; NaN with fewer than 3 finite rows. Lower is smoother."""
    w = np.asarray(history.states)[:, RATES:RATES + 3]
    if w.shape[0] < 3:
        return NAN
    dt = history.scenario.time_step_s
    d2 = np.linalg.norm(w[2:] - 2.0 * w[1:-1] + w[:-2], axis=1) / (dt * dt)
    d2 = d2[np.isfinite(d2)]
    return float(np.mean(d2)) if d2.shape[0] else NAN
