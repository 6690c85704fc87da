"""Quadrotor physics kernels: body-rate controller, mixer, rotor dynamics, aerodynamics, rigid body.

Per control step and drone, ``n_sub`` physics sub-steps of ``dt_sub = h`` each run:

1. **inner body-rate controller** (CTBR mode), evaluated at the start of the sub-step:
   ``tau_cmd = I (Kp (w_des - w)) - Kd tau_rot + w x (I w)``, i.e. a PD rate loop whose D
   term acts on the angular acceleration ``I^-1 tau_rot`` of the torque the rotors produce
   now, with gyroscopic feed-forward (the Crazyflie firmware's rate PID acts on the same
   signals; its I term is left out);
2. **mixer** (Crazyflie firmware ``powerDistributionForceTorque``): desired (collective
   thrust, torque) -> per-motor thrust through the inverse of the X allocation matrix, then
   **firmware-style saturation** (``powerDistributionCap``): if the largest motor exceeds
   ``T_max`` all four are lowered by the same amount (the torques are kept, collective
   thrust gives way), then each is clipped at 0. Motor mode clips each command to
   ``[0, T_max]`` (firmware ``powerDistributionForce``);
3. **rotor-speed dynamics**: first order ``w' = (w_des - w) / tau``, ``tau = tau_up`` when
   spinning up, ``tau_down`` when spinning down, thrust ``T = kf w^2``. With
   ``u = w / w_max = sqrt(T / T_max)`` and the command held over the sub-step, the solution
   ``u(t) = u_d + (u_0 - u_d) e^{-t/tau}`` is exact, and so is its mean thrust::

       mean T = T_max (u_d^2 + 2 u_d e b1 + e^2 b2),  e = u_0 - u_d,
       b1 = (tau/h)(1 - e^{-h/tau}),  b2 = (tau/2h)(1 - e^{-2h/tau})

   The rigid body sees this mean thrust (and the torques it makes) over the sub-step;
   the state keeps the end-of-sub-step thrust ``T_max (u_d + e e^{-h/tau})^2``;
4. **rigid body** (Newton-Euler, Mahony, Kumar & Corke, "Multirotor Aerial Vehicles",
   IEEE RAM 2012) with aerodynamics, integrated with classical RK4::

       p' = v
       v' = (R(q) [0, 0, g_e(z) sum T]^T + R D R^T (w_wind - v)) / m - [0, 0, g]^T   (world ENU)
       q' = 1/2 q (x) [0, w]                                    (w in body FLU)
       w' = I^-1 (tau - w x I w),  tau = A [T0..T3]            (allocation A below)

   ``D = diag(d_x, d_y, d_z)`` is the linear body-frame drag; ``g_e(z)`` is 1, or with
   ground effect on, Cheeseman & Bennett's ``1 / (1 - (R_p / 4 z)^2)`` (Cheeseman & Bennett,
   "The effect of the ground on a helicopter rotor in forward flight", ARC R&M 3021, 1955)
   with ``z`` clipped to ``>= R_p / 2`` (ratio <= 4/3). The quaternion is re-normalized after
   each sub-step.

Allocation (rotor i at (x_i, y_i), yaw sign s_i, k = yaw torque per thrust)::

    T = sum T_i,  tau_x = sum y_i T_i,  tau_y = -sum x_i T_i,  tau_z = k sum s_i T_i
"""

from __future__ import annotations

import numpy as np
from numba import prange

from simhops.dynamics.kernels._jit import batched, njit, njit_inline, sqrt
from simhops.dynamics.kernels.layout import (
    B_ARM,
    B_CMD,
    B_DRAG,
    B_GRAVITY,
    B_IM,
    B_INV4A,
    B_INV4K,
    B_INV_TMAX,
    B_IXX,
    B_KD,
    B_KP,
    B_NOISE,
    B_PROP_R,
    B_ROTOR,
    B_STATE,
    B_TMAX,
    B_U,
    B_WIND,
    B_YAW_K,
    BLOCK_SIZE,
    LANES,
    MODE_CTBR,
    MOTORS,
    STATE_DIM,
    P_ALPHA_DN,
    P_ALPHA_UP,
    P_ARM_XY,
    P_B1_DN,
    P_B1_UP,
    P_B2_DN,
    P_B2_UP,
    P_DRAG_X,
    P_DRAG_Y,
    P_DRAG_Z,
    P_DT_SUB,
    P_GRAVITY,
    P_GROUND_EFFECT,
    P_IXX,
    P_IYY,
    P_IZZ,
    P_KD_X,
    P_KD_Y,
    P_KD_Z,
    P_KP_X,
    P_KP_Y,
    P_KP_Z,
    P_MASS,
    P_MAX_RATE_X,
    P_MAX_RATE_Y,
    P_MAX_RATE_Z,
    P_N_SUB,
    P_PROP_R,
    P_TMAX,
    P_WIND_X,
    P_WIND_Y,
    P_WIND_Z,
    P_YAW_K,
)


@njit_inline
def _clip(x, lo, hi):
    return lo if x < lo else (hi if x > hi else x)


@njit_inline
def _deriv(pz, qw, qx, qy, qz, vx, vy, vz, wx, wy, wz, thrust, tx, ty, tz, im, g, ixx, iyy, izz, dx, dy, dz,
           wnx, wny, wnz, rp, ground_effect, symmetric):
    """Time derivative of (p, q, v, w) for collective thrust ``thrust`` (N), body torque ``t*``
    (N m), inverse mass ``im`` (1/kg), gravity ``g`` (m/s^2), inertia ``i**`` (kg m^2), drag
    coefficients ``d*`` (N s/m), wind ``wn*`` (m/s, world), propeller radius ``rp`` (m, used with
    ``ground_effect``).

    With ``dx == dy`` (a rotationally symmetric airframe, every shipped one; ``symmetric`` says
    it holds for the whole block) the world-frame drag ``R D R^T u`` is evaluated as
    ``dx u + (dz - dx) (z_b . u) z_b`` (``z_b`` the body z axis, the third column of ``R``): the
    same force with a third of the arithmetic.
    """
    r02 = 2.0 * (qx * qz + qw * qy)
    r12 = 2.0 * (qy * qz - qw * qx)
    r22 = 1.0 - 2.0 * (qx * qx + qy * qy)
    if ground_effect:
        zc = max(pz, 0.5 * rp)
        rz = rp / (4.0 * zc)
        thrust = thrust / (1.0 - rz * rz)
    # drag: body-frame air-relative velocity, force -d * v_b, back to world
    ux = vx - wnx
    uy = vy - wny
    uz = vz - wnz
    if symmetric or dx == dy:
        fz = thrust - (dz - dx) * (r02 * ux + r12 * uy + r22 * uz)
        ax = (fz * r02 - dx * ux) * im
        ay = (fz * r12 - dx * uy) * im
        az = (fz * r22 - dx * uz) * im - g
    else:
        r00 = 1.0 - 2.0 * (qy * qy + qz * qz)
        r01 = 2.0 * (qx * qy - qw * qz)
        r10 = 2.0 * (qx * qy + qw * qz)
        r11 = 1.0 - 2.0 * (qx * qx + qz * qz)
        r20 = 2.0 * (qx * qz - qw * qy)
        r21 = 2.0 * (qy * qz + qw * qx)
        bx = -dx * (r00 * ux + r10 * uy + r20 * uz)
        by = -dy * (r01 * ux + r11 * uy + r21 * uz)
        bz = -dz * (r02 * ux + r12 * uy + r22 * uz) + thrust
        ax = (r00 * bx + r01 * by + r02 * bz) * im
        ay = (r10 * bx + r11 * by + r12 * bz) * im
        az = (r20 * bx + r21 * by + r22 * bz) * im - g
    dqw = -0.5 * (qx * wx + qy * wy + qz * wz)
    dqx = 0.5 * (qw * wx + qy * wz - qz * wy)
    dqy = 0.5 * (qw * wy + qz * wx - qx * wz)
    dqz = 0.5 * (qw * wz + qx * wy - qy * wx)
    dwx = (tx - (wy * izz * wz - wz * iyy * wy)) / ixx
    dwy = (ty - (wz * ixx * wx - wx * izz * wz)) / iyy
    dwz = (tz - (wx * iyy * wy - wy * ixx * wx)) / izz
    return vx, vy, vz, dqw, dqx, dqy, dqz, ax, ay, az, dwx, dwy, dwz


@njit_inline
def _motor(u0, d, tmax, inv_tmax, a_up, b1_up, b2_up, a_dn, b1_dn, b2_dn):
    """Rotor i over one sub-step: from normalized rotor speed ``u0 = w / w_max`` toward command
    ``d`` (N); returns (mean thrust (N), end rotor speed u, end thrust (N))."""
    ud = sqrt(d * inv_tmax)
    e = u0 - ud
    if ud > u0:
        a, b1, b2 = a_up, b1_up, b2_up
    else:
        a, b1, b2 = a_dn, b1_dn, b2_dn
    mean = tmax * (ud * ud + 2.0 * ud * e * b1 + e * e * b2)
    u1 = ud + e * a
    return mean, u1, tmax * u1 * u1


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


@njit_inline
def lane_load(blk, j, s, c0, c1, c2, c3, params, wind_x, wind_y, wind_z, noise0, noise1, noise2, noise3):
    """Put one drone into lane ``j`` of the block ``blk`` (BLOCK_SIZE,): its state ``s`` (17,),
    command (c0..c3) (SI), parameter row ``params`` (PHYS_DIM,), gust ``wind_*`` (m/s, world
    ENU, added to the row's constant wind) and motor-command noise ``noise*`` (N)."""
    for r in range(STATE_DIM):
        blk[(B_STATE + r) * LANES + j] = s[r]
    tmax = params[P_TMAX]
    inv_tmax = 1.0 / tmax
    for m in range(4):
        blk[(B_U + m) * LANES + j] = sqrt(s[MOTORS + m] * inv_tmax)
    blk[B_CMD * LANES + j] = c0
    blk[(B_CMD + 1) * LANES + j] = c1
    blk[(B_CMD + 2) * LANES + j] = c2
    blk[(B_CMD + 3) * LANES + j] = c3
    blk[B_NOISE * LANES + j] = noise0
    blk[(B_NOISE + 1) * LANES + j] = noise1
    blk[(B_NOISE + 2) * LANES + j] = noise2
    blk[(B_NOISE + 3) * LANES + j] = noise3
    blk[B_WIND * LANES + j] = params[P_WIND_X] + wind_x
    blk[(B_WIND + 1) * LANES + j] = params[P_WIND_Y] + wind_y
    blk[(B_WIND + 2) * LANES + j] = params[P_WIND_Z] + wind_z
    blk[B_IM * LANES + j] = 1.0 / params[P_MASS]
    blk[B_GRAVITY * LANES + j] = params[P_GRAVITY]
    blk[B_IXX * LANES + j] = params[P_IXX]
    blk[(B_IXX + 1) * LANES + j] = params[P_IYY]
    blk[(B_IXX + 2) * LANES + j] = params[P_IZZ]
    blk[B_TMAX * LANES + j] = tmax
    blk[B_INV_TMAX * LANES + j] = inv_tmax
    blk[B_YAW_K * LANES + j] = params[P_YAW_K]
    blk[B_ARM * LANES + j] = params[P_ARM_XY]
    blk[B_INV4A * LANES + j] = 0.25 / params[P_ARM_XY]
    blk[B_INV4K * LANES + j] = 0.25 / params[P_YAW_K]
    blk[B_KP * LANES + j] = params[P_IXX] * params[P_KP_X]
    blk[(B_KP + 1) * LANES + j] = params[P_IYY] * params[P_KP_Y]
    blk[(B_KP + 2) * LANES + j] = params[P_IZZ] * params[P_KP_Z]
    blk[B_KD * LANES + j] = params[P_KD_X]
    blk[(B_KD + 1) * LANES + j] = params[P_KD_Y]
    blk[(B_KD + 2) * LANES + j] = params[P_KD_Z]
    blk[B_ROTOR * LANES + j] = params[P_ALPHA_UP]
    blk[(B_ROTOR + 1) * LANES + j] = params[P_B1_UP]
    blk[(B_ROTOR + 2) * LANES + j] = params[P_B2_UP]
    blk[(B_ROTOR + 3) * LANES + j] = params[P_ALPHA_DN]
    blk[(B_ROTOR + 4) * LANES + j] = params[P_B1_DN]
    blk[(B_ROTOR + 5) * LANES + j] = params[P_B2_DN]
    blk[B_DRAG * LANES + j] = params[P_DRAG_X]
    blk[(B_DRAG + 1) * LANES + j] = params[P_DRAG_Y]
    blk[(B_DRAG + 2) * LANES + j] = params[P_DRAG_Z]
    blk[B_PROP_R * LANES + j] = params[P_PROP_R]


@njit_inline
def lane_store(blk, j, s):
    """Copy the state of lane ``j`` of ``blk`` back into ``s`` (17,)."""
    for r in range(STATE_DIM):
        s[r] = blk[(B_STATE + r) * LANES + j]


@njit
def physics_step_lanes(blk, n_lanes, mode, dt, n_sub, ground_effect):
    """Advance lanes ``0..n_lanes-1`` of the block ``blk`` (BLOCK_SIZE,) by one control step of
    ``n_sub`` sub-steps of ``dt`` (s) each; loaded with :func:`lane_load`, read back with
    :func:`lane_store`.

    Each sub-step runs steps 1-4 of the module docstring for every lane. The loop over lanes is
    the innermost one and its body is branch-free after if-conversion, so the compiler
    vectorizes it: one sub-step of 8 drones per AVX-512 instruction. Every lane does the same
    IEEE operations in the same order as a lane alone (fastmath is off, ``sqrt`` is correctly
    rounded), so a drone's trajectory does not depend on the block it flies in: the single env
    (one lane) and the vector env agree bit for bit. ``mode``, ``dt``, ``n_sub`` and
    ``ground_effect`` come from the config and are uniform. (The body is written out here rather
    than in an inlined helper: an array argument of an inlined helper leaves reference-count
    calls in the loop, and LLVM does not vectorize a loop with calls.)
    """
    ctbr = mode == MODE_CTBR
    h = 0.5 * dt
    symmetric = True  # dx == dy in every lane: the cheaper drag formula for all of them
    for j in range(n_lanes):
        if blk[B_DRAG * LANES + j] != blk[(B_DRAG + 1) * LANES + j]:
            symmetric = False
    for _ in range(n_sub):
        for j in range(n_lanes):
            px = blk[B_STATE * LANES + j]
            py = blk[(B_STATE + 1) * LANES + j]
            pz = blk[(B_STATE + 2) * LANES + j]
            qw = blk[(B_STATE + 3) * LANES + j]
            qx = blk[(B_STATE + 4) * LANES + j]
            qy = blk[(B_STATE + 5) * LANES + j]
            qz = blk[(B_STATE + 6) * LANES + j]
            vx = blk[(B_STATE + 7) * LANES + j]
            vy = blk[(B_STATE + 8) * LANES + j]
            vz = blk[(B_STATE + 9) * LANES + j]
            wx = blk[(B_STATE + 10) * LANES + j]
            wy = blk[(B_STATE + 11) * LANES + j]
            wz = blk[(B_STATE + 12) * LANES + j]
            f0 = blk[(B_STATE + 13) * LANES + j]
            f1 = blk[(B_STATE + 14) * LANES + j]
            f2 = blk[(B_STATE + 15) * LANES + j]
            f3 = blk[(B_STATE + 16) * LANES + j]
            c0 = blk[B_CMD * LANES + j]
            c1 = blk[(B_CMD + 1) * LANES + j]
            c2 = blk[(B_CMD + 2) * LANES + j]
            c3 = blk[(B_CMD + 3) * LANES + j]
            noise0 = blk[B_NOISE * LANES + j]
            noise1 = blk[(B_NOISE + 1) * LANES + j]
            noise2 = blk[(B_NOISE + 2) * LANES + j]
            noise3 = blk[(B_NOISE + 3) * LANES + j]
            tmax = blk[B_TMAX * LANES + j]
            inv_tmax = blk[B_INV_TMAX * LANES + j]
            arm = blk[B_ARM * LANES + j]
            k = blk[B_YAW_K * LANES + j]
            a_up = blk[B_ROTOR * LANES + j]
            b1_up = blk[(B_ROTOR + 1) * LANES + j]
            b2_up = blk[(B_ROTOR + 2) * LANES + j]
            a_dn = blk[(B_ROTOR + 3) * LANES + j]
            b1_dn = blk[(B_ROTOR + 4) * LANES + j]
            b2_dn = blk[(B_ROTOR + 5) * LANES + j]
            im = blk[B_IM * LANES + j]
            g = blk[B_GRAVITY * LANES + j]
            ixx = blk[B_IXX * LANES + j]
            iyy = blk[(B_IXX + 1) * LANES + j]
            izz = blk[(B_IXX + 2) * LANES + j]
            dx = blk[B_DRAG * LANES + j]
            dy = blk[(B_DRAG + 1) * LANES + j]
            dz = blk[(B_DRAG + 2) * LANES + j]
            wnx = blk[B_WIND * LANES + j]
            wny = blk[(B_WIND + 1) * LANES + j]
            wnz = blk[(B_WIND + 2) * LANES + j]
            rp = blk[B_PROP_R * LANES + j]
            # 1-2. rate controller + mixer with firmware-style cap -> desired motor thrusts
            if ctbr:
                inv4a = blk[B_INV4A * LANES + j]
                inv4k = blk[B_INV4K * LANES + j]
                rtx = arm * (-f0 - f1 + f2 + f3)
                rty = arm * (-f0 + f1 + f2 - f3)
                rtz = k * (-f0 + f1 - f2 + f3)
                tx = blk[B_KP * LANES + j] * (c1 - wx) - blk[B_KD * LANES + j] * rtx + (wy * izz * wz - wz * iyy * wy)
                ty = (blk[(B_KP + 1) * LANES + j] * (c2 - wy) - blk[(B_KD + 1) * LANES + j] * rty
                      + (wz * ixx * wx - wx * izz * wz))
                tz = (blk[(B_KP + 2) * LANES + j] * (c3 - wz) - blk[(B_KD + 2) * LANES + j] * rtz
                      + (wx * iyy * wy - wy * ixx * wx))
                t4 = 0.25 * c0
                d0 = t4 - tx * inv4a - ty * inv4a - tz * inv4k
                d1 = t4 - tx * inv4a + ty * inv4a + tz * inv4k
                d2 = t4 + tx * inv4a + ty * inv4a - tz * inv4k
                d3 = t4 + tx * inv4a - ty * inv4a + tz * inv4k
                top = max(max(d0, d1), max(d2, d3))
                if top > tmax:  # powerDistributionCap: lower all four together
                    red = top - tmax
                    d0 -= red
                    d1 -= red
                    d2 -= red
                    d3 -= red
                d0 = _clip(d0 + noise0, 0.0, tmax)
                d1 = _clip(d1 + noise1, 0.0, tmax)
                d2 = _clip(d2 + noise2, 0.0, tmax)
                d3 = _clip(d3 + noise3, 0.0, tmax)
            else:
                d0 = _clip(c0 + noise0, 0.0, tmax)
                d1 = _clip(c1 + noise1, 0.0, tmax)
                d2 = _clip(c2 + noise2, 0.0, tmax)
                d3 = _clip(c3 + noise3, 0.0, tmax)
            # 3. rotor speeds: exact first-order response, exact sub-step mean thrust
            m0, u0, f0 = _motor(blk[B_U * LANES + j], d0, tmax, inv_tmax, a_up, b1_up, b2_up, a_dn, b1_dn, b2_dn)
            m1, u1, f1 = _motor(blk[(B_U + 1) * LANES + j], d1, tmax, inv_tmax, a_up, b1_up, b2_up, a_dn, b1_dn, b2_dn)
            m2, u2, f2 = _motor(blk[(B_U + 2) * LANES + j], d2, tmax, inv_tmax, a_up, b1_up, b2_up, a_dn, b1_dn, b2_dn)
            m3, u3, f3 = _motor(blk[(B_U + 3) * LANES + j], d3, tmax, inv_tmax, a_up, b1_up, b2_up, a_dn, b1_dn, b2_dn)
            # 4. rigid body + aerodynamics, RK4 with the mean thrusts held
            thrust = m0 + m1 + m2 + m3
            btx = arm * (-m0 - m1 + m2 + m3)
            bty = arm * (-m0 + m1 + m2 - m3)
            btz = k * (-m0 + m1 - m2 + m3)
            k1 = _deriv(pz, qw, qx, qy, qz, vx, vy, vz, wx, wy, wz, thrust, btx, bty, btz,
                        im, g, ixx, iyy, izz, dx, dy, dz, wnx, wny, wnz, rp, ground_effect, symmetric)
            k2 = _deriv(pz + h * k1[2], qw + h * k1[3], qx + h * k1[4], qy + h * k1[5], qz + h * k1[6],
                        vx + h * k1[7], vy + h * k1[8], vz + h * k1[9], wx + h * k1[10], wy + h * k1[11], wz + h * k1[12],
                        thrust, btx, bty, btz, im, g, ixx, iyy, izz, dx, dy, dz, wnx, wny, wnz, rp, ground_effect, symmetric)
            k3 = _deriv(pz + h * k2[2], qw + h * k2[3], qx + h * k2[4], qy + h * k2[5], qz + h * k2[6],
                        vx + h * k2[7], vy + h * k2[8], vz + h * k2[9], wx + h * k2[10], wy + h * k2[11], wz + h * k2[12],
                        thrust, btx, bty, btz, im, g, ixx, iyy, izz, dx, dy, dz, wnx, wny, wnz, rp, ground_effect, symmetric)
            k4 = _deriv(pz + dt * k3[2], qw + dt * k3[3], qx + dt * k3[4], qy + dt * k3[5], qz + dt * k3[6],
                        vx + dt * k3[7], vy + dt * k3[8], vz + dt * k3[9], wx + dt * k3[10], wy + dt * k3[11],
                        wz + dt * k3[12], thrust, btx, bty, btz, im, g, ixx, iyy, izz, dx, dy, dz, wnx, wny, wnz, rp,
                        ground_effect, symmetric)
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
            qn = sqrt(qw * qw + qx * qx + qy * qy + qz * qz)
            if qn > 0.0:
                iqn = 1.0 / qn
                qw *= iqn
                qx *= iqn
                qy *= iqn
                qz *= iqn
            blk[B_STATE * LANES + j] = px
            blk[(B_STATE + 1) * LANES + j] = py
            blk[(B_STATE + 2) * LANES + j] = pz
            blk[(B_STATE + 3) * LANES + j] = qw
            blk[(B_STATE + 4) * LANES + j] = qx
            blk[(B_STATE + 5) * LANES + j] = qy
            blk[(B_STATE + 6) * LANES + j] = qz
            blk[(B_STATE + 7) * LANES + j] = vx
            blk[(B_STATE + 8) * LANES + j] = vy
            blk[(B_STATE + 9) * LANES + j] = vz
            blk[(B_STATE + 10) * LANES + j] = wx
            blk[(B_STATE + 11) * LANES + j] = wy
            blk[(B_STATE + 12) * LANES + j] = wz
            blk[(B_STATE + 13) * LANES + j] = f0
            blk[(B_STATE + 14) * LANES + j] = f1
            blk[(B_STATE + 15) * LANES + j] = f2
            blk[(B_STATE + 16) * LANES + j] = f3
            blk[B_U * LANES + j] = u0
            blk[(B_U + 1) * LANES + j] = u1
            blk[(B_U + 2) * LANES + j] = u2
            blk[(B_U + 3) * LANES + j] = u3


@njit
def physics_step_one(s, c0, c1, c2, c3, mode, params, wind_x=0.0, wind_y=0.0, wind_z=0.0,
                     noise0=0.0, noise1=0.0, noise2=0.0, noise3=0.0):
    """Advance one drone state ``s`` (17,) in place by one control step for command (c0..c3).

    ``params`` is the drone's (PHYS_DIM,) row; ``wind_*`` (m/s, world ENU) is added to the
    constant wind of ``params`` (gusts), held over the control step; ``noise*`` (N) is added to
    each motor's command after the mixer, before its clipping (motor-command noise). Runs the
    drone as the only lane of a block (:func:`physics_step_lanes`).
    """
    blk = np.empty(BLOCK_SIZE)
    lane_load(blk, 0, s, c0, c1, c2, c3, params, wind_x, wind_y, wind_z, noise0, noise1, noise2, noise3)
    dt, n_sub, ground_effect = block_settings(params)
    physics_step_lanes(blk, 1, mode, dt, n_sub, ground_effect)
    lane_store(blk, 0, s)


#: lane blocks per work item of the threaded kernels (each item allocates its block once)
BLOCKS_PER_CHUNK = 8


@njit_inline
def n_chunks(n):
    """Work items of a threaded kernel over ``n`` drones: chunks of BLOCKS_PER_CHUNK lane blocks."""
    return ((n + LANES - 1) // LANES + BLOCKS_PER_CHUNK - 1) // BLOCKS_PER_CHUNK


@njit_inline
def block_settings(params):
    """The uniform settings of a lane block from a parameter row: (dt_sub (s), sub-steps, ground effect)."""
    return params[P_DT_SUB], int(params[P_N_SUB]), params[P_GROUND_EFFECT] != 0.0


@njit_inline
def _fly_chunk(chunk, states, inputs, normalized, mode, params):
    """Drones of work item ``chunk``, a lane block at a time, one control step; ``inputs`` (N, 4) are
    normalized actions when ``normalized``, else SI commands."""
    n = states.shape[0]
    dt, n_sub, ground_effect = block_settings(params)
    blk = np.empty(BLOCK_SIZE)
    for lo in range(chunk * BLOCKS_PER_CHUNK * LANES, min(n, (chunk + 1) * BLOCKS_PER_CHUNK * LANES), LANES):
        hi = min(n, lo + LANES)
        for i in range(lo, hi):
            if normalized:
                c0, c1, c2, c3 = denormalize_action(inputs[i, 0], inputs[i, 1], inputs[i, 2], inputs[i, 3], mode,
                                                    params)
            else:
                c0, c1, c2, c3 = inputs[i, 0], inputs[i, 1], inputs[i, 2], inputs[i, 3]
            lane_load(blk, i - lo, states[i], c0, c1, c2, c3, params, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        physics_step_lanes(blk, hi - lo, mode, dt, n_sub, ground_effect)
        for i in range(lo, hi):
            lane_store(blk, i - lo, states[i])


def _physics_step(states, commands, mode, params):
    for chunk in prange(n_chunks(states.shape[0])):
        _fly_chunk(chunk, states, commands, False, mode, params)


#: ``physics_step(states (N, 17), commands (N, 4) SI, mode, params)``: in place, threads over blocks of N.
#: ``physics_step_serial``: the same, single-threaded (use for small N).
physics_step, physics_step_serial = batched(_physics_step)


def _physics_step_normalized(states, actions, mode, params):
    for chunk in prange(n_chunks(states.shape[0])):
        _fly_chunk(chunk, states, actions, True, mode, params)


#: Physics only, from normalized actions (N, 4): the ceiling the benchmarks compare against.
physics_step_normalized, physics_step_normalized_serial = batched(_physics_step_normalized)
