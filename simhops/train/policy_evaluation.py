"""Success rate of a trained policy on fresh random courses (batched, deterministic policy)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from simhops.config import SimHopsConfig, load_config
from simhops.envs.vector_env import SimHopsVectorEnv

#: Seeds of evaluation courses start here: far from training streams (seed + env index).
FRESH_SEED_BASE = 1_000_000_000


@dataclass(frozen=True)
class PolicyEvaluation:
    """Aggregate of ``n_episodes`` first episodes on fresh courses."""

    n_episodes: int
    success_rate: float
    mean_waypoints_reached: float
    mean_return: float
    mean_length_steps: float
    crash_rate: float
    seed_base: int


def evaluate_policy_success(model, cfg: SimHopsConfig, n_episodes: int = 100,
                            seed_base: int = FRESH_SEED_BASE) -> PolicyEvaluation:
    """Run one episode on each of ``n_episodes`` fresh random courses (seeds ``seed_base + i``).

    Uses ``model.predict(obs, deterministic=True)`` on a SimHopsVectorEnv of ``n_episodes`` sub-envs.
    """
    venv = SimHopsVectorEnv(n_episodes, config=cfg, autoreset_mode="NextStep")
    obs, _ = venv.reset(seed=seed_base)
    n = n_episodes
    done = np.zeros(n, dtype=bool)
    returns = np.zeros(n)
    lengths = np.zeros(n, dtype=np.int64)
    reached = np.zeros(n, dtype=np.int64)
    success = np.zeros(n, dtype=bool)
    crashed = np.zeros(n, dtype=bool)
    while not done.all():
        action, _ = model.predict(obs, deterministic=True)
        obs, rew, term, trunc, info = venv.step(action)
        live = ~done
        returns[live] += rew[live]
        lengths[live] += 1
        ended = live & (term | trunc)
        reached[ended] = info["waypoints_reached"][ended]
        success[ended] = info["is_success"][ended]
        crashed[ended] = term[ended] & ~info["is_success"][ended]
        done |= ended
    venv.close()
    return PolicyEvaluation(n, float(success.mean()), float(reached.mean()), float(returns.mean()),
                            float(lengths.mean()), float(crashed.mean()), seed_base)


def main(argv: Sequence[str] | None = None) -> PolicyEvaluation:
    """``python -m simhops.train.policy_evaluation RUN_DIR/model.zip [--episodes 100]``: prints a JSON line."""
    from stable_baselines3 import PPO

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("model", type=Path)
    p.add_argument("--episodes", type=int, default=100)
    p.add_argument("--config", type=Path, default=None,
                   help="config of the run (default: config.yaml next to the model)")
    p.add_argument("--seed-base", type=int, default=FRESH_SEED_BASE)
    args = p.parse_args(argv)
    cfg_path = args.config or args.model.parent / "config.yaml"
    cfg = load_config(cfg_path if cfg_path.exists() else None)
    model = PPO.load(args.model, device="cpu")
    result = evaluate_policy_success(model, cfg, args.episodes, args.seed_base)
    print(json.dumps(asdict(result)))
    return result


if __name__ == "__main__":
    main()
