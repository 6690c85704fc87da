"""Run one runner or many without letting one failure take the others down."""

from __future__ import annotations

import functools
import logging
import math
import time
import traceback
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from simhops.simulation.runner.abstract_runner import AbstractRunner
from simhops.simulation.runner.callback_session import CallbackSession, finish_sessions
from simhops.simulation.runner.errors import RunInterrupted, TaskTimeout, WorkerDied
from simhops.simulation.runner.interrupts import interrupts_raise
from simhops.simulation.runner.runner_report import RunnerReport, log_name_of
from simhops.simulation.runner.sequential import Sequential
from simhops.simulation.runner.worker_pool import WorkerPool

logger = logging.getLogger(__name__)

#: default time limit of a scenario (s): TIMEOUT_BASE_S + TIMEOUT_PER_SIM_S * duration_s
TIMEOUT_BASE_S = 120.0
TIMEOUT_PER_SIM_S = 10.0


def default_timeout_s(runner: AbstractRunner) -> float:
    """Wall-clock limit of one scenario: ``120 s + 10 x its simulated duration``.

    The 120 s cover a worker's start (imports, numba cache, loading a policy); 10 s of
    wall time per simulated second is > 20x what the shipped planners need at 50 Hz on
    one core. A runner without a readable scenario gets ``120 s + 10 x 3600 s``.
    """
    try:
        duration = float(runner.scenario.duration_s)
    except Exception:  # noqa: BLE001
        duration = 3600.0
    return TIMEOUT_BASE_S + TIMEOUT_PER_SIM_S * duration


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
                  end_time: float | None = None, timed_out: bool = False) -> RunnerReport:
    """A failed :class:`RunnerReport` for ``runner`` with ``error_message`` (a traceback)."""
    scenario_name, planner_name, seed = _names(runner)
    return RunnerReport(succeeded=False, error_message=error_message, start_time=start_time,
                        end_time=time.time() if end_time is None else end_time, planner_name=planner_name,
                        scenario_name=scenario_name, log_name=log_name_of(scenario_name), seed=seed,
                        timed_out=timed_out)


def run_simulation(runner: AbstractRunner, exit_on_failure: bool = False,
                   session: CallbackSession | None = None) -> RunnerReport:
    """Run ``runner``; any failure becomes a failed report carrying the traceback.

    Every ``BaseException`` of the planner, simulation or callbacks fails only this
    report, ``SystemExit`` and ``KeyboardInterrupt`` included; a :class:`TaskTimeout`
    gives a report with ``timed_out=True`` (status ``"timeout"``). Only
    :class:`RunInterrupted` (SIGINT/SIGTERM of the whole run) propagates.

    Args:
        runner: the runner (a :class:`SimulationRunner` or a :class:`SimulationTask`).
        exit_on_failure: re-raise the exception instead of reporting it.
        session: the callback session inside a batch (see :class:`CallbackSession`).

    Raises:
        RunInterrupted: the run was interrupted.
        BaseException: only with ``exit_on_failure=True``.
    """
    start = time.time()
    try:
        return runner.run() if session is None else runner.run(session)
    except RunInterrupted:
        raise
    except TaskTimeout as exc:
        if exit_on_failure:
            raise
        scenario_name, _, _ = _names(runner)
        logger.warning("simulation of %s %s", scenario_name, exc)
        return failed_report(runner, f"TaskTimeout: scenario {exc}\n{traceback.format_exc()}", start, timed_out=True)
    except BaseException:  # noqa: BLE001 - SystemExit / KeyboardInterrupt of a planner fail only its scenario
        if exit_on_failure:
            raise
        tb = traceback.format_exc()
        scenario_name, planner_name, _ = _names(runner)
        logger.warning("simulation of %s with %s failed:\n%s", scenario_name, planner_name, tb)
        return failed_report(runner, tb, start)


@dataclass(frozen=True)
class BatchItem:
    """One runner of a batch and its callback's session (what travels to a worker)."""

    runner: AbstractRunner
    session: CallbackSession | None = None


def run_batch_item(item: BatchItem, exit_on_failure: bool = False) -> RunnerReport:
    """The task body of :func:`run_simulations` (module level, so it pickles)."""
    return run_simulation(item.runner, exit_on_failure, item.session)


def _resolve_timeouts(runners: Sequence[AbstractRunner], timeout_s: float | None) -> list[float]:
    if timeout_s is None:
        return [default_timeout_s(r) for r in runners]
    if not timeout_s > 0:
        raise ValueError(f"timeout_s must be > 0 s or math.inf (got {timeout_s})")
    return [float(timeout_s)] * len(runners)


def _callback_of(runner: AbstractRunner) -> Any:
    try:
        return runner.callback
    except Exception:  # noqa: BLE001 - a broken runner fails in its worker, not here
        return None


def run_simulations(runners: Sequence[AbstractRunner], worker: WorkerPool | None = None,
                    exit_on_failure: bool = False,
                    on_report: Callable[[int, RunnerReport], None] | None = None,
                    timeout_s: float | None = None, handle_signals: bool = True) -> list[RunnerReport]:
    """Run many runners with a worker pool; one report per runner, in input order.

    Nothing is lost to one scenario's failure, on every pool:

    * a failing planner, scenario or callback - any ``BaseException``, ``SystemExit``
      and ``KeyboardInterrupt`` raised by a planner included - fails only its report;
    * a worker process that dies (SIGKILL, segfault, ``os._exit``) fails only its
      scenario (``"worker process died ..."``); the pool replaces the worker;
    * a scenario running past its time limit fails with status ``"timeout"``;
    * an infrastructure failure of one task (e.g. an unpicklable runner) fails that task.

    :class:`Sequential` runs the scenarios in this process: a planner that kills its own
    process (SIGKILL, segfault, ``os._exit``) ends the whole run there, and its time limit
    (``SIGALRM``) cannot interrupt a C call that never returns; use the process or Ray pool
    to isolate such planners.

    Callback initialization hooks fire once per batch, per distinct callback object and
    per worker process (:class:`CallbackSession`); ``on_initialization_end`` fires in
    every live worker after the last scenario.

    With ``handle_signals`` (in the main thread) SIGINT and SIGTERM stop the batch: the
    workers are killed and :class:`RunInterrupted` is raised with ``reports`` = the
    reports that had finished, so the caller can still write them.

    Args:
        runners: the runners (picklable for process/Ray pools; prefer :class:`SimulationTask`).
        worker: the pool (default :class:`Sequential`).
        exit_on_failure: raise the first failure instead of reporting it.
        on_report: called in this process as ``on_report(index, report)`` when each
            report arrives (completion order), e.g. to advance a progress bar.
        timeout_s: wall-clock limit per scenario (s); None: :func:`default_timeout_s` of
            each runner; ``math.inf``: none.
        handle_signals: turn SIGINT/SIGTERM into :class:`RunInterrupted` while running.

    Raises:
        RunInterrupted: SIGINT/SIGTERM (with the finished ``reports``).
        ValueError: ``timeout_s <= 0``.
        BaseException: only with ``exit_on_failure=True``.
    """
    worker = worker if worker is not None else Sequential()
    runners = list(runners)
    timeouts = _resolve_timeouts(runners, timeout_s)
    start = time.time()
    batch_id = uuid.uuid4().hex
    numbers: dict[int, int] = {}
    items = []
    for r in runners:
        cb = _callback_of(r)
        session = None
        if cb is not None:
            session = CallbackSession(f"{batch_id}:{numbers.setdefault(id(cb), len(numbers))}")
        items.append(BatchItem(r, session))
    fn = functools.partial(run_batch_item, exit_on_failure=exit_on_failure)
    finalizer = functools.partial(_finish_batch, batch_id) if numbers else None

    def _convert(i: int, result: object) -> RunnerReport:
        if isinstance(result, RunnerReport):
            return result
        if isinstance(result, TaskTimeout):
            return failed_report(runners[i], f"TaskTimeout: scenario {result} (the worker was stopped)", start,
                                 timed_out=True)
        if isinstance(result, WorkerDied):
            return failed_report(runners[i], f"WorkerDied: {result}", start)
        exc = result if isinstance(result, BaseException) else RuntimeError(f"worker returned {result!r}")
        tb = "".join(traceback.format_exception(exc)) + getattr(exc, "remote_traceback", "")
        return failed_report(runners[i], f"task failed in the worker pool: {tb}", start)

    def _on_result(i: int, result: object) -> None:
        if on_report is not None:
            on_report(i, _convert(i, result))

    with interrupts_raise(handle_signals):
        try:
            results = worker.map(fn, items, on_result=_on_result, return_exceptions=not exit_on_failure,
                                 timeouts=timeouts, finalizer=finalizer)
        except RunInterrupted as exc:
            exc.reports = [_convert(i, r) for i, r in sorted(exc.completed.items())]
            raise
    return [_convert(i, r) for i, r in enumerate(results)]


def _finish_batch(batch_id: str, _: Any = None) -> int:
    """Finalizer of a batch in one process: close its callback sessions; returns how many end hooks raised."""
    return len(finish_sessions(batch_id))
