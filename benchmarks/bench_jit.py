"""First-call (JIT compile) cost of simhops and the gain from numba's on-disk cache.

Prints exactly one JSON line on stdout::

    .venv/bin/python benchmarks/bench_jit.py

Three fresh Python processes run the same start-up workload (``import simhops``,
build a ``WaypointsEnv``, ``reset`` + one ``step``, then ``SimHopsVectorEnv(64)``
``reset`` + one ``step``: every kernel a user needs on the first call):

1. ``cold``: ``NUMBA_CACHE_DIR`` set to a new, empty temporary directory, so every
   kernel is compiled;
2. ``cached``: the same directory again, so every kernel is loaded from the cache;
3. ``default``: ``NUMBA_CACHE_DIR`` unset, numba's default cache location
   (``__pycache__`` next to the kernel sources) in whatever state the user's checkout
   has it (``default_cache_entries_before`` tells whether it was already populated).

Each child reports its phase timings (from just before ``import simhops``) and the
numba dispatchers of simhops that have no on-disk cache (``uncached_kernels``; should be
empty: the kernels use ``cache=True`` through ``simhops/dynamics/kernels/_jit.py``).
``cold_s`` / ``cached_s`` are the children's workload times; ``*_process_s`` add the
interpreter start and exit as measured by the parent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import REPO_ROOT, emit, finite_or_none, load_average, log, machine, versions

# The child: measured phases of a user's first session. Prints one JSON line.
CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import simhops
from simhops.envs.waypoints_env import WaypointsEnv
from simhops.envs.vector_env import SimHopsVectorEnv
t1 = time.perf_counter()
env = WaypointsEnv()
env.reset(seed=0)
env.step(np.zeros(4, dtype=np.float32))
t2 = time.perf_counter()
venv = SimHopsVectorEnv(64, autoreset_mode="SameStep")
venv.reset(seed=0)
venv.step(np.zeros((64, 4), dtype=np.float32))
t3 = time.perf_counter()

import numba
from numba.core.caching import NullCache
from numba.core.registry import CPUDispatcher
kernels, uncached, signatures = set(), [], 0
for name, mod in list(sys.modules.items()):
    if not name.startswith("simhops"):
        continue
    for attr, obj in list(vars(mod).items()):
        if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == name:
            key = f"{name}.{obj.py_func.__name__}:{id(obj)}"
            if key in kernels:
                continue
            kernels.add(key)
            signatures += len(obj.signatures)
            if isinstance(obj._cache, NullCache):
                uncached.append(f"{name}.{attr}")
print(json.dumps({"import_s": t1 - t0, "single_env_s": t2 - t1, "vector_env_s": t3 - t2, "total_s": t3 - t0,
                  "kernels": len(kernels), "signatures": signatures, "uncached_kernels": sorted(uncached),
                  "numba_cache_dir": numba.config.CACHE_DIR or None}))
"""


def run_child(cache_dir: str | None, timeout_s: float) -> dict[str, Any]:
    """Run the start-up workload in a fresh interpreter; ``cache_dir`` None: numba's default location."""
    env = dict(os.environ)
    env.pop("NUMBA_DISABLE_JIT", None)
    if cache_dir is None:
        env.pop("NUMBA_CACHE_DIR", None)
    else:
        env["NUMBA_CACHE_DIR"] = cache_dir
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout_s)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"start-up child failed (rc={proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = wall
    return result


def count_cache_entries(root: Path) -> int:
    """numba index files (``*.nbi``) under ``root``: one per cached kernel."""
    return sum(1 for _ in root.rglob("*.nbi")) if root.exists() else 0


def _round_phases(child: dict[str, Any]) -> dict[str, Any]:
    return {k: (finite_or_none(v, 3) if isinstance(v, float) else v) for k, v in child.items()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per child process")
    args = p.parse_args(argv)
    record: dict[str, Any] = {"benchmark": "jit", "versions": versions(), "machine": machine()}
    default_root = REPO_ROOT / "simhops"
    default_before = count_cache_entries(default_root)
    with tempfile.TemporaryDirectory(prefix="simhops-numba-cache-") as cache_dir:
        log(f"cold: fresh NUMBA_CACHE_DIR={cache_dir}")
        cold = run_child(cache_dir, args.timeout)
        cache_entries = count_cache_entries(Path(cache_dir))
        log("cached: same NUMBA_CACHE_DIR")
        cached = run_child(cache_dir, args.timeout)
    log("default: NUMBA_CACHE_DIR unset (numba's __pycache__ next to the sources)")
    default = run_child(None, args.timeout)
    record["machine"]["loadavg_end"] = load_average()
    record.update({
        "cold_s": finite_or_none(cold["total_s"], 3),
        "cached_s": finite_or_none(cached["total_s"], 3),
        "ratio": finite_or_none(cold["total_s"] / cached["total_s"], 2),
        "default_cache_s": finite_or_none(default["total_s"], 3),
        "cold_process_s": finite_or_none(cold["process_s"], 3),
        "cached_process_s": finite_or_none(cached["process_s"], 3),
        "default_cache_process_s": finite_or_none(default["process_s"], 3),
        "cache_entries_written": cache_entries,
        "default_cache_entries_before": default_before,
        "phases": {"cold": _round_phases(cold), "cached": _round_phases(cached), "default": _round_phases(default)},
        "workload": "import simhops; WaypointsEnv() reset+step; SimHopsVectorEnv(64, SameStep) reset+step",
    })
    emit(record)
    return record


if __name__ == "__main__":
    main()
