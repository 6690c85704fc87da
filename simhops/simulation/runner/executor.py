"""Run one runner or many without letting one failure take the others down."""

from __future__ import annotations

import functools
import logging
import time
import traceback
from typing import Callable, Sequence

from simhops.simulation.runner.abstract_runner import AbstractRunner
from simhops.simulation.runner.runner_report import RunnerReport, log_name_of
from simhops.simulation.runner.sequential import Sequential
from simhops.simulation.runner.worker_pool import WorkerPool

logger = logging.getLogger(__name__)


def _names(runner: AbstractRunner) -> tuple[str, str, int | None]:
    """(scenario name, planner name, seed) of a runner, robust to broken runners."""
    try:
        scenario = runner.scenario
        scenario_name, seed = str(scenario.name), scenario.seed
    except Exception:  # noqa: BLE001
        scenario_name, seed = "<unknown scenario>", None
    try:
        planner_name = str(runner.planner.name())
    except Exception:  # noqa: BLE001
        planner_name = "<unknown planner>"
    return scenario_name, planner_name, seed


def failed_report(runner: AbstractRunner, error_message: str, start_time: float,
                  end_time: float | None = None) -> RunnerReport:
    """A failed :class:`RunnerReport` for ``runner`` with ``error_message`` (a traceback)."""
    scenario_name, planner_name, seed = _names(runner)
    return RunnerReport(succeeded=False, error_message=error_message, start_time=start_time,
                        end_time=time.time() if end_time is None else end_time, planner_name=planner_name,
                        scenario_name=scenario_name, log_name=log_name_of(scenario_name), seed=seed)


def run_simulation(runner: AbstractRunner, exit_on_failure: bool = False) -> RunnerReport:
    """Run ``runner``; a failure becomes a failed report carrying the traceback.

    Args:
        runner: the runner (a :class:`SimulationRunner` or a :class:`SimulationTask`).
        exit_on_failure: re-raise the exception instead of reporting it.

    Returns:
        The runner's report, or ``RunnerReport(succeeded=False, error_message=<traceback>, ...)``.

    Raises:
        Exception: only with ``exit_on_failure=True``.
    """
    start = time.time()
    try:
        return runner.run()
    except Exception:
        if exit_on_failure:
            raise
        tb = traceback.format_exc()
        scenario_name, planner_name, _ = _names(runner)
        logger.warning("simulation of %s with %s failed:\n%s", scenario_name, planner_name, tb)
        return failed_report(runner, tb, start)


def run_simulations(runners: Sequence[AbstractRunner], worker: WorkerPool | None = None,
                    exit_on_failure: bool = False,
                    on_report: Callable[[int, RunnerReport], None] | None = None) -> list[RunnerReport]:
    """Run many runners with a worker pool; one report per runner, in input order.

    A failing planner, scenario or callback fails only its own report; even an
    infrastructure failure of one task (unpicklable runner, dead worker) becomes a
    failed report for that task.

    Args:
        runners: the runners (picklable for process/Ray pools; prefer :class:`SimulationTask`).
        worker: the pool (default :class:`Sequential`).
        exit_on_failure: raise the first failure instead of reporting it.
        on_report: called in this process as ``on_report(index, report)`` when each
            report arrives (completion order), e.g. to advance a progress bar.

    Raises:
        Exception: only with ``exit_on_failure=True``.
    """
    worker = worker if worker is not None else Sequential()
    start = time.time()
    fn = functools.partial(run_simulation, exit_on_failure=exit_on_failure)
    runners = list(runners)

    def _convert(i: int, result: object) -> RunnerReport:
        if isinstance(result, RunnerReport):
            return result
        exc = result if isinstance(result, BaseException) else RuntimeError(f"worker returned {result!r}")
        tb = "".join(traceback.format_exception(exc))
        return failed_report(runners[i], f"task failed in the worker pool: {tb}", start)

    def _on_result(i: int, result: object) -> None:
        if on_report is not None:
            on_report(i, _convert(i, result))

    results = worker.map(fn, runners, on_result=_on_result, return_exceptions=not exit_on_failure)
    return [_convert(i, r) for i, r in enumerate(results)]
