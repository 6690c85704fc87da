"""Single env, vector env and SB3 adapter report the same info keys with the same types (issue 7 §1)."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.vector.vector_env import AutoresetMode

from simhops.envs.env_info import CRASH_GROUND, INFO_KEYS, crash_name
from simhops.envs.sb3_vec_env import SB3VecEnv
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.envs.waypoints_env import WaypointsEnv

ZERO_THRUST = np.array([-1.0, 0.0, 0.0, 0.0], dtype=np.float32)
#: dtype kind of each key in the vector env's arrays / Python type in the single env
KINDS = {"waypoints_reached": ("i", int), "is_success": ("b", bool), "crash": ("i", int), "episode_step": ("i", int)}


def _vector_keys(infos: dict) -> set[str]:
    return {k for k in infos if not k.startswith("_") and k not in ("final_obs", "final_info")}


def _check_single(info: dict) -> None:
    assert tuple(info) == INFO_KEYS
    for key, (_, typ) in KINDS.items():
        assert type(info[key]) is typ, (key, type(info[key]))


def _check_vector(infos: dict, n: int) -> None:
    assert _vector_keys(infos) == set(INFO_KEYS)
    for key, (kind, _) in KINDS.items():
        assert infos[key].shape == (n,) and infos[key].dtype.kind == kind, (key, infos[key].dtype)
        assert infos[f"_{key}"].all()


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
def test_same_keys_types_and_values_until_a_ground_crash(mode):
    n = 3
    venv = SimHopsVectorEnv(n, overrides=["scenario.duration_s=2.0"], autoreset_mode=mode)
    envs = [WaypointsEnv(overrides=["scenario.duration_s=2.0"]) for _ in range(n)]
    _, vinfo = venv.reset(seed=5)
    _check_vector(vinfo, n)
    for i, e in enumerate(envs):
        _, info = e.reset(seed=5 + i)
        _check_single(info)
        assert {k: info[k] for k in INFO_KEYS} == {k: vinfo[k][i].item() for k in INFO_KEYS}
    for _ in range(200):
        _, _, term, trunc, vinfo = venv.step(np.tile(ZERO_THRUST, (n, 1)))
        _check_vector(vinfo, n)
        final = vinfo["final_info"] if mode == AutoresetMode.SAME_STEP and term.any() else vinfo
        for i, e in enumerate(envs):
            _, _, t, _, info = e.step(ZERO_THRUST)
            _check_single(info)
            assert {k: info[k] for k in INFO_KEYS} == {k: final[k][i].item() for k in INFO_KEYS}
        if term.any():
            break
    assert term.all() and (final["crash"] == CRASH_GROUND).all() and crash_name(final["crash"][0]) == "ground"
    if mode == AutoresetMode.SAME_STEP:  # the new episodes' infos
        assert (vinfo["crash"] == 0).all() and (vinfo["episode_step"] == 0).all()


def test_sb3_adapter_infos_carry_the_single_env_keys():
    sb3 = SB3VecEnv(num_envs=2, overrides=["scenario.duration_s=2.0"])
    sb3.seed(3)
    sb3.reset()
    env = WaypointsEnv(overrides=["scenario.duration_s=2.0"])
    env.reset(seed=3)
    for _ in range(200):
        _, _, dones, infos = sb3.step(np.tile(ZERO_THRUST, (2, 1)))
        _, _, term, _, info = env.step(ZERO_THRUST)
        if dones.any():
            break
    assert dones.all() and term
    assert set(infos[0]) == set(INFO_KEYS) | {"terminal_observation", "TimeLimit.truncated"}
    assert {k: infos[0][k] for k in INFO_KEYS} == info
    assert all(type(infos[0][k]) is KINDS[k][1] for k in INFO_KEYS)
