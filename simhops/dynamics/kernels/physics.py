"""Quadrotor physics kernels: body-rate controller, mixer, motor lag, rigid body.

Per control step and drone, ``n_sub`` physics sub-steps of ``dt_sub`` each run:

1. **inner body-rate controller** (CTBR mode): torque = I * Kp * (w_des - w) + w x (I w)
   (P control with gyroscopic feed-forward, as the Crazyflie firmware's rate loop
   minus its I/D terms);
2. **mixer**: desired (collective thrust, torque) -> per-motor thrust through the
   inverse of the X-configuration allocation matrix, clipped to ``[0, T_max]``
   (motor mode skips 1-2 and clips the commanded motor thrusts);
3. **motor lag**: first-order ``T' = (T_des - T) / tau``, integrated exactly over the
   sub-step: ``T <- T_des + (T - T_des) * exp(-dt_sub / tau)``;
4. **rigid body** (Newton-Euler, Mahony, Kumar & Corke, "Multirotor Aerial Vehicles",
   IEEE RAM 2012), integrated with classical RK4, thrusts held over the sub-step::

       p' = v
       v' = R(q) [0, 0, sum T]^T / m - [0, 0, g]^T          (world ENU)
       q' = 1/2 q (x) [0, w]                                  (w in body FLU)
       w' = I^-1 (tau - w x I w),  tau = A [T0..T3]          (allocation A below)

   and the quaternion is re-normalized after each sub-step.

Allocation (rotor i at (x_i, y_i), yaw sign s_i, k = km / kf)::

    T = sum T_i,  tau_x = sum y_i T_i,  tau_y = -sum x_i T_i,  tau_z = k sum s_i T_i
"""

from __future__ import annotations

import numpy as np
from numba import prange

from simhops.dynamics.kernels._jit import batched, njit, njit_inline
from simhops.dynamics.kernels.layout import (
    MODE_CTBR,
    P_ARM_XY,
    P_DT_SUB,
    P_GRAVITY,
    P_IXX,
    P_IYY,
    P_IZZ,
    P_KP_X,
    P_KP_Y,
    P_KP_Z,
    P_MASS,
    P_MAX_RATE_X,
    P_MAX_RATE_Y,
    P_MAX_RATE_Z,
    P_MOTOR_ALPHA,
    P_N_SUB,
    P_TMAX,
    P_YAW_K,
)


@njit_inline
def _clip(x, lo, hi):
    return lo if x < lo else (hi if x > hi else x)


@njit_inline
def _deriv(qw, qx, qy, qz, vx, vy, vz, wx, wy, wz, thrust, tx, ty, tz, m, g, ixx, iyy, izz):
    """Time derivative of (p, q, v, w) for collective thrust ``thrust`` (N) and body torque (N m)."""
    a = thrust / m
    ax = 2.0 * (qx * qz + qw * qy) * a
    ay = 2.0 * (qy * qz - qw * qx) * a
    az = (1.0 - 2.0 * (qx * qx + qy * qy)) * a - g
    dqw = -0.5 * (qx * wx + qy * wy + qz * wz)
    dqx = 0.5 * (qw * wx + qy * wz - qz * wy)
    dqy = 0.5 * (qw * wy + qz * wx - qx * wz)
    dqz = 0.5 * (qw * wz + qx * wy - qy * wx)
    dwx = (tx - (wy * izz * wz - wz * iyy * wy)) / ixx
    dwy = (ty - (wz * ixx * wx - wx * izz * wz)) / iyy
    dwz = (tz - (wx * iyy * wy - wy * ixx * wx)) / izz
    return vx, vy, vz, dqw, dqx, dqy, dqz, ax, ay, az, dwx, dwy, dwz


@njit
def denormalize_action_one(action, mode, params, out):
    """Map one normalized action in [-1, 1]^4 to an SI command (writes ``out`` (4,)).

    See :func:`denormalize_action` for the mapping.
    """
    c0, c1, c2, c3 = denormalize_action(action[0], action[1], action[2], action[3], mode, params)
    out[0] = c0
    out[1] = c1
    out[2] = c2
    out[3] = c3


@njit_inline
def denormalize_action(a0, a1, a2, a3, mode, params):
    """Map one normalized action in [-1, 1]^4 to an SI command tuple (c0, c1, c2, c3).

    CTBR: ``[(a0 + 1) / 2 * 4 T_max (N), a1 * p_max, a2 * q_max, a3 * r_max (rad/s)]``;
    motor: ``(a_i + 1) / 2 * T_max`` (N). Actions are clipped to [-1, 1] first.
    """
    a0 = _clip(a0, -1.0, 1.0)
    a1 = _clip(a1, -1.0, 1.0)
    a2 = _clip(a2, -1.0, 1.0)
    a3 = _clip(a3, -1.0, 1.0)
    tmax = params[P_TMAX]
    if mode == MODE_CTBR:
        return ((a0 + 1.0) * 0.5 * 4.0 * tmax, a1 * params[P_MAX_RATE_X], a2 * params[P_MAX_RATE_Y],
                a3 * params[P_MAX_RATE_Z])
    return (a0 + 1.0) * 0.5 * tmax, (a1 + 1.0) * 0.5 * tmax, (a2 + 1.0) * 0.5 * tmax, (a3 + 1.0) * 0.5 * tmax


@njit
def physics_step_one(s, c0, c1, c2, c3, mode, params):
    """Advance one drone state ``s`` (17,) in place by one control step for command (c0..c3)."""
    m = params[P_MASS]
    g = params[P_GRAVITY]
    ixx = params[P_IXX]
    iyy = params[P_IYY]
    izz = params[P_IZZ]
    tmax = params[P_TMAX]
    alpha = params[P_MOTOR_ALPHA]
    k = params[P_YAW_K]
    arm = params[P_ARM_XY]
    dt = params[P_DT_SUB]
    n_sub = int(params[P_N_SUB])
    h = 0.5 * dt
    inv4a = 0.25 / arm
    inv4k = 0.25 / k

    px, py, pz = s[0], s[1], s[2]
    qw, qx, qy, qz = s[3], s[4], s[5], s[6]
    vx, vy, vz = s[7], s[8], s[9]
    wx, wy, wz = s[10], s[11], s[12]
    f0, f1, f2, f3 = s[13], s[14], s[15], s[16]

    for _ in range(n_sub):
        # 1-2. rate controller + mixer -> desired motor thrusts
        if mode == MODE_CTBR:
            tx = ixx * params[P_KP_X] * (c1 - wx) + (wy * izz * wz - wz * iyy * wy)
            ty = iyy * params[P_KP_Y] * (c2 - wy) + (wz * ixx * wx - wx * izz * wz)
            tz = izz * params[P_KP_Z] * (c3 - wz) + (wx * iyy * wy - wy * ixx * wx)
            t4 = 0.25 * c0
            d0 = _clip(t4 - tx * inv4a - ty * inv4a - tz * inv4k, 0.0, tmax)
            d1 = _clip(t4 - tx * inv4a + ty * inv4a + tz * inv4k, 0.0, tmax)
            d2 = _clip(t4 + tx * inv4a + ty * inv4a - tz * inv4k, 0.0, tmax)
            d3 = _clip(t4 + tx * inv4a - ty * inv4a + tz * inv4k, 0.0, tmax)
        else:
            d0 = _clip(c0, 0.0, tmax)
            d1 = _clip(c1, 0.0, tmax)
            d2 = _clip(c2, 0.0, tmax)
            d3 = _clip(c3, 0.0, tmax)
        # 3. motor lag (exact for a first-order system with a constant command)
        f0 = d0 + (f0 - d0) * alpha
        f1 = d1 + (f1 - d1) * alpha
        f2 = d2 + (f2 - d2) * alpha
        f3 = d3 + (f3 - d3) * alpha
        # 4. rigid body, RK4 with thrusts held
        thrust = f0 + f1 + f2 + f3
        btx = arm * (-f0 - f1 + f2 + f3)
        bty = arm * (-f0 + f1 + f2 - f3)
        btz = k * (-f0 + f1 - f2 + f3)

        k1 = _deriv(qw, qx, qy, qz, vx, vy, vz, wx, wy, wz, thrust, btx, bty, btz, m, g, ixx, iyy, izz)
        k2 = _deriv(qw + h * k1[3], qx + h * k1[4], qy + h * k1[5], qz + h * k1[6],
                    vx + h * k1[7], vy + h * k1[8], vz + h * k1[9],
                    wx + h * k1[10], wy + h * k1[11], wz + h * k1[12],
                    thrust, btx, bty, btz, m, g, ixx, iyy, izz)
        k3 = _deriv(qw + h * k2[3], qx + h * k2[4], qy + h * k2[5], qz + h * k2[6],
                    vx + h * k2[7], vy + h * k2[8], vz + h * k2[9],
                    wx + h * k2[10], wy + h * k2[11], wz + h * k2[12],
                    thrust, btx, bty, btz, m, g, ixx, iyy, izz)
        k4 = _deriv(qw + dt * k3[3], qx + dt * k3[4], qy + dt * k3[5], qz + dt * k3[6],
                    vx + dt * k3[7], vy + dt * k3[8], vz + dt * k3[9],
                    wx + dt * k3[10], wy + dt * k3[11], wz + dt * k3[12],
                    thrust, btx, bty, btz, m, g, ixx, iyy, izz)
        w6 = dt / 6.0
        px += w6 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0])
        py += w6 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1])
        pz += w6 * (k1[2] + 2.0 * k2[2] + 2.0 * k3[2] + k4[2])
        qw += w6 * (k1[3] + 2.0 * k2[3] + 2.0 * k3[3] + k4[3])
        qx += w6 * (k1[4] + 2.0 * k2[4] + 2.0 * k3[4] + k4[4])
        qy += w6 * (k1[5] + 2.0 * k2[5] + 2.0 * k3[5] + k4[5])
        qz += w6 * (k1[6] + 2.0 * k2[6] + 2.0 * k3[6] + k4[6])
        vx += w6 * (k1[7] + 2.0 * k2[7] + 2.0 * k3[7] + k4[7])
        vy += w6 * (k1[8] + 2.0 * k2[8] + 2.0 * k3[8] + k4[8])
        vz += w6 * (k1[9] + 2.0 * k2[9] + 2.0 * k3[9] + k4[9])
        wx += w6 * (k1[10] + 2.0 * k2[10] + 2.0 * k3[10] + k4[10])
        wy += w6 * (k1[11] + 2.0 * k2[11] + 2.0 * k3[11] + k4[11])
        wz += w6 * (k1[12] + 2.0 * k2[12] + 2.0 * k3[12] + k4[12])
        qn = np.sqrt(qw * qw + qx * qx + qy * qy + qz * qz)
        if qn > 0.0:
            qw /= qn
            qx /= qn
            qy /= qn
            qz /= qn

    s[0], s[1], s[2] = px, py, pz
    s[3], s[4], s[5], s[6] = qw, qx, qy, qz
    s[7], s[8], s[9] = vx, vy, vz
    s[10], s[11], s[12] = wx, wy, wz
    s[13], s[14], s[15], s[16] = f0, f1, f2, f3


def _physics_step(states, commands, mode, params):
    for i in prange(states.shape[0]):
        physics_step_one(states[i], commands[i, 0], commands[i, 1], commands[i, 2], commands[i, 3],
                         mode, params)


#: ``physics_step(states (N, 17), commands (N, 4) SI, mode, params)``: in place, threads over N.
#: ``physics_step_serial``: the same, single-threaded (use for small N).
physics_step, physics_step_serial = batched(_physics_step)


def _physics_step_normalized(states, actions, mode, params):
    for i in prange(states.shape[0]):
        c0, c1, c2, c3 = denormalize_action(actions[i, 0], actions[i, 1], actions[i, 2], actions[i, 3], mode, params)
        physics_step_one(states[i], c0, c1, c2, c3, mode, params)


#: Physics only, from normalized actions (N, 4): the ceiling the benchmarks compare against.
physics_step_normalized, physics_step_normalized_serial = batched(_physics_step_normalized)
