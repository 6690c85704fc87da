"""The run grid of a sweep: seeds x the Cartesian product of config-override axes.

>>> axes = [parse_axis("train.learning_rate=1e-4,3e-4"), parse_axis("train.net_arch=[64,64],[128]")]
>>> runs = expand_grid(axes, seeds=[0, 1], base_overrides=["train.total_timesteps=4096"], root="runs/sweep")
>>> len(runs), runs[0].name
(8, '000_learning_rate=1e-4_net_arch=64,64_seed0')
>>> runs[0].overrides[-4:-1]
('train.learning_rate=1e-4', 'train.net_arch=[64,64]', 'seed=0')
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


@dataclass(frozen=True)
class SweepAxis:
    """One grid axis: a dotted config key and the raw (YAML) override values it takes."""

    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class SweepRun:
    """One training run of a sweep.

    ``point`` is the grid point (``((key, raw value), ...)``, without the seed) whose runs are
    aggregated together; ``overrides`` is the full ``dotted.key=value`` list handed to
    :func:`simhops.config.load_config` (base overrides, grid point, ``seed``, ``output_dir``).
    """

    index: int
    name: str
    seed: int
    point: tuple[tuple[str, str], ...]
    overrides: tuple[str, ...]
    output_dir: str

    @property
    def point_label(self) -> str:
        """``key=value`` pairs of the grid point joined by spaces ("default" for an empty grid)."""
        return " ".join(f"{k}={v}" for k, v in self.point) or "default"


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split ``text`` on ``sep`` outside brackets/braces/quotes: ``"[1,2],[3]" -> ["[1,2]", "[3]"]``."""
    parts, depth, quote, cur = [], 0, "", []
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


def parse_axis(text: str) -> SweepAxis:
    """Parse ``"dotted.key=v1,v2,..."`` (values split at top-level commas, each parsed as YAML later).

    Raises ValueError naming the argument when the key or a value is missing or a value repeats.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or not raw.strip():
        raise ValueError(f"--grid {text!r}: expected 'dotted.key=value1,value2,...', e.g. "
                         "'train.learning_rate=1e-4,3e-4'")
    values = tuple(split_top_level(raw))
    if any(not v for v in values):
        raise ValueError(f"--grid {text!r}: empty value")
    if len(set(values)) != len(values):
        raise ValueError(f"--grid {text!r}: repeated value")
    if key in ("seed", "output_dir"):
        raise ValueError(f"--grid {text!r}: {key} is set per run by the sweep (use --seeds for seeds)")
    return SweepAxis(key, values)


def parse_seeds(text: str) -> list[int]:
    """``"0,1,2"`` or ``"0-4"`` (inclusive range) -> list of distinct seeds >= 0; ValueError otherwise."""
    seeds: list[int] = []
    try:
        for part in split_top_level(text):
            lo, dash, hi = part.partition("-")
            seeds += list(range(int(lo), int(hi) + 1)) if dash else [int(part)]
    except ValueError:
        raise ValueError(f"--seeds {text!r}: expected comma-separated integers or a range like 0-4") from None
    if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds {text!r}: expected distinct integers >= 0")
    return seeds


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=,+-]+", "_", text).strip("_")


def expand_grid(axes: Sequence[SweepAxis], seeds: Sequence[int], base_overrides: Sequence[str] = (),
                root: str | Path = "runs/sweep") -> list[SweepRun]:
    """All runs: every grid point (product of ``axes``) times every seed, in a stable order.

    Each run writes to its own folder ``root/runs/<name>``. Raises ValueError on repeated axis keys.
    """
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise ValueError(f"--grid: key repeated in {keys}")
    runs: list[SweepRun] = []
    for values in itertools.product(*(a.values for a in axes)):
        point = tuple(zip(keys, values))
        for seed in seeds:
            label = "_".join(f"{k.rpartition('.')[2]}={_slug(v.strip('[]'))}" for k, v in point)
            name = f"{len(runs):03d}_{label + '_' if label else ''}seed{seed}"
            out = Path(root) / "runs" / name
            overrides = (*base_overrides, *(f"{k}={v}" for k, v in point), f"seed={seed}", f"output_dir={out}")
            runs.append(SweepRun(len(runs), name, int(seed), point, overrides, str(out)))
    return runs
