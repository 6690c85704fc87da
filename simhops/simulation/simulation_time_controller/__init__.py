"""The episode clock: SimulationIteration and time controllers."""

from simhops.simulation.simulation_time_controller.abstract_simulation_time_controller import (
    AbstractSimulationTimeController,
)
from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration
from simhops.simulation.simulation_time_controller.step_simulation_time_controller import (
    StepSimulationTimeController,
)

from simhops.simulation.simulation_time_controller.simulation_time_controller import SimulationTimeController

__all__ = ["AbstractSimulationTimeController", "SimulationIteration", "SimulationTimeController",
           "StepSimulationTimeController"]
