"""The policy observation: one function for the env and for PolicyPlanner."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from simhops.dynamics.kernels.layout import OBS_LIMIT, obs_dim
from simhops.dynamics.kernels.observation import observation_one
from simhops.dynamics.state.drone_state import DroneState
from simhops.simulation.observation.privileged_observation import PRIVILEGED_DIM


def policy_observation_space(n_obs_waypoints: int, privileged: bool = False) -> spaces.Box:
    """``Box(-OBS_LIMIT, OBS_LIMIT, (3 * n_obs_waypoints + 20,), float32)``; with ``privileged``
    (``env.privileged_plant_params``) :data:`~simhops.simulation.observation.privileged_observation.PRIVILEGED_DIM`
    more entries (the normalized true plant)."""
    n = obs_dim(n_obs_waypoints) + (PRIVILEGED_DIM if privileged else 0)
    return spaces.Box(-OBS_LIMIT, OBS_LIMIT, shape=(n,), dtype=np.float32)


def compute_policy_observation(drone_state: DroneState, waypoints: np.ndarray, active_index: int,
                               last_action: np.ndarray, n_obs_waypoints: int) -> np.ndarray:
    """The flat float32 observation (see :mod:`simhops.dynamics.kernels.observation` for the layout).

    Args:
        drone_state: current state.
        waypoints: (K, 3) m, world ENU, float64 C-contiguous.
        active_index: first unreached waypoint (K when complete).
        last_action: (4,) previous normalized action.
        n_obs_waypoints: upcoming waypoints included.
    """
    out = np.empty(obs_dim(n_obs_waypoints), dtype=np.float32)
    observation_one(drone_state.array, waypoints, waypoints.shape[0], active_index, last_action, n_obs_waypoints, out)
    return out
