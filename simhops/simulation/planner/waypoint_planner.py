"""WaypointPlanner: a classical cascaded position -> attitude -> body-rate controller."""

from __future__ import annotations

import numpy as np

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput


class WaypointPlanner(AbstractPlanner):
    """Flies to the active waypoint with a cascaded controller, outputs CTBR.

    1. position PD with a saturated position error: ``a = kp * sat(p_wp - p, e_max) - kd * v`` (m/s^2);
    2. tilt limit: horizontal acceleration capped at ``g * tan(max_tilt)``;
    3. thrust vector ``F = m (a + g z)``; collective thrust ``T = F . b3`` (N, clipped to the airframe's range);
    4. desired attitude: ``b3_d = F / |F|`` with zero yaw; attitude error
       ``e_R = vee(R_d^T R - R^T R_d) / 2`` (Lee, Leok & McClamroch, "Geometric tracking control of a
       quadrotor UAV on SE(3)", CDC 2010) and body-rate command ``w = -k_att * e_R``, clipped to the
       rate limits.

    | parameter | unit | default |
    |---|---|---|
    | ``kp`` | 1/s^2 | 4.0 |
    | ``kd`` | 1/s | 3.0 |
    | ``max_position_error_m`` | m | 1.0 |
    | ``max_tilt_rad`` | rad | 0.6 |
    | ``k_att`` | 1/s | 8.0 |
    """

    def __init__(self, kp: float = 4.0, kd: float = 3.0, max_position_error_m: float = 1.0,
                 max_tilt_rad: float = 0.6, k_att: float = 8.0) -> None:
        self.kp = kp
        self.kd = kd
        self.max_position_error_m = max_position_error_m
        self.max_tilt_rad = max_tilt_rad
        self.k_att = k_att
        self._init: PlannerInitialization | None = None

    def initialize(self, initialization: PlannerInitialization) -> None:
        self._init = initialization

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        init = self._init
        if init is None:
            raise RuntimeError("WaypointPlanner.initialize() was not called")
        state, progress = current_input.history.current_state
        af = init.physics.airframe
        g = af.weight_n / af.mass_kg
        k = min(progress.active_index, len(init.waypoints) - 1)
        err = init.waypoints[k] - state.position
        n = float(np.linalg.norm(err))
        if n > self.max_position_error_m:
            err = err * (self.max_position_error_m / n)
        acc = self.kp * err - self.kd * state.velocity
        a_h_max = g * np.tan(self.max_tilt_rad)
        a_h = float(np.hypot(acc[0], acc[1]))
        if a_h > a_h_max:
            acc[:2] *= a_h_max / a_h
        force = af.mass_kg * (acc + np.array([0.0, 0.0, g]))
        rot = state.rotation_matrix()
        thrust = float(np.clip(force @ rot[:, 2], 0.0, af.max_collective_thrust_n))
        b3 = force / max(float(np.linalg.norm(force)), 1e-9)
        b2 = np.cross(b3, np.array([1.0, 0.0, 0.0]))
        b2 /= max(float(np.linalg.norm(b2)), 1e-9)
        b1 = np.cross(b2, b3)
        rot_d = np.column_stack((b1, b2, b3))
        e = 0.5 * (rot_d.T @ rot - rot.T @ rot_d)
        e_r = np.array([e[2, 1], e[0, 2], e[1, 0]])
        rates = np.clip(-self.k_att * e_r, -np.asarray(init.physics.max_body_rate_rad_s),
                        np.asarray(init.physics.max_body_rate_rad_s))
        return DroneCommand.ctbr(thrust, rates)
