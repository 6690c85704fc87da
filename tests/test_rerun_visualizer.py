"""RerunVisualizer writes a readable .rrd (read back with rerun.chunk.RrdReader)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rrd_utils import all_finite, read_rrd, rrd_info, scalar_series

from simhops.viz import RerunVisualizer, build_training_blueprint
from simhops.viz.rerun_visualizer import COLOR_ACTIVE, COLOR_REACHED, COLOR_UNREACHED, wxyz_to_xyzw


def _rgb(packed: int) -> tuple[int, int, int]:
    """Rerun stores colours as packed 0xRRGGBBAA uint32."""
    return ((packed >> 24) & 0xFF, (packed >> 16) & 0xFF, (packed >> 8) & 0xFF)


def test_wxyz_to_xyzw() -> None:
    np.testing.assert_allclose(wxyz_to_xyzw([1, 0, 0, 0]), [0, 0, 0, 1])
    np.testing.assert_allclose(wxyz_to_xyzw([0, 0, 0, 2]), [0, 0, 1, 0])
    np.testing.assert_allclose(wxyz_to_xyzw([0, 0, 0, 0]), [0, 0, 0, 1])  # degenerate -> identity
    np.testing.assert_allclose(wxyz_to_xyzw([np.nan, 0, 0, 0]), [0, 0, 0, 1])


def test_every_method_round_trips(tmp_path) -> None:
    out = tmp_path / "sub" / "viz.rrd"
    waypoints = np.array([[0.0, 0.0, 1.0], [2.0, 0.0, 1.5], [2.0, 2.0, 2.0]])
    traj = np.linspace([0.0, 0.0, 0.2], [2.0, 1.0, 1.8], 25)
    yaw = 0.7
    att_wxyz = np.array([math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2)])

    with RerunVisualizer("test_viz", out, blueprint=build_training_blueprint()) as viz:
        viz.log_series_style("progress/mean_reward", name="mean reward")
        for i in range(1, 4):
            viz.set_time("ppo_update", sequence=i)
            assert viz.log_scalar("progress/mean_reward", 0.5 * i)
            assert not viz.log_scalar("progress/mean_reward_nan", float("nan"))
            assert not viz.log_scalar("progress/mean_reward_inf", float("inf"))
            assert not viz.log_scalar("progress/none", None)
            n = viz.log_scalars({"losses/value_loss": np.float32(1.0 / i), "ppo/approx_kl": np.nan})
            assert n == 1
        viz.disable_timeline("ppo_update")
        viz.set_time("snapshot", sequence=0)
        viz.set_time("sim_time", seconds=1.25)
        viz.log_trajectory("world/snapshot/trajectory", traj)
        viz.log_waypoints("world/snapshot/waypoints", waypoints, np.array([True, False, False]), 0.25, 1)
        viz.log_quadcopter("world/snapshot/drone", traj[-1], att_wxyz)
        viz.log_text("snapshot/summary", "# Snapshot 0\n\n* reward: 1.0")
    assert viz.closed
    viz.close()  # idempotent

    info = rrd_info(out)
    assert info["application_id"] == "test_viz"
    assert info["recordings"] == 1
    assert info["blueprints"] == 1  # the default blueprint travels with the file
    assert info["footer"], info["warnings"]

    ents = read_rrd(out)
    # static world frame (ENU, z up) and series styling
    assert ents["world"]["static_rows"] == 1 and "ViewCoordinates:xyz" in ents["world"]["static"]
    assert ents["progress/mean_reward"]["static"]["SeriesLines:names"] == ["mean reward"]

    # scalars: one finite row per update, non-finite ones never written
    mr = ents["progress/mean_reward"]
    assert "Scalars" in mr["archetypes"]
    assert scalar_series(mr, "ppo_update") == [(1, 0.5), (2, 1.0), (3, 1.5)]
    assert "snapshot" not in mr["timelines"]
    vl = scalar_series(ents["losses/value_loss"], "ppo_update")
    assert [t for t, _ in vl] == [1, 2, 3] and all_finite([v for _, v in vl])
    for missing in ("progress/mean_reward_nan", "progress/mean_reward_inf", "progress/none", "ppo/approx_kl"):
        assert missing not in ents

    # 3D entities: on snapshot + sim_time, NOT on the disabled ppo_update
    for path in (
        "world/snapshot/trajectory",
        "world/snapshot/waypoints",
        "world/snapshot/drone",
        "world/snapshot/drone/body",
        "world/snapshot/drone/arms",
        "world/snapshot/drone/rotors",
        "world/snapshot/drone/heading",
        "snapshot/summary",
    ):
        e = ents[path]
        assert e["timelines"]["snapshot"] == [0], path
        assert "sim_time" in e["timelines"], path
        assert "ppo_update" not in e["timelines"], path

    strip = ents["world/snapshot/trajectory"]["data"]["LineStrips3D:strips"][0][0]
    np.testing.assert_allclose(np.array(strip), traj, atol=1e-5)

    wp = ents["world/snapshot/waypoints"]["data"]
    np.testing.assert_allclose(np.array(wp["Points3D:positions"][0]), waypoints, atol=1e-6)
    assert wp["Points3D:radii"][0] == pytest.approx([0.25] * 3)
    assert [_rgb(c) for c in wp["Points3D:colors"][0]] == [COLOR_REACHED, COLOR_ACTIVE, COLOR_UNREACHED]
    assert wp["Points3D:labels"][0] == ["wp0", "wp1*", "wp2"]

    tf = ents["world/snapshot/drone"]["data"]
    np.testing.assert_allclose(tf["Transform3D:translation"][0][0], traj[-1], atol=1e-6)
    np.testing.assert_allclose(tf["Transform3D:quaternion"][0][0], [0, 0, math.sin(yaw / 2), math.cos(yaw / 2)], atol=1e-6)
    assert "Boxes3D" in ents["world/snapshot/drone/body"]["archetypes"]
    assert "LineStrips3D" in ents["world/snapshot/drone/arms"]["archetypes"]
    # default scale 4x: box half size = 0.35 * 4 * arm length
    half = ents["world/snapshot/drone/body"]["data"]["Boxes3D:half_sizes"][0][0]
    assert half[0] == pytest.approx(0.35 * 4.0 * 0.0397, rel=1e-5)

    assert ents["snapshot/summary"]["texts"] == ["# Snapshot 0\n\n* reward: 1.0"]
    assert ents["snapshot/summary"]["data"]["TextDocument:media_type"][0] == ["text/markdown"]


def test_two_recordings_coexist(tmp_path) -> None:
    a = RerunVisualizer("app_a", tmp_path / "a.rrd")
    b = RerunVisualizer("app_b", tmp_path / "b.rrd")
    a.set_time("step", sequence=1)
    b.set_time("other", sequence=7)
    a.log_scalar("x/a", 1.0)
    b.log_scalar("x/b", 2.0)
    a.close()
    b.close()
    ea, eb = read_rrd(tmp_path / "a.rrd"), read_rrd(tmp_path / "b.rrd")
    assert "x/a" in ea and "x/b" not in ea
    assert "x/b" in eb and "x/a" not in eb
    assert ea["x/a"]["timelines"]["step"] == [1] and "other" not in ea["x/a"]["timelines"]
    assert eb["x/b"]["timelines"]["other"] == [7] and "step" not in eb["x/b"]["timelines"]


def test_set_time_requires_exactly_one(tmp_path) -> None:
    with RerunVisualizer("t", tmp_path / "t.rrd") as viz:
        with pytest.raises(ValueError):
            viz.set_time("x")
        with pytest.raises(ValueError):
            viz.set_time("x", sequence=1, seconds=1.0)


def test_no_sink_is_disabled(tmp_path) -> None:
    viz = RerunVisualizer("nothing")
    assert not viz.rec.is_enabled()
    viz.log_scalar("a", 1.0)  # no-op, no error
    viz.close()


def test_blueprint_views() -> None:
    bp = build_training_blueprint()
    names = []

    def walk(node) -> None:
        name = getattr(node, "name", None)
        if name is not None:
            names.append(str(name))
        for child in getattr(node, "contents", None) or []:
            walk(child)

    root = bp.root_container
    walk(root)
    for expected in ("Latest Policy", "Training Progress", "Losses"):
        assert expected in names, names
