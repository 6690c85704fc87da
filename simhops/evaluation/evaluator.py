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
    """

    reports: list[RunnerReport]
    rows: list[dict[str, Any]]
    summary: dict[str, Any]
    output_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    wall_time_s: float = 0.0

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
      (identical for every backend);
    * ``summary.json``: aggregates (:func:`~simhops.evaluation.aggregate.summarize`)
      plus run info (planner, scenarios, backend, workers, wall time);
    * ``simulation_log.parquet``: planner, scenario, seed, status, outcome, duration, error;
    * ``eval.rrd`` (``rerun=True``): every saved history logged with
      :class:`VisualizationCallback`, one subtree per scenario.

    A failing scenario never stops the others: its report is failed, its row has null
    metrics and the error is in the simulation log.

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
        condition: label of the plant condition (``--conditions``) in the summary.

    Raises:
        ValueError: unknown backend, no scenarios, or duplicate scenario names.
    """

    def __init__(self, planner: AbstractPlanner, scenarios: Sequence[Scenario], output_dir: str | Path,
                 backend: str = "sequential", workers: int | None = None, rerun: bool = False,
                 physics: PhysicsParams | None = None, scenarios_name: str | None = None,
                 serialization_type: str = "msgpack", condition: str = "nominal") -> None:
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
        self.condition = condition
        self.metrics_engine = MetricsEngine.default(physics)
        self.serialization = SerializationCallback(self.output_dir / HISTORY_DIR, serialization_type)

    def build_tasks(self) -> list[SimulationTask]:
        """One picklable task per scenario (same callback and planner objects; copied by process pools)."""
        callback = MultiCallback([TimingCallback(), MetricCallback(self.metrics_engine), self.serialization])
        return [SimulationTask(s, self.planner, callback, physics=self.physics) for s in self.scenarios]

    def run(self, on_report: Callable[[int, RunnerReport], None] | None = None) -> EvaluationResult:
        """Run every scenario and write the output files (see class docstring).

        Args:
            on_report: called as each report arrives (completion order), e.g. a progress bar.
        """
        self.output_dir.mkdir(parents=True, exist_ok=True)
        tasks = self.build_tasks()
        pool = build_worker_pool(self.backend, self.workers)
        t0 = time.perf_counter()
        try:
            reports = run_simulations(tasks, pool, on_report=on_report)
        finally:
            pool.close()
        wall = time.perf_counter() - t0
        reports = sorted(reports, key=lambda r: r.scenario_name)
        files: dict[str, Path] = {}

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
            "wall_time_s": wall,
        }
        files["summary"] = atomic_write_text(self.output_dir / SUMMARY_FILE,
                                             json.dumps(_json_ready(summary), indent=2, allow_nan=False) + "\n")
        files["histories"] = self.serialization.output_dir
        if self.rerun:
            files["rerun"] = self.write_rerun(reports)
        return EvaluationResult(reports, rows, summary, self.output_dir, files, wall)

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
