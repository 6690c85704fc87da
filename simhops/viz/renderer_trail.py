"""TrailBuffer: the recent positions of N drones, for drawing their trails."""

from __future__ import annotations

import numpy as np


class TrailBuffer:
    """Ring buffers of the last ``capacity`` positions (m, world ENU) of ``n`` drones.

    Args:
        n: number of drones (>= 1).
        capacity: positions kept per drone (>= 2).

    Raises:
        ValueError: ``n`` < 1 or ``capacity`` < 2.
    """

    def __init__(self, n: int, capacity: int = 1000) -> None:
        if int(n) < 1:
            raise ValueError(f"n must be >= 1, got {n!r}")
        if int(capacity) < 2:
            raise ValueError(f"capacity must be >= 2 positions, got {capacity!r}")
        self.n, self.capacity = int(n), int(capacity)
        self._buf = np.zeros((self.n, self.capacity, 3))
        self._count = np.zeros(self.n, dtype=np.int64)  # positions appended since the last clear

    def clear(self, mask: np.ndarray | None = None) -> None:
        """Forget the trails of the drones in ``mask`` (N,) bool (all when None)."""
        if mask is None:
            self._count[:] = 0
        else:
            self._count[np.asarray(mask, dtype=bool)] = 0

    def append(self, positions: np.ndarray, mask: np.ndarray | None = None) -> None:
        """Append ``positions`` (N, 3) m for the drones in ``mask`` (N,) bool (all when None)."""
        pos = np.asarray(positions, dtype=np.float64)
        if pos.shape != (self.n, 3):
            raise ValueError(f"positions must have shape ({self.n}, 3), got {pos.shape}")
        idx = np.arange(self.n) if mask is None else np.flatnonzero(mask)
        self._buf[idx, self._count[idx] % self.capacity] = pos[idx]
        self._count[idx] += 1

    def trail(self, i: int) -> np.ndarray:
        """Drone ``i``'s kept positions (K, 3), oldest first (a copy; K <= capacity)."""
        c = int(self._count[i])
        if c <= self.capacity:
            return self._buf[i, :c].copy()
        head = c % self.capacity
        return np.concatenate([self._buf[i, head:], self._buf[i, :head]])
