"""AbstractCallback: the eight lifecycle hooks of the closed loop (seed 000)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simhops.simulation.controller.drone_command import DroneCommand
    from simhops.simulation.history.simulation_history import SimulationHistory
    from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInput
    from simhops.simulation.simulation_setup import SimulationSetup


class AbstractCallback:
    """Observers of the simulation; every hook returns None and must not change anything.

    Order of one run (runner, env, or training run)::

        on_initialization_start                      once
          on_simulation_start                        per episode
            on_step_start                            per step
              on_planner_start / on_planner_end      around the planner (or the agent's action)
            on_step_end
          on_simulation_end(setup, planner, history) per episode, with the full history
        on_initialization_end                        once

    The default hooks do nothing; override the ones you need. Callbacks are sent
    to worker processes, so they must pickle (seed 000, gotchas 3 and 7).
    """

    def on_initialization_start(self, setup: "SimulationSetup") -> None:
        """Once, before the first episode (wraps planner set-up)."""

    def on_initialization_end(self, setup: "SimulationSetup") -> None:
        """Once, after the last episode."""

    def on_simulation_start(self, setup: "SimulationSetup") -> None:
        """At the start of each episode, before ``Simulation.initialize``."""

    def on_simulation_end(self, setup: "SimulationSetup", planner: "AbstractPlanner",
                          history: "SimulationHistory") -> None:
        """At the end of each episode, with its full (read-only) history."""

    def on_step_start(self, setup: "SimulationSetup", planner_input: "PlannerInput") -> None:
        """Before each step."""

    def on_step_end(self, setup: "SimulationSetup", planner_input: "PlannerInput",
                    planner_output: "DroneCommand") -> None:
        """After each step (the command has been propagated)."""

    def on_planner_start(self, setup: "SimulationSetup", planner_input: "PlannerInput") -> None:
        """Before the planner computes its command."""

    def on_planner_end(self, setup: "SimulationSetup", planner_input: "PlannerInput",
                       planner_output: "DroneCommand") -> None:
        """After the planner computed its command."""
