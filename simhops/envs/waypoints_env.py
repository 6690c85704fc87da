"""WaypointsEnv: one drone, one course, as a Gymnasium environment over the closed loop."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.error import ResetNeeded

from simhops.config import SimHopsConfig, load_config
from simhops.envs.agent_planner import AgentPlanner
from simhops.scenario.scenario import Scenario
from simhops.scenario.scenario_builder import ScenarioBuilder
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.controller.drone_command import DroneCommand
from simhops.dynamics.kernels.layout import R_COMPLETION, R_CRASH, R_PROGRESS, R_RATE, R_TIME, R_WAYPOINT, REWARD_DIM
from simhops.dynamics.kernels.reward import reward_one
from simhops.simulation.observation.course_observation import CourseProgress
from simhops.simulation.observation.policy_observation import compute_policy_observation, policy_observation_space
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.simulation.planner.abstract_planner import PlannerInput
from simhops.simulation.simulation import Simulation
from simhops.simulation.simulation_setup import build_simulation_setup
from simhops.viz.renderer_env import RENDER_MODES, TRAIL_POINTS, EnvRenderer, validate_render_mode


def reward_params(cfg: SimHopsConfig) -> np.ndarray:
    """The reward kernel's parameter vector (REWARD_DIM,) from ``cfg.reward``."""
    r = np.zeros(REWARD_DIM)
    rc = cfg.reward
    r[R_PROGRESS] = rc.progress_weight
    r[R_WAYPOINT] = rc.waypoint_bonus
    r[R_COMPLETION] = rc.completion_bonus
    r[R_CRASH] = rc.crash_penalty
    r[R_RATE] = rc.rate_penalty
    r[R_TIME] = rc.time_penalty
    r.flags.writeable = False
    return r


def resolve_config(config: SimHopsConfig | str | Path | None, overrides: Sequence[str] = ()) -> SimHopsConfig:
    """A config object, a YAML path, or None (the default), plus ``dotted.key=value`` overrides."""
    if isinstance(config, SimHopsConfig):
        if overrides:
            raise ValueError("overrides are only applied to a config loaded from a file; pass config=None or a path")
        return config
    return load_config(config, overrides)


class WaypointsEnv(gym.Env):
    """Fly a quadrotor through a course of 3D waypoints, in order.

    The env is nuPlan's closed loop with the agent as the planner: ``reset`` builds a
    :class:`SimulationSetup` and calls :meth:`Simulation.initialize`; ``step`` turns
    the action into a :class:`DroneCommand`, calls ``propagate`` and reads the next
    :class:`PlannerInput`. Frames: world ENU (z up), body FLU; SI units.

    ## Action space
    ``Box(-1, 1, (4,), float32)``; out-of-range values are clipped, non-finite ones raise ``ValueError``.

    | mode | index | meaning | maps to |
    |---|---|---|---|
    | ``ctbr`` (default) | 0 | collective thrust | ``(a + 1) / 2 * 4 T_max`` N (0 .. 0.596 N, thrust-to-weight 2.25) |
    | | 1, 2, 3 | body rates p, q, r | ``a * max_body_rate`` rad/s (default +-5, +-5, +-2) |
    | ``motor`` | 0..3 | thrust of motors m0..m3 | ``(a + 1) / 2 * T_max`` N (0 .. 0.149 N) |

    ## Observation space
    ``Box(-1000, 1000, (3 * n_obs_waypoints + 20,), float32)`` (26 by default), from
    :func:`~simhops.simulation.observation.policy_observation.compute_policy_observation`:

    | entries | content | frame | unit |
    |---|---|---|---|
    | 3 per upcoming waypoint | waypoint - drone position (active first; past the end, the last repeats) | body FLU | m |
    | 3 | velocity | body FLU | m/s |
    | 9 | rotation matrix body -> world, row-major | - | - |
    | 3 | body rates | body FLU | rad/s |
    | 4 | previous action | - | [-1, 1] |
    | 1 | altitude | world z | m |

    ## Rewards
    | term | value (default weights) |
    |---|---|
    | progress | ``progress_weight`` (10 / m) x decrease of the distance to the active waypoint |
    | waypoint | ``waypoint_bonus`` (10) per waypoint reached |
    | completion | ``completion_bonus`` (0) when the last waypoint is reached |
    | crash | ``-crash_penalty`` (-10) |
    | body rates | ``-rate_penalty`` (0.001) x ``|omega|^2`` (rad/s)^2 |
    | time | ``-time_penalty`` (0) per step |

    ## Starting state
    Level hover at ``scenario.start_position_m`` (default (0, 0, 1) m), zero velocity and rates,
    motors at hover thrust. The course is a random one from the env's ``np_random``
    (``scenario.n_waypoints`` waypoints, hops of 1-3 m, altitude 0.5-3 m, inside the dome)
    or ``options["scenario"]`` (a :class:`Scenario`).

    ## Episode end
    | flag | when |
    |---|---|
    | ``terminated`` | all waypoints reached (success), or crash: below ground (z < 0), outside the flight dome (\\|p\\| > 5 m), non-finite state |
    | ``truncated`` | exactly when the time controller reaches its end (``duration_s`` = 20 s, 1000 steps at 50 Hz) |

    ``info``: ``waypoints_reached`` (int), ``is_success`` (bool), ``crash`` ("none", "ground",
    "dome", "non_finite"), ``step`` (iteration index). No wall-clock values (determinism).

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
        self.config = resolve_config(config, overrides)
        self.physics = PhysicsParams.from_config(self.config)
        self.builder = ScenarioBuilder(self.config, self.physics)
        self.action_mode = self.config.env.action_mode
        self.n_obs_waypoints = self.config.env.n_obs_waypoints
        self._reward = reward_params(self.config)
        self.callback = callback
        self.history_in_info = history_in_info
        self.action_space = spaces.Box(-1.0, 1.0, shape=(4,), dtype=np.float32)
        self.observation_space = policy_observation_space(self.n_obs_waypoints)
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
        """Current :class:`DroneState`."""
        return self.simulation.history_buffer.current_state[0]

    @property
    def course_progress(self) -> CourseProgress:
        return self.simulation.history_buffer.current_state[1]

    # -- Gymnasium API ----------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if seed is not None or self._course_rng is None:
            self._course_rng = np.array([self.np_random.integers(0, 2**63)], dtype=np.uint64)
        self._close_episode()
        scenario = (options or {}).get("scenario")
        if scenario is None:
            scenario = self.builder.build_random(self._course_rng)
        elif not isinstance(scenario, Scenario):
            raise TypeError(f"options['scenario'] must be a Scenario, got {type(scenario).__name__}")
        setup = build_simulation_setup(scenario, self.physics)
        self._simulation = Simulation(setup)
        if self.callback is not None:
            if not self._initialized_callbacks:
                self.callback.on_initialization_start(setup)
                self._initialized_callbacks = True
            self.callback.on_simulation_start(setup)
        self._planner.initialize(self._simulation.initialize())
        self._episode_open = True
        self._last_action = np.zeros(4)
        self._planner_input = self._simulation.get_planner_input()
        if self._renderer is not None:
            self._renderer.reset()
            if self.render_mode == "human":
                self.render()
        return self._get_obs(), self._get_info()

    def step(self, action):
        sim = self._simulation
        if sim is None or not sim.is_simulation_running():
            raise ResetNeeded("the episode has ended (or never started): call reset()")
        planner_input = self._planner_input
        command = DroneCommand.from_normalized(action, self.action_mode, self.physics)  # validates first
        cb = self.callback
        if cb is not None:  # the agent planned outside; the hooks still bracket its command
            cb.on_step_start(sim.setup, planner_input)
            cb.on_planner_start(sim.setup, planner_input)
            cb.on_planner_end(sim.setup, planner_input, command)
        sim.propagate(command)
        self._last_action = command.normalized
        self._planner_input = sim.get_planner_input()
        if cb is not None:
            cb.on_step_end(sim.setup, planner_input, command)
        state, progress = self._planner_input.history.current_state
        reward = float(reward_one(state.array, progress.progress_m, progress.reached_now, progress.completed,
                                  progress.crashed, self._reward))
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

    def render(self):
        """The current frame: ``(render_height, render_width, 3)`` uint8 RGB for ``render_mode="rgb_array"``.

        ``"human"`` streams to the Rerun viewer and returns None (``reset``/``step`` call it);
        without a render mode it warns and returns None.

        Raises:
            ResetNeeded: called before the first ``reset()``.
        """
        if self._renderer is None:
            return EnvRenderer.warn_no_mode()
        state, progress = self.simulation.history_buffer.current_state
        trail = self.simulation.history.positions[-TRAIL_POINTS:]  # ends at the current state once stepped
        if not len(trail) or not np.array_equal(trail[-1], state.position):
            trail = np.concatenate([trail[-(TRAIL_POINTS - 1):], state.position[None, :]])
        sc = self.scenario
        return self._renderer.render(state.position, state.attitude, sc.waypoints, progress.active_index, trail,
                                     sc.reach_radius_m, sc.dome_radius_m,
                                     time_s=self._planner_input.iteration.index * sc.time_step_s)

    def _get_obs(self) -> np.ndarray:
        state, progress = self._planner_input.history.current_state
        return compute_policy_observation(state, self.scenario.waypoints, progress.active_index,
                                          self._last_action, self.n_obs_waypoints)

    def _get_info(self) -> dict[str, Any]:
        progress = self._planner_input.history.current_state[1]
        return {"waypoints_reached": progress.waypoints_reached, "is_success": progress.completed,
                "crash": progress.crash_cause, "step": self._planner_input.iteration.index}

    def _close_episode(self) -> None:
        if self._episode_open and self.callback is not None:
            self.callback.on_simulation_end(self._simulation.setup, self._planner, self._simulation.history)
        self._episode_open = False

    def close(self) -> None:
        self._close_episode()
        if self._renderer is not None:
            self._renderer.close()
        if self._initialized_callbacks and self.callback is not None:
            self.callback.on_initialization_end(self._simulation.setup)
            self._initialized_callbacks = False
        super().close()
