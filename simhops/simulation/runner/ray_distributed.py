"""RayDistributed: a worker pool on Ray actors (optional extra: ``pip install simhops[ray]``)."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from simhops.simulation.runner.errors import WorkerDied
from simhops.simulation.runner.scheduler import Event, WorkerBackend
from simhops.simulation.runner.worker_pool import WorkerPool


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the 'ray' backend needs ray: pip install 'simhops[ray]'") from exc
    return ray


def _apply(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The remote task body of :meth:`RayDistributed.submit`."""
    return fn(*args, **kwargs)


class _Worker:
    """The Ray actor: one worker process that runs ``fn(item)`` one task at a time."""

    def ready(self) -> int:
        """Import the runner (warm-up, so a task's time limit is not spent on imports); returns the pid."""
        import os

        import simhops.simulation.runner.executor  # noqa: F401

        return os.getpid()

    def run(self, fn: Callable[[Any], Any], item: Any) -> Any:
        return fn(item)


@dataclass(eq=False)
class _ActorHandle:
    actor: Any
    ref: Any = None


class _RayBackend(WorkerBackend):
    """One Ray actor (1 CPU, never restarted) per worker, driven by the shared loop."""

    def __init__(self, ray: Any) -> None:
        self._ray = ray
        self._cls = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(_Worker)

    def start_worker(self) -> _ActorHandle:
        """A new actor, returned once it runs and has imported the runner (time limits count from sending)."""
        actor = self._cls.remote()
        self._ray.get(actor.ready.remote())
        return _ActorHandle(actor)

    def send(self, worker: _ActorHandle, fn: Callable[[Any], Any], item: Any) -> None:
        worker.ref = worker.actor.run.remote(fn, item)

    def wait(self, workers: Sequence[_ActorHandle], timeout_s: float) -> list[Event]:
        ray = self._ray
        by_ref = {w.ref: w for w in workers}
        done, _ = ray.wait(list(by_ref), num_returns=1, timeout=timeout_s)
        events: list[Event] = []
        for ref in done:
            w = by_ref[ref]
            try:
                events.append((w, "ok", ray.get(ref)))
            except ray.exceptions.RayActorError as exc:
                events.append((w, "died", WorkerDied(f"Ray actor died: {exc}")))
            except ray.exceptions.RayTaskError as exc:
                cause = exc.as_instanceof_cause() if hasattr(exc, "as_instanceof_cause") else exc
                events.append((w, "error", cause))
            except Exception as exc:  # noqa: BLE001
                events.append((w, "error", exc))
        return events

    def kill(self, worker: _ActorHandle) -> None:
        self._ray.kill(worker.actor, no_restart=True)


class RayDistributed(WorkerPool):
    """A worker pool on Ray: ``num_cpus`` actors (1 CPU each), ray imported lazily.

    :meth:`map` runs the shared loop (:func:`~simhops.simulation.runner.scheduler.drive`)
    over actors: an actor that dies fails only its item and is replaced, an item past
    its timeout kills its actor. If Ray is not running yet, a local instance is started
    with ``ray.init(address=address, num_cpus=num_cpus, include_dashboard=False,
    ignore_reinit_error=True)``; :meth:`close` shuts down the instance this pool started
    (never one started by someone else). A local Ray started by the driver shares its
    fate: its processes end when the driver is killed.

    Args:
        num_cpus: CPUs of a local Ray started here (default: all) = actors.
        address: an existing cluster to connect to (default: start locally).
        log_to_driver: forward worker logs to this process.

    Raises:
        ImportError: ray is not installed (on first use).
    """

    def __init__(self, num_cpus: int | None = None, address: str | None = None, log_to_driver: bool = False) -> None:
        if num_cpus is not None and num_cpus < 1:
            raise ValueError(f"num_cpus must be >= 1 (got {num_cpus})")
        super().__init__(num_workers=num_cpus)
        self.num_cpus = num_cpus
        self.address = address
        self.log_to_driver = log_to_driver
        self._started = False

    def _ensure_ray(self) -> Any:
        ray = _import_ray()
        if not ray.is_initialized():
            ray.init(address=self.address, num_cpus=self.num_cpus, include_dashboard=False,
                     ignore_reinit_error=True, log_to_driver=self.log_to_driver)
            self._started = True
        return ray

    @property
    def number_of_workers(self) -> int:
        ray = _import_ray()
        if ray.is_initialized():
            return max(1, int(ray.cluster_resources().get("CPU", 1)))
        return self.num_cpus or super().number_of_workers

    def _backend(self) -> WorkerBackend:
        return _RayBackend(self._ensure_ray())

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        ray = self._ensure_ray()
        return ray.remote(num_cpus=1, max_retries=0)(_apply).remote(fn, *args, **kwargs).future()

    def shutdown(self, wait: bool = True) -> None:
        """Shut down the local Ray this pool started (if any)."""
        if self._started:
            ray = _import_ray()
            if ray.is_initialized():
                ray.shutdown()
            self._started = False

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_started"] = False
        return state
