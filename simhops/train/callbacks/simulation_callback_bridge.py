"""SimulationCallbackBridge: simulation hooks reach the trainer as an SB3 callback."""

from __future__ import annotations

from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from simhops.envs.agent_planner import AgentPlanner
from simhops.scenario.scenario import Scenario
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.metric_callback import MetricCallback
from simhops.simulation.history.simulation_history import SimulationHistory
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.runner.simulations_runner import iter_callbacks
from simhops.simulation.simulation_setup import SimulationSetup, build_simulation_setup


class SimulationCallbackBridge(BaseCallback):
    """Maps an SB3 training run onto the simulation hooks of ``callback``.

    | SB3 event | simulation hook |
    |---|---|
    | ``_on_training_start`` | ``on_initialization_start(setup)`` (setup of ``reference_scenario``) |
    | a sub-env finishes an episode (``dones[i]``, its info has ``simulation_history``) | ``on_simulation_start(setup)`` then ``on_simulation_end(setup, planner, history)`` |
    | ``_on_training_end`` | ``on_initialization_end(setup)`` |

    Environments may live in other processes, so episodes arrive in the trainer as
    histories carried in ``infos`` (vector env ``record_histories=True``, or
    ``WaypointsEnv(history_in_info=True)``); both episode hooks are replayed when the
    history arrives. Per-step hooks are not bridged. ``planner`` is an
    :class:`AgentPlanner` standing for the policy being trained.

    Every :class:`MetricCallback` inside ``callback`` (the same metric code as closed-loop
    evaluation) has its episode metrics recorded into the SB3 logger as means under
    ``sim/<metric>`` (numbers only).
    """

    def __init__(self, callback: AbstractCallback, physics: PhysicsParams, reference_scenario: Scenario,
                 verbose: int = 0) -> None:
        super().__init__(verbose)
        self.callback = callback
        self.physics = physics
        self._reference_setup = self._make_setup(reference_scenario)
        self._planner = AgentPlanner()
        self.n_episodes = 0

    def _make_setup(self, scenario: Scenario) -> SimulationSetup:
        return build_simulation_setup(scenario, self.physics)

    def _on_training_start(self) -> None:
        self.callback.on_initialization_start(self._reference_setup)

    def _on_step(self) -> bool:
        dones = self.locals.get("dones")
        infos: list[dict[str, Any]] = self.locals.get("infos", [])
        if dones is None or not np.any(dones):
            return True
        for i in np.flatnonzero(dones):
            history = infos[i].get("simulation_history")
            if not isinstance(history, SimulationHistory):
                continue
            setup = self._make_setup(history.scenario)
            self.callback.on_simulation_start(setup)
            self.callback.on_simulation_end(setup, self._planner, history)
            self.n_episodes += 1
            self._record_metrics()
        return True

    def _record_metrics(self) -> None:
        for cb in iter_callbacks(self.callback):
            if isinstance(cb, MetricCallback) and cb.latest:
                for key, value in cb.latest.items():
                    if isinstance(value, (bool, int, float, np.integer, np.floating)) and np.isfinite(value):
                        self.logger.record_mean(f"sim/{key}", float(value))

    def _on_training_end(self) -> None:
        self.callback.on_initialization_end(self._reference_setup)
