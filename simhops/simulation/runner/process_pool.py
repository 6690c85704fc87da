"""ProcessPool: a concurrent.futures process pool (spawn context by default)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterable, TypeVar

from simhops.simulation.runner.worker_pool import ResultCallback, WorkerPool

T = TypeVar("T")
R = TypeVar("R")


class ProcessPool(WorkerPool):
    """Runs items in ``max_workers`` processes of a ``ProcessPoolExecutor``.

    The default start method is ``"spawn"``: forking a process whose numba or torch
    thread pools are running can deadlock the child; spawn (or ``"forkserver"``)
    starts clean interpreters (which load the numba on-disk cache). A pool is
    started per :meth:`map` call and shut down when it returns. As with any spawn
    pool, a script that uses it must guard its entry point with
    ``if __name__ == "__main__":`` (the ``simhops`` console script does).

    Args:
        max_workers: processes (default ``os.cpu_count()``; never more than the items).
        start_method: ``"spawn"`` (default), ``"forkserver"`` or ``"fork"``.

    Raises:
        ValueError: ``max_workers < 1`` or an unknown start method.
    """

    def __init__(self, max_workers: int | None = None, start_method: str = "spawn") -> None:
        if max_workers is not None and max_workers < 1:
            raise ValueError(f"max_workers must be >= 1 (got {max_workers})")
        if start_method not in multiprocessing.get_all_start_methods():
            raise ValueError(f"start_method {start_method!r} not available here; "
                             f"choose one of {multiprocessing.get_all_start_methods()}")
        self.max_workers = max_workers or os.cpu_count() or 1
        self.start_method = start_method

    @property
    def number_of_workers(self) -> int:
        return self.max_workers

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_result: ResultCallback | None = None,
            return_exceptions: bool = False) -> list[R]:
        items = list(items)
        if not items:
            return []
        results: list[Any] = [None] * len(items)
        ctx = multiprocessing.get_context(self.start_method)
        with ProcessPoolExecutor(max_workers=min(self.max_workers, len(items)), mp_context=ctx) as ex:
            futures: dict[Future, int] = {ex.submit(fn, item): i for i, item in enumerate(items)}
            pending = set(futures)
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in sorted(done, key=futures.__getitem__):
                        self._collect(futures[fut], fut.result, results, return_exceptions, on_result)
            except BaseException:
                for fut in pending:
                    fut.cancel()
                raise
        return results
