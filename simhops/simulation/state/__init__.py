from simhops.simulation.state.drone_state import DroneState

__all__ = ["DroneState"]
