"""Stopping a run: SIGINT/SIGTERM to ``simhops eval`` keeps what finished; SIGKILL of the main process ends its workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


def children_of(pid: int) -> list[int]:
    """Live direct children of ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(predicate, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("backend, signum", [("process", signal.SIGINT), ("sequential", signal.SIGTERM)])
def test_signal_to_simhops_eval_keeps_finished_scenarios(tmp_path, backend, signum):
    out = tmp_path / "eval"
    cmd = [sys.executable, "-m", "simhops.evaluation.cli", "eval", "--planner", "classical", "--scenarios",
           "benchmark-v0", "--backend", backend, "--workers", "2" if backend == "process" else "1",
           "--output-dir", str(out), "--no-progress"]
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        hist = out / "histories"
        wait_for(lambda: hist.is_dir() and len([p for p in hist.iterdir() if p.suffix == ".msgpack"]) >= 2,
                 120, "two finished scenarios")
        workers = children_of(proc.pid)
        proc.send_signal(signum)
        stdout, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum, stdout
    summary = json.loads((out / "summary.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    metrics = pd.read_parquet(out / "metrics.parquet")
    log = pd.read_parquet(out / "simulation_log.parquet")
    files = sorted(p.name for p in (out / "histories").iterdir())
    n = summary["n"]
    assert summary["complete"] is False and manifest["complete"] is False
    assert manifest["interrupted_by"] == signal.Signals(signum).name and summary["n_planned"] == 100
    assert 2 <= n < 100 and manifest["n_reports"] == n == len(metrics) == len(log) == len(files)
    assert metrics["run_succeeded"].all() and (log["status"] == "succeeded").all()
    stems = sorted(s.replace("/", "__") + ".msgpack" for s in metrics["scenario"])
    assert files == stems  # exactly the reported runs, no partial or temporary files
    assert "interrupted" in stdout
    for pid in workers:  # every worker was stopped
        assert not alive(pid), f"worker {pid} still running"


HANG_SCRIPT = textwrap.dedent('''
    import os, sys, time
    from simhops.config import load_config
    from simhops.scenario.benchmark import build_benchmark
    from simhops.simulation.planner.waypoint_planner import WaypointPlanner
    from simhops.simulation.runner.executor import run_simulations
    from simhops.simulation.runner.process_pool import ProcessPool
    from simhops.simulation.runner.simulation_task import SimulationTask

    class PidThenHang(WaypointPlanner):
        def __init__(self, folder):
            super().__init__()
            self.folder = folder

        def initialize(self, initialization):
            open(os.path.join(self.folder, str(os.getpid())), "w").close()
            while True:
                time.sleep(0.1)

    if __name__ == "__main__":
        scs = build_benchmark(cfg=load_config(overrides=["scenario.duration_s=0.2"]))[:4]
        run_simulations([SimulationTask(s, PidThenHang(sys.argv[1])) for s in scs], ProcessPool(2), timeout_s=600)
''')


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_workers_exit_when_main_is_sigkilled(tmp_path):
    script = tmp_path / "hang.py"
    script.write_text(HANG_SCRIPT)
    pids = tmp_path / "pids"
    pids.mkdir()
    proc = subprocess.Popen([sys.executable, str(script), str(pids)], env=_env())
    try:
        wait_for(lambda: len(list(pids.iterdir())) == 2, 120, "two workers in their planners")
        workers = [int(p.name) for p in pids.iterdir()]
        assert all(alive(pid) for pid in workers)
        proc.kill()
        proc.wait(timeout=10)
        wait_for(lambda: not any(alive(pid) for pid in workers), 10, "the workers to exit")
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in pids.iterdir():
            try:
                os.kill(int(p.name), signal.SIGKILL)
            except ProcessLookupError:
                pass
