"""SimulationHistory: the permanent, array-backed record of an episode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import numpy as np

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.dynamics.kernels.layout import ACTION_MODES, STATE_DIM
from simhops.dynamics.physics.plant_params import plant_params_from_rows
from simhops.simulation.history.plant_record import plant_record
from simhops.simulation.observation.course_observation import CourseProgress
from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration
from simhops.dynamics.state.drone_state import DroneState

if TYPE_CHECKING:
    from simhops.scenario.scenario import Scenario
    from simhops.simulation.history.ego_state import EgoState

_MODE_NAMES = {v: k for k, v in ACTION_MODES.items()}


@dataclass(frozen=True, slots=True)
class SimulationHistorySample:
    """One step: the state and observation at ``iteration`` and the command applied from there."""

    iteration: SimulationIteration
    drone_state: DroneState
    command: DroneCommand
    observation: CourseProgress


class SimulationHistory:
    """Every step of an episode as arrays (row k = iteration k), plus the final state.

    | array | shape | unit |
    |---|---|---|
    | ``time_us`` | (T,) int64 | us since start |
    | ``states`` | (T, 17) | DroneState layout |
    | ``commands`` | (T, 4) | SI command (NaN on the last row) |
    | ``command_modes`` | (T,) int8 | 0 ctbr, 1 motor, -1 none |
    | ``active_index`` | (T,) int64 | waypoints reached at that time |
    | ``crash`` | (T,) int8 | crash code at that time |
    | ``wind_m_s`` | (T, 3) | m/s, world ENU: wind acting on the drone (constant + gust) during the step that led to row k (row 0: the initial wind); NaN where not recorded |

    ``T = len(self) + 1``: the ``len(self)`` samples and the state reached after
    the last command. Callbacks must treat it as read-only (seed 000, gotcha 2):
    the array properties return read-only views. ``states`` are the *true* states
    (the planner's buffer holds the observed ones, see :class:`~simhops.simulation.simulation.Simulation`).

    :attr:`plant_params`: the episode's sampled plant (privileged; a
    :func:`~simhops.simulation.history.plant_record.plant_record`, or None when unknown).
    """

    def __init__(self, scenario: "Scenario") -> None:
        self.scenario = scenario
        cap = scenario.get_number_of_iterations()
        self._time_us = np.zeros(cap, dtype=np.int64)
        self._states = np.zeros((cap, STATE_DIM))
        self._commands = np.full((cap, 4), np.nan)
        self._modes = np.full(cap, -1, dtype=np.int8)
        self._active = np.zeros(cap, dtype=np.int64)
        self._progress = np.zeros(cap)
        self._distance = np.zeros(cap)
        self._crash = np.zeros(cap, dtype=np.int8)
        self._wind = np.full((cap, 3), np.nan)
        self._n_samples = 0
        self._has_last = False
        self._plant_params: dict[str, Any] | None = None
        self._plant_row: np.ndarray | None = None

    #: names of :meth:`to_arrays`, in file order
    ARRAY_NAMES = ("time_us", "states", "commands", "command_modes", "active_index", "progress_m", "distance_m",
                   "crash", "wind_m_s")

    @property
    def plant_params(self) -> dict[str, Any] | None:
        """The episode's sampled plant and disturbance parameters (privileged), or None when unknown.

        Set from ``DroneController.plant_params`` by :meth:`Simulation.initialize`; stored as
        :func:`~simhops.simulation.history.plant_record.plant_record` (floats, int latency, tuples).
        """
        if self._plant_params is None and self._plant_row is not None:  # named on first use
            row = plant_params_from_rows(self._plant_row)
            self._plant_params = plant_record({k: v[0] for k, v in row.items()})
        return None if self._plant_params is None else dict(self._plant_params)

    @plant_params.setter
    def plant_params(self, value: Mapping[str, Any] | None) -> None:
        self._plant_params = plant_record(value)
        self._plant_row = None

    def set_plant_row(self, row: np.ndarray | None) -> None:
        """Set :attr:`plant_params` from a kernel plant row (PHYS_DIM,) (copied; named on first read)."""
        self._plant_params = None
        self._plant_row = None if row is None else np.array(row, dtype=np.float64)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The recorded rows as ``{name: array}`` (read-only views, ``T = n_rows`` rows each).

        | name | shape, dtype | unit |
        |---|---|---|
        | ``time_us`` | (T,) int64 | us since start |
        | ``states`` | (T, 17) float64 | DroneState layout |
        | ``commands`` | (T, 4) float64 | SI command (NaN on the last-state row) |
        | ``command_modes`` | (T,) int8 | 0 ctbr, 1 motor, -1 none |
        | ``active_index`` | (T,) int64 | waypoints reached |
        | ``progress_m`` | (T,) float64 | m |
        | ``distance_m`` | (T,) float64 | m, to the active waypoint |
        | ``crash`` | (T,) int8 | crash code |
        | ``wind_m_s`` | (T, 3) float64 | m/s, world ENU (NaN where not recorded) |

        With :attr:`has_last_state` and ``len(self)`` this is everything
        :meth:`from_arrays` needs to rebuild the history bit for bit.
        """
        return {
            "time_us": self.time_us, "states": self.states, "commands": self.commands,
            "command_modes": self.command_modes, "active_index": self.active_index,
            "progress_m": self.progress_m, "distance_m": self.distance_m, "crash": self.crash,
            "wind_m_s": self.wind_m_s,
        }

    @property
    def has_last_state(self) -> bool:
        """Whether the state reached after the last sample is recorded (row ``len(self)``)."""
        return self._has_last

    @classmethod
    def from_arrays(cls, scenario: "Scenario", time_us: np.ndarray, states: np.ndarray, commands: np.ndarray,
                    command_modes: np.ndarray, active_index: np.ndarray, crash: np.ndarray,
                    progress_m: np.ndarray | None = None, distance_m: np.ndarray | None = None,
                    wind_m_s: np.ndarray | None = None, *, has_last_state: bool = True,
                    plant_params: Mapping[str, Any] | None = None) -> "SimulationHistory":
        """Rebuild a history from the arrays of :meth:`to_arrays` (T rows each).

        With ``has_last_state`` (every history a finished :class:`Simulation` produces)
        the T rows are T - 1 samples plus the last state; without it (a run cut inside
        ``propagate``) they are T samples. ``distance_m`` / ``progress_m`` default to
        values recomputed from the positions / zeros, ``wind_m_s`` (T, 3) to NaN (not recorded);
        ``plant_params`` sets :attr:`plant_params`.

        Raises:
            ValueError: inconsistent lengths, or more rows than the scenario has iterations.
        """
        h = cls(scenario)
        t = len(time_us)
        cap = h._states.shape[0]
        n_samples = t - 1 if has_last_state else t
        if t < 1 or t > cap or n_samples >= cap:
            raise ValueError(f"history of {t} rows ({n_samples} samples) does not fit scenario {scenario.name!r} "
                             f"({cap} iterations)")
        for name, arr in (("states", states), ("commands", commands), ("command_modes", command_modes),
                          ("active_index", active_index), ("crash", crash), ("progress_m", progress_m),
                          ("distance_m", distance_m), ("wind_m_s", wind_m_s)):
            if arr is not None and len(arr) != t:
                raise ValueError(f"{name} has {len(arr)} rows, expected {t}")
        if wind_m_s is not None:
            h._wind[:t] = wind_m_s
        h.plant_params = plant_params
        h._time_us[:t] = time_us
        h._states[:t] = states
        h._commands[:t] = commands
        h._modes[:t] = command_modes
        h._active[:t] = active_index
        h._crash[:t] = crash
        if distance_m is None:
            wp = scenario.waypoints
            k = np.minimum(np.asarray(active_index), len(wp) - 1)
            distance_m = np.where(np.asarray(active_index) >= len(wp), 0.0,
                                  np.linalg.norm(wp[k] - np.asarray(states)[:, 0:3], axis=1))
        if progress_m is None:
            progress_m = np.zeros(t)
        h._distance[:t] = distance_m
        h._progress[:t] = progress_m
        h._n_samples = n_samples
        h._has_last = bool(has_last_state)
        return h

    def _write(self, k: int, iteration: SimulationIteration, state: DroneState, obs: CourseProgress) -> None:
        self._time_us[k] = iteration.time_us
        self._states[k] = state.array
        self._active[k] = obs.active_index
        self._progress[k] = obs.progress_m
        self._distance[k] = obs.distance_m
        self._crash[k] = obs.crash
        self._wind[k] = obs.wind_m_s

    def add_sample(self, sample: SimulationHistorySample) -> None:
        """Record one step (called by ``Simulation.propagate``)."""
        k = self._n_samples
        if k >= self._states.shape[0] - 1:
            raise IndexError(f"SimulationHistory is full ({k} samples for scenario {self.scenario.name!r})")
        self._write(k, sample.iteration, sample.drone_state, sample.observation)
        self._commands[k] = sample.command.values
        self._modes[k] = sample.command.mode_id
        self._n_samples = k + 1
        self._has_last = False

    def record_last_state(self, iteration: SimulationIteration, state: DroneState, obs: CourseProgress) -> None:
        """Record the state reached after the last sample (row ``len(self)``)."""
        self._write(self._n_samples, iteration, state, obs)
        self._commands[self._n_samples] = np.nan
        self._modes[self._n_samples] = -1
        self._has_last = True

    def reset(self) -> None:
        self._n_samples = 0
        self._has_last = False
        self._plant_params = None
        self._plant_row = None

    def __len__(self) -> int:
        return self._n_samples

    @property
    def n_rows(self) -> int:
        """Rows holding data: samples plus the last state if recorded."""
        return self._n_samples + (1 if self._has_last else 0)

    def _view(self, a: np.ndarray) -> np.ndarray:
        v = a[: self.n_rows]
        v = v.view()
        v.flags.writeable = False
        return v

    @property
    def time_us(self) -> np.ndarray:
        return self._view(self._time_us)

    @property
    def time_s(self) -> np.ndarray:
        return self.time_us / 1_000_000

    @property
    def states(self) -> np.ndarray:
        return self._view(self._states)

    @property
    def positions(self) -> np.ndarray:
        """(T, 3) m, world ENU."""
        return self.states[:, 0:3]

    @property
    def commands(self) -> np.ndarray:
        return self._view(self._commands)

    @property
    def command_modes(self) -> np.ndarray:
        return self._view(self._modes)

    @property
    def active_index(self) -> np.ndarray:
        return self._view(self._active)

    @property
    def progress_m(self) -> np.ndarray:
        return self._view(self._progress)

    @property
    def distance_m(self) -> np.ndarray:
        return self._view(self._distance)

    @property
    def crash(self) -> np.ndarray:
        return self._view(self._crash)

    @property
    def wind_m_s(self) -> np.ndarray:
        """(T, 3) m/s, world ENU: the wind of each row (see the class docstring)."""
        return self._view(self._wind)

    @property
    def waypoints_reached(self) -> int:
        """Waypoints reached by the end of the record."""
        return int(self._active[self.n_rows - 1]) if self.n_rows else 0

    def _progress_at(self, k: int) -> CourseProgress:
        n_wp = int(self.scenario.waypoints.shape[0])
        reached_now = int(self._active[k] - self._active[k - 1]) if k > 0 else 0
        w = self._wind[k]
        return CourseProgress(int(self._active[k]), n_wp, reached_now, float(self._progress[k]),
                              float(self._distance[k]), int(self._crash[k]), (float(w[0]), float(w[1]), float(w[2])))

    def __getitem__(self, k: int) -> SimulationHistorySample:
        if k < 0:
            k += self._n_samples
        if not 0 <= k < self._n_samples:
            raise IndexError(f"sample {k} out of range [0, {self._n_samples - 1}]")
        step_us = self.scenario.time_step_us
        return SimulationHistorySample(
            iteration=SimulationIteration(int(self._time_us[k] // step_us), int(self._time_us[k])),
            drone_state=DroneState.from_array(self._states[k]),
            command=DroneCommand(_MODE_NAMES[int(self._modes[k])], self._commands[k].copy()),
            observation=self._progress_at(k),
        )

    def __iter__(self) -> Iterator[SimulationHistorySample]:
        for k in range(self._n_samples):
            yield self[k]

    @property
    def samples(self) -> list[SimulationHistorySample]:
        return list(self)

    @property
    def ego_states(self) -> list["EgoState"]:
        """nuPlan's name: every recorded state (``n_rows``, the last state included), oldest first,
        as :class:`EgoState` (a :class:`DroneState` with ``center`` and ``dynamic_car_state``)."""
        from simhops.simulation.history.ego_state import EgoState

        return [EgoState.from_array(self._states[k]) for k in range(self.n_rows)]

    @property
    def last_state(self) -> DroneState:
        """The newest recorded state (after the last command if recorded)."""
        if self.n_rows == 0:
            raise IndexError("SimulationHistory is empty")
        return DroneState.from_array(self._states[self.n_rows - 1])

    @property
    def last_observation(self) -> CourseProgress:
        if self.n_rows == 0:
            raise IndexError("SimulationHistory is empty")
        return self._progress_at(self.n_rows - 1)
