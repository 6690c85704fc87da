"""WorkerPool: nuPlan's worker pool (``submit``/``map``/``shutdown``, a context manager), on processes."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable, Iterable, Sequence, TypeVar

from simhops.simulation.runner.process_worker import ProcessBackend
from simhops.simulation.runner.scheduler import ResultCallback, WorkerBackend, drive

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["WorkerPool", "ResultCallback"]


class WorkerPool:
    """Runs functions in worker processes (``"spawn"`` start method by default).

    Usable exactly as nuPlan's ``WorkerPool`` (seed 000)::

        with WorkerPool(num_workers=8) as pool:
            futures = [pool.submit(fn, a, b) for ...]
            for future in futures:
                future.result()
        # shut down on exit

    * :meth:`submit` ``(fn, *args, **kwargs) -> concurrent.futures.Future``;
    * :meth:`map` ``(fn, items, *, on_result, return_exceptions, timeouts, finalizer)``:
      ``[fn(item) for item in items]`` in input order on :attr:`number_of_workers`
      workers, through the loop shared by every parallel pool
      (:func:`~simhops.simulation.runner.scheduler.drive`): a worker that dies fails only
      its item (``WorkerDied``) and is replaced, an item past its timeout gets
      ``TaskTimeout`` (its worker is killed and replaced), and on SIGINT/SIGTERM or any
      error every worker is killed before the exception propagates. Workers also exit
      if this process is killed (``prctl(PR_SET_PDEATHSIG)`` on Linux plus a watchdog);
    * :meth:`shutdown` (alias :meth:`close`).

    ``fn`` and the items must pickle (module-level functions, ``functools.partial`` of
    them, picklable objects); a script using a spawn pool must guard its entry point
    with ``if __name__ == "__main__":``. Spawn (or ``"forkserver"``) is the default
    because forking a process whose numba or torch thread pools run can deadlock.

    Subclasses: :class:`Sequential` (in this process), :class:`ProcessPool` (this pool,
    ``max_workers`` spelling), :class:`RayDistributed` (Ray actors).

    Args:
        num_workers: worker processes (default ``os.cpu_count()``).
        start_method: ``"spawn"`` (default), ``"forkserver"`` or ``"fork"``.

    Raises:
        ValueError: ``num_workers < 1`` or an unknown start method.
    """

    def __init__(self, num_workers: int | None = None, start_method: str = "spawn") -> None:
        if num_workers is not None and num_workers < 1:
            raise ValueError(f"num_workers must be >= 1 (got {num_workers})")
        if start_method not in multiprocessing.get_all_start_methods():
            raise ValueError(f"start_method {start_method!r} not available here; "
                             f"choose one of {multiprocessing.get_all_start_methods()}")
        self._num_workers = num_workers or os.cpu_count() or 1
        self.start_method = start_method
        self._executor: ProcessPoolExecutor | None = None

    @property
    def number_of_workers(self) -> int:
        """How many items may run at once."""
        return self._num_workers

    # ------------------------------------------------------------------ nuPlan's API
    def submit(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> "Future[R]":
        """Run ``fn(*args, **kwargs)`` in a worker; returns a ``concurrent.futures.Future``.

        ``future.result()`` blocks until done and raises what ``fn`` raised.
        """
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self._num_workers,
                                                 mp_context=multiprocessing.get_context(self.start_method))
        return self._executor.submit(fn, *args, **kwargs)

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_result: ResultCallback | None = None,
            return_exceptions: bool = False, timeouts: Sequence[float] | None = None,
            finalizer: Callable[[Any], Any] | None = None) -> list[R]:
        """``[fn(item) for item in items]`` in input order (see class docstring).

        Args:
            fn: the task.
            items: its inputs.
            on_result: ``on_result(index, result)`` in this process as each item finishes
                (completion order), e.g. for a progress bar.
            return_exceptions: an item that failed gets the exception as its result and the
                others still run; False: the first failure is raised after stopping the workers.
            timeouts: per-item limit (s, ``inf`` for none), counted from when the item starts.
            finalizer: run once as ``finalizer(None)`` in every live worker after the last item.

        Raises:
            RunInterrupted: SIGINT/SIGTERM turned into it by the caller (``run_simulations``).
            BaseException: the first failure, with ``return_exceptions=False``.
        """
        items = list(items)
        if not items:
            return []
        return drive(self._backend(), fn, items, min(self.number_of_workers, len(items)), timeouts=timeouts,
                     on_result=on_result, return_exceptions=return_exceptions, finalizer=finalizer)

    def _backend(self) -> WorkerBackend:
        """The kind of worker :meth:`map` drives."""
        return ProcessBackend(self.start_method)

    def shutdown(self, wait: bool = True) -> None:
        """Release the workers of :meth:`submit` (``map`` stops its own workers when it returns)."""
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=not wait)
            self._executor = None

    def close(self) -> None:
        """Alias of :meth:`shutdown`."""
        self.shutdown()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_executor"] = None
        return state

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
