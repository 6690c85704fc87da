"""FrameRenderer: RGB frames of one drone on its course, drawn by a small numba software rasterizer.

The renderer takes plain arrays (no simulator objects), so it sits in the ``viz``
layer below the simulation and the envs. It draws, back to front:

* sky gradient and the ground plane z = 0, ray-cast per pixel: 1 m grid, x (red) and
  y (green) axes, the outline of the flight dome where it meets the ground (outside
  darker), soft shadows of the drone and the waypoints, distance fog;
* the course order (thin line start -> waypoint 0 -> 1 ...), a stem from each waypoint
  to the ground, the drone's trail (blue, older parts fainter);
* the waypoints as lit spheres of the reach radius (green: reached, orange with a
  white ring: active, grey: later) with their 1-based number, and the drone (magnified
  ``drone_scale`` times: four arms in X, rotor rings in the rotor plane (front pair
  red, back pair dark), body plate, blue thrust axis), in depth order;
* a heads-up row of boxes, one per waypoint, in the same colours (top left).

Cameras (``camera=``): ``"chase"`` follows the drone from behind and above, looking
along the (smoothed) horizontal direction to the active waypoint; ``"iso"`` is a fixed
isometric-style view framing the whole course (start and waypoints).

No GL, no window: numpy for the camera maths and numba kernels
(:mod:`simhops.viz.renderer_raster`) for the pixels; ~1-3 ms a frame at 320 x 240.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simhops.viz import renderer_raster as rs
from simhops.viz.renderer_camera import PinholeCamera, quat_wxyz_to_matrix

__all__ = ["FrameRenderer", "CAMERAS"]

CAMERAS = ("chase", "iso")
#: drone magnification per camera when ``drone_scale`` is None (the iso view is farther away)
DEFAULT_DRONE_SCALE = {"chase": 4.0, "iso": 8.0}

# colours (RGB, 0-255)
SKY_TOP = np.array([118.0, 163.0, 214.0])
SKY_HORIZON = np.array([226.0, 233.0, 241.0])
GROUND = np.array([198.0, 202.0, 192.0])
GRID = np.array([146.0, 152.0, 144.0])
DOME = np.array([70.0, 118.0, 200.0])
TRAIL = np.array([30.0, 144.0, 255.0])
REACHED = np.array([40.0, 190.0, 90.0])
ACTIVE = np.array([255.0, 140.0, 0.0])
UNREACHED = np.array([150.0, 152.0, 164.0])
ROTOR_FRONT = np.array([225.0, 45.0, 45.0])
ROTOR_BACK = np.array([45.0, 45.0, 52.0])
ARM = np.array([62.0, 62.0, 72.0])
BODY = np.array([34.0, 34.0, 42.0])
THRUST = np.array([40.0, 90.0, 230.0])
COURSE = np.array([88.0, 88.0, 110.0])
LABEL = np.array([25.0, 25.0, 30.0])

# 3 x 5 digit glyphs, rows top to bottom, bit 2 = left column
_DIGITS = {
    "0": (7, 5, 5, 5, 7), "1": (2, 6, 2, 2, 7), "2": (7, 1, 7, 4, 7), "3": (7, 1, 7, 1, 7),
    "4": (5, 5, 7, 1, 1), "5": (7, 4, 7, 1, 7), "6": (7, 4, 7, 5, 7), "7": (7, 1, 1, 1, 1),
    "8": (7, 5, 7, 5, 7), "9": (7, 5, 7, 1, 7),
}
_GLYPHS = {k: np.array([[(row >> (2 - c)) & 1 for c in range(3)] for row in v], dtype=bool)
           for k, v in _DIGITS.items()}

_EMPTY_SHADOWS = np.zeros((0, 4))


def _as_points(name: str, value: Any, allow_empty: bool = True) -> np.ndarray:
    a = np.asarray(value, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 3 or (not allow_empty and a.shape[0] == 0):
        raise ValueError(f"{name} must have shape (N, 3) (metres, world ENU), got {a.shape}")
    return a


def _check_positive(name: str, value: Any, low: float = 0.0) -> float:
    v = float(value)
    if not (math.isfinite(v) and v > low):
        raise ValueError(f"{name} must be a finite number > {low}, got {value!r}")
    return v


class FrameRenderer:
    """Renders ``(height, width, 3)`` uint8 RGB frames of a drone flying a waypoint course.

    Args:
        width, height: frame size in px, each in [16, 4096].
        camera: ``"chase"`` (behind the drone, looking to the active waypoint) or ``"iso"`` (fixed, whole course).
        fov_y_deg: vertical field of view, degrees, in (1, 179).
        drone_scale: magnification of the drone drawing (> 0; 1 = real size), so attitude reads at small sizes;
            None: 4 for ``"chase"``, 8 for ``"iso"``.
        arm_length_m: centre-to-rotor distance of the airframe, m (> 0; Crazyflie 2.x: 0.0397).
        chase_distance_m, chase_height_m: chase camera offset behind / above the drone, m.

    Raises:
        ValueError: an argument outside its range (the message names it).

    The chase camera smooths its direction over successive frames; :meth:`reset` forgets it
    (call it at an episode start). Everything else is a pure function of the inputs.
    """

    def __init__(self, width: int = 320, height: int = 240, camera: str = "chase", fov_y_deg: float = 60.0,
                 drone_scale: float | None = None, arm_length_m: float = 0.0397, chase_distance_m: float = 1.2,
                 chase_height_m: float = 0.55) -> None:
        for name, v in (("width", width), ("height", height)):
            if not isinstance(v, (int, np.integer)) or not 16 <= v <= 4096:
                raise ValueError(f"{name} must be an int in [16, 4096] px, got {v!r}")
        if camera not in CAMERAS:
            raise ValueError(f"camera must be one of {CAMERAS}, got {camera!r}")
        if not 1.0 < float(fov_y_deg) < 179.0:
            raise ValueError(f"fov_y_deg must be in (1, 179) degrees, got {fov_y_deg!r}")
        self.width, self.height = int(width), int(height)
        self.camera_mode = camera
        self.fov_y_deg = float(fov_y_deg)
        if drone_scale is None:
            drone_scale = DEFAULT_DRONE_SCALE[camera]
        self.drone_scale = _check_positive("drone_scale", drone_scale)
        self.arm_length_m = _check_positive("arm_length_m", arm_length_m)
        self.chase_distance_m = _check_positive("chase_distance_m", chase_distance_m)
        self.chase_height_m = float(chase_height_m)
        self._buf = np.zeros((self.height, self.width, 3), dtype=np.float32)
        self._chase_dir: np.ndarray | None = None
        self.camera: PinholeCamera | None = None  # the camera of the last frame
        # the drone model in the body frame (FLU), magnified
        arm = self.arm_length_m * self.drone_scale
        c = arm / math.sqrt(2.0)
        self._rotors = np.array([[c, c, 0.0], [c, -c, 0.0], [-c, -c, 0.0], [-c, c, 0.0]])  # FL, FR, BR, BL
        ang = np.linspace(0.0, 2.0 * math.pi, 17)
        rr = 0.55 * arm
        self._circle = np.stack([rr * np.cos(ang), rr * np.sin(ang), np.full_like(ang, 0.12 * arm)], axis=1)
        b = 0.28 * arm
        self._plate = np.array([[b, 0.0, 0.05 * arm], [0.0, -b, 0.05 * arm], [-b, 0.0, 0.05 * arm],
                                [0.0, b, 0.05 * arm]]) * np.array([1.3, 1.0, 1.0])
        self._arm = arm

    def reset(self) -> None:
        """Forget the chase camera's smoothed direction (next frame points straight at the target)."""
        self._chase_dir = None

    # -- camera --------------------------------------------------------------------------------
    def _chase_camera(self, p: np.ndarray, waypoints: np.ndarray, active: int, rot: np.ndarray) -> PinholeCamera:
        want = None
        if active < len(waypoints):
            d = waypoints[active, :2] - p[:2]
            if np.hypot(*d) > 0.05:
                want = d / np.hypot(*d)
        if want is None:
            want = rot[:2, 0] if np.hypot(*rot[:2, 0]) > 1e-3 else np.array([1.0, 0.0])
            want = want / np.hypot(*want) if self._chase_dir is None else self._chase_dir
        if self._chase_dir is None:
            self._chase_dir = want
        else:
            s = self._chase_dir + 0.15 * (want - self._chase_dir)
            n = np.hypot(*s)
            self._chase_dir = s / n if n > 1e-6 else want
        d3 = np.array([self._chase_dir[0], self._chase_dir[1], 0.0])
        dist, height = self.chase_distance_m, self.chase_height_m
        drone_angle = math.atan2(-height, dist)  # elevation of the drone seen from the eye
        pitch = drone_angle + 0.3 * math.radians(self.fov_y_deg)  # no target: drone in the lower part of the frame
        if active < len(waypoints):
            # pitch (and, if needed, back off) so that the drone and the active waypoint both fit vertically
            ahead = max(float(np.dot(waypoints[active, :2] - p[:2], d3[:2])), 0.0)
            rise = float(waypoints[active, 2] - p[2])
            span = 0.75 * math.radians(self.fov_y_deg)
            for _ in range(8):
                drone_angle = math.atan2(-height, dist)
                wp_angle = math.atan2(rise - height, dist + ahead)
                if abs(wp_angle - drone_angle) <= span:
                    break
                dist, height = 1.25 * dist, 1.25 * height
            pitch = 0.5 * (drone_angle + wp_angle)
        eye = p - dist * d3 + np.array([0.0, 0.0, height])
        eye[2] = max(eye[2], 0.25)
        target = eye + math.cos(pitch) * d3 + np.array([0.0, 0.0, math.sin(pitch)])
        return PinholeCamera.look_at(eye, target, self.width, self.height, self.fov_y_deg)

    def _iso_camera(self, points: np.ndarray, reach: float) -> PinholeCamera:
        lo, hi = points.min(axis=0), points.max(axis=0)
        lo[2] = 0.0
        center = 0.5 * (lo + hi)
        radius = max(float(np.max(np.linalg.norm(points - center, axis=1))) + reach, 1.0)
        half_fov = math.radians(self.fov_y_deg) / 2.0 * min(1.0, self.width / self.height)
        dist = 1.1 * radius / math.sin(half_fov)
        az, el = math.radians(-125.0), math.radians(32.0)
        eye = center + dist * np.array([math.cos(az) * math.cos(el), math.sin(az) * math.cos(el), math.sin(el)])
        return PinholeCamera.look_at(eye, center, self.width, self.height, self.fov_y_deg)

    # -- drawing -------------------------------------------------------------------------------
    def _label(self, img: np.ndarray, text: str, x: int, y: int, color: np.ndarray, scale: int = 2) -> None:
        h, w = img.shape[:2]
        for ch in text:
            glyph = _GLYPHS.get(ch)
            if glyph is not None:
                big = np.repeat(np.repeat(glyph, scale, 0), scale, 1)
                y0, x0 = max(y, 0), max(x, 0)
                y1, x1 = min(y + big.shape[0], h), min(x + big.shape[1], w)
                if y1 > y0 and x1 > x0:
                    m = big[y0 - y:y1 - y, x0 - x:x1 - x]
                    region = img[y0:y1, x0:x1]
                    region[m] = color
            x += 4 * scale

    def _draw_drone(self, cam: PinholeCamera, p: np.ndarray, rot: np.ndarray) -> None:
        img, f, cx, cy = self._buf, cam.focal_px, cam.cx, cam.cy
        r_wc, eye = cam.rotation, cam.eye
        rotors = p + self._rotors @ rot.T
        depth = cam.to_camera(rotors)[:, 2]
        centre = p[None, :]
        arm_w = 0.10 * self._arm * f
        one = np.ones(2)
        # arms, far ones first
        for i in np.argsort(-depth):
            seg = np.vstack([centre, rotors[i]])
            rs.polyline3d(img, r_wc, eye, f, cx, cy, seg, np.vstack([ARM, ARM]), one, 1.5, arm_w)
        plate = p + self._plate @ rot.T
        uv, z = cam.project(plate)
        if np.all(z > rs.NEAR_M):
            rs.convex_polygon(img, uv[:, 0].copy(), uv[:, 1].copy(), BODY[0], BODY[1], BODY[2], 1.0)
        ring_alpha = np.full(len(self._circle), 1.0)
        for i in np.argsort(-depth):
            col = ROTOR_FRONT if i < 2 else ROTOR_BACK
            circ = rotors[i] + self._circle @ rot.T
            uvc, zc = cam.project(circ)
            if np.all(zc > rs.NEAR_M):
                rs.convex_polygon(img, uvc[:-1, 0].copy(), uvc[:-1, 1].copy(), col[0], col[1], col[2], 0.35)
            rs.polyline3d(img, r_wc, eye, f, cx, cy, circ, np.tile(col, (len(circ), 1)), ring_alpha, 1.5,
                          0.06 * self._arm * f)
        up = np.vstack([p, p + 1.1 * self._arm * rot[:, 2]])
        rs.polyline3d(img, r_wc, eye, f, cx, cy, up, np.vstack([THRUST, THRUST]), one, 1.5, 0.06 * self._arm * f)

    def render(self, position: Any, attitude_wxyz: Any, waypoints: Any, active_index: int, trail: Any = None,
               start: Any = None, reach_radius_m: float = 0.2, dome_radius_m: float = 5.0) -> np.ndarray:
        """One frame, a new ``(height, width, 3)`` uint8 RGB array.

        Args:
            position: drone position (3,), m, world ENU.
            attitude_wxyz: body FLU -> world quaternion (4,), ``(w, x, y, z)``.
            waypoints: the course (M, 3), m, world ENU, in order (M may be 0).
            active_index: index of the active waypoint, 0..M; waypoints before it are reached (M: course done).
            trail: past drone positions (K, 3), m, oldest first (None: no trail).
            start: start position (3,), m (the course line starts there; default ``trail[0]`` or ``position``).
            reach_radius_m: radius of the waypoint spheres, m (> 0).
            dome_radius_m: flight-dome radius drawn on the ground, m (> 0).

        Raises:
            ValueError: a wrong shape or value (the message names the argument).
        """
        p = np.asarray(position, dtype=np.float64).reshape(-1)
        if p.shape != (3,):
            raise ValueError(f"position must have 3 values (m, world ENU), got shape {np.shape(position)}")
        q = np.asarray(attitude_wxyz, dtype=np.float64).reshape(-1)
        if q.shape != (4,):
            raise ValueError(f"attitude_wxyz must have 4 values (w, x, y, z), got shape {np.shape(attitude_wxyz)}")
        wps = _as_points("waypoints", waypoints)
        m = len(wps)
        if not 0 <= int(active_index) <= m:
            raise ValueError(f"active_index must be in [0, {m}] (number of waypoints reached), got {active_index!r}")
        active = int(active_index)
        tr = _as_points("trail", trail) if trail is not None else np.zeros((0, 3))
        reach = _check_positive("reach_radius_m", reach_radius_m)
        dome = _check_positive("dome_radius_m", dome_radius_m)
        if start is None:
            st = tr[0] if len(tr) else p
        else:
            st = np.asarray(start, dtype=np.float64).reshape(3)
        if not np.all(np.isfinite(p)):  # a diverged state: draw it where it was last finite
            finite = tr[np.all(np.isfinite(tr), axis=1)]
            p = finite[-1] if len(finite) else st
        rot = quat_wxyz_to_matrix(q)

        if self.camera_mode == "chase":
            cam = self._chase_camera(p, wps, active, rot)
        else:
            cam = self._iso_camera(np.vstack([wps, st[None, :], p[None, :]]) if m else np.vstack([st, p]), reach)
        self.camera = cam
        img, f, cx, cy, r_wc, eye = self._buf, cam.focal_px, cam.cx, cam.cy, cam.rotation, cam.eye

        shadows = [[p[0], p[1], 1.4 * self._arm, 0.45 / (1.0 + 0.35 * max(p[2], 0.0))]]
        shadows += [[w[0], w[1], reach, 0.12] for w in wps]
        rs.background(img, r_wc, eye, f, cx, cy, SKY_TOP, SKY_HORIZON, GROUND, GRID, DOME, dome, 1.0, 14.0,
                      np.asarray(shadows, dtype=np.float64) if shadows else _EMPTY_SHADOWS)

        if m:
            course = np.vstack([st[None, :], wps])
            rs.polyline3d(img, r_wc, eye, f, cx, cy, course, np.tile(COURSE, (m + 1, 1)), np.full(m + 1, 0.45),
                          1.2, 0.0)
            for w in wps:
                stem = np.array([w, [w[0], w[1], 0.0]])
                rs.polyline3d(img, r_wc, eye, f, cx, cy, stem, np.tile(COURSE, (2, 1)), np.full(2, 0.35), 1.0, 0.0)
        drop = np.array([p, [p[0], p[1], 0.0]])
        rs.polyline3d(img, r_wc, eye, f, cx, cy, drop, np.tile(BODY, (2, 1)), np.full(2, 0.3), 1.0, 0.0)
        k = len(tr)
        if k >= 2:
            age = np.linspace(0.0, 1.0, k)
            colors = TRAIL[None, :] * (0.55 + 0.45 * age[:, None]) + 255.0 * 0.45 * (1.0 - age[:, None])
            rs.polyline3d(img, r_wc, eye, f, cx, cy, np.ascontiguousarray(tr), colors, 0.25 + 0.75 * age, 2.0, 0.0)

        # waypoints and the drone, far to near
        items: list[tuple[float, int]] = []
        if m:
            _, wz = cam.project(wps)
            items += [(float(z), i) for i, z in enumerate(wz)]
        _, dz = cam.project(p[None, :])
        items.append((float(dz[0]), -1))
        for z, i in sorted(items, key=lambda t: -t[0]):
            if not z > rs.NEAR_M:
                continue
            if i < 0:
                self._draw_drone(cam, p, rot)
                continue
            uv, _ = cam.project(wps[i:i + 1])
            u, v = uv[0]
            r = f * reach / z
            col = REACHED if i < active else (ACTIVE if i == active else UNREACHED)
            alpha = 0.85 if i == active else 0.6
            rs.disc(img, u, v, r, col[0], col[1], col[2], alpha, True)
            if i == active:
                rs.ring(img, u, v, r + 1.5, 1.6, 255.0, 255.0, 255.0, 0.95)
            if r > 3.0 and math.isfinite(u) and math.isfinite(v):
                self._label(img, str(i + 1), int(u + 0.75 * r) + 2, int(v - 0.75 * r) - 10, LABEL)

        # heads-up: one box per waypoint
        for i in range(m):
            x0 = 6 + 12 * i
            if x0 + 9 > self.width:
                break
            col = REACHED if i < active else (ACTIVE if i == active else UNREACHED)
            img[5:15, x0 - 1:x0 + 10] = (40.0, 40.0, 48.0)
            img[6:14, x0:x0 + 9] = col

        out = np.empty((self.height, self.width, 3), dtype=np.uint8)
        rs.to_uint8(img, out)
        return out
