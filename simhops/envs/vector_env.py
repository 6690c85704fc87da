"""SimHopsVectorEnv: N drones stepped by one fused numba kernel call."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable, Sequence

import numba
import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from gymnasium.vector import VectorEnv
from gymnasium.vector.utils import batch_space
from gymnasium.vector.vector_env import AutoresetMode

from simhops.config import SimHopsConfig
from simhops.config.memory import require_memory, vector_env_bytes
from simhops.dynamics.kernels.layout import P_WIND_X, P_WIND_Z, STATE_DIM
from simhops.dynamics.kernels.vector_step import (
    disturbance_arrays,
    vector_reset,
    vector_reset_serial,
    vector_step,
    vector_step_serial,
)
from simhops.dynamics.physics.plant_params import plant_params_from_rows
from simhops.envs.actions import as_actions
from simhops.envs.env_info import crash_name
from simhops.envs.env_params import EnvParams
from simhops.envs.episode_recorder import EpisodeRecorder
from simhops.envs.vector_step_record import VectorStepRecord
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.observation.policy_observation import policy_observation_space
from simhops.simulation.observation.privileged_observation import privileged_features
from simhops.viz.renderer_env import RENDER_MODES, TRAIL_POINTS, EnvRenderer, validate_render_mode
from simhops.viz.renderer_trail import TrailBuffer

_PARALLEL_MIN_ENVS = 64


def _read_only(a: np.ndarray) -> np.ndarray:
    """``a`` itself (an array this env made for one record), marked read-only."""
    a.flags.writeable = False
    return a



def _kernel_errstate():
    """Silence numpy's overflow warning for the uint64 RNG arithmetic when the kernels run as Python
    (``NUMBA_DISABLE_JIT=1``); compiled, there is nothing to silence (and ``np.errstate`` costs ~1 us a step)."""
    return np.errstate(over="ignore") if numba.config.DISABLE_JIT else contextlib.nullcontext()

class SimHopsVectorEnv(VectorEnv):
    """``num_envs`` independent :class:`~simhops.envs.waypoints_env.WaypointsEnv` copies in arrays.

    Same spaces, rewards, starting states and episode ends as the single env (see its
    docstring); sub-env ``i`` seeded with ``seed + i`` follows exactly the trajectory of
    a single env seeded with ``seed + i`` under the same actions (same kernels).

    Each sub-env has its own episode clock (``episode_step[i]``, its time-controller
    index); ``truncated[i]`` is true exactly when it reaches the scenario's
    ``get_number_of_iterations() - 1`` (``max_episode_steps``, from the same
    :class:`~simhops.envs.env_params.EnvParams` as the single env).

    ## Autoreset (``metadata["autoreset_mode"]``)
    | mode | behaviour |
    |---|---|
    | ``NEXT_STEP`` (default, Gymnasium's) | the step after an episode ends resets that sub-env: its action is ignored, reward 0, flags False |
    | ``SAME_STEP`` (used by the SB3 adapter) | a finished sub-env is reset inside the same step; ``infos["final_obs"]`` (object array, None where not final) and ``infos["final_info"]`` hold the last observation / info |

    ## Infos (arrays of length N, with ``_key`` masks)
    The single env's keys (:mod:`simhops.envs.env_info`): ``waypoints_reached`` (int64),
    ``is_success`` (bool), ``crash`` (int8 code: 0 none, 1 ground, 2 dome, 3 non-finite),
    ``episode_step`` (int64), every step. In NEXT_STEP mode a finished sub-env's entries
    are its final values; in SAME_STEP mode they describe the new episode and
    ``final_info`` holds the final ones. When recording, ``simulation_history``
    (object array, None where no episode ended) sits in ``final_info`` (SAME_STEP) or
    the infos (NEXT_STEP).

    ## Reset
    ``reset(seed=None | int >= 0 | sequence of N ints >= 0 or None, options=None | {"reset_mask": (N,) bool})``;
    any other option key is rejected.
    With disturbances or domain randomization on, every call that starts episodes (``reset``,
    and ``step`` when sub-envs were autoreset) adds ``plant_params`` (privileged: each
    sub-env's sampled plant, a dict of arrays of length N, see :meth:`plant_params`) with the
    mask ``_plant_params`` marking the sub-envs whose new episode it describes (in ``step`` the
    other entries are 0; in SAME_STEP mode it sits in the top-level infos, which describe the
    new episodes).

    ## Privileged observation
    With ``env.privileged_plant_params: true`` every observation (and ``final_obs``) has the
    single env's 22 privileged entries appended (the episode's normalized true plant,
    :func:`~simhops.simulation.observation.privileged_observation.privileged_features`), with
    the same numbers as the single env.

    ## Episode config (curriculum)
    :meth:`set_episode_config` swaps the course (hop lengths, altitude band, start), episode
    duration, disturbance and randomization settings for the episodes that start afterwards (a
    training curriculum's level, :mod:`simhops.train.curriculum`); changes of shapes, the policy
    interface, the plant or the disturbed kernel path are refused (:meth:`check_episode_config`).

    ## Arguments
    | argument | meaning |
    |---|---|
    | ``num_envs`` | N >= 1 |
    | ``config`` / ``overrides`` | as for WaypointsEnv |
    | ``autoreset_mode`` | ``AutoresetMode`` or its string value |
    | ``callback`` | simulation callback receiving ``on_simulation_start/end`` per finished episode (requires recording) |
    | ``record_histories`` | keep per-env trajectories and put the finished episode's ``SimulationHistory`` into ``infos["final_info"]["simulation_history"]`` (memory: N x steps x 22 doubles) |
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
    ``on_record`` (settable attribute, default None): called with each call's
    :class:`~simhops.envs.vector_step_record.VectorStepRecord` (building it costs a few
    array copies, so it is only built when recording or listening).

    Raises:
        ValueError: ``num_envs`` < 1 or so large that the buffers exceed the available memory
            (the message gives the bytes needed), bad ``render_mode`` / ``autoreset_mode``.
        ConfigError: invalid config (names the key).
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": list(RENDER_MODES), "render_fps": 50}

    def __init__(self, num_envs: int = 1, config: SimHopsConfig | str | Path | None = None,
                 overrides: Sequence[str] = (), autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
                 callback: AbstractCallback | None = None, record_histories: bool = False,
                 render_mode: str | None = None, render_env_index: int | None = 0, render_width: int = 320,
                 render_height: int = 240, render_camera: str = "chase", **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"SimHopsVectorEnv got unexpected arguments {sorted(kwargs)}")
        if not isinstance(num_envs, (int, np.integer)) or isinstance(num_envs, bool) or num_envs < 1:
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
        self.params = params = EnvParams.from_config(config, overrides)
        self.config = params.config
        self.num_envs = n = int(num_envs)
        recording = record_histories or callback is not None
        k, d = params.n_waypoints, params.obs_dim
        require_memory(vector_env_bytes(n, params.number_of_iterations, k, d, recording),
                       f"num_envs={n} (x {params.number_of_iterations} iterations per episode"
                       + (", recording histories)" if recording else ")"),
                       "lower num_envs, scenario.duration_s or scenario.control_hz"
                       + (", or record no histories" if recording else ""))
        self._use_episode_params(params)
        self.action_mode = params.action_mode
        self._mode_id = params.mode_id
        self.n_obs_waypoints = params.n_obs_waypoints
        self._reward = params.reward
        self.single_action_space = spaces.Box(-1.0, 1.0, shape=(4,), dtype=np.float32)
        self.privileged_plant_params = params.privileged_plant_params
        self.single_observation_space = policy_observation_space(self.n_obs_waypoints, self.privileged_plant_params)
        self.action_space = batch_space(self.single_action_space, n)
        self.observation_space = batch_space(self.single_observation_space, n)
        self._parallel = n >= _PARALLEL_MIN_ENVS
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
        # disturbances / domain randomization: per-slot plant rows, gusts, latency FIFOs (issue 8)
        self._dist = disturbance_arrays(n, self._phys, self.physics.rand_array(), self.physics.disturbed,
                                        self.physics.randomize)
        self._needs_reset = np.zeros(n, dtype=bool)
        self._privileged = (privileged_features(self._dist.rows, self._phys) if self.privileged_plant_params
                            else None)
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
        self._none = np.zeros(n, dtype=bool)
        self._seeded = False
        self.callback = callback
        self.on_record: Callable[[VectorStepRecord], None] | None = None
        # read-only views of the buffers the step records expose (made once; the buffers change in place)
        self._ro = {name: _read_only(getattr(self, attr).view()) for name, attr in (
            ("states", "states"), ("waypoints", "waypoints"), ("active", "active"), ("episode_step", "episode_step"),
            ("reset_mask", "_reset_mask"), ("none", "_none"))}
        self._recorder = (EpisodeRecorder(params.builder, params.physics, params.action_mode, n, callback)
                          if recording else None)
        self.metadata = {**self.metadata, "render_fps": self.config.scenario.control_hz}
        self._capacity_iterations = params.number_of_iterations  # what the recorder buffers hold
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

        ``seed``: None, an int >= 0 (sub-env i gets ``seed + i``) or a sequence of N ints >= 0 / None.

        Raises:
            ValueError: a bad ``seed`` (not an int >= 0, wrong length), an unknown ``options`` key, or a
                ``reset_mask`` of the wrong shape (the message names the argument).
        """
        n = self.num_envs
        seeds = self._seeds(seed)
        mask = self._reset_options(options)
        first = seeds[0]
        super().reset(seed=first)  # self.np_random: only for action sampling
        for i, s in enumerate(seeds):
            if s is not None or not self._seeded:
                # the same derivation as WaypointsEnv.reset: one draw from a generator seeded like np_random
                gen, _ = seeding.np_random(s)
                self._rng[i] = np.uint64(gen.integers(0, 2**63))
        self._seeded = True
        listening = self._recorder is not None or self.on_record is not None
        rng_before = self._rng.copy() if listening else None
        with np.errstate(over="ignore"):  # uint64 RNG wrap-around (only visible with NUMBA_DISABLE_JIT=1)
            self._reset_kernel(mask, self._rng, self._course, self._phys, self._dist, self._mode_id,
                               self.n_obs_waypoints, self.states,
                               self.waypoints, self.n_waypoints, self.active, self.prev_dist, self.episode_step,
                               self.last_action, self._obs)
        self._needs_reset[mask] = False
        if listening:
            ro = self._ro
            zeros = _read_only(np.zeros(n, dtype=np.int64))
            record = VectorStepRecord(
                stepped=ro["none"], step_index=ro["episode_step"], actions=_read_only(np.zeros((n, 4))),
                states=ro["states"], waypoints_reached=ro["active"], done=ro["none"], crash=zeros,
                episode_steps=zeros, started=mask, start_states=ro["states"], waypoints=ro["waypoints"],
                course_rng=_read_only(rng_before), **self._wind_record())
            if self._recorder is not None:
                self._recorder.on_reset(record)
            if self.on_record is not None:
                self.on_record(record)
        if self._trails is not None:
            self._record_trails(mask)
        if self._privileged is not None:
            self._privileged = privileged_features(self._dist.rows, self._phys)
        infos = self._infos(None)
        if self._dist.enabled:
            infos["plant_params"] = self.plant_params()
            infos["_plant_params"] = mask.copy()
        return self._observations(), infos

    def _observations(self) -> np.ndarray:
        """A copy of the kernel's observations, with the privileged entries when configured."""
        if self._privileged is None:
            return self._obs.copy()
        return np.concatenate((self._obs, self._privileged), axis=1)

    def _new_plant_params(self, mask: np.ndarray) -> dict[str, np.ndarray]:
        """:meth:`plant_params` of the sub-envs in ``mask``, zeros elsewhere (computed on those rows only)."""
        out = {}
        for key, v in plant_params_from_rows(self._dist.rows[mask]).items():
            a = np.zeros((self.num_envs, *v.shape[1:]), dtype=v.dtype)
            a[mask] = v
            out[key] = a
        return out

    def plant_params(self) -> dict[str, np.ndarray]:
        """Each sub-env's current episode plant / disturbance parameters (privileged; arrays of length N)."""
        return plant_params_from_rows(self._dist.rows)

    def _seeds(self, seed: Any) -> list[int | None]:
        n = self.num_envs

        def one(s: Any, what: str) -> int | None:
            if s is None:
                return None
            if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or s < 0:
                raise ValueError(f"{what} must be None or an int >= 0 (got {s!r})")
            return int(s)

        if seed is None or isinstance(seed, (int, np.integer, float, np.floating, bool, np.bool_, str)):
            first = one(seed, "seed")
            return [None] * n if first is None else [first + i for i in range(n)]
        try:
            seeds = list(seed)
        except TypeError:
            raise ValueError(f"seed must be None, an int >= 0 or a sequence of {n} of them "
                             f"(got {type(seed).__name__})") from None
        if len(seeds) != n:
            raise ValueError(f"seed must be an int or a sequence of {n} seeds (got {len(seeds)})")
        return [one(s, f"seed[{i}]") for i, s in enumerate(seeds)]

    def _reset_options(self, options: dict[str, Any] | None) -> np.ndarray:
        if not options:
            return self._all
        if not isinstance(options, dict):
            raise ValueError(f"options must be a dict or None (got {type(options).__name__})")
        unknown = sorted(map(str, set(options) - {"reset_mask"}))
        if unknown:
            raise ValueError(f"unknown reset option(s) {unknown}; the vector env accepts only 'reset_mask'")
        mask = np.asarray(options["reset_mask"])
        if mask.dtype != np.bool_ or mask.shape != (self.num_envs,):
            raise ValueError(f"options['reset_mask'] must be a bool array of shape ({self.num_envs},), "
                             f"got {mask.dtype} {mask.shape}")
        return mask

    def step(self, actions):
        """Step every sub-env (see the class docstring for autoreset and infos).

        Raises:
            ValueError: ``actions`` not real numbers of shape (N, 4), or not finite.
            RuntimeError: called before ``reset``.
        """
        a = as_actions(actions, (self.num_envs, 4), "actions")
        if not self._seeded:
            raise RuntimeError("call reset() before step()")
        listening = self._recorder is not None or self.on_record is not None
        if listening:
            before = self.episode_step.copy()
            rng_before = self._rng.copy()
        same_step = self.autoreset_mode == AutoresetMode.SAME_STEP
        with _kernel_errstate():  # uint64 RNG wrap-around in resets (only with NUMBA_DISABLE_JIT=1)
            self._step_kernel(a, self._mode_id, self._phys, self._dist, self._course, self._reward, self.n_obs_waypoints,
                              self.max_episode_steps, same_step, self._rng,
                              self.states, self.waypoints, self.n_waypoints, self.active, self.prev_dist,
                              self.episode_step, self.last_action, self._needs_reset, self._obs, self._rew,
                              self._term, self._trunc, self._final_obs, self._final_active, self._final_crash,
                              self._final_steps, self.final_states, self._reset_mask)
        done = self._term | self._trunc
        restarted = self._reset_mask.any()
        infos = self._infos(done, self._privileged)  # final_obs: the finished episodes' privileged rows
        if restarted and self._privileged is not None:  # then the new episodes' rows (only those change)
            self._privileged[self._reset_mask] = privileged_features(self._dist.rows[self._reset_mask], self._phys)
        if restarted and self._dist.enabled:  # the plant of every new episode, also after autoresets
            infos["plant_params"] = self._new_plant_params(self._reset_mask)
            infos["_plant_params"] = self._reset_mask.copy()
        if listening:
            ro = self._ro
            record = VectorStepRecord(
                stepped=_read_only(~self._reset_mask | done), step_index=_read_only(before), actions=a,
                states=(_read_only(np.where(done[:, None], self.final_states, self.states)) if same_step
                        else ro["states"]),
                waypoints_reached=_read_only(np.where(done, self._final_active, self.active)),
                done=_read_only(done.copy()), crash=_read_only(np.where(done, self._final_crash, 0)),
                episode_steps=_read_only(np.where(done, self._final_steps, 0)), started=ro["reset_mask"],
                start_states=ro["states"], waypoints=ro["waypoints"], course_rng=_read_only(rng_before),
                **self._wind_record())
            if self._recorder is not None:
                histories = self._recorder.on_step(record)
                if histories is not None:
                    target = infos["final_info"] if same_step else infos
                    target["simulation_history"] = histories
                    target["_simulation_history"] = done.copy()
            if self.on_record is not None:
                self.on_record(record)
        if self._trails is not None:
            self._record_trails(self._reset_mask)
        return self._observations(), self._rew.copy(), self._term.copy(), self._trunc.copy(), infos

    # -- episode config (curriculum) -----------------------------------------------------------
    #: config sections / keys :meth:`set_episode_config` may change (the rest must stay equal, except the
    #: sections the env does not read: seed, output_dir, simulation, train, callbacks, visualization)
    EPISODE_CONFIG_KEYS: tuple[str, ...] = (
        "scenario.duration_s", "scenario.min_altitude_m", "scenario.max_altitude_m", "scenario.hop_min_m",
        "scenario.hop_max_m", "scenario.start_position_m", "disturbances", "randomization")
    _IGNORED_SECTIONS = ("seed", "output_dir", "simulation", "train", "callbacks", "visualization")

    def check_episode_config(self, config: SimHopsConfig) -> EnvParams:
        """The packed ``config`` if :meth:`set_episode_config` can apply it, else raise.

        Raises:
            ValueError: ``config`` changes a key outside :attr:`EPISODE_CONFIG_KEYS` (names the first
                one: e.g. ``scenario.n_waypoints``, ``env.*``, ``physics.*``, ``reward.*``,
                ``scenario.reach_radius_m`` / ``dome_radius_m``, which running episodes read), turns
                disturbances / randomization on where this env was built without them (the kernel path
                is fixed at construction: build the env with the hardest config), or (when recording
                histories) needs more steps per episode than the recorder was built for.
            TypeError: ``config`` is not a SimHopsConfig.
        """
        if not isinstance(config, SimHopsConfig):
            raise TypeError(f"config must be a SimHopsConfig (got {type(config).__name__})")
        old, new = self.config.model_dump(mode="json"), config.model_dump(mode="json")

        def allowed(key: str) -> bool:
            return any(key == a or key.startswith(a + ".") for a in self.EPISODE_CONFIG_KEYS)

        def diff(a: Any, b: Any, key: str) -> str | None:
            if isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b):
                for k in a:
                    sub = f"{key}.{k}" if key else k
                    if key == "" and k in self._IGNORED_SECTIONS:
                        continue
                    found = diff(a[k], b[k], sub)
                    if found is not None:
                        return found
                return None
            return None if a == b or allowed(key) else key

        bad = diff(old, new, "")
        if bad is not None:
            raise ValueError(f"{bad}: cannot change while the env runs (it changes array shapes, the policy "
                             f"interface or running episodes); changeable: {list(self.EPISODE_CONFIG_KEYS)}")
        params = EnvParams.from_config(config)
        if params.physics.disturbed and not self._dist.enabled:
            raise ValueError("disturbances / randomization: this env was built without them, so its kernels "
                             "skip the disturbed path; build it with the hardest config and lower it instead")
        if params.physics.randomize and not self._dist.randomize:
            raise ValueError("randomization: this env was built without domain randomization, so its kernels "
                             "skip the draws; build it with the hardest config and lower it instead")
        if self._recorder is not None and params.number_of_iterations > self._capacity_iterations:
            raise ValueError(f"scenario.duration_s: {config.scenario.duration_s} s needs "
                             f"{params.number_of_iterations} iterations, the episode recorder holds "
                             f"{self._capacity_iterations}; build the env with the longest duration")
        return params

    def set_episode_config(self, config: SimHopsConfig) -> None:
        """Use ``config``'s course, disturbance and randomization settings for the episodes that start
        after this call (a curriculum's difficulty level; see :attr:`EPISODE_CONFIG_KEYS`).

        Swaps what the in-kernel resets read: the course parameters (hop lengths, altitude band, start
        position), the nominal plant row's disturbance entries (wind, gusts, noise, latency, motor
        noise) and the randomization spec. Running episodes finish with the plant row they drew; the
        episode time limit (``scenario.duration_s``) applies to every sub-env from the next step (an
        episode already past a shorter limit ends, truncated, at its next step). Which kernel path runs
        (``dist.enabled`` / ``dist.randomize``) stays as built; an env built without the disturbed path
        (constant wind at most) steps every episode with the nominal row, so there a wind change reaches
        running episodes at the next step. With the privileged observation on, new
        episodes' privileged entries are normalized by the new nominal row. Recorded histories of
        episodes that end after the call carry the new scenario settings.

        Raises:
            ValueError, TypeError: see :meth:`check_episode_config` (nothing is changed then).
        """
        params = self.check_episode_config(config)
        self.params = params
        self.config = params.config
        self._use_episode_params(params)
        self._dist = self._dist._replace(rand=np.ascontiguousarray(params.physics.rand_array(), dtype=np.float64))
        if self._recorder is not None:
            self._recorder.builder = params.builder

    def _use_episode_params(self, params: EnvParams) -> None:
        """What the in-kernel resets and steps read per episode: physics, scenarios, nominal row, course, time limit."""
        self.physics = params.physics
        self.builder = params.builder
        self._phys = params.phys
        self._course = params.course
        self.max_episode_steps = params.max_episode_steps

    def _wind_record(self) -> dict[str, np.ndarray]:
        """``wind`` (of the last step), ``start_wind`` and ``plant_rows`` of a :class:`VectorStepRecord`."""
        n = self.num_envs
        if self._dist.enabled:
            rows = self._dist.rows
            return {"wind": self._dist.wind.copy(), "start_wind": rows[:, P_WIND_X:P_WIND_Z + 1] + self._dist.gust,
                    "plant_rows": rows.copy()}
        const = np.broadcast_to(self._phys[P_WIND_X:P_WIND_Z + 1], (n, 3))
        return {"wind": const, "start_wind": const, "plant_rows": np.broadcast_to(self._phys, (n, self._phys.shape[0]))}

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

    def _infos(self, done: np.ndarray | None, privileged_before: np.ndarray | None = None) -> dict[str, Any]:
        n = self.num_envs
        any_done = done is not None and done.any()
        crash = np.zeros(n, dtype=np.int8)
        if any_done and self.autoreset_mode == AutoresetMode.NEXT_STEP:
            crash[done] = self._final_crash[done]
        infos: dict[str, Any] = {
            "waypoints_reached": self.active.copy(), "_waypoints_reached": self._all.copy(),
            "is_success": self.active >= self.n_waypoints, "_is_success": self._all.copy(),
            "crash": crash, "_crash": self._all.copy(),
            "episode_step": self.episode_step.copy(), "_episode_step": self._all.copy(),
        }
        if not any_done or self.autoreset_mode != AutoresetMode.SAME_STEP:
            return infos
        final_obs = np.full(n, None, dtype=object)
        idx = np.flatnonzero(done)
        rows = (self._final_obs[idx] if privileged_before is None  # one copy; each entry a row view of it
                else np.concatenate((self._final_obs[idx], privileged_before[idx]), axis=1))
        for j, i in enumerate(idx.tolist()):
            final_obs[i] = rows[j]
        infos["final_obs"] = final_obs
        infos["_final_obs"] = done.copy()
        infos["final_info"] = {
            "waypoints_reached": np.where(done, self._final_active, 0), "_waypoints_reached": done.copy(),
            "is_success": done & (self._final_active >= self.n_waypoints), "_is_success": done.copy(),
            "crash": np.where(done, self._final_crash, 0).astype(np.int8), "_crash": done.copy(),
            "episode_step": np.where(done, self._final_steps, 0), "_episode_step": done.copy(),
        }
        infos["_final_info"] = done.copy()
        return infos

    @staticmethod
    def crash_name(code: int) -> str:
        """"none", "ground", "dome" or "non_finite" (see :func:`simhops.envs.env_info.crash_name`)."""
        return crash_name(code)

    def close_extras(self, **kwargs: Any) -> None:
        if self._recorder is not None:
            self._recorder.close()
        if self._renderer is not None:
            self._renderer.close()
