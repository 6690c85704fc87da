"""Default Rerun blueprints (viewer layouts) of simhops recordings (rerun-sdk 0.41).

Training (:func:`build_training_blueprint`)::

    +------------------------------------+-------------------------+
    | Training Progress (grid, one view  |  Latest Policy          |
    | per series: success, waypoints,    |  Spatial3DView world    |
    | crash rate, reward, length)        |  (snapshot, ground,     |
    +-----------------+------------------+   dome)                 |
    | Losses          | PPO Diagnostics  +-------------------------+
    | policy / value /| KL / clip frac / |  Snapshot Summary       |
    | entropy (1 each)| expl. variance   |  TextDocumentView       |
    +-----------------+------------------+-------------------------+
    time panel on the ``ppo_update`` timeline

Episodes (:func:`build_episodes_blueprint`, ``eval.rrd`` and replays): overview left, one tab
per course right (3D + time series).

The training time-series views show the WHOLE run on the x axis (the viewer's default
is a window around the time cursor).  The snapshot entities are stamped with
``snapshot``, ``ppo_update`` and ``sim_time``: on ``ppo_update`` the 3D view shows the final pose
of the latest snapshot taken at or before the selected update; on ``sim_time`` the drone of the
latest snapshot flies along its trajectory.
"""

from __future__ import annotations

import rerun as rr
import rerun.blueprint as rrb

__all__ = ["build_training_blueprint", "build_episodes_blueprint", "TRAINING_SERIES", "EPISODE_PLOT_VIEWS",
           "VIEW_LATEST_POLICY", "VIEW_TRAINING_PROGRESS", "VIEW_LOSSES", "VIEW_SUMMARY", "VIEW_DIAGNOSTICS"]

VIEW_LATEST_POLICY = "Latest Policy"
VIEW_TRAINING_PROGRESS = "Training Progress"
VIEW_LOSSES = "Losses"
VIEW_SUMMARY = "Snapshot Summary"
VIEW_DIAGNOSTICS = "PPO Diagnostics"


def _whole_run_axis() -> rrb.archetypes.TimeAxis:
    whole_run = rr.TimeRange(start=rr.TimeRangeBoundary.infinite(), end=rr.TimeRangeBoundary.infinite())
    return rrb.archetypes.TimeAxis(view_range=whole_run)


#: training series -> view title; each series gets its own view (own y scale)
TRAINING_SERIES: dict[str, str] = {
    "progress/success_rate": "success rate",
    "progress/waypoints_per_episode": "waypoints / episode",
    "progress/crash_rate": "crash rate",
    "progress/mean_reward": "mean episode reward",
    "progress/mean_length": "mean episode length [steps]",
    "losses/policy_loss": "policy loss",
    "losses/value_loss": "value loss",
    "losses/entropy_loss": "entropy loss",
    "ppo/approx_kl": "approx KL",
    "ppo/clip_fraction": "clip fraction",
    "ppo/explained_variance": "explained variance",
}

#: episode time series (relative to an episode's plots entity) -> view title
EPISODE_PLOT_VIEWS: dict[str, tuple[str, ...]] = {
    "altitude [m]": ("altitude_m",),
    "speed [m/s]": ("speed_m_s",),
    "tilt [deg]": ("tilt_deg",),
    "collective thrust [N]": ("collective_thrust_n",),
    "body rates [rad/s]": ("body_rates_rad_s/**",),
}


def _series_view(path: str, title: str) -> rrb.TimeSeriesView:
    return rrb.TimeSeriesView(name=title, origin="/", contents=[f"+ {path}"], axis_x=_whole_run_axis())


def build_training_blueprint(timeline: str = "ppo_update") -> rrb.Blueprint:
    """Return the training-recording blueprint.

    Left: one time-series view per training series (:data:`TRAINING_SERIES`, so a small loss is
    never flattened under a large one), grouped in tabs "Training Progress", "Losses" and
    "PPO Diagnostics". Right: the latest snapshot in 3D ("Latest Policy": ``world/snapshot/**``,
    the ground and the dome) over the snapshot summary table.

    ``timeline``: the timeline the time panel starts on (default ``ppo_update``).
    """
    latest_policy = rrb.Spatial3DView(
        name=VIEW_LATEST_POLICY,
        origin="world",
        contents=["+ $origin", "+ $origin/snapshot/**", "+ $origin/dome", "+ $origin/ground/**"],
    )
    progress = rrb.Grid(*[_series_view(p, t) for p, t in TRAINING_SERIES.items() if p.startswith("progress/")],
                        grid_columns=2, name=VIEW_TRAINING_PROGRESS)
    losses = rrb.Vertical(*[_series_view(p, t) for p, t in TRAINING_SERIES.items() if p.startswith("losses/")],
                          name=VIEW_LOSSES)
    diagnostics = rrb.Vertical(*[_series_view(p, t) for p, t in TRAINING_SERIES.items() if p.startswith("ppo/")],
                               name=VIEW_DIAGNOSTICS)
    summary = rrb.TextDocumentView(name=VIEW_SUMMARY, origin="snapshot/summary")
    return rrb.Blueprint(
        rrb.Horizontal(
            rrb.Vertical(progress, rrb.Horizontal(losses, diagnostics), row_shares=[1, 1]),
            rrb.Vertical(latest_policy, summary, row_shares=[3, 2]),
            column_shares=[1, 1],
        ),
        rrb.TimePanel(timeline=timeline, state="collapsed"),
        collapse_panels=True,
    )


def build_episodes_blueprint(episodes: list[tuple[str, str, str]], max_tabs: int = 200) -> rrb.Blueprint:
    """Blueprint of an episode recording (``eval.rrd``, replays).

    ``episodes``: ``(name, base, plots_base)`` per episode (entity roots as logged by
    :func:`simhops.viz.episode_rerun.log_episode`). Left: the overview (success and a table of every
    episode, waypoints reached per episode as bars). Right: one tab per course (the first
    ``max_tabs``), each a 3D view of that course only (with ground and dome) over its time series
    (altitude, speed, tilt, collective thrust, body rates; one view each). Time panel on ``sim_time``.
    """
    tabs = []
    for name, base, plots_base in episodes[:max_tabs]:
        view3d = rrb.Spatial3DView(name=f"{name} (3D)", origin="world",
                                   contents=["+ $origin", f"+ {base}/**", "+ $origin/dome", "+ $origin/ground/**",
                                             f"- {base}/summary"])
        plots = [rrb.TimeSeriesView(name=title, origin=plots_base, contents=[f"+ $origin/{p}" for p in paths])
                 for title, paths in EPISODE_PLOT_VIEWS.items()]
        summary = rrb.TextDocumentView(name="summary", origin=f"{base}/summary")
        tabs.append(rrb.Vertical(rrb.Horizontal(view3d, summary, column_shares=[3, 1]),
                                 rrb.Grid(*plots, grid_columns=3), row_shares=[3, 2], name=name))
    overview = rrb.Vertical(rrb.TextDocumentView(name="Overview", origin="overview/summary"),
                            rrb.BarChartView(name="waypoints reached per episode", origin="overview/waypoints_reached"),
                            row_shares=[3, 1])
    right = rrb.Tabs(*tabs, name="courses") if tabs else rrb.Spatial3DView(name="world", origin="world")
    return rrb.Blueprint(
        rrb.Horizontal(overview, right, column_shares=[1, 3]),
        rrb.TimePanel(timeline="sim_time", state="collapsed"),
        collapse_panels=True,
    )
