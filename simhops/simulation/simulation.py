"""Simulation: the closed loop of one scenario (nuPlan's Simulation for drones)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simhops.dynamics.state.drone_state import DroneState
from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.history.simulation_history import SimulationHistory, SimulationHistorySample
from simhops.simulation.history.simulation_history_buffer import SimulationHistoryBuffer
from simhops.simulation.observation.course_observation import CourseProgress
from simhops.simulation.planner.abstract_planner import PlannerInitialization, PlannerInput
from simhops.simulation.simulation_setup import SimulationSetup

if TYPE_CHECKING:
    from simhops.simulation.callback.abstract_callback import AbstractCallback

#: nuPlan's default rolling-buffer length (s); config key ``simulation.history_buffer_duration_s``
DEFAULT_HISTORY_BUFFER_DURATION_S = 2.0


class HistoryBufferTooSmallError(RuntimeError, ValueError):
    """``simulation_history_buffer_duration`` shorter than one time step.

    A ``RuntimeError`` as in nuPlan's ``Simulation`` (seed 003, "Common issues"), and a
    ``ValueError`` because it is a bad argument.
    """


class Simulation:
    """Runs a :class:`SimulationSetup` step by step::

        init = sim.initialize()                 # -> PlannerInitialization
        planner.initialize(init)
        while sim.is_simulation_running():
            planner_input = sim.get_planner_input()
            sim.propagate(planner.compute_planner_trajectory(planner_input))
        sim.history                              # the permanent record

    ``propagate`` records the current state and command in :attr:`history`, advances
    the clock, integrates the drone, updates the course observation and appends the
    new state to the rolling buffer. The episode stops when the clock reaches its end,
    the course is completed, or the drone crashes.

    ## What the planner sees, what the history keeps (sensor noise, issue 8)
    | record | drone state | course observation |
    |---|---|---|
    | :attr:`history_buffer` (the planner's ``PlannerInput.history``) | *observed*: ``ego_controller.observed_state()`` (the true state plus observation noise, drawn once per step; the true state when noise is off) | :class:`CourseProgress` from the true state, with the wind |
    | :attr:`history` (metrics, files, visualization) | *true* | the same |
    | :attr:`current_state` | *true* | the same |

    This is nuPlan's split: nuPlan's ``SimulationHistoryBuffer`` is what the planner is
    given as input, its ``SimulationHistory`` is the simulation's ground truth. nuPlan's ego
    state is noise-free, so both hold the same ego states there; a simhops planner instead
    reads its state through its sensors, as :class:`~simhops.envs.waypoints_env.WaypointsEnv`'s
    policy does, so a policy sees the same numbers in the env and in ``simhops eval``
    (same controller, same random stream, same draw order: plant at reset, noise after each
    integration). The course observation (waypoints reached, crash, distance) is the
    referee's and stays exact. The history also keeps the episode's sampled plant
    (``history.plant_params``, privileged, from ``ego_controller.plant_params``) and the wind
    (``history.wind_m_s``).

    Callbacks are not called here: the runner (or the env) owns the hooks; the
    ``callback`` given here is the one :class:`SimulationRunner` uses when it is given
    none itself (nuPlan's ``Simulation(simulation_setup, callback)``).

    Args:
        simulation_setup: the components.
        callback: observers of this simulation (or None).
        simulation_history_buffer_duration: seconds of past states kept in the rolling
            buffer (nuPlan's default 2.0 s; config ``simulation.history_buffer_duration_s``);
            the buffer holds ``int(duration / time_step) + 1`` states.

    Raises:
        HistoryBufferTooSmallError: (a ``RuntimeError``) buffer duration shorter than one time step.
        RuntimeError: ``get_planner_input``/``propagate`` before ``initialize``, or
            ``propagate`` after the episode ended.
    """

    def __init__(self, simulation_setup: SimulationSetup, callback: "AbstractCallback | None" = None,
                 simulation_history_buffer_duration: float = DEFAULT_HISTORY_BUFFER_DURATION_S) -> None:
        if isinstance(callback, (int, float)) and not isinstance(callback, bool):
            raise TypeError("Simulation(simulation_setup, callback=None, simulation_history_buffer_duration=2.0): "
                            "the second argument is the callback; pass the buffer duration by keyword")
        self._setup = simulation_setup
        self._scenario = simulation_setup.scenario
        self.callback = callback
        self._buffer_duration = simulation_history_buffer_duration
        if not simulation_history_buffer_duration >= self._scenario.time_step_s:
            raise HistoryBufferTooSmallError(
                f"simulation_history_buffer_duration too small: {simulation_history_buffer_duration} s is shorter "
                f"than the time step {self._scenario.time_step_s} s of scenario {self._scenario.name!r} "
                f"(config key simulation.history_buffer_duration_s)")
        self._history = SimulationHistory(self._scenario)
        self._history_buffer: SimulationHistoryBuffer | None = None
        self._current: tuple[DroneState, CourseProgress] | None = None
        self._is_simulation_running = False

    @property
    def setup(self) -> SimulationSetup:
        return self._setup

    @property
    def scenario(self):
        return self._scenario

    @property
    def history(self) -> SimulationHistory:
        return self._history

    @property
    def history_buffer(self) -> SimulationHistoryBuffer:
        if self._history_buffer is None:
            raise RuntimeError("Simulation was not initialized!")
        return self._history_buffer

    @property
    def current_state(self) -> tuple[DroneState, CourseProgress]:
        """The newest *true* (DroneState, CourseProgress); the planner's buffer holds the observed state.

        Raises:
            RuntimeError: not initialized.
        """
        if self._current is None:
            raise RuntimeError("Simulation was not initialized!")
        return self._current

    def reset(self) -> None:
        """Forget the episode: components, history and buffer."""
        self._setup.reset()
        self._history.reset()
        self._history_buffer = None
        self._current = None
        self._is_simulation_running = False

    def initialize(self) -> PlannerInitialization:
        """Start the episode at the scenario's initial state; returns what the planner needs."""
        self.reset()
        self._history_buffer = SimulationHistoryBuffer.from_duration(self._buffer_duration, self._scenario.time_step_s)
        controller = self._setup.ego_controller
        state = controller.get_state()
        self._setup.observations.initialize(state)
        observation = self._setup.observations.get_observation()
        self._current = (state, observation)
        self._history_buffer.append(controller.observed_state(), observation)
        if hasattr(controller, "plant_row"):  # the episode's sampled plant (privileged), named when read
            self._history.set_plant_row(controller.plant_row)
        else:
            self._history.plant_params = getattr(controller, "plant_params", None)
        self._history.record_last_state(self._setup.time_controller.get_iteration(), state, observation)
        self._is_simulation_running = not (observation.completed or observation.crashed)
        return PlannerInitialization(
            scenario_name=self._scenario.name,
            waypoints=self._scenario.waypoints,
            reach_radius_m=self._scenario.reach_radius_m,
            dome_radius_m=self._scenario.dome_radius_m,
            time_step_s=self._scenario.time_step_s,
            physics=self._setup.ego_controller.physics,
        )

    def is_simulation_running(self) -> bool:
        """True until the clock reaches its end, the course is completed or the drone crashed."""
        return self._is_simulation_running and not self._setup.time_controller.reached_end()

    def get_planner_input(self) -> PlannerInput:
        """The current iteration and rolling history (read-only for the planner)."""
        if self._history_buffer is None:
            raise RuntimeError("Simulation was not initialized!")
        return PlannerInput(self._setup.time_controller.get_iteration(), self._history_buffer)

    def propagate(self, command: DroneCommand) -> None:
        """Apply ``command`` for one step (see class docstring)."""
        if self._history_buffer is None:
            raise RuntimeError("Simulation was not initialized!")
        if not self.is_simulation_running():
            raise RuntimeError(f"Simulation of {self._scenario.name!r} has ended; call initialize() to start again")
        if not isinstance(command, DroneCommand):
            raise TypeError(f"command must be a DroneCommand, got {type(command).__name__}")
        tc = self._setup.time_controller
        iteration = tc.get_iteration()
        state, observation = self.current_state
        self._history.add_sample(SimulationHistorySample(iteration, state, command, observation))
        next_iteration = tc.next_iteration()
        if next_iteration is None:  # unreachable through is_simulation_running, kept as nuPlan's guard
            self._is_simulation_running = False
            return
        controller = self._setup.ego_controller
        controller.update_state(iteration, next_iteration, state, command)
        new_state = controller.get_state()
        self._setup.observations.update_observation(iteration, next_iteration, new_state)
        new_observation = self._setup.observations.get_observation()
        self._current = (new_state, new_observation)
        # the noise of this step is drawn after the integration, as in the vector env's kernel
        self._history_buffer.append(controller.observed_state(), new_observation)
        self._history.record_last_state(next_iteration, new_state, new_observation)
        if new_observation.completed or new_observation.crashed:
            self._is_simulation_running = False
