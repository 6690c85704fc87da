"""The one ``simhops`` command: dispatch, one override syntax, help with the config reference,
and one cfg_default.yaml (the root file is the packaged file the loader reads)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import simhops.cli as cli
from simhops.cli import COMMANDS, Command, main
from simhops.config import ConfigError, SimHopsConfig, default_config_path, load_config

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("scenario", "physics", "env", "reward", "train", "callbacks", "visualization")


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_dispatch_forwards_argv_with_the_subcommand_prefix(monkeypatch):
    calls = []
    monkeypatch.setattr(Command, "resolve", lambda self: (lambda argv: calls.append((self.name, list(argv))) or 7))
    assert main(["train", "--eval-episodes", "0", "train.n_envs=8"]) == 7
    assert main(["eval", "--planner", "classical", "scenario.duration_s=2"]) == 7
    assert main(["replay", "h.msgpack", "--output", "x.rrd"]) == 7
    assert main(["sweep", "--seeds", "0,1", "train.gamma=0.98"]) == 7
    assert calls == [("train", ["--eval-episodes", "0", "train.n_envs=8"]),
                     ("eval", ["eval", "--planner", "classical", "scenario.duration_s=2"]),
                     ("replay", ["replay", "h.msgpack", "--output", "x.rrd"]),
                     ("sweep", ["--seeds", "0,1", "train.gamma=0.98"])]


def test_every_command_resolves_to_a_callable():
    for cmd in COMMANDS.values():
        assert callable(cmd.resolve()), cmd.name


def test_top_level_help_and_unknown_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(f"  {name}" in out for name in ("train", "eval", "replay", "sweep", "config"))
    assert main([]) == 0 and "usage: simhops" in capsys.readouterr().out
    assert main(["fly"]) == 2 and "invalid choice: 'fly'" in capsys.readouterr().err
    assert main(["--version"]) == 0 and "simhops 0.1.0" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_help_lists_config_sections_and_where_keys_are_documented(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: simhops {command}")  # the sub-command's own options first
    for section in SECTIONS:
        assert f"  {section}:" in out, section
        cls = type(getattr(SimHopsConfig(), section))
        assert f"[{cls.__name__}]" in out and ", ".join(cls.model_fields) in out
    assert str(default_config_path()) in out and "schema.py" in out and "simhops config --describe" in out


def test_root_cfg_default_is_the_file_the_loader_reads():
    root = ROOT / "cfg_default.yaml"
    assert root.is_symlink() and os.path.samefile(root, default_config_path())
    assert load_config(root) == load_config() == SimHopsConfig()


def test_config_error_names_the_file_users_edit(capsys):
    with pytest.raises(ConfigError) as exc:
        load_config(overrides=["train.n_envs=0"])
    assert str(default_config_path()) in str(exc.value) and "train.n_envs" in str(exc.value)
    assert main(["train", "train.n_envs=0"]) == 2
    err = capsys.readouterr().err
    assert str(default_config_path()) in err and "train.n_envs: must be >= 1" in err
    assert os.path.samefile(default_config_path(), ROOT / "cfg_default.yaml")  # ... which is the root file


def test_config_command(capsys):
    assert main(["config", "--path"]) == 0
    assert Path(capsys.readouterr().out.strip()) == default_config_path()
    assert main(["config", "train.n_envs=512", "env.action_mode=motor"]) == 0
    cfg = yaml.safe_load(capsys.readouterr().out)
    assert SimHopsConfig.model_validate(cfg) == load_config(overrides=["train.n_envs=512", "env.action_mode=motor"])
    assert main(["config", "--describe", "train"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(SimHopsConfig.model_fields["train"].annotation.model_fields)
    assert lines[0].startswith(f"train.total_timesteps = {SimHopsConfig().train.total_timesteps}: Total env steps")
    assert main(["config", "--describe", "trian"]) == 2 and "unknown section 'trian'" in capsys.readouterr().err
    assert main(["config", "train.n_envz=1"]) == 2 and "did you mean 'train.n_envs'" in capsys.readouterr().err


def test_train_then_eval_with_one_override_syntax(tmp_path, capsys):
    """`simhops train key=value ...` then `simhops eval ... key=value` on the trained model."""
    run = tmp_path / "run"
    assert main(["train", "--eval-episodes", "2", "train.total_timesteps=1024", "train.n_envs=4", "train.n_steps=64",
                 "train.batch_size=128", "train.n_epochs=1", "train.progress_bar=false", "visualization.enabled=false",
                 f"output_dir={run}"]) == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["model"] == str(run / "model.zip") and (run / "model.zip").is_file()
    assert yaml.safe_load((run / "config.yaml").read_text())["train"]["n_envs"] == 4
    out = tmp_path / "eval"
    rc = main(["eval", "--planner", "policy", "--model", str(run / "model.zip"), "--config", str(run / "config.yaml"),
               "--scenarios", "square,helix", "--output-dir", str(out), "--no-progress", "scenario.duration_s=1"])
    assert rc == 0
    df = pd.read_parquet(out / "metrics.parquet")
    assert list(df["scenario"]) == ["helix", "square"] and df["run_succeeded"].all()
    assert (df["episode_time_s"] <= 1.0 + 1e-6).all()  # the positional override reached the simulation


def test_python_m_simhops_and_train_py_wrapper(tmp_path):
    res = _python("-m", "simhops", "train", "--help", cwd=tmp_path)
    assert res.returncode == 0 and "usage: simhops train" in res.stdout and "  reward:" in res.stdout
    res = _python(str(ROOT / "train.py"), "--help", cwd=tmp_path)
    assert res.returncode == 0 and "overrides" in res.stdout
    res = _python(str(ROOT / "train.py"), "train.n_envz=3", cwd=tmp_path)
    assert res.returncode == 2 and "train.n_envz" in res.stderr
