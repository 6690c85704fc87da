"""AbstractCallback: the eight lifecycle hooks of the closed loop (seed 000)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
        """Once per run, before its first episode, with that episode's setup.

        When it fires, per backend:

        * ``SimulationRunner.run()`` on its own: once around its one episode;
        * a batch (``run_simulations`` / ``simhops eval``) on :class:`Sequential`: once, before
          the first scenario, on the callback object itself;
        * a batch on the process or Ray pool: once per callback instance *per worker
          process*, before the first scenario that worker runs (the worker keeps that
          instance for its later scenarios; a worker started to replace a dead or
          timed-out one fires it again);
        * ``WaypointsEnv``: at the first ``reset``; training: when training starts.
        """

    def on_initialization_end(self, setup: "SimulationSetup") -> None:
        """Once per run, after its last episode (setup of that last episode).

        Mirrors :meth:`on_initialization_start`: ``SimulationRunner.run()`` alone: after
        its episode; a :class:`Sequential` batch: after the last scenario; process and
        Ray pools: in each live worker process after the batch's last scenario (not in
        a worker that was killed); ``WaypointsEnv``: at ``close``; training: at its end.
        Runs even when an episode of the run failed.
        """

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

    def report_results(self, scenario_name: str) -> dict[str, Any]:
        """What this callback hands to the runner for the episode ``scenario_name`` just run.

        The one interface through which callbacks feed a :class:`RunnerReport` (the runner
        knows no callback type). Called by the runner, in the process that ran the episode,
        after ``on_simulation_end``. Keys and where they go:

        | key | value | report field |
        |---|---|---|
        | ``"metrics"`` | ``{metric name: value}`` | ``RunnerReport.metrics`` |
        | ``"timing"`` | ``{name: float}`` | ``RunnerReport.timing`` |
        | ``"callback_errors"`` | tuple of ``(callback, hook, repr)`` | ``RunnerReport.callback_errors`` |
        | anything else | picklable value | ``RunnerReport.extras[key]`` |

        Values must be small and picklable (they travel back from worker processes).
        Default: nothing (``{}``).
        """
        return {}
