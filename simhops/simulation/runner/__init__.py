"""Runners and worker pools: run (scenario, planner) pairs in closed loop and report.

>>> from simhops.simulation.runner import SimulationTask, run_simulations, build_worker_pool
>>> reports = run_simulations([SimulationTask(s, planner, callback) for s in scenarios],
...                           build_worker_pool("process", 2))

``ProcessPool`` and ``RayDistributed`` live in their own modules (ray is imported lazily).
"""

from simhops.simulation.runner.abstract_runner import AbstractRunner
from simhops.simulation.runner.callback_session import CallbackSession
from simhops.simulation.runner.errors import RunInterrupted, TaskTimeout, WorkerDied
from simhops.simulation.runner.executor import default_timeout_s, run_simulation, run_simulations
from simhops.simulation.runner.runner_report import RunnerReport
from simhops.simulation.runner.simulation_task import SimulationTask, build_simulation
from simhops.simulation.runner.simulations_runner import SimulationRunner
from simhops.simulation.runner.sequential import Sequential
from simhops.simulation.runner.worker_pool import WorkerPool
from simhops.simulation.runner.worker_pool_factory import build_worker_pool

__all__ = ["AbstractRunner", "CallbackSession", "RunnerReport", "RunInterrupted", "SimulationRunner",
           "SimulationTask", "TaskTimeout", "WorkerDied", "build_simulation", "default_timeout_s",
           "run_simulation", "run_simulations", "WorkerPool", "Sequential", "build_worker_pool"]
