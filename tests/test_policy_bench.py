"""Smoke test of benchmarks/bench_time_to_policy.py --quick (one strict JSON line, consistent figures)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_time_to_policy_quick_prints_one_json_line():
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "bench_time_to_policy.py"), "--quick"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert rec["benchmark"] == "time_to_policy" and rec["settings"]["quick"] is True
    fig = rec["figures"]
    assert fig["total_steps"] >= 4096 and fig["total_wall_s"] > 0
    curve = fig["curve"]
    assert len(curve) >= 2  # evaluated every update in --quick, plus the end
    walls, steps, success = zip(*curve)
    assert list(steps) == sorted(steps) and list(walls) == sorted(walls)
    assert all(0.0 <= p <= 1.0 for p in success) and fig["final_success"] == success[-1]
    for level in ("95", "99"):  # reached exactly when a curve point is at or above the level
        reached = [c for c in curve if c[2] >= int(level) / 100]
        assert (fig[f"steps_to_{level}"] is None) == (not reached)
        if reached:
            assert fig[f"steps_to_{level}"] == reached[0][1]
