"""Checks ``simhops eval`` runs before any scenario: every problem names the argument (exit status 2)."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path
from typing import Any

from simhops.dynamics.kernels.layout import OBS_BASE_DIM


class ArgumentError(ValueError):
    """A command-line argument is unusable; ``argument`` names it (e.g. ``"--model"``)."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"argument {argument}: {message}")
        self.argument = argument


_DEVICE = re.compile(r"^(cpu|cuda(:\d+)?|mps|auto)$")


def check_device(device: str, needs_torch: bool) -> None:
    """``--device``: ``cpu``, ``cuda[:N]``, ``mps`` or ``auto``; a CUDA/MPS device must exist when torch is used.

    Raises:
        ArgumentError: unknown device, or one this machine does not have.
    """
    if not _DEVICE.match(device or ""):
        raise ArgumentError("--device", f"unknown torch device {device!r}; use cpu, cuda, cuda:N, mps or auto")
    if not needs_torch or device in ("cpu", "auto"):
        return
    import torch

    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ArgumentError("--device", f"{device!r} requested but CUDA is not available here")
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise ArgumentError("--device", f"{device!r}: only {torch.cuda.device_count()} CUDA device(s)")
    elif device == "mps" and not torch.backends.mps.is_available():
        raise ArgumentError("--device", "'mps' requested but MPS is not available here")


def check_seed(seed: int) -> None:
    """``--seed`` must be in [0, 2**32 - 1] (numpy's seed range)."""
    if not 0 <= seed <= 2**32 - 1:
        raise ArgumentError("--seed", f"must be in [0, 2**32 - 1] (got {seed})")


def check_positive(argument: str, value: float | None, integer: bool = False) -> None:
    """``value`` is None or a finite number > 0 (>= 1 for integers)."""
    if value is None:
        return
    if integer and value < 1:
        raise ArgumentError(argument, f"must be >= 1 (got {value})")
    if not (math.isfinite(value) and value > 0):
        raise ArgumentError(argument, f"must be a finite number > 0 (got {value})")


def expected_observation_shape(cfg: Any) -> tuple[int]:
    """The env's flat observation shape for ``cfg.env.n_obs_waypoints``: ``(3 n + 20,)``."""
    return (3 * cfg.env.n_obs_waypoints + OBS_BASE_DIM,)


def check_model(model_path: Path, cfg: Any, device: str = "cpu") -> dict[str, Any]:
    """``--model``: a readable Stable-Baselines3 ``model.zip`` whose spaces match the env of ``cfg``.

    Loads the model once (PPO) and compares its observation space with
    :func:`expected_observation_shape` and its action space with the 4 normalized
    commands in [-1, 1].

    Returns:
        ``{"observation_shape": [...], "action_shape": [...], "policy_class": str}``.

    Raises:
        ArgumentError: missing file, a folder, not an SB3 model, or spaces that differ.
    """
    path = Path(model_path)
    if not path.exists():
        raise ArgumentError("--model", f"model file not found: {path}")
    if not path.is_file():
        raise ArgumentError("--model", f"{path} is not a file")
    if not zipfile.is_zipfile(path):
        raise ArgumentError("--model", f"{path} is not a Stable-Baselines3 model (not a zip archive)")
    with zipfile.ZipFile(path) as zf:
        if "data" not in zf.namelist():
            raise ArgumentError("--model", f"{path} is not a Stable-Baselines3 model (no 'data' entry in the zip)")
    try:
        from stable_baselines3 import PPO

        model = PPO.load(str(path), device="cpu")
    except Exception as exc:  # noqa: BLE001 - any loading failure means "not a usable SB3 PPO model"
        raise ArgumentError("--model", f"{path} is not a loadable Stable-Baselines3 PPO model "
                                       f"({type(exc).__name__}: {exc})") from exc
    obs_shape = tuple(getattr(model.observation_space, "shape", ()) or ())
    act_shape = tuple(getattr(model.action_space, "shape", ()) or ())
    want = expected_observation_shape(cfg)
    if obs_shape != want:
        raise ArgumentError("--model", f"{path} observes shape {obs_shape} but the env gives {want} "
                                       f"(env.n_obs_waypoints={cfg.env.n_obs_waypoints}); evaluate it with the "
                                       "config it was trained with")
    if act_shape != (4,):
        raise ArgumentError("--model", f"{path} has action shape {act_shape}, the env takes (4,)")
    low, high = getattr(model.action_space, "low", None), getattr(model.action_space, "high", None)
    if low is None or high is None or float(low.min()) != -1.0 or float(high.max()) != 1.0:
        raise ArgumentError("--model", f"{path} has action bounds [{low}, {high}], the env takes [-1, 1]")
    return {"observation_shape": list(obs_shape), "action_shape": list(act_shape),
            "policy_class": type(model.policy).__name__}


#: config keys that must agree between a policy's training config and the evaluation
FLIGHT_KEYS = ("env", "physics", "scenario.control_hz")


def _flat(d: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(d, dict):
        out: dict[str, Any] = {}
        for k, v in d.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: d}


def flight_settings(cfg: Any) -> dict[str, Any]:
    """The :data:`FLIGHT_KEYS` of ``cfg`` as ``{dotted key: value}``."""
    full = _flat(cfg.model_dump())
    return {k: v for k, v in full.items() if any(k == f or k.startswith(f + ".") for f in FLIGHT_KEYS)}


def config_mismatch(model_cfg: Any, cfg: Any) -> list[str]:
    """``["env.action_mode: model ctbr, --config motor", ...]`` for every flight key that differs."""
    a, b = flight_settings(model_cfg), flight_settings(cfg)
    return [f"{k}: model {a.get(k)!r}, evaluation {b.get(k)!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
