"""WaypointsEnv keeps the 8 callback hooks paired when a callback raises (issue 11 §2)."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.error import ResetNeeded

from simhops.envs.waypoints_env import WaypointsEnv
from simhops.simulation.callback.abstract_callback import AbstractCallback

HOOKS = ("on_initialization_start", "on_initialization_end", "on_simulation_start", "on_simulation_end",
         "on_step_start", "on_step_end", "on_planner_start", "on_planner_end")
PAIRS = {"on_initialization_end": "on_initialization_start", "on_simulation_end": "on_simulation_start",
         "on_step_end": "on_step_start", "on_planner_end": "on_planner_start"}
HOVER = np.array([2.0 / 2.25 - 1.0, 0.0, 0.0, 0.0], dtype=np.float32)


class Boom(RuntimeError):
    pass


class StrictCallback(AbstractCallback):
    """Records every hook; counts pairing violations (a start while open, an end while closed);
    raises ``Boom`` from hook ``raise_in`` on its ``raise_at``-th call only."""

    def __init__(self, raise_in: str, raise_at: int = 1) -> None:
        self.raise_in, self.raise_at = raise_in, raise_at
        self.calls = {h: 0 for h in HOOKS}
        self.open = {s: False for s in PAIRS.values()}
        self.violations: list[str] = []
        self.raised = 0

    def _hook(self, name: str) -> None:
        self.calls[name] += 1
        if name in self.open:
            if self.open[name]:
                self.violations.append(f"{name} called twice without its end hook")
            self.open[name] = True
        else:
            start = PAIRS[name]
            if not self.open[start]:
                self.violations.append(f"{name} without {start}")
            self.open[start] = False
        if name == self.raise_in and self.calls[name] == self.raise_at:
            self.raised += 1
            raise Boom(name)

    def on_initialization_start(self, setup):
        self._hook("on_initialization_start")

    def on_initialization_end(self, setup):
        self._hook("on_initialization_end")

    def on_simulation_start(self, setup):
        self._hook("on_simulation_start")

    def on_simulation_end(self, setup, planner, history):
        self._hook("on_simulation_end")

    def on_step_start(self, setup, planner_input):
        self._hook("on_step_start")

    def on_step_end(self, setup, planner_input, planner_output):
        self._hook("on_step_end")

    def on_planner_start(self, setup, planner_input):
        self._hook("on_planner_start")

    def on_planner_end(self, setup, planner_input, planner_output):
        self._hook("on_planner_end")


def _call(fn, *args, **kwargs):
    """Call; return (result, raised Boom?)."""
    try:
        return fn(*args, **kwargs), False
    except Boom:
        return None, True


def _episode(env: WaypointsEnv, seed: int | None) -> bool:
    """reset, then hover steps until the episode ends (or the env asks for a reset); True if a Boom was raised."""
    _, boom = _call(env.reset, seed=seed)
    for _ in range(20):
        try:
            res, b = _call(env.step, HOVER)
        except ResetNeeded:
            break
        boom |= b
        if res is not None and (res[2] or res[3]):
            break
    return boom


@pytest.mark.parametrize("hook", HOOKS)
def test_a_raising_hook_leaves_the_env_usable(hook):
    cb = StrictCallback(hook)
    env = WaypointsEnv(overrides=["scenario.duration_s=0.1"], callback=cb)  # 5 steps per episode
    booms = 0
    for seed in (0, None):  # the raise happens in the first episode (or in close for on_initialization_end)
        booms += _episode(env, seed)
    # after the failure: a full clean episode, with every step and the right truncation
    obs, info = env.reset(seed=1)
    assert info["episode_step"] == 0 and obs.shape == env.observation_space.shape
    for k in range(1, 6):
        _, _, terminated, truncated, info = env.step(HOVER)
        assert info["episode_step"] == k and not terminated
    assert truncated
    with pytest.raises(ResetNeeded):
        env.step(HOVER)
    _, boom = _call(env.close)
    booms += boom
    assert booms == 1 and cb.raised == 1, f"{hook}: raised {cb.raised} times, seen {booms}"
    assert cb.violations == [], cb.violations
    assert not any(cb.open.values()), f"hooks left open: {cb.open}"  # every start got its end
    assert cb.calls["on_initialization_start"] == cb.calls["on_initialization_end"] == 1
    assert cb.calls["on_simulation_start"] == cb.calls["on_simulation_end"] >= 2


@pytest.mark.parametrize("hook", ["on_step_start", "on_planner_start", "on_planner_end"])
def test_a_step_whose_hook_raised_before_propagate_did_not_happen(hook):
    cb = StrictCallback(hook)
    env = WaypointsEnv(overrides=["scenario.duration_s=0.1"], callback=cb)
    env.reset(seed=0)
    before = env.drone_state.array.copy()
    with pytest.raises(Boom):
        env.step(HOVER)
    np.testing.assert_array_equal(env.drone_state.array, before)
    assert env.step(HOVER)[4]["episode_step"] == 1  # the retried step is the first one


def test_a_step_whose_on_step_end_raised_did_happen():
    cb = StrictCallback("on_step_end")
    env = WaypointsEnv(overrides=["scenario.duration_s=0.1"], callback=cb)
    env.reset(seed=0)
    with pytest.raises(Boom):
        env.step(HOVER)
    assert env.step(HOVER)[4]["episode_step"] == 2
