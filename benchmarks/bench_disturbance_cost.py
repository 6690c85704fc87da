"""Cost of each disturbance in the vector env, one at a time, in ONE run (ratios to "off" hold).

N sub-envs step a constant action with long episodes (so resets do not confound the figure);
each variant switches on one disturbance / randomization. Prints one JSON line:
``{"benchmark": "disturbance_cost", "n_envs": N, "steps_per_s": {...}, "over_off": {...}}``.

Usage: ``python benchmarks/bench_disturbance_cost.py [--n-envs 4096] [--seconds 1.5] [--quick]``
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from gymnasium.vector.vector_env import AutoresetMode

from simhops.envs.vector_env import SimHopsVectorEnv

VARIANTS: dict[str, list[str]] = {
    "off": [],
    "wind": ["disturbances.wind_m_s=[1.0,-0.5,0.0]"],
    "gusts": ["disturbances.gust_std_m_s=0.6"],
    "obs_noise": ["disturbances.obs_noise_position_m=0.02", "disturbances.obs_noise_velocity_m_s=0.05",
                  "disturbances.obs_noise_attitude_rad=0.01", "disturbances.obs_noise_body_rates_rad_s=0.05"],
    "motor_noise": ["disturbances.motor_noise=0.02"],
    "latency": ["disturbances.latency_steps=1"],
    "mass_randomization": ["randomization.mass={kind: relative_uniform, low: 0.85, high: 1.15}"],
}


def measure(overrides: list[str], n_envs: int, seconds: float) -> tuple[float, float]:
    """(env-steps/s, episode ends per step) of ``n_envs`` sub-envs stepping a constant action."""
    env = SimHopsVectorEnv(num_envs=n_envs, overrides=[*overrides, "scenario.duration_s=1000"],
                           autoreset_mode=AutoresetMode.SAME_STEP)
    env.reset(seed=0)
    action = np.zeros((n_envs, 4), dtype=np.float32)
    action[:, 0] = 0.1
    for _ in range(20):  # JIT and warm-up
        env.step(action)
    steps, ends, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, term, trunc, _ = env.step(action)
        steps += 1
        ends += int(term.sum() + trunc.sum())
    rate = steps * n_envs / (time.perf_counter() - start)
    env.close()
    return rate, ends / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-envs", type=int, default=4096)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--quick", action="store_true", help="64 envs, 0.2 s per variant (smoke test)")
    args = parser.parse_args()
    n, secs = (64, 0.2) if args.quick else (args.n_envs, args.seconds)
    rates, ends = {}, {}
    for name, overrides in VARIANTS.items():
        rates[name], ends[name] = measure(overrides, n, secs)
    print(json.dumps({"benchmark": "disturbance_cost", "unit": "env-steps/s", "n_envs": n,
                      "steps_per_s": {k: round(v, 1) for k, v in rates.items()},
                      "over_off": {k: round(v / rates["off"], 3) for k, v in rates.items()},
                      "episode_ends_per_step": {k: round(v, 2) for k, v in ends.items()}}))


if __name__ == "__main__":
    main()
