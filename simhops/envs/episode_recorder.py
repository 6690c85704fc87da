"""EpisodeRecorder: per-env trajectories of a SimHopsVectorEnv, turned into SimulationHistory objects."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.vector.vector_env import AutoresetMode

from simhops.envs.agent_planner import AgentPlanner
from simhops.scenario.scenario import Scenario
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.history.simulation_history import SimulationHistory
from simhops.dynamics.kernels.layout import ACTION_MODES, STATE_DIM
from simhops.dynamics.kernels.physics import denormalize_action_one
from simhops.simulation.simulation_setup import SimulationSetup, build_simulation_setup
from simhops.dynamics.state.drone_state import DroneState


class EpisodeRecorder:
    """Records every sub-env's episode and emits the episode hooks.

    On each sub-env's episode start it calls ``callback.on_simulation_start(setup)``; on its
    end it builds the :class:`SimulationHistory`, calls ``callback.on_simulation_end(setup,
    planner, history)`` and puts the history into the step's infos
    (``final_info["simulation_history"]`` in SAME_STEP mode, ``simulation_history`` in NEXT_STEP).
    """

    def __init__(self, venv: Any, callback: AbstractCallback | None) -> None:
        self._venv = venv
        self._callback = callback
        n, t = venv.num_envs, venv.max_episode_steps + 1
        self._states = np.zeros((t, n, STATE_DIM))
        self._actions = np.full((t, n, 4), np.nan)
        self._active = np.zeros((t, n), dtype=np.int64)
        self._waypoints = np.zeros_like(venv.waypoints)
        self._episode = np.zeros(n, dtype=np.int64)
        self._setups: list[SimulationSetup | None] = [None] * n
        self._planner = AgentPlanner(venv.action_mode)
        self._initialized = False

    def _scenario(self, i: int) -> Scenario:
        sc = self._venv.config.scenario
        return Scenario(name=f"env{i:04d}_ep{self._episode[i]:06d}", waypoints=self._waypoints[i],
                        initial_state=DroneState.from_array(self._states[0, i]), time_step_s=1.0 / sc.control_hz,
                        duration_s=sc.duration_s, reach_radius_m=sc.reach_radius_m, dome_radius_m=sc.dome_radius_m)

    def _start(self, idx: np.ndarray) -> None:
        v = self._venv
        for i in idx:
            self._states[0, i] = v.states[i]
            self._active[0, i] = 0
            self._waypoints[i] = v.waypoints[i]
            self._episode[i] += 1
            if self._callback is not None:
                scenario = self._scenario(i)
                setup = build_simulation_setup(scenario, v.physics)
                if not self._initialized:
                    self._callback.on_initialization_start(setup)
                    self._initialized = True
                self._setups[i] = setup
                self._callback.on_simulation_start(setup)

    def on_reset(self, mask: np.ndarray) -> None:
        self._start(np.flatnonzero(mask))

    def on_step(self, before: np.ndarray, actions: np.ndarray, done: np.ndarray, infos: dict[str, Any]) -> None:
        v = self._venv
        same_step = v.autoreset_mode == AutoresetMode.SAME_STEP
        was_reset = v._reset_mask & ~done if not same_step else np.zeros_like(done)
        stepped = np.flatnonzero(~was_reset)
        rows = before[stepped]
        self._actions[rows, stepped] = actions[stepped]
        new_states = np.where(done[:, None], v.final_states, v.states) if same_step else v.states
        self._states[rows + 1, stepped] = new_states[stepped]
        self._active[rows + 1, stepped] = np.where(done, v._final_active, v.active)[stepped]
        finished = np.flatnonzero(done)
        if len(finished):
            histories = np.full(v.num_envs, None, dtype=object)
            for i in finished:
                histories[i] = self._finish(i, int(v._final_steps[i]), int(v._final_crash[i]))
            target = infos["final_info"] if same_step else infos
            target["simulation_history"] = histories
            target["_simulation_history"] = done.copy()
        self._start(np.flatnonzero(v._reset_mask))

    def _finish(self, i: int, steps: int, crash: int) -> SimulationHistory:
        v = self._venv
        scenario = self._scenario(i)
        t = steps + 1
        commands = np.full((t, 4), np.nan)
        mode = ACTION_MODES[v.action_mode]
        for k in range(steps):
            denormalize_action_one(self._actions[k, i], mode, v._phys, commands[k])
        modes = np.full(t, mode, dtype=np.int8)
        modes[-1] = -1
        crash_col = np.zeros(t, dtype=np.int8)
        crash_col[-1] = crash
        history = SimulationHistory.from_arrays(
            scenario, np.arange(t, dtype=np.int64) * scenario.time_step_us, self._states[:t, i].copy(), commands,
            modes, self._active[:t, i].copy(), crash_col)
        if self._callback is not None:
            setup = self._setups[i] or build_simulation_setup(scenario, v.physics)
            self._callback.on_simulation_end(setup, self._planner, history)
            self._setups[i] = None
        return history

    def close(self) -> None:
        if self._callback is not None and self._initialized:
            setup = next((s for s in self._setups if s is not None), None)
            self._callback.on_initialization_end(setup)
            self._initialized = False
