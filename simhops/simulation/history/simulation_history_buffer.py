"""SimulationHistoryBuffer: rolling window of recent (DroneState, observation) pairs."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from simhops.dynamics.state.drone_state import DroneState

if TYPE_CHECKING:
    from simhops.simulation.history.ego_state import EgoState


class SimulationHistoryBuffer:
    """The last ``buffer_size`` drone states and observations, oldest first.

    Size from a duration with nuPlan's "+1" guard: ``int(duration_s / time_step_s) + 1``
    samples so the window always spans at least ``duration_s``.

    Raises:
        ValueError: ``buffer_size < 1``, or in :meth:`from_duration` a duration
            shorter than one time step.
    """

    def __init__(self, buffer_size: int) -> None:
        if buffer_size < 1:
            raise ValueError(f"buffer_size must be >= 1 (got {buffer_size})")
        self._drone_states: deque[DroneState] = deque(maxlen=buffer_size)
        self._observations: deque[Any] = deque(maxlen=buffer_size)

    @classmethod
    def from_duration(cls, duration_s: float, time_step_s: float) -> "SimulationHistoryBuffer":
        if duration_s < time_step_s:
            raise ValueError(f"simulation_history_buffer_duration={duration_s} s too small: must be >= the "
                             f"time step {time_step_s} s")
        return cls(int(duration_s / time_step_s + 1e-9) + 1)

    @property
    def size(self) -> int:
        """Maximum number of samples."""
        return self._drone_states.maxlen  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._drone_states)

    def append(self, drone_state: DroneState, observation: Any) -> None:
        """Add the newest sample (drops the oldest when full)."""
        self._drone_states.append(drone_state)
        self._observations.append(observation)

    @property
    def drone_states(self) -> list[DroneState]:
        """States, oldest first (a copy of the window)."""
        return list(self._drone_states)

    @property
    def ego_states(self) -> list["EgoState"]:
        """nuPlan's name: the states, oldest first, as :class:`EgoState` views (``ego_states[-1]`` is the newest)."""
        from simhops.simulation.history.ego_state import EgoState

        return [EgoState.of(s) for s in self._drone_states]

    @property
    def observations(self) -> list[Any]:
        return list(self._observations)

    @property
    def current_state(self) -> tuple[DroneState, Any]:
        """The newest (DroneState, observation).

        Raises:
            RuntimeError: the buffer is empty (simulation not initialized).
        """
        if not self._drone_states:
            raise RuntimeError("SimulationHistoryBuffer is empty: initialize the simulation first")
        return self._drone_states[-1], self._observations[-1]
