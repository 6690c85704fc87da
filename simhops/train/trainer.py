"""Trainer: SB3 PPO on the config, with the simulation bridge, Rerun recording, logging, checkpoints and resume.

Files of a run (``cfg.output_dir``)::

    config.yaml            the resolved config
    model.zip              the final model (also written when stopped by SIGINT/SIGTERM)
    train.rrd              Rerun recording (SnapshotRerunCallback), closed valid also when stopped
    train_summary.json     TrainResult: "complete": false when stopped early; curriculum level reached
    logs/                  SB3 logger outputs (train.log_formats: progress.csv, progress.json, TensorBoard events)
    checkpoints/step_N/    periodic + on-signal checkpoints (simhops.train.checkpoint)
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import signal
import time
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.logger import configure
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecMonitor, VecNormalize

from simhops.config import ConfigError, SimHopsConfig, save_config
from simhops.config.targets import BUILTIN_SIMULATION_CALLBACKS, instantiate_callbacks
from simhops.envs.sb3_vec_env import SB3VecEnv
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.io.atomic import atomic_output, atomic_write_text
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.train.callbacks.simulation_callback_bridge import SimulationCallbackBridge, check_training_callback
from simhops.train.callbacks.curriculum_callback import CurriculumCallback
from simhops.train.callbacks.snapshot_rerun_callback import SnapshotRerunCallback
from simhops.train.callbacks.training_log_callback import TrainingLogCallback
from simhops.train.checkpoint import CheckpointManager, PeriodicCheckpointCallback
from simhops.train.policy_evaluation import PolicyEvaluation, evaluate_policy_success
from simhops.train.training_config import training_env_config
from simhops.train.signals import StopOnSignalCallback, StopSignal, exit_code_for

__all__ = ["TrainResult", "OutputDirError", "train", "build_vec_env", "build_model", "build_simulation_callbacks",
           "build_sb3_callbacks", "build_curriculum_callback",
           "prepare_output_dir", "SUMMARY_FILE", "LOG_DIR"]

SUMMARY_FILE = "train_summary.json"
LOG_DIR = "logs"


class OutputDirError(ValueError):
    """The output directory holds an earlier run (and neither overwrite nor resume was asked) or is unusable."""


@dataclass(frozen=True)
class TrainResult:
    """Where the run's files are, how far and how fast it went.

    ``total_timesteps``: env steps the saved model has learned from; ``target_timesteps``: the
    config's ``train.total_timesteps``. ``complete`` is False when a signal (``stop_signal``:
    ``SIGINT`` / ``SIGTERM``) stopped the run; ``resumed_from_timesteps`` is set for ``--resume``.
    ``curriculum_level`` / ``curriculum_levels``: the difficulty level at the end of the run and the
    full level (None without ``train.curriculum``).
    """

    output_dir: str
    model_path: str
    config_path: str
    rrd_path: str | None
    total_timesteps: int
    target_timesteps: int
    wall_time_s: float
    fps: float
    evaluation: dict | None
    complete: bool = True
    stop_signal: str | None = None
    resumed_from_timesteps: int | None = None
    checkpoint: str | None = None
    curriculum_level: int | None = None
    curriculum_levels: int | None = None

    @property
    def exit_code(self) -> int:
        """0 when complete, 130 after SIGINT, 143 after SIGTERM."""
        if self.stop_signal is None:
            return 0
        return exit_code_for(signal.SIGINT if self.stop_signal == "SIGINT" else signal.SIGTERM)


def build_vec_env(cfg: SimHopsConfig, record_histories: bool = False) -> VecEnv:
    """The training ``VecEnv`` (``cfg.train.vec_env``: native / dummy / subproc), wrapped in ``VecMonitor``.

    ``subproc`` workers are started with SIGINT ignored, so a Ctrl-C reaches only the trainer (which
    stops cleanly) and not the workers it still needs to finish.
    """
    n = cfg.train.n_envs
    if cfg.train.vec_env == "native":
        venv: VecEnv = SB3VecEnv(num_envs=n, config=cfg, record_histories=record_histories)
    else:
        factory = partial(WaypointsEnv, cfg, history_in_info=record_histories)
        if cfg.train.vec_env == "dummy":
            venv = DummyVecEnv([factory] * n)
        else:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                venv = SubprocVecEnv([factory] * n)
            finally:
                signal.signal(signal.SIGINT, previous)
    return VecMonitor(venv, info_keywords=("waypoints_reached", "is_success", "crash"))


def build_simulation_callbacks(cfg: SimHopsConfig, for_training: bool = False) -> AbstractCallback | None:
    """The simulation callbacks of ``cfg.callbacks.simulation_callbacks`` in one ``MultiCallback`` (None if empty).

    Entries: ``metric`` / ``timing`` or ``{target: pkg.mod.Class, args: {...}}`` (an ``AbstractCallback``).
    ``metric`` keeps the newest ``callbacks.rolling_window`` results.

    Raises:
        ConfigError: an entry that cannot be built, or (``for_training``) one needing step/planner hooks;
            the message names ``callbacks.simulation_callbacks[i]``.
    """
    key = "callbacks.simulation_callbacks"
    callbacks = instantiate_callbacks(list(cfg.callbacks.simulation_callbacks), key, base=AbstractCallback,
                                      builtins=BUILTIN_SIMULATION_CALLBACKS,
                                      builtin_args={"metric": {"max_results": cfg.callbacks.rolling_window}})
    if for_training:
        for i, cb in enumerate(callbacks):
            check_training_callback(cb, f"{key}[{i}]")
    return MultiCallback(callbacks) if callbacks else None


def build_sb3_callbacks(cfg: SimHopsConfig) -> list[BaseCallback]:
    """The user SB3 callbacks of ``cfg.callbacks.sb3_callbacks`` (``BaseCallback`` instances).

    Raises:
        ConfigError: naming ``callbacks.sb3_callbacks[i]``.
    """
    return instantiate_callbacks(list(cfg.callbacks.sb3_callbacks), "callbacks.sb3_callbacks", base=BaseCallback)


def build_model(cfg: SimHopsConfig, venv: VecEnv) -> PPO:
    """SB3 PPO with the hyper-parameters of ``cfg.train``."""
    t = cfg.train
    return PPO(
        "MlpPolicy", venv, learning_rate=t.learning_rate, n_steps=t.n_steps, batch_size=t.batch_size,
        n_epochs=t.n_epochs, gamma=t.gamma, gae_lambda=t.gae_lambda, clip_range=t.clip_range, ent_coef=t.ent_coef,
        vf_coef=t.vf_coef, max_grad_norm=t.max_grad_norm, seed=cfg.seed, device=t.device, verbose=0,
        policy_kwargs=dict(net_arch=dict(pi=list(t.net_arch), vf=list(t.net_arch)), log_std_init=t.log_std_init),
    )


def build_curriculum_callback(cfg: SimHopsConfig) -> CurriculumCallback | None:
    """The :class:`CurriculumCallback` of ``cfg.train.curriculum`` (None when disabled); its env is set later.

    Raises:
        ConfigError: the curriculum with ``train.vec_env`` other than ``native`` (names
            ``train.curriculum.enabled``), or a level that is not a valid config
            (``train.curriculum.start.<key>``).
    """
    if not cfg.train.curriculum.enabled:
        return None
    if cfg.train.vec_env != "native":
        raise ConfigError(f"train.curriculum.enabled: the curriculum changes the course and disturbance settings "
                          f"of the native vector env; train.vec_env is {cfg.train.vec_env!r}: use "
                          "train.vec_env=native or train.curriculum.enabled=false")
    return CurriculumCallback.from_config(cfg)


def check_log_formats(cfg: SimHopsConfig) -> list[str]:
    """``cfg.train.log_formats`` as SB3 format names.

    Raises:
        ConfigError: ``tensorboard`` asked but the package is missing (names ``train.log_formats``).
    """
    formats = list(dict.fromkeys(cfg.train.log_formats))
    if "tensorboard" in formats and importlib.util.find_spec("tensorboard") is None:
        raise ConfigError("train.log_formats: 'tensorboard' needs the tensorboard package: "
                          "pip install 'simhops[tensorboard]' (or drop it from train.log_formats)")
    return formats


def prepare_output_dir(out: Path, overwrite: bool = False, resume: bool = False) -> None:
    """Make ``out`` ready for a run.

    A non-empty ``out`` is refused unless ``overwrite`` (it is cleared first) or ``resume``.

    Raises:
        OutputDirError: ``out`` is a file, holds an earlier run, or (``resume``) does not exist.
    """
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"output_dir {str(out)!r} is a file, not a directory")
    if resume:
        if not out.is_dir():
            raise OutputDirError(f"--resume: {str(out)!r} is not a directory of an earlier run")
        return
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise OutputDirError(f"output_dir {str(out)!r} is not empty (an earlier run?); pass --overwrite to "
                                 f"clear it, --resume {out} to continue it, or choose another output_dir")
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _atomic_save_model(model: PPO, path: Path, num_timesteps: int | None = None) -> None:
    saved = model.num_timesteps
    if num_timesteps is not None:
        model.num_timesteps = num_timesteps
    try:
        with atomic_output(path) as tmp:
            model.save(tmp)  # the temp name ends in ".tmp", so SB3 writes exactly there
    finally:
        model.num_timesteps = saved


def train(cfg: SimHopsConfig, eval_episodes: int = 100, *, resume: bool = False,
          overwrite: bool = False) -> TrainResult:
    """Train PPO on ``cfg`` (files in the module docstring).

    ``resume``: continue ``cfg.output_dir`` from its newest checkpoint up to the same
    ``train.total_timesteps`` (model, normalization stats, callback state and the recording are
    restored). ``overwrite``: clear a non-empty ``output_dir`` first. SIGINT / SIGTERM during
    training stop it after the current env step: model, checkpoint, closed ``train.rrd`` and a
    summary with ``"complete": false`` are written (``TrainResult.exit_code`` 130 / 143).
    ``eval_episodes`` > 0 evaluates a completed run on that many fresh courses.
    With ``train.curriculum.enabled`` the training envs start at difficulty level 0 and are raised
    towards the full ``train.env_overlay`` by :class:`CurriculumCallback` (rolling success gate and
    schedule floor); the level is checkpointed and restored on ``resume``.

    Raises:
        ConfigError: a callback entry or log format that cannot be used (before anything is written).
        OutputDirError: see :func:`prepare_output_dir`; ``resume`` without a checkpoint.
    """
    out = Path(cfg.output_dir)
    sim_callback = build_simulation_callbacks(cfg, for_training=True)
    user_callbacks = build_sb3_callbacks(cfg)
    formats = check_log_formats(cfg)
    curriculum = build_curriculum_callback(cfg)
    manager = CheckpointManager(out, keep=cfg.train.keep_checkpoints)
    checkpoint = None
    if resume:
        prepare_output_dir(out, resume=True)
        checkpoint = manager.latest()
        if checkpoint is None:
            raise OutputDirError(f"--resume: no checkpoint in {out / 'checkpoints'}")
    else:
        prepare_output_dir(out, overwrite=overwrite)
    config_path = save_config(cfg, out / "config.yaml")
    torch.set_num_threads(cfg.train.torch_threads)

    # DR: training only; built at the full overlay (kernel path, buffers), the curriculum then lowers it
    venv = build_vec_env(training_env_config(cfg), record_histories=sim_callback is not None)
    if checkpoint is not None:
        if checkpoint.vecnormalize_path is not None:
            venv = VecNormalize.load(str(checkpoint.vecnormalize_path), venv)
        model = PPO.load(checkpoint.model_path, env=venv, device=cfg.train.device)
        venv.seed(cfg.seed + model.num_timesteps)  # fresh courses, not a replay of the first ones
    else:
        venv.seed(cfg.seed)
        model = build_model(cfg, venv)
    model.set_logger(configure(str(out / LOG_DIR), formats))

    callbacks: list[BaseCallback] = []
    states: dict[str, object] = {}
    if sim_callback is not None:
        callbacks.append(SimulationCallbackBridge.from_config(sim_callback, cfg))
    rrd_path = None
    cb = cfg.callbacks
    if cfg.visualization.enabled:
        rrd_path = out / cfg.visualization.rerun_file
        snapshot = SnapshotRerunCallback(
            make_env=partial(WaypointsEnv, cfg, history_in_info=True), output_path=rrd_path,
            snapshot_freq_updates=cb.snapshot_freq_updates, snapshot_max_steps=cb.snapshot_max_steps,
            snapshot_courses=cb.snapshot_courses, log_aggregated_metrics=cfg.visualization.log_aggregated_metrics,
            rolling_window=cb.rolling_window, spawn=cfg.visualization.spawn_viewer, snapshot_seed=cfg.seed)
        callbacks.append(snapshot)
        states["snapshot_rerun"] = snapshot
    log_cb = TrainingLogCallback(cb.rolling_window, cb.print_freq_updates, cfg.train.total_timesteps)
    callbacks.append(log_cb)
    states["training_log"] = log_cb
    if curriculum is not None:
        curriculum.env = venv
        curriculum.check_env()
        curriculum.apply()  # level 0 (or the checkpoint's level below) for the episodes reset by learn()
        callbacks.append(curriculum)
        states["curriculum"] = curriculum
    callbacks.extend(user_callbacks)
    saver = PeriodicCheckpointCallback(manager, cfg.train.checkpoint_freq_steps, states)
    callbacks.append(saver)
    resumed_from = None
    if checkpoint is not None:
        resumed_from = checkpoint.num_timesteps
        saved_states = checkpoint.callback_states()
        for name, obj in states.items():
            if name in saved_states:
                obj.load_state_dict(saved_states[name])

    start_steps = model.num_timesteps
    remaining = cfg.train.total_timesteps - model.num_timesteps
    start = time.perf_counter()
    with StopSignal() as stop:
        callbacks.append(StopOnSignalCallback(stop))
        if remaining > 0:
            model.learn(total_timesteps=remaining, callback=CallbackList(callbacks), log_interval=cfg.train.log_interval_updates,
                        progress_bar=cfg.train.progress_bar, reset_num_timesteps=checkpoint is None)
        wall = time.perf_counter() - start
        stopped = stop.name
        learned = saver.boundary_timesteps if stopped else model.num_timesteps
        last_checkpoint = None
        if stopped:
            last_checkpoint = saver.save(stopped)
        model_path = out / "model.zip"
        _atomic_save_model(model, model_path, learned)
        venv.close()
        evaluation: PolicyEvaluation | None = None
        if eval_episodes > 0 and not stopped:
            evaluation = evaluate_policy_success(model, cfg, eval_episodes)
        result = TrainResult(
            str(out), str(model_path), str(config_path), str(rrd_path) if rrd_path else None, int(learned),
            cfg.train.total_timesteps, wall, (model.num_timesteps - start_steps) / max(wall, 1e-9),
            asdict(evaluation) if evaluation else None, complete=stopped is None, stop_signal=stopped,
            resumed_from_timesteps=resumed_from,
            checkpoint=str(last_checkpoint.path) if last_checkpoint else (str(saver.saved[-1].path) if saver.saved else None),
            curriculum_level=curriculum.level if curriculum else None,
            curriculum_levels=curriculum.levels if curriculum else None)
        atomic_write_text(out / SUMMARY_FILE, json.dumps(asdict(result), indent=2))
    return result
