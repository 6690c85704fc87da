"""Frames per second of the software renderer (``render_mode="rgb_array"``).

Prints exactly one JSON line on stdout (progress on stderr)::

    .venv/bin/python benchmarks/bench_render.py
    .venv/bin/python benchmarks/bench_render.py --quick     # smoke run, ~1 s of timing (used by the tests)

Figures (frames per wall-clock second, single thread):

| figure | what is timed |
|---|---|
| ``frame_renderer[camera, WxH]`` | ``FrameRenderer.render`` alone on a fixed scene (4 waypoints, a 500-point trail, a tilted drone) |
| ``env_render[camera, WxH]`` | ``WaypointsEnv(render_mode="rgb_array").render()`` in the middle of an episode: the env's state and trail gathering plus the renderer |

Each figure: an untimed warm-up (JIT compile or cache load), then ``--seconds`` split
into ``--windows`` windows; ``fps`` is the median window (wall clock), ``best_fps`` the
fastest one, ``cpu_fps`` frames per second of this thread's CPU time (what an unshared
core would give; the machine may be shared: see the load averages). ``targets`` compares the 320x240
env figure of the default camera with the 100 fps goal.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Callable

import numpy as np

from _common import emit, finite_or_none, load_average, log, machine, versions

TARGET_FPS = 100.0


def _time(fn: Callable[[], Any], seconds: float, windows: int) -> dict[str, Any]:
    for _ in range(3):
        fn()
    rates, cpu_rates = [], []
    for _ in range(windows):
        n, t0, c0 = 0, time.perf_counter(), time.thread_time()
        while (dt := time.perf_counter() - t0) < seconds / windows:
            fn()
            n += 1
        rates.append(n / dt)
        cpu_rates.append(n / max(time.thread_time() - c0, 1e-9))
    return {"fps": finite_or_none(statistics.median(rates)), "best_fps": finite_or_none(max(rates)),
            "ms_per_frame": finite_or_none(1e3 / statistics.median(rates), 3),
            "cpu_fps": finite_or_none(statistics.median(cpu_rates))}


def _scene() -> dict[str, Any]:
    t = np.linspace(0.0, 1.0, 500)
    trail = np.stack([1.4 * t, 0.9 * t + 0.2 * np.sin(6 * t), 1.0 + 0.5 * t], axis=1)
    half = 0.2
    q = np.array([np.cos(half), 0.3 * np.sin(half), 0.9 * np.sin(half), 0.3 * np.sin(half)])
    wps = np.array([[1.5, 1.0, 1.5], [2.5, -0.5, 2.2], [0.5, -2.0, 1.0], [-1.5, -1.0, 2.5]])
    return {"position": trail[-1], "attitude_wxyz": q, "waypoints": wps, "active_index": 1, "trail": trail}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=2.0, help="timing per figure (s)")
    ap.add_argument("--windows", type=int, default=5, help="timing windows per figure")
    ap.add_argument("--quick", action="store_true", help="smoke run: 0.2 s per figure, 320x240 only")
    args = ap.parse_args()
    seconds = 0.2 if args.quick else args.seconds
    sizes = [(320, 240)] if args.quick else [(320, 240), (640, 480)]
    mach = machine()

    import simhops  # noqa: F401  (registers the env)
    from simhops.envs.waypoints_env import WaypointsEnv
    from simhops.viz.renderer import CAMERAS, FrameRenderer

    figures: dict[str, Any] = {}
    scene = _scene()
    for cam in CAMERAS:
        for w, h in sizes:
            log(f"frame_renderer {cam} {w}x{h}")
            r = FrameRenderer(w, h, camera=cam)
            figures[f"frame_renderer[{cam},{w}x{h}]"] = _time(lambda: r.render(**scene), seconds, args.windows)
            log(f"env_render {cam} {w}x{h}")
            env = WaypointsEnv(render_mode="rgb_array", render_width=w, render_height=h, render_camera=cam)
            env.reset(seed=0)
            hover = np.array([-0.11, 0.05, 0.02, 0.0], dtype=np.float32)
            for _ in range(150):  # mid-episode: a trail of 150 points
                _, _, term, trunc, _ = env.step(hover)
                if term or trunc:
                    break
            frame = env.render()
            assert frame.shape == (h, w, 3) and frame.dtype == np.uint8, (frame.shape, frame.dtype)
            figures[f"env_render[{cam},{w}x{h}]"] = _time(env.render, seconds, args.windows)
            env.close()
    headline = figures["env_render[chase,320x240]"]["fps"]
    mach["loadavg_end"] = load_average()
    emit({
        "benchmark": "render",
        "quick": args.quick,
        "seconds_per_figure": seconds,
        "windows": args.windows,
        "figures": figures,
        "targets": {"env_render_320x240_fps": {"target": TARGET_FPS, "measured": headline,
                                                "met": headline is not None and headline >= TARGET_FPS}},
        "versions": versions(),
        "machine": mach,
    })


if __name__ == "__main__":
    main()
