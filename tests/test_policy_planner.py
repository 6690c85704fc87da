"""PolicyPlanner sees exactly what the policy saw in the env: same trajectory, step for step."""

from __future__ import annotations

import pickle

import gymnasium as gym
import numpy as np
import pytest

import simhops  # noqa: F401 - registers the env
from simhops.config import load_config
from simhops.scenario.benchmark import build_benchmark
from simhops.simulation.planner.policy_planner import PolicyPlanner, n_obs_waypoints_of
from simhops.simulation.runner.executor import run_simulation
from simhops.simulation.runner.simulation_task import SimulationTask

sb3 = pytest.importorskip("stable_baselines3")


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """A tiny PPO trained for 128 steps on the env, saved as model.zip."""
    env = gym.make("simhops/Waypoints-v0")
    model = sb3.PPO("MlpPolicy", env, n_steps=64, batch_size=64, n_epochs=1, seed=0, device="cpu")
    model.learn(total_timesteps=128)
    path = tmp_path_factory.mktemp("policy") / "model.zip"
    model.save(path)
    env.close()
    return path


def env_rollout(model, scenario):
    """Run the model in WaypointsEnv on ``scenario``: (T, 17) states, actions."""
    env = gym.make("simhops/Waypoints-v0")
    obs, _ = env.reset(seed=0, options={"scenario": scenario})
    states = [env.unwrapped.drone_state.array.copy()]
    done = False
    while not done:
        action, _ = model.predict(obs, deterministic=True)
        obs, _, terminated, truncated, _ = env.step(action)
        states.append(env.unwrapped.drone_state.array.copy())
        done = terminated or truncated
    env.close()
    return np.array(states)


@pytest.mark.parametrize("index", [0, 4, 7])
def test_same_trajectory_as_env(model_path, index):
    scenario = build_benchmark(cfg=load_config(overrides=["scenario.duration_s=6"]))[index]
    model = sb3.PPO.load(model_path, device="cpu")
    env_states = env_rollout(model, scenario)
    report = SimulationTask(scenario, PolicyPlanner(model_path), keep_history=True).run()
    assert report.succeeded
    sim_states = np.asarray(report.history.states)
    assert sim_states.shape == env_states.shape and sim_states.shape[0] > 10
    assert np.array_equal(sim_states[:, 0:3], env_states[:, 0:3])  # positions, exactly
    assert np.array_equal(sim_states, env_states)  # and the whole state


def test_pickles_without_the_model(model_path):
    planner = PolicyPlanner(model_path)
    sc = build_benchmark(cfg=load_config(overrides=["scenario.duration_s=0.2"]))[4]
    SimulationTask(sc, planner).run()
    assert planner._model is not None and planner.n_obs_waypoints == 2
    blob = pickle.dumps(planner)
    assert len(blob) < 2000
    clone = pickle.loads(blob)
    assert clone._model is None and clone.model_path == str(model_path) and clone.deterministic
    r = run_simulation(SimulationTask(sc, clone, keep_history=True))
    assert r.succeeded and clone._model is not None


def test_errors(model_path, tmp_path):
    sc = build_benchmark(cfg=load_config(overrides=["scenario.duration_s=0.2"]))[4]
    r = run_simulation(SimulationTask(sc, PolicyPlanner(tmp_path / "missing.zip")))
    assert not r.succeeded and "FileNotFoundError" in r.error_message
    r = run_simulation(SimulationTask(sc, PolicyPlanner(model_path, n_obs_waypoints=3)))
    assert not r.succeeded and "observes 2 waypoints" in r.error_message
    with pytest.raises(ValueError, match="action_mode"):
        PolicyPlanner(model_path, action_mode="thrust")
    with pytest.raises(RuntimeError, match="initialize"):
        PolicyPlanner(model_path).compute_planner_trajectory(None)
    assert n_obs_waypoints_of((26,)) == 2
    with pytest.raises(ValueError):
        n_obs_waypoints_of((25,))


def test_cli_policy_eval_matches_env(model_path, tmp_path):
    from simhops.evaluation.cli import main
    from simhops.simulation.callback.serialization_callback import scenario_file_stem
    from simhops.simulation.history.history_io import load_history

    out = tmp_path / "eval"
    rc = main(["eval", "--planner", "policy", "--model", str(model_path), "--scenarios", "benchmark-v0",
               "--limit", "2", "scenario.duration_s=4", "--output-dir", str(out), "--no-progress"])
    assert rc == 0
    model = sb3.PPO.load(model_path, device="cpu")
    for sc in build_benchmark(cfg=load_config(overrides=["scenario.duration_s=4"]))[:2]:
        history = load_history(out / "histories" / f"{scenario_file_stem(sc.name)}.msgpack")
        assert np.array_equal(np.asarray(history.states), env_rollout(model, sc))
