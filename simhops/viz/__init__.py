"""Rerun visualisation for simhops (rerun-sdk 0.41): recording wrapper, episode logging and blueprints."""

from simhops.viz.blueprint import build_episodes_blueprint, build_training_blueprint
from simhops.viz.episode_arrays import EpisodeArrays
from simhops.viz.episode_recording import EpisodeRecording, write_episode_rrd
from simhops.viz.episode_rerun import log_episode
from simhops.viz.rerun_visualizer import RerunVisualizer, wxyz_to_xyzw

__all__ = ["RerunVisualizer", "build_training_blueprint", "build_episodes_blueprint", "wxyz_to_xyzw", "EpisodeArrays",
           "EpisodeRecording", "write_episode_rrd", "log_episode"]
