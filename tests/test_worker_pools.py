"""Worker pools: order, failure isolation, pickling, and identical results on every backend."""

from __future__ import annotations

import importlib.util
import pickle
import threading

import pandas as pd
import pytest

from simhops.config import load_config
from simhops.evaluation.evaluator import Evaluator
from simhops.scenario.benchmark import build_benchmark
from simhops.simulation.callback.metric_callback import MetricCallback
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.simulation.callback.serialization_callback import SerializationCallback
from simhops.evaluation.simulation_log import SimulationLogCallback
from simhops.simulation.callback.timing_callback import TimingCallback
from simhops.simulation.callback.visualization_callback import VisualizationCallback
from simhops.simulation.metrics.metric_engine import MetricsEngine
from simhops.simulation.planner.hover_planner import HoverPlanner
from simhops.simulation.planner.random_planner import RandomPlanner
from simhops.simulation.planner.waypoint_planner import WaypointPlanner
from simhops.simulation.runner.executor import run_simulations
from simhops.simulation.runner.process_pool import ProcessPool
from simhops.simulation.runner.simulation_task import SimulationTask
from simhops.simulation.runner.sequential import Sequential
from simhops.simulation.runner.worker_pool_factory import build_worker_pool

HAS_RAY = importlib.util.find_spec("ray") is not None


def _square(x: int) -> int:
    return x * x


def _fail_on_3(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def scenarios(n: int = 6, duration_s: float = 8.0):
    """The zigzag track (not completed in 8 s) and random courses (completed)."""
    return build_benchmark(cfg=load_config(overrides=[f"scenario.duration_s={duration_s}"]))[3:3 + n]


@pytest.mark.parametrize("pool", [Sequential(), ProcessPool(2)], ids=["sequential", "process"])
def test_map_order_results_and_exceptions(pool):
    seen = []
    assert pool.map(_square, range(7), on_result=lambda i, r: seen.append((i, r))) == [i * i for i in range(7)]
    assert sorted(seen) == [(i, i * i) for i in range(7)]
    out = pool.map(_fail_on_3, range(5), return_exceptions=True)
    assert out[:3] == [0, 1, 2] and out[4] == 4 and isinstance(out[3], ValueError)
    with pytest.raises(ValueError, match="three"):
        pool.map(_fail_on_3, range(5))
    assert pool.map(_square, []) == []


def test_build_worker_pool():
    assert isinstance(build_worker_pool("sequential"), Sequential)
    assert build_worker_pool("process", 3).number_of_workers == 3
    with pytest.raises(ValueError, match="unknown worker pool backend"):
        build_worker_pool("threads")
    with pytest.raises(ValueError):
        build_worker_pool("process", 0)


def test_unpicklable_runner_fails_only_itself():
    scs = scenarios(3, duration_s=0.2)
    bad = WaypointPlanner()
    bad.lock = threading.Lock()  # cannot be pickled to a worker
    tasks = [SimulationTask(scs[0], WaypointPlanner()), SimulationTask(scs[1], bad),
             SimulationTask(scs[2], WaypointPlanner())]
    reports = run_simulations(tasks, ProcessPool(2))
    assert [r.succeeded for r in reports] == [True, False, True]
    assert "pickle" in reports[1].error_message and reports[1].scenario_name == scs[1].name


def test_builtin_callbacks_and_planners_pickle(tmp_path):
    objects = [
        TimingCallback(), MetricCallback(), MetricCallback(MetricsEngine.default()),
        SerializationCallback(tmp_path / "h"), SerializationCallback(tmp_path / "j", False, "json"),
        SimulationLogCallback(tmp_path / "log.parquet"), VisualizationCallback(tmp_path / "v.rrd"),
        MultiCallback([TimingCallback(), MetricCallback()], isolate_exceptions=True),
        WaypointPlanner(), HoverPlanner(), RandomPlanner(seed=3),
    ]
    for obj in objects:
        clone = pickle.loads(pickle.dumps(obj))
        assert type(clone) is type(obj)
    # after use too (a shared callback keeps only small results)
    sc = scenarios(1, duration_s=0.2)[0]
    cb = MultiCallback([TimingCallback(), MetricCallback(), SerializationCallback(tmp_path / "h")])
    planner = WaypointPlanner()
    SimulationTask(sc, planner, cb).run()
    clone = pickle.loads(pickle.dumps(SimulationTask(sc, planner, cb)))
    assert repr(clone.callback.callbacks[1].results) == repr(cb.callbacks[1].results)  # NaN-safe


def _evaluate(tmp_path, backend, workers):
    out = tmp_path / backend
    result = Evaluator(WaypointPlanner(), scenarios(), out, backend=backend, workers=workers).run()
    assert result.summary["failed"] == 0
    return pd.read_parquet(out / "metrics.parquet")


@pytest.fixture(scope="module")
def ray_local():
    if not HAS_RAY:
        pytest.skip("ray is not installed")
    import ray

    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    yield ray
    if started:
        ray.shutdown()


def test_backends_give_identical_metrics(tmp_path, ray_local):
    seq = _evaluate(tmp_path, "sequential", None)
    proc = _evaluate(tmp_path, "process", 2)
    ray_df = _evaluate(tmp_path, "ray", 2)
    assert len(seq) == 6 and list(seq["scenario"]) == sorted(seq["scenario"])
    assert 3 <= seq["success"].sum() < 6 and not seq["run_succeeded"].eq(False).any()
    pd.testing.assert_frame_equal(seq, proc, check_exact=True)
    pd.testing.assert_frame_equal(seq, ray_df, check_exact=True)
    assert (tmp_path / "sequential" / "metrics.parquet").read_bytes() == (tmp_path / "ray" / "metrics.parquet").read_bytes()
