"""--stochastic evaluation is reproducible: every backend writes identical files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simhops.evaluation.cli import main
from simhops.simulation.history.history_io import load_history

from test_eval_validation import save_model

sb3 = pytest.importorskip("stable_baselines3")


def test_stochastic_eval_is_identical_on_every_backend(tmp_path):
    model = save_model(tmp_path / "run")
    common = ["eval", "--planner", "policy", "--model", str(model), "--stochastic", "--seed", "5",
              "--scenarios", "benchmark-v0", "--limit", "2", "scenario.duration_s=0.3", "--no-progress"]
    runs = {}
    for name, extra in {"sequential": ["--backend", "sequential"],
                        "process": ["--backend", "process", "--workers", "1"],
                        "deterministic": ["--backend", "sequential"]}.items():
        out = tmp_path / name
        argv = [a for a in common if name != "deterministic" or a != "--stochastic"]
        assert main([*argv, *extra, "--output-dir", str(out)]) == 0
        runs[name] = out
    seq, proc, det = runs["sequential"], runs["process"], runs["deterministic"]
    assert (seq / "metrics.parquet").read_bytes() == (proc / "metrics.parquet").read_bytes()
    files = sorted(p.name for p in (seq / "histories").iterdir())
    assert len(files) == 2 and files == sorted(p.name for p in (proc / "histories").iterdir())
    for f in files:
        assert (seq / "histories" / f).read_bytes() == (proc / "histories" / f).read_bytes()
        sampled = load_history(seq / "histories" / f).commands[:-1]
        mean = load_history(det / "histories" / f).commands[:-1]
        assert not np.array_equal(sampled, mean)  # it did sample
    # scenarios differ from each other (per-scenario generators), and the seed matters
    a, b = (load_history(seq / "histories" / f).commands[:5] for f in files[:2])
    assert not np.array_equal(a, b)
    assert json.loads((seq / "manifest.json").read_text())["planner"]["deterministic"] is False
    out = tmp_path / "seed6"
    assert main([*[("6" if a == "5" else a) for a in common], "--output-dir", str(out)]) == 0
    assert (out / "histories" / files[0]).read_bytes() != (seq / "histories" / files[0]).read_bytes()
