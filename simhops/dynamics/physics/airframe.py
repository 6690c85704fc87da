"""Quadrotor airframe parameters, loaded from YAML data files.

The airframes shipped with simhops live in ``simhops/dynamics/physics/airframes/*.yaml``
(package data); every constant there carries its source in a comment:

| name | what |
|---|---|
| ``cf2x`` (default) | Crazyflie 2.x bare, 27 g: firmware / Förster 2015 inertia, arm and yaw torque, gym-pybullet-drones (Förster) thrust coefficient and drag, L2F rotor time constants |
| ``cf2x_L250`` | Crazyflie 2.x 31.9 g with the 250 mAh battery, utiasDSL drone-models ``params.toml [cf2x_L250]`` |

:func:`load_airframe` takes one of these names or the path of a user's YAML file with the
same keys (see :class:`Airframe`; the config schema validates such a file with its
``AirframeSpec`` model before the run starts).

Frames: world ENU (z up, gravity along -z), body FLU (x forward, y left, z up).
Motor layout (top view, body frame), the Crazyflie firmware's numbering
(``power_distribution_quadrotor.c``: m0 = T - roll - pitch - yaw, ...)::

        y (left)
        ^
    m2  |  m3            m_i at (x_i, y_i) = (+-a, +-a), a = arm / sqrt(2)
    ----+----> x (fwd)   m0 = (+a, -a), m1 = (-a, -a), m2 = (-a, +a), m3 = (+a, +a)
    m1  |  m0            yaw-torque sign s = (-1, +1, -1, +1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

__all__ = ["Airframe", "AIRFRAME_DIR", "CF2X", "GRAVITY_M_S2", "airframe_names", "load_airframe"]

#: Gravity (m/s^2): standard gravity 9.80665 (ISO 80000-3) rounded to 9.81, as in most
#: quadrotor texts and in drone-models / L2F (gym-pybullet-drones uses 9.8).
GRAVITY_M_S2: float = 9.81

#: Folder of the shipped airframe files.
AIRFRAME_DIR: Path = Path(__file__).resolve().parent / "airframes"


@dataclass(frozen=True)
class Airframe:
    """Rigid-body, propulsion and aerodynamic constants of one quadrotor (SI units).

    | field | unit | meaning | cf2x value (source in ``airframes/cf2x.yaml``) |
    |---|---|---|---|
    | ``name`` | - | identifier | ``"cf2x"`` |
    | ``mass_kg`` | kg | total mass | 0.027 |
    | ``arm_m`` | m | centre-to-rotor distance | 0.046 (firmware ``ARM_LENGTH``) |
    | ``inertia_kg_m2`` | kg m^2 | diagonal inertia (Ixx, Iyy, Izz), body FLU | (16.6e-6, 16.6e-6, 29.3e-6) (firmware / Förster 2015) |
    | ``thrust_coefficient_n_s2`` | N/(rad/s)^2 | kf in T = kf w^2 | 2.88e-8 (gym-pybullet-drones 3.16e-10 N/rpm^2) |
    | ``max_motor_thrust_n`` | N | thrust of one motor at full speed | 0.12 (firmware ``THRUST_MAX``) |
    | ``yaw_moment_per_thrust_m`` | m | rotor reaction torque per newton of thrust | 0.005964552 (firmware ``THRUST2TORQUE``) |
    | ``motor_tau_up_s`` / ``motor_tau_down_s`` | s | rotor-speed time constants, spin-up / spin-down | 0.0555 / 0.2494 (L2F ``crazyflie.h``) |
    | ``drag_n_s_m`` | N/(m/s) | linear body-frame drag (x, y, z) | (5.57e-3, 5.57e-3, 6.25e-3) (Förster via gym-pybullet-drones) |
    | ``prop_radius_m`` | m | propeller radius (ground effect) | 0.0231 (gym-pybullet-drones) |
    | ``description`` | - | free text | |

    Derived: ``max_rotor_speed_rad_s = sqrt(max_motor_thrust / kf)``, ``thrust_to_weight =
    4 max_motor_thrust / (m g)``, ``hover_motor_thrust_n = m g / 4``.

    Raises:
        ValueError: a value is non-finite or out of range (message names the field), or
            thrust-to-weight <= 1 (cannot hover).
    """

    name: str
    mass_kg: float
    arm_m: float
    inertia_kg_m2: tuple[float, float, float]
    thrust_coefficient_n_s2: float
    max_motor_thrust_n: float
    yaw_moment_per_thrust_m: float
    motor_tau_up_s: float
    motor_tau_down_s: float
    drag_n_s_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    prop_radius_m: float = 0.0231348
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "inertia_kg_m2", tuple(float(x) for x in self.inertia_kg_m2))
        object.__setattr__(self, "drag_n_s_m", tuple(float(x) for x in self.drag_n_s_m))
        for f in ("mass_kg", "arm_m", "thrust_coefficient_n_s2", "max_motor_thrust_n", "yaw_moment_per_thrust_m",
                  "motor_tau_up_s", "motor_tau_down_s", "prop_radius_m"):
            value = getattr(self, f)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0.0):
                raise ValueError(f"Airframe.{f} must be finite and > 0 (got {value!r})")
        if len(self.inertia_kg_m2) != 3 or not all(math.isfinite(i) and i > 0 for i in self.inertia_kg_m2):
            raise ValueError(f"Airframe.inertia_kg_m2 must be 3 finite values > 0 (got {self.inertia_kg_m2!r})")
        if len(self.drag_n_s_m) != 3 or not all(math.isfinite(d) and d >= 0 for d in self.drag_n_s_m):
            raise ValueError(f"Airframe.drag_n_s_m must be 3 finite values >= 0 (got {self.drag_n_s_m!r})")
        if self.thrust_to_weight <= 1.0:
            raise ValueError(f"Airframe.max_motor_thrust_n={self.max_motor_thrust_n} gives thrust-to-weight "
                             f"{self.thrust_to_weight:.3f}: must be > 1 to hover")

    @classmethod
    def from_yaml(cls, path: str | Path) -> "Airframe":
        """Read an airframe file (keys = the fields of this class).

        Raises:
            FileNotFoundError: no such file.
            ValueError: not a mapping, unknown or missing keys, or a bad value.
        """
        p = Path(path)
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"airframe file {p} must hold a mapping of the Airframe fields")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"airframe file {p}: unknown keys {unknown}; allowed: {sorted(known)}")
        try:
            return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items()})
        except TypeError as e:
            raise ValueError(f"airframe file {p}: {e}") from None

    @property
    def weight_n(self) -> float:
        """Weight m*g (N)."""
        return self.mass_kg * GRAVITY_M_S2

    @property
    def kf(self) -> float:
        """Thrust coefficient (N/(rad/s)^2), alias of ``thrust_coefficient_n_s2``."""
        return self.thrust_coefficient_n_s2

    @property
    def thrust_to_weight(self) -> float:
        """Total maximum thrust / weight (-)."""
        return 4.0 * self.max_motor_thrust_n / self.weight_n

    @property
    def max_rotor_speed_rad_s(self) -> float:
        """Rotor speed at maximum thrust, sqrt(T_max / kf) (rad/s)."""
        return math.sqrt(self.max_motor_thrust_n / self.thrust_coefficient_n_s2)

    @property
    def max_collective_thrust_n(self) -> float:
        """Maximum total thrust of the four motors (N)."""
        return 4.0 * self.max_motor_thrust_n

    @property
    def hover_motor_thrust_n(self) -> float:
        """Per-motor thrust that balances gravity (N)."""
        return self.weight_n / 4.0

    @property
    def yaw_moment_per_thrust(self) -> float:
        """Alias of ``yaw_moment_per_thrust_m`` (m)."""
        return self.yaw_moment_per_thrust_m

    @property
    def motor_offset_m(self) -> float:
        """|x| = |y| of each rotor in the body frame, arm / sqrt(2) (m)."""
        return self.arm_m / math.sqrt(2.0)

    def motor_positions_m(self) -> np.ndarray:
        """Rotor positions in the body FLU frame, shape (4, 3), m."""
        a = self.motor_offset_m
        return np.array([[a, -a, 0.0], [-a, -a, 0.0], [-a, a, 0.0], [a, a, 0.0]])


def airframe_names() -> list[str]:
    """Names of the shipped airframes (the YAML files in :data:`AIRFRAME_DIR`)."""
    return sorted(p.stem for p in AIRFRAME_DIR.glob("*.yaml"))


def load_airframe(name_or_path: str | Path) -> Airframe:
    """A shipped airframe by name (``"cf2x"``) or a user's YAML file by path.

    Raises:
        ValueError: neither a shipped name nor an existing ``.yaml``/``.yml`` file, or a bad file.
    """
    s = str(name_or_path)
    if s in airframe_names():
        return Airframe.from_yaml(AIRFRAME_DIR / f"{s}.yaml")
    p = Path(s).expanduser()
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return Airframe.from_yaml(p)
    raise ValueError(f"physics.airframe={s!r} is neither a shipped airframe {airframe_names()} "
                     f"nor an existing .yaml file")


#: The default airframe.
CF2X: Airframe = load_airframe("cf2x")
