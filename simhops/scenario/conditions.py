"""Condition overlays: named plant conditions as config overlays (``simhops eval --conditions``).

An overlay is a YAML file::

    name: mass_plus20                      # optional for user files (default: the file stem)
    description: plant mass +20 %
    overrides:                             # dotted config key -> value
      physics.mass_scale: 1.2

applied to the *plant's* :class:`~simhops.config.SimHopsConfig` (the planner keeps the
nominal model). Shipped overlays live in ``simhops/scenario/conditions/*.yaml``:
``nominal``, ``mass_plus20``, ``mass_minus20``, ``thrust_minus10``, ``motor_lag_x2``,
``latency_1``, ``latency_2``, ``wind_3ms``, ``gusts_3ms``, ``sensor_noise``, ``combined``.
A user passes a path to their own file instead of a name.

Keys are checked against the config schema: an overlay that names a key this build does
not have raises :class:`~simhops.config.ConfigError` naming the condition and the key
(:func:`missing_keys` lists them without raising).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml


@dataclass(frozen=True)
class ConditionOverlay:
    """A named plant condition: ``overrides`` maps dotted config keys to values."""

    name: str
    description: str = ""
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def as_override_strings(self) -> list[str]:
        """The overrides as ``key=value`` strings (values JSON-encoded, which YAML parses)."""
        return [f"{k}={json.dumps(v)}" for k, v in self.overrides.items()]


def available_conditions() -> list[str]:
    """Names of the overlays shipped in ``simhops/scenario/conditions``."""
    folder = resources.files("simhops.scenario").joinpath("conditions")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _parse(text: str, source: str, default_name: str) -> ConditionOverlay:
    try:
        d = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"condition overlay {source}: invalid YAML: {exc}") from exc
    d = d or {}
    if not isinstance(d, dict):
        raise ValueError(f"condition overlay {source}: top level must be a mapping with 'overrides'")
    unknown = set(d) - {"name", "description", "overrides"}
    if unknown:
        raise ValueError(f"condition overlay {source}: unknown fields {sorted(unknown)}; "
                         "allowed: name, description, overrides")
    over = d.get("overrides") or {}
    if not isinstance(over, dict) or not all(isinstance(k, str) and k for k in over):
        raise ValueError(f"condition overlay {source}: 'overrides' must map dotted config keys to values")
    return ConditionOverlay(name=str(d.get("name", default_name)), description=str(d.get("description", "")),
                            overrides=dict(over))


def load_condition(name_or_path: str | Path) -> ConditionOverlay:
    """A shipped overlay by name, or a user overlay YAML file by path.

    Raises:
        FileNotFoundError: neither a shipped name nor an existing ``.yaml``/``.yml`` file
            (the message lists the shipped names).
        ValueError: malformed overlay file.
    """
    key = str(name_or_path)
    if key in available_conditions():
        text = resources.files("simhops.scenario").joinpath("conditions", f"{key}.yaml").read_text()
        return _parse(text, key, key)
    path = Path(key)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return _parse(path.read_text(), str(path), path.stem)
    raise FileNotFoundError(f"unknown condition {key!r}: give a shipped condition {available_conditions()} "
                            "or a condition overlay YAML file")


def parse_conditions(spec: str) -> list[ConditionOverlay]:
    """``"nominal,wind_3ms,my.yaml"`` -> overlays, in order.

    Raises:
        ValueError: empty list or duplicate names; see :func:`load_condition` for the rest.
    """
    items = [s.strip() for s in spec.split(",") if s.strip()]
    if not items:
        raise ValueError("--conditions needs at least one name, e.g. --conditions nominal,wind_3ms")
    overlays = [load_condition(i) for i in items]
    names = [o.name for o in overlays]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate condition names in {spec!r}: {names}")
    return overlays


def missing_keys(overlay: ConditionOverlay) -> list[str]:
    """The overlay's keys that the config schema of this build does not have."""
    from simhops.config import ConfigError, parse_overrides

    out = []
    for k, s in zip(overlay.overrides, overlay.as_override_strings()):
        try:
            parse_overrides([s])
        except ConfigError:
            out.append(k)
    return out


def _merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in update.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def apply_condition(cfg, overlay: ConditionOverlay):
    """``cfg`` (a :class:`~simhops.config.SimHopsConfig`) with the overlay's overrides applied.

    Raises:
        ConfigError: a key the schema does not have, or a value out of its range (the message
            names the condition and the key).
    """
    from pydantic import ValidationError

    from simhops.config import ConfigError, SimHopsConfig, parse_overrides

    try:
        nested = parse_overrides(overlay.as_override_strings())
    except ConfigError as exc:
        missing = missing_keys(overlay)
        raise ConfigError(f"condition {overlay.name!r} sets {missing or list(overlay.overrides)}, which this "
                          f"simhops config does not have: {exc}") from None
    try:
        return SimHopsConfig.model_validate(_merge(cfg.model_dump(mode="json"), nested))
    except ValidationError as exc:
        errs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"condition {overlay.name!r}: invalid value: {errs}") from None
