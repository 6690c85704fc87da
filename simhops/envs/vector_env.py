"""SimHopsVectorEnv: N drones stepped by one fused numba kernel call."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from gymnasium.vector import VectorEnv
from gymnasium.vector.utils import batch_space
from gymnasium.vector.vector_env import AutoresetMode

from simhops.config import SimHopsConfig
from simhops.envs.episode_recorder import EpisodeRecorder
from simhops.envs.waypoints_env import resolve_config, reward_params
from simhops.scenario.scenario_builder import ScenarioBuilder
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.dynamics.kernels.layout import ACTION_MODES, CRASH_NAMES, STATE_DIM, obs_dim
from simhops.dynamics.kernels.vector_step import vector_reset, vector_reset_serial, vector_step, vector_step_serial
from simhops.simulation.observation.policy_observation import policy_observation_space
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.viz.renderer_env import RENDER_MODES, TRAIL_POINTS, EnvRenderer, validate_render_mode
from simhops.viz.renderer_trail import TrailBuffer

_PARALLEL_MIN_ENVS = 64


class SimHopsVectorEnv(VectorEnv):
    """``num_envs`` independent :class:`~simhops.envs.waypoints_env.WaypointsEnv` copies in arrays.

    Same spaces, rewards, starting states and episode ends as the single env (see its
    docstring); sub-env ``i`` seeded with ``seed + i`` follows exactly the trajectory of
    a single env seeded with ``seed + i`` under the same actions (same kernels).

    Each sub-env has its own episode clock (``episode_step[i]``, its time-controller
    index); ``truncated[i]`` is true exactly when it reaches the scenario's
    ``get_number_of_iterations() - 1``.

    ## Autoreset (``metadata["autoreset_mode"]``)
    | mode | behaviour |
    |---|---|
    | ``NEXT_STEP`` (default, Gymnasium's) | the step after an episode ends resets that sub-env: its action is ignored, reward 0, flags False |
    | ``SAME_STEP`` (used by the SB3 adapter) | a finished sub-env is reset inside the same step; ``infos["final_obs"]`` (object array, None where not final) and ``infos["final_info"]`` hold the last observation / info |

    ## Infos (arrays of length N, with ``_key`` masks)
    ``waypoints_reached`` (int64), ``is_success`` (bool), ``crash`` (int8 code: 0 none,
    1 ground, 2 dome, 3 non-finite), ``episode_step`` (int64).

    ## Arguments
    | argument | meaning |
    |---|---|
    | ``num_envs`` | N >= 1 |
    | ``config`` / ``overrides`` | as for WaypointsEnv |
    | ``autoreset_mode`` | ``AutoresetMode`` or its string value |
    | ``callback`` | simulation callback receiving ``on_simulation_start/end`` per finished episode (requires recording) |
    | ``record_histories`` | keep per-env trajectories and put the finished episode's ``SimulationHistory`` into ``infos["final_info"]["simulation_history"]`` (memory: N x steps x 17 doubles) |
    | ``render_mode`` | None, ``"rgb_array"`` or ``"human"`` (as WaypointsEnv; other values raise ``UnsupportedRenderMode``) |
    | ``render_env_index`` | the sub-env ``render()`` draws (default 0), or None for all of them |
    | ``render_width``, ``render_height``, ``render_camera`` | frame size (px) and camera, as WaypointsEnv |

    ## Rendering
    ``render()`` returns a tuple of ``(render_height, render_width, 3)`` uint8 frames (Gymnasium's
    ``VectorEnv.render`` convention): ``(frame,)`` of sub-env ``render_env_index``, or one frame
    per sub-env when it is None (what ``gymnasium.wrappers.vector.RecordVideo`` expects).
    :meth:`render_env` returns one sub-env's frame. ``"human"`` streams sub-env
    ``render_env_index`` (default 0) to a spawned Rerun viewer on every reset and step.
    Trails are kept only when a render mode is set (only for the rendered sub-env(s)).

    Per-step hooks are not called by the batched env (their cost with no listener is zero).
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": list(RENDER_MODES), "render_fps": 50}

    def __init__(self, num_envs: int = 1, config: SimHopsConfig | str | Path | None = None,
                 overrides: Sequence[str] = (), autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
                 callback: AbstractCallback | None = None, record_histories: bool = False,
                 render_mode: str | None = None, render_env_index: int | None = 0, render_width: int = 320,
                 render_height: int = 240, render_camera: str = "chase", **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"SimHopsVectorEnv got unexpected arguments {sorted(kwargs)}")
        if not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
            raise ValueError(f"num_envs must be an int >= 1 (got {num_envs!r})")
        self.render_mode = validate_render_mode(render_mode)
        if render_env_index is not None and not (isinstance(render_env_index, (int, np.integer))
                                                 and 0 <= render_env_index < num_envs):
            raise ValueError(f"render_env_index must be None or an int in [0, {num_envs - 1}], got {render_env_index!r}")
        if render_mode == "human" and render_env_index is None:
            render_env_index = 0
        self.render_env_index = None if render_env_index is None else int(render_env_index)
        mode = AutoresetMode(autoreset_mode)
        if mode == AutoresetMode.DISABLED:
            raise ValueError("autoreset_mode must be NEXT_STEP or SAME_STEP (DISABLED is not supported)")
        self.metadata = {**self.metadata, "autoreset_mode": mode}
        self.autoreset_mode = mode
        self.config = resolve_config(config, overrides)
        self.num_envs = int(num_envs)
        self.physics = PhysicsParams.from_config(self.config)
        self.builder = ScenarioBuilder(self.config, self.physics)
        self.action_mode = self.config.env.action_mode
        self._mode_id = ACTION_MODES[self.action_mode]
        self.n_obs_waypoints = self.config.env.n_obs_waypoints
        self._phys = self.physics.as_array()
        self._course = self.builder.course_params
        self._reward = reward_params(self.config)
        self.single_action_space = spaces.Box(-1.0, 1.0, shape=(4,), dtype=np.float32)
        self.single_observation_space = policy_observation_space(self.n_obs_waypoints)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        sc = self.config.scenario
        self.max_episode_steps = int(round(sc.duration_s * sc.control_hz))  # get_number_of_iterations() - 1
        n, k, d = self.num_envs, sc.n_waypoints, obs_dim(self.n_obs_waypoints)
        self._parallel = self.num_envs >= _PARALLEL_MIN_ENVS
        self._step_kernel = vector_step if self._parallel else vector_step_serial
        self._reset_kernel = vector_reset if self._parallel else vector_reset_serial
        # state arrays
        self.states = np.zeros((n, STATE_DIM))
        self.waypoints = np.zeros((n, k, 3))
        self.n_waypoints = np.full(n, k, dtype=np.int64)
        self.active = np.zeros(n, dtype=np.int64)
        self.prev_dist = np.zeros(n)
        self.episode_step = np.zeros(n, dtype=np.int64)
        self.last_action = np.zeros((n, 4))
        self._rng = np.zeros(n, dtype=np.uint64)
        self._needs_reset = np.zeros(n, dtype=bool)
        # outputs
        self._obs = np.zeros((n, d), dtype=np.float32)
        self._rew = np.zeros(n)
        self._term = np.zeros(n, dtype=bool)
        self._trunc = np.zeros(n, dtype=bool)
        self._final_obs = np.zeros((n, d), dtype=np.float32)
        self._final_active = np.zeros(n, dtype=np.int64)
        self._final_crash = np.zeros(n, dtype=np.int64)
        self._final_steps = np.zeros(n, dtype=np.int64)
        self.final_states = np.zeros((n, STATE_DIM))
        self._reset_mask = np.zeros(n, dtype=bool)
        self._all = np.ones(n, dtype=bool)
        self._seeded = False
        self.callback = callback
        self._recorder = (EpisodeRecorder(self, callback) if (record_histories or callback is not None) else None)
        self.metadata["render_fps"] = sc.control_hz
        self._renderer: EnvRenderer | None = None
        self._trails: TrailBuffer | None = None
        self._render_mask = np.zeros(n, dtype=bool)
        if render_mode is not None:
            self._renderer = EnvRenderer(render_mode, render_width, render_height, render_camera,
                                         arm_length_m=self.physics.airframe.arm_m)
            self._trails = TrailBuffer(n, capacity=min(self.max_episode_steps + 1, TRAIL_POINTS))
            if self.render_env_index is None:
                self._render_mask[:] = True
            else:
                self._render_mask[self.render_env_index] = True

    # -- Gymnasium VectorEnv API ------------------------------------------------------------
    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None):
        """Reset all sub-envs (or those in ``options["reset_mask"]``).

        ``seed``: an int (sub-env i gets ``seed + i``) or a list of N seeds/None.
        """
        n = self.num_envs
        first = seed if isinstance(seed, (int, np.integer)) or seed is None else seed[0]
        super().reset(seed=None if first is None else int(first))  # self.np_random: only for action sampling
        if seed is None:
            seeds: list[int | None] = [None] * n
        elif isinstance(seed, (int, np.integer)):
            seeds = [int(seed) + i for i in range(n)]
        else:
            seeds = list(seed)
            if len(seeds) != n:
                raise ValueError(f"seed must be an int or a list of {n} seeds (got {len(seeds)})")
        mask = self._all if not options or "reset_mask" not in options else np.asarray(options["reset_mask"], bool)
        if mask.shape != (n,):
            raise ValueError(f"options['reset_mask'] must have shape ({n},), got {mask.shape}")
        for i, s in enumerate(seeds):
            if s is not None or not self._seeded:
                # the same derivation as WaypointsEnv.reset: one draw from a generator seeded like np_random
                gen, _ = seeding.np_random(s)
                self._rng[i] = np.uint64(gen.integers(0, 2**63))
        self._seeded = True
        with np.errstate(over="ignore"):  # uint64 RNG wrap-around (only visible with NUMBA_DISABLE_JIT=1)
            self._reset_kernel(mask, self._rng, self._course, self._phys, self.n_obs_waypoints, self.states,
                               self.waypoints, self.n_waypoints, self.active, self.prev_dist, self.episode_step,
                               self.last_action, self._obs)
        self._needs_reset[mask] = False
        if self._recorder is not None:
            self._recorder.on_reset(mask)
        if self._trails is not None:
            self._record_trails(mask)
        return self._obs.copy(), self._infos(None)

    def step(self, actions):
        a = np.asarray(actions, dtype=np.float64)
        if a.shape != (self.num_envs, 4):
            raise ValueError(f"actions must have shape ({self.num_envs}, 4) with values in [-1, 1], got {a.shape}")
        if not np.isfinite(a).all():
            bad = np.argwhere(~np.isfinite(a))[:5].tolist()
            raise ValueError(f"actions must be finite, with values in [-1, 1]; non-finite at [env, index] {bad}")
        if not self._seeded:
            raise RuntimeError("call reset() before step()")
        before = self.episode_step.copy() if self._recorder is not None else None
        with np.errstate(over="ignore"):  # uint64 RNG wrap-around in resets (only with NUMBA_DISABLE_JIT=1)
            self._step_kernel(a, self._mode_id, self._phys, self._course, self._reward, self.n_obs_waypoints,
                              self.max_episode_steps, self.autoreset_mode == AutoresetMode.SAME_STEP, self._rng,
                              self.states, self.waypoints, self.n_waypoints, self.active, self.prev_dist,
                              self.episode_step, self.last_action, self._needs_reset, self._obs, self._rew,
                              self._term, self._trunc, self._final_obs, self._final_active, self._final_crash,
                              self._final_steps, self.final_states, self._reset_mask)
        done = self._term | self._trunc
        infos = self._infos(done)
        if self._recorder is not None:
            self._recorder.on_step(before, a, done, infos)
        if self._trails is not None:
            self._record_trails(self._reset_mask)
        return self._obs.copy(), self._rew.copy(), self._term.copy(), self._trunc.copy(), infos

    # -- rendering ----------------------------------------------------------------------------
    def _record_trails(self, restarted: np.ndarray) -> None:
        """Trail upkeep of the rendered sub-envs; ``restarted``: those that began a new episode."""
        self._trails.clear(restarted & self._render_mask)
        if self.render_env_index is not None and restarted[self.render_env_index]:
            self._renderer.reset()
        self._trails.append(self.states[:, 0:3], self._render_mask)
        if self.render_mode == "human" and self.render_env_index is not None:
            self.render()

    def render_env(self, index: int):
        """Sub-env ``index``'s frame ((render_height, render_width, 3) uint8; None in "human" mode).

        Raises:
            RuntimeError: no render mode, or called before ``reset()``.
            ValueError: ``index`` is not a rendered sub-env (``render_env_index``, or any when it is None).
        """
        if self._renderer is None:
            raise RuntimeError("render_env() needs render_mode='rgb_array' or 'human' at construction")
        if not self._seeded:
            raise RuntimeError("call reset() before render()")
        if not (isinstance(index, (int, np.integer)) and 0 <= index < self.num_envs and self._render_mask[index]):
            raise ValueError(f"index must be a rendered sub-env (render_env_index={self.render_env_index}), "
                             f"got {index!r}")
        i = int(index)
        if self.render_env_index is None:  # frames of several sub-envs: no chase-camera smoothing across them
            self._renderer.reset()
        sc = self.config.scenario
        wps = self.waypoints[i, :self.n_waypoints[i]]
        return self._renderer.render(self.states[i, 0:3], self.states[i, 3:7], wps, int(self.active[i]),
                                     self._trails.trail(i), sc.reach_radius_m, sc.dome_radius_m,
                                     time_s=float(self.episode_step[i]) / sc.control_hz)

    def render(self) -> tuple[Any, ...] | None:
        """Frames of the rendered sub-envs (see the class docstring, "Rendering"); None without a render mode."""
        if self._renderer is None:
            return EnvRenderer.warn_no_mode()
        if self.render_mode == "human":
            self.render_env(self.render_env_index)
            return None
        if self.render_env_index is not None:
            return (self.render_env(self.render_env_index),)
        return tuple(self.render_env(i) for i in range(self.num_envs))

    def _infos(self, done: np.ndarray | None) -> dict[str, Any]:
        n = self.num_envs
        infos: dict[str, Any] = {
            "waypoints_reached": self.active.copy(), "_waypoints_reached": self._all.copy(),
            "is_success": self.active >= self.n_waypoints, "_is_success": self._all.copy(),
            "episode_step": self.episode_step.copy(), "_episode_step": self._all.copy(),
        }
        if done is None or not done.any():
            return infos
        if self.autoreset_mode == AutoresetMode.SAME_STEP:
            final_obs = np.full(n, None, dtype=object)
            idx = np.flatnonzero(done)
            for i in idx:
                final_obs[i] = self._final_obs[i].copy()
            infos["final_obs"] = final_obs
            infos["_final_obs"] = done.copy()
            infos["final_info"] = {
                "waypoints_reached": np.where(done, self._final_active, 0), "_waypoints_reached": done.copy(),
                "is_success": done & (self._final_active >= self.n_waypoints), "_is_success": done.copy(),
                "crash": np.where(done, self._final_crash, 0).astype(np.int8), "_crash": done.copy(),
                "episode_step": np.where(done, self._final_steps, 0), "_episode_step": done.copy(),
            }
            infos["_final_info"] = done.copy()
        else:
            infos["crash"] = np.where(done, self._final_crash, 0).astype(np.int8)
            infos["_crash"] = done.copy()
        return infos

    @staticmethod
    def crash_name(code: int) -> str:
        """"none", "ground", "dome" or "non_finite"."""
        return CRASH_NAMES[int(code)]

    def close_extras(self, **kwargs: Any) -> None:
        if self._recorder is not None:
            self._recorder.close()
        if self._renderer is not None:
            self._renderer.close()
