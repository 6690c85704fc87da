"""SB3 callbacks of simhops."""

from simhops.train.callbacks.simulation_callback_bridge import SimulationCallbackBridge
from simhops.train.callbacks.snapshot_rerun_callback import SnapshotRerunCallback

__all__ = ["SimulationCallbackBridge", "SnapshotRerunCallback"]
