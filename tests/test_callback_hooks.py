"""The eight hooks of AbstractCallback (seed 000): exact order in the env, MultiCallback order and isolation."""

from __future__ import annotations

import numpy as np
import pytest

from simhops.envs.agent_planner import AgentPlanner
from simhops.simulation.callback import AbstractCallback, MultiCallback
from simhops.simulation.controller import DroneCommand
from simhops.simulation.history import SimulationHistory
from simhops.simulation.planner import PlannerInput
from simhops.simulation.simulation_setup import SimulationSetup

HOOKS = ("on_initialization_start", "on_initialization_end", "on_simulation_start", "on_simulation_end",
         "on_step_start", "on_step_end", "on_planner_start", "on_planner_end")
STEP = ["on_step_start", "on_planner_start", "on_planner_end", "on_step_end"]
SHORT = ["scenario.duration_s=0.1"]  # 6 iterations: 5 steps at 50 Hz


class RecordingCallback(AbstractCallback):
    """Appends ``name`` (or ``(tag, name)`` into a shared log) for every hook, and checks argument types."""

    def __init__(self, log: list | None = None, tag: str | None = None) -> None:
        self.log = [] if log is None else log
        self.tag = tag
        self.histories: list[SimulationHistory] = []
        self.planners = []

    def _rec(self, name: str) -> None:
        self.log.append(name if self.tag is None else (self.tag, name))

    def on_initialization_start(self, setup):
        assert isinstance(setup, SimulationSetup)
        self._rec("on_initialization_start")

    def on_initialization_end(self, setup):
        assert isinstance(setup, SimulationSetup)
        self._rec("on_initialization_end")

    def on_simulation_start(self, setup):
        assert isinstance(setup, SimulationSetup)
        self._rec("on_simulation_start")

    def on_simulation_end(self, setup, planner, history):
        assert isinstance(history, SimulationHistory)
        self.histories.append(history)
        self.planners.append(planner)
        self._rec("on_simulation_end")

    def on_step_start(self, setup, planner_input):
        assert isinstance(planner_input, PlannerInput)
        self._rec("on_step_start")

    def on_step_end(self, setup, planner_input, planner_output):
        assert isinstance(planner_input, PlannerInput) and isinstance(planner_output, DroneCommand)
        self._rec("on_step_end")

    def on_planner_start(self, setup, planner_input):
        assert isinstance(planner_input, PlannerInput)
        self._rec("on_planner_start")

    def on_planner_end(self, setup, planner_input, planner_output):
        assert isinstance(planner_output, DroneCommand)
        self._rec("on_planner_end")


class RaisingCallback(AbstractCallback):
    def on_step_start(self, setup, planner_input):
        raise RuntimeError("boom in on_step_start")

    def on_simulation_start(self, setup):
        raise RuntimeError("boom in on_simulation_start")


def _run_episode(env, action, seed=0) -> int:
    env.reset(seed=seed)
    steps = 0
    while True:
        _, _, terminated, truncated, _ = env.step(action)
        steps += 1
        if terminated or truncated:
            return steps


# ----------------------------------------------------------------------------- order in the env


def test_exact_hook_order_of_one_episode(make_env, hover_action):
    rec = RecordingCallback()
    env = make_env(overrides=SHORT, callback=rec)
    steps = _run_episode(env, hover_action)
    assert steps == 5
    assert rec.log == ["on_initialization_start", "on_simulation_start"] + STEP * steps + ["on_simulation_end"]
    env.close()
    assert rec.log == (["on_initialization_start", "on_simulation_start"] + STEP * steps
                       + ["on_simulation_end", "on_initialization_end"])
    # on_simulation_end got the whole episode
    assert len(rec.histories) == 1 and len(rec.histories[0]) == steps
    assert rec.histories[0].n_rows == steps + 1
    assert isinstance(rec.planners[0], AgentPlanner)


def test_hook_order_over_two_episodes_and_an_interrupted_one(make_env, hover_action):
    rec = RecordingCallback()
    env = make_env(overrides=SHORT, callback=rec)
    _run_episode(env, hover_action, seed=1)
    _run_episode(env, hover_action, seed=2)
    env.reset(seed=3)
    env.step(hover_action)
    env.reset(seed=4)  # the interrupted episode is closed before the next one starts
    env.close()
    episode = ["on_simulation_start"] + STEP * 5 + ["on_simulation_end"]
    interrupted = ["on_simulation_start"] + STEP + ["on_simulation_end"]
    expected = (["on_initialization_start"] + episode + episode + interrupted
                + ["on_simulation_start", "on_simulation_end", "on_initialization_end"])
    assert rec.log == expected
    assert rec.log.count("on_initialization_start") == 1


def test_crash_episode_ends_with_on_simulation_end(make_env):
    rec = RecordingCallback()
    env = make_env(overrides=["scenario.duration_s=2.0"], callback=rec)
    steps = _run_episode(env, np.array([-1.0, 0.0, 0.0, 0.0], dtype=np.float32))  # zero thrust
    assert steps < 100
    assert rec.log[-1] == "on_simulation_end"
    assert rec.histories[0].last_observation.crash_cause == "ground"


def test_callbacks_do_not_change_the_simulation(make_env):
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, size=(30, 4)).astype(np.float32)
    trajectories = []
    for callback in (None, MultiCallback([RecordingCallback(), RecordingCallback()])):
        env = make_env(overrides=["scenario.duration_s=1.0"], callback=callback)
        obs, _ = env.reset(seed=11)
        rows = [obs]
        for a in actions:
            obs, reward, terminated, truncated, _ = env.step(a)
            rows.append(np.append(obs, reward))
            if terminated or truncated:
                break
        trajectories.append(rows)
    assert len(trajectories[0]) == len(trajectories[1])
    for a, b in zip(*trajectories):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- MultiCallback


def test_multi_callback_preserves_order(make_env, hover_action):
    log: list = []
    multi = MultiCallback([RecordingCallback(log, "a"), RecordingCallback(log, "b"), RecordingCallback(log, "c")])
    assert [cb.tag for cb in multi.callbacks] == ["a", "b", "c"]
    env = make_env(overrides=SHORT, callback=multi)
    steps = _run_episode(env, hover_action)
    env.close()
    hooks = (["on_initialization_start", "on_simulation_start"] + STEP * steps
             + ["on_simulation_end", "on_initialization_end"])
    assert log == [(tag, hook) for hook in hooks for tag in ("a", "b", "c")]


def test_multi_callback_isolates_exceptions(make_env, hover_action):
    log: list = []
    multi = MultiCallback([RecordingCallback(log, "first"), RaisingCallback(), RecordingCallback(log, "last")],
                          isolate_exceptions=True)
    env = make_env(overrides=SHORT, callback=multi)
    steps = _run_episode(env, hover_action)  # the episode runs despite the raising callback
    env.close()
    assert steps == 5
    for tag in ("first", "last"):
        assert [h for t, h in log if t == tag] == (["on_initialization_start", "on_simulation_start"] + STEP * steps
                                                   + ["on_simulation_end", "on_initialization_end"])
    hooks = [hook for _, hook, _ in multi.errors]
    assert hooks == ["on_simulation_start"] + ["on_step_start"] * steps
    name, hook, err = multi.errors[0]
    assert name == "RaisingCallback" and "boom in on_simulation_start" in err


class LogCallback(AbstractCallback):
    """Logs (tag, hook) without looking at the arguments."""

    def __init__(self, log: list, tag: str) -> None:
        self.log, self.tag = log, tag

    def on_step_start(self, setup, planner_input):
        self.log.append((self.tag, "on_step_start"))

    def on_simulation_start(self, setup):
        self.log.append((self.tag, "on_simulation_start"))


def test_multi_callback_raises_without_isolation():
    log: list = []
    multi = MultiCallback([LogCallback(log, "first"), RaisingCallback(), LogCallback(log, "last")])
    assert multi.isolate_exceptions is False
    with pytest.raises(RuntimeError, match="boom in on_step_start"):
        multi.on_step_start(None, None)
    assert log == [("first", "on_step_start")]  # stopped at the raising callback
    assert multi.errors == []
    isolated = MultiCallback([LogCallback(log, "first"), RaisingCallback(), LogCallback(log, "last")],
                             isolate_exceptions=True)
    log.clear()
    isolated.on_step_start(None, None)
    assert log == [("first", "on_step_start"), ("last", "on_step_start")]
    assert isolated.errors == [("RaisingCallback", "on_step_start", repr(RuntimeError("boom in on_step_start")))]


def test_multi_callback_raises_through_the_env(make_env, hover_action):
    log: list = []
    multi = MultiCallback([RecordingCallback(log, "first"), RaisingCallback(), RecordingCallback(log, "last")])
    env = make_env(overrides=SHORT, callback=multi)
    with pytest.raises(RuntimeError, match="boom in on_simulation_start"):
        env.reset(seed=0)
    assert ("first", "on_simulation_start") in log and ("last", "on_simulation_start") not in log


def test_multi_callback_rejects_non_callbacks():
    with pytest.raises(TypeError, match=r"callbacks\[1\]"):
        MultiCallback([AbstractCallback(), object()])  # type: ignore[list-item]


def test_abstract_callback_hooks_are_no_ops():
    cb = AbstractCallback()
    for hook in HOOKS:
        assert hasattr(cb, hook)
    assert cb.on_simulation_end(None, None, None) is None
    assert cb.on_step_end(None, None, None) is None


def test_close_twice_fires_no_hooks_again(make_env, hover_action):
    rec = RecordingCallback()
    env = make_env(overrides=SHORT, callback=rec)
    env.reset(seed=0)
    env.step(hover_action)
    env.close()
    n = len(rec.log)
    assert rec.log[-2:] == ["on_simulation_end", "on_initialization_end"]
    env.unwrapped.close()
    assert len(rec.log) == n


def test_invalid_action_fires_no_step_hooks(make_env, hover_action):
    """A rejected action (NaN) is not a step: no hook may fire, so start/end hooks stay paired.

    Today ``WaypointsEnv.step`` calls ``on_step_start`` and ``on_planner_start`` before it
    validates the action; the ValueError then leaves both without their ``*_end`` partner,
    and a timing/metric callback that pairs them sees two ``on_step_start`` in a row on the
    next valid step.
    """
    rec = RecordingCallback()
    env = make_env(overrides=SHORT, callback=rec)
    env.reset(seed=0)
    before = list(rec.log)
    bad = hover_action.copy()
    bad[0] = np.nan
    with pytest.raises(ValueError, match="action"):
        env.step(bad)
    assert rec.log == before, f"hooks fired for a rejected action: {rec.log[len(before):]}"
    env.step(hover_action)
    assert rec.log[len(before):] == STEP
