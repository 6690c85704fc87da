"""``simhops train`` / ``python -m simhops.train`` / ``python train.py``: train a PPO planner.

Usage::

    python -m simhops.train [--config FILE] [--overwrite] [dotted.key=value ...]
    python -m simhops.train --resume RUN_DIR [dotted.key=value ...]

e.g. ``python -m simhops.train train.total_timesteps=20000 output_dir=runs/smoke``. Writes
``<output_dir>/config.yaml``, ``model.zip``, ``train.rrd``, ``train_summary.json``, ``logs/`` and
``checkpoints/`` (see :mod:`simhops.train.trainer`).

Exit codes: 0 done; 2 bad configuration, callback entry or output directory; 130 stopped by
SIGINT (Ctrl-C), 143 stopped by SIGTERM (model, checkpoint, recording and an incomplete summary
are written; continue with ``--resume RUN_DIR``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence


def _config_sections() -> str:
    from simhops.config import SimHopsConfig

    lines = []
    for name, field in SimHopsConfig.model_fields.items():
        doc = (field.annotation.__doc__ or "").strip().splitlines()[0] if hasattr(field.annotation, "model_fields") \
            else (field.description or "")
        lines.append(f"  {name:<14} {doc}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the training CLI (the epilog lists the config sections)."""
    parser = argparse.ArgumentParser(
        prog="simhops train", description="Train a PPO planner on simhops.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="config sections (override any key as section.key=value; every key, its unit and range\n"
               "is documented in simhops/config/cfg_default.yaml and simhops/config/schema.py):\n"
               + _config_sections()
               + "\n\nexit codes: 0 done, 2 bad config/output dir, 130 SIGINT, 143 SIGTERM "
                 "(continue with --resume DIR)")
    parser.add_argument("--config", default=None, help="YAML config (default: simhops/config/cfg_default.yaml)")
    parser.add_argument("--eval-episodes", type=int, default=100,
                        help="fresh courses to evaluate the final policy on (0: skip)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--overwrite", action="store_true", help="clear a non-empty output_dir first")
    group.add_argument("--resume", metavar="DIR", type=Path, default=None,
                       help="continue the run in DIR from its newest checkpoint (uses DIR/config.yaml)")
    parser.add_argument("overrides", nargs="*", help="dotted.key=value overrides, e.g. train.n_envs=64")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the training CLI with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    from simhops.config import ConfigError, load_config

    args = build_parser().parse_intermixed_args(argv)
    if args.eval_episodes < 0:
        print("error: --eval-episodes must be >= 0", file=sys.stderr)
        return 2
    try:
        if args.resume is not None:
            if args.config is not None:
                raise ConfigError("--resume uses DIR/config.yaml; do not pass --config with it")
            cfg_path = args.resume / "config.yaml"
            if not cfg_path.is_file():
                raise ConfigError(f"--resume: {cfg_path} not found (not a training run directory)")
            cfg = load_config(cfg_path, args.overrides)
            if Path(cfg.output_dir).resolve() != args.resume.resolve():
                cfg = cfg.model_copy(update={"output_dir": str(args.resume)})
        else:
            cfg = load_config(args.config, args.overrides)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    from simhops.train.trainer import OutputDirError, train

    try:
        result = train(cfg, eval_episodes=args.eval_episodes, resume=args.resume is not None,
                       overwrite=args.overwrite)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except OutputDirError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"model": result.model_path, "rrd": result.rrd_path, "timesteps": result.total_timesteps,
                      "complete": result.complete, "stop_signal": result.stop_signal,
                      "wall_time_s": round(result.wall_time_s, 1), "fps": round(result.fps),
                      "evaluation": result.evaluation}))
    return result.exit_code
