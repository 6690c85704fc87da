"""Interface of the simulation clock."""

from __future__ import annotations

import abc

from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration


class AbstractSimulationTimeController(abc.ABC):
    """Generates the sequence of :class:`SimulationIteration` of one scenario.

    The time controller is the episode clock: the Gymnasium env reports
    ``truncated`` exactly when :meth:`reached_end` becomes true.
    """

    @abc.abstractmethod
    def get_iteration(self, index: int | None = None) -> SimulationIteration:
        """The current iteration, or the one at ``index``.

        Raises:
            IndexError: ``index`` outside ``[0, number_of_iterations - 1]``.
        """

    @abc.abstractmethod
    def next_iteration(self) -> SimulationIteration | None:
        """Advance by one iteration and return it; ``None`` (and no advance) when already at the end."""

    @abc.abstractmethod
    def reached_end(self) -> bool:
        """True once the current iteration is the last one."""

    @abc.abstractmethod
    def number_of_iterations(self) -> int:
        """Number of time points of the scenario (source of truth: the scenario)."""

    def get_number_of_iterations(self) -> int:
        """nuPlan's spelling of :meth:`number_of_iterations`."""
        return self.number_of_iterations()

    @abc.abstractmethod
    def reset(self) -> None:
        """Go back to iteration 0. Does not reset anything else (seed 001, gotcha 5)."""
