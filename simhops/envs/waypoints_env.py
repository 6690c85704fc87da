"""WaypointsEnv: one drone, one course, as a Gymnasium environment over the closed loop."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.error import ResetNeeded

from simhops.config import SimHopsConfig
from simhops.config.memory import HISTORY_BYTES_PER_ITERATION, require_memory
from simhops.dynamics.kernels.reward import reward_one
from simhops.envs.actions import as_real_array
from simhops.envs.agent_planner import AgentPlanner
from simhops.envs.env_params import EnvParams
from simhops.scenario.scenario import Scenario
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.observation.course_observation import CourseProgress
from simhops.simulation.observation.policy_observation import compute_policy_observation, policy_observation_space
from simhops.simulation.observation.privileged_observation import privileged_features
from simhops.simulation.planner.abstract_planner import PlannerInput
from simhops.simulation.simulation import Simulation
from simhops.simulation.simulation_setup import build_simulation_setup
from simhops.viz.renderer_env import RENDER_MODES, TRAIL_POINTS, EnvRenderer, validate_render_mode

__all__ = ["WaypointsEnv"]

logger = logging.getLogger(__name__)

#: the keys ``reset(options=...)`` accepts
RESET_OPTIONS = ("scenario",)


@contextmanager
def _end_hook(fn: Callable[[], None], name: str) -> Iterator[None]:
    """Call the end hook ``fn`` on exit, also when the block raised (then a second error from ``fn``
    is logged and the first one kept), so start/end hooks stay paired as in the simulation runner."""
    try:
        yield
    except BaseException:
        try:
            fn()
        except Exception:  # noqa: BLE001 - keep the original failure
            logger.exception("%s raised while the step was already failing; keeping the original error", name)
        raise
    fn()


class WaypointsEnv(gym.Env):
    """Fly a quadrotor through a course of 3D waypoints, in order.

    The env is nuPlan's closed loop with the agent as the planner: ``reset`` builds a
    :class:`SimulationSetup` and calls :meth:`Simulation.initialize`; ``step`` turns
    the action into a :class:`DroneCommand`, calls ``propagate`` and reads the next
    :class:`PlannerInput`. Frames: world ENU (z up), body FLU; SI units.

    ## Action space
    ``Box(-1, 1, (4,), float32)``; out-of-range values are clipped; non-finite values, complex numbers,
    strings and bools raise ``ValueError``.

    | mode | index | meaning | maps to |
    |---|---|---|---|
    | ``ctbr`` (default) | 0 | collective thrust | ``(a + 1) / 2 * 4 T_max`` N (0 .. 0.48 N for cf2x, thrust-to-weight 1.81) |
    | | 1, 2, 3 | body rates p, q, r | ``a * max_body_rate`` rad/s (default +-5, +-5, +-2) |
    | ``motor`` | 0..3 | thrust of motors m0..m3 | ``(a + 1) / 2 * T_max`` N (0 .. 0.12 N for cf2x) |

    ## Observation space
    ``Box(-1000, 1000, (3 * n_obs_waypoints + 20,), float32)`` (26 by default; 22 more with
    ``env.privileged_plant_params``), from
    :func:`~simhops.simulation.observation.policy_observation.compute_policy_observation`:

    | entries | content | frame | unit |
    |---|---|---|---|
    | 3 per upcoming waypoint | waypoint - drone position (active first; past the end, the last repeats) | body FLU | m |
    | 3 | velocity | body FLU | m/s |
    | 9 | rotation matrix body -> world, row-major | - | - |
    | 3 | body rates | body FLU | rad/s |
    | 4 | previous action | - | [-1, 1] |
    | 1 | distance to the active waypoint | - | m |
    | 22, only with ``env.privileged_plant_params: true`` | **privileged**: the episode's true plant, normalized (:mod:`~simhops.simulation.observation.privileged_observation`) | - | - |

    No absolute position (no altitude): everything is relative to the drone or in its body frame.

    The drone-state entries come from the *observed* state: with observation noise
    (``disturbances.obs_noise_*``) the true state plus noise, the same numbers a
    :class:`~simhops.simulation.planner.policy_planner.PolicyPlanner` gets from its
    ``PlannerInput`` in ``simhops eval``. The wind is not in the observation (it is in
    ``CourseProgress.wind_m_s`` and the history). The privileged entries (off by default) are
    information a real drone lacks, for asymmetric actor-critic training: a policy trained
    with them cannot be flown by ``PolicyPlanner``.

    ## Rewards
    | term | value (default weights) |
    |---|---|
    | progress | ``progress_weight`` (10 / m) x decrease of the distance to the active waypoint |
    | waypoint | ``waypoint_bonus`` (10) per waypoint reached |
    | completion | ``completion_bonus`` (0) when the last waypoint is reached |
    | crash | ``-crash_penalty`` (-10) |
    | body rates | ``-rate_penalty`` (0.001) x ``|omega|^2`` (rad/s)^2 |
    | tilt | ``-tilt_penalty`` (0.05) x ``(1 - cos tilt)`` |
    | action rate | ``-action_rate_penalty`` (0.02) x ``|a_t - a_{t-1}|^2`` (normalized actions) |
    | tilt limit | ``-tilt_limit_penalty`` (0) x ``max(0, cos tilt_limit_rad - cos tilt)``: a hinge, only tilts past ``tilt_limit_rad`` (0.9 rad) pay |
    | sink rate | ``-descent_speed_penalty`` (0) x ``max(0, -v_z - descent_speed_limit_m_s)`` (m/s, world z): a hinge, only descents faster than the limit (1.5 m/s) pay |
    | time | ``-time_penalty`` (0.002) per step: hovering beside a waypoint only loses reward, reaching it pays the bonus |

    ## Starting state
    Level hover at ``scenario.start_position_m`` (default (0, 0, 1) m), zero velocity and rates,
    motors at hover thrust. The course is a random one from the env's ``np_random``
    (``scenario.n_waypoints`` waypoints, hops of 1-3 m, altitude 0.5-3 m, inside the dome)
    or ``options["scenario"]`` (a :class:`Scenario`).

    ## Episode end
    | flag | when |
    |---|---|
    | ``terminated`` | all waypoints reached (success), or crash: below ground (z < 0), outside the flight dome (\\|p\\| > 5 m), non-finite state |
    | ``truncated`` | exactly when the time controller reaches its end: ``Scenario.get_number_of_iterations() - 1`` steps (``duration_s`` = 20 s, 1000 steps at 50 Hz) |

    ## Info
    The keys of :mod:`simhops.envs.env_info`, shared with the vector env: ``waypoints_reached``
    (int), ``is_success`` (bool), ``crash`` (int code: 0 none, 1 ground, 2 dome, 3 non-finite;
    names via :func:`~simhops.envs.env_info.crash_name`), ``episode_step`` (int, the time
    controller's iteration index). No wall-clock values (determinism).

    ## Reset options
    ``{"scenario": Scenario}`` only; other keys raise ``ValueError``.

    ## Callback hooks
    ``reset`` / ``step`` / ``close`` call the 8 hooks as the simulation runner does, every end
    hook in a ``finally`` once its start hook was called: a raising callback makes that call
    raise but leaves the env usable for the next ``reset`` / ``step``.

    ## Arguments
    | argument | meaning |
    |---|---|
    | ``config`` | :class:`SimHopsConfig`, a YAML path, or None for ``cfg_default.yaml`` |
    | ``overrides`` | ``dotted.key=value`` strings applied to a loaded config |
    | ``callback`` | an :class:`AbstractCallback` (e.g. ``MultiCallback``) receiving the 8 hooks |
    | ``render_mode`` | None, ``"rgb_array"`` (``render()`` returns a ``(render_height, render_width, 3)`` uint8 frame) or ``"human"`` (every reset/step streams to a spawned Rerun viewer); anything else raises :class:`~simhops.viz.renderer_env.UnsupportedRenderMode` (Gymnasium's ``UnsupportedMode``, also a ``ValueError``) |
    | ``render_width``, ``render_height`` | frame size in px (default 320 x 240) |
    | ``render_camera`` | ``"chase"`` (behind the drone, towards the active waypoint; default) or ``"iso"`` (fixed, whole course) |
    | ``history_in_info`` | put the finished episode's ``SimulationHistory`` in the last step's ``info["simulation_history"]`` (for the SB3 bridge) |
    """

    metadata = {"render_modes": list(RENDER_MODES), "render_fps": 50}

    def __init__(self, config: SimHopsConfig | str | Path | None = None, overrides: Sequence[str] = (),
                 callback: AbstractCallback | None = None, render_mode: str | None = None,
                 history_in_info: bool = False, render_width: int = 320, render_height: int = 240,
                 render_camera: str = "chase") -> None:
        self.render_mode = validate_render_mode(render_mode)
        self.params = params = EnvParams.from_config(config, overrides)
        self.config = params.config
        self.physics = params.physics
        self.builder = params.builder
        self.action_mode = params.action_mode
        self.n_obs_waypoints = params.n_obs_waypoints
        self._reward = params.reward
        _require_history_memory(params.number_of_iterations, "scenario.duration_s x scenario.control_hz")
        self.callback = callback
        self.history_in_info = history_in_info
        self.action_space = spaces.Box(-1.0, 1.0, shape=(4,), dtype=np.float32)
        self.privileged_plant_params = params.privileged_plant_params
        self.observation_space = policy_observation_space(self.n_obs_waypoints, self.privileged_plant_params)
        self._privileged: np.ndarray | None = None
        self.metadata = {**self.metadata, "render_fps": self.config.scenario.control_hz}
        self._renderer = (EnvRenderer(render_mode, render_width, render_height, render_camera,
                                      arm_length_m=self.physics.airframe.arm_m) if render_mode is not None else None)
        self._course_rng: np.ndarray | None = None
        self._simulation: Simulation | None = None
        self._planner = AgentPlanner(self.action_mode)
        self._planner_input: PlannerInput | None = None
        self._last_action = np.zeros(4)
        self._episode_open = False
        self._initialized_callbacks = False

    # -- properties used by callbacks, planners and tests ---------------------------------
    @property
    def simulation(self) -> Simulation:
        if self._simulation is None:
            raise ResetNeeded("call reset() first")
        return self._simulation

    @property
    def scenario(self) -> Scenario:
        return self.simulation.scenario

    @property
    def drone_state(self):
        """Current true :class:`DroneState` (the policy observes it through the sensors' noise, if any)."""
        return self.simulation.current_state[0]

    @property
    def course_progress(self) -> CourseProgress:
        return self.simulation.current_state[1]

    # -- Gymnasium API ----------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """Start an episode: a random course from ``np_random`` or ``options["scenario"]``.

        Raises:
            ValueError: an unknown ``options`` key (only ``"scenario"`` is accepted), or a scenario whose
                history would not fit in memory.
            TypeError: ``options["scenario"]`` is not a :class:`Scenario`.
            Exception: whatever a callback's ``on_initialization_start`` / ``on_simulation_start`` raises;
                the env then needs another ``reset`` (the matching end hook has been called).
        """
        if options is not None:
            if not isinstance(options, dict):
                raise TypeError(f"options must be a dict or None, got {type(options).__name__}")
            unknown = sorted(map(str, set(options) - set(RESET_OPTIONS)))
            if unknown:
                raise ValueError(f"unknown reset option(s) {unknown}; WaypointsEnv accepts {list(RESET_OPTIONS)}")
        scenario = (options or {}).get("scenario")
        if scenario is not None:
            if not isinstance(scenario, Scenario):
                raise TypeError(f"options['scenario'] must be a Scenario, got {type(scenario).__name__}")
            _require_history_memory(scenario.get_number_of_iterations(), f"options['scenario'] {scenario.name!r}")
        super().reset(seed=seed)
        if seed is not None or self._course_rng is None:
            self._course_rng = np.array([self.np_random.integers(0, 2**63)], dtype=np.uint64)
        self._close_episode()
        if scenario is None:
            scenario = self.builder.build_random(self._course_rng)
        setup = build_simulation_setup(scenario, self.physics, self._course_rng)
        self._simulation = Simulation(setup)
        self._planner_input = None
        cb = self.callback
        if cb is not None:
            try:
                if not self._initialized_callbacks:
                    self._initialized_callbacks = True  # close() pairs it with on_initialization_end
                    cb.on_initialization_start(setup)
                self._episode_open = True  # _close_episode pairs it with on_simulation_end
                cb.on_simulation_start(setup)
            except BaseException:
                self._abort_reset()
                raise
        self._planner.initialize(self._simulation.initialize())
        if self.privileged_plant_params:  # privileged: the episode's true plant, fixed for the episode
            self._privileged = privileged_features(setup.ego_controller.plant_row, self.params.phys)
        self._episode_open = True
        self._last_action = np.zeros(4)
        self._planner_input = self._simulation.get_planner_input()
        if self._renderer is not None:
            self._renderer.reset()
            if self.render_mode == "human":
                self.render()
        obs, info = self._get_obs(), self._get_info()
        if self.physics.disturbed:  # privileged: the episode's true plant (issue 8)
            info["plant_params"] = setup.ego_controller.plant_params
        return obs, info

    def _abort_reset(self) -> None:
        """A start hook raised: close what was opened; the simulation was never initialized, so it is not
        running and ``step`` asks for a reset."""
        try:
            self._close_episode()
        except Exception:  # noqa: BLE001 - keep the start hook's error
            logger.exception("on_simulation_end raised while reset() was already failing; keeping the original error")

    def step(self, action):
        """Apply ``action`` for one control period.

        Raises:
            ValueError: ``action`` not real numbers of shape (4,) (complex, strings, bools are refused),
                or not finite; nothing happens then.
            ResetNeeded: no running episode.
            Exception: whatever a callback's step / planner / simulation-end hook raises; the hooks stay
                paired (each end hook runs), so the env stays usable: after a raising start hook or
                ``on_planner_end`` the step did not happen, after ``on_step_end`` it did.
        """
        sim = self._simulation
        if sim is None or not sim.is_simulation_running():
            raise ResetNeeded("the episode has ended (or never started): call reset()")
        planner_input = self._planner_input
        command = DroneCommand.from_normalized(as_real_array(action, (4,)), self.action_mode,
                                               self.physics)  # validates first
        prev_action = self._last_action
        cb = self.callback
        if cb is None:
            self._advance(sim, command)
        else:  # the agent planned outside; the hooks still bracket its command, paired as in the runner
            setup = sim.setup
            with _end_hook(lambda: cb.on_step_end(setup, planner_input, command), "on_step_end"):
                cb.on_step_start(setup, planner_input)
                with _end_hook(lambda: cb.on_planner_end(setup, planner_input, command), "on_planner_end"):
                    cb.on_planner_start(setup, planner_input)
                self._advance(sim, command)
        state, progress = sim.current_state  # the true state: rewards and episode ends are ground truth
        reward = float(reward_one(state.array, progress.progress_m, progress.reached_now, progress.completed,
                                  progress.crashed, self._reward,
                                  float(np.sum((self._last_action - prev_action) ** 2))))
        terminated = progress.completed or progress.crashed
        truncated = sim.setup.time_controller.reached_end()
        info = self._get_info()
        if terminated or truncated:
            self._close_episode()
            if self.history_in_info:
                info["simulation_history"] = sim.history
        if self.render_mode == "human":
            self.render()
        return self._get_obs(), reward, terminated, truncated, info

    def _advance(self, sim: Simulation, command: DroneCommand) -> None:
        sim.propagate(command)
        self._last_action = command.normalized
        self._planner_input = sim.get_planner_input()

    def render(self):
        """The current frame: ``(render_height, render_width, 3)`` uint8 RGB for ``render_mode="rgb_array"``.

        ``"human"`` streams to the Rerun viewer and returns None (``reset``/``step`` call it);
        without a render mode it warns and returns None.

        Raises:
            ResetNeeded: called before the first ``reset()``.
        """
        if self._renderer is None:
            return EnvRenderer.warn_no_mode()
        state, progress = self.simulation.current_state
        trail = self.simulation.history.positions[-TRAIL_POINTS:]  # ends at the current state once stepped
        if not len(trail) or not np.array_equal(trail[-1], state.position):
            trail = np.concatenate([trail[-(TRAIL_POINTS - 1):], state.position[None, :]])
        sc = self.scenario
        return self._renderer.render(state.position, state.attitude, sc.waypoints, progress.active_index, trail,
                                     sc.reach_radius_m, sc.dome_radius_m,
                                     time_s=self._planner_input.iteration.index * sc.time_step_s)

    def _get_obs(self) -> np.ndarray:
        # the planner's view: the observed state (with observation noise when configured), as PolicyPlanner's
        state, progress = self._planner_input.history.current_state
        obs = compute_policy_observation(state, self.scenario.waypoints, progress.active_index,
                                         self._last_action, self.n_obs_waypoints)
        if self.privileged_plant_params:
            obs = np.concatenate((obs, self._privileged))
        return obs

    def _get_info(self) -> dict[str, Any]:
        progress = self._planner_input.history.current_state[1]
        # the keys and types of env_info.step_info, without its conversions (these are already Python scalars)
        return {"waypoints_reached": progress.active_index, "is_success": progress.completed,
                "crash": progress.crash, "episode_step": self._planner_input.iteration.index}

    def _close_episode(self) -> None:
        """``on_simulation_end`` once per opened episode (the flag drops first, so a raising hook is not re-run)."""
        if self._episode_open:
            self._episode_open = False
            if self.callback is not None:
                self.callback.on_simulation_end(self._simulation.setup, self._planner, self._simulation.history)

    def close(self) -> None:
        """End the open episode and the callbacks' initialization (``on_initialization_end`` once)."""
        try:
            self._close_episode()
            if self._renderer is not None:
                self._renderer.close()
        finally:
            if self._initialized_callbacks and self.callback is not None:
                self._initialized_callbacks = False
                self.callback.on_initialization_end(self._simulation.setup)
            super().close()


def _require_history_memory(n_iterations: int, what: str) -> None:
    """Refuse an episode whose :class:`SimulationHistory` would not fit in memory (before allocating it)."""
    require_memory(HISTORY_BYTES_PER_ITERATION * n_iterations, f"{what}: an episode of {n_iterations} iterations",
                   "shorten the episode (duration_s) or lower the control rate (control_hz)")
