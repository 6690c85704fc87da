"""build_planner: the planners ``simhops eval --planner`` knows, by name."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from simhops.config import SimHopsConfig

from simhops.simulation.planner.abstract_planner import AbstractPlanner

#: --planner choices
PLANNER_KINDS = ("policy", "classical", "pd", "hover", "random", "raptor", "raptor-uncapped")


def build_planner(kind: str, model_path: str | Path | None = None, seed: int = 0, deterministic: bool = True,
                  device: str = "cpu", cfg=None) -> AbstractPlanner:
    """A planner by kind.

    | kind | planner |
    |---|---|
    | ``policy`` | :class:`PolicyPlanner` on ``model_path`` (SB3 ``model.zip``; action mode from ``cfg.env`` or the default config; one torch thread; ``seed`` seeds stochastic sampling per scenario) |
    | ``classical`` | :class:`CascadedPIDPlanner` (position -> velocity PI with anti-windup -> attitude -> rates) |
    | ``pd`` | :class:`WaypointPlanner` (the earlier PD position -> attitude loop, no integral action) |
    | ``hover`` | :class:`HoverPlanner` |
    | ``random`` | :class:`RandomPlanner` (``seed``) |
    | ``raptor`` | :class:`RaptorPlanner`, the pretrained RAPTOR foundation policy (``pip install 'simhops[raptor]'``), position error capped at 1 m; needs ``scenario.control_hz=100`` |
    | ``raptor-uncapped`` | the same without the position-error cap |

    Raises:
        ValueError: unknown kind, ``policy`` without ``model_path``, or ``raptor*`` with
            ``scenario.control_hz`` other than 100.
        FileNotFoundError: ``model_path`` does not exist.
    """
    if kind == "policy":
        if model_path is None:
            raise ValueError("--planner policy needs --model PATH (an SB3 model.zip)")
        if not Path(model_path).is_file():
            raise FileNotFoundError(f"policy model not found: {model_path}")
        from simhops.simulation.planner.policy_planner import PolicyPlanner

        mode = cfg.env.action_mode if cfg is not None else None
        return PolicyPlanner(model_path, deterministic=deterministic, device=device, action_mode=mode,
                             torch_threads=1, seed=seed)
    if kind == "classical":
        from simhops.simulation.planner.cascaded_pid_planner import CascadedPIDPlanner

        return CascadedPIDPlanner()
    if kind == "pd":
        from simhops.simulation.planner.waypoint_planner import WaypointPlanner

        return WaypointPlanner()
    if kind == "hover":
        from simhops.simulation.planner.hover_planner import HoverPlanner

        return HoverPlanner()
    if kind == "random":
        from simhops.simulation.planner.random_planner import RandomPlanner

        return RandomPlanner(seed=seed, command_mode=cfg.env.action_mode if cfg is not None else "ctbr")
    if kind in ("raptor", "raptor-uncapped"):
        from simhops.simulation.planner.raptor_planner import (DEFAULT_MAX_POSITION_ERROR_M, RAPTOR_CONTROL_HZ,
                                                               RaptorPlanner)

        hz = (cfg if cfg is not None else SimHopsConfig()).scenario.control_hz
        if hz != RAPTOR_CONTROL_HZ:
            raise ValueError(f"--planner {kind} flies the RAPTOR policy at its training rate of "
                             f"{RAPTOR_CONTROL_HZ:.0f} Hz: add the override scenario.control_hz={RAPTOR_CONTROL_HZ:.0f} "
                             f"(scenario.control_hz is {hz})")
        if importlib.util.find_spec("foundation_policy") is None:
            raise ValueError(f"--planner {kind} needs the foundation-policy package: pip install 'simhops[raptor]'")
        return RaptorPlanner(None if kind == "raptor-uncapped" else DEFAULT_MAX_POSITION_ERROR_M)
    raise ValueError(f"unknown planner {kind!r}; choose one of {list(PLANNER_KINDS)}")
