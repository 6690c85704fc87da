"""MetricCallback: compute episode metrics when each simulation ends."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from simhops.io.atomic import atomic_write_text
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.metrics.metric_engine import MetricsEngine


class MetricCallback(AbstractCallback):
    """Runs a :class:`MetricsEngine` on the history at ``on_simulation_end``.

    Keeps only ``results: {scenario name: {metric name: value}}`` (scalars), never
    the history (seed 000, gotcha 13); the history is read, never modified.
    A scenario run twice keeps the last result.

    nuPlan's signature ``MetricCallback(metric_engine, output_directory)`` (seed 000): with
    an ``output_directory`` each episode's metrics are also written (atomically) to
    ``output_directory/<scenario>.json`` as ``{"scenario": name, "metrics": {...}}``
    (NaN -> null). ``simhops eval`` instead writes one ``metrics.parquet`` in the main
    process from the reports.

    Args:
        metric_engine: the metrics to compute (default: :meth:`MetricsEngine.default`).
        output_directory: folder of per-scenario metric files, or None (keep in memory only).
        max_results: keep only the newest this many results (None: all). Training runs
            produce one episode after another, so the trainer caps it.
    """

    def __init__(self, metric_engine: MetricsEngine | None = None, output_directory: str | Path | None = None,
                 max_results: int | None = None) -> None:
        if max_results is not None and max_results < 1:
            raise ValueError(f"max_results must be >= 1 or None (got {max_results})")
        if isinstance(output_directory, int) and not isinstance(output_directory, bool):
            raise TypeError("MetricCallback(metric_engine, output_directory, max_results): pass max_results by keyword")
        self.output_directory = None if output_directory is None else Path(output_directory)
        self.metric_engine = metric_engine if metric_engine is not None else MetricsEngine.default()
        self.max_results = max_results
        self.results: dict[str, dict[str, Any]] = {}
        self.latest: dict[str, Any] | None = None

    def report_results(self, scenario_name: str) -> dict[str, Any]:
        """``{"metrics": {metric name: value}}`` of ``scenario_name`` (empty if it has none)."""
        return {"metrics": dict(self.results[scenario_name])} if scenario_name in self.results else {}

    def on_simulation_end(self, setup: Any, planner: Any, history: Any) -> None:
        name = history.scenario.name
        self.latest = self.metric_engine.compute(history)
        self.results.pop(name, None)
        self.results[name] = self.latest
        if self.max_results is not None and len(self.results) > self.max_results:
            del self.results[next(iter(self.results))]
        if self.output_directory is not None:
            self._write(name, self.latest)

    def path_for(self, scenario_name: str) -> Path:
        """Where the metrics of ``scenario_name`` are written (needs ``output_directory``)."""
        if self.output_directory is None:
            raise ValueError("MetricCallback has no output_directory")
        stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in scenario_name.replace("/", "__")).strip(".")
        return self.output_directory / f"{stem or 'scenario'}.json"

    def _write(self, name: str, metrics: dict[str, Any]) -> None:
        def clean(v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None
            return v.item() if hasattr(v, "item") else v

        content = {"scenario": name, "metrics": {k: clean(v) for k, v in metrics.items()}}
        atomic_write_text(self.path_for(name), json.dumps(content, indent=1, allow_nan=False) + "\n")
