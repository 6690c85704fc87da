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
    """Saves each episode's history at ``on_simulation_end`` to ``output_directory/<scenario>.<ext>``.

    nuPlan's signature ``SerializationCallback(output_directory, serialize_into_single_file,
    serialization_type)`` (seed 000). Files are written atomically (temporary file in
    the same directory + ``os.replace``), so parallel workers and crashes never leave
    partial files; read them back with
    :func:`~simhops.simulation.history.history_io.load_history`. The planner name is
    stored in the file's metadata. Only the output directory is kept (picklable).

    Formats: ``"msgpack"`` (default, raw array bytes) and ``"json"``. ``"pickle"`` is
    refused on purpose: loading a pickle runs arbitrary code, and a history is plain
    arrays that msgpack stores 1:1 (see :mod:`~simhops.simulation.history.history_io`).

    ``serialize_into_single_file``: nuPlan writes either one file per scenario (True) or
    one file per simulation step (False). A simhops history is one set of arrays, so
    simhops always writes exactly one file per scenario; the flag is accepted (it must be
    a bool) for nuPlan-shaped code and stored, and changes nothing.

    Args:
        output_directory: folder of the history files (created when needed).
        serialize_into_single_file: see above.
        serialization_type: ``"msgpack"`` (default) or ``"json"``.

    Raises:
        ValueError: unknown serialization type (``"pickle"`` included).
        TypeError: ``serialize_into_single_file`` is not a bool.
    """

    def __init__(self, output_directory: str | Path, serialize_into_single_file: bool = False,
                 serialization_type: str = "msgpack") -> None:
        if isinstance(serialize_into_single_file, str):
            raise TypeError("SerializationCallback(output_directory, serialize_into_single_file, serialization_type): "
                            f"the second argument is a bool; pass serialization_type={serialize_into_single_file!r} "
                            "by keyword")
        if not isinstance(serialize_into_single_file, bool):
            raise TypeError(f"serialize_into_single_file must be a bool (got {serialize_into_single_file!r})")
        if serialization_type not in SERIALIZATION_TYPES:
            extra = " (pickle is refused: loading it can run arbitrary code)" if serialization_type == "pickle" else ""
            raise ValueError(f"serialization_type must be one of {sorted(SERIALIZATION_TYPES)} "
                             f"(got {serialization_type!r}){extra}")
        self.output_dir = Path(output_directory)
        self.serialize_into_single_file = serialize_into_single_file
        self.serialization_type = serialization_type

    @property
    def output_directory(self) -> Path:
        """nuPlan's name of :attr:`output_dir`."""
        return self.output_dir

    def path_for(self, scenario_name: str) -> Path:
        """Where the history of ``scenario_name`` is written."""
        return self.output_dir / f"{scenario_file_stem(scenario_name)}{SERIALIZATION_TYPES[self.serialization_type]}"

    def on_initialization_start(self, setup: Any) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)

    def on_simulation_end(self, setup: Any, planner: Any, history: Any) -> None:
        save_history(history, self.path_for(history.scenario.name),
                     metadata={"planner": planner.name(), "scenario": history.scenario.name},
                     serialization_type=self.serialization_type)
