"""CourseObservation: which waypoint is active, which are reached, crash state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simhops.dynamics.kernels.course import crash_code_one, distance_to, track_course_one
from simhops.dynamics.kernels.layout import C_DOME, C_REACH, COURSE_DIM, CRASH_NAMES, CRASH_NONE
from simhops.simulation.observation.abstract_observation import AbstractObservation
from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration
from simhops.dynamics.state.drone_state import DroneState

if TYPE_CHECKING:
    from simhops.scenario.scenario import Scenario


@dataclass(frozen=True, slots=True)
class CourseProgress:
    """Course status after a step (the observation value).

    | field | unit | meaning |
    |---|---|---|
    | ``active_index`` | - | first waypoint not yet reached (== n_waypoints when complete) |
    | ``n_waypoints`` | - | K |
    | ``reached_now`` | - | waypoints reached during the last step |
    | ``progress_m`` | m | decrease of the distance to the waypoint active before the step |
    | ``distance_m`` | m | distance to the active waypoint (0 when complete) |
    | ``crash`` | - | 0 none, 1 ground, 2 dome, 3 non-finite state |
    | ``wind_m_s`` | m/s, world ENU | wind (constant + gust) acting on the drone during the step that led here (at t = 0: the episode's initial wind); (0, 0, 0) without a wind source |

    The course fields come from the *true* state (the referee's view); ``wind_m_s`` is
    simulation ground truth too (issue 8: the wind belongs to the course observation and the
    history, not to the policy observation).
    """

    active_index: int
    n_waypoints: int
    reached_now: int
    progress_m: float
    distance_m: float
    crash: int
    wind_m_s: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def waypoints_reached(self) -> int:
        """Waypoints reached so far, in order."""
        return self.active_index

    @property
    def completed(self) -> bool:
        return self.active_index >= self.n_waypoints

    @property
    def crashed(self) -> bool:
        return self.crash != CRASH_NONE

    @property
    def crash_cause(self) -> str:
        """"none", "ground", "dome" or "non_finite"."""
        return CRASH_NAMES[self.crash]

    def reached_mask(self) -> np.ndarray:
        """(K,) bool: waypoint i is reached iff i < active_index."""
        return np.arange(self.n_waypoints) < self.active_index


class CourseObservation(AbstractObservation):
    """Tracks the drone along the scenario's course with :func:`~simhops.dynamics.kernels.course.track_course_one`.

    Args:
        scenario: the course.
        wind_source: an object with a ``wind_m_s`` attribute ((3,) m/s, world ENU), read after
            each step (e.g. the :class:`~simhops.simulation.controller.drone_controller.DroneController`
            of the setup); None: the wind is reported as zero.
    """

    def __init__(self, scenario: "Scenario", wind_source: Any = None) -> None:
        self._waypoints = np.ascontiguousarray(scenario.waypoints, dtype=np.float64)
        self._n = int(self._waypoints.shape[0])
        course = np.zeros(COURSE_DIM)
        course[C_REACH] = scenario.reach_radius_m
        course[C_DOME] = scenario.dome_radius_m
        self._course = course
        self._progress: CourseProgress | None = None
        self._wind_source = wind_source

    def _wind(self) -> tuple[float, float, float]:
        if self._wind_source is None:
            return (0.0, 0.0, 0.0)
        x, y, z = self._wind_source.wind_m_s.tolist()
        return (x, y, z)

    def initialize(self, drone_state: DroneState) -> None:
        s = drone_state.array
        self._progress = CourseProgress(0, self._n, 0, 0.0, float(distance_to(s, self._waypoints, 0)),
                                        int(crash_code_one(s, self._course)), self._wind())

    def reset(self) -> None:
        self._progress = None

    def get_observation(self) -> CourseProgress:
        if self._progress is None:
            raise RuntimeError("CourseObservation was not initialized")
        return self._progress

    def update_observation(self, iteration: SimulationIteration, next_iteration: SimulationIteration,
                           drone_state: DroneState) -> None:
        p = self.get_observation()
        active, reached, progress, dist, crash = track_course_one(
            drone_state.array, self._waypoints, self._n, p.active_index, p.distance_m, self._course)
        self._progress = CourseProgress(int(active), self._n, int(reached), float(progress), float(dist), int(crash),
                                        self._wind())
