"""EgoState: a :class:`DroneState` with nuPlan's read-only ego-state views (``center``, ``dynamic_car_state``).

Code written against nuPlan reads ``history.ego_states[-1].center.x`` or
``.dynamic_car_state.speed`` (seed 000's example callback). ``ego_states`` of the
history and the rolling buffer return these, so such code runs unchanged; everything
else is the drone state (``position``, ``velocity``, ``attitude``, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simhops.dynamics.state.drone_state import DroneState


@dataclass(frozen=True, slots=True)
class Point3D:
    """nuPlan's ``center`` for a drone: position (m, world ENU) and heading (yaw, rad, from +x toward +y)."""

    x: float
    y: float
    z: float
    heading: float


@dataclass(frozen=True, slots=True)
class Vector2D:
    """A horizontal vector (m/s, world ENU)."""

    x: float
    y: float

    def magnitude(self) -> float:
        """Euclidean norm."""
        return math.hypot(self.x, self.y)


@dataclass(frozen=True, slots=True)
class DynamicDroneState:
    """nuPlan's ``dynamic_car_state`` for a drone.

    | field | unit | meaning |
    |---|---|---|
    | ``speed`` | m/s | norm of the 3-D velocity (world ENU) |
    | ``rear_axle_velocity_2d`` | m/s | horizontal velocity (x, y), world ENU (a drone has no rear axle) |
    | ``vertical_velocity`` | m/s | z velocity, up positive |
    """

    speed: float
    rear_axle_velocity_2d: Vector2D
    vertical_velocity: float


class EgoState(DroneState):
    """A :class:`DroneState` that also answers nuPlan's ``center`` and ``dynamic_car_state``."""

    __slots__ = ()

    @classmethod
    def of(cls, state: DroneState) -> "EgoState":
        """View ``state`` (no copy of its read-only array)."""
        return state if isinstance(state, EgoState) else cls(state.array)

    @property
    def center(self) -> Point3D:
        """Position (m, world ENU) and yaw (rad)."""
        w, x, y, z = (float(v) for v in self.attitude)
        yaw = math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))
        px, py, pz = (float(v) for v in self.position)
        return Point3D(px, py, pz, yaw)

    @property
    def dynamic_car_state(self) -> DynamicDroneState:
        """Speed and velocities (m/s, world ENU)."""
        vx, vy, vz = (float(v) for v in self.velocity)
        return DynamicDroneState(math.sqrt(vx * vx + vy * vy + vz * vz), Vector2D(vx, vy), vz)
