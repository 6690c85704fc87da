"""Trainer: SB3 PPO on the default config, with the simulation bridge and SnapshotRerunCallback."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecMonitor

from simhops.io.atomic import atomic_output, atomic_write_text
from simhops.config import SimHopsConfig, save_config
from simhops.envs.sb3_vec_env import SB3VecEnv
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.train.callbacks.simulation_callback_bridge import SimulationCallbackBridge
from simhops.train.callbacks.snapshot_rerun_callback import SnapshotRerunCallback
from simhops.train.policy_evaluation import PolicyEvaluation, evaluate_policy_success
from simhops.train.training_config import training_env_config


@dataclass(frozen=True)
class TrainResult:
    """Where the run's files are and how fast it went."""

    output_dir: str
    model_path: str
    config_path: str
    rrd_path: str | None
    total_timesteps: int
    wall_time_s: float
    fps: float
    evaluation: dict | None


def build_vec_env(cfg: SimHopsConfig, record_histories: bool = False) -> VecEnv:
    """The training ``VecEnv`` (``cfg.train.vec_env``: native / dummy / subproc), wrapped in ``VecMonitor``."""
    n = cfg.train.n_envs
    if cfg.train.vec_env == "native":
        venv: VecEnv = SB3VecEnv(num_envs=n, config=cfg, record_histories=record_histories)
    else:
        factory = partial(WaypointsEnv, cfg, history_in_info=record_histories)
        venv = DummyVecEnv([factory] * n) if cfg.train.vec_env == "dummy" else SubprocVecEnv([factory] * n)
    return VecMonitor(venv, info_keywords=("waypoints_reached", "is_success"))


def build_simulation_callbacks(cfg: SimHopsConfig) -> AbstractCallback | None:
    """The simulation callbacks named in ``cfg.callbacks.simulation_callbacks`` (None if empty)."""
    callbacks: list[AbstractCallback] = []
    for name in cfg.callbacks.simulation_callbacks:
        if name == "metric":
            from simhops.simulation.callback.metric_callback import MetricCallback

            callbacks.append(MetricCallback(max_results=cfg.callbacks.rolling_window))
        elif name == "timing":
            from simhops.simulation.callback.timing_callback import TimingCallback

            callbacks.append(TimingCallback())
    return MultiCallback(callbacks) if callbacks else None


def build_model(cfg: SimHopsConfig, venv: VecEnv) -> PPO:
    """SB3 PPO with the hyper-parameters of ``cfg.train``."""
    t = cfg.train
    return PPO(
        "MlpPolicy", venv, learning_rate=t.learning_rate, n_steps=t.n_steps, batch_size=t.batch_size,
        n_epochs=t.n_epochs, gamma=t.gamma, gae_lambda=t.gae_lambda, clip_range=t.clip_range, ent_coef=t.ent_coef,
        vf_coef=t.vf_coef, max_grad_norm=t.max_grad_norm, seed=cfg.seed, device=t.device, verbose=0,
        policy_kwargs=dict(net_arch=dict(pi=list(t.net_arch), vf=list(t.net_arch)), log_std_init=t.log_std_init),
    )


def _atomic_save_model(model: PPO, path: Path) -> None:
    with atomic_output(path) as tmp:
        model.save(tmp)  # the temp name ends in ".tmp", so SB3 writes exactly there


def train(cfg: SimHopsConfig, eval_episodes: int = 100) -> TrainResult:
    """Train PPO on ``cfg``; writes ``config.yaml``, ``model.zip``, ``train.rrd`` and ``train_summary.json``.

    ``eval_episodes`` > 0 evaluates the final policy on that many fresh courses
    (:func:`~simhops.train.policy_evaluation.evaluate_policy_success`).
    """
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    config_path = save_config(cfg, out / "config.yaml")
    torch.set_num_threads(cfg.train.torch_threads)
    sim_callback = build_simulation_callbacks(cfg)
    venv = build_vec_env(training_env_config(cfg), record_histories=sim_callback is not None)  # DR: training only
    venv.seed(cfg.seed)
    model = build_model(cfg, venv)
    callbacks: list[BaseCallback] = []
    env_for_setup = WaypointsEnv(cfg)
    env_for_setup.reset(seed=cfg.seed)
    if sim_callback is not None:
        callbacks.append(SimulationCallbackBridge(sim_callback, env_for_setup.physics, env_for_setup.scenario))
    rrd_path = None
    if cfg.visualization.enabled:
        rrd_path = out / cfg.visualization.rerun_file
        cb = cfg.callbacks
        callbacks.append(SnapshotRerunCallback(
            make_env=partial(WaypointsEnv, cfg), output_path=rrd_path, snapshot_freq_updates=cb.snapshot_freq_updates,
            snapshot_max_steps=cb.snapshot_max_steps, log_aggregated_metrics=cfg.visualization.log_aggregated_metrics,
            rolling_window=cb.rolling_window, print_freq_episodes=cb.print_freq_episodes,
            spawn=cfg.visualization.spawn_viewer, snapshot_seed=cfg.seed))
    start = time.perf_counter()
    model.learn(total_timesteps=cfg.train.total_timesteps, callback=CallbackList(callbacks),
                progress_bar=cfg.train.progress_bar)
    wall = time.perf_counter() - start
    model_path = out / "model.zip"
    _atomic_save_model(model, model_path)
    venv.close()
    evaluation: PolicyEvaluation | None = None
    if eval_episodes > 0:
        evaluation = evaluate_policy_success(model, cfg, eval_episodes)
    result = TrainResult(str(out), str(model_path), str(config_path), str(rrd_path) if rrd_path else None,
                         int(model.num_timesteps), wall, model.num_timesteps / wall,
                         asdict(evaluation) if evaluation else None)
    atomic_write_text(out / "train_summary.json", json.dumps(asdict(result), indent=2))
    return result
