"""SimulationCallbackBridge: simulation hooks reach the trainer as an SB3 callback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from simhops.config import ConfigError, SimHopsConfig
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.envs.agent_planner import AgentPlanner
from simhops.scenario.scenario import Scenario
from simhops.scenario.scenario_builder import ScenarioBuilder
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.simulation.history.simulation_history import SimulationHistory
from simhops.simulation.runner.simulations_runner import iter_callbacks
from simhops.simulation.simulation_setup import SimulationSetup, build_simulation_setup

__all__ = ["SimulationCallbackBridge", "STEP_HOOKS", "check_training_callback"]

#: hooks the training bridge cannot fire (the vector env steps all sub-envs in one batched call)
STEP_HOOKS: tuple[str, ...] = ("on_step_start", "on_step_end", "on_planner_start", "on_planner_end")


def check_training_callback(callback: AbstractCallback, key: str) -> None:
    """Refuse a callback that overrides a step or planner hook (it would silently see 0 steps in training).

    Raises:
        ConfigError: naming ``key`` and the hooks, e.g. ``callbacks.simulation_callbacks[1]: TimingCallback
            needs on_step_start, ... which training does not fire``.
    """
    for cb in iter_callbacks(callback):
        if isinstance(cb, MultiCallback):  # forwards every hook; its members are checked
            continue
        needed = [h for h in STEP_HOOKS if getattr(type(cb), h, None) is not getattr(AbstractCallback, h)]
        if needed:
            raise ConfigError(
                f"{key}: {type(cb).__name__} needs {', '.join(needed)}, which training does not fire (the vector "
                f"env steps every sub-env in one batched call; only on_initialization_*/on_simulation_* reach "
                f"simulation callbacks during training); use it with `simhops eval` or a WaypointsEnv instead")


class SimulationCallbackBridge(BaseCallback):
    """Maps an SB3 training run onto the episode-level simulation hooks of ``callback``.

    | SB3 event | simulation hook |
    |---|---|
    | ``_on_training_start`` | ``on_initialization_start(setup)`` (setup of ``reference_scenario``) |
    | a sub-env finishes an episode (``dones[i]``, its info has ``simulation_history``) | ``on_simulation_start(setup)`` then ``on_simulation_end(setup, planner, history)`` |
    | ``_on_training_end`` | ``on_initialization_end(setup)`` |

    Environments may live in other processes, so episodes arrive in the trainer as
    histories carried in ``infos`` (vector env ``record_histories=True``, or
    ``WaypointsEnv(history_in_info=True)``); both episode hooks are replayed when the
    history arrives. Step and planner hooks are NOT fired: :func:`check_training_callback`
    refuses callbacks that override them (the trainer runs it on every configured callback).
    ``planner`` is an :class:`AgentPlanner` standing for the policy being trained.

    Results reach the SB3 logger (and so csv / TensorBoard): every callback in ``callback`` with a
    ``latest`` mapping (e.g. ``MetricCallback``: the metrics of the newest episode) has its finite
    numbers recorded as means under ``sim/<name>`` after each finished episode.
    """

    def __init__(self, callback: AbstractCallback, physics: PhysicsParams, reference_scenario: Scenario,
                 verbose: int = 0) -> None:
        super().__init__(verbose)
        self.callback = callback
        self.physics = physics
        self._reference_setup = self._make_setup(reference_scenario)
        self._planner = AgentPlanner()
        self._result_sources = [cb for cb in iter_callbacks(callback) if hasattr(cb, "latest")]
        self.n_episodes = 0

    @classmethod
    def from_config(cls, callback: AbstractCallback, cfg: SimHopsConfig, verbose: int = 0) -> "SimulationCallbackBridge":
        """Bridge whose reference setup is the course of ``cfg.seed`` with ``cfg``'s physics (no env is built)."""
        physics = PhysicsParams.from_config(cfg)
        scenario = ScenarioBuilder(cfg, physics).build_from_seed(cfg.seed)
        return cls(callback, physics, scenario, verbose)

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
            self._record_results()
        return True

    def _record_results(self) -> None:
        for cb in self._result_sources:
            latest = getattr(cb, "latest", None)
            if not isinstance(latest, Mapping):
                continue
            for key, value in latest.items():
                if isinstance(value, (bool, int, float, np.integer, np.floating)) and np.isfinite(value):
                    self.logger.record_mean(f"sim/{key}", float(value))

    def _on_training_end(self) -> None:
        self.callback.on_initialization_end(self._reference_setup)
