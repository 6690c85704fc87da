"""EpisodeRecorder: per-sub-env trajectories of a batched env, turned into SimulationHistory objects."""

from __future__ import annotations

import numpy as np

from simhops.dynamics.kernels.layout import ACTION_MODES, STATE_DIM
from simhops.dynamics.kernels.physics import denormalize_action_one
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.dynamics.state.drone_state import DroneState
from simhops.envs.agent_planner import AgentPlanner
from simhops.envs.vector_step_record import VectorStepRecord
from simhops.scenario.scenario import Scenario
from simhops.scenario.scenario_builder import ScenarioBuilder, random_scenario_name
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.history.simulation_history import SimulationHistory
from simhops.simulation.simulation_setup import SimulationSetup, build_simulation_setup


class EpisodeRecorder:
    """Records every sub-env's episode from :class:`VectorStepRecord` s and emits the episode hooks.

    On a sub-env's episode start it calls ``callback.on_simulation_start(setup)``; on its end it
    builds the :class:`SimulationHistory` (the scenario through ``builder.build``, named like the
    single env's ``random_<course rng>``) and calls ``callback.on_simulation_end(setup, planner,
    history)``. :meth:`on_step` returns the finished histories for the env to put into its infos.

    Args:
        builder: makes the episodes' scenarios (the env's config).
        physics: the env's physics (controller of the callbacks' setups, command denormalization).
        action_mode: ``"ctbr"`` or ``"motor"``.
        num_envs: N.
        callback: receives ``on_initialization_start`` (first episode start), ``on_simulation_start/end``
            and ``on_initialization_end`` (:meth:`close`), or None.

    The histories carry the wind that acted in each step and the episode's true plant
    (:attr:`SimulationHistory.plant_params`) when the records have them (``wind``,
    ``start_wind``, ``plant_rows``), as the single env's do.

    Memory: N x ``builder.number_of_iterations`` x (17 + 4 + 1 + 3) x 8 bytes.
    """

    def __init__(self, builder: ScenarioBuilder, physics: PhysicsParams, action_mode: str, num_envs: int,
                 callback: AbstractCallback | None) -> None:
        self._builder = builder
        self._physics = physics
        self._phys = physics.as_array()
        self._mode = ACTION_MODES[action_mode]
        self._callback = callback
        n, t = num_envs, builder.number_of_iterations
        self._states = np.zeros((t, n, STATE_DIM))
        self._actions = np.full((t, n, 4), np.nan)
        self._active = np.zeros((t, n), dtype=np.int64)
        self._waypoints = np.zeros((n, builder.n_waypoints, 3))
        self._wind = np.full((t, n, 3), np.nan)
        self._plant_rows: list[np.ndarray | None] = [None] * n
        self._names = [""] * n
        self._setups: list[SimulationSetup | None] = [None] * n
        self._planner = AgentPlanner(action_mode)
        self._initialized = False

    @property
    def builder(self) -> ScenarioBuilder:
        """Makes the scenarios of the histories built from now on (settable: a curriculum's new level)."""
        return self._builder

    @builder.setter
    def builder(self, builder: ScenarioBuilder) -> None:
        self._builder = builder

    def _scenario(self, i: int) -> Scenario:
        return self._builder.build(self._names[i], self._waypoints[i],
                                   initial_state=DroneState.from_array(self._states[0, i]))

    def _start(self, record: VectorStepRecord) -> None:
        for i in np.flatnonzero(record.started):
            self._states[0, i] = record.start_states[i]
            self._active[0, i] = 0
            self._waypoints[i] = record.waypoints[i]
            self._names[i] = random_scenario_name(record.course_rng[i])
            self._wind[:, i] = np.nan
            if record.start_wind is not None:
                self._wind[0, i] = record.start_wind[i]
            self._plant_rows[i] = None if record.plant_rows is None else np.array(record.plant_rows[i])
            if self._callback is not None:
                setup = build_simulation_setup(self._scenario(i), self._physics)
                if not self._initialized:
                    self._callback.on_initialization_start(setup)
                    self._initialized = True
                self._setups[i] = setup
                self._callback.on_simulation_start(setup)

    def on_reset(self, record: VectorStepRecord) -> None:
        """Start the episodes of ``record.started``."""
        self._start(record)

    def on_step(self, record: VectorStepRecord) -> np.ndarray | None:
        """Append the step; return an (N,) object array of the finished histories (None elsewhere), or None."""
        stepped = np.flatnonzero(record.stepped)
        rows = record.step_index[stepped]
        self._actions[rows, stepped] = record.actions[stepped]
        self._states[rows + 1, stepped] = record.states[stepped]
        self._active[rows + 1, stepped] = record.waypoints_reached[stepped]
        if record.wind is not None:
            self._wind[rows + 1, stepped] = record.wind[stepped]
        histories = None
        finished = np.flatnonzero(record.done)
        if len(finished):
            histories = np.full(record.done.shape[0], None, dtype=object)
            for i in finished:
                histories[i] = self._finish(i, int(record.episode_steps[i]), int(record.crash[i]))
        self._start(record)
        return histories

    def _finish(self, i: int, steps: int, crash: int) -> SimulationHistory:
        scenario = self._scenario(i)
        t = steps + 1
        commands = np.full((t, 4), np.nan)
        for k in range(steps):
            denormalize_action_one(self._actions[k, i], self._mode, self._phys, commands[k])
        modes = np.full(t, self._mode, dtype=np.int8)
        modes[-1] = -1
        crash_col = np.zeros(t, dtype=np.int8)
        crash_col[-1] = crash
        history = SimulationHistory.from_arrays(
            scenario, np.arange(t, dtype=np.int64) * scenario.time_step_us, self._states[:t, i].copy(), commands,
            modes, self._active[:t, i].copy(), crash_col, wind_m_s=self._wind[:t, i].copy())
        history.set_plant_row(self._plant_rows[i])
        if self._callback is not None:
            setup = self._setups[i] or build_simulation_setup(scenario, self._physics)
            self._setups[i] = None
            self._callback.on_simulation_end(setup, self._planner, history)
        return history

    def close(self) -> None:
        """``on_initialization_end`` once, if initialization started."""
        if self._callback is not None and self._initialized:
            self._initialized = False
            setup = next((s for s in self._setups if s is not None), None)
            self._callback.on_initialization_end(setup)
