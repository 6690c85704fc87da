"""Quadrotor physics: cf2x constants, hover, free fall, yaw spin-up, saturation, rate loop, JIT-free path.

The rotor model, reference ODE, aerodynamics and identified-value checks are in tests/test_dynamics_*.py.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simhops.scenario import Scenario
from simhops.simulation.controller import DroneCommand, DroneController
from simhops.dynamics.kernels import layout as L
from simhops.dynamics.kernels.physics import (
    denormalize_action_one,
    physics_step,
    physics_step_one,
    physics_step_serial,
)
from simhops.dynamics.physics.airframe import CF2X, GRAVITY_M_S2
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.simulation_time_controller import StepSimulationTimeController
from simhops.dynamics.state import DroneState

REPO = Path(__file__).resolve().parents[1]
DT = 0.02  # control step of the default PhysicsParams (50 Hz)
YAW_SIGNS = np.array([-1.0, 1.0, -1.0, 1.0])


def _state(position=(0.0, 0.0, 1.0), motors=0.0) -> np.ndarray:
    """A level state at rest (kernel layout, writable)."""
    s = np.zeros(L.STATE_DIM)
    s[0:3] = position
    s[3] = 1.0
    s[13:17] = motors
    return s


def _step(s: np.ndarray, command, mode: int, params: np.ndarray, n: int = 1) -> np.ndarray:
    c = np.asarray(command, dtype=np.float64)
    for _ in range(n):
        physics_step_one(s, c[0], c[1], c[2], c[3], mode, params)
    return s


# ----------------------------------------------------------------------------- constants


def test_cf2x_constants_match_cited_values(physics):
    """The default airframe is the identified cf2x of airframes/cf2x.yaml (sources cited there)."""
    af = physics.airframe
    assert af == CF2X and af.name == "cf2x"
    assert af.mass_kg == 0.027                                   # gym-pybullet-drones cf2x.urdf
    assert af.arm_m == 0.046                                     # firmware ARM_LENGTH
    assert af.inertia_kg_m2 == (16.6e-6, 16.6e-6, 29.3e-6)      # firmware / Förster 2015
    assert af.kf == pytest.approx(3.16e-10 * (60 / (2 * math.pi)) ** 2, rel=1e-12)  # 3.16e-10 N/rpm^2
    assert af.max_motor_thrust_n == 0.12                         # firmware THRUST_MAX (cf2)
    assert af.yaw_moment_per_thrust_m == 0.005964552             # firmware THRUST2TORQUE
    assert (af.motor_tau_up_s, af.motor_tau_down_s) == pytest.approx((0.0554545, 0.2493939), rel=1e-5)  # L2F
    assert af.drag_n_s_m == pytest.approx((9.1785e-7 * 4 * 1515.9032, 9.1785e-7 * 4 * 1515.9032,
                                           10.311e-7 * 4 * 1515.9032), rel=1e-6)  # Förster K_aero at hover
    # derived quantities
    assert af.weight_n == pytest.approx(0.027 * GRAVITY_M_S2)
    assert af.thrust_to_weight == pytest.approx(4 * 0.12 / af.weight_n)
    assert af.max_collective_thrust_n == pytest.approx(0.48)
    assert af.hover_motor_thrust_n == pytest.approx(af.weight_n / 4)
    assert af.max_rotor_speed_rad_s == pytest.approx(math.sqrt(0.12 / af.kf))
    assert af.motor_offset_m == pytest.approx(0.046 / math.sqrt(2))
    a = af.motor_offset_m
    np.testing.assert_allclose(af.motor_positions_m(), [[a, -a, 0], [-a, -a, 0], [-a, a, 0], [a, a, 0]])


def test_physics_params_array_layout(physics):
    p = physics.as_array()
    af = physics.airframe
    assert p.shape == (L.PHYS_DIM,) and not p.flags.writeable
    assert p[L.P_MASS] == af.mass_kg and p[L.P_GRAVITY] == GRAVITY_M_S2
    assert tuple(p[[L.P_IXX, L.P_IYY, L.P_IZZ]]) == af.inertia_kg_m2
    assert p[L.P_TMAX] == pytest.approx(af.max_motor_thrust_n)
    assert p[L.P_DT_SUB] * p[L.P_N_SUB] == pytest.approx(physics.control_dt_s)
    h = p[L.P_DT_SUB]
    for tau, (ia, i1, i2) in ((af.motor_tau_up_s, (L.P_ALPHA_UP, L.P_B1_UP, L.P_B2_UP)),
                              (af.motor_tau_down_s, (L.P_ALPHA_DN, L.P_B1_DN, L.P_B2_DN))):
        assert p[ia] == pytest.approx(math.exp(-h / tau), rel=1e-14)
        assert p[i1] == pytest.approx(tau / h * (1 - math.exp(-h / tau)), rel=1e-12)
        assert p[i2] == pytest.approx(tau / (2 * h) * (1 - math.exp(-2 * h / tau)), rel=1e-12)
    assert tuple(p[[L.P_DRAG_X, L.P_DRAG_Y, L.P_DRAG_Z]]) == af.drag_n_s_m
    assert p[L.P_GROUND_EFFECT] == 0.0
    assert physics.control_dt_s == DT
    off = PhysicsParams(drag=False, ground_effect=True).as_array()
    assert np.all(off[[L.P_DRAG_X, L.P_DRAG_Y, L.P_DRAG_Z]] == 0.0) and off[L.P_GROUND_EFFECT] == 1.0


@pytest.mark.parametrize("kwargs", [dict(control_dt_s=0.0), dict(substeps=0), dict(rate_d_gains=(1.0, 1.0, -1.0)),
                                    dict(rate_gains=(1.0, 1.0)), dict(max_body_rate_rad_s=(1.0, -1.0, 1.0))])
def test_physics_params_validation_names_field(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        PhysicsParams(**kwargs)


# ----------------------------------------------------------------------------- hover


def test_hover_holds_altitude_through_drone_controller(physics):
    """CTBR thrust = m g, zero rates, from hover: altitude within 1 mm over 5 s, and level."""
    af = physics.airframe
    start = DroneState.hover((0.5, -0.5, 1.0), af.hover_motor_thrust_n)
    scenario = Scenario("hover", np.array([[3.0, 0.0, 1.0]]), start, time_step_s=DT, duration_s=5.0)
    ctrl = DroneController(scenario, physics)
    tc = StepSimulationTimeController(scenario)
    command = DroneCommand.ctbr(af.weight_n, (0.0, 0.0, 0.0))
    max_dz = 0.0
    steps = 0
    while not tc.reached_end():
        it = tc.get_iteration()
        nxt = tc.next_iteration()
        ctrl.update_state(it, nxt, ctrl.get_state(), command)
        state = ctrl.get_state()
        max_dz = max(max_dz, abs(state.position[2] - 1.0))
        steps += 1
    assert steps == 250  # 5 s at 50 Hz
    state = ctrl.get_state()
    assert max_dz < 1e-3
    np.testing.assert_allclose(state.position[:2], (0.5, -0.5), atol=1e-9)
    assert state.tilt_rad() < 1e-9
    np.testing.assert_allclose(state.body_rates, 0.0, atol=1e-9)
    np.testing.assert_allclose(state.velocity, 0.0, atol=1e-6)
    np.testing.assert_allclose(state.motor_thrusts, af.hover_motor_thrust_n, rtol=1e-12)


# ----------------------------------------------------------------------------- free fall


def test_free_fall_matches_g_t2_over_2():
    """Motor mode, all motors 0, starting at 0 thrust, no drag: z(t) = z0 - g t^2 / 2 (RK4 is exact here)."""
    p = PhysicsParams(drag=False).as_array()
    g = p[L.P_GRAVITY]
    s = _state((0.3, 0.2, 10.0), motors=0.0)
    for k in range(1, 51):  # 1 s
        _step(s, (0.0, 0.0, 0.0, 0.0), L.MODE_MOTOR, p)
        t = k * DT
        assert abs(s[2] - (10.0 - 0.5 * g * t * t)) < 1e-9, f"step {k}"
        assert abs(s[9] - (-g * t)) < 1e-9
    np.testing.assert_array_equal(s[[0, 1]], (0.3, 0.2))
    np.testing.assert_array_equal(s[3:7], (1.0, 0.0, 0.0, 0.0))
    np.testing.assert_array_equal(s[10:17], 0.0)


# ----------------------------------------------------------------------------- yaw torque


def test_pure_yaw_torque_spins_up_at_tau_over_izz(physics):
    """Motor mode, total thrust m g, roll/pitch torques 0, tau_z = k sum(s_i T_i) != 0: w_z = tau_z / Izz * t."""
    p = physics.as_array()
    af = physics.airframe
    h = af.hover_motor_thrust_n
    d = 0.002  # N: motors with yaw sign +1 (m1, m3) carry h + d, the others h - d
    thrusts = h + d * YAW_SIGNS
    arm = af.motor_offset_m
    k = af.yaw_moment_per_thrust_m
    assert thrusts.sum() == pytest.approx(af.weight_n, rel=1e-14)
    assert arm * (-thrusts[0] - thrusts[1] + thrusts[2] + thrusts[3]) == pytest.approx(0.0, abs=1e-18)  # tau_x
    assert arm * (-thrusts[0] + thrusts[1] + thrusts[2] - thrusts[3]) == pytest.approx(0.0, abs=1e-18)  # tau_y
    tau_z = k * float(YAW_SIGNS @ thrusts)
    assert tau_z == pytest.approx(4 * k * d) and tau_z > 0
    izz = af.inertia_kg_m2[2]
    s = _state((0.0, 0.0, 2.0), motors=0.0)
    s[13:17] = thrusts
    for n in range(1, 11):  # 0.2 s, |w_z| <= 2 rad/s
        _step(s, thrusts, L.MODE_MOTOR, p)
        t = n * DT
        expected = tau_z / izz * t
        assert s[12] == pytest.approx(expected, rel=1e-6), f"step {n}"
        yaw = 2.0 * math.atan2(s[6], s[3])
        assert yaw == pytest.approx(0.5 * tau_z / izz * t * t, rel=1e-6)
    # no roll/pitch, no climb: a pure yaw spin-up
    np.testing.assert_allclose(s[10:12], 0.0, atol=1e-12)
    assert abs(s[2] - 2.0) < 1e-9
    np.testing.assert_allclose(s[13:17], thrusts, rtol=1e-12)


def test_yaw_sign_convention():
    """Motors with yaw sign -1 (m0, m2) spinning harder yaw the drone the other way (negative r)."""
    physics = PhysicsParams()
    p = physics.as_array()
    h = physics.airframe.hover_motor_thrust_n
    thrusts = h - 0.002 * YAW_SIGNS
    s = _state(motors=0.0)
    s[13:17] = thrusts
    _step(s, thrusts, L.MODE_MOTOR, p, n=5)
    assert s[12] < 0.0


# ----------------------------------------------------------------------------- saturation


def test_full_collective_thrust_saturates_at_thrust_to_weight():
    """Full collective thrust (no drag) accelerates upward at (T/W - 1) g once the rotors have spun up."""
    physics = PhysicsParams(drag=False)
    p = physics.as_array()
    af = physics.airframe
    g = p[L.P_GRAVITY]
    full = np.empty(4)
    denormalize_action_one(np.array([1.0, 0.0, 0.0, 0.0]), L.MODE_CTBR, p, full)
    assert full[0] == pytest.approx(af.max_collective_thrust_n)
    assert full[0] == pytest.approx(af.thrust_to_weight * af.weight_n)
    for command in (full, np.array([100.0, 0.0, 0.0, 0.0])):  # a huge command saturates the same way
        s = _state(motors=af.hover_motor_thrust_n)
        _step(s, command, L.MODE_CTBR, p, n=50)  # 1 s: spin-up (55 ms) has settled
        np.testing.assert_allclose(s[13:17], af.max_motor_thrust_n, rtol=1e-6)
        vz1 = s[9]
        _step(s, command, L.MODE_CTBR, p, n=25)  # 0.5 s more
        accel = (s[9] - vz1) / 0.5
        assert accel == pytest.approx((af.thrust_to_weight - 1.0) * g, rel=1e-6)
        assert s[3] == pytest.approx(1.0, abs=1e-12)  # still level


def test_motor_commands_clip_to_zero_and_max(physics):
    p = physics.as_array()
    tmax = physics.airframe.max_motor_thrust_n
    s = _state(motors=0.0)
    _step(s, (5.0, 5.0, 5.0, 5.0), L.MODE_MOTOR, p, n=50)
    np.testing.assert_allclose(s[13:17], tmax, rtol=1e-6)
    assert np.all(s[13:17] <= tmax)
    _step(s, (-5.0, -5.0, -5.0, -5.0), L.MODE_MOTOR, p, n=250)  # spin-down tau 0.25 s
    assert np.all(s[13:17] >= 0.0) and np.all(s[13:17] < 1e-9)


# ----------------------------------------------------------------------------- rate loop


def test_rate_controller_tracks_roll_rate(physics):
    """A 1 rad/s roll-rate command is tracked within 5 % after 0.3 s; pitch and yaw stay at 0."""
    p = physics.as_array()
    af = physics.airframe
    s = _state((0.0, 0.0, 2.0), motors=af.hover_motor_thrust_n)
    command = (af.weight_n, 1.0, 0.0, 0.0)
    _step(s, command, L.MODE_CTBR, p, n=15)  # 0.3 s
    assert s[10] == pytest.approx(1.0, rel=0.05)
    assert abs(s[11]) < 1e-9 and abs(s[12]) < 1e-9
    _step(s, command, L.MODE_CTBR, p, n=10)  # and it stays there
    assert s[10] == pytest.approx(1.0, rel=0.05)


@pytest.mark.parametrize("axis, rate", [(1, -2.0), (2, 0.5)])
def test_rate_controller_tracks_other_axes(physics, axis, rate):
    p = physics.as_array()
    af = physics.airframe
    s = _state((0.0, 0.0, 2.0), motors=af.hover_motor_thrust_n)
    command = np.array([af.weight_n, 0.0, 0.0, 0.0])
    command[1 + axis] = rate
    _step(s, command, L.MODE_CTBR, p, n=25)
    assert s[10 + axis] == pytest.approx(rate, rel=0.05)


# ----------------------------------------------------------------------------- invariants


_ACTION = st.tuples(*[st.floats(-1.0, 1.0, allow_nan=False)] * 4)


@settings(max_examples=60, deadline=None)
@given(actions=st.lists(_ACTION, min_size=1, max_size=40), mode=st.sampled_from([L.MODE_CTBR, L.MODE_MOTOR]))
def test_quaternion_stays_unit_norm_under_random_commands(actions, mode):
    physics = PhysicsParams()
    p = physics.as_array()
    s = _state(motors=physics.airframe.hover_motor_thrust_n)
    cmd = np.empty(4)
    for a in actions:
        denormalize_action_one(np.array(a), mode, p, cmd)
        _step(s, cmd, mode, p)
        assert np.all(np.isfinite(s))
        assert abs(np.linalg.norm(s[3:7]) - 1.0) < 1e-12
        assert np.all(s[13:17] >= 0.0) and np.all(s[13:17] <= physics.airframe.max_motor_thrust_n + 1e-15)


def test_batched_kernels_equal_single_drone_kernel(physics):
    """The (N, 17) kernels (threaded and serial) give the per-drone kernel's numbers exactly."""
    p = physics.as_array()
    rng = np.random.default_rng(3)
    n = 5
    states = np.tile(_state(motors=physics.airframe.hover_motor_thrust_n), (n, 1))
    states[:, 0:3] += rng.normal(size=(n, 3))
    for mode in (L.MODE_CTBR, L.MODE_MOTOR):
        commands = np.empty((n, 4))
        for i in range(n):
            denormalize_action_one(rng.uniform(-1, 1, 4), mode, p, commands[i])
        single = states.copy()
        for i in range(n):
            _step(single[i], commands[i], mode, p)
        par = states.copy()
        ser = states.copy()
        physics_step(par, commands, mode, p)
        physics_step_serial(ser, commands, mode, p)
        np.testing.assert_array_equal(par, single)
        np.testing.assert_array_equal(ser, single)


def test_drone_controller_rejects_mismatched_time_step(physics):
    start = DroneState.hover((0.0, 0.0, 1.0), physics.airframe.hover_motor_thrust_n)
    scenario = Scenario("dt", np.array([[1.0, 0.0, 1.0]]), start, time_step_s=0.1, duration_s=1.0)
    with pytest.raises(ValueError, match="time_step_s"):
        DroneController(scenario, physics)


# ----------------------------------------------------------------------------- NUMBA_DISABLE_JIT

_ROLLOUT = r"""
import json
import numba
import numpy as np
from simhops.config import load_config
from simhops.scenario import ScenarioBuilder
from simhops.dynamics.kernels import layout as L
from simhops.dynamics.kernels.physics import denormalize_action_one, physics_step_one
from simhops.dynamics.physics.physics_params import PhysicsParams

def rollout():
    p = PhysicsParams().as_array()
    rng = np.random.default_rng(42)
    out = {"jit_disabled": bool(numba.config.DISABLE_JIT),
           "is_dispatcher": isinstance(physics_step_one, numba.core.registry.CPUDispatcher)}
    for mode in (L.MODE_CTBR, L.MODE_MOTOR):
        s = np.zeros(L.STATE_DIM); s[2] = 1.0; s[3] = 1.0; s[13:17] = p[L.P_MASS] * p[L.P_GRAVITY] / 4
        cmd = np.empty(4)
        for _ in range(25):
            denormalize_action_one(rng.uniform(-0.3, 0.3, 4), mode, p, cmd)
            physics_step_one(s, cmd[0], cmd[1], cmd[2], cmd[3], mode, p)
        out[f"mode{mode}"] = [float(x).hex() for x in s]
    wp = ScenarioBuilder(load_config()).build_from_seed(7).waypoints
    out["waypoints"] = [float(x).hex() for x in wp.ravel()]
    return out
"""


def test_kernels_without_jit_match_compiled():
    """NUMBA_DISABLE_JIT=1 (the debugging path) runs the kernels as Python with the same numbers."""
    if numba.config.DISABLE_JIT:
        pytest.skip("this process already runs without JIT")
    ns: dict = {}
    exec(_ROLLOUT, ns)  # noqa: S102 - the same code in both processes
    compiled = ns["rollout"]()
    assert compiled["is_dispatcher"] and not compiled["jit_disabled"]
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    proc = subprocess.run([sys.executable, "-c", _ROLLOUT + "\nprint(json.dumps(rollout()))"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    plain = json.loads(proc.stdout.strip().splitlines()[-1])
    assert plain["jit_disabled"] and not plain["is_dispatcher"]
    for key in ("mode0", "mode1", "waypoints"):
        a = np.array([float.fromhex(x) for x in compiled[key]])
        b = np.array([float.fromhex(x) for x in plain[key]])
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14, err_msg=key)
