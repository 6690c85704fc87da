"""AgentPlanner: stands for the RL agent in callbacks that expect a planner."""

from __future__ import annotations

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput


class AgentPlanner(AbstractPlanner):
    """The planner of a Gymnasium episode is the agent calling ``env.step``; this object names it.

    It records the :class:`PlannerInitialization` and raises if asked to plan.
    """

    def __init__(self, command_mode: str = "ctbr") -> None:
        self.command_mode = command_mode
        self.initialization: PlannerInitialization | None = None

    def name(self) -> str:
        return "agent"

    def initialize(self, initialization: PlannerInitialization) -> None:
        self.initialization = initialization

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        raise RuntimeError("AgentPlanner does not plan: actions come from env.step()")
