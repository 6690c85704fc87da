"""SerializationCallback: one history file per scenario, written atomically."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.history.history_io import SERIALIZATION_TYPES, save_history

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def scenario_file_stem(scenario_name: str) -> str:
    """A file-name-safe stem for a scenario name (``benchmark-v0/random_000`` -> ``benchmark-v0__random_000``)."""
    stem = _UNSAFE.sub("_", scenario_name.replace("/", "__")).strip(".")
    return stem or "scenario"


class SerializationCallback(AbstractCallback):
    """Saves each episode's history at ``on_simulation_end`` to ``output_dir/<scenario>.<ext>``.

    Files are written atomically (temporary file in the same directory + ``os.replace``),
    so parallel workers and crashes never leave partial files; read them back with
    :func:`~simhops.simulation.history.history_io.load_history`. The planner name is
    stored in the file's metadata. Only the output directory is kept (picklable).

    Args:
        output_dir: folder of the history files (created when needed).
        serialization_type: ``"msgpack"`` (default, raw array bytes) or ``"json"``.

    Raises:
        ValueError: unknown serialization type.
    """

    def __init__(self, output_dir: str | Path, serialization_type: str = "msgpack") -> None:
        if serialization_type not in SERIALIZATION_TYPES:
            raise ValueError(f"serialization_type must be one of {sorted(SERIALIZATION_TYPES)} "
                             f"(got {serialization_type!r})")
        self.output_dir = Path(output_dir)
        self.serialization_type = serialization_type

    def path_for(self, scenario_name: str) -> Path:
        """Where the history of ``scenario_name`` is written."""
        return self.output_dir / f"{scenario_file_stem(scenario_name)}{SERIALIZATION_TYPES[self.serialization_type]}"

    def on_initialization_start(self, setup: Any) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)

    def on_simulation_end(self, setup: Any, planner: Any, history: Any) -> None:
        save_history(history, self.path_for(history.scenario.name),
                     metadata={"planner": planner.name(), "scenario": history.scenario.name},
                     serialization_type=self.serialization_type)
