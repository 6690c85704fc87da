"""Fault injection into run_simulations: dying workers, BaseExceptions, hanging planners, init hooks per batch.

Each fault is injected into one scenario of a small batch; the other scenarios' results
must survive on every backend that can survive it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from simhops.config import load_config
from simhops.scenario.benchmark import build_benchmark
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.metric_callback import MetricCallback
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.simulation.callback.timing_callback import TimingCallback
from simhops.simulation.planner.waypoint_planner import WaypointPlanner
from simhops.simulation.runner.callback_session import open_session_keys
from simhops.simulation.runner.errors import TaskTimeout, WorkerDied
from simhops.simulation.runner.executor import run_simulations
from simhops.simulation.runner.process_pool import ProcessPool
from simhops.simulation.runner.sequential import Sequential
from simhops.simulation.runner.simulation_task import SimulationTask


def tiny_scenarios(n: int = 4, duration_s: float = 0.2):
    """The first ``n`` benchmark-v0 courses, ``duration_s`` long (10 steps at 50 Hz)."""
    return build_benchmark(cfg=load_config(overrides=[f"scenario.duration_s={duration_s}"]))[:n]


class FaultyPlanner(WaypointPlanner):
    """A WaypointPlanner that injects ``faults[scenario name]`` at step 2 of that scenario."""

    def __init__(self, faults: dict[str, str]) -> None:
        super().__init__()
        self.faults = dict(faults)
        self._name = ""

    def initialize(self, initialization) -> None:
        super().initialize(initialization)
        self._name = initialization.scenario_name

    def compute_planner_trajectory(self, current_input):
        fault = self.faults.get(self._name)
        if fault is not None and current_input.iteration.index == 2:
            if fault == "sigkill":
                os.kill(os.getpid(), signal.SIGKILL)
            elif fault == "os_exit":
                os._exit(3)
            elif fault == "segfault":
                import ctypes

                ctypes.string_at(0)
            elif fault == "system_exit":
                raise SystemExit(4)
            elif fault == "keyboard_interrupt":
                raise KeyboardInterrupt("planner pressed Ctrl-C")
            elif fault == "base_exception":
                raise BaseException("a bare BaseException")
            elif fault == "hang":
                while True:
                    time.sleep(0.05)
            elif fault == "busy_hang":
                while True:
                    pass
        return super().compute_planner_trajectory(current_input)


def _run(backend: str, faults: list[str], n: int, **kwargs):
    """Run ``n`` tiny scenarios; scenario ``1 + 2k`` gets ``faults[k]``; returns (reports, {name: fault})."""
    scs = tiny_scenarios(n)
    bad = {scs[1 + 2 * k].name: f for k, f in enumerate(faults)}
    planner = FaultyPlanner(bad)
    cb = MultiCallback([TimingCallback(), MetricCallback()])
    pool = Sequential() if backend == "sequential" else ProcessPool(2)
    reports = run_simulations([SimulationTask(s, planner, cb) for s in scs], pool, **kwargs)
    assert [r.scenario_name for r in reports] == [s.name for s in scs]
    for r in reports:  # the others survive, with their metrics and timing
        if r.scenario_name in bad:
            assert not r.succeeded and not r.metrics
        else:
            assert r.succeeded, r.error_message
            assert r.metrics["n_steps"] == 10 and r.timing["n_steps"] == 10
    return {bad[r.scenario_name]: r for r in reports if r.scenario_name in bad}


def test_dying_workers_fail_only_their_scenario():
    failed = _run("process", ["sigkill", "os_exit", "segfault"], n=7)
    for fault, text in {"sigkill": "killed by SIGKILL", "os_exit": "exited with code 3",
                        "segfault": "killed by SIGSEGV"}.items():
        r = failed[fault]
        assert "worker process died" in r.error_message and text in r.error_message and r.status == "failed"


@pytest.mark.parametrize("backend", ["sequential", "process"])
def test_base_exceptions_fail_only_their_scenario(backend):
    failed = _run(backend, ["system_exit", "keyboard_interrupt", "base_exception"], n=6)
    assert "SystemExit: 4" in failed["system_exit"].error_message
    assert "KeyboardInterrupt: planner pressed Ctrl-C" in failed["keyboard_interrupt"].error_message
    assert "BaseException: a bare BaseException" in failed["base_exception"].error_message
    assert all(r.status == "failed" for r in failed.values())


@pytest.mark.parametrize("backend", ["sequential", "process"])
def test_hanging_planners_time_out(backend):
    t0 = time.monotonic()
    failed = _run(backend, ["hang", "busy_hang"], n=4, timeout_s=3.0)
    assert time.monotonic() - t0 < 60
    for r in failed.values():
        assert r.status == "timeout" and r.timed_out and "timed out after 3 s" in r.error_message


def test_timeout_must_be_positive():
    with pytest.raises(ValueError, match="timeout_s"):
        run_simulations([SimulationTask(tiny_scenarios(1)[0], WaypointPlanner())], timeout_s=0)


# ---------------------------------------------------------------------------------- pools directly


def _sleep_or_die(x: float) -> float:
    if x < 0:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(x)
    return x


def test_pool_map_kills_and_replaces_workers():
    out = ProcessPool(2).map(_sleep_or_die, [0.0, -1.0, 30.0, 0.1, 0.0], return_exceptions=True,
                             timeouts=[5.0, 5.0, 1.0, 5.0, 5.0])
    assert out[0] == 0.0 and out[3] == 0.1 and out[4] == 0.0
    assert isinstance(out[1], WorkerDied) and "SIGKILL" in str(out[1])
    assert isinstance(out[2], TaskTimeout) and out[2].timeout_s == 1.0


# ---------------------------------------------------------------------------------- init hooks once per run


class InitLog(AbstractCallback):
    """Appends ``<pid> <hook>`` lines to a file (visible from worker processes)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def _log(self, hook: str) -> None:
        with open(self.path, "a") as fh:
            fh.write(f"{os.getpid()} {hook}\n")

    def on_initialization_start(self, setup) -> None:
        self._log("init_start")

    def on_initialization_end(self, setup) -> None:
        self._log("init_end")

    def on_simulation_start(self, setup) -> None:
        self._log("sim_start")


@pytest.mark.parametrize("backend", ["sequential", "process"])
def test_batch_of_3_fires_initialization_hooks_once_per_worker(tmp_path, backend):
    path = tmp_path / "hooks.log"
    cb = InitLog(path)
    pool = Sequential() if backend == "sequential" else ProcessPool(2)
    reports = run_simulations([SimulationTask(s, WaypointPlanner(), cb) for s in tiny_scenarios(3)], pool)
    assert all(r.succeeded for r in reports)
    lines = [line.split() for line in path.read_text().splitlines()]
    pids = {pid for pid, _ in lines}
    assert sum(h == "sim_start" for _, h in lines) == 3
    for pid in pids:  # per worker process: start first, end last, once each
        hooks = [h for p, h in lines if p == pid]
        assert hooks[0] == "init_start" and hooks[-1] == "init_end", hooks
        assert hooks.count("init_start") == 1 and hooks.count("init_end") == 1, hooks
    if backend == "sequential":
        assert pids == {str(os.getpid())}
    else:
        assert 1 <= len(pids) <= 2 and str(os.getpid()) not in pids
    assert not open_session_keys()


def test_one_session_per_callback_instance(tmp_path):
    a, b = InitLog(tmp_path / "a.log"), InitLog(tmp_path / "b.log")
    scs = tiny_scenarios(3)
    run_simulations([SimulationTask(scs[0], WaypointPlanner(), a), SimulationTask(scs[1], WaypointPlanner(), b),
                     SimulationTask(scs[2], WaypointPlanner(), a)])
    assert (tmp_path / "a.log").read_text().split() [1::2] == ["init_start", "sim_start", "sim_start", "init_end"]
    assert (tmp_path / "b.log").read_text().split()[1::2] == ["init_start", "sim_start", "init_end"]


# ---------------------------------------------------------------------------------- the seed's WorkerPool snippet


class SeedSetup:
    def __init__(self, name: str) -> None:
        self.name = name


class SummingCallback(AbstractCallback):
    def on_simulation_end(self, setup, planner, history):
        return f"{setup.name}:{sum(history)}"


def test_seed_worker_pool_snippet_runs_unchanged():
    # the seed's import path, mapped: nuplan.planning.simulation.runner.executor -> simhops.simulation.runner.executor
    from simhops.simulation.runner.executor import WorkerPool

    callback = SummingCallback()
    scenarios = [(SeedSetup(f"s{i}"), None, list(range(i))) for i in range(4)]
    # --- seed 000, "Async Execution with WorkerPool" (import path mapped to simhops) ---
    with WorkerPool(num_workers=2) as pool:
        # Submit callback tasks
        futures = [
            pool.submit(callback.on_simulation_end, setup, planner, history)
            for setup, planner, history in scenarios
        ]

        # Wait for completion
        for future in futures:
            try:
                future.result()  # Blocks until done, raises if exception
            except Exception as e:
                # Exception from callback crashes here
                raise
    # --- end of the seed's snippet ---
    assert [f.result() for f in futures] == ["s0:0", "s1:0", "s2:1", "s3:3"]
    assert pool._executor is None  # shut down on exit


# ---------------------------------------------------------------------------------- Ray


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        ray.shutdown()
    here = Path(__file__).resolve().parent  # the actors unpickle planners defined in this module
    path = os.pathsep.join([str(here), str(here.parent), os.environ.get("PYTHONPATH", "")])
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": path}})
    yield ray
    ray.shutdown()


def test_ray_faults_fail_only_their_scenario(ray_local, tmp_path):
    from simhops.simulation.runner.ray_distributed import RayDistributed

    scs = tiny_scenarios(7)
    faults = {scs[1].name: "sigkill", scs[3].name: "hang", scs[5].name: "system_exit"}
    log = tmp_path / "hooks.log"
    cb = MultiCallback([TimingCallback(), MetricCallback(), InitLog(log)])
    reports = run_simulations([SimulationTask(s, FaultyPlanner(faults), cb) for s in scs], RayDistributed(2),
                              timeout_s=5.0)
    by_name = {r.scenario_name: r for r in reports}
    for s in scs:
        r = by_name[s.name]
        if s.name in faults:
            assert not r.succeeded and not r.metrics
        else:
            assert r.succeeded, r.error_message
            assert r.metrics["n_steps"] == 10 and r.timing["n_steps"] == 10
    assert "worker process died" in by_name[scs[1].name].error_message
    assert by_name[scs[3].name].status == "timeout"
    assert "SystemExit: 4" in by_name[scs[5].name].error_message
    lines = [line.split() for line in log.read_text().splitlines()]
    for pid in {p for p, _ in lines}:  # per actor process: one start first; one end last unless it was killed
        hooks = [h for p, h in lines if p == pid]
        assert hooks[0] == "init_start" and hooks.count("init_start") == 1 and hooks.count("init_end") <= 1
        assert "init_end" not in hooks or hooks[-1] == "init_end"
    assert sum(h == "init_end" for _, h in lines) >= 1


def test_signal_handling_contexts():
    from simhops.simulation.runner.errors import RunInterrupted
    from simhops.simulation.runner.interrupts import interrupts_raise, signals_deferred

    before = signal.getsignal(signal.SIGINT)
    late: list[int] = []
    with signals_deferred(late):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
        with pytest.raises(RunInterrupted) as exc_info:
            with interrupts_raise():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(1.0)
        assert exc_info.value.signum == signal.SIGINT and exc_info.value.exit_code == 130
        assert isinstance(exc_info.value, KeyboardInterrupt)
        os.kill(os.getpid(), signal.SIGINT)  # deferred again once the inner block is left
        time.sleep(0.05)
    assert late == [signal.SIGTERM, signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is before


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("this exception does not pickle")


def _raise_unpicklable(x):
    raise Unpicklable(f"bad {x}")


def _unpicklable_result(x):
    return lambda: x


def test_unpicklable_errors_and_results_fail_only_their_item():
    out = ProcessPool(1).map(_raise_unpicklable, [1], return_exceptions=True)
    assert isinstance(out[0], RuntimeError) and "Unpicklable: bad 1" in str(out[0])
    out = ProcessPool(1).map(_unpicklable_result, [1, 2], return_exceptions=True)
    assert all(isinstance(o, RuntimeError) and "could not be sent back" in str(o) for o in out)


def test_default_timeout_follows_the_scenario_duration():
    from simhops.simulation.runner.executor import TIMEOUT_BASE_S, TIMEOUT_PER_SIM_S, default_timeout_s

    short, long_ = tiny_scenarios(1, 0.2)[0], tiny_scenarios(1, 20.0)[0]
    assert default_timeout_s(SimulationTask(short, WaypointPlanner())) == TIMEOUT_BASE_S + TIMEOUT_PER_SIM_S * 0.2
    assert default_timeout_s(SimulationTask(long_, WaypointPlanner())) == TIMEOUT_BASE_S + TIMEOUT_PER_SIM_S * 20.0
    seen = []

    class Recorder(Sequential):
        def map(self, fn, items, **kwargs):
            seen.append(kwargs["timeouts"])
            return super().map(fn, items, **kwargs)

    run_simulations([SimulationTask(short, WaypointPlanner()), SimulationTask(long_, WaypointPlanner())], Recorder())
    assert seen == [[TIMEOUT_BASE_S + TIMEOUT_PER_SIM_S * 0.2, TIMEOUT_BASE_S + TIMEOUT_PER_SIM_S * 20.0]]
