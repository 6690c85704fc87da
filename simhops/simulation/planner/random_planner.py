"""RandomPlanner: uniform random normalized actions (a lower bound)."""

from __future__ import annotations

import numpy as np

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput
from simhops.simulation.seeding import scenario_generator


class RandomPlanner(AbstractPlanner):
    """Uniform actions in [-1, 1]^4, seeded per episode from a stable hash of (``seed``, scenario name).

    Every scenario gets its own stream (:func:`~simhops.simulation.seeding.scenario_seed`),
    the same on every backend and in every process.
    """

    def __init__(self, seed: int = 0, command_mode: str = "ctbr") -> None:
        self.seed = seed
        self.command_mode = command_mode
        self._rng: np.random.Generator | None = None
        self._physics: PhysicsParams | None = None

    def initialize(self, initialization: PlannerInitialization) -> None:
        self._rng = scenario_generator(self.seed, initialization.scenario_name)
        self._physics = initialization.physics

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        if self._rng is None or self._physics is None:
            raise RuntimeError("RandomPlanner.initialize() was not called")
        return DroneCommand.from_normalized(self._rng.uniform(-1.0, 1.0, 4), self.command_mode, self._physics)
