"""PhysicsParams: airframe + motor + rate controller + integration settings, as the kernel array."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simhops.dynamics.kernels import layout as L
from simhops.dynamics.physics.airframe import AIRFRAMES, CF2X, GRAVITY_M_S2, Airframe


@dataclass(frozen=True)
class PhysicsParams:
    """Everything the physics kernel needs for one control step.

    | field | unit | default | why |
    |---|---|---|---|
    | ``airframe`` | - | cf2x | see :class:`~simhops.dynamics.physics.airframe.Airframe` |
    | ``control_dt_s`` | s | 0.02 | 50 Hz planner / env step |
    | ``substeps`` | - | 5 | 250 Hz physics (4 ms sub-step): RK4 error is negligible at this step for the rigid body (bandwidth ~ 10 Hz), the exactly-integrated motor lag and the P rate loop (Kp dt = 0.08) are stable with margin; 5 sub-steps is also the configuration of the issue's numba ceiling |
    | ``motor_tau_s`` | s | 0.03 | first-order thrust lag of the 7 mm coreless motors: a modelling choice in the 15-50 ms range used by Crazyflie simulators, not a datasheet value |
    | ``rate_gains`` | 1/s | (20, 20, 10) | body-rate P gains; with tau = 30 ms the roll/pitch loop has damping 1 / (2 sqrt(Kp tau)) = 0.65 |
    | ``max_body_rate_rad_s`` | rad/s | (5, 5, 2) | body rate commanded by a normalized action of +-1 (CTBR) |
    """

    airframe: Airframe = CF2X
    control_dt_s: float = 0.02
    substeps: int = 5
    motor_tau_s: float = 0.03
    rate_gains: tuple[float, float, float] = (20.0, 20.0, 10.0)
    max_body_rate_rad_s: tuple[float, float, float] = (5.0, 5.0, 2.0)
    _array: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.control_dt_s) and self.control_dt_s > 0):
            raise ValueError(f"PhysicsParams.control_dt_s must be > 0 (got {self.control_dt_s})")
        if not (isinstance(self.substeps, int) and 1 <= self.substeps <= 100):
            raise ValueError(f"PhysicsParams.substeps must be an int in [1, 100] (got {self.substeps!r})")
        if not (math.isfinite(self.motor_tau_s) and self.motor_tau_s > 0):
            raise ValueError(f"PhysicsParams.motor_tau_s must be > 0 (got {self.motor_tau_s})")
        for name in ("rate_gains", "max_body_rate_rad_s"):
            v = getattr(self, name)
            if len(v) != 3 or not all(math.isfinite(x) and x > 0 for x in v):
                raise ValueError(f"PhysicsParams.{name} must be 3 finite values > 0 (got {v!r})")
        af = self.airframe
        a = np.zeros(L.PHYS_DIM)
        dt_sub = self.control_dt_s / self.substeps
        a[L.P_MASS] = af.mass_kg
        a[L.P_GRAVITY] = GRAVITY_M_S2
        a[L.P_IXX], a[L.P_IYY], a[L.P_IZZ] = af.inertia_kg_m2
        a[L.P_TMAX] = af.max_motor_thrust_n
        a[L.P_MOTOR_ALPHA] = math.exp(-dt_sub / self.motor_tau_s)
        a[L.P_YAW_K] = af.yaw_moment_per_thrust_m
        a[L.P_ARM_XY] = af.motor_offset_m
        a[L.P_KP_X], a[L.P_KP_Y], a[L.P_KP_Z] = self.rate_gains
        a[L.P_DT_SUB] = dt_sub
        a[L.P_N_SUB] = self.substeps
        a[L.P_MAX_RATE_X], a[L.P_MAX_RATE_Y], a[L.P_MAX_RATE_Z] = self.max_body_rate_rad_s
        a.flags.writeable = False
        object.__setattr__(self, "_array", a)

    @classmethod
    def from_config(cls, cfg) -> "PhysicsParams":
        """Build from a :class:`~simhops.config.SimHopsConfig` (``physics``, ``env``, ``scenario.control_hz``)."""
        return cls(
            airframe=AIRFRAMES[cfg.physics.airframe],
            control_dt_s=1.0 / cfg.scenario.control_hz,
            substeps=cfg.physics.substeps,
            motor_tau_s=cfg.physics.motor_tau_s,
            rate_gains=tuple(cfg.physics.rate_gains),
            max_body_rate_rad_s=tuple(cfg.env.max_body_rate_rad_s),
        )

    def as_array(self) -> np.ndarray:
        """The read-only kernel parameter vector (PHYS_DIM,)."""
        return self._array
