"""The ``simhops`` command line: ``simhops eval ...`` and ``simhops replay ...``.

Examples::

    simhops eval --planner classical --scenarios benchmark-v0 --output-dir runs/eval/classical
    simhops eval --planner policy --model runs/default/model.zip --backend process --workers 4 --rerun
    simhops replay runs/eval/classical/histories/benchmark-v0__square.msgpack --output square.rrd
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any, Sequence

from simhops.evaluation.planner_factory import PLANNER_KINDS
from simhops.simulation.runner.worker_pool_factory import BACKENDS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="simhops", description="simhops: closed-loop evaluation and replay of "
                                "quadcopter waypoint-hopping planners.")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("eval", help="evaluate a planner in closed loop on a set of courses",
                       description="Evaluate a planner in closed loop. Writes DIR/metrics.parquet (one row per "
                       "scenario), DIR/summary.json, DIR/simulation_log.parquet, DIR/histories/*.msgpack and, with "
                       "--rerun, DIR/eval.rrd. Exit status 1 when any simulation raised.")
    e.add_argument("--planner", required=True, choices=PLANNER_KINDS, help="planner to evaluate")
    e.add_argument("--model", type=Path, help="SB3 model.zip (required for --planner policy)")
    e.add_argument("--scenarios", default="benchmark-v0",
                   help="a benchmark (benchmark-v0), or comma-separated track names / track YAML files "
                        "(default: benchmark-v0)")
    e.add_argument("--limit", type=int, help="evaluate only the first N scenarios")
    e.add_argument("--backend", choices=BACKENDS,
                   help="worker pool (default: process when --workers > 1, else sequential)")
    e.add_argument("--workers", type=int, help="processes / Ray CPUs (default: all cores for process and ray)")
    e.add_argument("--output-dir", type=Path, help="output folder (default: runs/eval/<planner>)")
    e.add_argument("--rerun", action="store_true", help="also write DIR/eval.rrd (Rerun recording of every episode)")
    e.add_argument("--config", type=Path, help="config YAML (e.g. a training run's config.yaml) for physics, action mode and "
                        "episode settings; benchmarks keep their courses, only scenario.control_hz and "
                        "scenario.duration_s apply to them (default: built-in config)")
    e.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="config override, e.g. --set scenario.duration_s=10 (repeatable)")
    e.add_argument("--seed", type=int, default=0, help="seed of --planner random (default 0)")
    e.add_argument("--stochastic", action="store_true", help="sample policy actions instead of the mean")
    e.add_argument("--device", default="cpu", help="torch device of --planner policy (default cpu)")
    e.add_argument("--format", dest="serialization_type", choices=("msgpack", "json"), default="msgpack",
                   help="history file format (default msgpack)")
    e.add_argument("--no-progress", action="store_true", help="no progress bar")

    r = sub.add_parser("replay", help="turn a saved history into a Rerun recording",
                       description="Write a Rerun .rrd recording of a saved history (msgpack or JSON).")
    r.add_argument("history", type=Path, help="history file written by simhops eval (histories/*.msgpack)")
    r.add_argument("--output", type=Path, help="output .rrd (default: the history path with .rrd)")
    return p


def _load_cfg(args: argparse.Namespace) -> Any:
    if args.config is None and not args.overrides:
        return None
    from simhops.config import load_config

    return load_config(args.config, args.overrides)


def _print_summary(console: Any, result: Any) -> None:
    from rich.table import Table

    s = result.summary

    def fmt(v: Any, spec: str = ".3f") -> str:
        return "-" if v is None else (format(v, spec) if isinstance(v, float) else str(v))

    t = Table(title=f"simhops eval: {s['planner']} on {s['scenarios']} ({s['backend']})")
    t.add_column("metric")
    t.add_column("value", justify="right")
    rows = [
        ("scenarios", fmt(s["n"])), ("failed runs", fmt(s["failed"])),
        ("success rate", fmt(s["success_rate"], ".1%") if s["success_rate"] is not None else "-"),
        ("crash rate", fmt(s["crash_rate"], ".1%") if s["crash_rate"] is not None else "-"),
        ("crash causes", ", ".join(f"{k}: {v}" for k, v in s["crash_causes"].items()) or "-"),
        ("mean waypoints reached", fmt(s["mean_waypoints_reached"], ".2f")),
        ("mean time to complete (s)", fmt(s["mean_time_to_complete_s"], ".2f")),
        ("mean time per hop (s)", fmt(s["mean_time_per_hop_s"], ".2f")),
        ("mean path efficiency", fmt(s["mean_path_efficiency"])),
        ("mean tracking error (m)", fmt(s["mean_tracking_error_m"])),
        ("mean max tracking error (m)", fmt(s["mean_max_tracking_error_m"])),
        ("mean max speed (m/s)", fmt(s["mean_max_speed_m_s"], ".2f")),
        ("mean max tilt (rad)", fmt(s["mean_max_tilt_rad"])),
        ("mean control effort", fmt(s["mean_control_effort"], ".4f")),
        ("mean body-rate jerk (rad/s^3)", fmt(s["mean_body_rate_jerk_rad_s3"], ".1f")),
        ("mean step (ms)", fmt(s["timing"]["mean_step_ms"])),
        ("wall time (s)", fmt(result.wall_time_s, ".2f")),
    ]
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)
    failed = [r for r in result.reports if not r.succeeded]
    for r in failed[:5]:
        last = (r.error_message or "").strip().splitlines()[-1:] or [""]
        console.print(f"[red]failed[/red] {r.scenario_name}: {last[0]}")
    if len(failed) > 5:
        console.print(f"[red]... and {len(failed) - 5} more failed runs (see simulation_log.parquet)[/red]")
    console.print(f"results in {result.output_dir}")


def _cmd_eval(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from simhops.evaluation.evaluator import Evaluator
    from simhops.evaluation.planner_factory import build_planner
    from simhops.evaluation.scenario_selection import resolve_scenarios
    from simhops.dynamics.physics.physics_params import PhysicsParams

    if args.planner == "policy" and args.model is None:
        parser.error("--planner policy needs --model PATH")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be >= 1")
    backend = args.backend or ("process" if (args.workers or 1) > 1 else "sequential")
    if backend == "ray" and importlib.util.find_spec("ray") is None:
        parser.error("--backend ray needs ray: pip install 'simhops[ray]'")
    try:
        cfg = _load_cfg(args)
        scenarios = resolve_scenarios(args.scenarios, cfg, args.limit)
        planner = build_planner(args.planner, args.model, seed=args.seed, deterministic=not args.stochastic,
                                device=args.device, cfg=cfg)
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    output_dir = args.output_dir or Path("runs") / "eval" / args.planner
    evaluator = Evaluator(planner, scenarios, output_dir, backend=backend, workers=args.workers, rerun=args.rerun,
                          physics=PhysicsParams.from_config(cfg) if cfg is not None else None,
                          scenarios_name=args.scenarios, serialization_type=args.serialization_type)
    console = Console()
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                        disable=args.no_progress, transient=False)
    with progress:
        task = progress.add_task(f"{planner.name()} x {len(scenarios)} ({backend})", total=len(scenarios))
        result = evaluator.run(on_report=lambda i, r: progress.advance(task))
    _print_summary(console, result)
    return 1 if result.summary["failed"] else 0


def _cmd_replay(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from simhops.simulation.history.history_io import HistoryFormatError, load_history_and_metadata
    from simhops.viz.episode_recording import write_episode_rrd

    try:
        history, meta = load_history_and_metadata(args.history)
    except (FileNotFoundError, HistoryFormatError) as exc:
        parser.error(str(exc))
    out = args.output or args.history.with_suffix(".rrd")
    entity = write_episode_rrd(out, history, meta.get("planner")).base
    print(f"wrote {out} ({history.scenario.name}: {history.n_rows} rows under {entity})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simhops`` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "eval":
        return _cmd_eval(args, parser)
    return _cmd_replay(args, parser)


if __name__ == "__main__":
    sys.exit(main())
