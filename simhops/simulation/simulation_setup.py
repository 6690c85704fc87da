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


#: command modes a controller accepts unless it declares ``command_modes`` (the physics kernel's)
DEFAULT_COMMAND_MODES = ("ctbr", "motor")


def validate_planner_setup(setup: SimulationSetup, planner: "AbstractPlanner") -> None:
    """Check that ``planner`` can drive ``setup`` (nuPlan's check, for drones).

    * the planner's ``command_mode`` must be one the setup's controller accepts: its
      ``command_modes`` attribute if it declares one, else :data:`DEFAULT_COMMAND_MODES`;
    * a planner that declares ``observation_type()`` (a class) needs ``setup.observations``
      to be an instance of it (nuPlan's observation-type check).

    Raises:
        ValueError: the mode or observation does not fit (names both sides).
    """
    controller = setup.ego_controller
    accepted = tuple(getattr(controller, "command_modes", DEFAULT_COMMAND_MODES))
    mode = getattr(planner, "command_mode", None)
    if mode not in accepted:
        raise ValueError(f"planner {planner.name()} has command_mode={mode!r} but the setup's controller "
                         f"{type(controller).__name__} accepts {list(accepted)}")
    observation_type = getattr(planner, "observation_type", None)
    if callable(observation_type):
        expected = observation_type()
        if isinstance(expected, type) and not isinstance(setup.observations, expected):
            raise ValueError(f"planner {planner.name()} needs observations of type {expected.__name__}, "
                             f"the setup has {type(setup.observations).__name__}")


def build_simulation_setup(scenario: "Scenario", physics, rng=None) -> SimulationSetup:
    """The standard setup of a scenario: step clock, course observation, drone controller with ``physics``.

    ``rng``: the (1,) uint64 stream the controller draws disturbances from (the env's; default: from the scenario).
    The course observation reads the controller's wind (``CourseProgress.wind_m_s``).
    """
    from simhops.simulation.controller.drone_controller import DroneController
    from simhops.simulation.observation.course_observation import CourseObservation
    from simhops.simulation.simulation_time_controller.step_simulation_time_controller import (
        StepSimulationTimeController,
    )

    controller = DroneController(scenario, physics, rng)
    return SimulationSetup(StepSimulationTimeController(scenario), CourseObservation(scenario, wind_source=controller),
                           controller, scenario)
