"""Shared fixtures of the simhops test-suite.

Configs are loaded once per session (they are frozen pydantic models); builders,
simulations and environments are built fresh per test through small factories so
no test sees another's state.
"""

from __future__ import annotations

from typing import Callable

import gymnasium as gym
import numpy as np
import pytest

import simhops  # noqa: F401  (registers simhops/Waypoints-v0)
from simhops.config import SimHopsConfig, load_config
from simhops.scenario import Scenario, ScenarioBuilder
from simhops.simulation.controller import DroneController
from simhops.simulation.observation import CourseObservation
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.planner import AbstractPlanner
from simhops.simulation.simulation import Simulation
from simhops.simulation.simulation_setup import SimulationSetup
from simhops.simulation.simulation_time_controller import StepSimulationTimeController

ENV_ID = "simhops/Waypoints-v0"


@pytest.fixture(scope="session")
def default_cfg() -> SimHopsConfig:
    """``cfg_default.yaml`` as shipped."""
    return load_config()


@pytest.fixture(scope="session")
def short_cfg() -> SimHopsConfig:
    """The default config with 2 s episodes (100 steps at 50 Hz)."""
    return load_config(overrides=["scenario.duration_s=2.0"])


@pytest.fixture(scope="session")
def physics() -> PhysicsParams:
    """Default physics: cf2x airframe, 50 Hz control, 5 sub-steps."""
    return PhysicsParams()


@pytest.fixture
def builder(default_cfg) -> ScenarioBuilder:
    return ScenarioBuilder(default_cfg)


@pytest.fixture
def short_builder(short_cfg) -> ScenarioBuilder:
    return ScenarioBuilder(short_cfg)


@pytest.fixture(scope="session")
def hover_action(physics) -> np.ndarray:
    """The normalized CTBR action that commands collective thrust m g and zero body rates."""
    af = physics.airframe
    return np.array([2.0 * af.weight_n / af.max_collective_thrust_n - 1.0, 0.0, 0.0, 0.0], dtype=np.float32)


@pytest.fixture
def make_simulation(physics) -> Callable[..., Simulation]:
    """Factory: ``make_simulation(scenario, physics=None, buffer_duration=0.2) -> Simulation``."""

    def _make(scenario: Scenario, physics_params: PhysicsParams | None = None,
              buffer_duration: float = 0.2) -> Simulation:
        setup = SimulationSetup(
            time_controller=StepSimulationTimeController(scenario),
            observations=CourseObservation(scenario),
            ego_controller=DroneController(scenario, physics_params or physics),
            scenario=scenario,
        )
        return Simulation(setup, simulation_history_buffer_duration=buffer_duration)

    return _make


@pytest.fixture
def run_episode() -> Callable[[Simulation, AbstractPlanner], Simulation]:
    """Factory: run ``planner`` in ``simulation`` until it stops (nuPlan's runner loop, no callbacks)."""

    def _run(simulation: Simulation, planner: AbstractPlanner) -> Simulation:
        planner.initialize(simulation.initialize())
        while simulation.is_simulation_running():
            simulation.propagate(planner.compute_planner_trajectory(simulation.get_planner_input()))
        return simulation

    return _run


@pytest.fixture
def make_env():
    """Factory: ``make_env(**kwargs)`` -> ``gymnasium.make(ENV_ID, **kwargs)``; every env is closed at teardown."""
    envs = []

    def _make(**kwargs):
        env = gym.make(ENV_ID, **kwargs)
        envs.append(env)
        return env

    yield _make
    for env in envs:
        try:
            env.close()
        except Exception:  # noqa: BLE001 - teardown must not mask the test's result
            pass
