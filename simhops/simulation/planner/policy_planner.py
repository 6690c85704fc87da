"""PolicyPlanner: a trained Stable-Baselines3 policy as a closed-loop planner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.dynamics.kernels.layout import ACTION_MODES, OBS_BASE_DIM
from simhops.simulation.observation.policy_observation import compute_policy_observation
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput
from simhops.simulation.seeding import scenario_seed

#: loaded models per process: (resolved path, mtime_ns, size, device) -> model
_MODEL_CACHE: dict[tuple[str, int, int, str], Any] = {}


def load_sb3_model(model_path: str | Path, device: str = "cpu") -> Any:
    """Load an SB3 ``PPO`` ``model.zip`` once per process (cached by path, mtime, size and device).

    Raises:
        FileNotFoundError: no file at ``model_path``.
    """
    path = Path(model_path).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"policy model not found: {path}")
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size, device)
    model = _MODEL_CACHE.get(key)
    if model is None:
        from stable_baselines3 import PPO

        model = PPO.load(str(path), device=device)
        _MODEL_CACHE[key] = model
    return model


def n_obs_waypoints_of(observation_shape: tuple[int, ...]) -> int:
    """The ``n_obs_waypoints`` of a flat policy observation of ``observation_shape`` ((3 n + 20,)).

    Raises:
        ValueError: a shape no simhops observation has.
    """
    if len(observation_shape) != 1 or (observation_shape[0] - OBS_BASE_DIM) % 3 or observation_shape[0] <= OBS_BASE_DIM:
        raise ValueError(f"observation shape {observation_shape} is not a simhops policy observation "
                         f"((3 * n_obs_waypoints + {OBS_BASE_DIM},))")
    return (observation_shape[0] - OBS_BASE_DIM) // 3


class PolicyPlanner(AbstractPlanner):
    """Flies with a trained SB3 policy, seeing exactly what it saw in ``WaypointsEnv``.

    Each step: ``obs = compute_policy_observation(state, waypoints, active_index,
    last_action, n_obs_waypoints)`` (the env's own function), ``action =
    model.predict(obs, deterministic)``, ``command = DroneCommand.from_normalized(action,
    action_mode, physics)``, and ``last_action = command.normalized`` (the clipped action;
    zeros at the start of an episode) - the env's bookkeeping, so a policy gives the
    same trajectory here and in the env.

    The model is loaded lazily in :meth:`initialize` (cached per process); pickling
    keeps only the path and settings.

    Args:
        model_path: SB3 ``PPO`` ``model.zip``.
        deterministic: use the policy's mean action (default) instead of sampling.
        device: torch device for inference.
        n_obs_waypoints: waypoints in the observation; None reads it from the model's
            observation space (3 n + 20 entries).
        action_mode: ``"ctbr"`` or ``"motor"``, as in training (``env.action_mode``);
            None: the default config's.
        torch_threads: ``torch.set_num_threads`` on load (None leaves torch alone).
        seed: with ``deterministic=False``, each episode samples from its own torch
            generator seeded with ``scenario_seed(seed, scenario name)``; the global torch
            RNG is saved and restored around each ``predict``, so results do not depend on
            the backend, the worker or the order of scenarios.

    Raises:
        ValueError: unknown ``action_mode`` (constructor); the model's observation or action
            space does not match (``initialize``).
        FileNotFoundError: no model file (``initialize``).
    """

    def __init__(self, model_path: str | Path, deterministic: bool = True, device: str = "cpu",
                 n_obs_waypoints: int | None = None, action_mode: str | None = None,
                 torch_threads: int | None = None, seed: int = 0) -> None:
        if action_mode is None:
            from simhops.config import SimHopsConfig

            action_mode = SimHopsConfig().env.action_mode
        if action_mode not in ACTION_MODES:
            raise ValueError(f"action_mode must be one of {sorted(ACTION_MODES)} (got {action_mode!r})")
        self.model_path = str(model_path)
        self.deterministic = deterministic
        self.device = device
        self.n_obs_waypoints = n_obs_waypoints
        self.command_mode = action_mode
        self.torch_threads = torch_threads
        self.seed = int(seed)
        self._torch_state: Any = None
        self._model: Any = None
        self._init: PlannerInitialization | None = None
        self._last_action = np.zeros(4)

    def name(self) -> str:
        return "PolicyPlanner"

    @property
    def action_mode(self) -> str:
        """The env action mode the policy was trained with (= ``command_mode``)."""
        return self.command_mode

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_model"] = None
        state["_init"] = None
        state["_last_action"] = np.zeros(4)
        state["_torch_state"] = None
        return state

    def _load(self) -> Any:
        if self._model is None:
            if self.torch_threads is not None:
                import torch

                torch.set_num_threads(self.torch_threads)
            model = load_sb3_model(self.model_path, self.device)
            n = n_obs_waypoints_of(tuple(model.observation_space.shape))
            if self.n_obs_waypoints is None:
                self.n_obs_waypoints = n
            elif self.n_obs_waypoints != n:
                raise ValueError(f"model {self.model_path} observes {n} waypoints "
                                 f"(observation shape {model.observation_space.shape}), "
                                 f"but n_obs_waypoints={self.n_obs_waypoints}")
            if tuple(model.action_space.shape) != (4,):
                raise ValueError(f"model {self.model_path} has action shape {model.action_space.shape}, expected (4,)")
            self._model = model
        return self._model

    def initialize(self, initialization: PlannerInitialization) -> None:
        self._load()
        self._init = initialization
        self._last_action = np.zeros(4)
        self._torch_state = None
        if not self.deterministic:
            import torch

            gen = torch.Generator()
            gen.manual_seed(scenario_seed(self.seed, initialization.scenario_name) & (2**63 - 1))
            self._torch_state = gen.get_state()

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        init = self._init
        if init is None or self._model is None:
            raise RuntimeError("PolicyPlanner.initialize() was not called")
        state, progress = current_input.history.current_state
        obs = compute_policy_observation(state, init.waypoints, progress.active_index, self._last_action,
                                         self.n_obs_waypoints)
        if self.deterministic:
            action, _ = self._model.predict(obs, deterministic=True)
        else:
            import torch

            with torch.random.fork_rng(devices=[]):  # this episode's own stream; the global RNG is untouched
                torch.set_rng_state(self._torch_state)
                action, _ = self._model.predict(obs, deterministic=False)
                self._torch_state = torch.get_rng_state()
        command = DroneCommand.from_normalized(np.asarray(action).reshape(4), self.command_mode, init.physics)
        self._last_action = command.normalized
        return command
