"""Callbacks by configuration ({target, args}) in training, refusal of step-hook callbacks, logger outputs."""

from __future__ import annotations

import json

import pytest
from stable_baselines3.common.callbacks import BaseCallback

from simhops.config import ConfigError, load_config
from simhops.config.targets import instantiate_callbacks, instantiate_target
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.train.cli import main
from simhops.train.trainer import build_simulation_callbacks, train

TINY = ["scenario.duration_s=0.3", "train.n_envs=4", "train.n_steps=16", "train.batch_size=64", "train.n_epochs=1",
        "train.net_arch=[8]", "train.total_timesteps=128", "train.progress_bar=false",
        "visualization.enabled=false", "train.checkpoint_freq_steps=0", "train.env_overlay={}"]


class EpisodeCounter(AbstractCallback):
    """A user simulation callback (episode hooks only)."""

    instances: list["EpisodeCounter"] = []

    def __init__(self, label: str = "") -> None:
        self.label = label
        self.episodes = 0
        self.latest: dict[str, float] = {}
        EpisodeCounter.instances.append(self)

    def on_simulation_end(self, setup, planner, history) -> None:
        self.episodes += 1
        self.latest = {"user_steps": float(len(history))}


class StepCounter(AbstractCallback):
    """A user callback needing step hooks: refused in training."""

    def on_step_end(self, setup, planner_input, planner_output) -> None:
        pass


class RolloutCounter(BaseCallback):
    instances: list["RolloutCounter"] = []

    def __init__(self, every: int = 1) -> None:
        super().__init__()
        self.every = every
        self.rollouts = 0
        RolloutCounter.instances.append(self)

    def _on_rollout_end(self) -> None:
        self.rollouts += 1

    def _on_step(self) -> bool:
        return True


def test_user_callbacks_from_config_run_in_training(tmp_path):
    EpisodeCounter.instances.clear()
    RolloutCounter.instances.clear()
    cfg = load_config(overrides=[*TINY, f"output_dir={tmp_path / 'run'}", "train.log_formats=[csv,json]",
                                 "callbacks.simulation_callbacks=[metric, {target: test_train_callbacks.EpisodeCounter,"
                                 " args: {label: mine}}]",
                                 "callbacks.sb3_callbacks=[{target: test_train_callbacks.RolloutCounter, args: {every: 2}}]"])
    result = train(cfg, eval_episodes=0)
    assert result.complete
    (counter,) = EpisodeCounter.instances
    assert counter.label == "mine" and counter.episodes >= 4  # 15-step episodes, 128 steps in 4 envs
    (rollouts,) = RolloutCounter.instances
    assert rollouts.every == 2 and rollouts.rollouts == 2
    # the user callback's results and the metrics reach SB3's logger (csv and json)
    header = (tmp_path / "run" / "logs" / "progress.csv").read_text().splitlines()[0].split(",")
    assert "sim/user_steps" in header and "sim/success" in header and "rollout/success_rate" in header
    rows = [json.loads(line) for line in (tmp_path / "run" / "logs" / "progress.json").read_text().splitlines()]
    assert rows and all("sim/user_steps" in r for r in rows)


def test_timing_in_training_is_refused_naming_the_key(tmp_path, capsys):
    cfg = load_config(overrides=[*TINY, f"output_dir={tmp_path / 'run'}", "callbacks.simulation_callbacks=[metric, timing]"])
    with pytest.raises(ConfigError, match=r"callbacks\.simulation_callbacks\[1\]: TimingCallback needs on_step_start"):
        train(cfg, eval_episodes=0)
    assert not (tmp_path / "run").exists()  # refused before anything is written
    assert main([*TINY, f"output_dir={tmp_path / 'run'}",
                 "callbacks.simulation_callbacks=[{target: test_train_callbacks.StepCounter}]"]) == 2
    err = capsys.readouterr().err
    assert "callbacks.simulation_callbacks[0]" in err and "on_step_end" in err
    # outside training (e.g. a WaypointsEnv or simhops eval) the same entry builds fine
    assert build_simulation_callbacks(cfg) is not None


@pytest.mark.parametrize("entry,match", [
    ({"target": "no_such_pkg.mod.Cls"}, r"key\[0\]: cannot import target 'no_such_pkg.mod.Cls'"),
    ({"target": "json.NoSuchThing"}, r"key\[0\]: module 'json' has no attribute 'NoSuchThing'"),
    ({"target": "test_train_callbacks.RolloutCounter", "args": {"nope": 1}}, r"key\[0\]: .*unexpected keyword"),
    ({"target": "collections.OrderedDict"}, r"key\[0\]: .*built a OrderedDict, expected a .*BaseCallback"),
    ({"args": {}}, r"key\[0\]: invalid callback entry"),
    ("unknown", r"key\[0\]: unknown callback name 'unknown'"),
])
def test_bad_callback_entries_name_the_key(entry, match):
    with pytest.raises(ConfigError, match=match):
        instantiate_callbacks([entry], "key", base=BaseCallback)


def test_schema_validates_entries_and_tensorboard_needs_its_package(tmp_path):
    with pytest.raises(ConfigError, match="callbacks.sb3_callbacks"):
        load_config(overrides=["callbacks.sb3_callbacks=[{target: not a path}]"])
    with pytest.raises(ConfigError, match="train.log_formats"):
        load_config(overrides=["train.log_formats=[xml]"])
    obj = instantiate_target({"target": "collections.OrderedDict", "args": {"a": 1}}, "k")
    assert obj == {"a": 1}
    import importlib.util

    if importlib.util.find_spec("tensorboard") is None:
        cfg = load_config(overrides=[*TINY, f"output_dir={tmp_path / 'tb'}", "train.log_formats=[tensorboard]"])
        with pytest.raises(ConfigError, match=r"train.log_formats: 'tensorboard' needs the tensorboard package"):
            train(cfg, eval_episodes=0)


def test_log_formats_write_every_output(tmp_path, capsys):
    """train.log_formats=[stdout, csv, json, tensorboard]: each writes its file (tensorboard: an events file)."""
    pytest.importorskip("tensorboard")
    cfg = load_config(overrides=[*TINY, f"output_dir={tmp_path / 'run'}",
                                 "train.log_formats=[stdout, csv, json, tensorboard]",
                                 "callbacks.simulation_callbacks=[metric]"])
    train(cfg, eval_episodes=0)
    logs = tmp_path / "run" / "logs"
    assert (logs / "progress.csv").stat().st_size > 0 and (logs / "progress.json").stat().st_size > 0
    events = list(logs.rglob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 0
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(events[0].parent))
    acc.Reload()
    assert "rollout/success_rate" in acc.Tags()["scalars"] and "sim/success" in acc.Tags()["scalars"]
    table = capsys.readouterr().out  # the stdout table: SB3 groups keys under their "rollout/" prefix
    assert "rollout/" in table and "success_rate" in table and "waypoints_per_episode" in table


def test_console_prints_one_short_line_every_n_updates(tmp_path, capsys):
    """5 updates, callbacks.print_freq_updates=2: lines after updates 2 and 4 and one at the end (5)."""
    cfg = load_config(overrides=[*TINY, f"output_dir={tmp_path / 'run'}", "train.total_timesteps=320",
                                 "callbacks.print_freq_updates=2"])
    train(cfg, eval_episodes=0)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("[simhops]")]
    assert [ln.split()[2] for ln in lines] == ["2/5", "4/5", "5/5"]
    assert all(len(ln) < 160 and "success" in ln and "crash" in ln for ln in lines)


def test_help_lists_config_sections_and_exit_codes(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for section in ("scenario", "physics", "env", "reward", "train", "callbacks", "visualization"):
        assert f"\n  {section} " in out, section
    assert "cfg_default.yaml" in out and "130 SIGINT" in out and "--resume" in out
