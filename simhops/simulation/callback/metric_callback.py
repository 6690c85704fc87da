"""MetricCallback: compute episode metrics when each simulation ends."""

from __future__ import annotations

from typing import Any

from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.metrics.metric_engine import MetricsEngine


class MetricCallback(AbstractCallback):
    """Runs a :class:`MetricsEngine` on the history at ``on_simulation_end``.

    Keeps only ``results: {scenario name: {metric name: value}}`` (scalars), never
    the history (seed 000, gotcha 13); the history is read, never modified.
    A scenario run twice keeps the last result.

    Args:
        metric_engine: the metrics to compute (default: :meth:`MetricsEngine.default`).
        max_results: keep only the newest this many results (None: all). Training runs
            produce one episode after another, so the trainer caps it.
    """

    def __init__(self, metric_engine: MetricsEngine | None = None, max_results: int | None = None) -> None:
        if max_results is not None and max_results < 1:
            raise ValueError(f"max_results must be >= 1 or None (got {max_results})")
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
