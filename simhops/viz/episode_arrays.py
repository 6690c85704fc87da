"""EpisodeArrays: one flown episode as plain numpy arrays, the input of every "episode -> Rerun" logging.

``simhops.viz`` sits below ``simhops.simulation``, so it never imports ``SimulationHistory``;
:meth:`EpisodeArrays.from_history` reads any object with the history's public array attributes
(``scenario``, ``time_s``, ``states``, ``active_index``, ``crash``, optional ``commands``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simhops.dynamics.kernels.layout import CRASH_NAMES, CRASH_NONE, MOTORS, POS, QUAT, RATES, STATE_DIM, VEL

__all__ = ["EpisodeArrays"]


@dataclass(frozen=True, eq=False)
class EpisodeArrays:
    """One episode, row k = time point k (``T`` rows).

    | field | shape | unit / frame |
    |---|---|---|
    | ``name`` | - | scenario name |
    | ``time_s`` | (T,) | s since the episode start |
    | ``states`` | (T, 17) | drone state layout (``simhops.dynamics.kernels.layout``): position m ENU, quaternion (w, x, y, z) body FLU -> world, velocity m/s ENU, body rates rad/s FLU, motor thrusts N |
    | ``active_index`` | (T,) int | waypoints reached at that time |
    | ``crash`` | (T,) int | crash code (``CRASH_NAMES``) at that time |
    | ``waypoints`` | (K, 3) | m, world ENU |
    | ``reach_radius_m`` / ``dome_radius_m`` | - | m |

    Raises:
        ValueError: arrays of inconsistent length or wrong width (the message names the field).
    """

    name: str
    time_s: np.ndarray
    states: np.ndarray
    active_index: np.ndarray
    crash: np.ndarray
    waypoints: np.ndarray
    reach_radius_m: float
    dome_radius_m: float

    def __post_init__(self) -> None:
        t = np.asarray(self.time_s, dtype=np.float64).reshape(-1)
        n = t.shape[0]
        states = np.asarray(self.states, dtype=np.float64)
        if states.shape != (n, STATE_DIM):
            raise ValueError(f"EpisodeArrays.states must have shape ({n}, {STATE_DIM}), got {states.shape}")
        for name in ("active_index", "crash"):
            if np.shape(getattr(self, name)) != (n,):
                raise ValueError(f"EpisodeArrays.{name} must have shape ({n},), got {np.shape(getattr(self, name))}")
        wp = np.asarray(self.waypoints, dtype=np.float64)
        if wp.ndim != 2 or wp.shape[1] != 3:
            raise ValueError(f"EpisodeArrays.waypoints must have shape (K, 3), got {wp.shape}")
        object.__setattr__(self, "time_s", t)
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "active_index", np.asarray(self.active_index, dtype=np.int64))
        object.__setattr__(self, "crash", np.asarray(self.crash, dtype=np.int64))
        object.__setattr__(self, "waypoints", wp)

    @classmethod
    def from_history(cls, history: Any) -> "EpisodeArrays":
        """Arrays of a ``SimulationHistory`` (or any object with the same public attributes).

        ``time_s`` is shifted so the first row is at 0 s.
        """
        sc = history.scenario
        t = np.asarray(history.time_s, dtype=np.float64)
        t = t - t[0] if t.shape[0] else t
        return cls(name=str(sc.name), time_s=t, states=np.asarray(history.states), active_index=history.active_index,
                   crash=history.crash, waypoints=np.asarray(sc.waypoints), reach_radius_m=float(sc.reach_radius_m),
                   dome_radius_m=float(sc.dome_radius_m))

    # ---------------------------------------------------------------- derived series
    @property
    def n_rows(self) -> int:
        return int(self.time_s.shape[0])

    @property
    def n_waypoints(self) -> int:
        return int(self.waypoints.shape[0])

    @property
    def positions(self) -> np.ndarray:
        """(T, 3) m, world ENU."""
        return self.states[:, POS:POS + 3]

    @property
    def quaternions_wxyz(self) -> np.ndarray:
        """(T, 4) body FLU -> world, (w, x, y, z)."""
        return self.states[:, QUAT:QUAT + 4]

    @property
    def speed_m_s(self) -> np.ndarray:
        """(T,) m/s, norm of the world velocity."""
        return np.linalg.norm(self.states[:, VEL:VEL + 3], axis=1)

    @property
    def body_rates_rad_s(self) -> np.ndarray:
        """(T, 3) rad/s, body FLU (roll, pitch, yaw rate)."""
        return self.states[:, RATES:RATES + 3]

    @property
    def collective_thrust_n(self) -> np.ndarray:
        """(T,) N, sum of the four motor thrusts."""
        return self.states[:, MOTORS:MOTORS + 4].sum(axis=1)

    @property
    def tilt_deg(self) -> np.ndarray:
        """(T,) deg, angle between body +z and world +z (``cos = 1 - 2 (x^2 + y^2)`` of the unit quaternion)."""
        q = self.quaternions_wxyz
        norm2 = np.maximum(np.sum(q * q, axis=1), 1e-12)
        c = 1.0 - 2.0 * (q[:, 1] ** 2 + q[:, 2] ** 2) / norm2
        return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))

    @property
    def waypoints_reached(self) -> int:
        return int(self.active_index[-1]) if self.n_rows else 0

    @property
    def success(self) -> bool:
        return self.n_waypoints > 0 and self.waypoints_reached >= self.n_waypoints

    @property
    def crash_cause(self) -> str:
        """``none`` or the first crash code's name (``ground``, ``dome``, ``non_finite``)."""
        nz = np.flatnonzero(self.crash != CRASH_NONE)
        code = int(self.crash[nz[0]]) if nz.shape[0] else CRASH_NONE
        return CRASH_NAMES[code] if 0 <= code < len(CRASH_NAMES) else f"code {code}"

    @property
    def outcome(self) -> str:
        """``completed``, ``crashed (<cause>)`` or ``incomplete``."""
        if self.success:
            return "completed"
        cause = self.crash_cause
        return f"crashed ({cause})" if cause != "none" else "incomplete"

    @property
    def duration_s(self) -> float:
        return float(self.time_s[-1]) if self.n_rows else 0.0

    def reach_times_s(self) -> list[float]:
        """Time [s] at which each reached waypoint was reached (len = waypoints reached)."""
        rows = np.flatnonzero(np.diff(self.active_index) > 0) + 1
        return [float(self.time_s[r]) for r in rows]
