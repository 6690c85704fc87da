"""Read a Rerun ``.rrd`` file back for tests (rerun-sdk 0.41, ``rerun.chunk.RrdReader``).

    from rrd_utils import read_rrd, rrd_info, scalar_series

    ents = read_rrd(path)
    ents["progress/mean_reward"]["timelines"]["ppo_update"]   # [1, 2, 3, ...]
    scalar_series(ents["losses/value_loss"], "ppo_update")   # [(1, 0.41), (2, 0.37), ...]

Entity paths are keyed WITHOUT the leading ``/`` (``"world/snapshot/drone"``).
Recording-property entities (``/__properties``...) are included under their
own names.  Nothing is spawned; no network.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

BUILTIN_TIMELINES = frozenset({"log_time", "log_tick"})


def _meta(field: Any) -> dict[str, str]:
    md = field.metadata or {}
    return {k.decode(): v.decode() for k, v in md.items()}


def _reader(path: str | Path) -> tuple[Any, list[str]]:
    from rerun.chunk import RrdReader

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = RrdReader(str(path))
        reader.recordings()
    return reader, [str(w.message) for w in caught]


def rrd_info(path: str | Path) -> dict[str, Any]:
    """Stores in the file: application/recording ids, number of recording and
    blueprint stores, and whether the RRD footer is present (clean close)."""
    reader, msgs = _reader(path)
    recs = reader.recordings()
    bps = reader.blueprints()
    return {
        "application_id": recs[0].application_id if recs else None,
        "recording_id": recs[0].recording_id if recs else None,
        "recordings": len(recs),
        "blueprints": len(bps),
        "blueprint_application_ids": [b.application_id for b in bps],
        "footer": not any("footer" in m.lower() for m in msgs),
        "warnings": msgs,
    }


def _new_entity() -> dict[str, Any]:
    return {
        "rows": 0,  # temporal rows
        "static_rows": 0,
        "index": [],  # per temporal row: {timeline: value} (non-null user + builtin timelines)
        "timelines": {},  # timeline -> list of values (one per row that carries it, row order)
        "components": set(),  # e.g. "Scalars:scalars"
        "component_types": set(),  # e.g. "rerun.components.Scalar"
        "archetypes": set(),  # short names, e.g. "Scalars"
        "data": {},  # component -> list (aligned with "index"; None where the row lacks it)
        "static": {},  # component -> last static value
    }


def read_rrd(path: str | Path) -> dict[str, dict[str, Any]]:
    """Summarise the first recording store of ``path``: ``{entity_path: summary}``.

    Each summary dict holds

    ``rows`` / ``static_rows``  number of temporal / static rows
    ``index``                   per temporal row ``{timeline: value}`` (sequence -> int)
    ``timelines``               ``{timeline: [values in row order]}``
    ``components``              set of component names (``"Points3D:positions"``)
    ``component_types``         set of component types (``"rerun.components.Position3D"``)
    ``archetypes``              set of archetype short names (``"Points3D"``)
    ``data``                    ``{component: [row value, ...]}`` aligned with ``index``
                                (python values from arrow; list-wrapped per row)
    ``static``                  ``{component: value}`` of static rows
    ``scalars``                 (only for Scalars) list of float values in row order
    ``texts``                   (only for TextDocument) list of strings in row order
    """
    reader, _ = _reader(path)
    ents: dict[str, dict[str, Any]] = {}
    for chunk in reader.stream():
        ep = chunk.entity_path.lstrip("/") or "/"
        e = ents.setdefault(ep, _new_entity())
        rb = chunk.to_record_batch()
        index_cols: list[tuple[str, list[Any]]] = []
        data_cols: list[tuple[str, list[Any]]] = []
        for i, field in enumerate(rb.schema):
            md = _meta(field)
            kind = md.get("rerun:kind")
            if kind == "index":
                index_cols.append((md.get("rerun:index_name", field.name), rb.column(i).to_pylist()))
            elif kind == "data":
                comp = md.get("rerun:component", field.name)
                e["components"].add(comp)
                if "rerun:component_type" in md:
                    e["component_types"].add(md["rerun:component_type"])
                if md.get("rerun:archetype"):
                    e["archetypes"].add(md["rerun:archetype"].rsplit(".", 1)[-1])
                data_cols.append((comp, rb.column(i).to_pylist()))
        n = chunk.num_rows
        if chunk.is_static:
            e["static_rows"] += n
            for comp, vals in data_cols:
                for v in vals:
                    if v is not None:
                        e["static"][comp] = v
            continue
        start = e["rows"]
        e["rows"] += n
        for r in range(n):
            e["index"].append({name: vals[r] for name, vals in index_cols if vals[r] is not None})
        for name, vals in index_cols:
            e["timelines"].setdefault(name, []).extend(v for v in vals if v is not None)
        for comp, vals in data_cols:
            col = e["data"].setdefault(comp, [None] * start)
            col.extend(vals)
        for col in e["data"].values():  # keep all columns aligned with "index"
            col.extend([None] * (e["rows"] - len(col)))

    for e in ents.values():
        scal = e["data"].get("Scalars:scalars")
        if scal is not None:
            e["scalars"] = [float(x) for row in scal if row is not None for x in (row if isinstance(row, list) else [row])]
        txt = e["data"].get("TextDocument:text")
        if txt is not None:
            e["texts"] = [row[0] if isinstance(row, list) else row for row in txt if row]
    return ents


def scalar_series(entity: dict[str, Any], timeline: str) -> list[tuple[Any, float]]:
    """``[(time, value), ...]`` of an entity's Scalars on ``timeline``, sorted by time
    (rows without that timeline are left out)."""
    out = []
    for idx, row in zip(entity["index"], entity["data"].get("Scalars:scalars", [])):
        if row is None or timeline not in idx:
            continue
        for x in row if isinstance(row, list) else [row]:
            out.append((idx[timeline], float(x)))
    return sorted(out, key=lambda p: p[0])


def all_finite(values: list[float]) -> bool:
    """True when every value is a finite float."""
    return all(math.isfinite(v) for v in values)
