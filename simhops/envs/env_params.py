"""EnvParams: a config resolved and packed once for both environments.

The one place the envs turn a :class:`~simhops.config.SimHopsConfig` into what the
kernels read: physics (:class:`~simhops.dynamics.physics.physics_params.PhysicsParams`),
course (:func:`~simhops.scenario.scenario_builder.course_params`), reward
(:func:`reward_params`), observation (``n_obs_waypoints``) and the episode length
(:attr:`~simhops.scenario.scenario_builder.ScenarioBuilder.number_of_iterations`, the
formula of ``Scenario.get_number_of_iterations``). :class:`WaypointsEnv` and
:class:`SimHopsVectorEnv` both build one, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from simhops.config import SimHopsConfig, load_config
from simhops.dynamics.kernels.layout import (
    ACTION_MODES, R_ACTION_RATE, R_COMPLETION, R_DESCENT, R_DESCENT_LIMIT, R_CRASH, R_PROGRESS, R_RATE, R_TILT, R_TILT_LIMIT, R_TILT_LIMIT_COS,
    R_TIME, R_WAYPOINT, REWARD_DIM,
    obs_dim,
)
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.scenario.scenario_builder import ScenarioBuilder


def reward_params(cfg: SimHopsConfig) -> np.ndarray:
    """The reward kernel's parameter vector (REWARD_DIM,), read-only, from ``cfg.reward``
    (layout: :mod:`simhops.dynamics.kernels.layout` ``R_*``)."""
    r = np.zeros(REWARD_DIM)
    rc = cfg.reward
    r[R_PROGRESS] = rc.progress_weight
    r[R_WAYPOINT] = rc.waypoint_bonus
    r[R_COMPLETION] = rc.completion_bonus
    r[R_CRASH] = rc.crash_penalty
    r[R_RATE] = rc.rate_penalty
    r[R_TIME] = rc.time_penalty
    r[R_TILT] = rc.tilt_penalty
    r[R_ACTION_RATE] = rc.action_rate_penalty
    r[R_TILT_LIMIT_COS] = np.cos(rc.tilt_limit_rad)
    r[R_TILT_LIMIT] = rc.tilt_limit_penalty
    r[R_DESCENT_LIMIT] = rc.descent_speed_limit_m_s
    r[R_DESCENT] = rc.descent_speed_penalty
    r.flags.writeable = False
    return r


def resolve_config(config: SimHopsConfig | str | Path | None, overrides: Sequence[str] = ()) -> SimHopsConfig:
    """A config object, a YAML path, or None (the default ``cfg_default.yaml``), plus ``dotted.key=value`` overrides.

    Raises:
        ValueError: overrides given together with a config object.
        ConfigError: the file or an override is invalid (names the file / key).
    """
    if isinstance(config, SimHopsConfig):
        if overrides:
            raise ValueError("overrides are only applied to a config loaded from a file; pass config=None or a path")
        return config
    return load_config(config, overrides)


@dataclass(frozen=True)
class EnvParams:
    """Everything an env reads from its config, packed once.

    | field | content |
    |---|---|
    | ``config`` | the resolved :class:`SimHopsConfig` |
    | ``physics`` | :class:`PhysicsParams` (its ``as_array()`` is ``phys``) |
    | ``builder`` | the :class:`ScenarioBuilder` making every scenario of the env |
    | ``phys`` / ``course`` / ``reward`` | read-only kernel parameter vectors (PHYS_DIM,), (COURSE_DIM,), (REWARD_DIM,) |
    | ``action_mode`` / ``mode_id`` | ``"ctbr"`` or ``"motor"`` and its kernel code |
    | ``n_obs_waypoints`` / ``obs_dim`` | upcoming waypoints in the observation and its length (the kernels' part) |
    | ``privileged_plant_params`` | ``env.privileged_plant_params``: the envs append ``PRIVILEGED_DIM`` privileged plant entries |
    | ``n_waypoints`` | waypoints of a random course |
    | ``number_of_iterations`` | time points of an episode (t = 0 included); an episode has one step fewer |
    """

    config: SimHopsConfig
    physics: PhysicsParams
    builder: ScenarioBuilder
    phys: np.ndarray
    course: np.ndarray
    reward: np.ndarray
    action_mode: str
    mode_id: int
    n_obs_waypoints: int
    obs_dim: int
    n_waypoints: int
    number_of_iterations: int
    privileged_plant_params: bool = False

    @property
    def max_episode_steps(self) -> int:
        """Steps of an episode that is neither completed nor crashed: ``number_of_iterations - 1``."""
        return self.number_of_iterations - 1

    @classmethod
    def from_config(cls, config: SimHopsConfig | str | Path | None = None,
                    overrides: Sequence[str] = ()) -> "EnvParams":
        """Resolve ``config`` (see :func:`resolve_config`) and pack it."""
        cfg = resolve_config(config, overrides)
        physics = PhysicsParams.from_config(cfg)
        builder = ScenarioBuilder(cfg, physics)
        n_obs = cfg.env.n_obs_waypoints
        return cls(config=cfg, physics=physics, builder=builder, phys=physics.as_array(), course=builder.course_params,
                   reward=reward_params(cfg), action_mode=cfg.env.action_mode,
                   mode_id=ACTION_MODES[cfg.env.action_mode], n_obs_waypoints=n_obs, obs_dim=obs_dim(n_obs),
                   n_waypoints=cfg.scenario.n_waypoints, number_of_iterations=builder.number_of_iterations,
                   privileged_plant_params=cfg.env.privileged_plant_params)
