"""``SimulationTimeController``: the seed's name (seed 001) for simhops' fixed-step clock.

>>> from simhops.simulation.simulation_time_controller.simulation_time_controller import SimulationTimeController
>>> clock = SimulationTimeController(scenario)   # = StepSimulationTimeController(scenario)
>>> clock.get_iteration(0), clock.next_iteration(), clock.reset()
"""

from __future__ import annotations

from simhops.simulation.simulation_time_controller.step_simulation_time_controller import (
    StepSimulationTimeController,
)

#: nuPlan's name of the step controller (same class, same behaviour)
SimulationTimeController = StepSimulationTimeController

__all__ = ["SimulationTimeController"]
