"""Rotor model, mixer saturation, rate loop and aerodynamics against cited identified values.

Cited values (see simhops/dynamics/physics/airframes/cf2x.yaml for the files):
* L2F ``crazyflie.h``: ``hovering_throttle_relative`` 0.7261 (rotor-speed fraction at hover),
  spin-up time constant 0.0555 s;
* Crazyflie firmware ``THRUST2TORQUE`` 0.005964552 m and Förster's Izz 29.3e-6 kg m^2: yaw
  angular acceleration 203.6 rad/s^2 per newton of yaw-signed thrust difference;
* drone-models ``cf2x_L250`` spin-up 1 / 7.3556 s.
The checks simulate and measure; the tolerance is the issue's +-20 %.
"""

from __future__ import annotations

import numpy as np
import pytest

from simhops.dynamics.kernels import layout as L
from simhops.dynamics.kernels.physics import physics_step_one
from simhops.dynamics.physics.airframe import load_airframe
from simhops.dynamics.physics.physics_params import PhysicsParams

YAW_SIGNS = np.array([-1.0, 1.0, -1.0, 1.0])
L2F_HOVER_ROTOR_FRACTION = 0.7261389721508553
L2F_TAU_UP_S = 0.05545454545454546
FIRMWARE_THRUST2TORQUE_M = 0.005964552
FORSTER_IZZ = 29.3e-6


def _hover_state(af, z=2.0):
    s = np.zeros(L.STATE_DIM)
    s[2] = z
    s[3] = 1.0
    s[13:17] = af.hover_motor_thrust_n
    return s


def _run(s, physics, command, mode, seconds):
    p = physics.as_array()
    out = []
    for _ in range(int(round(seconds / physics.control_dt_s))):
        physics_step_one(s, command[0], command[1], command[2], command[3], mode, p)
        out.append(s.copy())
    return np.array(out)


def test_hover_rotor_fraction_matches_l2f_identified_value():
    """CTBR hover from a low-throttle start: the rotors settle at the speed that carries m g."""
    physics = PhysicsParams(control_dt_s=0.004, substeps=1)
    af = physics.airframe
    s = _hover_state(af)
    s[13:17] = 0.5 * af.hover_motor_thrust_n
    traj = _run(s, physics, (af.weight_n, 0.0, 0.0, 0.0), L.MODE_CTBR, 3.0)
    thrust_fraction = traj[-1, 13:17] / af.max_motor_thrust_n
    rotor_fraction = np.sqrt(thrust_fraction)  # w / w_max
    np.testing.assert_allclose(traj[-1, 13:17].sum(), af.weight_n, rtol=1e-6)
    assert rotor_fraction == pytest.approx(np.full(4, L2F_HOVER_ROTOR_FRACTION), rel=0.2)
    assert af.max_rotor_speed_rad_s * rotor_fraction[0] == pytest.approx(1515.9, rel=1e-3)  # 14476 rpm


def test_yaw_acceleration_per_thrust_difference_matches_firmware():
    """Motor mode, yaw-signed thrust difference dT: w_z' = THRUST2TORQUE dT / Izz (+-20 %)."""
    physics = PhysicsParams(control_dt_s=0.002, substeps=1)
    af = physics.airframe
    s = _hover_state(af)
    d = 0.004
    thrusts = af.hover_motor_thrust_n + d / 4.0 * YAW_SIGNS  # sum(s_i T_i) = d
    s[13:17] = thrusts
    traj = _run(s, physics, thrusts, L.MODE_MOTOR, 0.1)
    measured = (traj[-1, 12] - traj[0, 12]) / (0.1 - 0.002) / d
    cited = FIRMWARE_THRUST2TORQUE_M / FORSTER_IZZ
    assert measured == pytest.approx(cited, rel=0.2)
    assert measured == pytest.approx(cited, rel=1e-6)  # and in fact exactly the cited constants
    assert np.abs(traj[:, 10:12]).max() < 1e-9  # pure yaw


@pytest.mark.parametrize("airframe, tau_cited", [("cf2x", L2F_TAU_UP_S), ("cf2x_L250", 1.0 / 7.355623702172756)])
def test_open_loop_roll_torque_step_rises_with_identified_time_constant(airframe, tau_cited):
    """Spin up the two left motors (m2, m3) by a small step: the roll acceleration reaches 63 %
    of its final value after the cited spin-up time constant (+-20 %)."""
    physics = PhysicsParams(airframe=load_airframe(airframe), control_dt_s=0.001, substeps=1, drag=False)
    af = physics.airframe
    s = _hover_state(af)
    cmd = np.full(4, af.hover_motor_thrust_n)
    cmd[[2, 3]] *= 1.02
    traj = _run(s, physics, cmd, L.MODE_MOTOR, 1.0)
    acc = np.diff(traj[:, 10]) / 0.001
    t = np.arange(1, len(acc) + 1) * 0.001
    final = acc[-1]
    t63 = t[np.argmax(acc >= 0.632 * final)]
    assert t63 == pytest.approx(tau_cited, rel=0.2)


@pytest.mark.parametrize("airframe", ["cf2x", "cf2x_L250"])
@pytest.mark.parametrize("axis, amp", [(0, 5.0), (0, -5.0), (1, 5.0)])
def test_roll_rate_step_overshoot_and_settling(airframe, axis, amp):
    """Closed rate loop (default gains): a 5 rad/s step overshoots <= 15 % and settles (+-5 %) in <= 0.2 s."""
    physics = PhysicsParams(airframe=load_airframe(airframe), control_dt_s=0.002, substeps=1)
    af = physics.airframe
    cmd = [af.weight_n, 0.0, 0.0, 0.0]
    cmd[1 + axis] = amp
    traj = _run(_hover_state(af), physics, cmd, L.MODE_CTBR, 0.6)
    r = traj[:, 10 + axis] / amp
    t = np.arange(1, len(r) + 1) * 0.002
    overshoot = r.max() - 1.0
    outside = np.flatnonzero(np.abs(r - 1.0) > 0.05)
    settle = t[outside[-1]] if len(outside) else 0.0
    assert overshoot <= 0.15, overshoot
    assert settle <= 0.2, settle
    other = [a for a in range(3) if a != axis]
    assert np.abs(traj[:, [10 + a for a in other]]).max() < 0.05 * abs(amp)


def test_default_step_response_is_the_same_at_the_default_control_rate():
    """The 250 Hz default (50 Hz x 5 sub-steps) gives the same step response as a 500 Hz integration."""
    fine = PhysicsParams(control_dt_s=0.002, substeps=1)
    default = PhysicsParams()
    af = default.airframe
    cmd = (af.weight_n, 5.0, 0.0, 0.0)
    a = _run(_hover_state(af), fine, cmd, L.MODE_CTBR, 0.3)[9::10, 10]
    b = _run(_hover_state(af), default, cmd, L.MODE_CTBR, 0.3)[:, 10]
    np.testing.assert_allclose(b, a, atol=0.25)


def test_saturation_keeps_roll_torque_at_full_throttle():
    """Firmware powerDistributionCap: at full collective thrust a roll command still rolls as fast as
    at hover (all motors are lowered together); clipping motors one by one would lose the torque."""
    physics = PhysicsParams(control_dt_s=0.002, substeps=1)
    af = physics.airframe
    s_full = _hover_state(af)
    s_full[13:17] = af.max_motor_thrust_n
    full = _run(s_full, physics, (af.max_collective_thrust_n, 5.0, 0.0, 0.0), L.MODE_CTBR, 0.2)
    hover = _run(_hover_state(af), physics, (af.weight_n, 5.0, 0.0, 0.0), L.MODE_CTBR, 0.2)
    # while rolling at full throttle, the motors on one side are below T_max and the others at it
    assert full[:, 13:17].max() <= af.max_motor_thrust_n * (1 + 1e-12)
    assert full[-1, 13:17].max() == pytest.approx(af.max_motor_thrust_n, rel=0.02)
    assert full[:, 13:17].sum(axis=1).min() < 0.97 * af.max_collective_thrust_n
    assert full[-1, 10] == pytest.approx(5.0, rel=0.05)
    assert np.abs(full[:, 10] - hover[:, 10]).max() < 1.0


def test_steady_wind_drift_velocity_equals_wind():
    """Level hover (equal motors) in a constant horizontal wind: drag accelerates the drone until its
    velocity equals the wind (drag equilibrium), within 2 %; time constant m / d ~ 4.9 s."""
    wind = (3.0, -2.0, 0.0)
    physics = PhysicsParams(wind_m_s=wind)
    af = physics.airframe
    traj = _run(_hover_state(af, z=10.0), physics, np.full(4, af.hover_motor_thrust_n), L.MODE_MOTOR, 40.0)
    v = traj[-1, 7:10]
    np.testing.assert_allclose(v[:2], wind[:2], rtol=0.02)
    assert abs(v[2]) < 0.02
    # first-order approach with the airframe's drag: v(t) = w (1 - exp(-d t / m))
    t = 2.0
    k = int(round(t / physics.control_dt_s)) - 1
    expected = wind[0] * (1 - np.exp(-af.drag_n_s_m[0] * t / af.mass_kg))
    assert traj[k, 7] == pytest.approx(expected, rel=1e-3)


def test_drag_acts_on_air_relative_velocity_only():
    """At rest in still air there is no drag force; with drag off, wind has no effect."""
    for drag in (True, False):
        physics = PhysicsParams(drag=drag)
        af = physics.airframe
        traj = _run(_hover_state(af, z=10.0), physics, np.full(4, af.hover_motor_thrust_n), L.MODE_MOTOR, 0.1)
        assert np.allclose(traj[-1, 7:10], 0.0, atol=1e-9)
    physics = PhysicsParams(drag=False, wind_m_s=(3.0, 0.0, 0.0))
    traj = _run(_hover_state(physics.airframe, z=10.0), physics, np.full(4, physics.airframe.hover_motor_thrust_n),
                L.MODE_MOTOR, 1.0)
    assert np.allclose(traj[-1, 7:10], 0.0, atol=1e-9)  # drag off: wind has no effect


def test_ground_effect_raises_thrust_by_cheeseman_bennett():
    """At z = 2 R_p (one rotor diameter) thrust is 1 / (1 - 1/64) = +1.59 %; off by default."""
    for ge in (False, True):
        physics = PhysicsParams(ground_effect=ge, drag=False, control_dt_s=0.001, substeps=1)
        af = physics.airframe
        z = 2.0 * af.prop_radius_m
        traj = _run(_hover_state(af, z=z), physics, np.full(4, af.hover_motor_thrust_n), L.MODE_MOTOR, 0.001)
        acc = traj[0, 9] / 0.001
        ratio = 1.0 / (1.0 - (1.0 / 8.0) ** 2) if ge else 1.0
        assert acc == pytest.approx((ratio - 1.0) * 9.81, rel=1e-3, abs=1e-9)
