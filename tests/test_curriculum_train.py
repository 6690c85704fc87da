"""CurriculumCallback: success gate, schedule floor, logging, checkpoint state; the trainer with and without it."""

from __future__ import annotations

import csv
import io
import json
import pickle
import shutil

import pytest

from simhops.config import ConfigError, SimHopsConfig, load_config
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.train import trainer
from simhops.train.callbacks.curriculum_callback import CurriculumCallback
from simhops.train.curriculum import Curriculum
from simhops.train.training_config import training_env_config


class FakeEnv:
    """Records the configs the callback sends (``env_method`` like a VecEnv)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, SimHopsConfig]] = []

    def env_method(self, name, config):
        self.calls.append((name, config))
        return [None]


class FakeLogger:
    def __init__(self) -> None:
        self.records: dict[str, list[float]] = {}

    def record(self, key, value):
        self.records.setdefault(key, []).append(value)


class FakeModel:
    def __init__(self) -> None:
        self.logger = FakeLogger()


def _callback(total=1000, window=4, **kw):
    cfg = SimHopsConfig()
    env = FakeEnv()
    cb = CurriculumCallback(Curriculum.from_config(cfg), cfg, env, total_timesteps=total, rolling_window=window,
                            stream=io.StringIO(), **kw)
    cb.model = FakeModel()
    return cb, env, cfg


def _episodes(cb, successes):
    for s in successes:
        cb.locals = {"infos": [{"episode": {"r": 1.0, "l": 10}, "is_success": s}], "dones": [True]}
        cb._on_step()


def _update(cb, steps):
    cb.num_timesteps = steps
    cb._on_rollout_end()


def test_promotion_needs_a_full_window_at_the_gate_and_min_updates():
    cb, env, cfg = _callback(promote_success=0.75, min_updates_per_level=2, full_at_fraction=1.0, total=10**9)
    cb.apply()
    assert env.calls[-1] == ("set_episode_config", cb.level_config(0))
    _episodes(cb, [True] * 3)
    _update(cb, 1)  # window not full
    assert cb.level == 0
    _episodes(cb, [True])
    _update(cb, 2)  # 100 % over 4 episodes, 2 updates at level 0
    assert cb.level == 1 and env.calls[-1][1] == cb.level_config(1)
    assert len(cb.stats.successes) == 0  # the gate measures the new level
    _episodes(cb, [True, True, False, False])
    _update(cb, 3)
    _update(cb, 4)
    assert cb.level == 1  # 50 % < 75 %
    _episodes(cb, [True, True])  # the last 4: F F T T, 50 %
    _update(cb, 5)
    assert cb.level == 1
    _episodes(cb, [True])  # F T T T: 75 %
    _update(cb, 6)
    assert cb.level == 2
    assert cb.model.logger.records["curriculum/level"] == [0, 1, 1, 1, 1, 2]
    assert cb.model.logger.records["curriculum/fraction"][-1] == pytest.approx(0.5)
    lines = cb.stream.getvalue().splitlines()
    assert len(lines) == 2 and "[simhops curriculum] level 2/4" in lines[-1] and "success 75.0%" in lines[-1]


def test_schedule_floor_lifts_the_level_without_success():
    cb, env, _ = _callback(total=1000, promote_success=1.0, full_at_fraction=0.5)
    levels = []
    for steps in (100, 125, 250, 300, 375, 499, 500, 1000):
        _episodes(cb, [False] * 4)
        _update(cb, steps)
        levels.append(cb.level)
    assert levels == [0, 1, 2, 2, 3, 3, 4, 4]
    assert cb.changes[-1] == (500, 4, "schedule") and env.calls[-1][1] == cb.level_config(4)
    assert cb.level_config(4) == training_env_config(SimHopsConfig())


def test_state_dict_round_trip_restores_and_reapplies_the_level():
    cb, env, _ = _callback(total=1000, full_at_fraction=1.0)
    _update(cb, 500)  # floor: level 2
    state = pickle.loads(pickle.dumps(cb.state_dict()))
    cb2, env2, _ = _callback(total=1000, full_at_fraction=1.0)
    cb2.load_state_dict(state)
    assert cb2.level == 2 and env2.calls == [("set_episode_config", cb2.level_config(2))]
    bad = {**state, "level": 9}
    with pytest.raises(ValueError, match="levels"):
        cb2.load_state_dict(bad)


def _tiny(tmp_path, name, *extra):
    return load_config(None, [
        f"output_dir={tmp_path / name}", "train.n_envs=8", "train.n_steps=16", "train.batch_size=64",
        "train.n_epochs=1", "train.net_arch=[16]", "train.progress_bar=false", "visualization.enabled=false",
        "scenario.duration_s=2.0", "train.env_overlay={\"scenario.duration_s\": 3.0, \"scenario.hop_max_m\": 6.0, "
        "\"disturbances.gust_std_m_s\": 0.3}", "callbacks.print_freq_updates=1000", *extra])


def test_trainer_runs_the_curriculum_logs_and_checkpoints_the_level(tmp_path, capsys, monkeypatch):
    # 3 updates of 128 steps; floor(2 * progress / 0.5): 128/384 -> 1, 256/384 -> 2 (full)
    cfg = _tiny(tmp_path, "run", "train.total_timesteps=384", "train.curriculum.levels=2",
                "train.curriculum.promote_success=1.0", "train.curriculum.full_at_fraction=0.5",
                "train.checkpoint_freq_steps=128", "train.keep_checkpoints=5")
    result = trainer.train(cfg, eval_episodes=0)
    assert result.curriculum_level == 2 and result.curriculum_levels == 2
    summary = json.loads((tmp_path / "run" / "train_summary.json").read_text())
    assert summary["curriculum_level"] == 2 and summary["curriculum_levels"] == 2
    rows = list(csv.DictReader(open(tmp_path / "run" / "logs" / "progress.csv")))
    assert [float(r["curriculum/level"]) for r in rows] == [1.0, 2.0, 2.0]
    assert [float(r["curriculum/fraction"]) for r in rows] == [0.5, 1.0, 1.0]
    out = capsys.readouterr().out
    assert "[simhops curriculum] level 1/2 at step 128 (schedule)" in out
    assert "[simhops curriculum] level 2/2 at step 256 (schedule)" in out

    # resume from the first checkpoint: the env gets its level's config before learning goes on
    checkpoints = sorted((tmp_path / "run" / "checkpoints").iterdir(), key=lambda p: int(p.name.split("_")[1]))
    first = checkpoints[0]
    saved = pickle.loads((first / "callbacks.pkl").read_bytes())["curriculum"]
    for p in checkpoints[1:]:
        shutil.rmtree(p)
    applied = []
    original = SimHopsVectorEnv.set_episode_config

    def spy(self, config):
        applied.append(config)
        return original(self, config)

    monkeypatch.setattr(SimHopsVectorEnv, "set_episode_config", spy)
    more = cfg.model_copy(update={"train": cfg.train.model_copy(update={"total_timesteps": 512})})
    cur = Curriculum.from_config(more)
    resumed = trainer.train(more, eval_episodes=0, resume=True)
    assert resumed.resumed_from_timesteps == 128
    assert applied[0] == cur.level_config(more, 0)  # the fresh callback's level ...
    assert applied[1] == cur.level_config(more, saved["level"])  # ... then the checkpoint's, before learn()
    assert resumed.curriculum_level == 2


def test_curriculum_disabled_trains_on_the_fixed_overlay_as_before(tmp_path, monkeypatch):
    cfg = _tiny(tmp_path, "off", "train.total_timesteps=128", "train.curriculum.enabled=false")
    built = []
    original_build = trainer.build_vec_env

    def build(c, record_histories=False):
        built.append(c)
        return original_build(c, record_histories)

    def refuse(self, config):
        raise AssertionError("set_episode_config called with the curriculum disabled")

    monkeypatch.setattr(trainer, "build_vec_env", build)
    monkeypatch.setattr(SimHopsVectorEnv, "set_episode_config", refuse)
    result = trainer.train(cfg, eval_episodes=0)
    assert built == [training_env_config(cfg)]  # the same config dict per env as without the feature
    assert result.total_timesteps == 128 and result.complete
    assert result.curriculum_level is None
    header = (tmp_path / "off" / "logs" / "progress.csv").read_text().splitlines()[0].split(",")
    assert "curriculum/level" not in header


def test_curriculum_needs_the_native_vector_env(tmp_path):
    cfg = _tiny(tmp_path, "dummy", "train.total_timesteps=128", "train.vec_env=dummy")
    with pytest.raises(ConfigError, match=r"train\.curriculum\.enabled"):
        trainer.train(cfg, eval_episodes=0)
    assert not (tmp_path / "dummy").exists()  # refused before anything is written
