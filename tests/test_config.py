"""Tests of the config layer (simhops.config)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from simhops.config import ConfigError, SimHopsConfig, default_config_path, load_config, parse_overrides, save_config

REPO_ROOT = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cfg.yaml"
    path.write_text(text)
    return path


def _error(**kwargs) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(**kwargs)
    return str(info.value)


# --------------------------------------------------------------------------- defaults


def test_default_loads_and_equals_schema_defaults():
    assert load_config() == SimHopsConfig()
    assert load_config(REPO_ROOT / "cfg_default.yaml") == SimHopsConfig()


def test_default_yaml_copies_identical():
    assert default_config_path().read_bytes() == (REPO_ROOT / "cfg_default.yaml").read_bytes()


def test_default_yaml_lists_every_key():
    """cfg_default.yaml spells out every schema key (nothing silently defaulted)."""
    data = yaml.safe_load(default_config_path().read_text())
    assert data == SimHopsConfig().model_dump(mode="json")


def test_every_model_is_frozen_and_forbids_extra():
    def models(m: type[BaseModel]):
        yield m
        for f in m.model_fields.values():
            if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel):
                yield from models(f.annotation)

    for m in models(SimHopsConfig):
        assert m.model_config.get("extra") == "forbid" and m.model_config.get("frozen") is True, m
    with pytest.raises(Exception):
        SimHopsConfig().train.n_envs = 3  # type: ignore[misc]


def test_missing_keys_fall_back_to_defaults(tmp_path):
    cfg = load_config(_write(tmp_path, "train:\n  n_epochs: 3\n"))
    assert cfg.train.n_epochs == 3
    assert cfg.model_copy(update={"train": SimHopsConfig().train}) == SimHopsConfig()
    assert load_config(_write(tmp_path, "")) == SimHopsConfig()


# --------------------------------------------------------------------------- overrides


def test_nested_override_and_types():
    cfg = load_config(overrides=["train.n_envs=8", "train.batch_size=512", "output_dir=runs/x", "env.max_body_rate_rad_s=[4,4,2]"])
    assert cfg.train.n_envs == 8 and type(cfg.train.n_envs) is int
    assert cfg.output_dir == "runs/x"
    assert cfg.env.max_body_rate_rad_s == [4.0, 4.0, 2.0]
    assert all(type(v) is float for v in cfg.env.max_body_rate_rad_s)
    assert load_config(overrides=["train.progress_bar=false"]).train.progress_bar is False


def test_parse_overrides_nested_dict():
    assert parse_overrides(["train.n_envs=8", "train.device=cuda", "seed=3", "env.max_body_rate_rad_s=[1, 2, 3]"]) == {
        "train": {"n_envs": 8, "device": "cuda"},
        "seed": 3,
        "env": {"max_body_rate_rad_s": [1, 2, 3]},
    }


@pytest.mark.parametrize("bad", ["train.n_envs", "=3", "train..n_envs=3", ".seed=1"])
def test_malformed_override(bad):
    assert "malformed override" in _error(overrides=[bad])


# --------------------------------------------------------------------------- errors


def test_unknown_top_level_key_in_yaml(tmp_path):
    msg = _error(path=_write(tmp_path, "sead: 1\n"))
    assert "sead: unknown key" in msg and "'seed'" in msg


def test_unknown_nested_key_in_yaml(tmp_path):
    msg = _error(path=_write(tmp_path, "train:\n  n_envz: 4\n"))
    assert "train.n_envz: unknown key" in msg and "'train.n_envs'" in msg


@pytest.mark.parametrize(
    ("override", "key"),
    [("train.n_envz=4", "train.n_envz"), ("traim.n_envs=4", "traim"), ("seed.value=1", "seed.value")],
)
def test_unknown_key_via_override(override, key):
    msg = _error(overrides=[override])
    assert f"{key}: unknown key" in msg


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("train.n_envs=0", "train.n_envs: must be >= 1 (got 0)"),
        ("train.n_envs=70000", "train.n_envs: must be <= 65536 (got 70000)"),
        ("scenario.reach_radius_m=-1", "scenario.reach_radius_m: must be > 0"),
        ("env.max_body_rate_rad_s=[4,4,60]", "env.max_body_rate_rad_s[2]: must be <= 50"),
    ],
)
def test_out_of_range_names_key_and_bound(override, expected):
    assert expected in _error(overrides=[override])


def test_wrong_type_and_length():
    assert "train.n_envs:" in _error(overrides=["train.n_envs=abc"])
    assert "scenario.start_position_m:" in _error(overrides=["scenario.start_position_m=[0,0]"])


def test_bad_literal_names_allowed_values():
    msg = _error(overrides=["env.action_mode=foo"])
    assert "env.action_mode" in msg and "'ctbr'" in msg and "'motor'" in msg and "foo" in msg


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        (["scenario.min_altitude_m=4"], "scenario.min_altitude_m: must be < max_altitude_m"),
        (["scenario.hop_min_m=4"], "scenario.hop_min_m: must be <= hop_max_m"),
        (["train.n_envs=8"], "train.batch_size: must be <= n_steps * n_envs"),
    ],
)
def test_cross_field_checks(overrides, key):
    assert key in _error(overrides=overrides)


def test_config_error_is_value_error():
    assert issubclass(ConfigError, ValueError)


# --------------------------------------------------------------------------- save


def test_save_round_trip_atomic(tmp_path):
    cfg = load_config(overrides=["seed=7", "train.net_arch=[32,16,8]", "train.learning_rate=0.001"])
    out = tmp_path / "nested" / "dir" / "config.yaml"
    save_config(cfg, out)
    assert load_config(out) == cfg
    assert [p.name for p in out.parent.iterdir()] == ["config.yaml"]
    save_config(SimHopsConfig(), out)  # overwrite in place
    assert load_config(out) == SimHopsConfig()
    assert [p.name for p in out.parent.iterdir()] == ["config.yaml"]


# --------------------------------------------------------------------------- property


@settings(max_examples=50, deadline=None)
@given(n_envs=st.integers(min_value=1, max_value=65536))
def test_valid_n_envs_round_trips_through_override(n_envs):
    cfg = load_config(overrides=[f"train.n_envs={n_envs}", f"train.batch_size={n_envs}"])
    assert cfg.train.n_envs == n_envs


@settings(max_examples=30, deadline=None)
@given(n_envs=st.one_of(st.integers(max_value=0), st.integers(min_value=65537)))
def test_invalid_n_envs_rejected(n_envs):
    assert "train.n_envs: must be" in _error(overrides=[f"train.n_envs={n_envs}", "train.batch_size=1"])


def test_empty_mapping_override_clears_a_mapping():
    """``key={}`` replaces a mapping (the training env overlay can be switched off); ``key={a: 1}`` merges."""
    from simhops.config import load_config

    assert load_config().train.env_overlay  # the default recipe has a training overlay
    assert load_config(overrides=["train.env_overlay={}"]).train.env_overlay == {}
    merged = load_config(overrides=["train.env_overlay={scenario.duration_s: 0.3}"]).train.env_overlay
    assert merged["scenario.duration_s"] == 0.3 and len(merged) == len(load_config().train.env_overlay)
