"""train.py stopped by SIGINT / SIGTERM keeps model, checkpoint and a valid .rrd; --resume finishes the run;
an earlier run's output_dir is refused without --overwrite / --resume."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rrd_utils import read_rrd, rrd_info, scalar_series

ROOT = Path(__file__).resolve().parents[1]
ROLLOUT = 4 * 32  # n_envs * n_steps
TINY = ["scenario.duration_s=0.5", "train.n_envs=4", "train.n_steps=32", "train.batch_size=64", "train.n_epochs=1",
        "train.net_arch=[16]", "callbacks.snapshot_freq_updates=5", "callbacks.snapshot_max_steps=30",
        "train.checkpoint_freq_steps=256", "train.progress_bar=false", "--eval-episodes", "0"]


def _start(out: Path, total: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "train.py"), *TINY, f"output_dir={out}",
                             f"train.total_timesteps={total}", *extra], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_checkpoint(proc: subprocess.Popen, out: Path, timeout_s: float = 240.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any((out / "checkpoints").glob("step_*/meta.json")):
            return
        if proc.poll() is not None:
            pytest.fail(f"training ended before its first checkpoint: {proc.communicate()[1][-3000:]}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail("no checkpoint within the timeout")


def _interrupt(out: Path, total: int, signum: int) -> tuple[int, str, str]:
    proc = _start(out, total)
    _wait_for_checkpoint(proc, out)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=180)
    return proc.returncode, stdout, stderr


def _assert_rrd_valid(path: Path) -> None:
    info = rrd_info(path)
    assert info["footer"] and info["recordings"] == 1, info["warnings"]
    rerun = shutil.which("rerun")
    if rerun is not None:  # the CLI of rerun-sdk: `rerun rrd verify` must accept the file
        res = subprocess.run([rerun, "rrd", "verify", str(path)], capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_keeps_model_checkpoint_and_valid_recording(tmp_path, signum, code):
    out = tmp_path / "run"
    rc, stdout, stderr = _interrupt(out, ROLLOUT * 10_000, signum)
    assert rc == code, stderr[-3000:]
    assert (out / "model.zip").is_file() and (out / "config.yaml").is_file()
    summary = json.loads((out / "train_summary.json").read_text())
    name = signal.Signals(signum).name
    assert summary["complete"] is False and summary["stop_signal"] == name
    assert 0 < summary["total_timesteps"] < ROLLOUT * 10_000 and summary["total_timesteps"] % ROLLOUT == 0
    metas = [json.loads(p.read_text()) for p in sorted((out / "checkpoints").glob("step_*/meta.json"))]
    assert metas[-1]["reason"] == name and metas[-1]["num_timesteps"] == summary["total_timesteps"]
    assert (Path(summary["checkpoint"]) / "model.zip").is_file()
    _assert_rrd_valid(out / "train.rrd")
    from stable_baselines3 import PPO

    assert PPO.load(out / "model.zip", device="cpu").num_timesteps == summary["total_timesteps"]


def test_resume_after_sigint_reaches_the_same_total(tmp_path):
    out = tmp_path / "run"
    total = ROLLOUT * 60
    rc, _, stderr = _interrupt(out, total, signal.SIGINT)
    assert rc == 130, stderr[-3000:]
    stopped_at = json.loads((out / "train_summary.json").read_text())["total_timesteps"]
    assert stopped_at < total
    res = subprocess.run([sys.executable, str(ROOT / "train.py"), "--resume", str(out), "--eval-episodes", "0"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["complete"] is True and summary["total_timesteps"] == total
    assert summary["resumed_from_timesteps"] == stopped_at
    from stable_baselines3 import PPO

    assert PPO.load(out / "model.zip", device="cpu").num_timesteps == total
    # the recording was continued: one file, every update once, snapshots from before and after the stop
    _assert_rrd_valid(out / "train.rrd")
    ents = read_rrd(out / "train.rrd")
    assert [u for u, _ in scalar_series(ents["losses/value_loss"], "ppo_update")] == list(range(1, total // ROLLOUT + 1))
    snapshot_updates = sorted({row["ppo_update"] for row in ents["snapshot/summary"]["index"]})
    assert snapshot_updates == list(range(5, total // ROLLOUT + 1, 5))


def test_output_dir_of_an_earlier_run_is_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.zip").write_text("an earlier run")
    args = [sys.executable, str(ROOT / "train.py"), *TINY, f"output_dir={out}", f"train.total_timesteps={ROLLOUT}",
            "visualization.enabled=false", "callbacks.simulation_callbacks=[]"]
    res = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "--overwrite" in res.stderr and str(out) in res.stderr
    assert (out / "model.zip").read_text() == "an earlier run"
    res = subprocess.run([*args, "--overwrite"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert json.loads((out / "train_summary.json").read_text())["complete"] is True
    res = subprocess.run([sys.executable, str(ROOT / "train.py"), "--resume", str(tmp_path / "nothing")], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "config.yaml" in res.stderr
