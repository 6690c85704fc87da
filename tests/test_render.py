"""render_mode="rgb_array" / "human" of the simhops envs and the software renderer behind it."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
import warnings
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.error import UnsupportedMode
from gymnasium.utils.env_checker import check_env

import simhops  # noqa: F401
from simhops.envs.vector_env import SimHopsVectorEnv
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.viz import renderer_env
from simhops.viz.renderer import FrameRenderer
from simhops.viz.renderer_env import UnsupportedRenderMode
from simhops.viz.renderer_trail import TrailBuffer

ENV_ID = "simhops/Waypoints-v0"
ROOT = Path(__file__).resolve().parents[1]
LEVEL = np.array([1.0, 0.0, 0.0, 0.0])
WPS = np.array([[1.5, 1.0, 1.5], [2.5, -0.5, 2.2], [0.5, -2.0, 1.0], [-1.5, -1.0, 2.5]])


def _looks(pixel: np.ndarray) -> str:
    """Colour class of a pixel: green (reached), orange (active), grey (later) or other."""
    r, g, b = (int(c) for c in pixel)
    if g > r + 20 and g > b + 20:
        return "green"
    if r > g + 30 and g > b + 30:
        return "orange"
    if max(r, g, b) - min(r, g, b) < 35:
        return "grey"
    return "other"


class FakeViewer:
    """Stands in for RerunVisualizer (no viewer process in the tests)."""

    instances: list["FakeViewer"] = []

    def __init__(self, application_id, spawn=False, **kwargs):
        assert spawn is True
        self.calls: list[tuple] = []
        self.closed = False
        FakeViewer.instances.append(self)

    def set_time(self, timeline, **kw):
        self.calls.append(("set_time", timeline, kw))

    def log_waypoints(self, path, wps, **kw):
        self.calls.append(("waypoints", path, np.array(wps), kw))

    def log_quadcopter(self, path, position, attitude, **kw):
        self.calls.append(("quad", path, np.array(position), np.array(attitude)))

    def log_trajectory(self, path, positions, **kw):
        self.calls.append(("trail", path, np.array(positions)))

    def close(self):
        self.closed = True


def _no_viewer(*args, **kwargs):
    raise RuntimeError("Failed to find Rerun Viewer executable in PATH.")


# -- the renderer -------------------------------------------------------------------------------
@pytest.mark.parametrize("camera", ["chase", "iso"])
def test_frame_is_uint8_rgb_of_the_requested_size(camera):
    frame = FrameRenderer(200, 120, camera=camera).render([0, 0, 1], LEVEL, WPS, 1, trail=[[0, 0, 1], [0.1, 0, 1]])
    assert frame.shape == (120, 200, 3) and frame.dtype == np.uint8
    assert frame.std() > 10  # not a blank image


@pytest.mark.parametrize("camera", ["chase", "iso"])
def test_waypoints_are_coloured_reached_active_and_later(camera):
    r = FrameRenderer(320, 240, camera=camera)
    pos = np.array([-1.0, 2.0, 1.0])  # off the course, so the drone covers no sphere
    frame = r.render(pos, LEVEL, WPS, 2, trail=None, reach_radius_m=0.25)
    uv, depth = r.camera.project(WPS)
    radius_px = r.camera.focal_px * 0.25 / depth
    expected = ["green", "green", "orange", "grey"]
    seen = 0
    for i, ((u, v), z, col) in enumerate(zip(uv, depth, expected)):
        hidden = any(depth[j] < z and np.hypot(*(uv[j] - uv[i])) < radius_px[j] + 2 for j in range(len(WPS)) if j != i)
        if z > 0 and 0 <= u < 320 and 0 <= v < 240 and not hidden:
            seen += 1
            assert _looks(frame[int(round(v)), int(round(u))]) == col, (i, frame[int(round(v)), int(round(u))])
    assert seen >= 2


def test_attitude_changes_the_drone_drawing_only_near_the_drone():
    r = FrameRenderer(320, 240, camera="chase")
    pos = np.array([0.0, 0.0, 1.0])
    level = r.render(pos, LEVEL, WPS, 0)
    r.reset()
    roll = 0.5
    rolled = r.render(pos, [math.cos(roll / 2), math.sin(roll / 2), 0.0, 0.0], WPS, 0)
    diff = np.any(level != rolled, axis=2)
    assert diff.sum() > 50  # the rotor rings and arms moved
    (u, v), = r.camera.project(pos[None, :])[0]
    ys, xs = np.nonzero(diff)
    assert np.all(np.hypot(xs - u, ys - v) < 80)  # ... and nothing far from the drone did


def test_trail_is_drawn():
    r = FrameRenderer(320, 240, camera="iso")
    pos = np.array([0.0, 0.0, 1.0])
    trail = np.stack([np.linspace(-2, 0, 50), np.linspace(-2, 0, 50), np.full(50, 1.0)], axis=1)
    without = r.render(pos, LEVEL, WPS, 0, trail=trail[-1:])
    with_trail = r.render(pos, LEVEL, WPS, 0, trail=trail)
    uv, _ = r.camera.project(trail[10:11])
    u, v = np.round(uv[0]).astype(int)
    assert np.any(without != with_trail)
    assert with_trail[v, u, 2] > with_trail[v, u, 0] + 40  # blue where the trail passes


@pytest.mark.parametrize("kwargs, name", [
    ({"position": [0, 0]}, "position"), ({"attitude_wxyz": [1, 0, 0]}, "attitude_wxyz"),
    ({"waypoints": np.zeros((3, 2))}, "waypoints"), ({"active_index": 7}, "active_index"),
    ({"trail": np.zeros(3)}, "trail"), ({"reach_radius_m": 0.0}, "reach_radius_m"),
])
def test_bad_render_input_names_the_argument(kwargs, name):
    args = {"position": [0, 0, 1], "attitude_wxyz": LEVEL, "waypoints": WPS, "active_index": 0} | kwargs
    with pytest.raises(ValueError, match=name):
        FrameRenderer().render(**args)


@pytest.mark.parametrize("kwargs, name", [({"width": 8}, "width"), ({"height": 5000}, "height"),
                                          ({"camera": "top"}, "camera"), ({"drone_scale": -1}, "drone_scale")])
def test_bad_renderer_settings_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        FrameRenderer(**kwargs)


def test_non_finite_state_still_renders():
    trail = np.array([[0, 0, 1.0], [0.1, 0, 1.0]])
    frame = FrameRenderer().render([np.nan, 0, 1], [np.nan, 0, 0, 0], WPS, 0, trail=trail)
    assert frame.shape == (240, 320, 3)


def test_trail_buffer_keeps_the_last_positions_in_order():
    tb = TrailBuffer(2, capacity=4)
    for k in range(6):
        tb.append(np.array([[k, 0, 0], [10 + k, 0, 0]], dtype=float), mask=np.array([True, k % 2 == 0]))
    assert tb.trail(0)[:, 0].tolist() == [2, 3, 4, 5]
    assert tb.trail(1)[:, 0].tolist() == [10, 12, 14]
    tb.clear(np.array([True, False]))
    assert len(tb.trail(0)) == 0 and len(tb.trail(1)) == 3


# -- the single env -------------------------------------------------------------------------------
def test_metadata_declares_modes_and_fps():
    env = WaypointsEnv(overrides=["scenario.control_hz=25"])
    assert set(env.metadata["render_modes"]) == {"rgb_array", "human"}
    assert env.metadata["render_fps"] == 25
    assert WaypointsEnv.metadata["render_modes"] == ["rgb_array", "human"]


def test_make_rgb_array_with_size_and_camera():
    env = gym.make(ENV_ID, render_mode="rgb_array", render_width=160, render_height=96, render_camera="iso")
    assert env.render_mode == "rgb_array"
    env.reset(seed=0)
    first = env.render()
    for _ in range(10):
        env.step(np.array([0.0, 0.3, 0.0, 0.0], dtype=np.float32))
    frame = env.render()
    assert frame.shape == (96, 160, 3) and frame.dtype == np.uint8
    assert np.any(frame != first)
    env.close()


@pytest.mark.parametrize("make", [lambda: gym.make(ENV_ID, render_mode="ansi"),
                                  lambda: WaypointsEnv(render_mode="rgb_array_list"),
                                  lambda: SimHopsVectorEnv(2, render_mode="bogus")])
def test_unknown_mode_raises_gymnasiums_unsupported_mode(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gym.make warns before the env raises
        with pytest.raises(UnsupportedMode, match="render_mode") as err:
            make()
    assert isinstance(err.value, ValueError) and isinstance(err.value, UnsupportedRenderMode)


def test_render_without_mode_warns_and_returns_none():
    env = WaypointsEnv()
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode"):
        assert env.render() is None


def test_gymnasium_check_env_with_render_checks(monkeypatch):
    """check_env re-makes the env in every declared mode, "human" included (no viewer here)."""
    monkeypatch.setattr("simhops.viz.rerun_visualizer.RerunVisualizer", _no_viewer)
    env = gym.make(ENV_ID, render_mode="rgb_array", overrides=["scenario.duration_s=1.0"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env.unwrapped)
    render_warnings = [str(w.message) for w in caught if "render" in str(w.message).lower()
                       and "Rerun viewer" not in str(w.message)]
    assert render_warnings == []


def test_human_mode_streams_each_step_to_the_viewer(monkeypatch):
    FakeViewer.instances.clear()
    monkeypatch.setattr("simhops.viz.rerun_visualizer.RerunVisualizer", FakeViewer)
    env = gym.make(ENV_ID, render_mode="human")
    env.reset(seed=1)
    for _ in range(3):
        env.step(np.zeros(4, dtype=np.float32))
    assert env.render() is None
    (viewer,) = FakeViewer.instances
    quads = [c for c in viewer.calls if c[0] == "quad"]
    assert len(quads) == 5  # reset, 3 steps, the explicit render()
    np.testing.assert_allclose(quads[-1][2], env.unwrapped.drone_state.position)
    wps = [c for c in viewer.calls if c[0] == "waypoints"][-1]
    np.testing.assert_allclose(wps[2], env.unwrapped.scenario.waypoints)
    env.close()
    assert viewer.closed


def test_human_mode_without_a_viewer_warns_once_and_runs(monkeypatch):
    monkeypatch.setattr("simhops.viz.rerun_visualizer.RerunVisualizer", _no_viewer)
    env = WaypointsEnv(render_mode="human")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env.reset(seed=0)
        for _ in range(5):
            env.step(np.zeros(4, dtype=np.float32))
    spawn_warnings = [w for w in caught if "could not spawn" in str(w.message)]
    assert len(spawn_warnings) == 1


def test_real_spawn_failure_is_caught(monkeypatch):
    """The real RerunVisualizer, with the viewer executable off PATH: rerun raises, the env warns."""
    monkeypatch.setenv("PATH", "/nonexistent")
    r = renderer_env.EnvRenderer("human")
    with pytest.warns(UserWarning, match="could not spawn"):
        assert r.render([0, 0, 1], LEVEL, WPS, 0, None, 0.2, 5.0) is None


# -- the vector env -------------------------------------------------------------------------------
def test_vector_env_renders_the_chosen_sub_env_like_the_single_env():
    n, seed = 3, 7
    venv = SimHopsVectorEnv(n, render_mode="rgb_array", render_env_index=2)
    env = WaypointsEnv(render_mode="rgb_array")
    venv.reset(seed=seed)
    env.reset(seed=seed + 2)
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = (rng.uniform(-0.3, 0.3, (n, 4)) + [0.0, 0, 0, 0]).astype(np.float32)
        _, _, term, trunc, _ = venv.step(a)
        env.step(a[2])
        assert not (term[2] or trunc[2])
    frames = venv.render()
    assert isinstance(frames, tuple) and len(frames) == 1
    np.testing.assert_array_equal(frames[0], env.render())
    assert venv.metadata["render_fps"] == env.metadata["render_fps"]


def test_vector_env_render_all_and_bad_index():
    venv = SimHopsVectorEnv(2, render_mode="rgb_array", render_env_index=None, render_width=64, render_height=48)
    venv.reset(seed=0)
    frames = venv.render()
    assert len(frames) == 2 and all(f.shape == (48, 64, 3) for f in frames)
    assert np.any(frames[0] != frames[1])  # different courses
    with pytest.raises(ValueError, match="render_env_index"):
        SimHopsVectorEnv(2, render_mode="rgb_array", render_env_index=2)
    one = SimHopsVectorEnv(2, render_mode="rgb_array", render_env_index=1)
    one.reset(seed=0)
    with pytest.raises(ValueError, match="rendered sub-env"):
        one.render_env(0)


def test_vector_env_trail_restarts_with_the_episode():
    venv = SimHopsVectorEnv(1, render_mode="rgb_array", overrides=["scenario.duration_s=0.2"])  # 10 steps
    venv.reset(seed=0)
    for _ in range(10):
        venv.step(np.zeros((1, 4)))
    assert len(venv._trails.trail(0)) == 11
    venv.step(np.zeros((1, 4)))  # NEXT_STEP autoreset
    assert len(venv._trails.trail(0)) == 1


def test_make_vec_passes_render_mode():
    venv = gym.make_vec(ENV_ID, num_envs=2, render_mode="rgb_array")
    venv.reset(seed=0)
    (frame,) = venv.render()
    assert frame.shape == (240, 320, 3)


# -- the benchmark --------------------------------------------------------------------------------
def test_bench_render_quick_prints_one_json_line():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_render.py"), "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    fig = record["figures"]["env_render[chase,320x240]"]
    assert fig["fps"] > 0 and fig["cpu_fps"] > 0
    assert record["targets"]["env_render_320x240_fps"]["target"] == 100.0


@pytest.mark.skipif(importlib.util.find_spec("moviepy") is None,
                    reason="RecordVideo needs moviepy: pip install 'simhops[video]'")
def test_vector_record_video_with_every_sub_env(tmp_path):
    from gymnasium.wrappers.vector import RecordVideo

    venv = gym.make_vec(ENV_ID, num_envs=2, render_mode="rgb_array", render_env_index=None, render_width=64,
                        render_height=48, overrides=["scenario.duration_s=0.2"])
    venv = RecordVideo(venv, str(tmp_path), episode_trigger=lambda ep: ep == 0)
    venv.reset(seed=0)
    for _ in range(15):
        venv.step(np.zeros((2, 4), dtype=np.float32))
    venv.close()
    assert [p.suffix for p in tmp_path.iterdir()] == [".mp4"]
