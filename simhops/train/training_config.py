"""The config the training envs run: ``cfg`` plus its training-only overlay ``train.env_overlay``."""

from __future__ import annotations

from simhops.config import SimHopsConfig
from simhops.scenario.conditions import ConditionOverlay, apply_condition


def training_env_config(cfg: SimHopsConfig) -> SimHopsConfig:
    """``cfg`` with ``cfg.train.env_overlay`` (dotted key -> value) applied.

    Only the training envs use it (domain randomization and disturbances while learning);
    the run's saved ``config.yaml`` keeps ``cfg`` itself, so evaluations of the model stay
    nominal unless a condition overlay says otherwise.

    Raises:
        ConfigError: an overlay key the schema does not have, or a value out of range.
    """
    over = dict(cfg.train.env_overlay)
    if not over:
        return cfg
    return apply_condition(cfg, ConditionOverlay(name="train.env_overlay", overrides=over))
