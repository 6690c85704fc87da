"""manifest.json: what an evaluation folder holds and whether the run finished.

| key | meaning |
|---|---|
| ``format`` / ``version`` | ``"simhops.eval_manifest"`` / 1 |
| ``simhops_version`` | ``simhops.__version__`` of the run |
| ``complete`` | true once every scenario has a result; false while running and after an interrupted run |
| ``interrupted_by`` | ``"SIGINT"`` / ``"SIGTERM"`` or null |
| ``started_utc`` / ``finished_utc`` | ISO 8601 times (finished: null while running) |
| ``planner`` | ``{"kind", "name", "seed", "deterministic", "model": {"path", "sha256", "bytes"} or null}`` |
| ``config`` | the effective config (``SimHopsConfig.model_dump()``) or null for the built-in defaults |
| ``config_source`` | where it came from (``--config`` file, the model's ``config.yaml``, overrides) |
| ``scenarios`` | ``{"set": label, "n": int, "names": [...]}`` |
| ``backend`` / ``workers`` / ``timeout_s`` | how the run was executed (``timeout_s`` null: per-scenario default) |
| ``argv`` | the command line (``simhops eval ...``) when run from the CLI |
| ``n_reports`` / ``n_failed`` | results written / of which failed (incl. timeouts) |
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

from simhops.io.atomic import atomic_write_text

MANIFEST_FILE = "manifest.json"
FORMAT = "simhops.eval_manifest"
VERSION = 1


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def write_manifest(output_dir: str | Path, content: Mapping[str, Any]) -> Path:
    """Write ``output_dir/manifest.json`` atomically (format header added); returns its path."""
    from simhops import __version__

    data = {"format": FORMAT, "version": VERSION, "simhops_version": __version__, **content}
    return atomic_write_text(Path(output_dir) / MANIFEST_FILE, json.dumps(data, indent=2, default=str) + "\n")


def read_manifest(output_dir: str | Path) -> dict[str, Any]:
    """The manifest of an evaluation folder.

    Raises:
        FileNotFoundError: no manifest.
        ValueError: not a simhops evaluation manifest.
    """
    data = json.loads((Path(output_dir) / MANIFEST_FILE).read_text())
    if data.get("format") != FORMAT:
        raise ValueError(f"{output_dir}/{MANIFEST_FILE} is not a simhops evaluation manifest")
    return data
