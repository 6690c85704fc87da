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
    """

    def __init__(self, metric_engine: MetricsEngine | None = None) -> None:
        self.metric_engine = metric_engine if metric_engine is not None else MetricsEngine.default()
        self.results: dict[str, dict[str, Any]] = {}

    def on_simulation_end(self, setup: Any, planner: Any, history: Any) -> None:
        self.results[history.scenario.name] = self.metric_engine.compute(history)
