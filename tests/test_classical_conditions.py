"""Condition overlays (``simhops eval --conditions``): shipped YAML, user files, validation, the sweep."""

from __future__ import annotations

import json

import pytest

from simhops.config import ConfigError, SimHopsConfig
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.evaluation.cli import main
from simhops.scenario.conditions import (
    ConditionOverlay,
    apply_condition,
    available_conditions,
    load_condition,
    missing_keys,
    parse_conditions,
)

SHIPPED = ["combined", "gusts_3ms", "latency_1", "latency_2", "mass_minus20", "mass_plus20", "motor_lag_x2",
           "nominal", "sensor_noise", "thrust_minus10", "wind_3ms"]


def test_shipped_conditions():
    assert available_conditions() == SHIPPED
    for name in SHIPPED:
        o = load_condition(name)
        assert o.name == name and o.description
    assert dict(load_condition("nominal").overrides) == {}
    assert apply_condition(SimHopsConfig(), load_condition("nominal")) == SimHopsConfig()


def _plant(cfg):
    """The plant parameters a Simulation samples for one scenario under ``cfg``, and the planner's nominal physics."""
    import numpy as np

    from simhops.scenario.scenario_builder import ScenarioBuilder
    from simhops.simulation.simulation_setup import build_simulation_setup

    physics = PhysicsParams.from_config(cfg)
    rng = np.array([7], dtype=np.uint64)
    scenario = ScenarioBuilder(cfg, physics).build_random(rng.copy())
    setup = build_simulation_setup(scenario, physics, rng)
    setup.ego_controller.reset()  # begins the episode: samples the plant
    return setup.ego_controller.plant_params, physics


@pytest.mark.parametrize("name, key, factor", [("motor_lag_x2", "motor_tau_up_s", 2.0),
                                               ("motor_lag_x2", "motor_tau_down_s", 2.0),
                                               ("mass_plus20", "mass_kg", 1.2), ("mass_minus20", "mass_kg", 0.8),
                                               ("thrust_minus10", "max_motor_thrust_n", 0.9)])
def test_plant_overlays_change_the_plant_not_the_planners_model(name, key, factor):
    nominal, _ = _plant(SimHopsConfig())
    cfg = apply_condition(SimHopsConfig(), load_condition(name))
    plant, physics = _plant(cfg)
    assert plant[key] == pytest.approx(factor * nominal[key], rel=1e-12)
    # the planner's model (PhysicsParams of the config) stays the nominal airframe
    assert physics.airframe == PhysicsParams.from_config(SimHopsConfig()).airframe


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_overlay_applies(name):
    """Overlays whose keys the physics issue adds are skipped, naming the keys, until that merge."""
    overlay = load_condition(name)
    assert missing_keys(overlay) == []
    cfg = apply_condition(SimHopsConfig(), overlay)
    for key, value in overlay.overrides.items():
        node = cfg
        for part in key.split("."):
            node = getattr(node, part)
        assert node == value


def test_user_overlay_file(tmp_path):
    f = tmp_path / "fine_steps.yaml"
    f.write_text("description: more sub-steps\noverrides:\n  physics.substeps: 10\n  physics.rate_gains: [25, 25, 12]\n")
    o = load_condition(f)
    assert o.name == "fine_steps"
    cfg = apply_condition(SimHopsConfig(), o)
    assert cfg.physics.substeps == 10 and cfg.physics.rate_gains == [25.0, 25.0, 12.0]
    assert [x.name for x in parse_conditions(f"nominal,{f}")] == ["nominal", "fine_steps"]


def test_overlay_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="unknown condition 'windy'.*mass_plus20"):
        load_condition("windy")
    bad_key = ConditionOverlay("x", overrides={"physics.motor_tau_s": 0.1})
    assert missing_keys(bad_key) == ["physics.motor_tau_s"]
    with pytest.raises(ConfigError, match=r"condition 'x' sets \['physics.motor_tau_s'\]"):
        apply_condition(SimHopsConfig(), bad_key)
    with pytest.raises(ConfigError, match="condition 'y': invalid value: physics.substeps"):
        apply_condition(SimHopsConfig(), ConditionOverlay("y", overrides={"physics.substeps": -1}))
    f = tmp_path / "bad.yaml"
    f.write_text("name: bad\nwind: 3\n")
    with pytest.raises(ValueError, match="unknown fields"):
        load_condition(f)
    f.write_text("overrides: [1, 2]\n")
    with pytest.raises(ValueError, match="'overrides' must map"):
        load_condition(f)
    with pytest.raises(ValueError, match="duplicate condition"):
        parse_conditions("nominal,nominal")
    with pytest.raises(ValueError, match="at least one"):
        parse_conditions(" , ")


def test_cli_condition_sweep(tmp_path, capsys):
    out = tmp_path / "sweep"
    rc = main(["eval", "--planner", "classical", "--scenarios", "benchmark-v0", "--limit", "5",
               "--conditions", "nominal,motor_lag_x2", "--output-dir", str(out), "--no-progress"])
    assert rc == 0
    assert (out / "nominal" / "metrics.parquet").is_file() and (out / "motor_lag_x2" / "metrics.parquet").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conditions"] == ["nominal", "motor_lag_x2"] and summary["planner"] == "CascadedPIDPlanner"
    fams = [(g["condition"], g["family"]) for g in summary["groups"]]
    assert fams == [("nominal", "tracks"), ("nominal", "random"), ("nominal", "all"),
                    ("motor_lag_x2", "tracks"), ("motor_lag_x2", "random"), ("motor_lag_x2", "all")]
    for g in summary["groups"]:
        assert g["success_rate"] == 1.0 and g["success_ci95"][1] == 1.0 and g["mean_time_ratio"] > 1.0
    per = summary["per_condition"]
    assert per["nominal"]["mean_body_rate_jerk_rad_s3"] != per["motor_lag_x2"]["mean_body_rate_jerk_rad_s3"]
    printed = capsys.readouterr().out
    assert "per family x condition" in printed and "motor_lag_x2" in printed


def test_cli_rejects_a_condition_with_missing_keys(tmp_path, capsys):
    f = tmp_path / "typo.yaml"
    f.write_text("overrides:\n  disturbances.wind.mean_m_s: [3.0, 0.0, 0.0]\n")
    with pytest.raises(SystemExit):
        main(["eval", "--planner", "classical", "--limit", "1", "--conditions", f"nominal,{f}",
              "--output-dir", str(tmp_path / "x"), "--no-progress"])
    assert "disturbances.wind.mean_m_s" in capsys.readouterr().err
    assert not (tmp_path / "x" / "nominal").exists()  # nothing ran
