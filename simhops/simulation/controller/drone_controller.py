"""DroneController: rate loop + mixer + motor lag + rigid body, through the physics kernel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simhops.simulation.controller.abstract_drone_controller import AbstractDroneController
from simhops.simulation.controller.drone_command import DroneCommand
from simhops.dynamics.kernels.physics import physics_step_one
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration
from simhops.dynamics.state.drone_state import DroneState

if TYPE_CHECKING:
    from simhops.scenario.scenario import Scenario


class DroneController(AbstractDroneController):
    """Integrates one drone with :func:`~simhops.dynamics.kernels.physics.physics_step_one`.

    Raises:
        ValueError: the scenario's time step differs from ``physics.control_dt_s``
            (they must agree, seed 001 "timestep not always 0.1 s"), or a step of
            another length is requested.
    """

    def __init__(self, scenario: "Scenario", physics: PhysicsParams) -> None:
        if abs(scenario.time_step_s - physics.control_dt_s) > 1e-9:
            raise ValueError(f"scenario {scenario.name!r} time_step_s={scenario.time_step_s} differs from "
                             f"physics control_dt_s={physics.control_dt_s}")
        self._scenario = scenario
        self._physics = physics
        self._params = physics.as_array()
        self._step_us = scenario.time_step_us
        self._state = scenario.initial_state.array.copy()
        self._snapshot: DroneState | None = None

    @property
    def physics(self) -> PhysicsParams:
        return self._physics

    def reset(self) -> None:
        self._state = self._scenario.initial_state.array.copy()
        self._snapshot = None

    def get_state(self) -> DroneState:
        if self._snapshot is None:
            self._snapshot = DroneState.from_array(self._state)
        return self._snapshot

    def update_state(self, current_iteration: SimulationIteration, next_iteration: SimulationIteration,
                     drone_state: DroneState, command: DroneCommand) -> None:
        if next_iteration.time_us - current_iteration.time_us != self._step_us:
            raise ValueError(f"DroneController steps {self._step_us} us at a time; got "
                             f"{current_iteration.time_us} -> {next_iteration.time_us} us")
        if drone_state is not self._snapshot:  # integrate from the given state, not ours
            self._state = drone_state.array.copy()
        v = command.values
        physics_step_one(self._state, v[0], v[1], v[2], v[3], command.mode_id, self._params)
        self._snapshot = None
