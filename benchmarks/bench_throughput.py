"""Env-steps per second of simhops, all figures from ONE run so their ratios hold.

Prints exactly one JSON line on stdout (progress goes to stderr)::

    .venv/bin/python benchmarks/bench_throughput.py            # full run, ~1-2 min
    .venv/bin/python benchmarks/bench_throughput.py --quick    # seconds; used by tests/test_benchmarks.py

Method (see benchmarks/README.md for what each figure means):

* every figure is env-steps per wall-clock second, after a warm-up (JIT compile or
  cache load, first reset) that is not timed;
* actions are uniform in [-1, 1] and generated with numpy before timing, so their
  sampling is not measured; they cycle through a pre-generated pool;
* resets are included: the single envs call ``reset()`` when an episode ends (timed),
  the vector envs reset finished sub-envs inside their step (SAME_STEP autoreset);
* each figure's budget (``--seconds``) is split into ``--windows`` windows; the
  headline ``steps_per_s`` is the median window, ``best_steps_per_s`` the fastest
  (on a shared machine the best window is the least disturbed one). The vector env
  and the physics-only kernel at the same N run in alternating windows so both see
  the same machine load; ``vector_over_physics`` is the ratio of their medians
  (``vector_over_physics_best``: of their best windows).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from _common import emit, finite_or_none, load_average, log, machine, versions

FULL_SIZES = (1, 64, 1024, 4096)
QUICK_SIZES = (1, 64)
ACTION_POOL = 4096          # pre-generated single-env actions (rows of 4)
BATCH_POOL = 8              # pre-generated action batches for the vector envs
PHYSICS_RESET_EVERY = 1000  # physics-only: back to hover every episode length (1000 steps at 50 Hz, 20 s)
CHUNK_TARGET_S = 0.005      # calls between two clock reads: about 5 ms of work

# issue 8: every disturbance and randomization switched on (config overrides)
try:  # the --vector-only worker of the base tree (against_base) runs without this module
    from simhops.config.everything_on import EVERYTHING_ON
except ImportError:  # pragma: no cover - base tree
    EVERYTHING_ON = ()
DISTURBANCES_ON: list[str] = list(EVERYTHING_ON)

# the "Done when" thresholds (env-steps/s, or a ratio)
TARGETS = {
    "vector_env_4096": 2_000_000.0,
    "vector_over_physics_4096": 0.5,
    "single_env_raw": 15_000.0,
    "ppo_end_to_end": 20_000.0,
}


# ---------------------------------------------------------------------------------------------
# timing
# ---------------------------------------------------------------------------------------------
class Runner:
    """A workload that can be advanced by ``n`` calls; ``run`` returns the env-steps done."""

    def run(self, n: int) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def extra(self) -> dict[str, Any]:
        """Figure-specific fields for the JSON (e.g. mean episode length)."""
        return {}


@dataclass
class Rate:
    """Per-window env-steps/s of one workload."""

    windows: list[float] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    chunk: int = 1

    @property
    def median(self) -> float:
        return statistics.median(self.windows) if self.windows else math.nan

    @property
    def best(self) -> float:
        return max(self.windows) if self.windows else math.nan

    def as_dict(self) -> dict[str, Any]:
        return {"steps_per_s": finite_or_none(self.median), "best_steps_per_s": finite_or_none(self.best),
                "windows": len(self.windows), "timed_steps": self.steps, "timed_s": round(self.seconds, 3)}


def _calibrate(runner: Runner, warmup_s: float) -> int:
    """Warm ``runner`` up for ``warmup_s`` (untimed) and return the calls per clock read (~5 ms)."""
    runner.run(1)  # first call: compile / cache load, first reset
    calls, start = 0, time.perf_counter()
    n = 1
    while True:
        runner.run(n)
        calls += n
        elapsed = time.perf_counter() - start
        if elapsed >= warmup_s:
            break
        n = min(2 * n, 1024)
    per_call = elapsed / calls
    return max(1, int(CHUNK_TARGET_S / per_call))


def measure(runners: dict[str, Runner], seconds: float, windows: int, warmup_s: float) -> dict[str, Rate]:
    """Time each runner for ``seconds`` in total, as ``windows`` windows interleaved across runners."""
    chunks = {name: _calibrate(r, warmup_s) for name, r in runners.items()}
    rates = {name: Rate(chunk=chunks[name]) for name in runners}
    window_s = seconds / windows
    for _ in range(windows):
        for name, runner in runners.items():
            chunk, steps = chunks[name], 0
            start = time.perf_counter()
            deadline = start + window_s
            while True:
                steps += runner.run(chunk)
                now = time.perf_counter()
                if now >= deadline:
                    break
            rate = rates[name]
            rate.windows.append(steps / (now - start))
            rate.steps += steps
            rate.seconds += now - start
    return rates


# ---------------------------------------------------------------------------------------------
# workloads
# ---------------------------------------------------------------------------------------------
class SingleEnvRunner(Runner):
    """A single Gymnasium env (raw, wrapped, or with callbacks) in a closed loop with resets."""

    def __init__(self, env, rng: np.random.Generator) -> None:
        self.env = env
        self.actions = rng.uniform(-1.0, 1.0, size=(ACTION_POOL, 4)).astype(np.float32)
        self.i = 0
        self.steps = 0
        self.episodes = 0
        env.reset(seed=0)

    def run(self, n: int) -> int:
        env, actions, i = self.env, self.actions, self.i
        episodes = 0
        for _ in range(n):
            _, _, terminated, truncated, _ = env.step(actions[i])
            i = i + 1 if i + 1 < ACTION_POOL else 0
            if terminated or truncated:
                env.reset()
                episodes += 1
        self.i = i
        self.steps += n
        self.episodes += episodes
        return n

    def extra(self) -> dict[str, Any]:
        return {"mean_episode_len": finite_or_none(self.steps / self.episodes, 2) if self.episodes else None}


class VectorEnvRunner(Runner):
    """SimHopsVectorEnv (SAME_STEP autoreset) stepped with float32 action batches."""

    def __init__(self, venv, rng: np.random.Generator) -> None:
        self.venv = venv
        n = venv.num_envs
        self.actions = rng.uniform(-1.0, 1.0, size=(BATCH_POOL, n, 4)).astype(np.float32)
        self.b = 0
        venv.reset(seed=0)

    def run(self, n: int) -> int:
        venv, actions, b = self.venv, self.actions, self.b
        for _ in range(n):
            venv.step(actions[b])
            b = b + 1 if b + 1 < BATCH_POOL else 0
        self.b = b
        return n * venv.num_envs


class SB3VecEnvRunner(Runner):
    """SB3VecEnv: ``step_async`` + ``step_wait`` (list of info dicts included)."""

    def __init__(self, venv, rng: np.random.Generator) -> None:
        self.venv = venv
        self.actions = rng.uniform(-1.0, 1.0, size=(BATCH_POOL, venv.num_envs, 4)).astype(np.float32)
        self.b = 0
        venv.seed(0)
        venv.reset()

    def run(self, n: int) -> int:
        venv, actions, b = self.venv, self.actions, self.b
        for _ in range(n):
            venv.step_async(actions[b])
            venv.step_wait()
            b = b + 1 if b + 1 < BATCH_POOL else 0
        self.b = b
        return n * venv.num_envs


class PhysicsRunner(Runner):
    """The physics-only kernel (controller, mixer, motors, rigid body; no course, reward, obs or reset logic).

    States start at hover and are put back to hover every ``PHYSICS_RESET_EVERY`` calls
    (an episode's length) so random actions cannot drive them to absurd values.
    """

    def __init__(self, n: int, hover_states: np.ndarray, mode: int, params: np.ndarray,
                 rng: np.random.Generator) -> None:
        from simhops.dynamics.kernels.physics import physics_step_normalized, physics_step_normalized_serial

        self.kernel = physics_step_normalized_serial if n == 1 else physics_step_normalized
        self.kernel_name = "physics_step_normalized_serial" if n == 1 else "physics_step_normalized"
        self.hover = np.ascontiguousarray(hover_states, dtype=np.float64)
        self.states = self.hover.copy()
        self.actions = rng.uniform(-1.0, 1.0, size=(BATCH_POOL, n, 4))  # float64: the kernel's own dtype
        self.mode = int(mode)
        self.params = params
        self.b = 0
        self.calls = 0

    def run(self, n: int) -> int:
        kernel, states, actions, mode, params = self.kernel, self.states, self.actions, self.mode, self.params
        b, calls = self.b, self.calls
        for _ in range(n):
            kernel(states, actions[b], mode, params)
            b = b + 1 if b + 1 < BATCH_POOL else 0
            calls += 1
            if calls == PHYSICS_RESET_EVERY:
                states[:] = self.hover
                calls = 0
        self.b, self.calls = b, calls
        return n * states.shape[0]

    def extra(self) -> dict[str, Any]:
        return {"kernel": self.kernel_name}


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------
def bench_single_envs(cfg, seconds: float, windows: int, warmup_s: float) -> dict[str, Any]:
    """``single_env_raw``, ``single_env_gym_make`` and ``single_env_with_callbacks``."""
    import gymnasium as gym

    import simhops
    from simhops.envs.waypoints_env import WaypointsEnv

    out: dict[str, Any] = {}

    log("single_env_raw: WaypointsEnv, no callbacks")
    runner = SingleEnvRunner(WaypointsEnv(cfg), np.random.default_rng(1))
    out["single_env_raw"] = {**measure({"x": runner}, seconds, windows, warmup_s)["x"].as_dict(), **runner.extra()}
    runner.env.close()

    log("single_env_gym_make: gymnasium.make wrappers")
    env = gym.make(simhops.ENV_ID, config=cfg)
    runner = SingleEnvRunner(env, np.random.default_rng(1))
    out["single_env_gym_make"] = {**measure({"x": runner}, seconds, windows, warmup_s)["x"].as_dict(),
                                  **runner.extra(), "wrappers": _wrapper_chain(env)}
    env.close()

    log("single_env_with_callbacks: build_simulation_callbacks(cfg)")
    out["single_env_with_callbacks"] = bench_single_env_with_callbacks(cfg, seconds, windows, warmup_s)
    return out


def _wrapper_chain(env) -> list[str]:
    names = []
    while hasattr(env, "env"):
        names.append(type(env).__name__)
        env = env.env
    return names + [type(env).__name__]


def bench_single_env_with_callbacks(cfg, seconds: float, windows: int, warmup_s: float) -> dict[str, Any]:
    """WaypointsEnv with the default simulation callbacks; null + the error when they cannot be built."""
    from simhops.envs.waypoints_env import WaypointsEnv

    names = list(cfg.callbacks.simulation_callbacks) or ["metric"]  # the default training run attaches none
    cfg = cfg.model_copy(update={"callbacks": cfg.callbacks.model_copy(update={"simulation_callbacks": names})})
    try:
        from simhops.train.trainer import build_simulation_callbacks

        callback = build_simulation_callbacks(cfg)
    except ImportError as exc:
        return {"steps_per_s": None, "callbacks": names, "error": f"{type(exc).__name__}: {exc}"}
    if callback is None:
        return {"steps_per_s": None, "callbacks": names, "error": "no simulation callbacks configured"}
    runner = SingleEnvRunner(WaypointsEnv(cfg, callback=callback), np.random.default_rng(1))
    result = {**measure({"x": runner}, seconds, windows, warmup_s)["x"].as_dict(), **runner.extra(),
              "callbacks": names}
    runner.env.close()
    return result


def bench_vector_and_physics(cfg, sizes: tuple[int, ...], seconds: float, windows: int,
                             warmup_s: float) -> dict[str, Any]:
    """``vector_env``, ``physics_only`` and ``vector_over_physics`` at each N (interleaved windows)."""
    from simhops.envs.vector_env import SimHopsVectorEnv
    from simhops.dynamics.kernels.layout import ACTION_MODES
    from simhops.dynamics.physics.physics_params import PhysicsParams

    params = PhysicsParams.from_config(cfg).as_array()
    mode = ACTION_MODES[cfg.env.action_mode]
    vector: dict[str, Any] = {}
    physics: dict[str, Any] = {}
    ratio: dict[str, float | None] = {}
    ratio_best: dict[str, float | None] = {}
    for n in sizes:
        log(f"vector_env / physics_only at N={n}")
        venv = SimHopsVectorEnv(n, config=cfg, autoreset_mode="SameStep")
        vec_runner = VectorEnvRunner(venv, np.random.default_rng(2))
        hover = venv.states.copy()  # just reset: every drone hovering at the start position
        phys_runner = PhysicsRunner(n, hover, mode, params, np.random.default_rng(3))
        rates = measure({"physics": phys_runner, "vector": vec_runner}, seconds, windows, warmup_s)
        vector[str(n)] = {**rates["vector"].as_dict(), "kernel": "parallel" if venv._parallel else "serial"}
        physics[str(n)] = {**rates["physics"].as_dict(), **phys_runner.extra()}
        ratio[str(n)] = finite_or_none(rates["vector"].median / rates["physics"].median, 4)
        ratio_best[str(n)] = finite_or_none(rates["vector"].best / rates["physics"].best, 4)
        venv.close()
    return {"vector_env": vector, "physics_only": physics, "vector_over_physics": ratio,
            "vector_over_physics_best": ratio_best}


def bench_l2f_setting(cfg_overrides: list[str], sizes: tuple[int, ...], seconds: float, windows: int,
                      warmup_s: float) -> dict[str, Any]:
    """Vector env vs physics-only kernel at L2F's setting: 100 Hz control, one physics sub-step.

    Disturbances and randomization off (the defaults); drag and rotor dynamics on (the model).
    The L2F figures quoted in issue 8 (C++/OpenMP, same 2-core machine): 3.54 M env-steps/s at
    N = 4096, 3.56 M at 1024, 1.74 M at 64, 88 k at 1.
    """
    from simhops.config import load_config

    cfg = load_config(None, ["scenario.control_hz=100", "physics.substeps=1", *cfg_overrides])
    log("l2f_setting: scenario.control_hz=100 physics.substeps=1")
    out = bench_vector_and_physics(cfg, sizes, seconds, windows, warmup_s)
    out["settings"] = ["scenario.control_hz=100", "physics.substeps=1", *cfg_overrides]
    out["l2f_reference_steps_per_s"] = {"1": 88_000, "64": 1_740_000, "1024": 3_560_000, "4096": 3_540_000}
    return out


def _vector_only(n: int, seconds: float, windows: int, warmup_s: float, overrides: list[str]) -> dict[str, Any]:
    """Worker: the vector env alone at N (SAME_STEP), with whatever ``simhops`` is on the path."""
    from simhops.config import load_config
    from simhops.envs.vector_env import SimHopsVectorEnv

    from simhops.dynamics.kernels.layout import ACTION_MODES
    from simhops.dynamics.physics.physics_params import PhysicsParams

    cfg = load_config(None, overrides)
    venv = SimHopsVectorEnv(n, config=cfg, autoreset_mode="SameStep")
    runner = VectorEnvRunner(venv, np.random.default_rng(2))
    phys = PhysicsRunner(n, venv.states.copy(), ACTION_MODES[cfg.env.action_mode],
                         PhysicsParams.from_config(cfg).as_array(), np.random.default_rng(3))
    rates = measure({"x": runner, "physics": phys}, seconds, windows, warmup_s)
    # episode ends per env-step: random actions crash a drone sooner or later, and resets cost more than steps
    done = 0
    for b in range(BATCH_POOL):
        _, _, term, trunc, _ = venv.step(runner.actions[b])
        done += int(np.sum(term | trunc))
    venv.close()
    return {**rates["x"].as_dict(), "physics_only_steps_per_s": rates["physics"].as_dict()["steps_per_s"],
            "episode_ends_per_step": done / (BATCH_POOL * n)}


def bench_against_base(base_ref: str, n: int, seconds: float, windows: int, warmup_s: float,
                       overrides_on: list[str]) -> dict[str, Any]:
    """The vector env at N: this tree (switches off, and on) vs ``base_ref`` (the kernel before issue 8).

    Also the physics-only kernel of each tree on the same hovering workload (the per-step cost of
    the model), and how often episodes end under the random actions (resets sample a course and
    cost more than steps: a plant that crashes less under random actions runs faster). Each variant runs in its own subprocess (the base from ``git archive base_ref``), in
    alternating rounds so all see the same machine load; figures are medians over rounds.
    """
    import json
    import os
    import subprocess
    import tempfile
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="simhops_base_") as tmp:
        archive = subprocess.run(["git", "-C", str(repo), "archive", base_ref, "simhops"], capture_output=True)
        if archive.returncode != 0:
            return {"error": f"git archive {base_ref} failed: {archive.stderr.decode()[-300:]}"}
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        variants = {"base": (tmp, []), "off": (str(repo), []), "on": (str(repo), overrides_on)}
        rounds: dict[str, list[float]] = {k: [] for k in variants}
        physics_rounds: dict[str, list[float]] = {k: [] for k in variants}
        ends: dict[str, float] = {}
        for _ in range(2):
            for name, (root, ov) in variants.items():
                log(f"against_base: {name} at N={n}")
                env = {**os.environ, "PYTHONPATH": root}
                cmd = [sys.executable, __file__, "--vector-only", str(n), "--seconds", str(seconds / 2),
                       "--windows", str(max(1, windows // 2)), *[f"--override={o}" for o in ov]]
                proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=str(repo / "benchmarks"))
                if proc.returncode != 0:
                    return {"error": f"{name}: {proc.stderr[-500:]}"}
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                rounds[name].append(res["steps_per_s"])
                physics_rounds[name].append(res["physics_only_steps_per_s"])
                ends[name] = res["episode_ends_per_step"]
    med = {k: statistics.median(v) for k, v in rounds.items()}
    pmed = {k: statistics.median(v) for k, v in physics_rounds.items()}
    return {"base_ref": base_ref, "n_envs": n, "steps_per_s": med, "rounds": rounds,
            "physics_only_steps_per_s": pmed,
            "physics_off_over_base": finite_or_none(pmed["off"] / pmed["base"], 4),
            "physics_on_over_base": finite_or_none(pmed["on"] / pmed["base"], 4),
            "episode_ends_per_step": ends,
            "off_over_base": finite_or_none(med["off"] / med["base"], 4),
            "on_over_base": finite_or_none(med["on"] / med["base"], 4), "overrides_on": overrides_on,
            "targets": {"off_over_base": 0.9, "on_over_base": 0.6}}


def bench_sb3_vec_env(cfg, n: int, seconds: float, windows: int, warmup_s: float) -> dict[str, Any]:
    """SB3VecEnv over SimHopsVectorEnv at N envs (SB3 semantics, per-env info dicts)."""
    from simhops.envs.sb3_vec_env import SB3VecEnv

    log(f"sb3_vec_env at N={n}")
    venv = SB3VecEnv(num_envs=n, config=cfg)
    runner = SB3VecEnvRunner(venv, np.random.default_rng(4))
    result = {"n_envs": n, **measure({"x": runner}, seconds, windows, warmup_s)["x"].as_dict()}
    venv.close()
    return result


def bench_ppo(cfg, rollouts: int, warmup_rollouts: int) -> dict[str, Any]:
    """SB3 PPO end to end on ``cfg``: ``model.learn`` (collection + updates) -> env-steps/s.

    Uses the trainer's own ``build_vec_env`` / ``build_model`` and its torch thread count;
    no callbacks, no progress bar. ``warmup_rollouts`` untimed rollouts+updates run first
    (torch's first calls), then ``learn(rollouts * n_envs * n_steps)`` is timed.
    """
    import torch

    from simhops.train.trainer import build_model, build_vec_env

    t = cfg.train
    rollout = t.n_envs * t.n_steps
    log(f"ppo_end_to_end: n_envs={t.n_envs} n_steps={t.n_steps} batch_size={t.batch_size}, "
        f"{rollouts} rollout(s) of {rollout} steps")
    torch.set_num_threads(t.torch_threads)
    venv = build_vec_env(cfg)
    venv.seed(cfg.seed)
    model = build_model(cfg, venv)
    if warmup_rollouts > 0:
        model.learn(total_timesteps=warmup_rollouts * rollout, progress_bar=False)
    start = time.perf_counter()
    model.learn(total_timesteps=rollouts * rollout, progress_bar=False, reset_num_timesteps=True)
    wall = time.perf_counter() - start
    venv.close()
    return {
        "steps_per_s": finite_or_none(model.num_timesteps / wall), "num_timesteps": int(model.num_timesteps),
        "wall_s": round(wall, 3), "rollouts": rollouts, "warmup_rollouts": warmup_rollouts,
        "n_envs": t.n_envs, "n_steps": t.n_steps, "batch_size": t.batch_size, "n_epochs": t.n_epochs,
        "net_arch": list(t.net_arch), "vec_env": t.vec_env, "device": t.device,
        "torch_threads": torch.get_num_threads(),
    }


def targets(figures: dict[str, Any]) -> dict[str, Any]:
    """The issue's thresholds, the measured value (median windows) and whether it is met (None: not measured)."""
    def check(value: float | None, threshold: float) -> dict[str, Any]:
        return {"threshold": threshold, "value": value, "met": None if value is None else bool(value >= threshold)}

    vec4096 = figures["vector_env"].get("4096", {}).get("steps_per_s")
    return {
        "vector_env_4096": check(vec4096, TARGETS["vector_env_4096"]),
        "vector_over_physics_4096": check(figures["vector_over_physics"].get("4096"),
                                          TARGETS["vector_over_physics_4096"]),
        "single_env_raw": check(figures["single_env_raw"]["steps_per_s"], TARGETS["single_env_raw"]),
        "ppo_end_to_end": check(figures["ppo_end_to_end"]["steps_per_s"], TARGETS["ppo_end_to_end"]),
    }


def _numba_info() -> dict[str, Any]:
    import numba

    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        layer = None
    return {"threading_layer": layer, "num_threads": numba.get_num_threads()}


# ---------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="tiny budgets, N in (1, 64), PPO 1 rollout without warm-up (smoke test)")
    p.add_argument("--seconds", type=float, default=None,
                   help="timed seconds per figure (default 2.5; 0.2 with --quick)")
    p.add_argument("--windows", type=int, default=None, help="windows per figure (default 5; 2 with --quick)")
    p.add_argument("--ppo-rollouts", type=int, default=None, help="timed PPO rollouts (default 5; 1 with --quick)")
    p.add_argument("--base-ref", default="8beb038",
                   help="git ref of the kernel before issue 8, for the against_base figure ('' to skip)")
    p.add_argument("--vector-only", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--override", action="append", default=[], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.seconds is None:
        args.seconds = 0.2 if args.quick else 2.5
    if args.windows is None:
        args.windows = 2 if args.quick else 5
    if args.ppo_rollouts is None:
        args.ppo_rollouts = 1 if args.quick else 5
    if not (args.seconds > 0 and args.windows >= 1 and args.ppo_rollouts >= 1):
        p.error("--seconds must be > 0, --windows and --ppo-rollouts >= 1")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    warmup_s = 0.1 if args.quick else 0.5
    if args.vector_only is not None:  # worker of bench_against_base
        with contextlib.redirect_stdout(sys.stderr):
            result = _vector_only(args.vector_only, args.seconds, args.windows, warmup_s, args.override)
        emit(result)
        return result
    record: dict[str, Any] = {"benchmark": "throughput", "unit": "env-steps/s", "versions": versions(),
                              "machine": machine()}
    t0 = time.perf_counter()
    # only the JSON line goes to stdout: anything a library prints goes to stderr
    with contextlib.redirect_stdout(sys.stderr):
        from simhops.config import load_config

        cfg = load_config()
        figures: dict[str, Any] = {}
        figures.update(bench_single_envs(cfg, args.seconds, args.windows, warmup_s))
        figures.update(bench_vector_and_physics(cfg, sizes, args.seconds, args.windows, warmup_s))
        figures["l2f_setting"] = bench_l2f_setting([], sizes, args.seconds, args.windows, warmup_s)
        if args.base_ref and not args.quick:
            figures["against_base"] = bench_against_base(args.base_ref, 4096, args.seconds, args.windows, warmup_s,
                                                         DISTURBANCES_ON)
        figures["sb3_vec_env"] = bench_sb3_vec_env(cfg, max(sizes), args.seconds, args.windows, warmup_s)
        numba_info = _numba_info()
        figures["ppo_end_to_end"] = bench_ppo(cfg, args.ppo_rollouts, 0 if args.quick else 1)
    record["machine"]["loadavg_end"] = load_average()
    record["numba"] = numba_info
    record["settings"] = {"quick": args.quick, "seconds_per_figure": args.seconds, "windows": args.windows,
                          "warmup_s": warmup_s, "sizes": list(sizes), "autoreset_mode": "SameStep",
                          "action_dtype_env": "float32", "action_dtype_physics": "float64",
                          "headline": "median window", "total_wall_s": round(time.perf_counter() - t0, 1)}
    record["figures"] = figures
    record["targets"] = targets(figures)
    emit(record)
    return record


if __name__ == "__main__":
    main()
