"""build_worker_pool: a worker pool by backend name."""

from __future__ import annotations

from simhops.simulation.runner.process_pool import ProcessPool
from simhops.simulation.runner.ray_distributed import RayDistributed  # imports ray lazily, on first use
from simhops.simulation.runner.sequential import Sequential
from simhops.simulation.runner.worker_pool import WorkerPool

BACKENDS = ("sequential", "process", "ray")


def build_worker_pool(backend: str = "sequential", workers: int | None = None) -> WorkerPool:
    """A pool by name: ``"sequential"``, ``"process"`` (``workers`` processes) or ``"ray"`` (``workers`` CPUs).

    Raises:
        ValueError: unknown backend, or ``workers < 1``.
        ImportError: ``"ray"`` without ray installed (``pip install simhops[ray]``).
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1 (got {workers})")
    if backend == "sequential":
        return Sequential()
    if backend == "process":
        return ProcessPool(max_workers=workers)
    if backend == "ray":
        return RayDistributed(num_cpus=workers)
    raise ValueError(f"unknown worker pool backend {backend!r}; choose one of {list(BACKENDS)}")
