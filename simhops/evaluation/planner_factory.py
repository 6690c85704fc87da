"""build_planner: the planners ``simhops eval --planner`` knows, by name."""

from __future__ import annotations

from pathlib import Path

from simhops.simulation.planner.abstract_planner import AbstractPlanner

#: --planner choices
PLANNER_KINDS = ("policy", "classical", "pd", "hover", "random")


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

    Raises:
        ValueError: unknown kind, or ``policy`` without ``model_path``.
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
    raise ValueError(f"unknown planner {kind!r}; choose one of {list(PLANNER_KINDS)}")
