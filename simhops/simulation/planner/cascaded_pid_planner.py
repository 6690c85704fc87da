"""CascadedPIDPlanner: the classical baseline that rejects disturbances (``--planner classical``).

Design (all loops in world ENU, body FLU; CTBR out), the standard cascade of
multirotor autopilots (PX4 "Multicopter control architecture",
https://docs.px4.io/main/en/flight_stack/controller_diagrams.html, and the Crazyflie
firmware's ``controller_pid``: position P -> velocity PID -> attitude P -> body-rate loop):

1. **Trajectory law**: a reference point ``(p_ref, v_ref, a_ref)`` flies the straight legs
   through the waypoints. Its target velocity is a braking-profile velocity field evaluated
   *at the reference point* (so disturbances cannot make it orbit): with
   ``e = w_k - p_ref``, ``d = |e|``, ``v_target = min(v_max, sqrt(v_pass^2 + 2 a_brake d)) e / d``
   (a constant-deceleration stop that still crosses the waypoint at ``v_pass``), the vertical
   part capped at ``v_up_max`` / ``v_down_max`` by shrinking the whole vector, so the path
   stays the leg. Near the ground the descent rate of the reference is also clamped to
   ``sqrt(2 a_floor (z - z_floor))`` with ``z`` the lower of the reference's and the drone's
   altitude, so neither can carry a descent below ``z_floor``. ``v_ref`` follows ``v_target``
   through a limited second-order filter
   (``a_target = sat(k_ref (v_target - v_ref), a_ref_max)``, approached with time constant
   ``tau_ref_s`` and at most ``j_ref_max`` of jerk): smooth and trackable. When the drone
   reaches waypoint ``k`` the reference simply continues toward ``k + 1``; when the drone
   lags, the reference settles at the waypoint and waits (it never runs further ahead).
2. **Position P + velocity PI** with integral action and anti-windup:
   ``v_cmd = v_ref + k_p sat(p_ref - p, e_max)``,
   ``a_cmd = a_ref + k_v (v_cmd - v) + I``, ``I' = k_i (v_cmd - v)``, integration frozen on
   any axis whose command is saturated by the tilt/thrust limits and pushed further into
   the limit (conditional integration, Astrom & Hagglund, "Advanced PID Control", ISA 2006,
   chapter on windup), and ``|I|`` clamped to ``i_max`` per axis. The integral absorbs any constant
   force the nominal model misses (mass, thrust scale, wind), so the steady-state position
   error is zero. The vertical integral is read as the hover-thrust error and scales the
   whole acceleration command, ``F / m_nom = (1 + I_z / g)(a_cmd + g z) + (I_x, I_y, 0)``
   (as PX4's ``PositionControl`` scales accelerations by its estimated hover thrust,
   ``mc_hover_thrust_estimator``): a heavier or weaker
   drone needs proportionally more thrust for every m/s^2, not only for hovering.
3. **Thrust vector** ``F = m_nom (a_des + g z)`` (``a_des`` from step 2) with a tilt limit (the horizontal part is
   cut first, altitude has priority) and ``|F| <= thrust_margin * T_max``; collective
   thrust ``T = F . b3`` (the projection on the current body z axis, Mellinger & Kumar,
   "Minimum snap trajectory generation and control for quadrotors", ICRA 2011).
4. **Attitude -> body rates**: desired ``b3_d = F / |F|`` with zero yaw (``b1_d`` from
   ``x_w``, Lee, Leok & McClamroch, "Geometric tracking control of a quadrotor UAV on
   SE(3)", CDC 2010); tilt-prioritized rate command from the error quaternion
   ``q_e = q^-1 q_d`` split into reduced (tilt) and yaw parts (Brescianini, Hehn &
   D'Andrea, "Nonlinear quadrocopter attitude control", ETH Zurich tech. report, 2013):
   ``w_xy = 2 k_tilt (q_red,x, q_red,y)``, ``w_z = 2 k_yaw sgn(q_yaw,w) q_yaw,z``, clipped
   to the airframe's body-rate limits. The plant's own rate loop tracks ``w``.

The planner uses only the nominal model of :class:`PlannerInitialization`
(``physics.airframe`` mass, max thrust, ``max_body_rate_rad_s``).

| gain | unit | default | role |
|---|---|---|---|
| ``v_max_m_s`` | m/s | 3.0 | cruise speed |
| ``v_up_max_m_s`` / ``v_down_max_m_s`` | m/s | 2.0 / 1.5 | vertical speed limits |
| ``v_pass_m_s`` | m/s | 0.3 | speed when crossing a waypoint |
| ``a_brake_m_s2`` | m/s^2 | 2.0 | braking deceleration of the speed profile |
| ``a_ref_max_m_s2`` | m/s^2 | 5.0 | acceleration limit of the reference |
| ``k_ref`` | 1/s | 4.0 | reference velocity filter gain |
| ``tau_ref_s`` | s | 0.1 | reference acceleration time constant |
| ``j_ref_max_m_s3`` | m/s^3 | 30.0 | jerk limit of the reference |
| ``z_floor_m`` | m | 0.1 | altitude where a descent must have stopped |
| ``a_floor_m_s2`` | m/s^2 | 1.0 | deceleration of the ground-aware descent cap |
| ``k_p`` | 1/s | 2.0 | position P gain |
| ``e_max_m`` | m | 1.0 | position error clamp |
| ``k_v`` | 1/s | 3.0 | velocity P gain |
| ``k_i`` | 1/s^2 | 2.0 | horizontal velocity integral gain |
| ``k_i_z`` | 1/s^2 | 4.0 | vertical velocity integral gain (hover-thrust estimate) |
| ``i_max_m_s2`` | m/s^2 | 4.0 | integral clamp per axis (0.4 g) |
| ``max_tilt_rad`` | rad | 0.7 | tilt limit of the thrust vector |
| ``thrust_margin`` | - | 0.95 | fraction of nominal max collective thrust used |
| ``k_tilt`` | 1/s | 7.0 | roll/pitch attitude gain |
| ``k_yaw`` | 1/s | 2.0 | yaw attitude gain |
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput


@dataclass(frozen=True)
class CascadedPIDGains:
    """Gains and limits of :class:`CascadedPIDPlanner` (see the module table for units).

    Raises:
        ValueError: a value that is not finite and > 0 (``v_pass_m_s``, ``k_i``, ``k_i_z``, ``z_floor_m`` may be 0;
            ``max_tilt_rad`` must be < pi/2, ``thrust_margin`` in (0, 1]).
    """

    v_max_m_s: float = 3.0
    v_up_max_m_s: float = 2.0
    v_down_max_m_s: float = 1.5
    v_pass_m_s: float = 0.3
    a_brake_m_s2: float = 2.0
    a_ref_max_m_s2: float = 5.0
    k_ref: float = 4.0
    tau_ref_s: float = 0.1
    j_ref_max_m_s3: float = 30.0
    z_floor_m: float = 0.1
    a_floor_m_s2: float = 1.0
    k_p: float = 2.0
    e_max_m: float = 1.0
    k_v: float = 3.0
    k_i: float = 2.0
    k_i_z: float = 4.0
    i_max_m_s2: float = 4.0
    max_tilt_rad: float = 0.7
    thrust_margin: float = 0.95
    k_tilt: float = 7.0
    k_yaw: float = 2.0

    def __post_init__(self) -> None:
        zero_ok = ("v_pass_m_s", "k_i", "k_i_z", "z_floor_m")
        for f in fields(self):
            v = getattr(self, f.name)
            lo_ok = v >= 0.0 if f.name in zero_ok else v > 0.0
            if not (isinstance(v, (int, float)) and math.isfinite(v) and lo_ok):
                raise ValueError(f"CascadedPIDGains.{f.name} must be finite and "
                                 f"{'>= 0' if f.name in zero_ok else '> 0'} (got {v!r})")
        if self.max_tilt_rad >= 0.5 * math.pi:
            raise ValueError(f"CascadedPIDGains.max_tilt_rad must be in (0, pi/2) (got {self.max_tilt_rad})")
        if self.thrust_margin > 1.0:
            raise ValueError(f"CascadedPIDGains.thrust_margin must be in (0, 1] (got {self.thrust_margin})")


def _quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    aw, ax, ay, az = a
    bw, bx, by, bz = b
    return np.array([aw * bw - ax * bx - ay * by - az * bz,
                     aw * bx + ax * bw + ay * bz - az * by,
                     aw * by - ax * bz + ay * bw + az * bx,
                     aw * bz + ax * by - ay * bx + az * bw])


def _quat_from_matrix(r: np.ndarray) -> np.ndarray:
    """Unit quaternion (w, x, y, z) of a rotation matrix (Shepperd's method)."""
    tr = r[0, 0] + r[1, 1] + r[2, 2]
    if tr > 0.0:
        s = 2.0 * math.sqrt(tr + 1.0)
        q = np.array([0.25 * s, (r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s])
    elif r[0, 0] > r[1, 1] and r[0, 0] > r[2, 2]:
        s = 2.0 * math.sqrt(1.0 + r[0, 0] - r[1, 1] - r[2, 2])
        q = np.array([(r[2, 1] - r[1, 2]) / s, 0.25 * s, (r[0, 1] + r[1, 0]) / s, (r[0, 2] + r[2, 0]) / s])
    elif r[1, 1] > r[2, 2]:
        s = 2.0 * math.sqrt(1.0 + r[1, 1] - r[0, 0] - r[2, 2])
        q = np.array([(r[0, 2] - r[2, 0]) / s, (r[0, 1] + r[1, 0]) / s, 0.25 * s, (r[1, 2] + r[2, 1]) / s])
    else:
        s = 2.0 * math.sqrt(1.0 + r[2, 2] - r[0, 0] - r[1, 1])
        q = np.array([(r[1, 0] - r[0, 1]) / s, (r[0, 2] + r[2, 0]) / s, (r[1, 2] + r[2, 1]) / s, 0.25 * s])
    return q / np.linalg.norm(q)


class CascadedPIDPlanner(AbstractPlanner):
    """Cascaded position -> velocity PI -> attitude -> body-rate controller with integral action (CTBR).

    See the module docstring for the design and its sources.

    Args:
        gains: :class:`CascadedPIDGains` (default gains).

    Raises:
        RuntimeError: :meth:`compute_planner_trajectory` before :meth:`initialize`.
    """

    command_mode = "ctbr"

    def __init__(self, gains: CascadedPIDGains | None = None) -> None:
        self.gains = gains or CascadedPIDGains()
        self._init: PlannerInitialization | None = None
        self._integral = np.zeros(3)
        self._p_ref = np.zeros(3)
        self._v_ref = np.zeros(3)
        self._a_ref = np.zeros(3)
        self._started = False

    def name(self) -> str:
        return "CascadedPIDPlanner"

    def initialize(self, initialization: PlannerInitialization) -> None:
        self._init = initialization
        self._integral = np.zeros(3)
        self._p_ref = np.zeros(3)
        self._v_ref = np.zeros(3)
        self._a_ref = np.zeros(3)
        self._started = False

    # ------------------------------------------------------------------ trajectory law
    def _descent_cap(self, z: float) -> float:
        """Largest descent rate (m/s) that can stop above ``z_floor`` at ``a_floor``."""
        g = self.gains
        return math.sqrt(2.0 * g.a_floor_m_s2 * max(z - g.z_floor_m, 0.0))

    def _target_velocity(self, position: np.ndarray, waypoint: np.ndarray) -> np.ndarray:
        g = self.gains
        e = waypoint - position
        d = float(np.linalg.norm(e))
        if d < 1e-9:
            return np.zeros(3)
        u = e / d
        s = min(g.v_max_m_s, math.sqrt(g.v_pass_m_s ** 2 + 2.0 * g.a_brake_m_s2 * d))
        vz_down = min(g.v_down_max_m_s, self._descent_cap(position[2]))
        if u[2] > 1e-9:
            s = min(s, g.v_up_max_m_s / u[2])
        elif u[2] < -1e-9:
            s = min(s, max(vz_down, 0.1 * g.v_pass_m_s) / -u[2])
        return s * u

    # ------------------------------------------------------------------ control
    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        init = self._init
        if init is None:
            raise RuntimeError("CascadedPIDPlanner.initialize() was not called")
        g = self.gains
        dt = init.time_step_s
        state, progress = current_input.history.current_state
        af = init.physics.airframe
        grav = af.weight_n / af.mass_kg
        p = state.position
        v = state.velocity
        k = min(progress.active_index, len(init.waypoints) - 1)

        # 1. trajectory law: reference velocity through a limited second-order filter
        if not self._started:
            self._p_ref = p.copy()
            self._v_ref = v.copy()
            self._started = True
        target = self._target_velocity(self._p_ref, init.waypoints[k])
        a_target = g.k_ref * (target - self._v_ref)
        n_a = float(np.linalg.norm(a_target))
        if n_a > g.a_ref_max_m_s2:
            a_target *= g.a_ref_max_m_s2 / n_a
        da = (a_target - self._a_ref) * min(dt / g.tau_ref_s, 1.0)
        n_da = float(np.linalg.norm(da))
        if n_da > g.j_ref_max_m_s3 * dt:
            da *= g.j_ref_max_m_s3 * dt / n_da
        self._a_ref = self._a_ref + da
        self._p_ref = self._p_ref + self._v_ref * dt + 0.5 * self._a_ref * dt * dt
        self._v_ref = self._v_ref + self._a_ref * dt
        cap = self._descent_cap(min(self._p_ref[2], p[2]))
        if self._v_ref[2] < -cap:
            self._v_ref[2] = -cap
            self._a_ref[2] = max(self._a_ref[2], 0.0)
        a_ff = self._a_ref

        # 2. position P -> velocity PI
        ep = self._p_ref - p
        n_ep = float(np.linalg.norm(ep))
        if n_ep > g.e_max_m:
            ep *= g.e_max_m / n_ep
        ev = self._v_ref + g.k_p * ep - v
        # the vertical integral is the hover-thrust error: it scales the whole acceleration
        # command (a heavier or weaker drone needs proportionally more thrust for every m/s^2)
        gamma = 1.0 + self._integral[2] / grav
        a_des = gamma * (a_ff + g.k_v * ev + np.array([0.0, 0.0, grav]))
        a_des[:2] += self._integral[:2]
        a_des[2] -= grav

        # 3. thrust vector with tilt priority and thrust limit
        acc = a_des.copy()
        acc[2] = max(acc[2], -0.8 * grav)  # never ask for less than 20 % of hover thrust
        f_max = g.thrust_margin * af.max_collective_thrust_n / af.mass_kg  # (m/s^2) nominal
        fz = min(acc[2] + grav, f_max)
        acc[2] = fz - grav
        h_max = min(fz * math.tan(g.max_tilt_rad), math.sqrt(max(f_max ** 2 - fz ** 2, 0.0)))
        h = math.hypot(acc[0], acc[1])
        if h > h_max:
            acc[:2] *= h_max / h
        # anti-windup: integrate an axis only when its command is not saturated, or when the
        # error drives the command back from the limit
        saturated = np.abs(acc - a_des) > 1e-9
        winding = np.sign(ev) == np.sign(a_des - acc)
        mask = ~(saturated & winding)
        k_i = np.array([g.k_i, g.k_i, g.k_i_z])
        self._integral = np.clip(self._integral + k_i * ev * dt * mask, -g.i_max_m_s2, g.i_max_m_s2)

        force = af.mass_kg * (acc + np.array([0.0, 0.0, grav]))
        rot = state.rotation_matrix()
        thrust = float(np.clip(force @ rot[:, 2], 0.0, af.max_collective_thrust_n))

        # 4. desired attitude (zero yaw) -> tilt-prioritized body-rate command
        b3 = force / max(float(np.linalg.norm(force)), 1e-9)
        b2 = np.cross(b3, np.array([1.0, 0.0, 0.0]))
        nb2 = float(np.linalg.norm(b2))
        b2 = b2 / nb2 if nb2 > 1e-6 else np.array([0.0, 1.0, 0.0])
        b1 = np.cross(b2, b3)
        q_d = _quat_from_matrix(np.column_stack((b1, b2, b3)))
        q = np.asarray(state.attitude, dtype=np.float64)
        q_e = _quat_mul(np.array([q[0], -q[1], -q[2], -q[3]]), q_d)
        if q_e[0] < 0.0:
            q_e = -q_e
        # Brescianini 2013: q_e = q_red (x) q_yaw; q_red = (w, x, y, 0), q_yaw = (cos, 0, 0, sin)
        n_wz = math.hypot(q_e[0], q_e[3])
        if n_wz > 1e-9:
            qyaw_w, qyaw_z = q_e[0] / n_wz, q_e[3] / n_wz
            red_x = qyaw_w * q_e[1] - qyaw_z * q_e[2]
            red_y = qyaw_w * q_e[2] + qyaw_z * q_e[1]
        else:  # upside down: pure tilt error
            qyaw_w, qyaw_z, red_x, red_y = 1.0, 0.0, q_e[1], q_e[2]
        rates = np.array([2.0 * g.k_tilt * red_x, 2.0 * g.k_tilt * red_y,
                          2.0 * g.k_yaw * math.copysign(1.0, qyaw_w) * qyaw_z])
        lim = np.asarray(init.physics.max_body_rate_rad_s, dtype=np.float64)
        return DroneCommand.ctbr(thrust, np.clip(rates, -lim, lim))
