"""Objects from configuration: ``{"target": "pkg.module.Class", "args": {...}}`` -> ``Class(**args)``.

Used for user callbacks in training (``callbacks.simulation_callbacks``, ``callbacks.sb3_callbacks``)
and available to evaluation. Built-in short names map to import paths (:data:`BUILTIN_SIMULATION_CALLBACKS`),
so this module imports nothing of simhops above the config layer.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from simhops.config.loader import ConfigError
from simhops.config.schema import CallbackSpec

__all__ = ["BUILTIN_SIMULATION_CALLBACKS", "resolve_target", "instantiate_target", "instantiate_callbacks"]

#: short names accepted in ``callbacks.simulation_callbacks`` -> import path
BUILTIN_SIMULATION_CALLBACKS: dict[str, str] = {
    "metric": "simhops.simulation.callback.metric_callback.MetricCallback",
    "timing": "simhops.simulation.callback.timing_callback.TimingCallback",
}


def resolve_target(target: str, key: str) -> Any:
    """Import ``package.module.attr`` (the longest importable module prefix, then attributes).

    Raises:
        ConfigError: not importable / no such attribute; the message names ``key`` and ``target``.
    """
    parts = target.split(".")
    last_exc: Exception | None = None
    for i in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:i])
        try:
            obj: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and not module_name.startswith(exc.name) and exc.name != module_name:
                raise ConfigError(f"{key}: importing {module_name!r} for target {target!r} failed: {exc}") from exc
            last_exc = exc
            continue
        except Exception as exc:  # the module exists but raises on import
            raise ConfigError(f"{key}: importing {module_name!r} for target {target!r} failed: "
                              f"{type(exc).__name__}: {exc}") from exc
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError as exc:
            raise ConfigError(f"{key}: module {module_name!r} has no attribute {'.'.join(parts[i:])!r} "
                              f"(target {target!r})") from exc
        return obj
    raise ConfigError(f"{key}: cannot import target {target!r} ({last_exc})")


def instantiate_target(spec: CallbackSpec | Mapping[str, Any], key: str, base: type | None = None) -> Any:
    """``target(**args)`` of ``spec``; with ``base`` the result must be an instance of it.

    Raises:
        ConfigError: bad spec, import failure, the call raising (wrong ``args``) or a result of the
            wrong type; the message names ``key``.
    """
    if not isinstance(spec, CallbackSpec):
        try:
            spec = CallbackSpec.model_validate(dict(spec))
        except Exception as exc:
            raise ConfigError(f"{key}: invalid callback entry {spec!r}: {exc}") from exc
    factory = resolve_target(spec.target, key)
    if not callable(factory):
        raise ConfigError(f"{key}: target {spec.target!r} is not callable")
    try:
        obj = factory(**spec.args)
    except Exception as exc:
        raise ConfigError(f"{key}: {spec.target}(**{spec.args!r}) raised {type(exc).__name__}: {exc}") from exc
    if base is not None and not isinstance(obj, base):
        raise ConfigError(f"{key}: target {spec.target!r} built a {type(obj).__name__}, "
                          f"expected a {base.__module__}.{base.__qualname__}")
    return obj


def instantiate_callbacks(entries: list[str | CallbackSpec | Mapping[str, Any]], key: str,
                          base: type | None = None, builtins: Mapping[str, str] | None = None,
                          builtin_args: Mapping[str, Mapping[str, Any]] | None = None) -> list[Any]:
    """Build every entry of a callback list (``key`` is its dotted config key, e.g. ``callbacks.sb3_callbacks``).

    A string entry is a built-in short name (``builtins``: name -> import path; ``builtin_args``: name ->
    default keyword arguments); a mapping / :class:`CallbackSpec` is a ``{target, args}`` entry.

    Raises:
        ConfigError: naming ``key[i]`` of the failing entry.
    """
    out = []
    for i, entry in enumerate(entries):
        k = f"{key}[{i}]"
        if isinstance(entry, str):
            if not builtins or entry not in builtins:
                raise ConfigError(f"{k}: unknown callback name {entry!r}; use one of {sorted(builtins or {})} "
                                  f"or {{target: pkg.module.Class, args: {{...}}}}")
            entry = CallbackSpec(target=builtins[entry], args=dict((builtin_args or {}).get(entry, {})))
        out.append(instantiate_target(entry, k, base))
    return out
