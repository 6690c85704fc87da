"""Disturbance and domain-randomization kernels, shared by the single env, Simulation and the vector env.

Every random number comes from the drone slot's SplitMix64 stream (:mod:`.rng`), in a fixed
order, and a switched-off feature draws nothing, so (a) the vector env equals N single envs
bit for bit and (b) with everything off the results equal a run without the switches.

Per episode (:func:`begin_episode_one`, after the course was sampled from the same stream):

1. **domain randomization** (:func:`randomize_params_one`): the episode's parameter row is
   the nominal row with the quantities of ``rand`` (RAND_DIM,) redrawn, in the order of
   ``layout.RAND_QUANTITIES``; derived entries (rotor factors, ...) are recomputed;
2. **gust** initial value from its stationary distribution ``N(0, std^2)`` per axis;
3. the **latency FIFO** is filled with the hover command (nothing was commanded before).

Per control step (:func:`pre_step_one`): latency FIFO (the command applied is the one of
``L`` steps ago), motor-command noise ``N(0, (sigma T_max)^2)`` per motor, the gust update
(Ornstein-Uhlenbeck, exact discretization ``g <- phi g + std sqrt(1 - phi^2) n``,
``phi = exp(-dt / tau)``; Uhlenbeck & Ornstein, Phys. Rev. 36, 1930). After the physics,
:func:`noisy_state_one` gives the observed state (Gaussian noise on position, velocity,
body rates, and a small random rotation of the attitude).
"""

from __future__ import annotations

import numpy as np

from simhops.dynamics.kernels._jit import njit, njit_inline
from simhops.dynamics.kernels.layout import (
    MAX_LATENCY_STEPS,
    MODE_CTBR,
    P_ALPHA_DN,
    P_ALPHA_UP,
    P_B1_DN,
    P_B1_UP,
    P_B2_DN,
    P_B2_UP,
    P_DRAG_X,
    P_DRAG_Y,
    P_DRAG_Z,
    P_DT_SUB,
    P_GRAVITY,
    P_GUST_STD,
    P_GUST_PHI,
    P_IXX,
    P_IYY,
    P_IZZ,
    P_LATENCY,
    P_MASS,
    P_MOTOR_NOISE,
    P_NOISE_ATT,
    P_NOISE_POS,
    P_NOISE_RATE,
    P_NOISE_VEL,
    P_TAU_DN,
    P_TAU_UP,
    P_TMAX,
    P_WIND_X,
    P_WIND_Y,
    P_WIND_Z,
    P_YAW_K,
    RAND_ABS_LOG_UNIFORM,
    RAND_ABS_UNIFORM,
    RAND_OFF,
    RAND_REL_LOG_UNIFORM,
    RAND_REL_UNIFORM,
    RQ_DRAG,
    RQ_GUST,
    RQ_INERTIA,
    RQ_LATENCY,
    RQ_MASS,
    RQ_MOTOR_TAU,
    RQ_NOISE,
    RQ_THRUST,
    RQ_WIND,
    RQ_YAW_K,
)
from simhops.dynamics.kernels.rng import normal, uniform


@njit
def _draw(rng, i, rand, q, nominal):
    """Draw quantity ``q`` from ``rand``: off -> ``nominal`` (no draw), relative -> ``nominal`` times a
    uniform / log-uniform factor in [low, high], absolute -> a value in [low, high]."""
    kind = int(rand[3 * q])
    lo = rand[3 * q + 1]
    hi = rand[3 * q + 2]
    if kind == RAND_OFF:
        return nominal
    if kind == RAND_REL_UNIFORM:
        return nominal * uniform(rng, i, lo, hi)
    if kind == RAND_REL_LOG_UNIFORM:
        return nominal * np.exp(uniform(rng, i, np.log(lo), np.log(hi)))
    if kind == RAND_ABS_UNIFORM:
        return uniform(rng, i, lo, hi)
    if kind == RAND_ABS_LOG_UNIFORM:
        return np.exp(uniform(rng, i, np.log(lo), np.log(hi)))
    return nominal


@njit
def _ratio(new, old):
    return new / old if old != 0.0 else 1.0


@njit
def motor_factors_one(tau, h):
    """(alpha, b1, b2) of a first-order lag ``tau`` over ``h`` (see physics_params.motor_factors)."""
    x = h / tau
    return np.exp(-x), -np.expm1(-x) / x, -np.expm1(-2.0 * x) / (2.0 * x)


@njit
def randomize_params_one(rng, i, nominal, rand, out):
    """Write the episode's parameter row into ``out`` (PHYS_DIM,): ``nominal`` with the randomized
    quantities of ``rand`` redrawn from slot ``i``'s stream."""
    out[:] = nominal
    out[P_MASS] = _draw(rng, i, rand, RQ_MASS, nominal[P_MASS])
    f = _ratio(_draw(rng, i, rand, RQ_INERTIA, nominal[P_IXX]), nominal[P_IXX])
    out[P_IXX] = nominal[P_IXX] * f
    out[P_IYY] = nominal[P_IYY] * f
    out[P_IZZ] = nominal[P_IZZ] * f
    out[P_TMAX] = _draw(rng, i, rand, RQ_THRUST, nominal[P_TMAX])
    out[P_YAW_K] = _draw(rng, i, rand, RQ_YAW_K, nominal[P_YAW_K])
    if int(rand[3 * RQ_MOTOR_TAU]) != RAND_OFF:
        f = _ratio(_draw(rng, i, rand, RQ_MOTOR_TAU, nominal[P_TAU_UP]), nominal[P_TAU_UP])
        h = nominal[P_DT_SUB]
        out[P_TAU_UP] = nominal[P_TAU_UP] * f
        out[P_TAU_DN] = nominal[P_TAU_DN] * f
        out[P_ALPHA_UP], out[P_B1_UP], out[P_B2_UP] = motor_factors_one(out[P_TAU_UP], h)
        out[P_ALPHA_DN], out[P_B1_DN], out[P_B2_DN] = motor_factors_one(out[P_TAU_DN], h)
    if int(rand[3 * RQ_DRAG]) != RAND_OFF:
        dx = _draw(rng, i, rand, RQ_DRAG, nominal[P_DRAG_X])
        f = _ratio(dx, nominal[P_DRAG_X])
        out[P_DRAG_X] = dx
        # an axisymmetric airframe stays exactly axisymmetric (the physics kernel's fast drag path)
        out[P_DRAG_Y] = dx if nominal[P_DRAG_Y] == nominal[P_DRAG_X] else nominal[P_DRAG_Y] * f
        out[P_DRAG_Z] = nominal[P_DRAG_Z] * f if nominal[P_DRAG_X] != 0.0 else dx
    if int(rand[3 * RQ_LATENCY]) != RAND_OFF:
        kind = int(rand[3 * RQ_LATENCY])
        if kind == RAND_ABS_UNIFORM:  # integers low..high inclusive
            lat = np.floor(uniform(rng, i, rand[3 * RQ_LATENCY + 1], rand[3 * RQ_LATENCY + 2] + 1.0))
        else:
            lat = np.floor(_draw(rng, i, rand, RQ_LATENCY, nominal[P_LATENCY]))
        out[P_LATENCY] = min(max(lat, 0.0), float(MAX_LATENCY_STEPS))
    kind = int(rand[3 * RQ_WIND])
    if kind == RAND_ABS_UNIFORM or kind == RAND_ABS_LOG_UNIFORM:  # speed, horizontal random direction
        speed = _draw(rng, i, rand, RQ_WIND, 0.0)
        phi = uniform(rng, i, 0.0, 2.0 * np.pi)
        out[P_WIND_X] = speed * np.cos(phi)
        out[P_WIND_Y] = speed * np.sin(phi)
        out[P_WIND_Z] = 0.0
    elif kind != RAND_OFF:  # relative: scale the configured wind vector
        f = _draw(rng, i, rand, RQ_WIND, 1.0)
        out[P_WIND_X] = nominal[P_WIND_X] * f
        out[P_WIND_Y] = nominal[P_WIND_Y] * f
        out[P_WIND_Z] = nominal[P_WIND_Z] * f
    out[P_GUST_STD] = _draw(rng, i, rand, RQ_GUST, nominal[P_GUST_STD])
    if int(rand[3 * RQ_NOISE]) != RAND_OFF:
        f = _draw(rng, i, rand, RQ_NOISE, 1.0)
        out[P_NOISE_POS] = nominal[P_NOISE_POS] * f
        out[P_NOISE_VEL] = nominal[P_NOISE_VEL] * f
        out[P_NOISE_ATT] = nominal[P_NOISE_ATT] * f
        out[P_NOISE_RATE] = nominal[P_NOISE_RATE] * f


@njit
def hover_command_one(mode, nominal, out):
    """The SI command that holds a level hover with the nominal airframe (fills the latency FIFO)."""
    w = nominal[P_MASS] * nominal[P_GRAVITY]
    if mode == MODE_CTBR:
        out[0] = w
        out[1] = 0.0
        out[2] = 0.0
        out[3] = 0.0
    else:
        for m in range(4):
            out[m] = 0.25 * w


@njit
def begin_episode_one(rng, i, nominal, rand, randomize, mode, row, gust, fifo):
    """Start an episode's disturbances for slot ``i``: the parameter row (randomized when
    ``randomize``), the gust's initial value ``gust`` (3,), the latency FIFO ``fifo``
    (MAX_LATENCY_STEPS + 1, 4) filled with the hover command."""
    if randomize:
        randomize_params_one(rng, i, nominal, rand, row)
    else:
        row[:] = nominal
    std = row[P_GUST_STD]
    for k in range(3):
        gust[k] = std * normal(rng, i) if std > 0.0 else 0.0
    for k in range(fifo.shape[0]):
        hover_command_one(mode, nominal, fifo[k])


@njit_inline
def pre_step_one(rng, i, row, c0, c1, c2, c3, step, gust, fifo):
    """Disturb one control step's SI command ``c``: returns ``(c0, c1, c2, c3, n0, n1, n2, n3)``
    the delayed command and the motor-command noise (N); updates ``gust`` (3,) in place."""
    lat = int(row[P_LATENCY])
    if lat > 0:
        w = step % (lat + 1)
        fifo[w, 0] = c0
        fifo[w, 1] = c1
        fifo[w, 2] = c2
        fifo[w, 3] = c3
        r = (step + 1) % (lat + 1)
        c0, c1, c2, c3 = fifo[r, 0], fifo[r, 1], fifo[r, 2], fifo[r, 3]
    n0 = 0.0
    n1 = 0.0
    n2 = 0.0
    n3 = 0.0
    sigma = row[P_MOTOR_NOISE]
    if sigma > 0.0:
        s = sigma * row[P_TMAX]
        n0 = s * normal(rng, i)
        n1 = s * normal(rng, i)
        n2 = s * normal(rng, i)
        n3 = s * normal(rng, i)
    std = row[P_GUST_STD]
    if std > 0.0:
        phi = row[P_GUST_PHI]
        k = std * np.sqrt(1.0 - phi * phi)
        gust[0] = phi * gust[0] + k * normal(rng, i)
        gust[1] = phi * gust[1] + k * normal(rng, i)
        gust[2] = phi * gust[2] + k * normal(rng, i)
    return c0, c1, c2, c3, n0, n1, n2, n3


@njit_inline
def noisy_state_one(rng, i, row, s, out):
    """Write the observed state into ``out`` (17,): ``s`` plus observation noise (switched-off
    channels draw nothing). Attitude noise rotates the body by a small random rotation vector."""
    out[:] = s
    sp = row[P_NOISE_POS]
    if sp > 0.0:
        for k in range(3):
            out[k] += sp * normal(rng, i)
    sa = row[P_NOISE_ATT]
    if sa > 0.0:
        ex = 0.5 * sa * normal(rng, i)
        ey = 0.5 * sa * normal(rng, i)
        ez = 0.5 * sa * normal(rng, i)
        qw, qx, qy, qz = s[3], s[4], s[5], s[6]
        w = qw - qx * ex - qy * ey - qz * ez
        x = qx + qw * ex + qy * ez - qz * ey
        y = qy + qw * ey + qz * ex - qx * ez
        z = qz + qw * ez + qx * ey - qy * ex
        n = np.sqrt(w * w + x * x + y * y + z * z)
        out[3] = w / n
        out[4] = x / n
        out[5] = y / n
        out[6] = z / n
    sv = row[P_NOISE_VEL]
    if sv > 0.0:
        for k in range(7, 10):
            out[k] += sv * normal(rng, i)
    sr = row[P_NOISE_RATE]
    if sr > 0.0:
        for k in range(10, 13):
            out[k] += sr * normal(rng, i)
