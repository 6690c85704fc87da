"""SimulationSetup: the components of one closed-loop episode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simhops.simulation.controller.abstract_drone_controller import AbstractDroneController
from simhops.simulation.observation.abstract_observation import AbstractObservation
from simhops.simulation.simulation_time_controller.abstract_simulation_time_controller import (
    AbstractSimulationTimeController,
)

if TYPE_CHECKING:
    from simhops.scenario.scenario import Scenario
    from simhops.simulation.planner.abstract_planner import AbstractPlanner


@dataclass
class SimulationSetup:
    """Time controller, observations, drone controller and scenario of one simulation."""

    time_controller: AbstractSimulationTimeController
    observations: AbstractObservation
    ego_controller: AbstractDroneController
    scenario: "Scenario"

    def __post_init__(self) -> None:
        for name, cls in (("time_controller", AbstractSimulationTimeController),
                          ("observations", AbstractObservation), ("ego_controller", AbstractDroneController)):
            if not isinstance(getattr(self, name), cls):
                raise TypeError(f"SimulationSetup.{name} must be a {cls.__name__}, "
                                f"got {type(getattr(self, name)).__name__}")

    def reset(self) -> None:
        """Reset every component (seed 001, gotcha 5: the clock alone is not enough)."""
        self.time_controller.reset()
        self.observations.reset()
        self.ego_controller.reset()


def validate_planner_setup(setup: SimulationSetup, planner: "AbstractPlanner") -> None:
    """Check that the planner can drive this setup.

    Raises:
        ValueError: the planner's ``command_mode`` is not one the controller accepts.
    """
    if getattr(planner, "command_mode", None) not in ("ctbr", "motor"):
        raise ValueError(f"planner {planner.name()} has command_mode={planner.command_mode!r}; "
                         "expected 'ctbr' or 'motor'")


def build_simulation_setup(scenario: "Scenario", physics, rng=None) -> SimulationSetup:
    """The standard setup of a scenario: step clock, course observation, drone controller with ``physics``.

    ``rng``: the (1,) uint64 stream the controller draws disturbances from (the env's; default: from the scenario).
    """
    from simhops.simulation.controller.drone_controller import DroneController
    from simhops.simulation.observation.course_observation import CourseObservation
    from simhops.simulation.simulation_time_controller.step_simulation_time_controller import (
        StepSimulationTimeController,
    )

    return SimulationSetup(StepSimulationTimeController(scenario), CourseObservation(scenario),
                           DroneController(scenario, physics, rng), scenario)
