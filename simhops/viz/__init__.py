"""Rerun visualisation for simhops (rerun-sdk 0.41): recording wrapper and blueprints."""

from simhops.viz.blueprint import build_training_blueprint
from simhops.viz.rerun_visualizer import RerunVisualizer, wxyz_to_xyzw

__all__ = ["RerunVisualizer", "build_training_blueprint", "wxyz_to_xyzw"]
