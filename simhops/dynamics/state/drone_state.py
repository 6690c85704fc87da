"""DroneState: the quadrotor's full state at one instant."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simhops.dynamics.kernels.layout import MOTORS, POS, QUAT, RATES, STATE_DIM, VEL


@dataclass(frozen=True, slots=True, eq=False)
class DroneState:
    """Immutable drone state, backed by one read-only ``(17,)`` float64 array.

    | attribute | shape | unit | frame |
    |---|---|---|---|
    | ``position`` | (3,) | m | world ENU |
    | ``attitude`` | (4,) | quaternion (w, x, y, z), body FLU -> world | - |
    | ``velocity`` | (3,) | m/s | world ENU |
    | ``body_rates`` | (3,) | rad/s | body FLU |
    | ``motor_thrusts`` | (4,) | N | per motor m0..m3 |

    The rotor speeds are the motors' dynamic state; they are stored as the thrust they make,
    ``T_i = kf w_i^2`` (see :meth:`rotor_speeds`). Build with :meth:`from_array` or
    :meth:`hover`; ``array`` is the kernel layout.
    """

    array: np.ndarray

    @classmethod
    def from_array(cls, array: np.ndarray, copy: bool = True) -> "DroneState":
        """Wrap a (17,) state vector (copied unless ``copy=False``).

        Raises:
            ValueError: wrong shape.
        """
        a = np.array(array, dtype=np.float64, copy=copy)
        if a.shape != (STATE_DIM,):
            raise ValueError(f"DroneState array must have shape ({STATE_DIM},), got {a.shape}")
        a.flags.writeable = False
        return cls(a)

    @classmethod
    def build(cls, position, attitude=(1.0, 0.0, 0.0, 0.0), velocity=(0.0, 0.0, 0.0),
              body_rates=(0.0, 0.0, 0.0), motor_thrusts=(0.0, 0.0, 0.0, 0.0)) -> "DroneState":
        """Assemble a state from its parts (SI units, see class table); the quaternion is normalized.

        Raises:
            ValueError: a part has the wrong length, a zero quaternion, or non-finite values.
        """
        parts = {"position": (position, 3), "attitude": (attitude, 4), "velocity": (velocity, 3),
                 "body_rates": (body_rates, 3), "motor_thrusts": (motor_thrusts, 4)}
        arrays = []
        for name, (value, n) in parts.items():
            v = np.asarray(value, dtype=np.float64).reshape(-1)
            if v.shape != (n,):
                raise ValueError(f"DroneState.{name} must have {n} values, got shape {np.shape(value)}")
            if not np.all(np.isfinite(v)):
                raise ValueError(f"DroneState.{name} must be finite, got {v}")
            arrays.append(v)
        q_norm = np.linalg.norm(arrays[1])
        if q_norm == 0.0:
            raise ValueError("DroneState.attitude must be a non-zero quaternion")
        arrays[1] = arrays[1] / q_norm
        return cls.from_array(np.concatenate(arrays), copy=False)

    @classmethod
    def hover(cls, position, hover_motor_thrust_n: float) -> "DroneState":
        """Level, at rest at ``position`` (m), each motor at ``hover_motor_thrust_n`` (N)."""
        return cls.build(position, motor_thrusts=(hover_motor_thrust_n,) * 4)

    @property
    def position(self) -> np.ndarray:
        return self.array[POS:POS + 3]

    @property
    def attitude(self) -> np.ndarray:
        return self.array[QUAT:QUAT + 4]

    @property
    def velocity(self) -> np.ndarray:
        return self.array[VEL:VEL + 3]

    @property
    def body_rates(self) -> np.ndarray:
        return self.array[RATES:RATES + 3]

    @property
    def motor_thrusts(self) -> np.ndarray:
        return self.array[MOTORS:MOTORS + 4]

    def rotor_speeds(self, thrust_coefficient_n_s2: float) -> np.ndarray:
        """Rotor speeds ``sqrt(T_i / kf)`` (4,) rad/s for the airframe's ``kf`` (N/(rad/s)^2)."""
        return np.sqrt(np.maximum(self.motor_thrusts, 0.0) / thrust_coefficient_n_s2)

    def rotation_matrix(self) -> np.ndarray:
        """Rotation body FLU -> world ENU, shape (3, 3)."""
        w, x, y, z = self.attitude
        return np.array([
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ])

    def tilt_rad(self) -> float:
        """Angle between body z and world z (rad)."""
        w, x, y, z = self.attitude
        return float(np.arccos(np.clip(1 - 2 * (x * x + y * y), -1.0, 1.0)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DroneState) and np.array_equal(self.array, other.array)

    def __hash__(self) -> int:
        return hash(self.array.tobytes())
