"""Disturbances and domain randomization: vector env = N single envs bit for bit with everything on,
switches off = no switches, reproducible and range-covering draws, latency FIFO, gusts, noise."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.vector.vector_env import AutoresetMode

from simhops.config import load_config
from simhops.config.everything_on import EVERYTHING_ON as EVERYTHING_ON_OVERRIDES
from simhops.dynamics.kernels import layout as L
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.scenario import Scenario
from simhops.simulation.controller import DroneCommand, DroneController
from simhops.dynamics.state import DroneState
from simhops.simulation.simulation_time_controller import StepSimulationTimeController

EVERYTHING_ON = list(EVERYTHING_ON_OVERRIDES)


def _cfg(overrides=()):
    return load_config(None, list(overrides))


@pytest.mark.parametrize("mode", [AutoresetMode.SAME_STEP, AutoresetMode.NEXT_STEP])
def test_vector_equals_single_envs_with_everything_on(mode):
    cfg = _cfg(EVERYTHING_ON)
    # 21 slots: a full 16-lane physics block (SIMD lanes) and a partial one (scalar remainder)
    n, seed = 21, 77
    venv = SimHopsVectorEnv(n, config=cfg, autoreset_mode=mode)
    obs, info = venv.reset(seed=seed)
    envs = [WaypointsEnv(cfg) for _ in range(n)]
    resets = [e.reset(seed=seed + i) for i, e in enumerate(envs)]
    np.testing.assert_array_equal(obs, np.stack([r[0] for r in resets]))
    for i in range(n):  # the sampled plant is shown at reset, the same in both
        for k, v in resets[i][1]["plant_params"].items():
            np.testing.assert_array_equal(info["plant_params"][k][i], v, err_msg=k)
    rng = np.random.default_rng(1)
    pending = np.zeros(n, dtype=bool)
    n_done = 0
    for _ in range(300):
        a = (rng.uniform(-1, 1, (n, 4)) * 0.4).astype(np.float32)
        obs, rew, term, trunc, info = venv.step(a)
        for i, e in enumerate(envs):
            if pending[i]:
                so, _ = e.reset()
                pending[i] = False
                np.testing.assert_array_equal(obs[i], so)
                continue
            so, sr, ste, str_, _ = e.step(a[i])
            assert (ste, str_) == (bool(term[i]), bool(trunc[i])) and sr == rew[i]
            if ste or str_:
                n_done += 1
                if mode == AutoresetMode.SAME_STEP:
                    np.testing.assert_array_equal(info["final_obs"][i], so)
                    so, _ = e.reset()
                else:
                    pending[i] = True
            np.testing.assert_array_equal(obs[i], so)
        np.testing.assert_array_equal(venv.states[~pending], np.stack([e.drone_state.array for e in envs])[~pending])
    assert n_done >= 2


def test_switches_off_equal_no_switches():
    """The disturbance code path with every disturbance at zero draws nothing and changes no bit."""
    cfg = _cfg()
    a = SimHopsVectorEnv(8, config=cfg)
    b = SimHopsVectorEnv(8, config=cfg)
    assert not a.physics.disturbed
    b._dist = b._dist._replace(enabled=True)  # force the disturbed path, all disturbances zero
    oa, _ = a.reset(seed=3)
    ob, _ = b.reset(seed=3)
    np.testing.assert_array_equal(oa, ob)
    rng = np.random.default_rng(2)
    for _ in range(200):
        act = rng.uniform(-1, 1, (8, 4)).astype(np.float32) * 0.5
        ra = a.step(act)
        rb = b.step(act)
        for x, y in zip(ra[:4], rb[:4]):
            np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a._rng, b._rng)  # no random number was drawn on the disturbed path


def test_randomization_is_reproducible_and_covers_the_ranges():
    cfg = _cfg(EVERYTHING_ON)
    n = 2000
    venv = SimHopsVectorEnv(n, config=cfg)
    _, i1 = venv.reset(seed=11)
    p1 = i1["plant_params"]
    _, i2 = venv.reset(seed=11)
    for k in p1:
        np.testing.assert_array_equal(p1[k], i2["plant_params"][k], err_msg=k)
    _, i3 = venv.reset(seed=12)
    assert not np.array_equal(p1["mass_kg"], i3["plant_params"]["mass_kg"])
    nom = PhysicsParams.from_config(_cfg()).airframe

    def covers(x, lo, hi, tol=0.02):
        span = hi - lo
        assert x.min() >= lo - 1e-12 and x.max() <= hi + 1e-12
        assert x.min() < lo + tol * span and x.max() > hi - tol * span

    covers(p1["mass_kg"] / nom.mass_kg, 0.85, 1.15)
    covers(p1["inertia_kg_m2"][:, 0] / nom.inertia_kg_m2[0], 0.8, 1.25)
    np.testing.assert_allclose(p1["inertia_kg_m2"][:, 2] / p1["inertia_kg_m2"][:, 0],
                               nom.inertia_kg_m2[2] / nom.inertia_kg_m2[0], rtol=1e-12)
    covers(p1["max_motor_thrust_n"] / nom.max_motor_thrust_n, 0.9, 1.1)
    covers(p1["motor_tau_up_s"] / nom.motor_tau_up_s, 0.7, 1.3)
    drag = p1["drag_n_s_m"][:, 0] / nom.drag_n_s_m[0]
    covers(drag, 0.5, 2.0)
    assert abs(np.mean(np.log(drag))) < 0.05  # log-uniform: symmetric in log
    assert set(np.unique(p1["latency_steps"])) == {0, 1, 2}
    speed = np.linalg.norm(p1["wind_m_s"][:, :2], axis=1)
    covers(speed, 0.0, 2.0)
    assert np.all(p1["wind_m_s"][:, 2] == 0.0)
    covers(p1["gust_std_m_s"], 0.0, 0.5)
    covers(p1["obs_noise"][:, 0] / 0.02, 0.5, 1.5)


def _controller(physics, rng_seed=5):
    start = DroneState.hover((0.0, 0.0, 2.0), physics.airframe.hover_motor_thrust_n)
    scenario = Scenario("d", np.array([[3.0, 0.0, 2.0]]), start, time_step_s=physics.control_dt_s, duration_s=5.0)
    ctrl = DroneController(scenario, physics, np.array([rng_seed], dtype=np.uint64))
    ctrl.reset()
    return ctrl, StepSimulationTimeController(scenario)


@pytest.mark.parametrize("latency", [1, 3])
def test_latency_delays_commands_by_whole_steps(latency):
    """With latency L the trajectory equals the undelayed one fed the commands shifted by L (hover first)."""
    delayed, tc1 = _controller(PhysicsParams(latency_steps=latency))
    plain, tc2 = _controller(PhysicsParams())
    w = plain.physics.airframe.weight_n
    rng = np.random.default_rng(0)
    cmds = [DroneCommand.ctbr(w * rng.uniform(0.8, 1.2), rng.uniform(-2, 2, 3)) for _ in range(30)]
    shifted = [DroneCommand.ctbr(w, (0.0, 0.0, 0.0))] * latency + cmds[:-latency]
    for c, s in zip(cmds, shifted):
        it1, nx1 = tc1.get_iteration(), tc1.next_iteration()
        delayed.update_state(it1, nx1, delayed.get_state(), c)
        it2, nx2 = tc2.get_iteration(), tc2.next_iteration()
        plain.update_state(it2, nx2, plain.get_state(), s)
        np.testing.assert_array_equal(delayed.get_state().array, plain.get_state().array)


def test_gusts_have_the_configured_statistics():
    """OU gusts: stationary std and lag-1 correlation exp(-dt / tau) across many envs and steps."""
    cfg = _cfg(["disturbances.gust_std_m_s=0.8", "disturbances.gust_tau_s=0.5"])
    venv = SimHopsVectorEnv(512, config=cfg)
    venv.reset(seed=0)
    g = []
    for _ in range(60):
        venv.step(np.zeros((512, 4), dtype=np.float32))
        g.append(venv._dist.gust.copy())
    g = np.array(g)
    assert g.std() == pytest.approx(0.8, rel=0.05)
    phi = np.exp(-0.02 / 0.5)
    corr = np.mean(g[1:] * g[:-1]) / np.mean(g[:-1] ** 2)
    assert corr == pytest.approx(phi, abs=0.01)


def test_observation_noise_has_the_configured_std():
    cfg = _cfg(["disturbances.obs_noise_position_m=0.1"])
    clean = SimHopsVectorEnv(1000, config=_cfg())
    noisy = SimHopsVectorEnv(1000, config=cfg)
    oc, _ = clean.reset(seed=4)
    on, _ = noisy.reset(seed=4)
    np.testing.assert_array_equal(clean.states, noisy.states)  # the plant is not touched
    alt = -1  # last observation entry: altitude
    assert np.std(on[:, alt] - oc[:, alt]) == pytest.approx(0.1, rel=0.08)


def test_planner_gets_the_nominal_airframe():
    """The plant is not the planner's model: PlannerInitialization carries the nominal physics."""
    env = WaypointsEnv(_cfg(EVERYTHING_ON))
    _, info = env.reset(seed=0)
    nominal = env.simulation.setup.ego_controller.physics
    assert nominal.airframe.mass_kg == 0.027
    assert info["plant_params"]["mass_kg"] != nominal.airframe.mass_kg


_NOJIT = r"""
import json, sys
import numpy as np
from simhops.config import load_config
from simhops.envs.vector_env import SimHopsVectorEnv
cfg = load_config(None, json.loads(sys.argv[1]))
v = SimHopsVectorEnv(2, config=cfg)
obs, _ = v.reset(seed=9)
rng = np.random.default_rng(0)
for _ in range(20):
    obs, *_ = v.step((rng.uniform(-1, 1, (2, 4)) * 0.4).astype(np.float32))
print(json.dumps([float(x).hex() for x in np.concatenate([v.states.ravel(), obs.ravel().astype(np.float64)])]))
"""


def test_disturbed_kernels_without_jit_match_compiled():
    """NUMBA_DISABLE_JIT=1 (the debugging path) gives the same disturbed rollout as the compiled kernels."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    out = {}
    for jit in ("0", "1"):
        env = {**os.environ, "NUMBA_DISABLE_JIT": jit}
        proc = subprocess.run([sys.executable, "-c", _NOJIT, json.dumps(EVERYTHING_ON)], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        out[jit] = np.array([float.fromhex(x) for x in json.loads(proc.stdout.strip().splitlines()[-1])])
    np.testing.assert_allclose(out["1"], out["0"], rtol=1e-9, atol=1e-9)


def test_simulation_with_disturbances_is_deterministic_per_scenario():
    """Outside an env (closed-loop evaluation), the controller draws from the scenario's seed: the same
    scenario gives the same disturbed run, another seed a different one; the planner sees the nominal airframe."""
    from simhops.scenario import ScenarioBuilder
    from simhops.simulation.planner.hover_planner import HoverPlanner
    from simhops.simulation.simulation import Simulation
    from simhops.simulation.simulation_setup import build_simulation_setup

    cfg = _cfg(EVERYTHING_ON)
    physics = PhysicsParams.from_config(cfg)
    builder = ScenarioBuilder(cfg, physics)

    def run(seed):
        sim = Simulation(build_simulation_setup(builder.build_from_seed(seed), physics))
        planner = HoverPlanner()
        init = sim.initialize()
        assert init.physics is physics  # nominal
        planner.initialize(init)
        for _ in range(50):
            if not sim.is_simulation_running():
                break
            sim.propagate(planner.compute_planner_trajectory(sim.get_planner_input()))
        return sim.history_buffer.current_state[0].array.copy(), sim.setup.ego_controller.plant_params

    a, pa = run(3)
    b, pb = run(3)
    c, pc = run(4)
    np.testing.assert_array_equal(a, b)
    assert pa["mass_kg"] == pb["mass_kg"] != pc["mass_kg"]
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("mode", [AutoresetMode.SAME_STEP, AutoresetMode.NEXT_STEP])
def test_recorded_histories_carry_wind_and_plant_like_the_single_env(mode):
    """The vector env's recorded histories hold the wind of every step and the sampled plant, equal to the
    single env's history of the same seed (everything on, episodes ending and restarting)."""
    from simhops.simulation.callback.abstract_callback import AbstractCallback

    class Collect(AbstractCallback):
        def __init__(self):
            self.histories = []

        def on_simulation_end(self, setup, planner, history):
            self.histories.append(history)

    cfg = _cfg([*EVERYTHING_ON, "scenario.duration_s=0.5"])
    cb = Collect()
    venv = SimHopsVectorEnv(2, config=cfg, autoreset_mode=mode, callback=cb)
    venv.reset(seed=11)
    env = WaypointsEnv(cfg)
    env.reset(seed=11)
    rng = np.random.default_rng(2)
    single = None
    for _ in range(30):
        a = (rng.uniform(-1, 1, (2, 4)) * 0.3).astype(np.float32)
        venv.step(a)
        if single is None:
            _, _, te, tr, _ = env.step(a[0])
            if te or tr:
                single = env.simulation.history
    assert single is not None and cb.histories
    hist = next(h for h in cb.histories if h.scenario == env.scenario)
    np.testing.assert_array_equal(hist.states, single.states)
    np.testing.assert_array_equal(hist.wind_m_s, single.wind_m_s)
    assert np.isfinite(hist.wind_m_s).all() and np.ptp(hist.wind_m_s[:, 0]) > 0.0  # gusts vary
    assert hist.plant_params == single.plant_params and hist.plant_params["mass_kg"] != pytest.approx(0.027, abs=1e-12)
