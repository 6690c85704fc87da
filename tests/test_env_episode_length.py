"""One episode length for the single env, the vector env (+ recorder) and the scenario (issue 7 §1)."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.vector.vector_env import AutoresetMode

from simhops.config import load_config
from simhops.envs.env_params import EnvParams
from simhops.envs.sb3_vec_env import SB3VecEnv
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.scenario import ScenarioBuilder

HOVER = np.array([2.0 / 2.25 - 1.0, 0.0, 0.0, 0.0])

# (control_hz, duration_s): 10 / 0.15 is the reported defect (round(1.4999..) vs round(1.5));
# the others include a .5 tie, a non-integer period (1 / 30 s) and the default 50 Hz
CASES = [(10, 0.15), (10, 0.25), (30, 0.1), (50, 0.5), (7, 1.0), (40, 0.0625)]


def _single_env_steps(overrides: list[str]) -> int:
    env = WaypointsEnv(overrides=overrides)
    env.reset(seed=0)
    for k in range(1, 1000):
        _, _, term, trunc, _ = env.step(HOVER)
        assert not term
        if trunc:
            return k
    raise AssertionError("no truncation")


@pytest.mark.parametrize("hz,duration", CASES)
@pytest.mark.parametrize("mode", [AutoresetMode.SAME_STEP, AutoresetMode.NEXT_STEP])
def test_single_and_vector_env_end_after_the_same_number_of_steps(hz, duration, mode):
    overrides = [f"scenario.control_hz={hz}", f"scenario.duration_s={duration}"]
    scenario = ScenarioBuilder(load_config(overrides=overrides)).build_from_seed(0)
    expected = scenario.get_number_of_iterations() - 1
    assert _single_env_steps(overrides) == expected
    assert EnvParams.from_config(overrides=overrides).max_episode_steps == expected
    # the vector env with history recording on (the training default) ends at the same step, and the recorder
    # builds a history of exactly expected + 1 rows
    venv = SimHopsVectorEnv(3, overrides=overrides, autoreset_mode=mode, record_histories=True)
    assert venv.max_episode_steps == expected
    venv.reset(seed=0)
    for k in range(1, expected + 1):
        _, _, term, trunc, info = venv.step(np.tile(HOVER, (3, 1)))
        assert not term.any()
        assert trunc.all() == (k == expected) and trunc.any() == (k == expected), k
    final = info["final_info"] if mode == AutoresetMode.SAME_STEP else info
    assert (final["episode_step"] == expected).all()
    histories = final["simulation_history"]
    assert all(h is not None and h.states.shape[0] == expected + 1 for h in histories)
    assert histories[0].scenario.get_number_of_iterations() == expected + 1
    if mode == AutoresetMode.NEXT_STEP:  # the next step only resets
        _, rew, _, trunc, info = venv.step(np.tile(HOVER, (3, 1)))
        assert not trunc.any() and (info["episode_step"] == 0).all()


def test_the_reported_defect_case_is_one_step():
    """control_hz=10, duration_s=0.15: 0.15 / 0.1 = 1.4999999999999998 in floats, so one step, for both envs."""
    overrides = ["scenario.control_hz=10", "scenario.duration_s=0.15"]
    assert _single_env_steps(overrides) == 1
    sb3 = SB3VecEnv(num_envs=2, config=load_config(overrides=overrides), record_histories=True)
    sb3.reset()
    _, _, dones, infos = sb3.step(np.tile(HOVER, (2, 1)).astype(np.float32))
    assert dones.all()
    assert all(i["episode_step"] == 1 and i["simulation_history"].states.shape[0] == 2 for i in infos)
