"""Interface of what the world tells the planner besides the drone state."""

from __future__ import annotations

import abc
from typing import Any

from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration
from simhops.dynamics.state.drone_state import DroneState


class AbstractObservation(abc.ABC):
    """nuPlan's AbstractObservation: initialized once per episode, updated once per step."""

    @abc.abstractmethod
    def initialize(self, drone_state: DroneState) -> None:
        """Prepare for an episode starting at ``drone_state``."""

    @abc.abstractmethod
    def reset(self) -> None:
        """Forget the episode."""

    @abc.abstractmethod
    def get_observation(self) -> Any:
        """The current observation value (immutable)."""

    @abc.abstractmethod
    def update_observation(self, iteration: SimulationIteration, next_iteration: SimulationIteration,
                           drone_state: DroneState) -> None:
        """Update for the drone having moved to ``drone_state`` at ``next_iteration``."""
