"""``simhops train`` / ``python -m simhops.train`` / ``python train.py``: train a PPO planner.

Usage::

    python -m simhops.train [--config FILE] [dotted.key=value ...]

e.g. ``python -m simhops.train train.total_timesteps=20000 output_dir=runs/smoke``. Writes
``<output_dir>/config.yaml``, ``model.zip``, ``train.rrd`` and ``train_summary.json``.
Exit codes: 0 done, 2 bad configuration.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the training CLI."""
    parser = argparse.ArgumentParser(prog="simhops train", description="Train a PPO planner on simhops.")
    parser.add_argument("--config", default=None, help="YAML config (default: simhops/config/cfg_default.yaml)")
    parser.add_argument("--eval-episodes", type=int, default=100,
                        help="fresh courses to evaluate the final policy on (0: skip)")
    parser.add_argument("overrides", nargs="*", help="dotted.key=value overrides, e.g. train.n_envs=64")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the training CLI with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    from simhops.config import ConfigError, load_config

    args = build_parser().parse_args(argv)
    try:
        cfg = load_config(args.config, args.overrides)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    from simhops.train.trainer import train

    result = train(cfg, eval_episodes=args.eval_episodes)
    print(json.dumps({"model": result.model_path, "rrd": result.rrd_path, "wall_time_s": round(result.wall_time_s, 1),
                      "fps": round(result.fps), "evaluation": result.evaluation}))
    return 0
