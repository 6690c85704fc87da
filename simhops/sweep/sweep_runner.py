"""SweepRunner: run a sweep's training runs, one task each, on Ray (or in this process) and collect records.

Every run is validated on the driver first (a bad override fails the whole sweep before anything
starts), then shipped to its task as a plain config dict, so remote nodes need simhops installed
but not the driver's files. A task calls :func:`simhops.train.trainer.train` and returns a record
(a JSON-able dict); a run that raises becomes a record with ``error`` set instead of ending the sweep.
"""

from __future__ import annotations

import socket
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

from simhops.config import SimHopsConfig, load_config
from simhops.sweep.grid import SweepRun

BACKENDS = ("ray", "sequential")

Record = dict[str, Any]


def run_training(run: SweepRun, config: dict[str, Any], eval_episodes: int) -> Record:
    """Train one run (``config`` = a validated :class:`SimHopsConfig` dumped as JSON) and return its record.

    The record has the run's ``index``, ``name``, ``point`` (label), ``seed``, ``overrides``, ``output_dir``,
    ``host``, ``error`` (None, or the exception's last traceback lines), ``evaluation`` (dict or None),
    ``total_timesteps``, ``wall_time_s`` (training only) and ``fps``.
    """
    from simhops.train.trainer import train

    record: Record = {"index": run.index, "name": run.name, "point": run.point_label, "seed": run.seed,
                      "overrides": list(run.overrides), "output_dir": run.output_dir, "host": socket.gethostname(),
                      "error": None, "evaluation": None, "total_timesteps": None, "wall_time_s": None, "fps": None}
    try:
        result = train(SimHopsConfig.model_validate(config), eval_episodes=eval_episodes)
    except Exception:  # noqa: BLE001 - one failed run must not end the sweep; the record keeps the traceback
        record["error"] = "".join(traceback.format_exc().strip().splitlines(keepends=True)[-6:])
        return record
    record.update(evaluation=result.evaluation, total_timesteps=result.total_timesteps,
                  wall_time_s=result.wall_time_s, fps=result.fps)
    return record


class SweepRunner:
    """Runs :class:`SweepRun` s on ``backend`` ("ray": one Ray task per run; "sequential": in this process).

    ``address`` is a Ray cluster address (``"auto"``, ``"ray://host:10001"``; None starts a local Ray
    with ``num_cpus`` CPUs, default all). ``cpus_per_run`` CPUs are reserved per task (>= 1).
    Raises ValueError for a bad argument and ImportError when Ray is needed but missing.
    """

    def __init__(self, backend: str = "ray", address: str | None = None, num_cpus: int | None = None,
                 cpus_per_run: float = 1.0) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend: must be one of {BACKENDS} (got {backend!r})")
        if cpus_per_run <= 0:
            raise ValueError(f"cpus_per_run: must be > 0 (got {cpus_per_run})")
        if num_cpus is not None and num_cpus < 1:
            raise ValueError(f"num_cpus: must be >= 1 (got {num_cpus})")
        if backend == "sequential" and address is not None:
            raise ValueError("address: only the ray backend takes a cluster address")
        self.backend, self.address, self.num_cpus, self.cpus_per_run = backend, address, num_cpus, cpus_per_run

    @staticmethod
    def resolve_configs(runs: Sequence[SweepRun], config_path: str | Path | None) -> list[dict[str, Any]]:
        """Each run's validated config as a JSON dict (raises :class:`simhops.config.ConfigError` naming the key)."""
        return [load_config(config_path, run.overrides).model_dump(mode="json") for run in runs]

    def run(self, runs: Sequence[SweepRun], configs: Sequence[dict[str, Any]], eval_episodes: int,
            on_record: Callable[[Record], None] | None = None) -> list[Record]:
        """Run every run; ``on_record`` is called as each finishes. Returns the records in run order."""
        if len(runs) != len(configs):
            raise ValueError(f"configs: need one per run ({len(runs)}), got {len(configs)}")
        if self.backend == "sequential":
            records = []
            for run, cfg in zip(runs, configs):
                records.append(run_training(run, cfg, eval_episodes))
                if on_record:
                    on_record(records[-1])
            return records
        return self._run_ray(runs, configs, eval_episodes, on_record)

    def _run_ray(self, runs: Sequence[SweepRun], configs: Sequence[dict[str, Any]], eval_episodes: int,
                 on_record: Callable[[Record], None] | None) -> list[Record]:
        try:
            import ray
        except ImportError as exc:
            raise ImportError("simhops sweep needs Ray: pip install 'simhops[ray]' (or use --backend sequential)") from exc
        started = not ray.is_initialized()
        if started:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if self.address is None:
                kwargs["num_cpus"] = self.num_cpus
            ray.init(address=self.address, **kwargs)
        try:
            task = ray.remote(num_cpus=self.cpus_per_run, max_retries=0)(run_training)
            pending = {task.remote(run, cfg, eval_episodes): run for run, cfg in zip(runs, configs)}
            records: list[Record] = []
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    run = pending.pop(ref)
                    try:
                        record = ray.get(ref)
                    except Exception as exc:  # noqa: BLE001 - a dead worker: keep the sweep going
                        record = {"index": run.index, "name": run.name, "point": run.point_label, "seed": run.seed,
                                  "overrides": list(run.overrides), "output_dir": run.output_dir, "host": None,
                                  "error": f"{type(exc).__name__}: {exc}", "evaluation": None,
                                  "total_timesteps": None, "wall_time_s": None, "fps": None}
                    records.append(record)
                    if on_record:
                        on_record(record)
            return sorted(records, key=lambda r: r["index"])
        finally:
            if started:
                ray.shutdown()

