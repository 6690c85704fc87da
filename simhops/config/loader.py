"""Load, override, validate and save SimHops configs.

* ``load_config(path, overrides)`` reads YAML (default: the packaged
  ``cfg_default.yaml``), applies ``dotted.key=value`` overrides (values parsed
  with ``yaml.safe_load``) and validates against :class:`SimHopsConfig`.
  Keys missing from the YAML take the schema defaults.
* Every problem raises :class:`ConfigError` whose message names the full
  dotted key and the allowed range / values / reason, or the file: not
  readable, not UTF-8, not YAML, a duplicate key (named with its line).
* Integer keys accept numeric strings that are exact integers (YAML reads
  ``1e6`` as a string): ``train.total_timesteps=1e6`` is 1000000.
* Cross-field checks live in the schema: start position, altitudes and
  ``hop_min_m`` against the dome, and the memory a training run's buffers
  need against the memory available (:mod:`simhops.config.memory`).
* ``save_config(cfg, path)`` writes the resolved config atomically.
"""

from __future__ import annotations

import decimal
import difflib
import inspect
import math
import re
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simhops.config.schema import SimHopsConfig
from simhops.io.atomic import atomic_write_text

_BOUND_OPS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


class ConfigError(ValueError):
    """Invalid configuration file, override or value."""


def default_config_path() -> Path:
    """Path of the ``cfg_default.yaml`` shipped inside the package."""
    return Path(__file__).with_name("cfg_default.yaml")


# --------------------------------------------------------------------------- schema walking


def _section(model: type[BaseModel] | None, name: str) -> type[BaseModel] | None:
    """The nested model class of field ``name`` of ``model`` (None if a leaf)."""
    ann = model.model_fields[name].annotation if model else None
    return ann if inspect.isclass(ann) and issubclass(ann, BaseModel) else None


def _unknown_key(key: str, model: type[BaseModel]) -> str:
    """Message for an unknown dotted ``key`` whose parent section is ``model``."""
    prefix, _, name = key.rpartition(".")
    fields = list(model.model_fields)
    close = difflib.get_close_matches(name, fields, n=3, cutoff=0.6)
    full = [f"{prefix}.{f}" if prefix else f for f in close]
    hint = f"did you mean {' or '.join(map(repr, full))}?" if full else f"valid keys: {', '.join(fields)}"
    return f"{key}: unknown key; {hint}"


def _check_key(parts: Sequence[str]) -> None:
    """Raise ConfigError unless ``parts`` is an existing key of the schema."""
    model: type[BaseModel] | None = SimHopsConfig
    for i, part in enumerate(parts):
        key = ".".join(parts[: i + 1])
        if model is None:
            raise ConfigError(f"{key}: unknown key; '{'.'.join(parts[:i])}' is a value, not a section")
        if part not in model.model_fields:
            raise ConfigError(_unknown_key(key, model))
        model = _section(model, part)


def _field_range(loc: Sequence[str | int]) -> str:
    """Human-readable full range of the field at ``loc`` ("" if unknown)."""
    model: type[BaseModel] | None = SimHopsConfig
    for part in loc[:-1]:
        if not isinstance(part, str) or model is None or part not in model.model_fields:
            return ""
        model = _section(model, part)
    if model is None or not isinstance(loc[-1], str) or loc[-1] not in model.model_fields:
        return ""
    bounds = []
    for meta in model.model_fields[loc[-1]].metadata:
        for attr, op in _BOUND_OPS.items():
            if getattr(meta, attr, None) is not None:
                bounds.append(f"{op} {getattr(meta, attr)}")
    return f" [allowed: {', '.join(bounds)}]" if len(bounds) > 1 else ""


# --------------------------------------------------------------------------- errors


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _format_error(err: Mapping[str, Any]) -> str:
    loc, kind, ctx = err["loc"], err["type"], err.get("ctx") or {}
    key = _dotted(loc) or "<root>"
    got = f"(got {err['input']!r})"
    if kind == "extra_forbidden":
        model: type[BaseModel] = SimHopsConfig
        for part in loc[:-1]:
            model = _section(model, part) or model
        return _unknown_key(key, model)
    bound = next((attr for attr in _BOUND_OPS if attr in ctx), None)
    if bound is not None:  # range error: ge / gt / le / lt
        return f"{key}: must be {_BOUND_OPS[bound]} {ctx[bound]} {got}{_field_range(loc)}"
    if kind == "literal_error":
        return f"{key}: must be one of {ctx.get('expected')} {got}"
    if kind == "value_error":  # cross-field check; message may start with "<field>: "
        msg = str(err["msg"]).removeprefix("Value error, ")
        if not loc:  # top-level check: its message starts with the dotted keys it concerns
            return msg
        return f"{key}.{msg}" if re.match(r"\w+: ", msg) else f"{key}: {msg}"
    return f"{key}: {err['msg']} {got}"


def _from_validation_error(exc: ValidationError, source: str) -> ConfigError:
    lines = "\n".join(f"  {_format_error(e)}" for e in exc.errors())
    return ConfigError(f"invalid config ({source}):\n{lines}")


# --------------------------------------------------------------------------- overrides


def parse_overrides(overrides: Sequence[str]) -> dict[str, Any]:
    """Turn ``["train.n_envs=8", "env.max_body_rate_rad_s=[4,4,2]"]`` into a nested dict.

    Values are parsed with ``yaml.safe_load``.  Keys are checked against the
    schema, so malformed entries and unknown keys raise :class:`ConfigError`.
    """
    if isinstance(overrides, str):
        overrides = [overrides]
    nested: dict[str, Any] = {}
    for item in overrides:
        key, sep, raw = item.partition("=")
        key = key.strip()
        parts = key.split(".")
        if not sep or not all(parts):
            raise ConfigError(f"malformed override {item!r}: expected 'dotted.key=value', e.g. 'train.n_envs=8'")
        try:
            _check_key(parts)
        except ConfigError as exc:
            raise ConfigError(f"{exc} (in override {item!r})") from None
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{key}: cannot parse override value {raw!r}: {exc}") from exc
        node = nested
        for i, part in enumerate(parts[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{key}: conflicts with override of '{'.'.join(parts[: i + 1])}'")
        node[parts[-1]] = value
    return nested


def _deep_merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated key by key with ``update``; a non-empty mapping merges into a mapping, an empty
    one replaces it (so ``train.env_overlay={}`` clears the overlay)."""
    out = dict(base)
    for k, v in update.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, Mapping) and v and isinstance(out.get(k), dict) else v
    return out


# --------------------------------------------------------------------------- load / save


def _check_duplicate_keys(node: yaml.Node | None, path: str = "") -> None:
    """Raise ConfigError for a mapping holding the same key twice (PyYAML would keep the last one silently)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            dotted = f"{path}.{key}" if path else str(key)
            if key is not None:
                if key in seen:
                    raise ConfigError(f"duplicate key '{dotted}' (line {key_node.start_mark.line + 1}, first on line "
                                      f"{seen[key].start_mark.line + 1})")
                seen[key] = key_node
            _check_duplicate_keys(value_node, dotted)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(item, f"{path}[{i}]")


def read_yaml(path: str | Path) -> Any:
    """Parse the YAML file ``path`` (UTF-8, no duplicate keys).

    Raises:
        ConfigError: unreadable, not UTF-8, not YAML, or a duplicate key (the message names the file and key).
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path} is not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    try:
        _check_duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader))
        return yaml.safe_load(text)
    except ConfigError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None


def _int_annotation(annotation: Any) -> tuple[bool, bool]:
    """(is int, is list of int) for a field annotation (``Annotated`` metadata ignored)."""
    if annotation is int:
        return True, False
    if typing.get_origin(annotation) is typing.Annotated:
        return _int_annotation(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is list:
        args = typing.get_args(annotation)
        return False, bool(args) and _int_annotation(args[0])[0]
    return False, False


def _exact_int(value: Any) -> Any:
    """``"1e6"`` -> ``1000000``: a numeric string that is an exact integer; anything else unchanged."""
    if isinstance(value, str):
        try:
            f = float(value.strip().replace("_", ""))
        except ValueError:
            return value
        if math.isfinite(f) and f.is_integer():
            exact = int(f)
            # 1e30 is not exactly representable: accept only what round-trips through the decimal text
            try:
                if decimal.Decimal(value.strip().replace("_", "")) == exact:
                    return exact
            except decimal.InvalidOperation:
                return value
    return value


def _coerce_int_strings(data: Any, model: type[BaseModel]) -> Any:
    """Turn numeric strings of integer fields (YAML reads ``1e6`` as a string) into ints where exact."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for name, value in data.items():
        field = model.model_fields.get(name) if isinstance(name, str) else None
        if field is None:
            continue
        sub = _section(model, name)
        if sub is not None:
            out[name] = _coerce_int_strings(value, sub)
            continue
        is_int, is_int_list = _int_annotation(field.annotation)
        if is_int:
            out[name] = _exact_int(value)
        elif is_int_list and isinstance(value, list):
            out[name] = [_exact_int(v) for v in value]
    return out


def load_config(path: str | Path | None = None, overrides: Sequence[str] = ()) -> SimHopsConfig:
    """Read YAML at ``path`` (default: :func:`default_config_path`), apply overrides, validate.

    Integer keys accept numeric strings that are exact integers (``train.total_timesteps=1e6``).

    Raises:
        ConfigError: unreadable / non-UTF-8 / non-YAML file or a duplicate key (naming the file),
            an unknown key or a bad value (naming the dotted key and the allowed range).
    """
    path = Path(path) if path is not None else default_config_path()
    data = read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    data = _deep_merge(data, parse_overrides(overrides))
    data = _coerce_int_strings(data, SimHopsConfig)
    try:
        return SimHopsConfig.model_validate(data)
    except ValidationError as exc:
        source = f"{path}" + (f" + overrides {list(overrides)}" if overrides else "")
        raise _from_validation_error(exc, source) from None


def save_config(cfg: SimHopsConfig, path: str | Path) -> Path:
    """Write ``cfg`` as YAML to ``path`` atomically (temp file + ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False, default_flow_style=None)
    atomic_write_text(path, text)
    return path
