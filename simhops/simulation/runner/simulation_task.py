"""SimulationTask: a picklable recipe for a runner, built inside the worker."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from simhops.scenario.scenario import Scenario
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.planner.abstract_planner import AbstractPlanner
from simhops.simulation.runner.abstract_runner import AbstractRunner
from simhops.simulation.runner.runner_report import RunnerReport
from simhops.simulation.runner.simulations_runner import SimulationRunner
from simhops.simulation.runner.callback_session import CallbackSession
from simhops.simulation.simulation import DEFAULT_HISTORY_BUFFER_DURATION_S, Simulation
from simhops.simulation.simulation_setup import build_simulation_setup


@lru_cache(maxsize=1)
def _default_physics() -> PhysicsParams:
    from simhops.config import SimHopsConfig

    return PhysicsParams.from_config(SimHopsConfig())


def default_physics_for(scenario: Scenario) -> PhysicsParams:
    """The default config's physics, with the control period of ``scenario``."""
    base = _default_physics()
    if abs(base.control_dt_s - scenario.time_step_s) <= 1e-12:
        return base
    return dataclasses.replace(base, control_dt_s=scenario.time_step_s)


def build_simulation(scenario: Scenario, physics: PhysicsParams | None = None,
                     history_buffer_duration_s: float = DEFAULT_HISTORY_BUFFER_DURATION_S) -> Simulation:
    """The standard closed loop of ``scenario`` (the same components as ``WaypointsEnv.reset``).

    Args:
        scenario: the course.
        physics: drone physics (default: the default config's, at the scenario's time step).
        history_buffer_duration_s: rolling buffer length (s), >= the scenario's time step
            (config ``simulation.history_buffer_duration_s``, default 2.0).

    Raises:
        ValueError: ``physics.control_dt_s`` differs from the scenario's time step.
        RuntimeError: the buffer is shorter than one step (``HistoryBufferTooSmallError``).
    """
    physics = physics if physics is not None else default_physics_for(scenario)
    return Simulation(build_simulation_setup(scenario, physics),
                      simulation_history_buffer_duration=history_buffer_duration_s)


class SimulationTask(AbstractRunner):
    """What a worker needs to build and run a :class:`SimulationRunner`: small and picklable.

    The :class:`Simulation` is built inside :meth:`run` (in the worker), so only the
    scenario, planner, callback and physics travel; a failure while building it is a
    failure of this scenario only.

    Args:
        scenario: the course.
        planner: the planner (must pickle: load heavy resources lazily in ``initialize``).
        callback: observers for this run (must pickle), or None.
        physics: drone physics (default: the default config's, at the scenario's time step).
        keep_history: put the history into the report.
        history_buffer_duration_s: rolling buffer length (s).
    """

    def __init__(self, scenario: Scenario, planner: AbstractPlanner, callback: AbstractCallback | None = None,
                 physics: PhysicsParams | None = None, keep_history: bool = False,
                 history_buffer_duration_s: float = DEFAULT_HISTORY_BUFFER_DURATION_S) -> None:
        self._scenario = scenario
        self._planner = planner
        self._callback = callback
        self.physics = physics
        self.keep_history = keep_history
        self.history_buffer_duration_s = history_buffer_duration_s

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def planner(self) -> AbstractPlanner:
        return self._planner

    @property
    def callback(self) -> AbstractCallback | None:
        return self._callback

    @callback.setter
    def callback(self, value: AbstractCallback | None) -> None:
        self._callback = value

    def build_runner(self) -> SimulationRunner:
        """Build the simulation and its runner (see :func:`build_simulation` for errors)."""
        sim = build_simulation(self._scenario, self.physics, self.history_buffer_duration_s)
        return SimulationRunner(sim, self._planner, self._callback, keep_history=self.keep_history)

    def run(self, session: CallbackSession | None = None) -> RunnerReport:
        """Build the runner and run it (raises like :meth:`SimulationRunner.run`)."""
        return self.build_runner().run(session)
