"""HoverPlanner: hold the weight, zero body rates."""

from __future__ import annotations

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput


class HoverPlanner(AbstractPlanner):
    """Commands collective thrust = m g and zero body rates (CTBR): a baseline that goes nowhere."""

    def __init__(self) -> None:
        self._command: DroneCommand | None = None

    def initialize(self, initialization: PlannerInitialization) -> None:
        self._command = DroneCommand.ctbr(initialization.physics.airframe.weight_n, (0.0, 0.0, 0.0))

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        if self._command is None:
            raise RuntimeError("HoverPlanner.initialize() was not called")
        return self._command
