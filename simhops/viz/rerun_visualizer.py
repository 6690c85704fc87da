"""Thin, explicit wrapper around ONE Rerun ``RecordingStream`` (rerun-sdk 0.41).

Every :class:`RerunVisualizer` owns its own ``rr.RecordingStream``; nothing here
touches Rerun's global / thread-default recording, so several visualizers (for
example a training recording and an evaluation recording) can coexist in one
process.  All methods take explicit entity paths and timelines.

Conventions
-----------
* Units are SI (metres, seconds, radians).
* The world frame is ENU, z up (``world`` is logged as ``RIGHT_HAND_Z_UP``).
* Quaternions are passed in as ``(w, x, y, z)`` (scalar first, the simulator's
  convention) and converted to Rerun's ``(x, y, z, w)`` internally.
* Inputs are numpy arrays (anything ``np.asarray`` accepts works).
* Non-finite scalars (NaN / +-inf) are never logged: :meth:`log_scalar` skips
  them and returns ``False``.

Timelines are sticky (per recording and thread): after ``set_time("a", ...)``
every following row carries ``a`` until :meth:`disable_timeline` is called.
Callers that use several timelines should set/disable them explicitly per row.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import rerun as rr

__all__ = [
    "RerunVisualizer",
    "wxyz_to_xyzw",
    "COLOR_REACHED",
    "COLOR_ACTIVE",
    "COLOR_UNREACHED",
    "COLOR_TRAJECTORY",
]

_LOG = logging.getLogger(__name__)

# RGB colours (uint8).
COLOR_REACHED = (40, 200, 90)  # green: waypoint reached
COLOR_ACTIVE = (255, 140, 0)  # orange: the waypoint currently targeted
COLOR_UNREACHED = (150, 150, 150)  # grey: later waypoints
COLOR_TRAJECTORY = (30, 144, 255)  # dodger blue
COLOR_BODY = (60, 60, 70)
COLOR_ARM = (90, 90, 100)
COLOR_ROTOR_FRONT = (220, 40, 40)  # red rotors mark the front (+x body)
COLOR_ROTOR_BACK = (40, 40, 40)

#: Default visual magnification of the quadcopter body in :meth:`RerunVisualizer.log_quadcopter`.
DEFAULT_QUAD_SCALE = 4.0


def wxyz_to_xyzw(q_wxyz: Any) -> np.ndarray:
    """Convert a quaternion ``(w, x, y, z)`` to Rerun's ``(x, y, z, w)``, normalised.

    A zero / non-finite quaternion becomes the identity ``(0, 0, 0, 1)``.
    """
    q = np.asarray(q_wxyz, dtype=np.float64).reshape(4)
    n = float(np.linalg.norm(q))
    if not math.isfinite(n) or n < 1e-12:
        return np.array([0.0, 0.0, 0.0, 1.0], dtype=np.float32)
    q = q / n
    return np.array([q[1], q[2], q[3], q[0]], dtype=np.float32)


def _is_finite_number(value: Any) -> bool:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(v)


class RerunVisualizer:
    """One Rerun recording (``rr.RecordingStream``) with simhops-specific helpers.

    Parameters
    ----------
    application_id:
        Rerun application id (the viewer groups recordings and blueprints by it).
    output_path:
        ``.rrd`` file to write.  Rerun writes it incrementally while logging;
        :meth:`close` flushes and finalises it (writes the RRD footer).  Parent
        directories are created.  ``None``: no file.
    spawn:
        Also spawn a local Rerun viewer and stream to it (in addition to the file
        when ``output_path`` is given).
    blueprint:
        Optional ``rerun.blueprint.Blueprint`` sent as the *default* blueprint of
        the recording (stored in the ``.rrd`` file as a blueprint store).
    world_path:
        Entity path of the world frame; logged once (static) as ENU
        ``RIGHT_HAND_Z_UP``.  ``None`` skips it.
    recording_id:
        Optional explicit recording id (random by default).

    If neither ``output_path`` nor ``spawn`` is given, the stream is created
    disabled (logging calls are no-ops) instead of buffering data in memory.

    Usable as a context manager: ``with RerunVisualizer("app", "x.rrd") as viz: ...``.
    """

    def __init__(
        self,
        application_id: str,
        output_path: str | Path | None = None,
        spawn: bool = False,
        blueprint: Any = None,
        *,
        world_path: str | None = "world",
        recording_id: str | None = None,
    ) -> None:
        self.application_id = application_id
        self.output_path: Path | None = Path(output_path) if output_path is not None else None
        self.spawn = bool(spawn)
        self._closed = False
        enabled = self.output_path is not None or self.spawn
        self.rec = rr.RecordingStream(
            application_id,
            recording_id=recording_id,
            make_default=False,
            make_thread_default=False,
            default_enabled=enabled,
        )
        if self.output_path is not None:
            self.output_path.parent.mkdir(parents=True, exist_ok=True)
        if self.output_path is not None and self.spawn:
            # Start a viewer without connecting, then tee to viewer + file.
            self.rec.spawn(connect=False)
            self.rec.set_sinks(rr.GrpcSink(), rr.FileSink(str(self.output_path)), default_blueprint=blueprint)
        elif self.output_path is not None:
            self.rec.save(self.output_path, default_blueprint=blueprint)
        elif self.spawn:
            self.rec.spawn(default_blueprint=blueprint)
        if world_path is not None:
            self.rec.log(world_path, rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)

    # ------------------------------------------------------------------ lifecycle
    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._closed

    def send_blueprint(self, blueprint: Any, *, make_active: bool = True, make_default: bool = True) -> None:
        """Send (another) blueprint with the recording (``rec.send_blueprint``)."""
        self.rec.send_blueprint(blueprint, make_active=make_active, make_default=make_default)

    def flush(self, timeout_sec: float = 30.0) -> None:
        """Flush batched data to the sinks (the file on disk stays readable)."""
        self.rec.flush(timeout_sec=timeout_sec)

    def close(self) -> None:
        """Flush and close every sink; the ``.rrd`` file is complete (footer written) afterwards.

        Idempotent.  Logging after ``close`` is not supported.
        """
        if self._closed:
            return
        self._closed = True
        try:
            self.rec.flush(timeout_sec=60.0)
        except Exception as exc:  # pragma: no cover - defensive: never lose the disconnect
            _LOG.warning("rerun flush failed: %s", exc)
        self.rec.disconnect()

    def __enter__(self) -> RerunVisualizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ time
    def set_time(self, timeline: str, *, sequence: int | None = None, seconds: float | None = None) -> None:
        """Set the current time on ``timeline`` for all following rows (sticky).

        Exactly one of ``sequence`` (integer index, e.g. PPO update) or
        ``seconds`` (a duration in s, e.g. simulation time) must be given.
        """
        if (sequence is None) == (seconds is None):
            raise ValueError("set_time: give exactly one of sequence= or seconds=")
        if sequence is not None:
            self.rec.set_time(timeline, sequence=int(sequence))
        else:
            self.rec.set_time(timeline, duration=float(seconds))  # type: ignore[arg-type]

    def disable_timeline(self, name: str) -> None:
        """Stop stamping following rows with timeline ``name``."""
        self.rec.disable_timeline(name)

    def reset_time(self) -> None:
        """Clear all user timelines (following rows only carry ``log_time``)."""
        self.rec.reset_time()

    # ------------------------------------------------------------------ scalars / text
    def log_scalar(self, path: str, value: Any) -> bool:
        """Log one scalar (``rr.Scalars``) at ``path``; non-finite values are skipped.

        Returns True when logged, False when skipped (None, NaN, inf, not a number).
        """
        if value is None or not _is_finite_number(value):
            return False
        self.rec.log(path, rr.Scalars(float(value)))
        return True

    def log_scalars(self, values: Mapping[str, Any]) -> int:
        """Log several scalars ``{path: value}`` at the current time; returns how many were logged."""
        return sum(1 for path, value in values.items() if self.log_scalar(path, value))

    def log_series_style(
        self,
        path: str,
        name: str | None = None,
        color: tuple[int, int, int] | None = None,
        width: float | None = None,
    ) -> None:
        """Static ``rr.SeriesLines`` styling (legend name, colour, line width in UI points) for ``path``."""
        self.rec.log(
            path,
            rr.SeriesLines(
                names=name,
                colors=None if color is None else [color],
                widths=None if width is None else [float(width)],
            ),
            static=True,
        )

    def log_text(self, path: str, markdown: str) -> None:
        """Log a markdown ``rr.TextDocument`` at ``path``."""
        self.rec.log(path, rr.TextDocument(str(markdown), media_type=rr.MediaType.MARKDOWN))

    # ------------------------------------------------------------------ 3D
    def log_waypoints(
        self,
        path: str,
        waypoints: Any,
        reached: Any = None,
        reach_radius_m: float = 0.1,
        active_index: int | None = None,
    ) -> None:
        """Log waypoints as ``rr.Points3D``.

        Parameters
        ----------
        waypoints:
            ``(K, 3)`` positions in metres, world frame (ENU).
        reached:
            ``(K,)`` bool, True where the waypoint has been reached (green).
            ``None`` means none reached.
        reach_radius_m:
            Reach radius in metres; used as the point radius so the spheres
            show the true reach region.
        active_index:
            Index of the waypoint currently targeted (orange, labelled
            ``"wpI*"``); other unreached waypoints are grey.  ``None``: no
            active waypoint (e.g. all reached).

        Rerun draws points opaque (alpha is not blended), so the drone or the
        trajectory inside a reach sphere is hidden by it.

        Labels are ``"wp0"``, ``"wp1"``, ... (the active one ``"wpI*"``).
        """
        wps = np.asarray(waypoints, dtype=np.float32).reshape(-1, 3)
        k = wps.shape[0]
        reached_arr = np.zeros(k, dtype=bool) if reached is None else np.asarray(reached, dtype=bool).reshape(k)
        colors = np.empty((k, 3), dtype=np.uint8)
        labels = []
        for i in range(k):
            if reached_arr[i]:
                colors[i] = COLOR_REACHED
            elif active_index is not None and i == int(active_index):
                colors[i] = COLOR_ACTIVE
            else:
                colors[i] = COLOR_UNREACHED
            labels.append(f"wp{i}*" if active_index is not None and i == int(active_index) else f"wp{i}")
        radius = float(reach_radius_m) if _is_finite_number(reach_radius_m) and reach_radius_m > 0 else 0.05
        self.rec.log(
            path,
            rr.Points3D(
                wps,
                radii=np.full(k, radius, dtype=np.float32),
                colors=colors,
                labels=labels,
                show_labels=True,
            ),
        )

    def log_trajectory(
        self,
        path: str,
        positions: Any,
        color: tuple[int, int, int] = COLOR_TRAJECTORY,
        radius_ui_points: float = 2.0,
    ) -> None:
        """Log a path as one ``rr.LineStrips3D`` strip.

        ``positions``: ``(T, 3)`` metres, world frame.  Rows with non-finite
        values are dropped.  The line width is ``radius_ui_points`` screen
        points (constant on screen, independent of the zoom).
        """
        pts = np.asarray(positions, dtype=np.float32).reshape(-1, 3)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        self.rec.log(
            path,
            rr.LineStrips3D([pts], radii=rr.Radius.ui_points(float(radius_ui_points)), colors=[color]),
        )

    def log_quadcopter(
        self,
        path: str,
        position: Any,
        attitude_wxyz: Any,
        arm_length_m: float = 0.0397,
        scale: float = DEFAULT_QUAD_SCALE,
    ) -> None:
        """Log a quadcopter pose and a visible body (X configuration).

        ``path``            ``rr.Transform3D`` (translation = ``position`` (3,) m,
                            world frame; rotation = ``attitude_wxyz`` (4,) body->world
                            quaternion ``(w, x, y, z)``).
        ``path/body``       ``rr.Boxes3D``: the central frame.
        ``path/arms``       ``rr.LineStrips3D``: two crossed arms (X configuration,
                            rotors at +-45 deg / +-135 deg from body +x).
        ``path/rotors``     ``rr.Ellipsoids3D``: four flat rotor discs; the two
                            front ones (+x body) are red, the back ones dark.
        ``path/heading``    ``rr.Arrows3D`` along body +x.

        The body geometry is given in the body frame and magnified by ``scale``
        (default ``4.0``, i.e. drawn 4x its real size) so that a ~0.1 m
        Crazyflie-class drone is visible in a ~5 m arena.  ``scale=1.0`` draws
        it at real size.  ``arm_length_m`` is the centre-to-rotor distance in m.
        """
        pos = np.asarray(position, dtype=np.float32).reshape(3)
        self.rec.log(path, rr.Transform3D(translation=pos, quaternion=rr.Quaternion(xyzw=wxyz_to_xyzw(attitude_wxyz))))
        self.log_quadcopter_body(path, arm_length_m, scale)

    def log_quadcopter_body(
        self,
        path: str,
        arm_length_m: float = 0.0397,
        scale: float = DEFAULT_QUAD_SCALE,
        *,
        static: bool = False,
    ) -> None:
        """Log the quadcopter geometry (``path/body``, ``path/arms``, ``path/rotors``, ``path/heading``).

        The geometry is in the body frame of ``path`` (see :meth:`log_quadcopter`); ``static=True``
        logs it once for all times, so only ``path``'s ``Transform3D`` has to be logged per pose.
        """
        s = float(scale) if _is_finite_number(scale) and scale > 0 else 1.0
        arm = float(arm_length_m) * s
        c = arm / math.sqrt(2.0)
        # rotor centres in body frame (x fwd, y left, z up): FL, FR, BR, BL
        rotors = np.array([[c, c, 0.0], [c, -c, 0.0], [-c, -c, 0.0], [-c, c, 0.0]], dtype=np.float32)
        self.rec.log(
            f"{path}/body",
            rr.Boxes3D(half_sizes=[[0.35 * arm, 0.35 * arm, 0.12 * arm]], colors=[COLOR_BODY], fill_mode="solid"),
            static=static,
        )
        self.rec.log(
            f"{path}/arms",
            rr.LineStrips3D(
                [rotors[[0, 2]], rotors[[1, 3]]],
                radii=np.full(2, 0.06 * arm, dtype=np.float32),
                colors=[COLOR_ARM, COLOR_ARM],
            ),
            static=static,
        )
        rotor_r = 0.45 * arm
        self.rec.log(
            f"{path}/rotors",
            rr.Ellipsoids3D(
                centers=rotors + np.array([0.0, 0.0, 0.1 * arm], dtype=np.float32),
                half_sizes=np.tile(np.array([[rotor_r, rotor_r, 0.03 * arm]], dtype=np.float32), (4, 1)),
                colors=[COLOR_ROTOR_FRONT, COLOR_ROTOR_FRONT, COLOR_ROTOR_BACK, COLOR_ROTOR_BACK],
                fill_mode="solid",
            ),
            static=static,
        )
        self.rec.log(
            f"{path}/heading",
            rr.Arrows3D(vectors=[[1.6 * arm, 0.0, 0.0]], radii=[0.05 * arm], colors=[COLOR_ROTOR_FRONT]),
            static=static,
        )

    # ------------------------------------------------------------------ scene
    def log_scene(self, root: str, dome_radius_m: float, *, ground_half_size_m: float | None = None,
                  n_circle: int = 96) -> None:
        """Static scene: a ground plane (``root/ground``, z = 0) and the flight dome outline (``root/dome``).

        The dome is a hemisphere of ``dome_radius_m`` (m) around the origin, drawn as its rim at
        z = 0, two meridian arcs and a ring at 45 deg elevation. The ground is a flat translucent box
        of half size ``ground_half_size_m`` (default: the dome radius) with a 1 m line grid.
        """
        r = float(dome_radius_m)
        g = float(ground_half_size_m) if ground_half_size_m else r
        a = np.linspace(0.0, 2.0 * math.pi, n_circle + 1)
        half = np.linspace(0.0, math.pi, n_circle // 2 + 1)
        rim = np.stack([r * np.cos(a), r * np.sin(a), np.zeros_like(a)], axis=1)
        ring45 = np.stack([r * np.cos(a) / math.sqrt(2), r * np.sin(a) / math.sqrt(2),
                           np.full_like(a, r / math.sqrt(2))], axis=1)
        arc_x = np.stack([r * np.cos(half), np.zeros_like(half), r * np.sin(half)], axis=1)
        arc_y = np.stack([np.zeros_like(half), r * np.cos(half), r * np.sin(half)], axis=1)
        self.rec.log(f"{root}/dome", rr.LineStrips3D([rim, ring45, arc_x, arc_y], radii=rr.Radius.ui_points(1.0),
                                                      colors=[(120, 160, 200)]), static=True)
        self.rec.log(f"{root}/ground", rr.Boxes3D(centers=[[0.0, 0.0, -0.005]], half_sizes=[[g, g, 0.005]],
                                                  colors=[(200, 200, 190, 90)], fill_mode="solid"), static=True)
        ticks = np.arange(-math.floor(g), math.floor(g) + 1, 1.0)
        lines = [np.array([[t, -g, 0.0], [t, g, 0.0]]) for t in ticks] + [np.array([[-g, t, 0.0], [g, t, 0.0]])
                                                                          for t in ticks]
        self.rec.log(f"{root}/ground/grid", rr.LineStrips3D(lines, radii=rr.Radius.ui_points(0.5),
                                                            colors=[(170, 170, 160)]), static=True)
