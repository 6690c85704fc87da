"""SimHops configuration: pydantic schema + YAML loading with dotted overrides.

>>> cfg = load_config(overrides=["train.n_envs=8", "train.batch_size=512"])
>>> cfg.train.n_envs
8
"""

from simhops.config.loader import ConfigError, default_config_path, load_config, parse_overrides, save_config
from simhops.config.schema import (
    CallbacksConfig,
    EnvConfig,
    PhysicsConfig,
    RewardConfig,
    ScenarioConfig,
    SimHopsConfig,
    SimulationConfig,
    TrainConfig,
    VisualizationConfig,
)

__all__ = [
    "SimHopsConfig",
    "ScenarioConfig",
    "SimulationConfig",
    "PhysicsConfig",
    "EnvConfig",
    "RewardConfig",
    "TrainConfig",
    "CallbacksConfig",
    "VisualizationConfig",
    "load_config",
    "save_config",
    "ConfigError",
    "default_config_path",
    "parse_overrides",
]
