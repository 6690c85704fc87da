"""RunnerReport: the outcome of running one (scenario, planner) pair."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simhops.simulation.history.simulation_history import SimulationHistory


@dataclass(frozen=True)
class RunnerReport:
    """What a runner returns, whether the simulation succeeded or failed.

    | field | unit | meaning |
    |---|---|---|
    | ``succeeded`` | - | False when anything raised (planner, scenario, simulation or a non-isolated callback) |
    | ``error_message`` | - | the formatted traceback of the failure, None on success |
    | ``start_time`` / ``end_time`` | s, wall clock (``time.time()``, epoch) | when the run started / ended |
    | ``planner_name`` | - | ``planner.name()`` |
    | ``scenario_name`` | - | ``Scenario.name`` |
    | ``log_name`` | - | the scenario set (the part of the name before the first ``/``, e.g. ``benchmark-v0``), else the name |
    | ``seed`` | - | ``Scenario.seed`` (None for named tracks) |
    | ``metrics`` | - | ``{metric name: value}`` from the run's :class:`MetricCallback` (empty if none or on failure) |
    | ``timing`` | ms / s | the run's :class:`TimingCallback` summary for this scenario (empty if none) |
    | ``callback_errors`` | - | ``(callback, hook, repr(exception))`` isolated by a ``MultiCallback(isolate_exceptions=True)`` during this run |
    | ``extras`` | - | other results the callbacks handed over (``AbstractCallback.report_results``), by key |
    | ``timed_out`` | - | the run was stopped at its time limit (then ``succeeded`` is False) |
    | ``history`` | - | the episode's :class:`SimulationHistory` when the runner was asked to keep it, else None |
    | ``plant_params`` | - | the episode's sampled plant as the flat ``plant_*`` columns of ``metrics.parquet`` (:func:`~simhops.simulation.history.plant_record.plant_columns`), None on failure or when unknown |

    Reports are small and picklable: they travel back from worker processes.
    """

    succeeded: bool
    error_message: str | None
    start_time: float
    end_time: float | None
    planner_name: str
    scenario_name: str
    log_name: str
    seed: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)
    callback_errors: tuple[tuple[str, str, str], ...] = ()
    history: "SimulationHistory | None" = None
    extras: dict[str, Any] = field(default_factory=dict)
    timed_out: bool = False
    plant_params: dict[str, Any] | None = None

    @property
    def duration_s(self) -> float | None:
        """Wall-clock duration of the run (s), None when it has no end time."""
        return None if self.end_time is None else self.end_time - self.start_time

    @property
    def status(self) -> str:
        """``"succeeded"``, ``"timeout"`` (stopped at its time limit) or ``"failed"`` (anything else)."""
        if self.succeeded:
            return "succeeded"
        return "timeout" if self.timed_out else "failed"


def log_name_of(scenario_name: str) -> str:
    """The scenario set of ``scenario_name``: the part before the first ``/`` (the whole name if none)."""
    return scenario_name.split("/", 1)[0]
