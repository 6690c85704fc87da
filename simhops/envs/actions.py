"""Action validation shared by both envs: real numbers of the right shape, finite."""

from __future__ import annotations

import numpy as np

#: numpy dtype kinds accepted as actions: signed / unsigned integers and floats (no bool, complex, strings, objects)
REAL_DTYPE_KINDS = frozenset("iuf")


def as_real_array(actions, shape: tuple[int, ...], name: str = "action") -> np.ndarray:
    """``np.asarray(actions)``, refusing anything but real numbers (no copy; shape and values unchecked).

    Raises:
        ValueError: complex numbers, strings, bools or objects (the message names ``name``).
    """
    a = np.asarray(actions)
    if a.dtype.kind not in REAL_DTYPE_KINDS:
        raise ValueError(f"{name} must be real numbers in [-1, 1] (an int or float array of shape {shape}), "
                         f"got dtype {a.dtype} ({type(actions).__name__})")
    return a


def as_actions(actions, shape: tuple[int, ...], name: str = "action") -> np.ndarray:
    """``actions`` as a float64 array of ``shape`` (values outside [-1, 1] are clipped later, by the kernels).

    Raises:
        ValueError: not real numbers (complex, strings, bools, objects), wrong shape, or non-finite
            entries (the message names ``name``, the allowed values and the offending indices).
    """
    a = as_real_array(actions, shape, name)
    if a.shape != shape:
        raise ValueError(f"{name} must have shape {shape} with values in [-1, 1], got shape {a.shape}")
    a = a.astype(np.float64, copy=False)
    if not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[:5].tolist()
        raise ValueError(f"{name} must be finite, with values in [-1, 1]; non-finite at index {bad}")
    return a
