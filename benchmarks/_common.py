"""Shared helpers of the benchmark scripts: versions, machine description, JSON output.

Imported by ``bench_throughput.py`` and ``bench_jit.py`` (run as scripts, so this
directory is on ``sys.path``). Kept free of simhops imports so ``bench_jit.py``
can describe the machine without triggering any compilation.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

_DISTRIBUTIONS = ("numpy", "numba", "gymnasium", "stable_baselines3", "torch", "simhops")


def _dist_version(name: str) -> str | None:
    for candidate in (name, name.replace("_", "-")):
        try:
            return importlib.metadata.version(candidate)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _git_revision() -> str | None:
    """``<short sha>`` plus ``+dirty`` when the working tree has changes (None outside git)."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return sha + ("+dirty" if dirty else "")


def versions() -> dict[str, str | None]:
    """Python and the installed versions of the packages the figures depend on (no imports needed)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in _DISTRIBUTIONS:
        out[name] = _dist_version(name)
    out["simhops_git"] = _git_revision()
    return out


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages (None where the OS has none): shows how shared the machine was."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine() -> dict[str, Any]:
    """Platform, CPU count / affinity / model and the current load average."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": affinity,
        "cpu_model": _cpu_model(),
        "loadavg_start": load_average(),
    }


def finite_or_none(x: float | None, digits: int = 1) -> float | None:
    """Round a figure for the JSON line; NaN / inf / None become None (JSON has no NaN)."""
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


def emit(record: dict[str, Any], stream=None) -> str:
    """Write ``record`` as ONE JSON line (strict JSON: no NaN) and return it."""
    line = json.dumps(record, allow_nan=False, separators=(", ", ": "))
    stream = stream if stream is not None else sys.stdout
    stream.write(line + "\n")
    stream.flush()
    return line


def log(msg: str) -> None:
    """Progress for humans, on stderr (stdout carries only the JSON line)."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)
