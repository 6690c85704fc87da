"""Sequential: the in-process worker pool."""

from __future__ import annotations

import contextlib
import logging
import math
import signal
import threading
from concurrent.futures import Future
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from simhops.simulation.runner.errors import RunInterrupted, TaskTimeout
from simhops.simulation.runner.scheduler import ResultCallback
from simhops.simulation.runner.worker_pool import WorkerPool

T = TypeVar("T")
R = TypeVar("R")

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def time_limit(timeout_s: float) -> Iterator[None]:
    """Raise :class:`TaskTimeout` in the block after ``timeout_s`` seconds (``SIGALRM``, main thread only).

    Interrupts Python code (loops, ``time.sleep``); a C call that never returns to the
    interpreter cannot be interrupted in-process (use a process pool for such planners).
    Outside the main thread, or without ``signal.setitimer``, no limit is enforced (a
    warning is logged).
    """
    if not math.isfinite(timeout_s):
        yield
        return
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        logger.warning("Sequential: the %.3g s time limit is not enforced outside the main thread", timeout_s)
        yield
        return

    def _handler(signum: int, frame: object) -> None:
        raise TaskTimeout(timeout_s)

    previous = signal.signal(signal.SIGALRM, _handler)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Sequential(WorkerPool):
    """Runs the items one after the other in this process (no pickling).

    Time limits use ``SIGALRM`` (:func:`time_limit`); the finalizer runs in this process
    after the last item, also when the run is interrupted or fails.
    """

    def __init__(self) -> None:
        super().__init__(num_workers=1)

    def submit(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> "Future[R]":
        """Run ``fn(*args, **kwargs)`` now; a done ``Future`` with its result or exception."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - delivered through the future
            future.set_exception(exc)
        return future

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_result: ResultCallback | None = None,
            return_exceptions: bool = False, timeouts: Sequence[float] | None = None,
            finalizer: Callable[[Any], Any] | None = None) -> list[R]:
        items = list(items)
        timeouts = list(timeouts) if timeouts is not None else [math.inf] * len(items)
        out: list[Any] = [None] * len(items)
        n_done = 0
        try:
            for i, item in enumerate(items):
                try:
                    with time_limit(timeouts[i]):
                        out[i] = fn(item)
                except (Exception, TaskTimeout) as exc:
                    if not return_exceptions:
                        raise
                    out[i] = exc
                n_done = i + 1
                if on_result is not None:
                    on_result(i, out[i])
        except RunInterrupted as exc:
            exc.completed = {i: out[i] for i in range(n_done)}
            raise
        finally:
            if finalizer is not None:
                try:
                    finalizer(None)
                except Exception:  # noqa: BLE001 - never mask the run's own outcome
                    logger.exception("finalizer failed")
        return out
