"""Fixed-step time controller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simhops.simulation.simulation_time_controller.abstract_simulation_time_controller import (
    AbstractSimulationTimeController,
)
from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration

if TYPE_CHECKING:
    from simhops.scenario.scenario import Scenario


class StepSimulationTimeController(AbstractSimulationTimeController):
    """Steps through ``scenario.get_number_of_iterations()`` time points, ``time_step_us`` apart.

    Iteration ``i`` is at ``i * time_step_us`` microseconds, computed from the integer
    index (no accumulated float error). With N time points an episode has N - 1
    steps: :meth:`next_iteration` moves from ``i`` to ``i + 1`` and the clock has
    :meth:`reached_end` at ``N - 1``, where :meth:`next_iteration` returns ``None``.
    """

    def __init__(self, scenario: "Scenario") -> None:
        self._time_step_us = scenario.time_step_us
        self._n = scenario.get_number_of_iterations()
        if self._n < 2:
            raise ValueError(f"scenario {scenario.name!r} has {self._n} iterations; at least 2 are needed")
        self._index = 0
        self._current = SimulationIteration(0, 0)

    def get_iteration(self, index: int | None = None) -> SimulationIteration:
        if index is None:
            return self._current
        if not 0 <= index < self._n:
            raise IndexError(f"iteration index {index} out of range [0, {self._n - 1}]")
        return SimulationIteration(index, index * self._time_step_us)

    def next_iteration(self) -> SimulationIteration | None:
        if self._index >= self._n - 1:
            return None
        self._index += 1
        self._current = SimulationIteration(self._index, self._index * self._time_step_us)
        return self._current

    def reached_end(self) -> bool:
        return self._index >= self._n - 1

    def number_of_iterations(self) -> int:
        return self._n

    @property
    def index(self) -> int:
        """Current iteration index."""
        return self._index

    def reset(self) -> None:
        self._index = 0
        self._current = SimulationIteration(0, 0)
