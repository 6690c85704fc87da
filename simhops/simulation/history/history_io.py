"""Save and load a :class:`SimulationHistory` (msgpack or JSON); files are written atomically.

File layout (a map; msgpack by default, JSON optional)::

    {"format": "simhops.simulation_history", "version": 2,
     "scenario": Scenario.to_dict(),
     "n_samples": int, "has_last_state": bool,
     "metadata": {str: str | int | float | bool | None},     # e.g. {"planner": "WaypointPlanner"}
     "plant_params": {str: float | int | [float, ...]} | None,  # the episode's sampled plant (version 2)
     "arrays": {name: {"dtype": "<f8", "shape": [T, 17], "data": <raw little-endian bytes>}}}

In JSON, ``data`` is the nested list of the values (NaN written as ``NaN``). The
arrays are the history's rows (``T = n_rows``): ``time_us`` int64, ``states`` float64
(T, 17), ``commands`` float64 (T, 4), ``command_modes`` int8, ``active_index`` int64,
``progress_m`` float64, ``distance_m`` float64, ``crash`` int8, ``wind_m_s`` float64
(T, 3) (version 2). Loading never unpickles: msgpack extension types are rejected and
only these numeric dtypes are accepted, so a round trip reproduces the arrays bit for bit.

Versions: 2 added ``wind_m_s`` and ``plant_params`` (issue 8). Version-1 files still load:
their wind is NaN (not recorded) and their ``plant_params`` None. Files are always written
as the current version.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator, Mapping

import msgpack
import numpy as np

from simhops.io.atomic import atomic_output, atomic_write_bytes, atomic_write_text  # noqa: F401 (re-exported)
from simhops.scenario.scenario import Scenario
from simhops.simulation.history.simulation_history import SimulationHistory
from simhops.dynamics.kernels.layout import STATE_DIM

FORMAT = "simhops.simulation_history"
VERSION = 2
#: versions :func:`history_from_dict` reads
READABLE_VERSIONS = (1, 2)

#: array name (:meth:`SimulationHistory.to_arrays`) -> (dtype on file, trailing shape)
_ARRAYS: dict[str, tuple[str, tuple[int, ...]]] = {
    "time_us": ("<i8", ()),
    "states": ("<f8", (STATE_DIM,)),
    "commands": ("<f8", (4,)),
    "command_modes": ("|i1", ()),
    "active_index": ("<i8", ()),
    "progress_m": ("<f8", ()),
    "distance_m": ("<f8", ()),
    "crash": ("|i1", ()),
    "wind_m_s": ("<f8", (3,)),
}
#: arrays a version-1 file lacks (rebuilt as "not recorded")
_NEW_IN_V2 = ("wind_m_s",)

SERIALIZATION_TYPES = {"msgpack": ".msgpack", "json": ".json"}


class HistoryFormatError(ValueError):
    """A file is not a readable simhops history (wrong format, version, or content)."""


# ---------------------------------------------------------------------------------- arrays <-> history


def history_arrays(history: SimulationHistory) -> dict[str, np.ndarray]:
    """The history's rows as ``{name: array}`` (:meth:`SimulationHistory.to_arrays`)."""
    return history.to_arrays()


def history_from_arrays(scenario: Scenario, arrays: Mapping[str, np.ndarray], n_samples: int,
                        has_last_state: bool, plant_params: Mapping[str, Any] | None = None) -> SimulationHistory:
    """Rebuild a :class:`SimulationHistory` from its row arrays, exactly (:meth:`SimulationHistory.from_arrays`).

    Args:
        scenario: the scenario of the episode.
        arrays: the arrays of :func:`history_arrays`, each with ``T = n_samples + has_last_state`` rows
            (``wind_m_s`` may be missing: not recorded, NaN).
        n_samples: recorded steps.
        has_last_state: whether the state after the last step is recorded (row ``n_samples``).
        plant_params: the episode's sampled plant (:attr:`SimulationHistory.plant_params`), or None.

    Raises:
        HistoryFormatError: missing arrays, wrong shapes, or more rows than the scenario allows.
    """
    n_rows = int(n_samples) + (1 if has_last_state else 0)
    cap = scenario.get_number_of_iterations()
    if n_samples < 0 or n_rows < 1 or n_rows > cap or n_samples >= cap:
        raise HistoryFormatError(f"{n_rows} rows ({n_samples} samples) do not fit scenario {scenario.name!r} "
                                 f"({cap} iterations)")
    checked = {}
    for name, (_, tail) in _ARRAYS.items():
        if name not in arrays:
            if name in _NEW_IN_V2:
                continue
            raise HistoryFormatError(f"history array {name!r} is missing")
        a = np.asarray(arrays[name])
        if a.shape != (n_rows, *tail):
            raise HistoryFormatError(f"history array {name!r} has shape {a.shape}, expected {(n_rows, *tail)}")
        checked[name] = a
    try:
        return SimulationHistory.from_arrays(scenario, **checked, has_last_state=bool(has_last_state),
                                             plant_params=plant_params)
    except ValueError as exc:
        raise HistoryFormatError(str(exc)) from exc


def _metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in (metadata or {}).items():
        if not isinstance(k, str) or not (v is None or isinstance(v, (str, int, float, bool))):
            raise TypeError(f"history metadata must map str to str/int/float/bool/None (got {k!r}: {v!r})")
        out[k] = v
    return out


def history_to_dict(history: SimulationHistory, metadata: Mapping[str, Any] | None = None,
                    binary: bool = True) -> dict[str, Any]:
    """The file content as a dict: raw bytes per array (``binary=True``, msgpack) or nested lists (JSON)."""
    arrays = {}
    for name, a in history_arrays(history).items():
        dtype = _ARRAYS[name][0]
        c = np.ascontiguousarray(a, dtype=np.dtype(dtype))
        arrays[name] = {"dtype": dtype, "shape": list(c.shape), "data": c.tobytes() if binary else c.tolist()}
    return {
        "format": FORMAT, "version": VERSION, "scenario": history.scenario.to_dict(),
        "n_samples": len(history), "has_last_state": history.has_last_state,
        "metadata": _metadata(metadata), "plant_params": _plant_to_file(history.plant_params), "arrays": arrays,
    }


def _plant_to_file(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The plant record with lists for vectors (msgpack and JSON have no tuples)."""
    if record is None:
        return None
    return {k: list(v) if isinstance(v, tuple) else v for k, v in record.items()}


def history_from_dict(d: Any, source: str = "<dict>") -> tuple[SimulationHistory, dict[str, Any]]:
    """Inverse of :func:`history_to_dict`: ``(history, metadata)``.

    Raises:
        HistoryFormatError: not a simhops history, unsupported version, or bad content.
    """
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise HistoryFormatError(f"{source} is not a simhops history file (no format={FORMAT!r} header)")
    version = d.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise HistoryFormatError(f"{source}: unsupported history version {version!r} "
                                 f"(readable: {list(READABLE_VERSIONS)})")
    try:
        scenario = Scenario.from_dict(d["scenario"])
        arrays = {}
        for name, (dtype, _) in _ARRAYS.items():
            if version == 1 and name in _NEW_IN_V2:
                continue
            spec = d["arrays"][name]
            if spec["dtype"] != dtype:
                raise HistoryFormatError(f"{source}: array {name!r} has dtype {spec['dtype']!r}, expected {dtype!r}")
            shape = tuple(int(s) for s in spec["shape"])
            data = spec["data"]
            if isinstance(data, (bytes, bytearray)):
                a = np.frombuffer(data, dtype=np.dtype(dtype))
                if a.size != int(np.prod(shape)):
                    raise HistoryFormatError(f"{source}: array {name!r} has {a.size} values, shape says {shape}")
                a = a.reshape(shape)
            else:
                a = np.array(data, dtype=np.dtype(dtype)).reshape(shape)
            arrays[name] = a
        plant = d.get("plant_params") if version >= 2 else None
        if plant is not None and not isinstance(plant, dict):
            raise HistoryFormatError(f"{source}: plant_params must be a map or null, got {type(plant).__name__}")
        history = history_from_arrays(scenario, arrays, int(d["n_samples"]), bool(d["has_last_state"]), plant)
    except HistoryFormatError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise HistoryFormatError(f"{source}: malformed simhops history ({type(exc).__name__}: {exc})") from exc
    return history, dict(d.get("metadata") or {})


def _type_of(path: Path, serialization_type: str | None) -> str:
    if serialization_type is None:
        serialization_type = "json" if path.suffix.lower() == ".json" else "msgpack"
    if serialization_type not in SERIALIZATION_TYPES:
        raise ValueError(f"serialization_type must be one of {sorted(SERIALIZATION_TYPES)} (got {serialization_type!r})")
    return serialization_type


def save_history(history: SimulationHistory, path: str | Path, metadata: Mapping[str, Any] | None = None,
                 serialization_type: str | None = None) -> Path:
    """Write ``history`` to ``path`` atomically.

    Args:
        history: the episode.
        path: destination (``.json`` suffix -> JSON, anything else -> msgpack, unless
            ``serialization_type`` says otherwise).
        metadata: small ``{str: scalar}`` stored alongside (e.g. the planner name).
        serialization_type: ``"msgpack"`` or ``"json"``.

    Raises:
        ValueError: unknown serialization type.
        TypeError: metadata values that are not scalars.
    """
    path = Path(path)
    kind = _type_of(path, serialization_type)
    if kind == "msgpack":
        data = msgpack.packb(history_to_dict(history, metadata, binary=True), use_bin_type=True)
    else:
        data = json.dumps(history_to_dict(history, metadata, binary=False), allow_nan=True).encode("utf-8")
    return atomic_write_bytes(path, data)


def _reject_ext(code: int, data: bytes) -> Any:
    raise HistoryFormatError(f"msgpack extension type {code} is not allowed in a simhops history")


def load_history_and_metadata(path: str | Path,
                              serialization_type: str | None = None) -> tuple[SimulationHistory, dict[str, Any]]:
    """Read a history file: ``(history, metadata)``; never unpickles.

    Raises:
        FileNotFoundError: no such file.
        HistoryFormatError: the file is not a (readable) simhops history in that format.
    """
    path = Path(path)
    kind = _type_of(path, serialization_type)
    raw = path.read_bytes()
    try:
        if kind == "msgpack":
            d = msgpack.unpackb(raw, raw=False, strict_map_key=True, ext_hook=_reject_ext)
        else:
            d = json.loads(raw.decode("utf-8"))
    except HistoryFormatError:
        raise
    except Exception as exc:  # msgpack raises several unrelated types on garbage
        raise HistoryFormatError(f"{path} is not a simhops history file ({kind} decoding failed: "
                                 f"{type(exc).__name__}: {exc})") from exc
    return history_from_dict(d, str(path))


def load_history(path: str | Path, serialization_type: str | None = None) -> SimulationHistory:
    """Read a history written by :func:`save_history` (see :func:`load_history_and_metadata`)."""
    return load_history_and_metadata(path, serialization_type)[0]
