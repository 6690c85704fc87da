from simhops.dynamics.state.drone_state import DroneState

__all__ = ["DroneState"]
