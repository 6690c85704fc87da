"""Interface of the ego (drone) controller."""

from __future__ import annotations

import abc

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration
from simhops.dynamics.state.drone_state import DroneState


class AbstractDroneController(abc.ABC):
    """Tracks planner commands and integrates the drone (nuPlan's AbstractEgoController)."""

    @abc.abstractmethod
    def reset(self) -> None:
        """Back to the scenario's initial state."""

    @abc.abstractmethod
    def get_state(self) -> DroneState:
        """The current drone state."""

    def observed_state(self) -> DroneState:
        """The state as the planner's sensors report it (default: the true :meth:`get_state`).

        A controller with observation noise returns the noisy state here, drawn once per
        step; :class:`~simhops.simulation.simulation.Simulation` puts it in the planner's
        history buffer and keeps the true state in the history.
        """
        return self.get_state()

    @abc.abstractmethod
    def update_state(self, current_iteration: SimulationIteration, next_iteration: SimulationIteration,
                     drone_state: DroneState, command: DroneCommand) -> None:
        """Integrate from ``current_iteration`` to ``next_iteration`` under ``command``."""
