from simhops.simulation.history.simulation_history import SimulationHistory, SimulationHistorySample
from simhops.simulation.history.simulation_history_buffer import SimulationHistoryBuffer

__all__ = ["SimulationHistory", "SimulationHistorySample", "SimulationHistoryBuffer"]
