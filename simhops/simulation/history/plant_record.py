"""The episode's sampled plant as a record of the history and as columns of ``metrics.parquet``.

:attr:`DroneController.plant_params <simhops.simulation.controller.drone_controller.DroneController.plant_params>`
(keys of :func:`~simhops.dynamics.physics.plant_params.plant_params_from_rows`) is the
privileged truth of one episode: the randomized airframe and the disturbance parameters.
:func:`plant_record` turns it into plain Python values (stored in the history and its
file), :func:`plant_columns` into one flat scalar column per component (the
``plant_*`` columns of ``metrics.parquet``, :data:`PLANT_COLUMNS`).

| column | record key, component | unit |
|---|---|---|
| ``plant_mass_kg`` | ``mass_kg`` | kg |
| ``plant_inertia_{xx,yy,zz}_kg_m2`` | ``inertia_kg_m2`` 0..2 | kg m^2, body FLU |
| ``plant_max_motor_thrust_n`` | ``max_motor_thrust_n`` | N per motor |
| ``plant_thrust_to_weight`` | ``thrust_to_weight`` | - |
| ``plant_yaw_moment_per_thrust_m`` | ``yaw_moment_per_thrust_m`` | m |
| ``plant_motor_tau_up_s``, ``plant_motor_tau_down_s`` | ``motor_tau_up_s``, ``motor_tau_down_s`` | s |
| ``plant_drag_{x,y,z}_n_s_m`` | ``drag_n_s_m`` 0..2 | N/(m/s), body FLU |
| ``plant_wind_{x,y,z}_m_s`` | ``wind_m_s`` 0..2 | m/s, world ENU (constant part; gusts come on top) |
| ``plant_gust_std_m_s`` | ``gust_std_m_s`` | m/s |
| ``plant_latency_steps`` | ``latency_steps`` | control steps (int) |
| ``plant_obs_noise_{position_m,velocity_m_s,attitude_rad,body_rates_rad_s}`` | ``obs_noise`` 0..3 | m, m/s, rad, rad/s (std) |
| ``plant_motor_noise`` | ``motor_noise`` | fraction of T_max (std) |
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

#: record key -> (component names or None for a scalar, unit suffix, is integer)
_FIELDS: dict[str, tuple[tuple[str, ...] | None, str, bool]] = {
    "mass_kg": (None, "", False),
    "inertia_kg_m2": (("xx", "yy", "zz"), "kg_m2", False),
    "max_motor_thrust_n": (None, "", False),
    "thrust_to_weight": (None, "", False),
    "yaw_moment_per_thrust_m": (None, "", False),
    "motor_tau_up_s": (None, "", False),
    "motor_tau_down_s": (None, "", False),
    "drag_n_s_m": (("x", "y", "z"), "n_s_m", False),
    "wind_m_s": (("x", "y", "z"), "m_s", False),
    "gust_std_m_s": (None, "", False),
    "latency_steps": (None, "", True),
    "obs_noise": (("position_m", "velocity_m_s", "attitude_rad", "body_rates_rad_s"), "", False),
    "motor_noise": (None, "", False),
}

#: the record's keys, in order
PLANT_KEYS: tuple[str, ...] = tuple(_FIELDS)


def _column_names(key: str) -> list[str]:
    parts, unit, _ = _FIELDS[key]
    if parts is None:
        return [f"plant_{key}"]
    base = key[: -len(unit) - 1] if unit else key
    return [f"plant_{base}_{p}" + (f"_{unit}" if unit else "") for p in parts]


#: the ``plant_*`` columns of ``metrics.parquet``, in order
PLANT_COLUMNS: tuple[str, ...] = tuple(c for k in PLANT_KEYS for c in _column_names(k))


def plant_record(plant_params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``plant_params`` as plain Python values: floats, an int for ``latency_steps``, tuples for vectors.

    Args:
        plant_params: the keys of :data:`PLANT_KEYS` (scalars or (n,) arrays; further keys are
            ignored), e.g. ``DroneController.plant_params``; None gives None.

    Raises:
        ValueError: a key is missing or a vector has the wrong length (names the key).
    """
    if plant_params is None:
        return None
    out: dict[str, Any] = {}
    for key, (parts, _, is_int) in _FIELDS.items():
        if key not in plant_params:
            raise ValueError(f"plant_params lacks {key!r} (expected the keys {list(PLANT_KEYS)})")
        v = np.asarray(plant_params[key], dtype=np.float64)
        if parts is None:
            if v.size != 1:
                raise ValueError(f"plant_params[{key!r}] must be a scalar, got shape {v.shape}")
            x = float(v.reshape(-1)[0])
            out[key] = int(x) if is_int else x
        else:
            if v.shape != (len(parts),):
                raise ValueError(f"plant_params[{key!r}] must have shape ({len(parts)},), got {v.shape}")
            out[key] = tuple(float(x) for x in v)
    return out


def plant_columns(record: Mapping[str, Any] | None) -> dict[str, float | int | None]:
    """The flat ``{column: value}`` of :data:`PLANT_COLUMNS` for a :func:`plant_record` (all None for None)."""
    if record is None:
        return {c: None for c in PLANT_COLUMNS}
    out: dict[str, float | int | None] = {}
    for key, (parts, _, _) in _FIELDS.items():
        names = _column_names(key)
        value = record.get(key)
        values = [value] if parts is None else (list(value) if value is not None else [None] * len(parts))
        for name, x in zip(names, values):
            out[name] = None if x is None or (isinstance(x, float) and math.isnan(x)) else x
    return out
