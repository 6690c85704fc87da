"""Bad config input gets a ConfigError naming the file or key (issue 7 §3); exit 2 from train.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import simhops.config.memory as memory
from simhops.config import ConfigError, SimHopsConfig, load_config

REPO_ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- files


def test_file_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("seed: 1\noutput_dir: runs/caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=rf"config file {path} is not UTF-8 text \(byte 28: invalid continuation byte\)"):
        load_config(path)


def test_file_not_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("seed: [1, 2\ntrain: {")
    with pytest.raises(ConfigError, match=rf"config file {path} is not valid YAML"):
        load_config(path)


def test_file_that_is_a_directory_names_it(tmp_path):
    with pytest.raises(ConfigError, match=rf"cannot read config file {tmp_path}"):
        load_config(tmp_path)


@pytest.mark.parametrize("text,key,lines", [
    ("seed: 1\nseed: 2\n", "seed", (2, 1)),
    ("train:\n  n_envs: 4\n  n_steps: 8\n  n_envs: 8\n", "train.n_envs", (4, 2)),
    ("scenario:\n  start_position_m: [0, 0, 1]\ntrain: {n_envs: 4, n_envs: 8}\n", "train.n_envs", (3, 3)),
    ("scenario: {duration_s: 1.0}\nscenario: {duration_s: 2.0}\n", "scenario", (2, 1)),
])
def test_duplicate_keys_name_key_and_file(tmp_path, text, key, lines):
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=rf"config file {path}: duplicate key '{key}' \(line {lines[0]}, "
                                          rf"first on line {lines[1]}\)"):
        load_config(path)


# ----------------------------------------------------------------------------- values


@pytest.mark.parametrize("raw,value", [("1e6", 1_000_000), ("2.5e3", 2500), ("1_000", 1000), ("3.0", 3)])
def test_numeric_strings_for_integer_keys_are_accepted_when_exact(tmp_path, raw, value):
    cfg = load_config(overrides=[f"train.total_timesteps={raw}"])
    assert cfg.train.total_timesteps == value and type(cfg.train.total_timesteps) is int
    path = tmp_path / "c.yaml"
    path.write_text(f"train:\n  total_timesteps: {raw}\n  net_arch: [1e1, 64]\n")
    cfg = load_config(path)
    assert cfg.train.total_timesteps == value and cfg.train.net_arch == [10, 64]


@pytest.mark.parametrize("raw", ["1.5e0", "1e-3", "1e400", "abc"])
def test_inexact_numeric_strings_for_integer_keys_name_the_key(raw):
    with pytest.raises(ConfigError, match=r"train\.total_timesteps: "):
        load_config(overrides=[f"train.total_timesteps={raw}"])


def test_output_dir_that_is_a_file_is_named(tmp_path):
    f = tmp_path / "a_file"
    f.write_text("x")
    with pytest.raises(ConfigError, match=rf"output_dir: '{f}' exists and is not a directory"):
        load_config(overrides=[f"output_dir={f}"])
    load_config(overrides=[f"output_dir={tmp_path}"])  # an existing directory is fine


def test_output_dir_with_nul_is_named():
    with pytest.raises(ConfigError, match=r"output_dir: must not contain a NUL character"):
        load_config(overrides=['output_dir="runs/a\\0b"'])
    with pytest.raises(ValueError, match="output_dir"):
        SimHopsConfig(output_dir="runs/\x00")


@pytest.mark.parametrize("override", ["visualization.rerun_file=", "visualization.rerun_file=''"])
def test_empty_rerun_file_is_named(override):
    with pytest.raises(ConfigError, match=r"visualization\.rerun_file: "):
        load_config(overrides=[override])


# ----------------------------------------------------------------------------- cross-field checks


@pytest.mark.parametrize("overrides,message", [
    (["scenario.start_position_m=[0,0,-0.5]"], r"scenario\.start_position_m: must be at or above the ground"),
    (["scenario.start_position_m=[4,3,1]"], r"scenario\.start_position_m: must lie inside the dome"),
    (["scenario.max_altitude_m=4.5"], r"scenario\.max_altitude_m: must lie inside the dome, <= dome_radius_m - "
                                      r"margin = 5\.0 - 1\.0 = 4\.0 m \(got 4\.5\)"),
    (["scenario.dome_radius_m=2", "scenario.max_altitude_m=1.2", "scenario.start_position_m=[0,0,0.5]"],
     r"scenario\.max_altitude_m: must lie inside the dome, <= dome_radius_m - margin = 2\.0 - 1\.0 = 1\.0 m"),
    (["scenario.hop_min_m=8", "scenario.hop_max_m=9"], r"scenario\.hop_min_m: no two waypoints inside the dome .* "
                                                       r"must be <= 7\.93725 \(got 8\.0\)"),
])
def test_cross_field_checks_name_the_key(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=overrides)


def test_hop_min_at_the_widest_chord_is_accepted():
    cfg = load_config(overrides=["scenario.hop_min_m=7.9", "scenario.hop_max_m=8"])
    assert cfg.scenario.hop_min_m == 7.9


def test_run_exceeding_memory_fails_before_allocating_and_says_how_much():
    # 65536 envs x 3.6e6 iterations x 176 B: about 38 TiB, more than any machine
    with pytest.raises(ConfigError, match=r"scenario\.control_hz, scenario\.duration_s, train\.n_envs: training with "
                                          r"65536 envs x 3600\.0 s x 1000\.0 Hz would need 37\.8 TiB"):
        load_config(overrides=["scenario.control_hz=1000", "scenario.duration_s=3600", "train.n_envs=65536",
                               "train.batch_size=64", "callbacks.simulation_callbacks=[metric]"])


def test_issue_example_fails_on_a_machine_without_the_memory(monkeypatch):
    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 64 * 2**30)  # a 64 GiB machine
    with pytest.raises(ConfigError, match=r"would need 152 GiB \(163017811426 bytes\) of memory, only 64 GiB"):
        load_config(overrides=["scenario.control_hz=1000", "scenario.duration_s=3600",
                               "callbacks.simulation_callbacks=[metric]"])
    # without recorded histories it is the rollout buffer and env state only
    load_config(overrides=["scenario.control_hz=1000", "scenario.duration_s=3600",
                           "callbacks.simulation_callbacks=[]"])


def test_train_py_exits_2_naming_the_key(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("scenario:\n  hop_min_m: 9\n  hop_max_m: 10\n")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run([sys.executable, "train.py", "--config", str(cfg), f"output_dir={tmp_path / 'out'}"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "scenario.hop_min_m" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
