"""The shared episode -> Rerun function (simhops.viz.episode_rerun), EpisodeArrays, EpisodeRecording and blueprints."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from rrd_utils import read_rrd, rrd_info

from simhops.dynamics.kernels.layout import CRASH_GROUND, STATE_DIM
from simhops.viz import EpisodeArrays, EpisodeRecording, RerunVisualizer, log_episode, write_episode_rrd
from simhops.viz.blueprint import EPISODE_PLOT_VIEWS, TRAINING_SERIES, build_episodes_blueprint, build_training_blueprint
from simhops.viz.episode_rerun import decimate_rows


def _episode(name: str = "course/a b", n: int = 101, crash_at: int | None = None, dt: float = 0.02) -> EpisodeArrays:
    t = np.arange(n) * dt
    states = np.zeros((n, STATE_DIM))
    states[:, 0] = t
    states[:, 2] = 1.0 + t
    states[:, 7] = 1.0  # vx = 1 m/s
    states[:, 10:13] = [0.1, -0.2, 0.3]
    states[:, 13:17] = 0.1  # 4 x 0.1 N
    roll = np.radians(30.0)
    states[:, 3:7] = [math.cos(roll / 2), math.sin(roll / 2), 0.0, 0.0]  # 30 deg roll
    active = np.minimum((t // 0.5).astype(int), 3)
    crash = np.zeros(n, dtype=int)
    if crash_at is not None:
        crash[crash_at:] = CRASH_GROUND
    wps = np.array([[0.5, 0, 1.5], [1.0, 0, 2.0], [1.5, 0, 2.5]])
    return EpisodeArrays(name, t, states, active, crash, wps, 0.2, 5.0)


def test_episode_arrays_derived_series_and_outcome():
    ep = _episode()
    assert ep.n_rows == 101 and ep.n_waypoints == 3
    np.testing.assert_allclose(ep.tilt_deg, 30.0, atol=1e-9)
    np.testing.assert_allclose(ep.collective_thrust_n, 0.4)
    np.testing.assert_allclose(ep.speed_m_s, 1.0)
    np.testing.assert_allclose(ep.body_rates_rad_s[0], [0.1, -0.2, 0.3])
    assert ep.waypoints_reached == 3 and ep.success and ep.outcome == "completed"
    assert ep.reach_times_s() == pytest.approx([0.5, 1.0, 1.5])
    crashed = EpisodeArrays("c", ep.time_s[:10], ep.states[:10], np.zeros(10, int), np.r_[np.zeros(5), np.ones(5)],
                            ep.waypoints, 0.2, 5.0)
    assert crashed.outcome == "crashed (ground)"
    with pytest.raises(ValueError, match="states"):
        EpisodeArrays("x", ep.time_s, ep.states[:5], ep.active_index, ep.crash, ep.waypoints, 0.2, 5.0)
    with pytest.raises(ValueError, match="waypoints"):
        EpisodeArrays("x", ep.time_s, ep.states, ep.active_index, ep.crash, np.zeros(3), 0.2, 5.0)


def test_from_history_reads_a_duck_typed_history():
    ep = _episode()
    history = SimpleNamespace(scenario=SimpleNamespace(name="h", waypoints=ep.waypoints, reach_radius_m=0.3,
                                                       dome_radius_m=4.0),
                              time_s=ep.time_s + 7.0, states=ep.states, active_index=ep.active_index, crash=ep.crash)
    got = EpisodeArrays.from_history(history)
    assert got.name == "h" and got.time_s[0] == 0.0 and got.reach_radius_m == 0.3 and got.dome_radius_m == 4.0


def test_decimate_rows_keeps_first_and_last():
    t = np.arange(101) * 0.02  # 50 Hz for 2 s
    rows = decimate_rows(t, 10.0)
    assert rows[0] == 0 and rows[-1] == 100 and len(rows) == 21
    assert np.all(np.diff(t[rows]) > 0.09 - 1e-9)
    assert np.array_equal(decimate_rows(t, None), np.arange(101))
    assert len(decimate_rows(np.zeros(0), 10.0)) == 0


def test_log_episode_entities_timelines_and_plots(tmp_path):
    ep = _episode()
    with RerunVisualizer("t", tmp_path / "e.rrd") as viz:
        base = log_episode(viz, ep, plots_base="plots/x", fixed_times={"snapshot": 4}, planner_name="p",
                           max_pose_hz=10.0, max_plot_hz=25.0)
    assert base == "world/course/a_b"
    ents = read_rrd(tmp_path / "e.rrd")
    drone = ents[f"{base}/drone"]
    times = [pd.Timedelta(x).total_seconds() for x in drone["timelines"]["sim_time"]]
    assert times == pytest.approx(ep.time_s[decimate_rows(ep.time_s, 10.0)])
    assert set(drone["timelines"]["snapshot"]) == {4}
    traj = ents[f"{base}/trajectory"]
    np.testing.assert_allclose(traj["data"]["LineStrips3D:strips"][0][0], ep.positions.astype(np.float32))
    assert traj["data"]["Points3D:labels"][0] == ["start"]
    wp = ents[f"{base}/waypoints"]
    # t = 0 and the three reaches; labels say what is reached and what is next
    assert [pd.Timedelta(x).total_seconds() for x in wp["timelines"]["sim_time"]] == pytest.approx([0, .5, 1, 1.5])
    assert wp["data"]["Points3D:labels"][0] == ["wp1 <- next", "wp2", "wp3"]
    assert wp["data"]["Points3D:labels"][-1] == ["wp1 ok", "wp2 ok", "wp3 ok"]
    assert "Ellipsoids3D" in ents[f"{base}/drone/body"]["archetypes"]
    text = ents[f"{base}/summary"]["texts"][0]
    assert "| waypoints reached | 3 / 3 |" in text and "`p`" in text and "completed" in text
    np.testing.assert_allclose(ents["plots/x/tilt_deg"]["scalars"], 30.0, atol=1e-4)
    np.testing.assert_allclose(ents["plots/x/collective_thrust_n"]["scalars"], 0.4, atol=1e-6)
    rates = ents["plots/x/body_rates_rad_s"]
    assert rates["static"]["SeriesLines:names"] == ["roll rate", "pitch rate", "yaw rate"]
    assert rates["data"]["Scalars:scalars"][0] == pytest.approx([0.1, -0.2, 0.3])
    assert len(ents["plots/x/altitude_m"]["scalars"]) == len(decimate_rows(ep.time_s, 25.0))


def test_episode_recording_overview_blueprint_and_duplicate_names(tmp_path):
    path = tmp_path / "eval.rrd"
    with EpisodeRecording(path, "simhops_eval") as rec:
        a = rec.add(_episode("a"), "classical")
        b = rec.add(_episode("a", n=20, crash_at=10), "classical")
    assert a.base == "world/a" and b.base == "world/a_2" and b.outcome == "crashed (ground)"
    info = rrd_info(path)
    assert info["footer"] and info["blueprints"] == 1 and info["application_id"] == "simhops_eval"
    ents = read_rrd(path)
    assert ents["overview/summary"]["static_rows"] == 1 and ents["overview/waypoints_reached"]["static_rows"] == 1
    overview = ents["overview/summary"]["static"]["TextDocument:text"]
    overview = overview[0] if isinstance(overview, list) else overview
    assert "success 1/2 (50%)" in overview and "| 1 | a | 0/3 |" in overview
    assert "BarChart" in ents["overview/waypoints_reached"]["archetypes"]
    assert ents["world/dome"]["static_rows"] == 1
    # shared time series: one entity per quantity, one series per episode, NaN (a gap) after an episode ended
    alt = ents["plots/altitude_m"]
    assert alt["static"]["SeriesLines:names"] == ["a", "a"]
    rows = alt["data"]["Scalars:scalars"]
    times = [pd.Timedelta(x).total_seconds() for x in alt["timelines"]["sim_time"]]
    assert times == pytest.approx(np.arange(21) * 0.1)  # 10 Hz grid over the longer episode (2 s)
    assert rows[0] == pytest.approx([1.0, 1.0]) and rows[-1][0] == pytest.approx(3.0) and math.isnan(rows[-1][1])
    assert all(len(r) == 6 for r in ents["plots/body_rates_rad_s"]["data"]["Scalars:scalars"])
    assert "world/a/summary" not in ents  # the overview table replaces per-course summaries
    with pytest.raises(RuntimeError, match="closed"):
        rec.add(_episode("c"))


def test_write_episode_rrd_keeps_every_row(tmp_path):
    ep = _episode()
    history = SimpleNamespace(scenario=SimpleNamespace(name="r", waypoints=ep.waypoints, reach_radius_m=0.2,
                                                       dome_radius_m=5.0),
                              time_s=ep.time_s, states=ep.states, active_index=ep.active_index, crash=ep.crash)
    rec = write_episode_rrd(tmp_path / "r.rrd", history, "hover")
    ents = read_rrd(tmp_path / "r.rrd")
    assert len(ents[f"{rec.base}/drone"]["timelines"]["sim_time"]) == ep.n_rows
    assert rrd_info(tmp_path / "r.rrd")["application_id"] == "simhops_replay"


def _views(node, out):
    out.append(node)
    for child in getattr(node, "contents", None) or []:
        if not isinstance(child, str):
            _views(child, out)
    return out


def test_blueprints_give_each_series_its_own_view():
    import rerun.blueprint as rrb

    views = _views(build_training_blueprint().root_container, [])
    series_views = [v for v in views if isinstance(v, rrb.TimeSeriesView)]
    assert len(series_views) == len(TRAINING_SERIES)  # one y scale per series
    names = {str(v.name) for v in views if getattr(v, "name", None) is not None}
    assert {"Latest Policy", "Snapshot Summary"} <= names
    eps = [(f"c{i}", f"world/c{i}") for i in range(3)]
    views = _views(build_episodes_blueprint(eps).root_container, [])
    assert sum(isinstance(v, rrb.Spatial3DView) for v in views) == 3
    assert sum(isinstance(v, rrb.TimeSeriesView) for v in views) == len(EPISODE_PLOT_VIEWS)
    assert any(isinstance(v, rrb.Tabs) for v in views)


def test_overview_moves_a_shared_prefix_into_the_header(tmp_path):
    rec = EpisodeRecording(tmp_path / "p.rrd")
    rec.add(_episode("bench/x"))
    rec.add(_episode("bench/y", n=20, crash_at=10))
    text = rec.overview_markdown()
    rec.close()
    assert "courses of `bench`" in text and "| 0 | x | 3/3 |" in text and "| 1 | y | 0/3 |" in text
    assert "**success 1/2 (50%)**, crashed 1" in text
