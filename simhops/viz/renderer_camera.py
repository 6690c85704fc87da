"""Pinhole camera of the software renderer, and quaternion -> rotation matrix."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def quat_wxyz_to_matrix(q_wxyz: np.ndarray) -> np.ndarray:
    """(3, 3) rotation body -> world of a quaternion ``(w, x, y, z)``; normalized first.

    A zero or non-finite quaternion gives the identity.
    """
    q = np.asarray(q_wxyz, dtype=np.float64).reshape(4)
    n = float(np.sqrt(q @ q))
    if not math.isfinite(n) or n < 1e-12:
        return np.eye(3)
    w, x, y, z = q / n
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
    ])


@dataclass(frozen=True, slots=True, eq=False)
class PinholeCamera:
    """A pinhole camera looking into the ENU world.

    | attribute | shape | meaning |
    |---|---|---|
    | ``eye`` | (3,) | camera centre, m, world ENU |
    | ``rotation`` | (3, 3) | world -> camera; rows are the camera's right, down and forward axes in world coordinates |
    | ``focal_px`` | - | focal length, px (square pixels) |
    | ``cx``, ``cy`` | - | principal point, px (pixel centres at integers) |

    A world point ``p`` projects to ``u = focal_px * c_x / c_z + cx``, ``v = focal_px * c_y / c_z + cy``
    with ``c = rotation @ (p - eye)``; ``c_z`` is its depth (m).
    """

    eye: np.ndarray
    rotation: np.ndarray
    focal_px: float
    cx: float
    cy: float

    @classmethod
    def look_at(cls, eye, target, width: int, height: int, fov_y_deg: float = 60.0) -> "PinholeCamera":
        """Camera at ``eye`` (3,) m looking at ``target`` (3,) m, world z up, vertical field of view ``fov_y_deg``.

        Raises:
            ValueError: ``eye`` equals ``target``, or ``fov_y_deg`` outside (1, 179).
        """
        if not 1.0 < fov_y_deg < 179.0:
            raise ValueError(f"fov_y_deg must be in (1, 179) degrees, got {fov_y_deg}")
        eye = np.asarray(eye, dtype=np.float64).reshape(3)
        fwd = np.asarray(target, dtype=np.float64).reshape(3) - eye
        n = float(np.linalg.norm(fwd))
        if not n > 1e-9:
            raise ValueError("camera eye and target must differ")
        fwd /= n
        right = np.cross(fwd, (0.0, 0.0, 1.0))
        if np.linalg.norm(right) < 1e-6:  # looking straight up or down: pick +x as screen right
            right = np.array([1.0, 0.0, 0.0])
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        focal = 0.5 * height / math.tan(math.radians(fov_y_deg) / 2.0)
        return cls(eye, np.stack([right, down, fwd]), focal, 0.5 * width - 0.5, 0.5 * height - 0.5)

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """(N, 3) world points -> (N, 3) camera coordinates (right, down, depth), m."""
        return (np.asarray(points, dtype=np.float64).reshape(-1, 3) - self.eye) @ self.rotation.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 3) world points -> pixel coordinates (N, 2) and depths (N,) m (behind the camera: depth <= 0)."""
        c = self.to_camera(points)
        z = c[:, 2]
        safe = np.where(z > 1e-9, z, np.nan)
        uv = np.stack([self.focal_px * c[:, 0] / safe + self.cx, self.focal_px * c[:, 1] / safe + self.cy], axis=1)
        return uv, z
