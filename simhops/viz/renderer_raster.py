"""Software rasterizer kernels of :class:`~simhops.viz.renderer.FrameRenderer` (numba).

All kernels draw into a float32 ``(H, W, 3)`` buffer with values in [0, 255] and
blend with ``alpha * coverage`` (anti-aliased edges: coverage is the fraction of a
pixel inside the shape, estimated from the signed distance of the pixel centre).
Pixel ``(x, y)`` has its centre at integer coordinates; x to the right, y down.

3D inputs are in the world frame (ENU, metres); the camera is given as
``rot`` (3, 3) world -> camera (rows: right, down, forward), ``eye`` (3,) m and
the pinhole intrinsics ``focal`` (px), ``cx``, ``cy`` (px).

Compiled with ``cache=True`` (numba's on-disk cache), like the simulator kernels.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# fastmath: the frames need no bit-exactness (unlike the physics kernels); it lets the pixel loops vectorize
_njit = numba.njit(cache=True, nogil=True, fastmath=True, error_model="numpy")

NEAR_M = 0.05  # near clipping plane (m in front of the camera)


@_njit
def _blend(img, x, y, r, g, b, a):
    img[y, x, 0] += (r - img[y, x, 0]) * a
    img[y, x, 1] += (g - img[y, x, 1]) * a
    img[y, x, 2] += (b - img[y, x, 2]) * a


@_njit
def _clip_range(p, q, t0, t1):
    """One Liang-Barsky boundary test; returns the narrowed (t0, t1) (t0 > t1: rejected)."""
    if p == 0.0:
        if q < 0.0:
            return 1.0, 0.0
        return t0, t1
    t = q / p
    if p < 0.0:
        return max(t0, t), t1
    return t0, min(t1, t)


@_njit
def line2d(img, x0, y0, x1, y1, r, g, b, alpha, width):
    """Anti-aliased line of ``width`` px from (x0, y0) to (x1, y1) (px), clipped to the image."""
    h, w = img.shape[0], img.shape[1]
    if not (math.isfinite(x0) and math.isfinite(y0) and math.isfinite(x1) and math.isfinite(y1)):
        return
    m = width + 2.0
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    t0, t1 = _clip_range(-dx, x0 + m, t0, t1)
    t0, t1 = _clip_range(dx, (w - 1 + m) - x0, t0, t1)
    t0, t1 = _clip_range(-dy, y0 + m, t0, t1)
    t0, t1 = _clip_range(dy, (h - 1 + m) - y0, t0, t1)
    if t0 > t1:
        return
    ax, ay = x0 + t0 * dx, y0 + t0 * dy
    bx, by = x0 + t1 * dx, y0 + t1 * dy
    steep = abs(by - ay) > abs(bx - ax)
    if steep:  # iterate along y
        ax, ay = ay, ax
        bx, by = by, bx
    if ax > bx:
        ax, bx = bx, ax
        ay, by = by, ay
    span = bx - ax
    slope = (by - ay) / span if span > 1e-9 else 0.0
    hw = 0.5 * width * math.sqrt(1.0 + slope * slope)
    i_start = int(math.floor(ax + 0.5))
    i_end = int(math.floor(bx + 0.5))
    for i in range(i_start, i_end + 1):
        c = ay + slope * (i - ax)
        j0 = int(math.floor(c - hw - 1.0))
        j1 = int(math.ceil(c + hw + 1.0))
        for j in range(j0, j1 + 1):
            cov = hw + 0.5 - abs(j - c)
            if cov <= 0.0:
                continue
            if cov > 1.0:
                cov = 1.0
            if steep:
                px, py = j, i
            else:
                px, py = i, j
            if 0 <= px < w and 0 <= py < h:
                _blend(img, px, py, r, g, b, alpha * cov)


@_njit
def _to_camera(rot, eye, p):
    x, y, z = p[0] - eye[0], p[1] - eye[1], p[2] - eye[2]
    return (rot[0, 0] * x + rot[0, 1] * y + rot[0, 2] * z,
            rot[1, 0] * x + rot[1, 1] * y + rot[1, 2] * z,
            rot[2, 0] * x + rot[2, 1] * y + rot[2, 2] * z)


@_njit
def polyline3d(img, rot, eye, focal, cx, cy, points, colors, alphas, width, depth_width):
    """Segments ``points[k] -> points[k + 1]`` (K, 3) m, each in ``colors[k + 1]`` (K, 3) and ``alphas[k + 1]``.

    Segments are clipped at the near plane. ``depth_width`` > 0 scales the width with
    ``depth_width / depth`` (px per m of depth), so near parts are thicker; the width never
    goes below ``width`` px.
    """
    n = points.shape[0]
    for k in range(n - 1):
        xa, ya, za = _to_camera(rot, eye, points[k])
        xb, yb, zb = _to_camera(rot, eye, points[k + 1])
        if not (math.isfinite(za) and math.isfinite(zb)):
            continue
        if za < NEAR_M and zb < NEAR_M:
            continue
        if za < NEAR_M:
            t = (NEAR_M - za) / (zb - za)
            xa, ya, za = xa + t * (xb - xa), ya + t * (yb - ya), NEAR_M
        elif zb < NEAR_M:
            t = (NEAR_M - zb) / (za - zb)
            xb, yb, zb = xb + t * (xa - xb), yb + t * (ya - yb), NEAR_M
        wd = width
        if depth_width > 0.0:
            wd = max(width, depth_width / (0.5 * (za + zb)))
        line2d(img, focal * xa / za + cx, focal * ya / za + cy, focal * xb / zb + cx, focal * yb / zb + cy,
               colors[k + 1, 0], colors[k + 1, 1], colors[k + 1, 2], alphas[k + 1], wd)


@_njit
def disc(img, x0, y0, radius, r, g, b, alpha, sphere):
    """Filled anti-aliased disc of ``radius`` px at (x0, y0); ``sphere``: shade it as a lit ball."""
    h, w = img.shape[0], img.shape[1]
    if not (math.isfinite(x0) and math.isfinite(y0) and math.isfinite(radius)) or radius <= 0.0:
        return
    ya, yb = max(0, int(math.floor(y0 - radius - 1))), min(h - 1, int(math.ceil(y0 + radius + 1)))
    xa, xb = max(0, int(math.floor(x0 - radius - 1))), min(w - 1, int(math.ceil(x0 + radius + 1)))
    inv = 1.0 / max(radius, 1e-6)
    for y in range(ya, yb + 1):
        for x in range(xa, xb + 1):
            dx, dy = x - x0, y - y0
            d = math.sqrt(dx * dx + dy * dy)
            cov = radius + 0.5 - d
            if cov <= 0.0:
                continue
            if cov > 1.0:
                cov = 1.0
            if sphere:
                nx, ny = dx * inv, dy * inv
                nz = math.sqrt(max(0.0, 1.0 - nx * nx - ny * ny))
                lam = max(0.0, -0.45 * nx - 0.55 * ny + 0.70 * nz)  # light from the upper left, towards the viewer
                k = 0.55 + 0.55 * lam
                spec = 150.0 * lam ** 24
                _blend(img, x, y, min(255.0, r * k + spec), min(255.0, g * k + spec), min(255.0, b * k + spec),
                       alpha * cov)
            else:
                _blend(img, x, y, r, g, b, alpha * cov)


@_njit
def ring(img, x0, y0, radius, width, r, g, b, alpha):
    """Anti-aliased circle outline of ``radius`` px and line ``width`` px at (x0, y0)."""
    h, w = img.shape[0], img.shape[1]
    if not (math.isfinite(x0) and math.isfinite(y0) and math.isfinite(radius)) or radius <= 0.0:
        return
    ext = radius + width + 1.0
    ya, yb = max(0, int(math.floor(y0 - ext))), min(h - 1, int(math.ceil(y0 + ext)))
    xa, xb = max(0, int(math.floor(x0 - ext))), min(w - 1, int(math.ceil(x0 + ext)))
    for y in range(ya, yb + 1):
        for x in range(xa, xb + 1):
            d = math.sqrt((x - x0) ** 2 + (y - y0) ** 2)
            cov = 0.5 * width + 0.5 - abs(d - radius)
            if cov <= 0.0:
                continue
            _blend(img, x, y, r, g, b, alpha * min(cov, 1.0))


@_njit
def convex_polygon(img, xs, ys, r, g, b, alpha):
    """Filled anti-aliased convex polygon with vertices (xs[i], ys[i]) px, either winding."""
    h, w = img.shape[0], img.shape[1]
    n = xs.shape[0]
    if n < 3:
        return
    area = 0.0
    for i in range(n):
        j = (i + 1) % n
        if not (math.isfinite(xs[i]) and math.isfinite(ys[i])):
            return
        area += xs[i] * ys[j] - xs[j] * ys[i]
    if abs(area) < 1e-9:
        return
    sgn = 1.0 if area > 0 else -1.0
    xa, xb = max(0, int(math.floor(xs.min() - 1))), min(w - 1, int(math.ceil(xs.max() + 1)))
    ya, yb = max(0, int(math.floor(ys.min() - 1))), min(h - 1, int(math.ceil(ys.max() + 1)))
    for y in range(ya, yb + 1):
        for x in range(xa, xb + 1):
            dmin = 1e9
            for i in range(n):
                j = (i + 1) % n
                ex, ey = xs[j] - xs[i], ys[j] - ys[i]
                ln = math.sqrt(ex * ex + ey * ey)
                if ln < 1e-9:
                    continue
                d = sgn * (ex * (y - ys[i]) - ey * (x - xs[i])) / ln
                if d < dmin:
                    dmin = d
            cov = dmin + 0.5
            if cov <= 0.0:
                continue
            _blend(img, x, y, r, g, b, alpha * min(cov, 1.0))


@_njit
def _smooth(e0, e1, x):
    t = min(1.0, max(0.0, (x - e0) / (e1 - e0)))
    return t * t * (3.0 - 2.0 * t)


@_njit
def _line_coverage(dist, line_w, footprint):
    """Box-filtered coverage of a ground line of width ``line_w`` (m) by a pixel of ``footprint`` (m)."""
    c = (0.5 * line_w + 0.5 * footprint - dist) / footprint
    return min(max(c, 0.0), min(1.0, line_w / footprint))


@_njit
def background(img, rot, eye, focal, cx, cy, sky_top, sky_horizon, ground, grid, dome_color, dome_radius,
               grid_step, fog_m, shadows):
    """Sky gradient, and the ground plane z = 0 ray-cast per pixel.

    The ground carries a ``grid_step`` (m) grid, the x (red) and y (green) axes, the
    dome outline (the circle of ``dome_radius`` m where the flight dome meets the
    ground; outside is shaded darker) and soft shadows ``shadows`` (S, 4): x, y (m),
    radius (m), darkness in [0, 1]. Distance fog blends the ground into ``sky_horizon``
    over ``fog_m`` metres.

    Distance-dependent terms (fog, pixel footprint, sky gradient) are evaluated once per
    row at the image's centre column: exact for a camera without roll (screen x
    horizontal, as :meth:`PinholeCamera.look_at` builds), a close approximation otherwise.
    """
    h, w = img.shape[0], img.shape[1]
    inv_f = 1.0 / focal
    dome2 = dome_radius * dome_radius
    ring_in = max(dome_radius - 0.5, 0.0) ** 2
    ring_out = (dome_radius + 0.5) ** 2
    n_sh = shadows.shape[0]
    for y in range(h):
        v = (y - cy) * inv_f
        # row terms at u = 0
        rdx, rdy, rdz = rot[1, 0] * v + rot[2, 0], rot[1, 1] * v + rot[2, 1], rot[1, 2] * v + rot[2, 2]
        rdn = math.sqrt(rdx * rdx + rdy * rdy + rdz * rdz)
        sin_el = rdz / rdn
        e = math.sqrt(max(sin_el, 0.0))
        sr_, sg_, sb_ = (sky_horizon[0] + (sky_top[0] - sky_horizon[0]) * e,
                         sky_horizon[1] + (sky_top[1] - sky_horizon[1]) * e,
                         sky_horizon[2] + (sky_top[2] - sky_horizon[2]) * e)
        row_ground = rdz < -1e-9 and eye[2] > 0.0
        fog, foot = 1.0, 1.0
        if row_ground:
            dist = -eye[2] / rdz * rdn
            fog = 1.0 - math.exp(-dist / fog_m)
            foot = dist * inv_f / math.sqrt(max(-sin_el, 0.08))
        for x in range(w):
            u = (x - cx) * inv_f
            dz = rot[0, 2] * u + rdz
            if not (dz < -1e-9 and eye[2] > 0.0):
                img[y, x, 0], img[y, x, 1], img[y, x, 2] = sr_, sg_, sb_
                continue
            t = -eye[2] / dz
            gx = eye[0] + t * (rot[0, 0] * u + rdx)
            gy = eye[1] + t * (rot[0, 1] * u + rdy)
            if not row_ground:  # rolled camera, this row's centre is sky: per-pixel terms
                dn = math.sqrt(u * u + v * v + 1.0)
                fog = 1.0 - math.exp(-t * dn / fog_m)
                foot = t * dn * inv_f / math.sqrt(max(-dz / dn, 0.08))
            cr, cg, cb = ground[0], ground[1], ground[2]
            r2 = gx * gx + gy * gy
            if r2 > dome2:
                cr, cg, cb = cr * 0.9, cg * 0.9, cb * 0.9
            fx = abs(gx / grid_step - math.floor(gx / grid_step + 0.5)) * grid_step
            fy = abs(gy / grid_step - math.floor(gy / grid_step + 0.5)) * grid_step
            a = max(_line_coverage(fx, 0.025, foot), _line_coverage(fy, 0.025, foot)) * 0.8
            if a > 0.0:
                cr += (grid[0] - cr) * a
                cg += (grid[1] - cg) * a
                cb += (grid[2] - cb) * a
            if gx > 0.0 and abs(gy) < 0.05 + foot:
                a = _line_coverage(abs(gy), 0.04, foot) * 0.8
                cr += (215.0 - cr) * a
                cg += (70.0 - cg) * a
                cb += (60.0 - cb) * a
            if gy > 0.0 and abs(gx) < 0.05 + foot:
                a = _line_coverage(abs(gx), 0.04, foot) * 0.8
                cr += (60.0 - cr) * a
                cg += (170.0 - cg) * a
                cb += (80.0 - cb) * a
            if ring_in < r2 < ring_out or foot > 0.4:
                a = _line_coverage(abs(math.sqrt(r2) - dome_radius), 0.06, foot)
                cr += (dome_color[0] - cr) * a
                cg += (dome_color[1] - cg) * a
                cb += (dome_color[2] - cb) * a
            shade = 1.0
            for s in range(n_sh):
                ex, ey, sr = gx - shadows[s, 0], gy - shadows[s, 1], shadows[s, 2]
                sd2 = ex * ex + ey * ey
                if sd2 < sr * sr:
                    shade *= 1.0 - shadows[s, 3] * (1.0 - _smooth(0.45 * sr, sr, math.sqrt(sd2)))
            img[y, x, 0] = cr * shade + (sky_horizon[0] - cr * shade) * fog
            img[y, x, 1] = cg * shade + (sky_horizon[1] - cg * shade) * fog
            img[y, x, 2] = cb * shade + (sky_horizon[2] - cb * shade) * fog


@_njit
def to_uint8(img, out):
    """Round and clip the float buffer into ``out`` (H, W, 3) uint8."""
    h, w = img.shape[0], img.shape[1]
    for y in range(h):
        for x in range(w):
            for c in range(3):
                v = img[y, x, c] + 0.5
                out[y, x, c] = 0 if v < 0.0 else (255 if v >= 255.0 else np.uint8(v))
