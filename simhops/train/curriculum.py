"""Curriculum: difficulty levels that interpolate the training overlay ``train.env_overlay``.

Level 0 holds the start values, level ``L = train.curriculum.levels`` exactly the overlay. For each
overlay key the start value is ``train.curriculum.start[key]`` when given, else the key's value in
the base config (the nominal / evaluation config the overlay is applied to). Level ``l`` uses
``start + (l / L) * (end - start)``:

| value | interpolation |
|---|---|
| number | linear; rounded to the nearest int where the schema field is an int (e.g. ``disturbances.latency_steps``) |
| list of numbers (``disturbances.wind_m_s``) | element-wise linear |
| range ``{kind, low, high}`` (``randomization.*``) | ``low`` and ``high`` linear, ``kind`` the overlay's. A range that is off (``kind: none``) or of another kind in the base config starts degenerate at the nominal value: ``[1, 1]`` for relative kinds; for absolute kinds ``[0, 0]`` for ``wind_speed`` and ``gust_std`` (disturbance strength grows from zero) and the nominal plant value otherwise (airframe mass, Ixx, max motor thrust, yaw moment per thrust, spin-up time constant, drag x; ``disturbances.latency_steps``; factor 1 for ``obs_noise_scale``); a log-uniform kind whose start is not > 0 starts at the overlay's ``low`` |
| anything else (strings, bools, other lists) | the overlay's value from level 1 on (the base value at level 0) |

Every level's overlay is applied and validated when the :class:`Curriculum` is built, so a bad
start value fails before training with a :class:`~simhops.config.ConfigError` naming
``train.curriculum.start.<key>``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, get_args, get_origin

from pydantic import BaseModel

from simhops.config import ConfigError, SimHopsConfig
from simhops.dynamics.physics.airframe import load_airframe
from simhops.scenario.conditions import ConditionOverlay, apply_condition

__all__ = ["Curriculum", "schedule_floor_level", "nominal_range_value"]

_RANGE_KEYS = {"kind", "low", "high"}
_MISSING = object()


def schedule_floor_level(progress: float, levels: int, full_at_fraction: float) -> int:
    """The lowest level the schedule allows at ``progress`` (fraction of total_timesteps done, clipped to [0, 1]).

    ``floor(levels * progress / full_at_fraction)``, at most ``levels``: proportional, the full level from
    ``progress >= full_at_fraction`` on.

    Raises:
        ValueError: ``levels`` < 1 or ``full_at_fraction`` not in (0, 1].
    """
    if levels < 1:
        raise ValueError(f"levels must be >= 1 (got {levels})")
    if not 0.0 < full_at_fraction <= 1.0:
        raise ValueError(f"full_at_fraction must be in (0, 1] (got {full_at_fraction})")
    p = min(max(float(progress), 0.0), 1.0)
    if p >= full_at_fraction:
        return levels
    return min(levels, int(math.floor(levels * p / full_at_fraction + 1e-12)))


def _lookup(data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _field_is_int(key: str) -> bool:
    """True when the schema field at dotted ``key`` is an int (not a bool)."""
    model: Any = SimHopsConfig
    ann: Any = None
    for part in key.split("."):
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return False
        ann = model.model_fields[part].annotation
        model = ann
    return ann is int


def nominal_range_value(base: SimHopsConfig, quantity: str, kind: str) -> float:
    """The degenerate start bound of randomization ``quantity`` for ``kind`` (see the module table)."""
    if kind.startswith("relative"):
        return 1.0
    if quantity in ("wind_speed", "gust_std"):
        return 0.0
    if quantity == "obs_noise_scale":
        return 1.0
    if quantity == "latency":
        return float(base.disturbances.latency_steps)
    af = load_airframe(base.physics.airframe)
    return float({"mass": af.mass_kg, "inertia": af.inertia_kg_m2[0], "thrust": af.max_motor_thrust_n,
                  "yaw_torque": af.yaw_moment_per_thrust_m, "motor_tau": af.motor_tau_up_s,
                  "drag": af.drag_n_s_m[0] if base.physics.drag else 0.0}.get(quantity, 1.0))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _lerp(a: float, b: float, t: float) -> float:
    return b if t >= 1.0 else a + t * (b - a)


@dataclass(frozen=True)
class Curriculum:
    """Interpolated training overlays (see the module docstring).

    ``start`` / ``end``: dotted key -> level-0 value / overlay value (same keys, in the overlay's
    order); ``levels``: L >= 1; ``int_keys``: keys rounded to ints.
    """

    start: Mapping[str, Any]
    end: Mapping[str, Any]
    levels: int
    int_keys: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not (isinstance(self.levels, int) and self.levels >= 1):
            raise ValueError(f"levels must be an int >= 1 (got {self.levels!r})")
        if list(self.start) != list(self.end):
            raise ValueError(f"start and end must have the same keys (got {list(self.start)} and {list(self.end)})")

    @classmethod
    def from_config(cls, cfg: SimHopsConfig) -> "Curriculum":
        """The curriculum of ``cfg.train.curriculum`` over ``cfg.train.env_overlay``, base ``cfg``.

        Raises:
            ConfigError: a start value (``train.curriculum.start.<key>``) of the wrong type or that makes
                some level's config invalid.
        """
        cur = cfg.train.curriculum
        end = dict(cfg.train.env_overlay)
        base = cfg.model_dump(mode="json")
        start: dict[str, Any] = {}
        for key, v_end in end.items():
            if key in cur.start:
                start[key] = cls._user_start(key, cur.start[key], v_end)
            else:
                start[key] = cls._base_start(cfg, key, _lookup(base, key), v_end)
        out = cls(start=start, end=end, levels=cur.levels,
                  int_keys=frozenset(k for k in end if _field_is_int(k)))
        for level in range(out.levels + 1):
            try:
                out.level_config(cfg, level)
            except ConfigError as exc:
                given = [k for k in cur.start]
                where = (f"train.curriculum.start.{given[0]}" if len(given) == 1
                         else "train.curriculum.start" if given else "train.env_overlay")
                raise ConfigError(f"{where}: curriculum level {level}/{out.levels} is not a valid config "
                                  f"(start values {given or 'from the config'}): {exc}") from None
        return out

    @staticmethod
    def _user_start(key: str, value: Any, v_end: Any) -> Any:
        name = f"train.curriculum.start.{key}"
        if isinstance(v_end, Mapping):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{name}: must be a mapping like the overlay's {dict(v_end)} (got {value!r})")
            if "kind" in value and "kind" in v_end and value["kind"] != v_end["kind"]:
                raise ConfigError(f"{name}: kind must be the overlay's {v_end['kind']!r} (got {value['kind']!r})")
            return {**dict(v_end), **dict(value)}
        if _is_number(v_end) and not _is_number(value):
            raise ConfigError(f"{name}: must be a number like the overlay's {v_end!r} (got {value!r})")
        if isinstance(v_end, list) and (not isinstance(value, list) or len(value) != len(v_end)):
            raise ConfigError(f"{name}: must be a list of {len(v_end)} values like the overlay's (got {value!r})")
        return value

    @staticmethod
    def _base_start(cfg: SimHopsConfig, key: str, v_base: Any, v_end: Any) -> Any:
        if v_base is _MISSING:  # not a config key: apply_condition reports it when the overlay is used
            return v_end
        if isinstance(v_end, Mapping) and isinstance(v_base, Mapping) and _RANGE_KEYS <= set(v_base):
            kind = str(v_end.get("kind", v_base["kind"]))
            if v_base["kind"] == kind and kind != "none":
                return {**v_base, **{k: v for k, v in v_end.items() if k not in ("low", "high")}}
            quantity = key.rsplit(".", 1)[-1]
            x = nominal_range_value(cfg, quantity, kind)
            if "log" in kind and x <= 0.0:
                x = float(v_end.get("low", v_base["low"]))
            return {**v_base, **dict(v_end), "kind": kind, "low": x, "high": x}
        return v_base

    def level_overlay(self, level: int) -> dict[str, Any]:
        """The overlay (dotted key -> value) of ``level`` in 0..levels; ``levels`` gives ``end`` itself.

        Raises:
            ValueError: ``level`` outside 0..levels.
        """
        if not (isinstance(level, int) and not isinstance(level, bool) and 0 <= level <= self.levels):
            raise ValueError(f"level must be an int in [0, {self.levels}] (got {level!r})")
        if level == self.levels:
            return dict(self.end)
        t = level / self.levels
        return {k: self._value(k, self.start[k], v, t, level) for k, v in self.end.items()}

    def _value(self, key: str, a: Any, b: Any, t: float, level: int) -> Any:
        if _is_number(a) and _is_number(b):
            v = _lerp(float(a), float(b), t)
            return int(round(v)) if key in self.int_keys else v
        if (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(_is_number(x) for x in a + b)):
            return [_lerp(float(x), float(y), t) for x, y in zip(a, b)]
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            full_b = {**a, **b}
            out = dict(full_b)
            for k in ("low", "high"):
                if _is_number(a.get(k)) and _is_number(full_b.get(k)):
                    out[k] = _lerp(float(a[k]), float(full_b[k]), t)
            return out
        return a if level == 0 else b

    def level_config(self, base: SimHopsConfig, level: int) -> SimHopsConfig:
        """``base`` with :meth:`level_overlay` applied (the training env config of ``level``).

        Raises:
            ConfigError: the level's overlay makes an invalid config (names the key).
            ValueError: ``level`` outside 0..levels.
        """
        return apply_condition(base, ConditionOverlay(name=f"train.curriculum level {level}/{self.levels}",
                                                      overrides=self.level_overlay(level)))
