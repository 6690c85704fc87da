"""DroneCommand: what a planner outputs (nuPlan's AbstractTrajectory for drones)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simhops.dynamics.kernels.layout import ACTION_MODES
from simhops.dynamics.kernels.physics import denormalize_action_one
from simhops.dynamics.physics.physics_params import PhysicsParams


@dataclass(frozen=True, slots=True, eq=False)
class DroneCommand:
    """A command held for one control step, in SI units.

    | mode | ``values`` (4,) |
    |---|---|
    | ``"ctbr"`` | collective thrust (N), body rates p, q, r (rad/s, body FLU) |
    | ``"motor"`` | thrust of motors m0..m3 (N) |

    ``normalized`` keeps the [-1, 1] action it came from, when it came from one.
    """

    mode: str
    values: np.ndarray
    normalized: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.mode not in ACTION_MODES:
            raise ValueError(f"DroneCommand.mode must be one of {sorted(ACTION_MODES)} (got {self.mode!r})")
        v = np.asarray(self.values, dtype=np.float64)
        if v.shape != (4,):
            raise ValueError(f"DroneCommand.values must have shape (4,), got {v.shape}")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"DroneCommand.values must be finite, got {v}")
        object.__setattr__(self, "values", v)

    @property
    def mode_id(self) -> int:
        """Kernel mode constant (MODE_CTBR / MODE_MOTOR)."""
        return ACTION_MODES[self.mode]

    @classmethod
    def ctbr(cls, collective_thrust_n: float, body_rates_rad_s) -> "DroneCommand":
        """Collective thrust (N) and body rates (3,) rad/s."""
        r = np.asarray(body_rates_rad_s, dtype=np.float64).reshape(-1)
        return cls("ctbr", np.array([collective_thrust_n, r[0], r[1], r[2]], dtype=np.float64))

    @classmethod
    def motor(cls, motor_thrusts_n) -> "DroneCommand":
        """Per-motor thrusts (4,) N."""
        return cls("motor", np.asarray(motor_thrusts_n, dtype=np.float64))

    @classmethod
    def from_normalized(cls, action: np.ndarray, mode: str, physics: PhysicsParams) -> "DroneCommand":
        """Map a normalized action in [-1, 1]^4 (clipped) to SI, with the kernels' own mapping.

        Raises:
            ValueError: ``action`` not of shape (4,) or not finite (names the offending entries).
        """
        a = np.asarray(action, dtype=np.float64)
        if a.shape != (4,):
            raise ValueError(f"action must have shape (4,) with values in [-1, 1], got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"action must be finite, with values in [-1, 1]; got {a} "
                             f"(non-finite at index {np.flatnonzero(~np.isfinite(a)).tolist()})")
        out = np.empty(4)
        denormalize_action_one(a, ACTION_MODES[mode], physics.as_array(), out)
        return cls(mode, out, np.clip(a, -1.0, 1.0))

    def to_normalized(self, physics: PhysicsParams) -> np.ndarray:
        """Inverse of :meth:`from_normalized` (clipped to [-1, 1]), shape (4,)."""
        if self.normalized is not None:
            return self.normalized
        af = physics.airframe
        if self.mode == "ctbr":
            a = np.empty(4)
            a[0] = self.values[0] / af.max_collective_thrust_n * 2.0 - 1.0
            a[1:] = self.values[1:] / np.asarray(physics.max_body_rate_rad_s)
        else:
            a = self.values / af.max_motor_thrust_n * 2.0 - 1.0
        return np.clip(a, -1.0, 1.0)
