"""``simhops sweep``: a grid of training runs (seeds x config overrides) on Ray, aggregated into one table.

Examples::

    simhops sweep --seeds 0-4 --grid train.learning_rate=1e-4,3e-4 train.total_timesteps=2000000
    simhops sweep --seeds 0,1 --grid train.net_arch=[64,64],[128,128] --address auto --output-dir /shared/sweep

Writes ``DIR/runs/<name>/`` (one training output folder per run: config.yaml, model.zip, ...),
``DIR/runs.json`` (one record per run), ``DIR/summary.json`` and ``DIR/summary.csv`` (one row per
grid point: mean / std over seeds of success rate, waypoints, return and crash rate, plus the
pooled successes with their 95 % Wilson interval), all written atomically. Exit status: 0 all runs
finished, 1 some run failed, 2 bad arguments or configuration.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from simhops.config import ConfigError
from simhops.io.atomic import atomic_write_text
from simhops.sweep.aggregate import COLUMNS, aggregate
from simhops.sweep.grid import SweepRun, expand_grid, parse_axis, parse_seeds
from simhops.sweep.sweep_runner import BACKENDS, SweepRunner

#: Applied before the user's overrides (which may change them): no progress bars from parallel tasks.
BASE_OVERRIDES = ("train.progress_bar=false",)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``simhops sweep``."""
    p = argparse.ArgumentParser(prog="simhops sweep", formatter_class=argparse.RawDescriptionHelpFormatter,
                                description=__doc__.split("\n\n", 1)[0].split(": ", 1)[1],
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--seeds", default="0", help="seeds: comma-separated and/or ranges, e.g. 0,1,2 or 0-4 (default 0)")
    p.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="a grid axis (repeatable; the grid is their product); values are YAML, split at "
                        "top-level commas, e.g. --grid train.net_arch=[64,64],[128,128]")
    p.add_argument("--config", type=Path, default=None, help="base config YAML (default: the packaged cfg_default.yaml)")
    p.add_argument("--output-dir", type=Path, default=Path("runs/sweep"), help="sweep folder (default runs/sweep)")
    p.add_argument("--eval-episodes", type=int, default=100,
                   help="fresh courses each final policy is evaluated on (default 100, >= 1)")
    p.add_argument("--backend", choices=BACKENDS, default="ray", help="ray (default) or sequential (this process)")
    p.add_argument("--address", default=None,
                   help="Ray cluster address (e.g. auto, ray://head:10001); default: start a local Ray")
    p.add_argument("--num-cpus", type=int, default=None, help="CPUs of the local Ray (default: all)")
    p.add_argument("--cpus-per-run", type=float, default=1.0, help="CPUs reserved per training task (default 1)")
    p.add_argument("--dry-run", action="store_true", help="print the runs and their overrides, run nothing")
    p.add_argument("overrides", nargs="*", help="dotted.key=value overrides applied to every run")
    return p


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def print_table(rows: Sequence[dict[str, Any]], title: str) -> None:
    """The aggregated table on the console (rich)."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title)
    cols = [("point", "grid point"), ("runs", "runs"), ("failed", "failed"),
            ("success_rate_mean", "success mean"), ("success_rate_std", "success std"),
            ("success_ci", "success 95% CI (Wilson)"), ("mean_waypoints_reached_mean", "waypoints mean"),
            ("mean_waypoints_reached_std", "waypoints std"), ("mean_return_mean", "return mean"),
            ("crash_rate_mean", "crash mean")]
    for _, head in cols:
        t.add_column(head, justify="left" if head == "grid point" else "right")
    for r in rows:
        ci = "-" if r["success_ci_low"] is None else f"[{r['success_ci_low']:.3f}, {r['success_ci_high']:.3f}]"
        t.add_row(*(ci if k == "success_ci" else _fmt(r[k]) for k, _ in cols))
    Console(width=200).print(t)


def write_results(out: Path, records: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]],
                  meta: dict[str, Any]) -> None:
    """``runs.json``, ``summary.json`` and ``summary.csv`` in ``out``, each written atomically."""
    import csv

    atomic_write_text(out / "runs.json", json.dumps(list(records), indent=2))
    atomic_write_text(out / "summary.json", json.dumps({**meta, "columns": list(COLUMNS), "rows": list(rows)},
                                                       indent=2))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows([{k: ("" if v is None else v) for k, v in r.items()} for r in rows])
    atomic_write_text(out / "summary.csv", buf.getvalue())


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``simhops sweep`` with ``argv``; returns the exit status (0 ok, 1 a run failed, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.eval_episodes < 1:
        parser.error("--eval-episodes must be >= 1 (the sweep aggregates final evaluations)")
    try:
        seeds = parse_seeds(args.seeds)
        axes = [parse_axis(g) for g in args.grid]
        out = args.output_dir.resolve()  # tasks may run in another working directory
        runs: list[SweepRun] = expand_grid(axes, seeds, (*BASE_OVERRIDES, *args.overrides), out)
        runner = SweepRunner(args.backend, args.address, args.num_cpus, args.cpus_per_run)
        configs = runner.resolve_configs(runs, args.config)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        parser.error(str(exc))
    if args.dry_run:
        for run in runs:
            print(f"{run.name}: {' '.join(run.overrides)}")
        return 0
    n_points = len(runs) // len(seeds)
    print(f"simhops sweep: {len(runs)} runs ({n_points} grid points x {len(seeds)} seeds) on {args.backend}"
          f"{' at ' + args.address if args.address else ''} -> {out}", flush=True)
    start = time.perf_counter()

    def report(record: dict[str, Any]) -> None:
        ev = record["evaluation"]
        status = (f"success {ev['success_rate']:.3f}, waypoints {ev['mean_waypoints_reached']:.2f}" if ev
                  else f"FAILED: {(record['error'] or '').strip().splitlines()[-1:]}")
        print(f"  done {record['name']} ({time.perf_counter() - start:.0f} s): {status}", flush=True)

    try:
        records = runner.run(runs, configs, args.eval_episodes, on_record=report)
    except ImportError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    rows = aggregate(records)
    meta = {"seeds": seeds, "grid": {a.key: list(a.values) for a in axes}, "overrides": list(args.overrides),
            "config": str(args.config) if args.config else None, "backend": args.backend, "address": args.address,
            "eval_episodes": args.eval_episodes, "wall_time_s": time.perf_counter() - start}
    write_results(out, records, rows, meta)
    print_table(rows, f"simhops sweep: final evaluation on {args.eval_episodes} fresh courses per run")
    print(f"results in {out} (summary.csv, summary.json, runs.json)")
    return 1 if any(r["error"] for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
