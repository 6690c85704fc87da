"""ProcessPool: the process :class:`WorkerPool` under its ``max_workers`` name."""

from __future__ import annotations

from simhops.simulation.runner.worker_pool import WorkerPool


class ProcessPool(WorkerPool):
    """``WorkerPool(num_workers=max_workers, start_method=start_method)``: worker processes.

    Workers are started per :meth:`map` call and stopped when it returns (see
    :class:`WorkerPool` for what happens to dead, hanging and interrupted workers).

    Args:
        max_workers: processes (default ``os.cpu_count()``; never more than the items).
        start_method: ``"spawn"`` (default), ``"forkserver"`` or ``"fork"``.

    Raises:
        ValueError: ``max_workers < 1`` or an unknown start method.
    """

    def __init__(self, max_workers: int | None = None, start_method: str = "spawn") -> None:
        if max_workers is not None and max_workers < 1:
            raise ValueError(f"max_workers must be >= 1 (got {max_workers})")
        super().__init__(num_workers=max_workers, start_method=start_method)

    @property
    def max_workers(self) -> int:
        return self.number_of_workers
