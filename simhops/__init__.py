"""simhops: quadcopter waypoint hopping for RL (nuPlan-style closed loop, Gymnasium, SB3, Rerun)."""

from gymnasium.envs.registration import register, registry

__version__ = "0.1.0"

ENV_ID = "simhops/Waypoints-v0"

if ENV_ID not in registry:
    register(
        id=ENV_ID,
        entry_point="simhops.envs.waypoints_env:WaypointsEnv",
        vector_entry_point="simhops.envs.vector_env:SimHopsVectorEnv",
        disable_env_checker=False,
    )

__all__ = ["ENV_ID", "__version__"]
