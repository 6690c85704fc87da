"""Curriculum interpolation (simhops.train.curriculum): start / end levels, monotone values, int keys, validity."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simhops.config import ConfigError, SimHopsConfig, load_config
from simhops.config.schema import DEFAULT_TRAIN_ENV_OVERLAY
from simhops.train.curriculum import Curriculum, nominal_range_value, schedule_floor_level
from simhops.train.training_config import training_env_config

EXTRA = {"disturbances.latency_steps": 3, "disturbances.wind_m_s": [1.0, -2.0, 0.0],
         "disturbances.motor_noise": 0.02, "randomization.drag": {"kind": "absolute_uniform", "low": 0.0, "high": 0.02},
         "randomization.gust_std": {"kind": "absolute_uniform", "low": 0.1, "high": 0.4},
         "physics.ground_effect": True}


def _cfg(overlay=None, levels=4, start=None) -> SimHopsConfig:
    cfg = SimHopsConfig()
    train = cfg.train.model_copy(update={
        "env_overlay": dict(DEFAULT_TRAIN_ENV_OVERLAY if overlay is None else overlay),
        "curriculum": cfg.train.curriculum.model_copy(update={"levels": levels, "start": dict(start or {})})})
    return SimHopsConfig.model_validate({**cfg.model_dump(mode="json"), "train": train.model_dump(mode="json")})


def _numbers(v):
    if isinstance(v, dict):
        return [v["low"], v["high"]]
    if isinstance(v, list):
        return list(v)
    return [v] if isinstance(v, (int, float)) and not isinstance(v, bool) else []


def test_level_zero_is_the_base_config_and_full_level_is_the_overlay():
    cfg = _cfg()
    cur = Curriculum.from_config(cfg)
    assert cur.level_overlay(cur.levels) == dict(cfg.train.env_overlay)
    assert cur.level_config(cfg, cur.levels) == training_env_config(cfg)
    zero = cur.level_overlay(0)
    assert zero["scenario.hop_max_m"] == cfg.scenario.hop_max_m == 3.0
    assert zero["scenario.duration_s"] == cfg.scenario.duration_s
    assert zero["disturbances.obs_noise_position_m"] == cfg.disturbances.obs_noise_position_m == 0.0
    assert zero["randomization.gust_std"] == {"kind": "absolute_uniform", "low": 0.0, "high": 0.0}
    # ranges off in the base config start degenerate: relative [1, 1], absolute wind speed [0, 0]
    assert zero["randomization.mass"] == {"kind": "relative_uniform", "low": 1.0, "high": 1.0}
    assert zero["randomization.wind_speed"] == {"kind": "absolute_uniform", "low": 0.0, "high": 0.0}
    assert zero["randomization.latency"]["low"] == zero["randomization.latency"]["high"] == 0.0
    # level 0's config is the base config up to the (degenerate) randomization and the same course settings
    c0 = cur.level_config(cfg, 0)
    assert c0.scenario == cfg.scenario and c0.disturbances == cfg.disturbances


def test_start_values_are_used_and_middle_levels_interpolate():
    cfg = _cfg(start={"scenario.hop_max_m": 2.0, "randomization.mass": {"low": 0.95, "high": 1.05}})
    cur = Curriculum.from_config(cfg)
    assert cur.level_overlay(0)["scenario.hop_max_m"] == 2.0
    assert cur.level_overlay(2)["scenario.hop_max_m"] == pytest.approx(2.0 + 0.5 * (8.0 - 2.0))
    assert cur.level_overlay(0)["randomization.mass"] == {"kind": "relative_uniform", "low": 0.95, "high": 1.05}
    mid = cur.level_overlay(2)["randomization.mass"]
    end = cfg.train.env_overlay["randomization.mass"]
    assert mid["low"] == pytest.approx(0.5 * (0.95 + end["low"])) and mid["high"] == pytest.approx(0.5 * (1.05 + end["high"]))


def test_int_keys_round_lists_interpolate_element_wise_and_other_values_switch_at_level_one():
    cfg = _cfg({**DEFAULT_TRAIN_ENV_OVERLAY, **EXTRA}, levels=4)
    cur = Curriculum.from_config(cfg)
    assert "disturbances.latency_steps" in cur.int_keys
    lat = [cur.level_overlay(lv)["disturbances.latency_steps"] for lv in range(5)]
    assert lat == [0, 1, 2, 2, 3] and all(type(v) is int for v in lat)  # round(1.5) == 2, round(2.25) == 2
    assert cur.level_overlay(2)["disturbances.wind_m_s"] == pytest.approx([0.5, -1.0, 0.0])
    assert cur.level_overlay(0)["physics.ground_effect"] is False
    assert all(cur.level_overlay(lv)["physics.ground_effect"] is True for lv in range(1, 5))
    # absolute ranges that are off start at the nominal value: gust std 0, drag the airframe's drag x
    assert cur.level_overlay(0)["randomization.gust_std"]["high"] == 0.0
    drag0 = cur.level_overlay(0)["randomization.drag"]
    assert drag0["low"] == drag0["high"] == nominal_range_value(cfg, "drag", "absolute_uniform") > 0.0


@settings(max_examples=25, deadline=None)
@given(levels=st.integers(1, 10), hop0=st.floats(3.0, 8.0), gust0=st.floats(0.0, 0.5), lat_end=st.integers(0, 10))
def test_every_level_is_a_valid_config_and_values_move_monotonically(levels, hop0, gust0, lat_end):
    overlay = {**DEFAULT_TRAIN_ENV_OVERLAY, **EXTRA, "disturbances.latency_steps": lat_end}
    cfg = _cfg(overlay, levels=levels, start={"scenario.hop_max_m": hop0, "disturbances.obs_noise_position_m": gust0 * 0.02})
    cur = Curriculum.from_config(cfg)  # validates every level's config
    overlays = [cur.level_overlay(lv) for lv in range(levels + 1)]
    assert overlays[0]["scenario.hop_max_m"] == pytest.approx(hop0)
    assert overlays[-1] == overlay
    for lv in range(levels + 1):
        assert isinstance(cur.level_config(cfg, lv), SimHopsConfig)
        assert type(overlays[lv]["disturbances.latency_steps"]) is int
    for key in overlay:
        series = [_numbers(o[key]) for o in overlays]
        for j in range(len(series[0])):
            vals = [s[j] for s in series]
            up = vals[-1] >= vals[0]
            assert all((b >= a - 1e-12) if up else (b <= a + 1e-12) for a, b in zip(vals, vals[1:])), (key, vals)
    for key in ("randomization.mass", "randomization.wind_speed", "randomization.latency"):
        widths = [o[key]["high"] - o[key]["low"] for o in overlays]
        assert all(b >= a - 1e-12 for a, b in zip(widths, widths[1:])), (key, widths)  # ranges only widen


def test_bad_start_values_name_the_key():
    with pytest.raises(ConfigError, match=r"train\.curriculum\.start\.scenario\.hop_max_m"):
        Curriculum.from_config(_cfg(start={"scenario.hop_max_m": "far"}))
    with pytest.raises(ConfigError, match=r"train\.curriculum\.start\.scenario\.hop_max_m"):
        Curriculum.from_config(_cfg(start={"scenario.hop_max_m": 0.1}))  # hop_max < hop_min at level 0
    with pytest.raises(ConfigError, match=r"train\.curriculum\.start\.randomization\.mass"):
        Curriculum.from_config(_cfg(start={"randomization.mass": {"kind": "absolute_uniform", "low": 0.02,
                                                                   "high": 0.03}}))
    with pytest.raises(ConfigError, match=r"train\.curriculum\.start\.scenario\.nope"):
        load_config(None, ['train.curriculum.start={"scenario.nope": 1}'])
    with pytest.raises(ConfigError, match=r"train\.curriculum\.full_at_fraction"):
        load_config(None, ["train.curriculum.full_at_fraction=0"])
    with pytest.raises(ValueError, match="level"):
        Curriculum.from_config(_cfg()).level_overlay(5)


def test_schedule_floor_reaches_the_full_level_at_full_at_fraction():
    assert [schedule_floor_level(p, 4, 0.6) for p in (0.0, 0.149, 0.15, 0.3, 0.45, 0.599, 0.6, 1.0)] == \
        [0, 0, 1, 2, 3, 3, 4, 4]
    assert schedule_floor_level(0.5, 3, 1.0) == 1
    with pytest.raises(ValueError, match="full_at_fraction"):
        schedule_floor_level(0.5, 3, 0.0)
