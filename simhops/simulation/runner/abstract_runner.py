"""AbstractRunner: anything that runs one (scenario, planner) pair and reports."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simhops.scenario.scenario import Scenario
    from simhops.simulation.callback.abstract_callback import AbstractCallback
    from simhops.simulation.runner.callback_session import CallbackSession
    from simhops.simulation.planner.abstract_planner import AbstractPlanner
    from simhops.simulation.runner.runner_report import RunnerReport


class AbstractRunner(abc.ABC):
    """nuPlan's AbstractRunner: ``run()`` one scenario with one planner.

    Runners are sent to worker processes by :func:`~simhops.simulation.runner.executor.run_simulations`,
    so they must pickle.
    """

    @abc.abstractmethod
    def run(self, session: "CallbackSession | None" = None) -> "RunnerReport":
        """Run the simulation to its end and report.

        Args:
            session: set by ``run_simulations`` inside a batch so that the callback's
                initialization hooks fire once per batch (see :class:`CallbackSession`);
                None: this run is the whole run.

        Raises:
            Exception: whatever the planner, simulation or callbacks raise;
                :func:`~simhops.simulation.runner.executor.run_simulation` turns it into a failed report.
        """

    @property
    @abc.abstractmethod
    def scenario(self) -> "Scenario":
        """The scenario this runner simulates."""

    @property
    @abc.abstractmethod
    def planner(self) -> "AbstractPlanner":
        """The planner driving the simulation."""

    @property
    def callback(self) -> "AbstractCallback | None":
        """The observers of this run (None: none); ``run_simulations`` opens one session per distinct object."""
        return None
