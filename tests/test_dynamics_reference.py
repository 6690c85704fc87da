"""The physics kernel against a tight ODE reference of the same equations (scipy solve_ivp, rtol 1e-10).

Reference: continuous rotor-speed dynamics ``u' = (u_d - u) / tau_{up|down}`` (``u = w / w_max``),
thrust ``T_max u^2``, yaw torque ``k T``, linear body drag in a constant wind, optional
Cheeseman-Bennett ground effect, Newton-Euler rigid body; motor commands held per control step.
The kernel integrates the rotor exactly and holds its exact sub-step mean thrust over each RK4
sub-step, so the difference is the RK4 error plus the thrust-hold error (issue 8: <= 1 mm, <= 1e-3 rad).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from simhops.dynamics.kernels import layout as L
from simhops.dynamics.kernels.physics import physics_step_one
from simhops.dynamics.physics.physics_params import PhysicsParams

YAW_SIGNS = np.array([-1.0, 1.0, -1.0, 1.0])


def _rot(q):
    w, x, y, z = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
    ])


def _rhs(physics: PhysicsParams, ud: np.ndarray):
    af = physics.airframe
    p = physics.as_array()
    m, g = af.mass_kg, p[L.P_GRAVITY]
    inertia = np.array(af.inertia_kg_m2)
    tmax, a, k = af.max_motor_thrust_n, af.motor_offset_m, af.yaw_moment_per_thrust_m
    drag = p[[L.P_DRAG_X, L.P_DRAG_Y, L.P_DRAG_Z]]
    wind = p[[L.P_WIND_X, L.P_WIND_Y, L.P_WIND_Z]]
    ge, rp = p[L.P_GROUND_EFFECT], af.prop_radius_m
    tau_up, tau_dn = af.motor_tau_up_s, af.motor_tau_down_s

    def f(_t, y):
        q = y[3:7]
        v = y[7:10]
        w = y[10:13]
        u = y[13:17]
        tau = np.where(ud > u, tau_up, tau_dn)
        du = (ud - u) / tau
        thrusts = tmax * u * u
        total = thrusts.sum()
        if ge:
            rz = rp / (4.0 * max(y[2], 0.5 * rp))
            total /= 1.0 - rz * rz
        r = _rot(q)
        f_body = -drag * (r.T @ (v - wind)) + np.array([0.0, 0.0, total])
        acc = r @ f_body / m - np.array([0.0, 0.0, g])
        torque = np.array([a * (-thrusts[0] - thrusts[1] + thrusts[2] + thrusts[3]),
                           a * (-thrusts[0] + thrusts[1] + thrusts[2] - thrusts[3]),
                           k * YAW_SIGNS @ thrusts])
        dw = (torque - np.cross(w, inertia * w)) / inertia
        qw, qx, qy, qz = q
        dq = 0.5 * np.array([-qx * w[0] - qy * w[1] - qz * w[2],
                             qw * w[0] + qy * w[2] - qz * w[1],
                             qw * w[1] + qz * w[0] - qx * w[2],
                             qw * w[2] + qx * w[1] - qy * w[0]])
        return np.concatenate([v, dq, acc, dw, du])

    return f


def _commands(physics: PhysicsParams, n: int) -> np.ndarray:
    """Varied motor commands (N): hover +- sinusoids of 0.5-3 Hz, some beyond [0, T_max] (clipped)."""
    af = physics.airframe
    t = np.arange(n) * physics.control_dt_s
    rng = np.random.default_rng(8)
    freq = rng.uniform(0.5, 3.0, 4)
    phase = rng.uniform(0, 2 * np.pi, 4)
    c = af.hover_motor_thrust_n * (1.05 + 0.25 * np.sin(2 * np.pi * freq * t[:, None] + phase))
    c[40:45] = [0.2, -0.1, 0.2, -0.1]  # saturating: clipped to T_max and 0
    c[90:93] = 0.0
    return c


def _quat_angle(q1, q2) -> float:
    return 2.0 * np.arccos(min(1.0, abs(float(np.dot(q1, q2)))))


@pytest.mark.parametrize("case", ["drag_wind", "ground_effect_no_drag"])
def test_kernel_matches_solve_ivp_reference_over_3_s(case):
    if case == "drag_wind":
        physics = PhysicsParams(wind_m_s=(2.0, -1.0, 0.3))
        start = (0.0, 0.0, 2.0)
    else:
        physics = PhysicsParams(drag=False, ground_effect=True)
        start = (0.0, 0.0, 0.03)
    af = physics.airframe
    n = int(round(3.0 / physics.control_dt_s))
    cmds = _commands(physics, n)
    if case == "ground_effect_no_drag":
        # level, all four near hover: the drone bobs through the ground-effect region (z < 2 rotor diameters)
        t = np.arange(n) * physics.control_dt_s
        cmds = np.repeat((af.hover_motor_thrust_n * (0.975 + 0.02 * np.sin(2 * np.pi * 1.5 * t)))[:, None], 4, 1)
    s = np.zeros(L.STATE_DIM)
    s[0:3] = start
    s[3] = 1.0
    s[13:17] = af.hover_motor_thrust_n
    y = np.concatenate([s[:13], np.sqrt(s[13:17] / af.max_motor_thrust_n)])
    p = physics.as_array()
    max_pos, max_att = 0.0, 0.0
    zmin, zmax = np.inf, -np.inf
    for j in range(n):
        c = cmds[j]
        physics_step_one(s, c[0], c[1], c[2], c[3], L.MODE_MOTOR, p)
        ud = np.sqrt(np.clip(c, 0.0, af.max_motor_thrust_n) / af.max_motor_thrust_n)
        sol = solve_ivp(_rhs(physics, ud), (0.0, physics.control_dt_s), y, method="DOP853", rtol=1e-10, atol=1e-12)
        y = sol.y[:, -1]
        y[3:7] /= np.linalg.norm(y[3:7])
        max_pos = max(max_pos, float(np.linalg.norm(s[0:3] - y[0:3])))
        zmin, zmax = min(zmin, y[2]), max(zmax, y[2])
        max_att = max(max_att, _quat_angle(s[3:7], y[3:7]))
        np.testing.assert_allclose(s[13:17], af.max_motor_thrust_n * y[13:17] ** 2, rtol=1e-8, atol=1e-12)
    if case == "ground_effect_no_drag":  # stayed low, where ground effect acts, and moved
        assert 0.0 < zmin < zmax < 0.2 and zmax - zmin > 0.005, (zmin, zmax)
    else:  # the trajectory is not trivial: it moved and turned
        assert np.linalg.norm(y[0:3] - np.array(start)) > 0.05 and _quat_angle(y[3:7], np.array([1.0, 0, 0, 0])) > 0.1
    assert max_pos <= 1e-3, f"position error {max_pos:.3g} m"
    assert max_att <= 1e-3, f"attitude error {max_att:.3g} rad"


def test_sub_step_mean_thrust_beats_end_of_step_hold():
    """Holding the exact mean thrust is what makes the kernel accurate: the end-of-sub-step thrust
    (the old scheme) drifts much further from the reference on the same commands."""
    physics = PhysicsParams(drag=False)
    af = physics.airframe
    p = physics.as_array()
    n = 150
    cmds = _commands(physics, n)
    s = np.zeros(L.STATE_DIM)
    s[2] = 2.0
    s[3] = 1.0
    s[13:17] = af.hover_motor_thrust_n
    y = np.concatenate([s[:13], np.sqrt(s[13:17] / af.max_motor_thrust_n)])
    for j in range(n):
        c = cmds[j]
        physics_step_one(s, c[0], c[1], c[2], c[3], L.MODE_MOTOR, p)
        ud = np.sqrt(np.clip(c, 0.0, af.max_motor_thrust_n) / af.max_motor_thrust_n)
        y = solve_ivp(_rhs(physics, ud), (0.0, physics.control_dt_s), y, method="DOP853", rtol=1e-10,
                      atol=1e-12).y[:, -1]
    err_mean = np.linalg.norm(s[0:3] - y[0:3])
    # the same RK4 with end-of-sub-step thrust held, in numpy
    z = np.concatenate([np.array([0, 0, 2.0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                        np.full(4, np.sqrt(af.hover_motor_thrust_n / af.max_motor_thrust_n))])
    h = p[L.P_DT_SUB]
    for j in range(n):
        ud = np.sqrt(np.clip(cmds[j], 0.0, af.max_motor_thrust_n) / af.max_motor_thrust_n)
        for _ in range(physics.substeps):
            u0 = z[13:17]
            alpha = np.where(ud > u0, p[L.P_ALPHA_UP], p[L.P_ALPHA_DN])
            u1 = ud + (u0 - ud) * alpha
            f = _rhs(physics, ud)

            def g(t, x, u1=u1):
                out = f(t, np.concatenate([x, u1]))
                return out[:13]

            x = z[:13]
            k1 = g(0, x)
            k2 = g(0, x + h / 2 * k1)
            k3 = g(0, x + h / 2 * k2)
            k4 = g(0, x + h * k3)
            x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            x[3:7] /= np.linalg.norm(x[3:7])
            z = np.concatenate([x, u1])
    err_end = np.linalg.norm(z[0:3] - y[0:3])
    assert err_mean < 0.2 * err_end, (err_mean, err_end)
