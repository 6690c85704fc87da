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
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simhops.config.memory import require_memory, training_bytes

#: waypoints of random courses stay this far inside the flight dome (m), at most half its radius
DOME_MARGIN_M = 1.0


def dome_margin_m(dome_radius_m: float) -> float:
    """Distance random waypoints keep from the dome surface (m): ``min(DOME_MARGIN_M, dome_radius_m / 2)``."""
    return min(DOME_MARGIN_M, 0.5 * dome_radius_m)


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
        if self.start_position_m[2] < 0.0:
            raise ValueError(f"start_position_m: must be at or above the ground, z >= 0 m (got {self.start_position_m})")
        # random waypoints lie in the dome shrunk by the margin, between the two altitudes
        r = self.dome_radius_m - dome_margin_m(self.dome_radius_m)
        if self.max_altitude_m > r:
            raise ValueError(f"max_altitude_m: must lie inside the dome, <= dome_radius_m - margin = {self.dome_radius_m} - "
                             f"{dome_margin_m(self.dome_radius_m)} = {r} m (got {self.max_altitude_m})")
        # the widest chord of that region is the horizontal one at the lowest altitude: 2 sqrt(r^2 - min_alt^2)
        widest = 2.0 * math.sqrt(max(0.0, r * r - self.min_altitude_m ** 2))
        if self.hop_min_m > widest:
            raise ValueError(f"hop_min_m: no two waypoints inside the dome (radius {r} m after the margin, altitude >= "
                             f"{self.min_altitude_m} m) are {self.hop_min_m} m apart; must be <= {widest:.6g} "
                             f"(got {self.hop_min_m})")
        return self


_Inertia = Annotated[float, Field(gt=0.0, le=1.0)]
_Drag = Annotated[float, Field(ge=0.0, le=10.0)]
_DGain = Annotated[float, Field(ge=0.0, lt=10.0)]

#: Folder of the airframe YAML files shipped in the package (read as data; config does not import dynamics).
AIRFRAME_DIR = Path(__file__).resolve().parent.parent / "dynamics" / "physics" / "airframes"


class AirframeSpec(BaseModel):
    """An airframe data file (``simhops/dynamics/physics/airframes/*.yaml`` or a user's file).

    Same keys as ``simhops.dynamics.physics.airframe.Airframe``; SI units. Every value of a
    shipped file cites its source in a YAML comment.
    """

    model_config = _MODEL_CONFIG

    name: str = Field(min_length=1, description="Airframe identifier.")
    description: str = Field("", description="Free text.")
    mass_kg: float = Field(gt=0.0, le=100.0, description="Total mass [kg], (0, 100].")
    arm_m: float = Field(gt=0.0, le=10.0, description="Centre-to-rotor distance [m], (0, 10].")
    inertia_kg_m2: list[_Inertia] = Field(min_length=3, max_length=3, description="Diagonal inertia Ixx, Iyy, Izz, body FLU [kg m^2], 3 floats in (0, 1].")
    thrust_coefficient_n_s2: float = Field(gt=0.0, le=1.0, description="kf in T = kf w^2 [N/(rad/s)^2], (0, 1].")
    max_motor_thrust_n: float = Field(gt=0.0, le=1e4, description="Maximum thrust of one motor [N], (0, 1e4].")
    yaw_moment_per_thrust_m: float = Field(gt=0.0, le=1.0, description="Rotor reaction torque per newton of thrust [m], (0, 1].")
    motor_tau_up_s: float = Field(gt=0.0, le=10.0, description="Rotor-speed time constant, spin-up [s], (0, 10].")
    motor_tau_down_s: float = Field(gt=0.0, le=10.0, description="Rotor-speed time constant, spin-down [s], (0, 10].")
    drag_n_s_m: list[_Drag] = Field(default_factory=lambda: [0.0, 0.0, 0.0], min_length=3, max_length=3, description="Linear body-frame drag (x, y, z) [N/(m/s)], 3 floats in [0, 10].")
    prop_radius_m: float = Field(0.0231348, gt=0.0, le=10.0, description="Propeller radius [m], (0, 10].")

    @model_validator(mode="after")
    def _check(self) -> AirframeSpec:
        weight = self.mass_kg * 9.81
        if 4.0 * self.max_motor_thrust_n <= weight:
            raise ValueError(f"max_motor_thrust_n: 4 x {self.max_motor_thrust_n} N must exceed the weight "
                             f"{weight:.4g} N to hover")
        return self


def airframe_names() -> list[str]:
    """Names of the shipped airframes."""
    return sorted(p.stem for p in AIRFRAME_DIR.glob("*.yaml"))


def resolve_airframe_file(name_or_path: str) -> Path:
    """The YAML file of a shipped airframe name, or of an existing ``.yaml`` path.

    Raises:
        ValueError: neither (the message lists the shipped names).
    """
    if name_or_path in airframe_names():
        return AIRFRAME_DIR / f"{name_or_path}.yaml"
    p = Path(name_or_path).expanduser()
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return p
    raise ValueError(f"must be a shipped airframe {airframe_names()} or the path of an existing .yaml airframe "
                     f"file (got {name_or_path!r})")


def validate_airframe_file(path: str | Path) -> AirframeSpec:
    """Parse and validate an airframe file with :class:`AirframeSpec`.

    Raises:
        ValueError: unreadable YAML, not a mapping, or a field out of range (pydantic's message).
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"airframe file {path} must hold a mapping")
    return AirframeSpec.model_validate(data)


class PhysicsConfig(BaseModel):
    """Quadcopter dynamics: airframe, integration sub-steps, rate loop, aerodynamics switches."""

    model_config = _MODEL_CONFIG

    airframe: str = Field("cf2x", description="Shipped airframe name (cf2x, cf2x_L250) or path of a YAML airframe file.")
    substeps: int = Field(5, ge=1, le=100, description="Physics sub-steps per control step [-], 1..100.")
    rate_gains: list[_PosFloat] = _vec3([120.0, 120.0, 60.0], "Body-rate P gains (roll, pitch, yaw) [1/s], 3 floats in (0, 1000].")
    rate_d_gains: list[_DGain] = _vec3([5.0, 5.0, 3.0], "Body-rate D gains on the current rotor torque (roll, pitch, yaw) [-], 3 floats in [0, 10).")
    drag: bool = Field(True, description="Linear body-frame drag with the airframe's identified coefficients.")
    ground_effect: bool = Field(False, description="Cheeseman-Bennett ground effect on thrust near z = 0.")

    @model_validator(mode="after")
    def _check(self) -> PhysicsConfig:
        try:
            validate_airframe_file(resolve_airframe_file(self.airframe))
        except (ValueError, OSError, yaml.YAMLError) as e:
            raise ValueError(f"airframe: {e}") from None
        return self


class DisturbancesConfig(BaseModel):
    """Disturbances of the plant and its sensors, drawn from each env's own generator (deterministic per seed).

    All off by default. Wind acts through the drag model (``physics.drag``); gusts are an
    Ornstein-Uhlenbeck process per axis on top of the constant wind.
    """

    model_config = _MODEL_CONFIG

    wind_m_s: list[Annotated[float, Field(ge=-30.0, le=30.0)]] = _vec3([0.0, 0.0, 0.0], "Constant wind, world ENU [m/s], 3 floats in [-30, 30].")
    gust_std_m_s: float = Field(0.0, ge=0.0, le=20.0, description="Stationary std of each gust component [m/s], [0, 20]; 0 = no gusts.")
    gust_tau_s: float = Field(1.0, gt=0.0, le=100.0, description="Gust correlation time [s], (0, 100].")
    obs_noise_position_m: float = Field(0.0, ge=0.0, le=1.0, description="Observation noise std on position [m], [0, 1].")
    obs_noise_velocity_m_s: float = Field(0.0, ge=0.0, le=5.0, description="Observation noise std on velocity [m/s], [0, 5].")
    obs_noise_attitude_rad: float = Field(0.0, ge=0.0, le=0.5, description="Observation noise std on attitude, per axis [rad], [0, 0.5].")
    obs_noise_body_rates_rad_s: float = Field(0.0, ge=0.0, le=5.0, description="Observation noise std on body rates [rad/s], [0, 5].")
    latency_steps: int = Field(0, ge=0, le=10, description="Action latency [control steps], 0..10 (FIFO of commands).")
    motor_noise: float = Field(0.0, ge=0.0, le=0.5, description="Motor-command noise std as a fraction of the maximum motor thrust [-], [0, 0.5].")


_RAND_KIND = Literal["none", "relative_uniform", "relative_log_uniform", "absolute_uniform", "absolute_log_uniform"]


class RangeSpec(BaseModel):
    """How one quantity is drawn per episode: ``none`` (not randomized); ``relative_*``: nominal times a factor in
    [low, high]; ``absolute_*``: a value in [low, high] (SI unit of the quantity); uniform or log-uniform."""

    model_config = _MODEL_CONFIG

    kind: _RAND_KIND = Field("none", description="none | relative_uniform | relative_log_uniform | absolute_uniform | absolute_log_uniform.")
    low: float = Field(1.0, ge=0.0, le=1e4, description="Lower bound (factor or value) [-] or SI, [0, 1e4].")
    high: float = Field(1.0, ge=0.0, le=1e4, description="Upper bound (factor or value) [-] or SI, [0, 1e4], >= low.")

    @model_validator(mode="after")
    def _check(self) -> RangeSpec:
        if self.low > self.high:
            raise ValueError(f"low: must be <= high = {self.high} (got {self.low})")
        if "log" in self.kind and self.low <= 0.0:
            raise ValueError(f"low: must be > 0 for {self.kind} (got {self.low})")
        return self


class RandomizationConfig(BaseModel):
    """Domain randomization: per-episode draws of the plant and disturbance parameters (all off by default).

    Each sub-env of the vector env draws its own, inside the kernel, from its own generator.
    ``inertia``: one factor for Ixx, Iyy, Izz (absolute values set Ixx = Iyy); ``thrust``: max motor
    thrust [N] (thrust-to-weight); ``motor_tau``: both rotor time constants (absolute: spin-up [s]);
    ``drag``: all three coefficients (absolute: x = y [N/(m/s)]); ``latency``: control steps
    (absolute_uniform: integers low..high); ``wind_speed``: absolute -> horizontal wind of that speed
    [m/s] in a uniform random direction, relative -> factor on ``disturbances.wind_m_s``;
    ``gust_std`` [m/s]; ``obs_noise_scale``: factor on every observation-noise std.
    """

    model_config = _MODEL_CONFIG

    mass: RangeSpec = Field(default_factory=RangeSpec)
    inertia: RangeSpec = Field(default_factory=RangeSpec)
    thrust: RangeSpec = Field(default_factory=RangeSpec)
    yaw_torque: RangeSpec = Field(default_factory=RangeSpec)
    motor_tau: RangeSpec = Field(default_factory=RangeSpec)
    drag: RangeSpec = Field(default_factory=RangeSpec)
    latency: RangeSpec = Field(default_factory=RangeSpec)
    wind_speed: RangeSpec = Field(default_factory=RangeSpec)
    gust_std: RangeSpec = Field(default_factory=RangeSpec)
    obs_noise_scale: RangeSpec = Field(default_factory=RangeSpec)


class EnvConfig(BaseModel):
    """Gymnasium environment: action interface and observation content."""

    model_config = _MODEL_CONFIG

    action_mode: Literal["ctbr", "motor"] = Field("ctbr", description="'ctbr' = collective thrust + body rates, 'motor' = per-motor commands.")
    max_body_rate_rad_s: list[_BodyRate] = _vec3([5.0, 5.0, 2.0], "Body-rate command limits (roll, pitch, yaw) [rad/s], 3 floats in (0, 50].")
    n_obs_waypoints: int = Field(2, ge=1, le=8, description="Upcoming waypoints in the observation [-], 1..8.")
    privileged_plant_params: bool = Field(False, description="Privileged information (asymmetric actor-critic): append the episode's normalized true plant parameters (22 entries) to the policy observation; off by default.")


class RewardConfig(BaseModel):
    """Reward shaping weights (all >= 0; penalties are subtracted)."""

    model_config = _MODEL_CONFIG

    progress_weight: float = Field(10.0, ge=0.0, le=1e6, description="Reward per metre of progress toward the active waypoint [1/m], [0, 1e6].")
    waypoint_bonus: float = Field(10.0, ge=0.0, le=1e6, description="Reward per waypoint reached [-], [0, 1e6].")
    completion_bonus: float = Field(0.0, ge=0.0, le=1e6, description="Extra reward once when the course is completed, on top of the waypoint bonus [-], [0, 1e6].")
    crash_penalty: float = Field(50.0, ge=0.0, le=1e6, description="Penalty on crash (subtracted) [-], [0, 1e6].")
    rate_penalty: float = Field(0.001, ge=0.0, le=1e6, description="Penalty per (rad/s)^2 of squared body-rate norm [s^2/rad^2], [0, 1e6].")
    time_penalty: float = Field(0.002, ge=0.0, le=1e6, description="Penalty per env step [-], [0, 1e6].")
    tilt_penalty: float = Field(0.05, ge=0.0, le=1e6, description="Penalty per unit of (1 - cos tilt), per step [-], [0, 1e6].")
    action_rate_penalty: float = Field(0.15, ge=0.0, le=1e6, description="Penalty per squared norm of the normalized action change, per step [-], [0, 1e6].")
    tilt_limit_rad: float = Field(0.9, ge=0.0, le=3.14159, description="Tilt beyond which the tilt-limit hinge applies [rad], [0, pi].")
    tilt_limit_penalty: float = Field(2.0, ge=0.0, le=1e6, description="Penalty per unit of (cos tilt_limit_rad - cos tilt) when tilted past the limit, per step [-], [0, 1e6].")
    descent_speed_limit_m_s: float = Field(1.5, ge=0.0, le=100.0, description="Descent speed (world -v_z) beyond which the sink-rate hinge applies [m/s], [0, 100].")
    descent_speed_penalty: float = Field(2.0, ge=0.0, le=1e6, description="Penalty per m/s of descent speed beyond descent_speed_limit_m_s, per step [s/m], [0, 1e6].")


#: the default recipe's training-only env overlay (cfg_default.yaml ``train.env_overlay``): harder courses
#: than the evaluation default and mild domain randomization / disturbances (docs/physics_model.md)
DEFAULT_TRAIN_ENV_OVERLAY: dict[str, Any] = {
    "scenario.hop_min_m": 0.3, "scenario.hop_max_m": 8.0, "scenario.min_altitude_m": 0.25, "scenario.duration_s": 30.0,
    "randomization.mass": {"kind": "relative_uniform", "low": 0.8, "high": 1.35},
    "randomization.thrust": {"kind": "relative_uniform", "low": 0.85, "high": 1.05},
    "randomization.motor_tau": {"kind": "relative_uniform", "low": 0.8, "high": 2.2},
    "randomization.latency": {"kind": "absolute_uniform", "low": 0, "high": 2.99},
    "randomization.wind_speed": {"kind": "absolute_uniform", "low": 0.0, "high": 3.5},
    "randomization.gust_std": {"kind": "absolute_uniform", "low": 0.0, "high": 3.0},
    "randomization.obs_noise_scale": {"kind": "relative_uniform", "low": 0.2, "high": 1.3},
    "disturbances.obs_noise_position_m": 0.01, "disturbances.obs_noise_velocity_m_s": 0.05,
    "disturbances.obs_noise_attitude_rad": 0.01, "disturbances.obs_noise_body_rates_rad_s": 0.05,
}


class CurriculumConfig(BaseModel):
    """Training curriculum over ``train.env_overlay`` (simhops.train.curriculum): difficulty levels 0..``levels``.

    Level 0 uses the start values (``start[key]``, else the key's value in the config the overlay is
    applied to; a randomization range that is off there starts degenerate, so disturbance strength
    grows from zero), level ``levels`` the full overlay; levels in between interpolate numbers, number
    lists and range bounds linearly. Promotion: rolling training success >= ``promote_success`` after at
    least ``min_updates_per_level`` PPO updates at the level; the schedule floor reaches the full level
    by ``full_at_fraction`` of ``train.total_timesteps``. Needs ``train.vec_env: native``.
    """

    model_config = _MODEL_CONFIG

    enabled: bool = Field(True, description="Train with the curriculum; false: the full train.env_overlay from the first step.")
    levels: int = Field(4, ge=1, le=100, description="Difficulty levels above the start (level `levels` = the full env_overlay) [-], 1..100.")
    promote_success: float = Field(0.8, ge=0.0, le=1.0, description="Rolling training success rate that promotes to the next level [-], [0, 1].")
    min_updates_per_level: int = Field(5, ge=1, le=10**9, description="PPO updates spent at a level before a promotion by success [updates], >= 1.")
    full_at_fraction: float = Field(0.6, gt=0.0, le=1.0, description="Schedule floor: the level is at least levels * (progress / full_at_fraction), the full level by this fraction of total_timesteps [-], (0, 1].")
    start: dict[str, Any] = Field(default_factory=dict, description="Level-0 values (dotted key -> value) of train.env_overlay keys; a key not given starts at its value in the config.")


class TrainConfig(BaseModel):
    """PPO training (Stable-Baselines3 hyper-parameters and runtime)."""

    model_config = _MODEL_CONFIG

    total_timesteps: int = Field(10_000_000, ge=1, le=10**12, description="Total env steps to train [steps], [1, 1e12].")
    n_envs: int = Field(256, ge=1, le=65536, description="Parallel environments [-], 1..65536.")
    n_steps: int = Field(64, ge=1, le=1_000_000, description="Rollout length per env [steps], [1, 1e6].")
    batch_size: int = Field(4096, ge=1, le=2**31 - 1, description="Minibatch size [samples], >= 1 and <= n_steps * n_envs.")
    n_epochs: int = Field(10, ge=1, le=1000, description="PPO epochs per update [-], 1..1000.")
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
    env_overlay: dict[str, Any] = Field(default_factory=lambda: dict(DEFAULT_TRAIN_ENV_OVERLAY), description="Training-only config overlay (dotted key -> value, e.g. randomization.mass.kind), applied to the training envs only; the saved config and evaluation stay as given.")
    curriculum: CurriculumConfig = Field(default_factory=CurriculumConfig, description="Curriculum over env_overlay (difficulty levels, promotion by training success, schedule floor).")

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        buffer = self.n_steps * self.n_envs
        if self.batch_size > buffer:
            raise ValueError(
                f"batch_size: must be <= n_steps * n_envs = {self.n_steps} * {self.n_envs} = {buffer} "
                f"(got {self.batch_size}); lower it, e.g. train.batch_size={buffer}"
            )
        unknown = [k for k in self.curriculum.start if k not in self.env_overlay]
        if unknown:
            raise ValueError(f"curriculum: train.curriculum.start.{unknown[0]} is not a key of train.env_overlay "
                             f"(its keys: {sorted(self.env_overlay)}); start values are given for overlay keys only")
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
        default_factory=list,
        description="Simulation callbacks (simhops AbstractCallback) run on every finished training episode "
                    "(metric records every episode's history, ~5x slower training): "
                    "'metric', or {target: pkg.mod.Class, args: {...}}. Callbacks needing step/planner hooks "
                    "('timing') are refused in training: the vector env has no per-step hooks.")
    sb3_callbacks: list[CallbackSpec] = Field(
        default_factory=list,
        description="Extra Stable-Baselines3 callbacks (BaseCallback): {target: pkg.mod.Class, args: {...}}.")


class VisualizationConfig(BaseModel):
    """Rerun logging of training runs."""

    model_config = _MODEL_CONFIG

    log_aggregated_metrics: bool = Field(True, description="Log aggregated training metrics to Rerun.")
    rerun_file: str = Field("train.rrd", min_length=1, description="Rerun recording file, relative to output_dir (non-empty).")
    spawn_viewer: bool = Field(False, description="Spawn the Rerun viewer.")
    enabled: bool = Field(True, description="Enable Rerun logging.")


class SimulationConfig(BaseModel):
    """Closed-loop simulation (``Simulation``): the planner's rolling history buffer."""

    model_config = _MODEL_CONFIG

    history_buffer_duration_s: float = Field(2.0, gt=0.0, le=60.0, description="Seconds of past states in the planner's rolling history buffer [s], (0, 60]; must be >= one control period (nuPlan default 2.0).")


class SimHopsConfig(BaseModel):
    """Top-level SimHops configuration (see ``cfg_default.yaml``)."""

    model_config = _MODEL_CONFIG

    seed: int = Field(0, ge=0, le=2**32 - 1, description="Global RNG seed [-], [0, 2^32 - 1].")
    output_dir: str = Field("runs/default", description="Run output directory (path).")
    scenario: ScenarioConfig = Field(default_factory=ScenarioConfig)
    simulation: SimulationConfig = Field(default_factory=SimulationConfig)
    physics: PhysicsConfig = Field(default_factory=PhysicsConfig)
    disturbances: DisturbancesConfig = Field(default_factory=DisturbancesConfig)
    randomization: RandomizationConfig = Field(default_factory=RandomizationConfig)
    env: EnvConfig = Field(default_factory=EnvConfig)
    reward: RewardConfig = Field(default_factory=RewardConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    callbacks: CallbacksConfig = Field(default_factory=CallbacksConfig)
    visualization: VisualizationConfig = Field(default_factory=VisualizationConfig)

    @field_validator("output_dir")
    @classmethod
    def _check_output_dir(cls, v: str) -> str:
        if not v:
            raise ValueError("must be a non-empty path")
        if "\0" in v:
            raise ValueError(f"must not contain a NUL character (got {v!r})")
        if os.path.exists(v) and not os.path.isdir(v):
            raise ValueError(f"{v!r} exists and is not a directory")
        return v

    @model_validator(mode="after")
    def _check_memory(self) -> SimHopsConfig:
        # fail before allocating: "<dotted keys>: ..." names what to lower (the loader keeps the prefix)
        need = training_bytes(self)
        sc, tr = self.scenario, self.train
        require_memory(need, f"scenario.control_hz, scenario.duration_s, train.n_envs: training with "
                             f"{tr.n_envs} envs x {sc.duration_s} s x {sc.control_hz} Hz",
                       "lower scenario.duration_s, scenario.control_hz or train.n_envs (or empty "
                       "callbacks.simulation_callbacks: training then records no per-episode histories)")
        return self
