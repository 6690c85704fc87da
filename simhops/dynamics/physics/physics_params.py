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


def _disturbance_kwargs(cfg) -> dict:
    """PhysicsParams fields from ``cfg.disturbances`` and ``cfg.randomization`` (absent sections: off)."""
    out: dict = {}
    d = getattr(cfg, "disturbances", None)
    if d is not None:
        out.update(wind_m_s=tuple(d.wind_m_s), gust_std_m_s=d.gust_std_m_s, gust_tau_s=d.gust_tau_s,
                   obs_noise=(d.obs_noise_position_m, d.obs_noise_velocity_m_s, d.obs_noise_attitude_rad,
                              d.obs_noise_body_rates_rad_s),
                   latency_steps=d.latency_steps, motor_noise=d.motor_noise)
    r = getattr(cfg, "randomization", None)
    if r is not None:
        spec: list[float] = []
        for q in L.RAND_QUANTITIES:
            rs = getattr(r, q)
            spec += [float(L.RAND_KINDS[rs.kind]), rs.low, rs.high]
        if any(spec[3 * q] != L.RAND_OFF for q in range(len(L.RAND_QUANTITIES))):
            out["randomization"] = tuple(spec)
    return out


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
    | ``gust_std_m_s`` / ``gust_tau_s`` | m/s / s | 0 / 1 | Ornstein-Uhlenbeck gusts per axis (0: off) |
    | ``obs_noise`` | m, m/s, rad, rad/s | (0, 0, 0, 0) | observation noise std: position, velocity, attitude, body rates |
    | ``latency_steps`` | control steps | 0 | action latency (FIFO) |
    | ``motor_noise`` | - | 0 | motor-command noise std / T_max |
    | ``randomization`` | - | None | (RAND_DIM,) spec ``[kind, low, high] x layout.RAND_QUANTITIES``; None: off |

    The row :meth:`as_array` is the *nominal* plant: what a planner may know. Randomized
    plants are drawn from it per episode by the kernels (``kernels.disturbance``).
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
    gust_std_m_s: float = 0.0
    gust_tau_s: float = 1.0
    obs_noise: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    latency_steps: int = 0
    motor_noise: float = 0.0
    randomization: tuple[float, ...] | None = None
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
        if len(self.obs_noise) != 4 or not all(math.isfinite(x) and x >= 0 for x in self.obs_noise):
            raise ValueError(f"PhysicsParams.obs_noise must be 4 finite values >= 0 (got {self.obs_noise!r})")
        if not (math.isfinite(self.gust_std_m_s) and self.gust_std_m_s >= 0 and self.gust_tau_s > 0):
            raise ValueError(f"PhysicsParams.gust_std_m_s must be >= 0 and gust_tau_s > 0 "
                             f"(got {self.gust_std_m_s}, {self.gust_tau_s})")
        if not (isinstance(self.latency_steps, int) and 0 <= self.latency_steps <= L.MAX_LATENCY_STEPS):
            raise ValueError(f"PhysicsParams.latency_steps must be an int in [0, {L.MAX_LATENCY_STEPS}] "
                             f"(got {self.latency_steps!r})")
        if not (math.isfinite(self.motor_noise) and 0 <= self.motor_noise <= 1):
            raise ValueError(f"PhysicsParams.motor_noise must be in [0, 1] (got {self.motor_noise})")
        if self.randomization is not None and len(self.randomization) != L.RAND_DIM:
            raise ValueError(f"PhysicsParams.randomization must have {L.RAND_DIM} values (got {len(self.randomization)})")
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
        a[L.P_GUST_STD] = self.gust_std_m_s
        a[L.P_GUST_PHI] = math.exp(-self.control_dt_s / self.gust_tau_s)
        a[L.P_LATENCY] = self.latency_steps
        a[L.P_NOISE_POS], a[L.P_NOISE_VEL], a[L.P_NOISE_ATT], a[L.P_NOISE_RATE] = self.obs_noise
        a[L.P_MOTOR_NOISE] = self.motor_noise
        a[L.P_CONTROL_DT] = self.control_dt_s
        a.flags.writeable = False
        return a

    @property
    def randomize(self) -> bool:
        """True when any quantity is randomized per episode."""
        r = self.randomization
        return r is not None and any(r[3 * q] != L.RAND_OFF for q in range(len(L.RAND_QUANTITIES)))

    @property
    def disturbed(self) -> bool:
        """True when any disturbance or randomization is on (the kernels then draw random numbers)."""
        a = self._array
        return bool(self.randomize or a[L.P_GUST_STD] > 0 or a[L.P_LATENCY] > 0 or a[L.P_MOTOR_NOISE] > 0
                    or any(a[[L.P_NOISE_POS, L.P_NOISE_VEL, L.P_NOISE_ATT, L.P_NOISE_RATE]] > 0))

    def rand_array(self) -> np.ndarray:
        """The (RAND_DIM,) randomization spec for the kernels (zeros = all off)."""
        r = np.zeros(L.RAND_DIM) if self.randomization is None else np.array(self.randomization, dtype=np.float64)
        r.flags.writeable = False
        return r

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
            **_disturbance_kwargs(cfg),
        )

    def with_airframe(self, airframe: Airframe) -> "PhysicsParams":
        """The same settings for another airframe (e.g. a randomized plant)."""
        return replace(self, airframe=airframe)

    def as_array(self) -> np.ndarray:
        """The read-only kernel parameter vector (PHYS_DIM,)."""
        return self._array
