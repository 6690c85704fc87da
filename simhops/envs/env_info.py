"""The ``info`` contract shared by :class:`WaypointsEnv` and :class:`SimHopsVectorEnv`.

Both envs report the same keys with the same types; the vector env holds them in
arrays of length N with Gymnasium's ``_key`` masks, the single env as Python scalars.

| key | single env | vector env | meaning |
|---|---|---|---|
| ``waypoints_reached`` | ``int`` | int64 (N,) | waypoints reached so far, in order |
| ``is_success`` | ``bool`` | bool (N,) | all waypoints reached |
| ``crash`` | ``int`` | int8 (N,) | crash code: 0 none, 1 ground (z < 0), 2 dome (\\|p\\| > dome radius), 3 non-finite state |
| ``episode_step`` | ``int`` | int64 (N,) | the time controller's iteration index (steps taken in this episode) |

Only at an episode's end, when histories are recorded: ``simulation_history``
(a :class:`~simhops.simulation.history.simulation_history.SimulationHistory`).
:func:`crash_name` maps a code to ``"none"``, ``"ground"``, ``"dome"``, ``"non_finite"``.
No wall-clock values (determinism).
"""

from __future__ import annotations

from typing import Any

from simhops.dynamics.kernels.layout import CRASH_DOME, CRASH_GROUND, CRASH_NAMES, CRASH_NONE, CRASH_NONFINITE

#: the keys of every step's info, in both envs
INFO_KEYS = ("waypoints_reached", "is_success", "crash", "episode_step")
#: crash cause name -> code
CRASH_CODES = {name: code for code, name in enumerate(CRASH_NAMES)}

__all__ = ["CRASH_CODES", "CRASH_DOME", "CRASH_GROUND", "CRASH_NAMES", "CRASH_NONE", "CRASH_NONFINITE", "INFO_KEYS",
           "crash_name", "step_info"]


def crash_name(code: int) -> str:
    """``"none"``, ``"ground"``, ``"dome"`` or ``"non_finite"`` for a crash code.

    Raises:
        ValueError: not a crash code (0..3).
    """
    if not 0 <= int(code) < len(CRASH_NAMES):
        raise ValueError(f"crash code must be in 0..{len(CRASH_NAMES) - 1} (got {code!r})")
    return CRASH_NAMES[int(code)]


def step_info(waypoints_reached: int, is_success: bool, crash: int, episode_step: int) -> dict[str, Any]:
    """One env's info dict (keys :data:`INFO_KEYS`, Python scalar types)."""
    return {"waypoints_reached": int(waypoints_reached), "is_success": bool(is_success), "crash": int(crash),
            "episode_step": int(episode_step)}
