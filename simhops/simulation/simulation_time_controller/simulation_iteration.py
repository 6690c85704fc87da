"""SimulationIteration: an immutable time stamp of the closed loop."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SimulationIteration:
    """One time point of a simulation.

    Attributes:
        index: iteration number, 0 at the scenario start.
        time_us: time since the scenario start (integer microseconds); the ground truth.

    ``time_s`` is derived from ``time_us`` so that no float drift accumulates
    (seed 001, gotcha 3).
    """

    index: int
    time_us: int

    def __post_init__(self) -> None:
        if self.index < 0:
            raise ValueError(f"SimulationIteration.index must be >= 0 (got {self.index})")
        if self.time_us < 0:
            raise ValueError(f"SimulationIteration.time_us must be >= 0 (got {self.time_us})")

    @property
    def time_s(self) -> float:
        """Time since the scenario start (s)."""
        return self.time_us / 1_000_000
