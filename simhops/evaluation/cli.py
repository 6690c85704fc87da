"""The ``simhops`` command line: ``simhops eval ...`` and ``simhops replay ...``.

Examples::

    simhops eval --planner classical --scenarios benchmark-v0 --output-dir runs/eval/classical scenario.duration_s=10
    simhops eval --planner policy --model runs/default/model.zip --backend process --workers 4 --rerun
    simhops replay runs/eval/classical/histories/benchmark-v0__square.msgpack --output square.rrd
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import warnings
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
                       "scenario), DIR/summary.json, DIR/simulation_log.parquet, DIR/manifest.json, "
                       "DIR/histories/*.msgpack and, with --rerun, DIR/eval.rrd. Every argument is checked before "
                       "any scenario runs (exit status 2 naming the argument). Exit status 1 when any simulation "
                       "failed or timed out; 130/143 after SIGINT/SIGTERM (the finished scenarios are written, "
                       "summary and manifest say \"complete\": false).")
    e.add_argument("--planner", required=True, choices=PLANNER_KINDS, help="planner to evaluate")
    e.add_argument("--model", type=Path, help="SB3 model.zip for --planner policy (default: the shipped pretrained policy, simhops/policies/default); the config.yaml "
                   "saved beside it (by train.py) gives the action mode, observation and physics")
    e.add_argument("--scenarios", default="benchmark-v0",
                   help="a benchmark (benchmark-v0), or comma-separated track names / track YAML files "
                        "(default: benchmark-v0)")
    e.add_argument("--limit", type=int, help="evaluate only the first N scenarios")
    e.add_argument("--backend", choices=BACKENDS,
                   help="worker pool (default: process when --workers > 1, else sequential)")
    e.add_argument("--workers", type=int, help="processes / Ray CPUs (default: all cores for process and ray)")
    e.add_argument("--output-dir", type=Path, help="output folder, must be empty or absent "
                   "(default: runs/eval/<planner>)")
    e.add_argument("--overwrite", action="store_true", help="clear a non-empty --output-dir first")
    e.add_argument("--timeout-s", type=float, help="wall-clock limit per scenario in seconds; a scenario past it "
                   "fails with status 'timeout' (default: 120 s + 10 x the scenario's simulated duration)")
    e.add_argument("--rerun", action="store_true", help="also write DIR/eval.rrd (Rerun recording of every episode)")
    e.add_argument("--config", type=Path, help="config YAML for physics, action mode and episode settings "
                   "(default: the model's config.yaml for --planner policy, else the built-in config); it must "
                   "agree with the model's config.yaml on env.*, physics.* and scenario.control_hz; benchmarks keep "
                   "their courses, only scenario.control_hz and scenario.duration_s apply to them")
    e.add_argument("overrides", nargs="*", default=[], metavar="KEY=VALUE",
                   help="config overrides, e.g. scenario.duration_s=10 (as train.py)")
    e.add_argument("--set", dest="set_overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="deprecated spelling of a KEY=VALUE override (repeatable)")
    e.add_argument("--seed", type=int, default=0, help="seed of --planner random and of --stochastic sampling "
                   "(>= 0, default 0)")
    e.add_argument("--stochastic", action="store_true", help="sample policy actions instead of the mean "
                   "(reproducible: each scenario seeds its own generators from --seed and its name)")
    e.add_argument("--device", default="cpu", help="torch device of --planner policy: cpu, cuda, cuda:N, mps, "
                   "auto (default cpu)")
    e.add_argument("--conditions", help="comma-separated plant conditions: shipped overlays (nominal, mass_plus20, "
                   "mass_minus20, thrust_minus10, motor_lag_x2, latency_1, latency_2, wind_3ms, gusts_3ms, "
                   "sensor_noise, combined) or overlay YAML files; one run per condition in DIR/<condition>/ "
                   "and DIR/summary.json with the family x condition table")
    e.add_argument("--format", dest="serialization_type", choices=("msgpack", "json"), default="msgpack",
                   help="history file format (default msgpack)")
    e.add_argument("--no-progress", action="store_true", help="no progress bar")

    p.eval_parser = e  # usage errors of `simhops eval` show its own usage line
    r = sub.add_parser("replay", help="turn a saved history into a Rerun recording",
                       description="Write a Rerun .rrd recording of a saved history (msgpack or JSON).")
    r.add_argument("history", type=Path, help="history file written by simhops eval (histories/*.msgpack)")
    r.add_argument("--output", type=Path, help="output .rrd (default: the history path with .rrd)")
    return p


def _resolve_config(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The effective config and where it came from (see ``--config`` and ``--model`` help).

    Raises:
        ArgumentError: an unreadable or invalid config, an override that does not parse, or
            a config / override that contradicts the model's ``config.yaml``.
    """
    from simhops.config import ConfigError, load_config
    from simhops.evaluation.validation import ArgumentError, config_mismatch

    overrides = list(args.overrides)
    if args.set_overrides:
        warnings.warn("simhops eval --set KEY=VALUE is deprecated; pass KEY=VALUE as a positional argument",
                      DeprecationWarning, stacklevel=2)
        overrides += list(args.set_overrides)
    model_cfg, model_cfg_path = None, None
    if args.planner == "policy" and args.model is not None and (args.model.parent / "config.yaml").is_file():
        model_cfg_path = args.model.parent / "config.yaml"
        try:
            model_cfg = load_config(model_cfg_path)
        except ConfigError as exc:
            raise ArgumentError("--model", f"its training config {model_cfg_path} is invalid: {exc}") from exc
    user_cfg = None
    if args.config is not None:
        try:
            user_cfg = load_config(args.config)
        except ConfigError as exc:
            raise ArgumentError("--config", str(exc)) from exc
        if model_cfg is not None:
            diff = config_mismatch(model_cfg, user_cfg)
            if diff:
                raise ArgumentError("--config", f"{args.config} does not match the model's training config "
                                                f"{model_cfg_path}: " + "; ".join(diff))
    base = args.config if args.config is not None else model_cfg_path
    source = {"config_file": None if base is None else str(base), "overrides": overrides,
              "model_config": None if model_cfg_path is None else str(model_cfg_path)}
    if base is None and not overrides:
        return None, source
    try:
        cfg = load_config(base, overrides)
    except ConfigError as exc:
        raise ArgumentError("KEY=VALUE", str(exc)) from exc
    if model_cfg is not None:
        diff = config_mismatch(model_cfg, cfg)
        if diff:
            raise ArgumentError("KEY=VALUE", "overrides contradict the model's training config "
                                             f"{model_cfg_path}: " + "; ".join(diff))
    return cfg, source


def _validate(args: argparse.Namespace) -> dict[str, Any]:
    """Every check of ``simhops eval`` that can fail before a scenario runs.

    Returns:
        ``{"cfg", "scenarios", "planner", "backend", "output_dir", "manifest"}``.

    Raises:
        ArgumentError: the argument and why.
    """
    from simhops.config import SimHopsConfig
    from simhops.evaluation.manifest import file_sha256
    from simhops.evaluation.output_dir import OutputDirError, check_output_dir
    from simhops.evaluation.planner_factory import build_planner
    from simhops.evaluation.scenario_selection import TrackFileError, resolve_scenarios
    from simhops.evaluation.validation import (ArgumentError, check_device, check_model, check_positive,
                                               check_seed)

    if args.planner == "policy" and args.model is None:  # the pretrained policy shipped with the package
        from simhops.policies import policy_model_path

        args.model = policy_model_path()
    check_seed(args.seed)
    check_positive("--workers", args.workers, integer=True)
    check_positive("--limit", args.limit, integer=True)
    check_positive("--timeout-s", args.timeout_s)
    check_device(args.device, needs_torch=args.planner == "policy")
    backend = args.backend or ("process" if (args.workers or 1) > 1 else "sequential")
    if backend == "ray" and importlib.util.find_spec("ray") is None:
        raise ArgumentError("--backend", "ray needs ray: pip install 'simhops[ray]'")
    output_dir = args.output_dir or Path("runs") / "eval" / args.planner
    try:
        check_output_dir(output_dir, args.overwrite)
    except OutputDirError as exc:
        raise ArgumentError("--output-dir", str(exc)) from exc
    cfg, source = _resolve_config(args)
    planner_info: dict[str, Any] = {"kind": args.planner, "seed": args.seed, "deterministic": not args.stochastic,
                                    "device": args.device, "model": None}
    if args.planner == "policy":
        model = check_model(args.model, cfg if cfg is not None else SimHopsConfig(), args.device)
        planner_info["model"] = {"path": str(args.model), "sha256": file_sha256(args.model),
                                 "bytes": args.model.stat().st_size, **model}
    try:
        scenarios = resolve_scenarios(args.scenarios, cfg, args.limit)
    except TrackFileError as exc:
        raise ArgumentError("--scenarios", str(exc)) from exc
    except (ValueError, FileNotFoundError) as exc:
        raise ArgumentError("--scenarios", str(exc)) from exc
    try:
        planner = build_planner(args.planner, args.model, seed=args.seed, deterministic=not args.stochastic,
                                device=args.device, cfg=cfg)
    except (ValueError, FileNotFoundError) as exc:
        raise ArgumentError("--planner", str(exc)) from exc
    manifest = {"planner": planner_info, "config": None if cfg is None else cfg.model_dump(),
                "config_source": source, "argv": ["simhops", *args.argv]}
    return {"cfg": cfg, "scenarios": scenarios, "planner": planner, "backend": backend, "output_dir": output_dir,
            "manifest": manifest}


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


def _user_callbacks(cfg: Any, parser: argparse.ArgumentParser) -> list[Any]:
    """The config's ``callbacks.simulation_callbacks`` ``{target, args}`` entries, built (the built-in names
    ``metric``/``timing`` are skipped: the evaluator always runs them); exit 2 naming the key on a bad entry."""
    from simhops.config import ConfigError
    from simhops.config.targets import instantiate_target
    from simhops.simulation.callback.abstract_callback import AbstractCallback

    if cfg is None:
        return []
    out = []
    for i, entry in enumerate(cfg.callbacks.simulation_callbacks):
        if isinstance(entry, str):
            continue
        try:
            out.append(instantiate_target(entry, f"callbacks.simulation_callbacks[{i}]", AbstractCallback))
        except ConfigError as exc:
            parser.error(str(exc))
    return out


def _cmd_eval(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from simhops.dynamics.physics.physics_params import PhysicsParams
    from simhops.evaluation.evaluator import Evaluator
    from simhops.evaluation.validation import ArgumentError

    try:
        v = _validate(args)
    except ArgumentError as exc:
        getattr(parser, "eval_parser", parser).error(str(exc))
    cfg, scenarios, planner, backend = v["cfg"], v["scenarios"], v["planner"], v["backend"]
    common = dict(backend=backend, workers=args.workers, rerun=args.rerun, scenarios_name=args.scenarios,
                  serialization_type=args.serialization_type, timeout_s=args.timeout_s, overwrite=args.overwrite,
                  history_buffer_duration_s=cfg.simulation.history_buffer_duration_s if cfg is not None else None,
                  manifest=v["manifest"], callbacks=_user_callbacks(cfg, parser))
    if args.conditions is not None:
        from simhops.evaluation.condition_sweep import run_condition_sweep

        try:
            return 1 if run_condition_sweep(planner, scenarios, args.conditions, v["output_dir"], cfg,
                                            print_summary=_print_summary, show_progress=not args.no_progress,
                                            **common)[1] else 0
        except (ValueError, FileNotFoundError) as exc:  # ConfigError is a ValueError
            parser.error(str(exc))
    evaluator = Evaluator(planner, scenarios, v["output_dir"],
                          physics=PhysicsParams.from_config(cfg) if cfg is not None else None, **common)
    console = Console()
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                        disable=args.no_progress, transient=False)
    with progress:
        task = progress.add_task(f"{planner.name()} x {len(scenarios)} ({backend})", total=len(scenarios))
        result = evaluator.run(on_report=lambda i, r: progress.advance(task))
    _print_summary(console, result)
    if not result.complete:
        console.print(f"[yellow]interrupted: {len(result.reports)} of {len(scenarios)} scenarios written "
                      f"(summary.json and manifest.json say \"complete\": false)[/yellow]")
    return result.exit_code


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
    """Entry point of the ``simhops`` console script: ``main(["eval", ...]) -> exit status``.

    Usage errors exit through ``SystemExit(2)`` (argparse) with a message naming the argument.
    """
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args, extra = parser.parse_known_args(argv)
    # KEY=VALUE overrides may come anywhere among the options (argparse binds a '*' positional once)
    overrides = [a for a in extra if args.command == "eval" and "=" in a and not a.startswith("-")]
    unknown = [a for a in extra if a not in overrides]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "eval":
        args.overrides = list(args.overrides) + overrides
    args.argv = argv
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "eval":
        return _cmd_eval(args, parser)
    return _cmd_replay(args, parser)


if __name__ == "__main__":
    sys.exit(main())
