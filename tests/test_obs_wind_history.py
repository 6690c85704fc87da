"""Wind in ``CourseProgress`` and in the history; the sampled plant in the history; history file v2 (v1 still read)."""

from __future__ import annotations

import msgpack
import numpy as np
import pytest

from simhops.config import load_config
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.scenario.benchmark import build_benchmark
from simhops.simulation.history import history_io
from simhops.simulation.history.plant_record import PLANT_COLUMNS, PLANT_KEYS, plant_columns
from simhops.simulation.planner.hover_planner import HoverPlanner
from simhops.simulation.simulation import Simulation
from simhops.simulation.simulation_setup import build_simulation_setup

WIND = ["disturbances.wind_m_s=[1.0,-0.5,0.2]", "disturbances.gust_std_m_s=0.6", "disturbances.gust_tau_s=0.8",
        "randomization.mass={kind: relative_uniform, low: 0.85, high: 1.15}"]


def _run(overrides, steps=60, seed=3):
    physics = PhysicsParams.from_config(load_config(None, overrides))
    scenario = build_benchmark("benchmark-v0")[4]
    sim = Simulation(build_simulation_setup(scenario, physics, np.array([seed], dtype=np.uint64)))
    planner = HoverPlanner()
    planner.initialize(sim.initialize())
    winds = [sim.setup.ego_controller.wind_m_s.copy()]
    for _ in range(steps):
        sim.propagate(planner.compute_trajectory(sim.get_planner_input()))
        winds.append(sim.setup.ego_controller.wind_m_s.copy())
        assert sim.current_state[1].wind_m_s == tuple(winds[-1])  # the course observation carries it
    return sim, np.array(winds)


def test_wind_is_in_the_course_observation_and_the_history():
    sim, winds = _run(WIND)
    h = sim.history
    assert h.wind_m_s.shape == (61, 3)
    np.testing.assert_array_equal(h.wind_m_s, winds)
    np.testing.assert_array_equal(np.array([s.observation.wind_m_s for s in h]), winds[:-1])
    assert np.all(np.std(winds, axis=0) > 0.05)  # gusts move it
    assert np.all(np.std(winds, axis=0) < 1.5)  # gust std 0.6 m/s
    np.testing.assert_array_equal(sim.history.plant_params["wind_m_s"], [1.0, -0.5, 0.2])  # the constant part
    # no wind configured: zeros, not NaN
    calm, _ = _run([], steps=5)
    np.testing.assert_array_equal(calm.history.wind_m_s, np.zeros((6, 3)))


def test_wind_is_not_in_the_policy_observation():
    a = WaypointsEnv(load_config(None, []))
    b = WaypointsEnv(load_config(None, ["disturbances.wind_m_s=[2.0,0.0,0.0]"]))
    oa, _ = a.reset(seed=1)
    ob, _ = b.reset(seed=1)
    assert oa.shape == ob.shape
    np.testing.assert_array_equal(oa, ob)  # the first observation does not depend on the wind


def test_history_keeps_the_sampled_plant():
    sim, _ = _run(WIND, steps=3)
    plant = sim.history.plant_params
    truth = sim.setup.ego_controller.plant_params
    assert list(plant) == list(PLANT_KEYS)
    assert plant["mass_kg"] == truth["mass_kg"] != PhysicsParams().airframe.mass_kg
    assert plant["wind_m_s"] == tuple(truth["wind_m_s"])
    assert isinstance(plant["latency_steps"], int)
    cols = plant_columns(plant)
    assert list(cols) == list(PLANT_COLUMNS) and cols["plant_wind_z_m_s"] == pytest.approx(0.2)


@pytest.mark.parametrize("suffix", [".msgpack", ".json"])
def test_history_file_v2_round_trip(tmp_path, suffix):
    sim, _ = _run(WIND, steps=20)
    path = history_io.save_history(sim.history, tmp_path / f"h{suffix}", metadata={"planner": "HoverPlanner"})
    loaded, meta = history_io.load_history_and_metadata(path)
    assert meta == {"planner": "HoverPlanner"}
    np.testing.assert_array_equal(loaded.wind_m_s, sim.history.wind_m_s)
    np.testing.assert_array_equal(loaded.states, sim.history.states)
    assert loaded.plant_params == sim.history.plant_params


def test_version_1_files_still_load(tmp_path):
    sim, _ = _run(WIND, steps=10)
    d = history_io.history_to_dict(sim.history, {"planner": "HoverPlanner"}, binary=True)
    assert d["version"] == history_io.VERSION == 2
    d["version"] = 1  # what a version-1 writer produced: no wind array, no plant
    del d["arrays"]["wind_m_s"]
    del d["plant_params"]
    path = tmp_path / "old.msgpack"
    path.write_bytes(msgpack.packb(d, use_bin_type=True))
    loaded, meta = history_io.load_history_and_metadata(path)
    np.testing.assert_array_equal(loaded.states, sim.history.states)
    assert np.isnan(loaded.wind_m_s).all() and loaded.wind_m_s.shape == (11, 3)
    assert loaded.plant_params is None and meta["planner"] == "HoverPlanner"
    # a version-2 file without its wind array is malformed
    d2 = history_io.history_to_dict(sim.history, binary=True)
    del d2["arrays"]["wind_m_s"]
    with pytest.raises(history_io.HistoryFormatError, match="malformed"):
        history_io.history_from_dict(d2)
