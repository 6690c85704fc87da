"""Per-scenario seeds: a stable hash of (seed, scenario name), the same in every process and Python run."""

from __future__ import annotations

import hashlib

import numpy as np


def scenario_seed(seed: int, scenario_name: str) -> int:
    """A 64-bit seed from ``(seed, scenario_name)``: BLAKE2b of ``"<seed>\\x00<name>"`` (UTF-8).

    Unlike ``hash()`` (salted per process) or a byte sum (``random_001`` and
    ``random_010`` collide), every distinct pair gets its own stream, identically in
    every worker process, backend and Python run.
    """
    digest = hashlib.blake2b(f"{int(seed)}\x00{scenario_name}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def scenario_generator(seed: int, scenario_name: str) -> np.random.Generator:
    """``numpy.random.default_rng(scenario_seed(seed, scenario_name))``."""
    return np.random.default_rng(scenario_seed(seed, scenario_name))
