"""Pydantic v2 schema of the SimHops configuration.

All models are immutable (``frozen=True``) and reject unknown keys
(``extra="forbid"``).  Every numeric field carries bounds and a description
with its SI unit (``[-]`` = dimensionless).  The defaults below are the
contract shared with ``cfg_default.yaml``: ``SimHopsConfig()`` equals the
config loaded from that file.

Frames and units: positions are ENU in metres, times in seconds, rates in
rad/s, frequencies in Hz.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True)

# Element types for list fields (bounds apply to each element).
_PosFloat = Annotated[float, Field(gt=0.0, le=1000.0)]
_BodyRate = Annotated[float, Field(gt=0.0, le=50.0)]
_Coord = Annotated[float, Field(ge=-1000.0, le=1000.0)]
_Width = Annotated[int, Field(ge=1, le=65536)]


def _vec3(default: list[float], description: str):
    """A list of exactly 3 bounded floats."""
    return Field(default_factory=lambda: list(default), min_length=3, max_length=3, description=description)


class ScenarioConfig(BaseModel):
    """Waypoint course generation and episode timing.

    Waypoints are sampled inside a flight dome (a sphere of ``dome_radius_m``
    around the origin), with altitude in ``[min_altitude_m, max_altitude_m]``
    and consecutive hops of length ``[hop_min_m, hop_max_m]``.
    """

    model_config = _MODEL_CONFIG

    n_waypoints: int = Field(4, ge=1, le=64, description="Waypoints per course [-], 1..64.")
    reach_radius_m: float = Field(0.2, gt=0.0, le=2.0, description="A waypoint counts as reached within this distance [m], (0, 2].")
    dome_radius_m: float = Field(5.0, gt=1.0, le=100.0, description="Radius of the flight dome around the origin [m], (1, 100]; leaving it is a crash.")
    control_hz: float = Field(50.0, gt=0.0, le=1000.0, description="Planner / env step rate [Hz], (0, 1000].")
    duration_s: float = Field(20.0, gt=0.0, le=3600.0, description="Episode time limit [s], (0, 3600].")
    min_altitude_m: float = Field(0.5, ge=0.05, le=50.0, description="Lowest waypoint altitude [m], [0.05, 50].")
    max_altitude_m: float = Field(3.0, gt=0.0, le=100.0, description="Highest waypoint altitude [m], (0, 100].")
    hop_min_m: float = Field(1.0, gt=0.0, le=50.0, description="Minimum distance between consecutive waypoints (and start->first) [m], (0, 50].")
    hop_max_m: float = Field(3.0, gt=0.0, le=50.0, description="Maximum distance between consecutive waypoints (and start->first) [m], (0, 50].")
    start_position_m: list[_Coord] = _vec3([0.0, 0.0, 1.0], "Start position, ENU [m], 3 floats in [-1000, 1000].")

    @model_validator(mode="after")
    def _check(self) -> ScenarioConfig:
        # Messages start with "<field>: " so the loader can report the full dotted key.
        if not self.min_altitude_m < self.max_altitude_m:
            raise ValueError(f"min_altitude_m: must be < max_altitude_m = {self.max_altitude_m} (got {self.min_altitude_m})")
        if not self.hop_min_m <= self.hop_max_m:
            raise ValueError(f"hop_min_m: must be <= hop_max_m = {self.hop_max_m} (got {self.hop_min_m})")
        if math.dist(self.start_position_m, (0.0, 0.0, 0.0)) >= self.dome_radius_m:
            raise ValueError(f"start_position_m: must lie inside the dome, norm < dome_radius_m = {self.dome_radius_m} (got {self.start_position_m})")
        return self


class PhysicsConfig(BaseModel):
    """Quadcopter dynamics: airframe, integration sub-steps, motor lag, rate loop."""

    model_config = _MODEL_CONFIG

    airframe: Literal["cf2x"] = Field("cf2x", description="Airframe model (Crazyflie 2.x, X configuration).")
    substeps: int = Field(5, ge=1, le=100, description="Physics sub-steps per control step [-], 1..100.")
    motor_tau_s: float = Field(0.03, gt=0.0, le=1.0, description="First-order motor lag time constant [s], (0, 1].")
    rate_gains: list[_PosFloat] = _vec3([20.0, 20.0, 10.0], "Body-rate P gains (roll, pitch, yaw) [1/s], 3 floats in (0, 1000].")


class EnvConfig(BaseModel):
    """Gymnasium environment: action interface and observation content."""

    model_config = _MODEL_CONFIG

    action_mode: Literal["ctbr", "motor"] = Field("ctbr", description="'ctbr' = collective thrust + body rates, 'motor' = per-motor commands.")
    max_body_rate_rad_s: list[_BodyRate] = _vec3([5.0, 5.0, 2.0], "Body-rate command limits (roll, pitch, yaw) [rad/s], 3 floats in (0, 50].")
    n_obs_waypoints: int = Field(2, ge=1, le=8, description="Upcoming waypoints in the observation [-], 1..8.")


class RewardConfig(BaseModel):
    """Reward shaping weights (all >= 0; penalties are subtracted)."""

    model_config = _MODEL_CONFIG

    progress_weight: float = Field(10.0, ge=0.0, le=1e6, description="Reward per metre of progress toward the active waypoint [1/m], [0, 1e6].")
    waypoint_bonus: float = Field(10.0, ge=0.0, le=1e6, description="Reward per waypoint reached [-], [0, 1e6].")
    completion_bonus: float = Field(0.0, ge=0.0, le=1e6, description="Extra reward once when the course is completed, on top of the waypoint bonus [-], [0, 1e6].")
    crash_penalty: float = Field(10.0, ge=0.0, le=1e6, description="Penalty on crash (subtracted) [-], [0, 1e6].")
    rate_penalty: float = Field(0.001, ge=0.0, le=1e6, description="Penalty per (rad/s)^2 of squared body-rate norm [s^2/rad^2], [0, 1e6].")
    time_penalty: float = Field(0.0, ge=0.0, le=1e6, description="Penalty per env step [-], [0, 1e6].")


class TrainConfig(BaseModel):
    """PPO training (Stable-Baselines3 hyper-parameters and runtime)."""

    model_config = _MODEL_CONFIG

    total_timesteps: int = Field(10_000_000, ge=1, le=10**12, description="Total env steps to train [steps], [1, 1e12].")
    n_envs: int = Field(256, ge=1, le=65536, description="Parallel environments [-], 1..65536.")
    n_steps: int = Field(64, ge=1, le=1_000_000, description="Rollout length per env [steps], [1, 1e6].")
    batch_size: int = Field(8192, ge=1, le=2**31 - 1, description="Minibatch size [samples], >= 1 and <= n_steps * n_envs.")
    n_epochs: int = Field(5, ge=1, le=1000, description="PPO epochs per update [-], 1..1000.")
    learning_rate: float = Field(3e-4, gt=0.0, le=1.0, description="Adam learning rate [-], (0, 1].")
    gamma: float = Field(0.99, gt=0.0, le=1.0, description="Discount factor per env step [-], (0, 1].")
    gae_lambda: float = Field(0.95, ge=0.0, le=1.0, description="GAE lambda [-], [0, 1].")
    clip_range: float = Field(0.2, gt=0.0, le=1.0, description="PPO clip range [-], (0, 1].")
    ent_coef: float = Field(0.0, ge=0.0, le=100.0, description="Entropy loss coefficient [-], [0, 100].")
    vf_coef: float = Field(0.5, ge=0.0, le=100.0, description="Value loss coefficient [-], [0, 100].")
    max_grad_norm: float = Field(0.5, gt=0.0, le=1e6, description="Gradient clipping norm [-], (0, 1e6].")
    net_arch: list[_Width] = Field(default_factory=lambda: [64, 64], min_length=1, description="Hidden layer widths [units], non-empty, each 1..65536.")
    log_std_init: float = Field(-0.5, ge=-20.0, le=5.0, description="Initial log std of the Gaussian policy [log(action unit)], [-20, 5].")
    device: Literal["cpu", "cuda", "auto"] = Field("cpu", description="Torch device.")
    progress_bar: bool = Field(True, description="Show a progress bar while training.")
    torch_threads: int = Field(1, ge=1, le=64, description="torch.set_num_threads [-], 1..64.")
    vec_env: Literal["native", "dummy", "subproc"] = Field("native", description="Vectorised env backend.")
    checkpoint_freq_steps: int = Field(1_000_000, ge=0, le=10**12, description="Save a checkpoint (model, normalization stats, callback state) every N env steps [steps]; 0: only on SIGINT/SIGTERM.")
    keep_checkpoints: int = Field(2, ge=1, le=1000, description="Newest checkpoints kept in output_dir/checkpoints [-], 1..1000.")
    log_formats: list[Literal["stdout", "csv", "tensorboard", "json"]] = Field(
        default_factory=lambda: ["csv"],
        description="SB3 logger outputs in output_dir/logs: stdout (table per dump), csv (progress.csv), "
                    "tensorboard (needs the 'tensorboard' extra), json (progress.json).")
    log_interval_updates: int = Field(1, ge=1, le=10**9, description="Dump the SB3 logger every N PPO updates [updates], >= 1.")

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        buffer = self.n_steps * self.n_envs
        if self.batch_size > buffer:
            raise ValueError(
                f"batch_size: must be <= n_steps * n_envs = {self.n_steps} * {self.n_envs} = {buffer} "
                f"(got {self.batch_size}); lower it, e.g. train.batch_size={buffer}"
            )
        return self


class CallbackSpec(BaseModel):
    """A callback given by import path: ``{"target": "pkg.module.Class", "args": {...}}``.

    ``target`` is a dotted path ``module.attribute`` (a class or factory), called as ``target(**args)``
    (see :func:`simhops.config.targets.instantiate_target`). nuPlan registers callbacks through
    Hydra ``_target_``; this is the same idea without Hydra.
    """

    model_config = _MODEL_CONFIG

    target: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$",
                        description="Dotted import path 'package.module.Class' of the callback class or factory.")
    args: dict[str, Any] = Field(default_factory=dict, description="Keyword arguments of the call.")


class CallbacksConfig(BaseModel):
    """Training callbacks: snapshots, console printing, rolling metrics, user callbacks."""

    model_config = _MODEL_CONFIG

    snapshot_freq_updates: int = Field(20, ge=1, le=10**9, description="Record a snapshot episode every N PPO updates [updates], >= 1.")
    snapshot_max_steps: int = Field(500, ge=1, le=10**9, description="Max env steps of a snapshot episode [steps], >= 1.")
    snapshot_courses: int = Field(1, ge=1, le=1000, description="Fixed snapshot courses, flown in turn (seeds seed .. seed + n - 1) [-], 1..1000.")
    print_freq_updates: int = Field(10, ge=1, le=10**9, description="Print one short stats line every N PPO updates [updates], >= 1.")
    rolling_window: int = Field(100, ge=1, le=10**9, description="Episodes in the rolling means [episodes], >= 1.")
    simulation_callbacks: list[Literal["metric", "timing"] | CallbackSpec] = Field(
        default_factory=lambda: ["metric"],
        description="Simulation callbacks (simhops AbstractCallback) run on every finished training episode: "
                    "'metric', or {target: pkg.mod.Class, args: {...}}. Callbacks needing step/planner hooks "
                    "('timing') are refused in training: the vector env has no per-step hooks.")
    sb3_callbacks: list[CallbackSpec] = Field(
        default_factory=list,
        description="Extra Stable-Baselines3 callbacks (BaseCallback): {target: pkg.mod.Class, args: {...}}.")


class VisualizationConfig(BaseModel):
    """Rerun logging of training runs."""

    model_config = _MODEL_CONFIG

    log_aggregated_metrics: bool = Field(True, description="Log aggregated training metrics to Rerun.")
    rerun_file: str = Field("train.rrd", description="Rerun recording file, relative to output_dir.")
    spawn_viewer: bool = Field(False, description="Spawn the Rerun viewer.")
    enabled: bool = Field(True, description="Enable Rerun logging.")


class SimHopsConfig(BaseModel):
    """Top-level SimHops configuration (see ``cfg_default.yaml``)."""

    model_config = _MODEL_CONFIG

    seed: int = Field(0, ge=0, le=2**32 - 1, description="Global RNG seed [-], [0, 2^32 - 1].")
    output_dir: str = Field("runs/default", description="Run output directory (path).")
    scenario: ScenarioConfig = Field(default_factory=ScenarioConfig)
    physics: PhysicsConfig = Field(default_factory=PhysicsConfig)
    env: EnvConfig = Field(default_factory=EnvConfig)
    reward: RewardConfig = Field(default_factory=RewardConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    callbacks: CallbacksConfig = Field(default_factory=CallbacksConfig)
    visualization: VisualizationConfig = Field(default_factory=VisualizationConfig)
