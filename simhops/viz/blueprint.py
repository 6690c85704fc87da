"""Default Rerun blueprint (viewer layout) for training recordings (rerun-sdk 0.41).

Layout::

    +----------------------------+-------------------------+
    | Training Progress          |                         |
    |   success rate, waypoints  |  Latest Policy          |
    +----------------------------+  Spatial3DView world    |
    | Episode Reward and Length  |  (world/snapshot/**)    |
    +-------------+--------------+                         |
    | Losses      | PPO          +-------------------------+
    | losses/**   | Diagnostics  |  Snapshot Summary       |
    |             | ppo/**       |  TextDocumentView       |
    +-------------+--------------+-------------------------+
    time panel on the ``ppo_update`` timeline

The time-series views show the WHOLE run on the x axis (the viewer's default
is a window around the time cursor).  The snapshot entities are stamped with
both ``snapshot`` and ``ppo_update``, so the 3D view shows the latest snapshot
taken at or before the selected PPO update.
"""

from __future__ import annotations

import rerun as rr
import rerun.blueprint as rrb

__all__ = ["build_training_blueprint", "VIEW_LATEST_POLICY", "VIEW_TRAINING_PROGRESS", "VIEW_LOSSES", "VIEW_SUMMARY",
           "VIEW_EPISODES", "VIEW_DIAGNOSTICS"]

VIEW_LATEST_POLICY = "Latest Policy"
VIEW_TRAINING_PROGRESS = "Training Progress"
VIEW_LOSSES = "Losses"
VIEW_SUMMARY = "Snapshot Summary"
VIEW_EPISODES = "Episode Reward and Length"
VIEW_DIAGNOSTICS = "PPO Diagnostics"


def _whole_run_axis() -> rrb.archetypes.TimeAxis:
    whole_run = rr.TimeRange(start=rr.TimeRangeBoundary.infinite(), end=rr.TimeRangeBoundary.infinite())
    return rrb.archetypes.TimeAxis(view_range=whole_run)


def build_training_blueprint(timeline: str = "ppo_update") -> rrb.Blueprint:
    """Return the training-recording blueprint (views named as in the module docstring).

    ``timeline``: the timeline the time panel starts on (default ``ppo_update``).
    """
    latest_policy = rrb.Spatial3DView(
        name=VIEW_LATEST_POLICY,
        origin="world",
        contents=["+ $origin", "+ $origin/snapshot/**"],
        line_grid=rrb.archetypes.LineGrid3D(visible=True, spacing=1.0),
    )
    # quantities of similar scale share a plot: rates (0-1) and waypoints (0-K) / reward and length / losses
    progress = rrb.TimeSeriesView(
        name=VIEW_TRAINING_PROGRESS,
        origin="progress",
        contents=["+ progress/success_rate", "+ progress/waypoints_per_episode"],
        axis_x=_whole_run_axis(),
    )
    episodes = rrb.TimeSeriesView(
        name=VIEW_EPISODES,
        origin="progress",
        contents=["+ progress/mean_reward", "+ progress/mean_length"],
        axis_x=_whole_run_axis(),
    )
    losses = rrb.TimeSeriesView(
        name=VIEW_LOSSES,
        origin="/",
        contents=["+ losses/**"],
        axis_x=_whole_run_axis(),
    )
    diagnostics = rrb.TimeSeriesView(
        name=VIEW_DIAGNOSTICS,
        origin="/",
        contents=["+ ppo/**"],
        axis_x=_whole_run_axis(),
    )
    summary = rrb.TextDocumentView(name=VIEW_SUMMARY, origin="snapshot/summary")
    return rrb.Blueprint(
        rrb.Horizontal(
            rrb.Vertical(progress, episodes, rrb.Horizontal(losses, diagnostics), row_shares=[1, 1, 1]),
            rrb.Vertical(latest_policy, summary, row_shares=[3, 1]),
            column_shares=[1, 1],
        ),
        rrb.TimePanel(timeline=timeline, state="collapsed"),
        collapse_panels=True,
    )
