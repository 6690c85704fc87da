"""simhops eval checks every argument before any scenario runs: exit status 2, the argument named."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

from simhops.config import SimHopsConfig, load_config, save_config
from simhops.evaluation.cli import main
from simhops.evaluation.manifest import file_sha256, read_manifest
from simhops.simulation.history.history_io import load_history

sb3 = pytest.importorskip("stable_baselines3")


class SpacesOnly(gym.Env):
    """Just the spaces a PPO model is built for (never stepped)."""

    def __init__(self, obs_dim: int, act_dim: int = 4) -> None:
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (obs_dim,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (act_dim,), np.float32)


def save_model(folder: Path, obs_dim: int = 26, act_dim: int = 4, cfg: SimHopsConfig | None = None) -> Path:
    """An untrained tiny PPO model.zip (and, with ``cfg``, its config.yaml beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    model = sb3.PPO("MlpPolicy", SpacesOnly(obs_dim, act_dim), n_steps=8, batch_size=8, device="cpu", seed=0,
                    policy_kwargs={"net_arch": [8]})
    model.save(folder / "model.zip")
    if cfg is not None:
        save_config(cfg, folder / "config.yaml")
    return folder / "model.zip"


def usage_error(argv, capsys) -> str:
    """Run ``simhops`` expecting exit status 2; return stderr."""
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    return capsys.readouterr().err


def test_model_file_missing(tmp_path, capsys):
    out = tmp_path / "out"
    err = usage_error(["eval", "--planner", "policy", "--model", str(tmp_path / "nope.zip"), "--output-dir", str(out)],
                      capsys)
    assert "argument --model" in err and "not found" in err
    assert not out.exists()  # nothing ran


@pytest.mark.parametrize("content", [b"not a zip at all", "zip-without-data"])
def test_model_not_sb3(tmp_path, capsys, content):
    path = tmp_path / "model.zip"
    if content == "zip-without-data":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "hi")
    else:
        path.write_bytes(content)
    err = usage_error(["eval", "--planner", "policy", "--model", str(path), "--output-dir", str(tmp_path / "o")], capsys)
    assert "argument --model" in err and "not a Stable-Baselines3 model" in err


def test_model_observation_space_mismatch(tmp_path, capsys):
    model = save_model(tmp_path / "m", obs_dim=29)  # trained with 3 observed waypoints
    err = usage_error(["eval", "--planner", "policy", "--model", str(model), "--output-dir", str(tmp_path / "o")],
                      capsys)
    assert "argument --model" in err and "observes shape (29,)" in err and "(26,)" in err


def test_model_action_space_mismatch(tmp_path, capsys):
    model = save_model(tmp_path / "m", act_dim=3)
    err = usage_error(["eval", "--planner", "policy", "--model", str(model), "--output-dir", str(tmp_path / "o")],
                      capsys)
    assert "argument --model" in err and "action shape (3,)" in err


@pytest.mark.parametrize("device, planner", [("tpu", "classical"), ("cuda:banana", "hover")])
def test_unknown_device(tmp_path, capsys, device, planner):
    err = usage_error(["eval", "--planner", planner, "--device", device, "--output-dir", str(tmp_path / "o")], capsys)
    assert "argument --device" in err and "unknown torch device" in err


def test_unavailable_cuda_device(tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    model = save_model(tmp_path / "m")
    err = usage_error(["eval", "--planner", "policy", "--model", str(model), "--device", "cuda",
                       "--output-dir", str(tmp_path / "o")], capsys)
    assert "argument --device" in err and "CUDA is not available" in err


def test_negative_seed(tmp_path, capsys):
    err = usage_error(["eval", "--planner", "random", "--seed", "-1", "--output-dir", str(tmp_path / "o")], capsys)
    assert "argument --seed" in err and "got -1" in err


@pytest.mark.parametrize("argv, argument", [
    (["--timeout-s", "0"], "--timeout-s"), (["--timeout-s", "nan"], "--timeout-s"),
    (["--workers", "0"], "--workers"), (["--limit", "0"], "--limit"),
])
def test_bad_numbers(tmp_path, capsys, argv, argument):
    err = usage_error(["eval", "--planner", "hover", *argv, "--output-dir", str(tmp_path / "o")], capsys)
    assert f"argument {argument}" in err


def _track(tmp_path: Path, text: str | bytes, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.mark.parametrize("content, field", [
    (b"name: x\nwaypoints: [[1, 0, 1]]\ndescription: \xff\xfe\n", "not UTF-8"),
    ("name: x\nwaypoints: [[1, 0, 1]\n", "invalid YAML"),
    ("- just\n- a list\n", "top level must be a mapping"),
    ("name: x\n", "field 'waypoints'"),
    ("waypoints: [[1, 0, 1]]\n", "field 'name'"),
    ("name: x\nwaypoints: [[1, 0, 1], [2, 0]]\n", "field 'waypoints[1]'"),
    ("name: x\nwaypoints: [[1, 0, 1]]\nduration_s: -3\n", "field 'duration_s'"),
    ("name: x\nwaypoints: [[1, 0, 1]]\nspeed: 3\n", "field 'speed': unknown key"),
])
def test_invalid_track_yaml_names_file_and_field(tmp_path, capsys, content, field):
    track = _track(tmp_path, content)
    err = usage_error(["eval", "--planner", "hover", "--scenarios", str(track), "--output-dir", str(tmp_path / "o")],
                      capsys)
    assert "argument --scenarios" in err and str(track) in err and field in err


def test_unreadable_track_yaml(tmp_path, capsys):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    err = usage_error(["eval", "--planner", "hover", "--scenarios", str(folder), "--output-dir", str(tmp_path / "o")],
                      capsys)
    assert "argument --scenarios" in err and str(folder) in err and "cannot be read" in err


def test_output_dir_is_a_file_or_not_writable(tmp_path, capsys):
    f = tmp_path / "file.txt"
    f.write_text("x")
    err = usage_error(["eval", "--planner", "hover", "--output-dir", str(f)], capsys)
    assert "argument --output-dir" in err and "is a file" in err
    err = usage_error(["eval", "--planner", "hover", "--output-dir", str(f / "sub")], capsys)
    assert "argument --output-dir" in err and "is a file" in err
    err = usage_error(["eval", "--planner", "hover", "--output-dir", "/proc/simhops-eval-test"], capsys)
    assert "argument --output-dir" in err and "not writable" in err


def test_non_empty_output_dir_needs_overwrite(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "old_metrics.parquet").write_text("from an earlier run")
    argv = ["eval", "--planner", "hover", "--scenarios", "square", "--output-dir", str(out), "--no-progress",
            "scenario.duration_s=0.2"]
    err = usage_error(argv, capsys)
    assert "argument --output-dir" in err and "not empty" in err and "--overwrite" in err
    assert (out / "old_metrics.parquet").exists()
    assert main([*argv, "--overwrite"]) == 0
    assert not (out / "old_metrics.parquet").exists() and (out / "metrics.parquet").exists()
    manifest = read_manifest(out)
    assert manifest["complete"] is True and manifest["scenarios"]["names"] == ["square"]


def test_invalid_config_and_override(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: {duration_s: -1}\n")
    err = usage_error(["eval", "--planner", "hover", "--config", str(bad), "--output-dir", str(tmp_path / "o")], capsys)
    assert "argument --config" in err and "scenario.duration_s" in err
    err = usage_error(["eval", "--planner", "hover", "scenario.nope=1", "--output-dir", str(tmp_path / "o")], capsys)
    assert "argument KEY=VALUE" in err and "scenario.nope" in err


def test_config_beside_model_is_used_and_checked(tmp_path, capsys):
    motor = load_config(overrides=["env.action_mode=motor"])
    model = save_model(tmp_path / "run", cfg=motor)
    ctbr_cfg = save_config(SimHopsConfig(), tmp_path / "ctbr.yaml")
    err = usage_error(["eval", "--planner", "policy", "--model", str(model), "--config", str(ctbr_cfg),
                       "--output-dir", str(tmp_path / "o")], capsys)
    assert "argument --config" in err and "env.action_mode: model 'motor', evaluation 'ctbr'" in err
    err = usage_error(["eval", "--planner", "policy", "--model", str(model), "env.action_mode=ctbr",
                       "--output-dir", str(tmp_path / "o")], capsys)
    assert "argument KEY=VALUE" in err and "env.action_mode" in err
    out = tmp_path / "ok"
    rc = main(["eval", "--planner", "policy", "--model", str(model), "--scenarios", "square", "--no-progress",
               "scenario.duration_s=0.2", "--output-dir", str(out)])
    assert rc == 0
    history = load_history(out / "histories" / "square.msgpack")
    assert (history.command_modes[:-1] == 1).all()  # flown in motor mode, as trained
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["env"]["action_mode"] == "motor"
    assert manifest["planner"]["model"]["sha256"] == file_sha256(model)
    assert manifest["config_source"]["model_config"] == str(model.parent / "config.yaml")
