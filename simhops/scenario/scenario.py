"""Scenario: one waypoint course and its episode settings."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simhops.dynamics.state.drone_state import DroneState


def number_of_iterations(duration_s: float, time_step_s: float) -> int:
    """Time points of an episode of ``duration_s`` at ``time_step_s``, t = 0 included.

    ``round(duration_s / time_step_s) + 1``: the one formula for the episode length, used by
    :meth:`Scenario.get_number_of_iterations` and (through
    :attr:`~simhops.scenario.scenario_builder.ScenarioBuilder.number_of_iterations`) by the
    vector env, so single and batched episodes always have ``number_of_iterations - 1`` steps.
    """
    return int(round(duration_s / time_step_s)) + 1


@dataclass(frozen=True, eq=False)
class Scenario:
    """A course to fly and how long to fly it.

    | field | unit | meaning |
    |---|---|---|
    | ``name`` | - | unique within a benchmark |
    | ``waypoints`` | (K, 3) m, world ENU | the course, flown in order (read-only copy); finite, at or above the ground (z >= 0), inside the dome (\\|p\\| <= ``dome_radius_m``) |
    | ``initial_state`` | - | :class:`DroneState` at t = 0; finite, at or above the ground, inside the dome |
    | ``time_step_s`` | s | control period (stored exactly as integer ``time_step_us``) |
    | ``duration_s`` | s | episode time limit |
    | ``reach_radius_m`` | m | a waypoint is reached within this distance |
    | ``dome_radius_m`` | m | flight dome around the origin |
    | ``seed`` | - | the seed a random course was drawn from (None for named tracks) |

    :meth:`get_number_of_iterations` (``round(duration / time_step) + 1`` time points,
    so ``round(duration / time_step)`` steps) is the source of truth for the episode length.

    Scenarios compare equal when :meth:`to_dict` does, and hash consistently with that.

    Raises:
        ValueError: a field out of range (the message names it and, for waypoints, the first bad row).
    """

    name: str
    waypoints: np.ndarray
    initial_state: DroneState
    time_step_s: float = 0.02
    duration_s: float = 20.0
    reach_radius_m: float = 0.2
    dome_radius_m: float = 5.0
    seed: int | None = None
    time_step_us: int = field(init=False)

    def __post_init__(self) -> None:
        wp = np.array(self.waypoints, dtype=np.float64)
        if wp.ndim != 2 or wp.shape[1] != 3 or wp.shape[0] < 1:
            raise ValueError(f"Scenario.waypoints must have shape (K, 3) with K >= 1, got {wp.shape}")
        if not np.all(np.isfinite(wp)):
            row = int(np.flatnonzero(~np.isfinite(wp).all(axis=1))[0])
            raise ValueError(f"Scenario.waypoints must be finite (row {row}: {wp[row].tolist()})")
        wp.flags.writeable = False
        object.__setattr__(self, "waypoints", wp)
        if not isinstance(self.initial_state, DroneState):
            raise ValueError(f"Scenario.initial_state must be a DroneState, got {type(self.initial_state).__name__}")
        for name in ("time_step_s", "duration_s", "reach_radius_m", "dome_radius_m"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0):
                raise ValueError(f"Scenario.{name} must be a finite number > 0 (got {v!r})")
        self._check_inside(wp)
        step_us = int(round(self.time_step_s * 1e6))
        if step_us < 1:
            raise ValueError(f"Scenario.time_step_s must be >= 1e-6 s (got {self.time_step_s})")
        if self.duration_s < self.time_step_s:
            raise ValueError(f"Scenario.duration_s={self.duration_s} must be >= time_step_s={self.time_step_s}")
        object.__setattr__(self, "time_step_us", step_us)

    def _check_inside(self, wp: np.ndarray) -> None:
        """Waypoints and start: at or above the ground (z >= 0 m) and inside the dome (|p| <= dome radius).

        Squared norms, no ``np.linalg.norm``: the vector env's recorder builds one scenario per episode.
        """
        r = self.dome_radius_m
        if (wp[:, 2] < 0.0).any():
            k = int(np.flatnonzero(wp[:, 2] < 0.0)[0])
            raise ValueError(f"Scenario.waypoints must be at or above the ground, z >= 0 m "
                             f"(row {k}: {wp[k].tolist()})")
        sq = (wp * wp).sum(axis=1)
        if (sq > r * r).any():
            k = int(np.flatnonzero(sq > r * r)[0])
            raise ValueError(f"Scenario.waypoints must lie inside the dome, |p| <= dome_radius_m = {r} m "
                             f"(row {k}: {wp[k].tolist()}, |p| = {math.sqrt(sq[k]):.6g} m)")
        s = self.initial_state.array
        if not np.isfinite(s).all():
            bad = np.flatnonzero(~np.isfinite(s)).tolist()
            raise ValueError(f"Scenario.initial_state must be finite (non-finite entries {bad})")
        x, y, z = float(s[0]), float(s[1]), float(s[2])
        if z < 0.0:
            raise ValueError(f"Scenario.initial_state must be at or above the ground, z >= 0 m "
                             f"(position {[x, y, z]})")
        if x * x + y * y + z * z > r * r:
            raise ValueError(f"Scenario.initial_state must lie inside the dome, |p| <= dome_radius_m = {r} m "
                             f"(position {[x, y, z]})")

    @property
    def scenario_name(self) -> str:
        """nuPlan's spelling of :attr:`name`."""
        return self.name

    @property
    def database_interval(self) -> float:
        """nuPlan's name of :attr:`time_step_s` (s between two iterations; seed 001)."""
        return self.time_step_s

    def get_time_horizon(self) -> float:
        """nuPlan's name of :attr:`duration_s` (s; seed 001)."""
        return self.duration_s

    @property
    def n_waypoints(self) -> int:
        return int(self.waypoints.shape[0])

    def get_number_of_iterations(self) -> int:
        """Time points of the episode, t = 0 included: :func:`number_of_iterations` ``(duration_s, time_step_s)``."""
        return number_of_iterations(self.duration_s, self.time_step_s)

    def to_dict(self) -> dict:
        """Plain-python form (lists and floats) for serialization."""
        return {
            "name": self.name,
            "waypoints": self.waypoints.tolist(),
            "initial_state": self.initial_state.array.tolist(),
            "time_step_s": self.time_step_s,
            "duration_s": self.duration_s,
            "reach_radius_m": self.reach_radius_m,
            "dome_radius_m": self.dome_radius_m,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Scenario":
        """Inverse of :meth:`to_dict`."""
        return cls(name=d["name"], waypoints=np.asarray(d["waypoints"]),
                   initial_state=DroneState.from_array(np.asarray(d["initial_state"])),
                   time_step_s=d["time_step_s"], duration_s=d["duration_s"], reach_radius_m=d["reach_radius_m"],
                   dome_radius_m=d["dome_radius_m"], seed=d.get("seed"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        """Consistent with ``__eq__``: equal scenarios (same :meth:`to_dict`) hash alike."""
        d = self.to_dict()
        # + 0.0 maps -0.0 to 0.0, which compare equal in to_dict (all entries are finite)
        return hash((d["name"], (self.waypoints + 0.0).tobytes(), (self.initial_state.array + 0.0).tobytes(),
                     d["time_step_s"],
                     d["duration_s"], d["reach_radius_m"], d["dome_radius_m"], d["seed"]))
