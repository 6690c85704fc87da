"""History files (msgpack/JSON), atomic writes, SerializationCallback, SimulationLogCallback, VisualizationCallback."""

from __future__ import annotations

import os
import pickle

import msgpack
import numpy as np
import pandas as pd
import pytest

from rrd_utils import read_rrd
from simhops.config import load_config
from simhops.scenario.benchmark import build_benchmark
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.simulation.callback.serialization_callback import SerializationCallback, scenario_file_stem
from simhops.evaluation.simulation_log import SimulationLogCallback
from simhops.simulation.callback.visualization_callback import VisualizationCallback, scenario_entity_path
from simhops.viz.episode_rerun import decimate_rows
from simhops.simulation.history import history_io
from simhops.simulation.history.history_io import (
    HistoryFormatError,
    atomic_write_bytes,
    history_arrays,
    load_history,
    load_history_and_metadata,
    save_history,
)
from simhops.simulation.planner.random_planner import RandomPlanner
from simhops.simulation.planner.waypoint_planner import WaypointPlanner
from simhops.simulation.runner.executor import run_simulations
from simhops.simulation.runner.simulation_task import SimulationTask


def scenarios(n=3, duration_s=2.0):
    return build_benchmark(cfg=load_config(overrides=[f"scenario.duration_s={duration_s}"]))[4:4 + n]


@pytest.fixture(scope="module")
def history():
    sc = scenarios(1, duration_s=8.0)[0]
    return SimulationTask(sc, WaypointPlanner(), keep_history=True).run().history


def assert_same_history(a, b):
    assert a.scenario == b.scenario and len(a) == len(b) and a.n_rows == b.n_rows
    for name, arr in history_arrays(a).items():
        other = history_arrays(b)[name]
        assert arr.dtype == other.dtype and arr.shape == other.shape, name
        assert np.array_equal(arr, other, equal_nan=True), name
        # bit for bit, NaN payloads included
        assert arr.tobytes() == np.ascontiguousarray(other).tobytes(), name
    assert a.last_state == b.last_state and a.last_observation == b.last_observation
    assert a[3].command.values.tolist() == b[3].command.values.tolist()


@pytest.mark.parametrize("suffix", [".msgpack", ".json"])
def test_round_trip_is_exact(tmp_path, history, suffix):
    path = save_history(history, tmp_path / f"h{suffix}", metadata={"planner": "WaypointPlanner", "n": 3})
    loaded, meta = load_history_and_metadata(path)
    assert meta == {"planner": "WaypointPlanner", "n": 3}
    assert_same_history(history, loaded)
    assert np.isnan(loaded.commands[-1]).all()  # the last state has no command
    assert os.listdir(tmp_path) == [path.name]  # no temporary file left


def test_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "out.bin"
    atomic_write_bytes(target, b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(history_io.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["out.bin"]


@pytest.mark.parametrize("content, match", [
    (b"\x00not msgpack at all\xff\xfe", "not a simhops history file"),
    (msgpack.packb({"hello": "world"}), "not a simhops history file"),
    (msgpack.packb([1, 2, 3]), "not a simhops history file"),
    (msgpack.packb({"format": "simhops.simulation_history", "version": 99}), "unsupported history version"),
    (msgpack.packb({"format": "simhops.simulation_history", "version": 1, "scenario": {}}), "malformed"),
    (msgpack.packb(msgpack.ExtType(42, b"x")), "extension type 42 is not allowed"),
])
def test_loading_garbage_raises_clear_error(tmp_path, content, match):
    path = tmp_path / "bad.msgpack"
    path.write_bytes(content)
    with pytest.raises(HistoryFormatError, match=match):
        load_history(path)


def test_loading_never_unpickles(tmp_path, history):
    path = tmp_path / "p.msgpack"
    path.write_bytes(pickle.dumps(history))
    with pytest.raises(HistoryFormatError):
        load_history(path)
    with pytest.raises(FileNotFoundError):
        load_history(tmp_path / "missing.msgpack")


def test_tampered_dtype_is_rejected(tmp_path, history):
    d = history_io.history_to_dict(history)
    d["arrays"]["states"]["dtype"] = "|O"
    path = tmp_path / "t.msgpack"
    path.write_bytes(msgpack.packb(d, use_bin_type=True))
    with pytest.raises(HistoryFormatError, match="dtype"):
        load_history(path)


def test_serialization_callback_one_file_per_scenario(tmp_path):
    scs = scenarios(3)
    cb = SerializationCallback(tmp_path / "hist")
    reports = run_simulations([SimulationTask(s, WaypointPlanner(), cb, keep_history=True) for s in scs])
    files = sorted(os.listdir(tmp_path / "hist"))
    assert files == sorted(f"{scenario_file_stem(s.name)}.msgpack" for s in scs)
    for r in reports:
        loaded, meta = load_history_and_metadata(cb.path_for(r.scenario_name))
        assert meta["planner"] == "WaypointPlanner" and meta["scenario"] == r.scenario_name
        assert_same_history(r.history, loaded)
    assert scenario_file_stem("benchmark-v0/random_000") == "benchmark-v0__random_000"
    assert scenario_file_stem("a b/../c") == "a_b__..__c"  # no path separators survive
    with pytest.raises(ValueError, match="serialization_type"):
        SerializationCallback(tmp_path, "pickle")


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_simulation_log_callback_hook_mode(tmp_path, suffix):
    scs = scenarios(3)

    class Bad(RandomPlanner):
        def compute_planner_trajectory(self, current_input):
            raise RuntimeError("no plan")

    log = SimulationLogCallback(tmp_path / f"log{suffix}")
    run_simulations([SimulationTask(scs[0], WaypointPlanner(), log), SimulationTask(scs[1], Bad(), log),
                     SimulationTask(scs[2], RandomPlanner(seed=1), log)])
    df = pd.read_parquet(log.output_path) if suffix == ".parquet" else pd.read_csv(log.output_path)
    assert list(df.columns) == ["planner", "scenario", "seed", "status", "outcome", "duration_s", "error"]
    assert list(df["scenario"]) == sorted(s.name for s in scs)
    by = df.set_index("scenario")
    assert by.loc[scs[0].name, "status"] == "succeeded" and by.loc[scs[0].name, "outcome"] == "incomplete"
    assert by.loc[scs[1].name, "status"] == "failed" and "RuntimeError: no plan" in by.loc[scs[1].name, "error"]
    assert by.loc[scs[2].name, "planner"] == "RandomPlanner" and by.loc[scs[2].name, "outcome"] in ("crashed", "incomplete")
    assert int(by.loc[scs[0].name, "seed"]) == scs[0].seed
    assert (df["duration_s"] > 0).all()
    assert sorted(os.listdir(tmp_path)) == [f"log{suffix}"]
    with pytest.raises(ValueError, match="parquet or .csv"):
        SimulationLogCallback(tmp_path / "log.txt")


def test_simulation_log_from_reports(tmp_path):
    scs = scenarios(2)
    reports = run_simulations([SimulationTask(s, WaypointPlanner()) for s in scs])
    log = SimulationLogCallback(tmp_path / "log.parquet")
    for r in reports:
        log.add_report(r)
    df = pd.read_parquet(log.write())
    assert list(df["status"]) == ["succeeded", "succeeded"] and df["error"].isna().all()


def test_visualization_callback_logs_one_subtree_per_scenario(tmp_path):
    scs = scenarios(2)
    viz = VisualizationCallback(tmp_path / "eval.rrd")
    assert pickle.loads(pickle.dumps(viz)).output_path == viz.output_path
    reports = run_simulations([SimulationTask(s, WaypointPlanner(), MultiCallback([viz]), keep_history=True)
                               for s in scs])
    viz.close()
    with pytest.raises(RuntimeError, match="closed"):
        viz.visualizer  # noqa: B018
    ents = read_rrd(tmp_path / "eval.rrd")
    for r in reports:
        base = scenario_entity_path(r.scenario_name)
        assert base == f"world/{r.scenario_name}"
        traj = ents[f"{base}/trajectory"]["data"]["LineStrips3D:strips"][0][0]
        assert np.array_equal(np.asarray(traj, dtype=np.float32), r.history.positions.astype(np.float32))
        drone = ents[f"{base}/drone"]
        # poses decimated to 25 rows per second of sim time (simhops.viz.episode_rerun.decimate_rows), last row kept
        assert "sim_time" in drone["timelines"]
        assert len(drone["timelines"]["sim_time"]) == len(decimate_rows(r.history.time_s, 25.0)) >= 2
        assert f"{base}/waypoints" in ents and f"{base}/drone/rotors" in ents
        assert max(pd.Timedelta(t).total_seconds() for t in drone["timelines"]["sim_time"]) == pytest.approx(
            r.history.time_s[-1])
    assert scenario_entity_path("a b/c") == "world/a_b/c"


def test_history_without_last_state_round_trips(tmp_path, history):
    arrays = {k: np.asarray(a)[:10] for k, a in history_arrays(history).items()}
    cut = history_io.history_from_arrays(history.scenario, arrays, n_samples=10, has_last_state=False)
    assert len(cut) == 10 and cut.n_rows == 10
    loaded = load_history(save_history(cut, tmp_path / "cut.msgpack"))
    assert_same_history_rows(cut, loaded)
    with pytest.raises(HistoryFormatError, match="shape"):
        history_io.history_from_arrays(history.scenario, arrays, n_samples=9, has_last_state=False)


def assert_same_history_rows(a, b):
    assert len(a) == len(b) and a.n_rows == b.n_rows
    for name, arr in history_arrays(a).items():
        assert arr.tobytes() == np.ascontiguousarray(history_arrays(b)[name]).tobytes(), name
