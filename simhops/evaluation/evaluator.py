"""Evaluator: run one planner over many scenarios with a worker pool and write the results."""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from simhops.evaluation.aggregate import metrics_rows, summarize
from simhops.scenario.scenario import Scenario
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.metric_callback import MetricCallback
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.simulation.callback.serialization_callback import SerializationCallback
from simhops.evaluation.simulation_log import SimulationLogCallback
from simhops.simulation.callback.timing_callback import TimingCallback
from simhops.io.atomic import atomic_output, atomic_write_text
from simhops.simulation.history.history_io import load_history_and_metadata
from simhops.simulation.metrics.metric_engine import MetricsEngine
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.planner.abstract_planner import AbstractPlanner
from simhops.evaluation.manifest import utc_now, write_manifest
from simhops.evaluation.output_dir import prepare_output_dir
from simhops.simulation.runner.errors import RunInterrupted
from simhops.simulation.runner.interrupts import signals_deferred
from simhops.simulation.runner.executor import run_simulations
from simhops.simulation.runner.runner_report import RunnerReport
from simhops.simulation.runner.simulation_task import SimulationTask
from simhops.simulation.runner.worker_pool_factory import BACKENDS, build_worker_pool

logger = logging.getLogger(__name__)

METRICS_FILE = "metrics.parquet"
SUMMARY_FILE = "summary.json"
LOG_FILE = "simulation_log.parquet"
HISTORY_DIR = "histories"
RERUN_FILE = "eval.rrd"


def _json_ready(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_ready(v) for v in x]
    return x


@dataclass
class EvaluationResult:
    """What :meth:`Evaluator.run` produced.

    | field | meaning |
    |---|---|
    | ``reports`` | one :class:`RunnerReport` per scenario, sorted by scenario name |
    | ``rows`` | the rows of ``metrics.parquet`` |
    | ``summary`` | the content of ``summary.json`` |
    | ``output_dir`` | where the files are |
    | ``files`` | ``{kind: path}`` of the files written |
    | ``wall_time_s`` | s, wall clock of the simulations (pool start included) |
    | ``complete`` | every scenario has a result (False after SIGINT/SIGTERM) |
    | ``interrupted_by`` | the signal that stopped the run (``signal.SIGINT``/``SIGTERM``), else None |
    """

    reports: list[RunnerReport]
    rows: list[dict[str, Any]]
    summary: dict[str, Any]
    output_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    wall_time_s: float = 0.0
    complete: bool = True
    interrupted_by: int | None = None

    @property
    def exit_code(self) -> int:
        """``simhops eval``'s exit status: 128 + signal if interrupted, 1 if a scenario failed, else 0."""
        if self.interrupted_by is not None:
            return 128 + self.interrupted_by
        return 1 if self.summary.get("failed") else 0

    def metrics_frame(self) -> Any:
        """``metrics.parquet`` as read back by pandas."""
        import pandas as pd

        return pd.read_parquet(self.files["metrics"])


class Evaluator:
    """Evaluates one planner in closed loop on a list of scenarios.

    For each scenario a :class:`SimulationTask` (scenario, planner, callbacks, physics)
    is sent to the worker pool; the simulation is built in the worker. Callbacks per
    task: ``TimingCallback``, ``MetricCallback`` (default metrics) and
    ``SerializationCallback`` (``output_dir/histories``). In this process, afterwards:

    * ``metrics.parquet``: one row per scenario, sorted by name, no wall-clock values
      (identical for every backend): the id columns, the metrics, then the episode's sampled
      plant (``plant_*`` columns, :data:`~simhops.simulation.history.plant_record.PLANT_COLUMNS`:
      randomized airframe, wind, gust, latency and noise parameters), so results can be
      analysed against them;
    * ``summary.json``: aggregates (:func:`~simhops.evaluation.aggregate.summarize`)
      plus run info (planner, scenarios, backend, workers, wall time);
    * ``simulation_log.parquet``: planner, scenario, seed, status, outcome, duration, error;
    * ``eval.rrd`` (``rerun=True``): every saved history logged with
      :class:`VisualizationCallback`, one subtree per scenario.

    * ``manifest.json`` (:mod:`~simhops.evaluation.manifest`): planner, model hash, config,
      simhops version, scenario set, and whether the run is ``complete``; written before
      the first scenario (``complete: false``) and again at the end.

    A failing scenario never stops the others: its report is failed (status ``"failed"``
    or ``"timeout"``), its row has null metrics and the error is in the simulation log; a
    dying worker fails only its scenario (see ``run_simulations``). On SIGINT/SIGTERM the
    workers are stopped and what finished is written (metrics, summary and manifest
    with ``"complete": false``, simulation log, histories); the histories of scenarios
    without a result are removed, so the folder holds exactly the reported runs.

    The output folder must be empty (or not exist) unless ``overwrite`` clears it first,
    so no folder holds a silent mix of two runs.

    Args:
        planner: the planner (sent pickled to process/Ray workers).
        scenarios: the courses (unique names).
        output_dir: output folder (created).
        backend: ``"sequential"``, ``"process"`` or ``"ray"``.
        workers: processes / Ray CPUs (default: all cores).
        rerun: also write ``eval.rrd``.
        physics: drone physics (default: the default config's, per scenario time step).
        scenarios_name: label of the scenario set in the summary.
        serialization_type: ``"msgpack"`` or ``"json"`` history files.
        timeout_s: wall-clock limit per scenario (s); None: ``default_timeout_s`` (120 s + 10 x
            the scenario's duration).
        overwrite: clear a non-empty ``output_dir`` first instead of refusing it.
        history_buffer_duration_s: the planner's rolling buffer (s, config
            ``simulation.history_buffer_duration_s``).
        manifest: extra manifest entries (planner kind and model hash, config, argv, ...).
        condition: label of the plant condition (``--conditions``) in the summary.

    Raises:
        ValueError: unknown backend, no scenarios, duplicate scenario names, or ``timeout_s <= 0``.
        OutputDirError: (from :meth:`run`) the output folder is a file, not writable, or not
            empty without ``overwrite``.
    """

    def __init__(self, planner: AbstractPlanner, scenarios: Sequence[Scenario], output_dir: str | Path,
                 backend: str = "sequential", workers: int | None = None, rerun: bool = False,
                 physics: PhysicsParams | None = None, scenarios_name: str | None = None,
                 serialization_type: str = "msgpack", timeout_s: float | None = None, overwrite: bool = False,
                 history_buffer_duration_s: float | None = None,
                 manifest: dict[str, Any] | None = None, condition: str = "nominal",
                 callbacks: Sequence[AbstractCallback] = ()) -> None:
        if timeout_s is not None and not timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0 s (got {timeout_s})")
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose one of {list(BACKENDS)}")
        scenarios = list(scenarios)
        if not scenarios:
            raise ValueError("no scenarios to evaluate")
        names = [s.name for s in scenarios]
        if len(set(names)) != len(names):
            raise ValueError("scenario names must be unique")
        self.planner = planner
        self.scenarios = scenarios
        self.output_dir = Path(output_dir)
        self.backend = backend
        self.workers = workers
        self.rerun = rerun
        self.physics = physics
        self.scenarios_name = scenarios_name
        self.timeout_s = timeout_s
        self.overwrite = overwrite
        self.history_buffer_duration_s = history_buffer_duration_s
        self.manifest_extra = dict(manifest or {})
        self.condition = condition
        self.extra_callbacks = list(callbacks)
        self.metrics_engine = MetricsEngine.default(physics)
        self.serialization = SerializationCallback(self.output_dir / HISTORY_DIR,
                                                   serialization_type=serialization_type)

    def build_tasks(self) -> list[SimulationTask]:
        """One picklable task per scenario (same callback and planner objects; copied by process pools).

        Callback order: timing first (it measures the others), then metrics, then
        serialization (seed 000, "Hook Execution Order Dependencies"), then the user's
        ``callbacks`` (config ``callbacks.simulation_callbacks`` ``{target, args}`` entries).
        """
        callback = MultiCallback([TimingCallback(), MetricCallback(self.metrics_engine), self.serialization,
                                  *self.extra_callbacks])
        extra = {} if self.history_buffer_duration_s is None else {
            "history_buffer_duration_s": self.history_buffer_duration_s}
        return [SimulationTask(s, self.planner, callback, physics=self.physics, **extra) for s in self.scenarios]

    def _manifest(self, started: str, complete: bool, interrupted_by: int | None,
                  reports: Sequence[RunnerReport] | None) -> dict[str, Any]:
        import signal as _signal

        planner = {"name": self.planner.name(), **dict(self.manifest_extra.get("planner", {}))}
        return {
            "complete": complete,
            "interrupted_by": None if interrupted_by is None else _signal.Signals(interrupted_by).name,
            "started_utc": started,
            "finished_utc": None if reports is None else utc_now(),
            "planner": planner,
            "scenarios": {"set": self.scenarios_name, "n": len(self.scenarios),
                          "names": [s.name for s in self.scenarios]},
            "backend": self.backend, "workers": self.workers, "timeout_s": self.timeout_s,
            "serialization_type": self.serialization.serialization_type,
            "n_reports": None if reports is None else len(reports),
            "n_failed": None if reports is None else sum(1 for r in reports if not r.succeeded),
            **{k: v for k, v in self.manifest_extra.items() if k != "planner"},
        }

    def run(self, on_report: Callable[[int, RunnerReport], None] | None = None) -> EvaluationResult:
        """Run every scenario and write the output files (see class docstring).

        Args:
            on_report: called as each report arrives (completion order), e.g. a progress bar.

        Returns:
            The result; after SIGINT/SIGTERM ``complete`` is False and ``interrupted_by``
            names the signal (the finished scenarios are written).

        Raises:
            OutputDirError: the output folder cannot be used (nothing was run).
        """
        prepare_output_dir(self.output_dir, self.overwrite)
        started = utc_now()
        write_manifest(self.output_dir, self._manifest(started, False, None, None))
        late: list[int] = []  # SIGINT/SIGTERM outside the simulations: finish what is under way, then report it
        with signals_deferred(late):
            tasks = self.build_tasks()
            pool = build_worker_pool(self.backend, self.workers)
            interrupted: RunInterrupted | None = None
            t0 = time.perf_counter()
            try:
                if late:
                    raise RunInterrupted(late[0])
                reports = run_simulations(tasks, pool, on_report=on_report, timeout_s=self.timeout_s)
            except RunInterrupted as exc:
                interrupted = exc
                reports = list(exc.reports)
                logger.warning("%s: writing the %d finished scenarios of %d", exc, len(reports), len(tasks))
            finally:
                pool.close()
            wall = time.perf_counter() - t0
            result = self._write_results(reports, interrupted, len(tasks), pool, wall, started)
        if late and result.interrupted_by is None:
            result.interrupted_by = late[0]
        return result

    def _write_results(self, reports: list[RunnerReport], interrupted: RunInterrupted | None, n_tasks: int,
                       pool: Any, wall: float, started: str) -> EvaluationResult:
        """Write metrics, simulation log, summary, (rerun) and the final manifest."""
        signum = None if interrupted is None else interrupted.signum
        complete = interrupted is None and len(reports) == n_tasks
        reports = sorted(reports, key=lambda r: r.scenario_name)
        files: dict[str, Path] = {}
        if interrupted is not None:
            self._drop_unreported_histories(reports)

        rows = metrics_rows(reports, self.metrics_engine.names)
        files["metrics"] = self._write_metrics(rows)

        log = SimulationLogCallback(self.output_dir / LOG_FILE)
        for r in reports:
            log.add_report(r)
        files["simulation_log"] = log.write()

        summary = {
            "planner": self.planner.name(),
            "scenarios": self.scenarios_name,
            "backend": self.backend,
            "workers": pool.number_of_workers if self.backend != "ray" else self.workers,
            "condition": self.condition,
            **summarize(reports, self.scenarios, self.condition,
                        self.physics.airframe if self.physics is not None else None),
            "timeouts": sum(1 for r in reports if r.timed_out),
            "complete": complete,
            "n_planned": n_tasks,
            "wall_time_s": wall,
        }
        files["summary"] = atomic_write_text(self.output_dir / SUMMARY_FILE,
                                             json.dumps(_json_ready(summary), indent=2, allow_nan=False) + "\n")
        files["histories"] = self.serialization.output_dir
        if self.rerun and interrupted is None:
            files["rerun"] = self.write_rerun(reports)
        files["manifest"] = write_manifest(self.output_dir, self._manifest(started, complete, signum, reports))
        return EvaluationResult(reports, rows, summary, self.output_dir, files, wall, complete, signum)

    def _drop_unreported_histories(self, reports: Sequence[RunnerReport]) -> None:
        """Remove history files (and temporary files of killed writers) of scenarios without a report."""
        folder = self.serialization.output_dir
        if not folder.is_dir():
            return
        keep = {self.serialization.path_for(r.scenario_name).name for r in reports}
        for f in folder.iterdir():
            if f.is_file() and f.name not in keep:
                f.unlink(missing_ok=True)

    def _write_metrics(self, rows: list[dict[str, Any]]) -> Path:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.output_dir / METRICS_FILE
        columns = list(rows[0]) if rows else []
        table = pa.Table.from_pylist(rows) if rows else pa.table({c: [] for c in columns})
        with atomic_output(path) as tmp:
            pq.write_table(table, tmp)
        return path

    def write_rerun(self, reports: Sequence[RunnerReport]) -> Path:
        """Log the saved histories of ``reports`` into ``output_dir/eval.rrd`` (in this process)."""
        from simhops.simulation.callback.visualization_callback import VisualizationCallback

        path = self.output_dir / RERUN_FILE
        viz = VisualizationCallback(path, application_id="simhops_eval")
        try:
            for r in reports:
                f = self.serialization.path_for(r.scenario_name)
                if not f.is_file():
                    continue
                history, meta = load_history_and_metadata(f)
                viz.log_history(history, meta.get("planner", r.planner_name))
            viz.visualizer  # noqa: B018 - create the file even with no history
        finally:
            viz.close()
        return path
