"""SimulationLogCallback: one row per scenario run (planner, scenario, seed, status, duration, error)."""

from __future__ import annotations

import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.io.atomic import atomic_output

if TYPE_CHECKING:
    from simhops.simulation.runner.runner_report import RunnerReport

#: values of the ``status`` column
STATUSES = ("succeeded", "failed", "timeout")

#: columns of the table, in order
COLUMNS = ("planner", "scenario", "seed", "status", "outcome", "duration_s", "error")


def _outcome(success: Any, crashed: Any) -> str | None:
    if success is None or crashed is None:
        return None
    return "completed" if success else ("crashed" if crashed else "incomplete")


class SimulationLogCallback(AbstractCallback):
    """A table with one row per scenario run, written atomically as Parquet (or CSV by suffix).

    | column | unit | meaning |
    |---|---|---|
    | ``planner`` | - | ``planner.name()`` |
    | ``scenario`` | - | scenario name |
    | ``seed`` | - | scenario seed (null for named tracks) |
    | ``status`` | - | ``"succeeded"``, ``"failed"`` (the run raised, or its worker died) or ``"timeout"`` (stopped at its time limit) |
    | ``outcome`` | - | ``"completed"``, ``"crashed"``, ``"incomplete"`` (time out), null when failed before an outcome |
    | ``duration_s`` | s | wall-clock time of the run |
    | ``error`` | - | the traceback of a failed run, else null |

    Two ways to feed it:

    * as a simulation callback (one process): ``on_simulation_start/end`` make a row
      (a run is ``"failed"`` when ``on_simulation_end`` is called while an exception
      propagates, as :class:`SimulationRunner` does in its ``finally``), and the table is
      rewritten at every ``on_initialization_end``;
    * from reports in the main process (any worker pool, including failures that happen
      before any hook): :meth:`add_report` then :meth:`write`.

    Rows are kept sorted by (scenario, planner); a scenario/planner pair logged again
    replaces its row. Only small rows are stored (picklable).

    Args:
        output_path: ``*.parquet`` (pyarrow) or ``*.csv``.

    Raises:
        ValueError: another suffix.
    """

    def __init__(self, output_path: str | Path) -> None:
        self.output_path = Path(output_path)
        if self.output_path.suffix.lower() not in (".parquet", ".csv"):
            raise ValueError(f"output_path must end in .parquet or .csv (got {self.output_path.name!r})")
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._t0: float | None = None

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows, sorted by scenario then planner (copies)."""
        return [dict(self._rows[k]) for k in sorted(self._rows)]

    def add_row(self, planner: str, scenario: str, seed: int | None, status: str, outcome: str | None,
                duration_s: float | None, error: str | None) -> None:
        """Add (or replace) the row of ``(scenario, planner)``."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {list(STATUSES)} (got {status!r})")
        self._rows[(scenario, planner)] = {
            "planner": planner, "scenario": scenario, "seed": seed, "status": status, "outcome": outcome,
            "duration_s": None if duration_s is None else float(duration_s), "error": error,
        }

    def add_report(self, report: "RunnerReport") -> None:
        """Add the row of a :class:`RunnerReport` (outcome from its ``success``/``crashed`` metrics)."""
        m = report.metrics
        outcome = _outcome(m.get("success"), m.get("crashed")) if report.succeeded else None
        self.add_row(report.planner_name, report.scenario_name, report.seed, report.status, outcome,
                     report.duration_s, report.error_message)

    # ------------------------------------------------------------------ hooks
    def on_simulation_start(self, setup: Any) -> None:
        self._t0 = time.perf_counter()

    def on_simulation_end(self, setup: Any, planner: Any, history: Any) -> None:
        exc = sys.exc_info()[1]
        duration = None if self._t0 is None else time.perf_counter() - self._t0
        self._t0 = None
        if exc is None:
            from simhops.simulation.metrics.course_metrics import crashed, success

            self.add_row(planner.name(), setup.scenario.name, setup.scenario.seed, "succeeded",
                         _outcome(success(history), crashed(history)), duration, None)
        else:
            err = "".join(traceback.format_exception(exc))
            self.add_row(planner.name(), setup.scenario.name, setup.scenario.seed, "failed", None, duration, err)

    def on_initialization_end(self, setup: Any) -> None:
        self.write()

    # ------------------------------------------------------------------ output
    def to_dataframe(self) -> Any:
        """The rows as a ``pandas.DataFrame`` with the :data:`COLUMNS`."""
        import pandas as pd

        df = pd.DataFrame(self.rows, columns=list(COLUMNS))
        df["seed"] = df["seed"].astype("Int64")
        df["duration_s"] = df["duration_s"].astype("float64")
        return df

    def write(self) -> Path:
        """Write the table atomically to :attr:`output_path`; returns the path."""
        df = self.to_dataframe()
        with atomic_output(self.output_path) as tmp:
            if self.output_path.suffix.lower() == ".csv":
                df.to_csv(tmp, index=False)
            else:
                df.to_parquet(tmp, index=False, engine="pyarrow")
        return self.output_path
