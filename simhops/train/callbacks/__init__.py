"""SB3 callbacks of simhops."""

from simhops.train.callbacks.episode_stats import RollingEpisodeStats
from simhops.train.callbacks.ppo_update_tracker import PPOUpdateTracker
from simhops.train.callbacks.simulation_callback_bridge import SimulationCallbackBridge, check_training_callback
from simhops.train.callbacks.snapshot_rerun_callback import SnapshotRerunCallback
from simhops.train.callbacks.training_log_callback import TrainingLogCallback

__all__ = ["SimulationCallbackBridge", "SnapshotRerunCallback", "TrainingLogCallback", "RollingEpisodeStats",
           "PPOUpdateTracker", "check_training_callback"]
