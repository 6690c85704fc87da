"""Simulation callbacks run through the SB3 bridge during training (same metric code as evaluation)."""

from __future__ import annotations

from stable_baselines3 import PPO
from stable_baselines3.common.logger import configure
from stable_baselines3.common.vec_env import VecMonitor

from simhops.config import load_config
from simhops.envs.sb3_vec_env import SB3VecEnv
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.metric_callback import MetricCallback
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.simulation.metrics.metric_engine import MetricsEngine
from simhops.train.callbacks.simulation_callback_bridge import SimulationCallbackBridge


class HookLog(AbstractCallback):
    def __init__(self):
        self.events = []

    def on_initialization_start(self, setup):
        self.events.append("init_start")

    def on_initialization_end(self, setup):
        self.events.append("init_end")

    def on_simulation_start(self, setup):
        self.events.append("sim_start")

    def on_simulation_end(self, setup, planner, history):
        self.events.append(("sim_end", len(history)))


def test_bridge_runs_metric_callback_on_every_finished_episode(tmp_path):
    cfg = load_config(overrides=["scenario.duration_s=0.5", "train.n_envs=4", "train.n_steps=32",
                                 "train.batch_size=64"])
    venv = VecMonitor(SB3VecEnv(num_envs=4, config=cfg, record_histories=True))
    metric, log = MetricCallback(max_results=5), HookLog()
    single = WaypointsEnv(cfg)
    single.reset(seed=0)
    bridge = SimulationCallbackBridge(MultiCallback([metric, log]), single.physics, single.scenario)
    model = PPO("MlpPolicy", venv, n_steps=32, batch_size=64, n_epochs=1, seed=0, device="cpu")
    model.set_logger(configure(str(tmp_path), ["csv"]))
    model.learn(256, callback=bridge)
    assert log.events[0] == "init_start" and log.events[-1] == "init_end"
    ends = [e for e in log.events if isinstance(e, tuple)]
    assert len(ends) == bridge.n_episodes >= 8
    assert log.events.count("sim_start") == len(ends)
    assert all(n >= 1 for _, n in ends)
    assert 1 <= len(metric.results) <= 5
    assert set(metric.latest) == set(MetricsEngine.default().compute(single.simulation.history))
    header = (tmp_path / "progress.csv").read_text().splitlines()[0].split(",")
    assert "sim/success" in header and "sim/path_length_m" in header


def test_bridge_setup_comes_from_the_config_not_an_env():
    from simhops.dynamics.physics.physics_params import PhysicsParams
    from simhops.scenario.scenario_builder import ScenarioBuilder

    cfg = load_config(overrides=["seed=7", "scenario.n_waypoints=3"])
    bridge = SimulationCallbackBridge.from_config(MultiCallback([]), cfg)
    expected = ScenarioBuilder(cfg, PhysicsParams.from_config(cfg)).build_from_seed(7)
    setup = bridge._reference_setup
    assert setup.scenario.waypoints.shape == (3, 3)
    assert (setup.scenario.waypoints == expected.waypoints).all()
