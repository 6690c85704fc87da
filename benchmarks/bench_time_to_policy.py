"""Time-to-policy: wall time and env steps for the default training recipe to reach 95 % and 99 % success.

Trains PPO exactly as ``python train.py`` does (the default config, its training-only
``train.env_overlay`` and, when ``train.curriculum.enabled``, the same curriculum callback)
and, every ``--eval-every`` PPO updates, pauses the clock and flies
the deterministic policy once on each of a fixed held-out set of random courses of the
*evaluation* config (seeds ``HELD_OUT_SEED_BASE + i``, never used by training: training
streams are ``seed + env index``). Training stops at 99 % or at ``train.total_timesteps``.

Prints ONE JSON line on stdout::

    {"benchmark": "time_to_policy", "settings": {...}, "figures": {"wall_s_to_95": ..., "steps_to_95": ...,
     "wall_s_to_99": ..., "steps_to_99": ..., "final_success": ..., "curve": [[wall_s, steps, success], ...]},
     "versions": {...}, "machine": {...}}

``wall_s_*`` is training wall time only (evaluation pauses excluded); null when not reached.

    python benchmarks/bench_time_to_policy.py [--quick] [--eval-courses 200] [--eval-every 10] [KEY=VALUE ...]

``--quick``: a smoke test (16 envs, a few thousand steps, 10 courses); its figures say nothing
about the recipe.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import Any, Sequence

from _common import emit, finite_or_none, load_average, log, machine, versions

#: held-out evaluation courses: seeds HELD_OUT_SEED_BASE + i (disjoint from the train streams and
#: from train.py's own 100 fresh courses at 1_000_000_000)
HELD_OUT_SEED_BASE = 2_000_000_000

QUICK_OVERRIDES = ("train.total_timesteps=4096", "train.n_envs=16", "train.n_steps=64", "train.batch_size=256",
                   "train.n_epochs=2", "visualization.enabled=false", "train.progress_bar=false")


def _first_reaching(curve: list[tuple[float, int, float]], level: float) -> tuple[float | None, int | None]:
    for wall, steps, success in curve:
        if success >= level:
            return wall, steps
    return None, None


def run(overrides: Sequence[str], eval_courses: int, eval_every: int) -> dict[str, Any]:
    import torch
    from stable_baselines3.common.callbacks import BaseCallback

    from simhops.config import load_config
    from simhops.train.policy_evaluation import evaluate_policy_success
    from simhops.train.trainer import build_curriculum_callback, build_model, build_vec_env
    from simhops.train.training_config import training_env_config

    cfg = load_config(None, list(overrides))
    torch.set_num_threads(cfg.train.torch_threads)
    curve: list[tuple[float, int, float]] = []

    class _Clock(BaseCallback):
        """Training wall time without the evaluation pauses; evaluates every ``eval_every`` updates."""

        def __init__(self) -> None:
            super().__init__()
            self.updates = 0
            self.train_s = 0.0
            self.t0 = 0.0
            self.stop = False

        def _on_training_start(self) -> None:
            self.t0 = time.perf_counter()

        def _on_rollout_start(self) -> None:
            if self.updates and self.updates % eval_every == 0:
                self.train_s += time.perf_counter() - self.t0  # the update just finished counts
                success = evaluate_policy_success(self.model, cfg, eval_courses, HELD_OUT_SEED_BASE).success_rate
                curve.append((self.train_s, int(self.model.num_timesteps), success))
                log(f"{self.train_s:7.1f} s  {self.model.num_timesteps:9d} steps  success {success:.3f}")
                self.stop = success >= 0.99
                self.t0 = time.perf_counter()
            self.updates += 1

        def _on_step(self) -> bool:
            return not self.stop

        def _on_training_end(self) -> None:
            self.train_s += time.perf_counter() - self.t0

    venv = build_vec_env(training_env_config(cfg))
    venv.seed(cfg.seed)
    model = build_model(cfg, venv)
    clock = _Clock()
    callbacks: list[BaseCallback] = [clock]
    curriculum = build_curriculum_callback(cfg)
    if curriculum is not None:  # as the trainer: level 0 for the episodes learn() resets, then the gate / floor
        curriculum.env = venv
        curriculum.check_env()
        curriculum.apply()
        callbacks.append(curriculum)
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the JSON line (the curriculum prints)
        model.learn(total_timesteps=cfg.train.total_timesteps, callback=callbacks, progress_bar=False)
    if not clock.stop:  # final point
        success = evaluate_policy_success(model, cfg, eval_courses, HELD_OUT_SEED_BASE).success_rate
        curve.append((clock.train_s, int(model.num_timesteps), success))
    venv.close()
    w95, s95 = _first_reaching(curve, 0.95)
    w99, s99 = _first_reaching(curve, 0.99)
    return {"wall_s_to_95": finite_or_none(w95), "steps_to_95": s95, "wall_s_to_99": finite_or_none(w99),
            "steps_to_99": s99, "final_success": curve[-1][2], "total_wall_s": finite_or_none(clock.train_s),
            "total_steps": int(model.num_timesteps),
            "curve": [[finite_or_none(w), s, round(p, 4)] for w, s, p in curve]}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smoke test: a tiny run, 10 held-out courses")
    p.add_argument("--eval-courses", type=int, default=None, help="held-out courses (default 200; quick: 10)")
    p.add_argument("--eval-every", type=int, default=None, help="PPO updates between evaluations (default 10; quick: 1)")
    p.add_argument("overrides", nargs="*", help="config overrides KEY=VALUE (as train.py)")
    args = p.parse_args(argv)
    overrides = [*(QUICK_OVERRIDES if args.quick else ()), *args.overrides]
    eval_courses = args.eval_courses or (10 if args.quick else 200)
    eval_every = args.eval_every or (1 if args.quick else 10)
    if eval_courses < 1 or eval_every < 1:
        p.error("--eval-courses and --eval-every must be >= 1")
    mach = machine()
    figures = run(overrides, eval_courses, eval_every)
    mach["loadavg_end"] = load_average()
    record = {"benchmark": "time_to_policy",
              "settings": {"quick": args.quick, "overrides": overrides, "eval_courses": eval_courses,
                           "eval_every_updates": eval_every, "held_out_seed_base": HELD_OUT_SEED_BASE},
              "figures": figures, "versions": versions(), "machine": mach}
    emit(record)
    return record


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
