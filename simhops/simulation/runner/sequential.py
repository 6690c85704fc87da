"""Sequential: the in-process worker pool."""

from __future__ import annotations

from typing import Any, Callable, Iterable, TypeVar

from simhops.simulation.runner.worker_pool import ResultCallback, WorkerPool

T = TypeVar("T")
R = TypeVar("R")


class Sequential(WorkerPool):
    """Runs the items one after the other in this process (no pickling)."""

    @property
    def number_of_workers(self) -> int:
        return 1

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_result: ResultCallback | None = None,
            return_exceptions: bool = False) -> list[R]:
        items = list(items)
        out: list[Any] = [None] * len(items)
        for i, item in enumerate(items):
            self._collect(i, lambda: fn(item), out, return_exceptions, on_result)
        return out
