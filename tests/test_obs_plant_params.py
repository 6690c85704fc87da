"""The sampled plant reaches ``metrics.parquet`` (one row per scenario) and the history files of ``simhops eval``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simhops.config import SimHopsConfig, load_config
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.evaluation.aggregate import ID_COLUMNS
from simhops.evaluation.evaluator import Evaluator
from simhops.scenario.benchmark import build_benchmark
from simhops.simulation.history.history_io import load_history
from simhops.simulation.history.plant_record import PLANT_COLUMNS
from simhops.simulation.metrics.metric_engine import DEFAULT_METRICS
from simhops.simulation.planner.cascaded_pid_planner import CascadedPIDPlanner

RANDOM = ["randomization.mass={kind: relative_uniform, low: 0.8, high: 1.2}",
          "randomization.wind_speed={kind: absolute_uniform, low: 0.5, high: 2.0}",
          "randomization.latency={kind: absolute_uniform, low: 0, high: 2}",
          "disturbances.obs_noise_position_m=0.01"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    physics = PhysicsParams.from_config(load_config(None, RANDOM))
    scenarios = build_benchmark("benchmark-v0")[4:7]
    out = tmp_path_factory.mktemp("eval")
    return Evaluator(CascadedPIDPlanner(), scenarios, out, physics=physics).run()


def test_metrics_parquet_has_one_plant_row_per_scenario(result):
    df = pd.read_parquet(result.files["metrics"])
    assert list(df.columns) == [*ID_COLUMNS, *DEFAULT_METRICS, *PLANT_COLUMNS]
    assert len(df) == 3 and df["run_succeeded"].all()
    nominal = SimHopsConfig()
    m0 = PhysicsParams.from_config(nominal).airframe.mass_kg
    ratio = df["plant_mass_kg"] / m0
    assert ratio.between(0.8, 1.2).all() and ratio.nunique() == 3  # a draw per scenario
    wind = np.hypot(df["plant_wind_x_m_s"], df["plant_wind_y_m_s"])
    assert wind.between(0.5, 2.0).all() and (df["plant_wind_z_m_s"] == 0.0).all()
    assert df["plant_latency_steps"].isin([0, 1, 2]).all()
    assert (df["plant_obs_noise_position_m"] == 0.01).all()
    np.testing.assert_allclose(df["plant_thrust_to_weight"],
                               4 * df["plant_max_motor_thrust_n"] / (df["plant_mass_kg"] * 9.81), rtol=1e-3)


def test_history_files_carry_the_same_plant(result):
    df = pd.read_parquet(result.files["metrics"]).set_index("scenario")
    for r in result.reports:
        history = load_history(result.files["histories"] / f"{r.scenario_name.replace('/', '__')}.msgpack")
        assert history.plant_params["mass_kg"] == df.loc[r.scenario_name, "plant_mass_kg"]
        assert history.plant_params["latency_steps"] == df.loc[r.scenario_name, "plant_latency_steps"]
        assert np.isfinite(history.wind_m_s).all()


def test_failed_runs_have_null_plant_columns():
    from simhops.evaluation.aggregate import metrics_rows
    from simhops.simulation.runner.runner_report import RunnerReport

    bad = RunnerReport(False, "boom", 0.0, 1.0, "P", "s/a", "s", plant_params={"plant_mass_kg": 1.0})
    row = metrics_rows([bad], ["success"])[0]
    assert all(row[c] is None for c in PLANT_COLUMNS)
