"""The one wait / collect / cancel loop shared by the process and Ray worker pools.

A :class:`WorkerBackend` knows how to start a worker, send it one task, wait for
answers, and kill it; :func:`drive` does the rest for every backend alike:

* at most ``n_workers`` tasks run at once, one per worker; results are stored by index;
* a worker that dies while running a task (SIGKILL, segfault, ``os._exit``) fails only
  that task (:class:`WorkerDied`) and is replaced;
* a task running past its time limit gets :class:`TaskTimeout`, its worker is killed
  and replaced;
* after the last task, ``finalizer`` runs once in every live worker (it closes the
  callbacks' sessions: ``on_initialization_end``), then the workers are stopped;
* on any exception in the calling process (``RunInterrupted`` from SIGINT/SIGTERM, a
  failure with ``return_exceptions=False``) every worker is killed before it propagates;
  ``RunInterrupted.completed`` then holds the results that had arrived.
"""

from __future__ import annotations

import abc
import collections
import logging
import math
import time
from typing import Any, Callable, Sequence

from simhops.simulation.runner.errors import RunInterrupted, TaskTimeout, WorkerDied

logger = logging.getLogger(__name__)

#: on_result(index, result_or_exception), called in the calling process as each item finishes
ResultCallback = Callable[[int, Any], None]

#: an answer from a worker: (worker, kind, value) with kind "started" (the worker has the task
#: and starts it now; the time limit counts from here), "ok" (value = result), "error"
#: (value = the exception the task raised) or "died" (value = WorkerDied)
Event = tuple[Any, str, Any]

#: seconds a finalizer may take in each worker before the worker is killed
FINALIZE_TIMEOUT_S = 60.0
#: extra seconds a task may wait for its worker to start it (process start, imports, unpickling)
#: before its time limit starts counting anyway
STARTUP_GRACE_S = 300.0


class WorkerBackend(abc.ABC):
    """How :func:`drive` talks to one kind of worker (a process, a Ray actor).

    A backend whose workers send a "started" event when they begin a task sets
    ``reports_start = True``; the time limit then counts from that event. Otherwise it
    counts from sending, so :meth:`start_worker` must return a warm worker (imports done).
    """

    reports_start: bool = False

    @abc.abstractmethod
    def start_worker(self) -> Any:
        """Start one idle worker and return its handle."""

    @abc.abstractmethod
    def send(self, worker: Any, fn: Callable[[Any], Any], item: Any) -> None:
        """Make ``worker`` run ``fn(item)``.

        Raises:
            Exception: the task could not be sent (e.g. it does not pickle); the worker stays usable.
            OSError: the worker is gone.
        """

    @abc.abstractmethod
    def wait(self, workers: Sequence[Any], timeout_s: float) -> list[Event]:
        """Wait up to ``timeout_s`` for answers of busy ``workers``; return the events that arrived."""

    @abc.abstractmethod
    def kill(self, worker: Any) -> None:
        """Stop ``worker`` now (it may be in the middle of a task) and release it."""

    def stop(self, worker: Any) -> None:
        """Stop an idle ``worker`` gracefully (default: :meth:`kill`)."""
        self.kill(worker)

    def close(self) -> None:
        """Release what the backend holds (after every worker was stopped)."""


def drive(backend: WorkerBackend, fn: Callable[[Any], Any], items: Sequence[Any], n_workers: int, *,
          timeouts: Sequence[float] | None = None, on_result: ResultCallback | None = None,
          return_exceptions: bool = False, finalizer: Callable[[Any], Any] | None = None,
          poll_s: float = 0.25) -> list[Any]:
    """Run ``fn(item)`` for every item on ``backend`` workers; results in input order (see module docstring).

    Args:
        backend: the kind of worker.
        fn: the task (picklable for process/Ray backends).
        items: the inputs.
        n_workers: workers at most (never more than the items).
        timeouts: per-item limit (s, ``inf``: none), counted from when the worker reports it
            started the item ("started" event), or from sending it plus :data:`STARTUP_GRACE_S`
            for backends that do not report starts.
        on_result: ``on_result(index, result)`` in this process as each item finishes.
        return_exceptions: an item that failed gets its exception (``TaskTimeout``,
            ``WorkerDied`` or what ``fn`` raised) as result; False: the first failure is
            raised after every worker was killed.
        finalizer: run as ``finalizer(None)`` once in every live worker after the last item.
        poll_s: longest single wait (s), so timeouts and signals are handled promptly.

    Raises:
        RunInterrupted: SIGINT/SIGTERM (its ``completed`` holds the finished results).
        BaseException: the first failure, with ``return_exceptions=False``.
    """
    items = list(items)
    n = len(items)
    if timeouts is None:
        timeouts = [math.inf] * n
    if len(timeouts) != n:
        raise ValueError(f"timeouts has {len(timeouts)} entries for {n} items")
    results: list[Any] = [None] * n
    finished: set[int] = set()
    queue = collections.deque(range(n))
    live: list[Any] = []
    idle: list[Any] = []
    running: dict[int, tuple[Any, int, float]] = {}  # id(worker) -> (worker, item index, deadline)

    def finish(i: int, value: Any) -> None:
        results[i] = value
        finished.add(i)
        if isinstance(value, BaseException) and not return_exceptions:
            raise value
        if on_result is not None:
            on_result(i, value)

    def replace(worker: Any) -> None:
        if worker in live:
            live.remove(worker)
        backend.kill(worker)
        if queue:
            fresh = backend.start_worker()
            live.append(fresh)
            idle.append(fresh)

    try:
        for _ in range(min(max(1, n_workers), n)):
            w = backend.start_worker()
            live.append(w)
            idle.append(w)
        while queue or running:
            while idle and queue:
                w = idle.pop()
                i = queue.popleft()
                try:
                    backend.send(w, fn, items[i])
                except OSError as exc:  # the worker is gone: fail this item only, replace the worker
                    replace(w)
                    finish(i, WorkerDied(f"could not send the task: {exc!r}"))
                    continue
                except Exception as exc:  # noqa: BLE001 - e.g. an item that does not pickle
                    idle.append(w)
                    finish(i, exc)
                    continue
                grace = STARTUP_GRACE_S if backend.reports_start else 0.0
                running[id(w)] = (w, i, time.monotonic() + grace + timeouts[i])
            if not running:
                continue
            now = time.monotonic()
            next_deadline = min(deadline for _, _, deadline in running.values())
            wait_s = min(poll_s, max(0.0, next_deadline - now))
            for w, kind, value in backend.wait([r[0] for r in running.values()], wait_s):
                if kind == "started":  # the limit counts from when the worker starts the task
                    _, i, _ = running[id(w)]
                    running[id(w)] = (w, i, time.monotonic() + timeouts[i])
                    continue
                _, i, _ = running.pop(id(w))
                if kind == "died":
                    replace(w)
                else:
                    idle.append(w)
                finish(i, value)
            now = time.monotonic()
            for key, (w, i, deadline) in list(running.items()):
                if now > deadline:
                    del running[key]
                    logger.warning("task %d ran past its %.3g s limit; killing its worker", i, timeouts[i])
                    replace(w)
                    finish(i, TaskTimeout(timeouts[i]))
        if finalizer is not None:
            _finalize(backend, live, finalizer)
        for w in list(live):
            live.remove(w)
            backend.stop(w)
    except RunInterrupted as exc:
        exc.completed = {i: results[i] for i in sorted(finished)}
        raise
    finally:
        for w in live:
            try:
                backend.kill(w)
            except Exception:  # noqa: BLE001 - cleaning up after a failure
                logger.exception("could not kill a worker")
        backend.close()
    return results


def _finalize(backend: WorkerBackend, workers: list[Any], finalizer: Callable[[Any], Any]) -> None:
    """Run ``finalizer(None)`` in every worker; a worker that fails or hangs is killed (and dropped)."""
    busy = []
    for w in list(workers):
        try:
            backend.send(w, finalizer, None)
            busy.append(w)
        except Exception:  # noqa: BLE001
            logger.exception("could not send the finalizer to a worker")
    deadline = time.monotonic() + FINALIZE_TIMEOUT_S
    while busy and time.monotonic() < deadline:
        for w, kind, value in backend.wait(busy, min(0.25, max(0.0, deadline - time.monotonic()))):
            if kind == "started" or w not in busy:
                continue
            busy.remove(w)
            if kind != "ok":
                logger.error("finalizer failed in a worker: %r", value)
                if kind == "died":
                    workers.remove(w)
                    backend.kill(w)
    for w in busy:
        logger.error("finalizer did not finish within %.0f s; killing the worker", FINALIZE_TIMEOUT_S)
        workers.remove(w)
        backend.kill(w)
