"""Planner interface: PlannerInitialization, PlannerInput, AbstractPlanner."""

from __future__ import annotations

import abc
from dataclasses import dataclass

import numpy as np

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.history.simulation_history_buffer import SimulationHistoryBuffer
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration


@dataclass(frozen=True)
class PlannerInitialization:
    """What a planner learns once per episode.

    | field | unit | meaning |
    |---|---|---|
    | ``scenario_name`` | - | |
    | ``waypoints`` | (K, 3) m, world ENU | the course, in order |
    | ``reach_radius_m`` | m | a waypoint is reached within this distance |
    | ``dome_radius_m`` | m | flight dome (leaving it is a crash) |
    | ``time_step_s`` | s | control period |
    | ``physics`` | - | the drone's :class:`PhysicsParams` (airframe, limits) |
    """

    scenario_name: str
    waypoints: np.ndarray
    reach_radius_m: float
    dome_radius_m: float
    time_step_s: float
    physics: PhysicsParams


@dataclass(frozen=True, slots=True)
class PlannerInput:
    """What a planner sees each step: the iteration and the rolling history buffer."""

    iteration: SimulationIteration
    history: SimulationHistoryBuffer


class AbstractPlanner(abc.ABC):
    """A closed-loop planner: ``initialize`` once per episode, then one command per step.

    Planners are sent to worker processes, so they must pickle (no open handles,
    no lambdas; load heavy resources lazily in :meth:`initialize`).
    """

    #: "ctbr" or "motor": what :meth:`compute_planner_trajectory` returns.
    command_mode: str = "ctbr"

    def name(self) -> str:
        """A short identifier (default: the class name)."""
        return type(self).__name__

    @abc.abstractmethod
    def initialize(self, initialization: PlannerInitialization) -> None:
        """Prepare for an episode."""

    @abc.abstractmethod
    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        """The command to hold until the next step."""

    def compute_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        """nuPlan's public wrapper of :meth:`compute_planner_trajectory`."""
        return self.compute_planner_trajectory(current_input)
