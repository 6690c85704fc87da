"""Quadrotor airframe parameters.

The default airframe is the Bitcraze Crazyflie 2.x in "X" configuration, with the
values of gym-pybullet-drones ``gym_pybullet_drones/assets/cf2x.urdf``
(Panerati et al., "Learning to Fly -- a Gym Environment with PyBullet Physics for
Reinforcement Learning of Multi-agent Quadcopter Control", IROS 2021).

Frames: world ENU (z up, gravity along -z), body FLU (x forward, y left, z up).
Motor layout (top view, body frame), following cf2x.urdf's propeller positions::

        y (left)
        ^
    m2  |  m3            m_i at (x_i, y_i) = (+-a, +-a), a = arm / sqrt(2)
    ----+----> x (fwd)   m0 = (+a, -a), m1 = (-a, -a), m2 = (-a, +a), m3 = (+a, +a)
    m1  |  m0            yaw-torque sign s = (-1, +1, -1, +1) (gym-pybullet-drones
                         BaseAviary._dynamics: z_torque = -t0 + t1 - t2 + t3)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Airframe", "CF2X", "GRAVITY_M_S2"]

#: Gravity (m/s^2): standard gravity 9.80665 (ISO 80000-3) rounded to 9.81, as in most
#: quadrotor texts (gym-pybullet-drones uses 9.8; the difference is 0.1 % of hover thrust).
GRAVITY_M_S2: float = 9.81


@dataclass(frozen=True)
class Airframe:
    """Rigid-body and propulsion constants of one quadrotor.

    | field | unit | meaning | cf2x value and source |
    |---|---|---|---|
    | ``name`` | - | identifier | ``"cf2x"`` |
    | ``mass_kg`` | kg | total mass | 0.027 (cf2x.urdf ``<mass value=".027"/>``) |
    | ``arm_m`` | m | centre-to-rotor distance | 0.0397 (cf2x.urdf ``arm``) |
    | ``inertia_kg_m2`` | kg m^2 | diagonal inertia (Ixx, Iyy, Izz), body FLU | (1.4e-5, 1.4e-5, 2.17e-5) (cf2x.urdf) |
    | ``kf`` | N / RPM^2 | thrust coefficient, T = kf * rpm^2 | 3.16e-10 (cf2x.urdf) |
    | ``km`` | N m / RPM^2 | drag-torque coefficient, Q = km * rpm^2 | 7.94e-12 (cf2x.urdf) |
    | ``thrust_to_weight`` | - | total max thrust / weight | 2.25 (cf2x.urdf) |

    Derived: ``max_motor_thrust_n = thrust_to_weight * mass * g / 4`` (0.149 N for cf2x),
    ``yaw_moment_per_thrust_m = km / kf`` (0.0251 m: rotor reaction torque per newton
    of thrust), ``hover_motor_thrust_n = mass * g / 4`` (0.0662 N).
    """

    name: str
    mass_kg: float
    arm_m: float
    inertia_kg_m2: tuple[float, float, float]
    kf: float
    km: float
    thrust_to_weight: float

    def __post_init__(self) -> None:
        for field, value in (("mass_kg", self.mass_kg), ("arm_m", self.arm_m), ("kf", self.kf),
                             ("km", self.km), ("thrust_to_weight", self.thrust_to_weight)):
            if not (math.isfinite(value) and value > 0.0):
                raise ValueError(f"Airframe.{field} must be finite and > 0 (got {value!r})")
        if len(self.inertia_kg_m2) != 3 or not all(math.isfinite(i) and i > 0 for i in self.inertia_kg_m2):
            raise ValueError(f"Airframe.inertia_kg_m2 must be 3 finite values > 0 (got {self.inertia_kg_m2!r})")
        if self.thrust_to_weight <= 1.0:
            raise ValueError(f"Airframe.thrust_to_weight must be > 1 to hover (got {self.thrust_to_weight})")

    @property
    def weight_n(self) -> float:
        """Weight m*g (N)."""
        return self.mass_kg * GRAVITY_M_S2

    @property
    def max_motor_thrust_n(self) -> float:
        """Maximum thrust of one motor (N): thrust_to_weight * m * g / 4."""
        return self.thrust_to_weight * self.weight_n / 4.0

    @property
    def max_collective_thrust_n(self) -> float:
        """Maximum total thrust of the four motors (N)."""
        return 4.0 * self.max_motor_thrust_n

    @property
    def hover_motor_thrust_n(self) -> float:
        """Per-motor thrust that balances gravity (N)."""
        return self.weight_n / 4.0

    @property
    def yaw_moment_per_thrust_m(self) -> float:
        """Rotor reaction torque per newton of thrust, km / kf (m)."""
        return self.km / self.kf

    @property
    def motor_offset_m(self) -> float:
        """|x| = |y| of each rotor in the body frame, arm / sqrt(2) (m)."""
        return self.arm_m / math.sqrt(2.0)

    def motor_positions_m(self) -> np.ndarray:
        """Rotor positions in the body FLU frame, shape (4, 3), m."""
        a = self.motor_offset_m
        return np.array([[a, -a, 0.0], [-a, -a, 0.0], [-a, a, 0.0], [a, a, 0.0]])


CF2X = Airframe(
    name="cf2x",
    mass_kg=0.027,
    arm_m=0.0397,
    inertia_kg_m2=(1.4e-5, 1.4e-5, 2.17e-5),
    kf=3.16e-10,
    km=7.94e-12,
    thrust_to_weight=2.25,
)

AIRFRAMES: dict[str, Airframe] = {"cf2x": CF2X}
