"""RayDistributed: a worker pool on Ray (optional extra: ``pip install simhops[ray]``)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, TypeVar

from simhops.simulation.runner.worker_pool import ResultCallback, WorkerPool

T = TypeVar("T")
R = TypeVar("R")


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the 'ray' backend needs ray: pip install 'simhops[ray]'") from exc
    return ray


def _apply(fn: Callable[[Any], Any], item: Any) -> Any:
    """The remote task body: ``fn(item)``."""
    return fn(item)


class RayDistributed(WorkerPool):
    """One Ray task (1 CPU) per item; ray is imported lazily.

    If Ray is not running yet, :meth:`map` starts a local instance with
    ``ray.init(address=address, num_cpus=num_cpus, include_dashboard=False,
    ignore_reinit_error=True)``, and :meth:`close` shuts down the instance this pool
    started (never one started by someone else).

    Args:
        num_cpus: CPUs of a local Ray started here (default: all).
        address: an existing cluster to connect to (default: start locally).
        log_to_driver: forward worker logs to this process.

    Raises:
        ImportError: ray is not installed (on first use).
    """

    def __init__(self, num_cpus: int | None = None, address: str | None = None, log_to_driver: bool = False) -> None:
        if num_cpus is not None and num_cpus < 1:
            raise ValueError(f"num_cpus must be >= 1 (got {num_cpus})")
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
            return int(ray.cluster_resources().get("CPU", 1))
        return self.num_cpus or 1

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_result: ResultCallback | None = None,
            return_exceptions: bool = False) -> list[R]:
        items = list(items)
        if not items:
            return []
        ray = self._ensure_ray()
        remote = ray.remote(num_cpus=1, max_retries=0)(_apply)
        fn_ref = ray.put(fn)
        refs = {remote.remote(fn_ref, item): i for i, item in enumerate(items)}
        results: list[Any] = [None] * len(items)
        pending = list(refs)
        try:
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                for ref in done:
                    self._collect(refs[ref], lambda: ray.get(ref), results, return_exceptions, on_result)
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
        return results

    def close(self) -> None:
        """Shut down the local Ray this pool started (if any)."""
        if self._started:
            ray = _import_ray()
            if ray.is_initialized():
                ray.shutdown()
            self._started = False

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_started"] = False
        return state
