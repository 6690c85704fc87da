"""PhysicsParams: airframe + rate controller + aerodynamics switches + integration settings, as the kernel array."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from simhops.dynamics.kernels import layout as L
from simhops.dynamics.physics.airframe import CF2X, GRAVITY_M_S2, Airframe, load_airframe


def motor_factors(tau_s: float, dt_sub_s: float) -> tuple[float, float, float]:
    """Exact sub-step factors of a first-order lag with time constant ``tau_s`` over ``dt_sub_s``.

    Returns ``(alpha, b1, b2)``: ``alpha = exp(-h/tau)`` (end value), ``b1 = (tau/h)(1 - alpha)``
    (mean of ``exp(-t/tau)`` over the sub-step), ``b2 = (tau/2h)(1 - alpha^2)`` (mean of
    ``exp(-2t/tau)``). ``expm1`` keeps them accurate when ``h << tau``.
    """
    x = dt_sub_s / tau_s
    alpha = math.exp(-x)
    b1 = -math.expm1(-x) / x
    b2 = -math.expm1(-2.0 * x) / (2.0 * x)
    return alpha, b1, b2


@dataclass(frozen=True)
class PhysicsParams:
    """Everything the physics kernel needs for one control step.

    | field | unit | default | why |
    |---|---|---|---|
    | ``airframe`` | - | cf2x | see :class:`~simhops.dynamics.physics.airframe.Airframe` (mass, inertia, rotor time constants, drag, ...) |
    | ``control_dt_s`` | s | 0.02 | 50 Hz planner / env step |
    | ``substeps`` | - | 5 | 250 Hz physics (4 ms sub-step): the rotor response is integrated exactly, RK4 error of the rigid body is ~1e-8 m, and the PD rate loop (closed-loop bandwidth ~ 30 rad/s) is well resolved |
    | ``rate_gains`` | 1/s | (120, 120, 60) | body-rate P gains ``Kp`` (torque = I Kp (w_des - w) - Kd tau_rotor) |
    | ``rate_d_gains`` | - | (5, 5, 3) | body-rate D gains ``Kd`` on the current rotor torque; with cf2x's rotor time constants a 5 rad/s roll step overshoots < 15 % and settles (+-5 %) in < 0.2 s (tests/test_dynamics_motor.py) |
    | ``max_body_rate_rad_s`` | rad/s | (5, 5, 2) | body rate commanded by a normalized action of +-1 (CTBR) |
    | ``drag`` | - | True | linear body-frame drag with the airframe's coefficients |
    | ``ground_effect`` | - | False | Cheeseman-Bennett thrust gain near z = 0 |
    | ``wind_m_s`` | m/s | (0, 0, 0) | constant wind, world ENU |
    """

    airframe: Airframe = CF2X
    control_dt_s: float = 0.02
    substeps: int = 5
    rate_gains: tuple[float, float, float] = (120.0, 120.0, 60.0)
    rate_d_gains: tuple[float, float, float] = (5.0, 5.0, 3.0)
    max_body_rate_rad_s: tuple[float, float, float] = (5.0, 5.0, 2.0)
    drag: bool = True
    ground_effect: bool = False
    wind_m_s: tuple[float, float, float] = (0.0, 0.0, 0.0)
    _array: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.control_dt_s) and self.control_dt_s > 0):
            raise ValueError(f"PhysicsParams.control_dt_s must be > 0 (got {self.control_dt_s})")
        if not (isinstance(self.substeps, int) and 1 <= self.substeps <= 100):
            raise ValueError(f"PhysicsParams.substeps must be an int in [1, 100] (got {self.substeps!r})")
        for name in ("rate_gains", "max_body_rate_rad_s"):
            v = getattr(self, name)
            if len(v) != 3 or not all(math.isfinite(x) and x > 0 for x in v):
                raise ValueError(f"PhysicsParams.{name} must be 3 finite values > 0 (got {v!r})")
        for name in ("rate_d_gains", "wind_m_s"):
            v = getattr(self, name)
            if len(v) != 3 or not all(math.isfinite(x) for x in v):
                raise ValueError(f"PhysicsParams.{name} must be 3 finite values (got {v!r})")
        if not all(0.0 <= x < 10.0 for x in self.rate_d_gains):
            raise ValueError(f"PhysicsParams.rate_d_gains must be in [0, 10) (got {self.rate_d_gains!r})")
        object.__setattr__(self, "_array", self._build_array())

    def _build_array(self) -> np.ndarray:
        af = self.airframe
        a = np.zeros(L.PHYS_DIM)
        dt_sub = self.control_dt_s / self.substeps
        a[L.P_MASS] = af.mass_kg
        a[L.P_GRAVITY] = GRAVITY_M_S2
        a[L.P_IXX], a[L.P_IYY], a[L.P_IZZ] = af.inertia_kg_m2
        a[L.P_TMAX] = af.max_motor_thrust_n
        a[L.P_YAW_K] = af.yaw_moment_per_thrust_m
        a[L.P_ARM_XY] = af.motor_offset_m
        a[L.P_KP_X], a[L.P_KP_Y], a[L.P_KP_Z] = self.rate_gains
        a[L.P_KD_X], a[L.P_KD_Y], a[L.P_KD_Z] = self.rate_d_gains
        a[L.P_DT_SUB] = dt_sub
        a[L.P_N_SUB] = self.substeps
        a[L.P_MAX_RATE_X], a[L.P_MAX_RATE_Y], a[L.P_MAX_RATE_Z] = self.max_body_rate_rad_s
        a[L.P_TAU_UP] = af.motor_tau_up_s
        a[L.P_TAU_DN] = af.motor_tau_down_s
        a[L.P_ALPHA_UP], a[L.P_B1_UP], a[L.P_B2_UP] = motor_factors(af.motor_tau_up_s, dt_sub)
        a[L.P_ALPHA_DN], a[L.P_B1_DN], a[L.P_B2_DN] = motor_factors(af.motor_tau_down_s, dt_sub)
        if self.drag:
            a[L.P_DRAG_X], a[L.P_DRAG_Y], a[L.P_DRAG_Z] = af.drag_n_s_m
        a[L.P_GROUND_EFFECT] = 1.0 if self.ground_effect else 0.0
        a[L.P_PROP_R] = af.prop_radius_m
        a[L.P_WIND_X], a[L.P_WIND_Y], a[L.P_WIND_Z] = self.wind_m_s
        a.flags.writeable = False
        return a

    @classmethod
    def from_config(cls, cfg) -> "PhysicsParams":
        """Build from a :class:`~simhops.config.SimHopsConfig` (``physics``, ``env``, ``scenario.control_hz``).

        Raises:
            ValueError: ``physics.airframe`` names no shipped airframe and no readable file.
        """
        pc = cfg.physics
        return cls(
            airframe=load_airframe(pc.airframe),
            control_dt_s=1.0 / cfg.scenario.control_hz,
            substeps=pc.substeps,
            rate_gains=tuple(pc.rate_gains),
            rate_d_gains=tuple(pc.rate_d_gains),
            max_body_rate_rad_s=tuple(cfg.env.max_body_rate_rad_s),
            drag=pc.drag,
            ground_effect=pc.ground_effect,
        )

    def with_airframe(self, airframe: Airframe) -> "PhysicsParams":
        """The same settings for another airframe (e.g. a randomized plant)."""
        return replace(self, airframe=airframe)

    def as_array(self) -> np.ndarray:
        """The read-only kernel parameter vector (PHYS_DIM,)."""
        return self._array
