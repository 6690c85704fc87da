"""SB3VecEnv: Stable-Baselines3 ``VecEnv`` over the native :class:`SimHopsVectorEnv`."""

from __future__ import annotations

from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from gymnasium.vector.vector_env import AutoresetMode
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices

from simhops.envs.vector_env import SimHopsVectorEnv


class SB3VecEnv(VecEnv):
    """SB3 semantics on top of a SAME_STEP :class:`SimHopsVectorEnv`.

    * ``step_wait`` returns ``(obs (N, D) float32, rewards (N,) float32, dones (N,) bool, infos list[dict])``;
      a finished sub-env is reset in the same step (``obs[i]`` is the new episode's first
      observation) and its info holds ``terminal_observation``, ``TimeLimit.truncated``
      (truncated and not terminated), the single env's keys (``waypoints_reached``, ``is_success``,
      ``crash`` int code, ``episode_step``: :mod:`simhops.envs.env_info`) and, when recording,
      ``simulation_history``. Other infos are empty dicts.
    * ``seed(s)`` then ``reset()`` seeds sub-env i with ``s + i`` (SB3's convention).
    * Wrap with ``VecMonitor`` for episode statistics.

    Args:
        venv: a SimHopsVectorEnv created with ``autoreset_mode=SAME_STEP``, or None to build one
            from ``num_envs`` and the remaining keyword arguments.
    """

    def __init__(self, venv: SimHopsVectorEnv | None = None, num_envs: int | None = None, **kwargs: Any) -> None:
        if venv is None:
            if num_envs is None:
                raise ValueError("pass venv or num_envs")
            venv = SimHopsVectorEnv(num_envs, autoreset_mode=AutoresetMode.SAME_STEP, **kwargs)
        elif kwargs or num_envs is not None:
            raise ValueError("pass either venv or (num_envs, **kwargs), not both")
        if venv.autoreset_mode != AutoresetMode.SAME_STEP:
            raise ValueError(f"SB3VecEnv needs autoreset_mode=SAME_STEP (got {venv.autoreset_mode})")
        self.venv = venv
        super().__init__(venv.num_envs, venv.single_observation_space, venv.single_action_space)
        self._actions: np.ndarray | None = None
        self._empty: list[dict[str, Any]] = []

    def reset(self) -> np.ndarray:
        seeds = self._seeds if any(s is not None for s in self._seeds) else None
        obs, _ = self.venv.reset(seed=seeds)
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self):
        if self._actions is None:
            raise RuntimeError("step_async() must be called before step_wait()")
        obs, rew, term, trunc, infos = self.venv.step(self._actions)
        self._actions = None
        dones = term | trunc
        out: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if dones.any():
            final_obs = infos["final_obs"]
            fi = infos["final_info"]
            hists = fi.get("simulation_history")
            for i in np.flatnonzero(dones):
                info = {
                    "terminal_observation": final_obs[i],
                    "TimeLimit.truncated": bool(trunc[i] and not term[i]),
                    "waypoints_reached": int(fi["waypoints_reached"][i]),
                    "is_success": bool(fi["is_success"][i]),
                    "crash": int(fi["crash"][i]),
                    "episode_step": int(fi["episode_step"][i]),
                }
                if hists is not None:
                    info["simulation_history"] = hists[i]
                out[i] = info
        return obs, rew.astype(np.float32), dones, out

    def set_episode_config(self, config: Any) -> None:
        """:meth:`SimHopsVectorEnv.set_episode_config`: ``config``'s course / disturbance / randomization
        settings for the episodes that start after the call (also reachable through ``env_method``)."""
        self.venv.set_episode_config(config)

    def close(self) -> None:
        self.venv.close()

    def _indices(self, indices: VecEnvIndices) -> Sequence[int]:
        if indices is None:
            return range(self.num_envs)
        if isinstance(indices, int):
            return [indices]
        return list(indices)

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        value = getattr(self.venv, attr_name)
        return [value for _ in self._indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        if indices is not None and len(self._indices(indices)) != self.num_envs:
            raise ValueError("SB3VecEnv shares attributes across sub-envs: set_attr applies to all of them")
        setattr(self.venv, attr_name, value)

    def env_method(self, method_name: str, *method_args, indices: VecEnvIndices = None, **method_kwargs) -> list[Any]:
        result = getattr(self.venv, method_name)(*method_args, **method_kwargs)
        return [result for _ in self._indices(indices)]

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        return [False for _ in self._indices(indices)]

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [None for _ in range(self.num_envs)]
