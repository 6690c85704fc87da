"""RandomPlanner: uniform random normalized actions (a lower bound)."""

from __future__ import annotations

import numpy as np

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput


class RandomPlanner(AbstractPlanner):
    """Uniform actions in [-1, 1]^4, seeded per episode from ``seed`` and the scenario name (reproducible)."""

    def __init__(self, seed: int = 0, command_mode: str = "ctbr") -> None:
        self.seed = seed
        self.command_mode = command_mode
        self._rng: np.random.Generator | None = None
        self._physics: PhysicsParams | None = None

    def initialize(self, initialization: PlannerInitialization) -> None:
        name_key = sum(initialization.scenario_name.encode())
        self._rng = np.random.default_rng([self.seed, name_key])
        self._physics = initialization.physics

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        if self._rng is None or self._physics is None:
            raise RuntimeError("RandomPlanner.initialize() was not called")
        return DroneCommand.from_normalized(self._rng.uniform(-1.0, 1.0, 4), self.command_mode, self._physics)
