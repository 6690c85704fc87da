"""rl-baselines3-zoo with simhops: train, enjoy and record_video, with the hyper-parameter file simhops ships.

Skipped when rl_zoo3 is not installed (``pip install 'simhops[zoo]'``). One tiny training
(128 steps) is shared by the tests of this module.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from simhops.zoo import hyperparams_path

pytestmark = pytest.mark.skipif(importlib.util.find_spec("rl_zoo3") is None,
                                reason="rl_zoo3 is not installed: pip install 'simhops[zoo]'")

ROOT = Path(__file__).resolve().parents[1]
ENV_ID = "simhops/Waypoints-v0"
FOLDER_NAME = "simhops-Waypoints-v0"  # rl-zoo's file-system form of the id
TIMEOUT_S = 300


def _env(no_viewer: bool = False) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    if no_viewer:  # no `rerun` executable on PATH: render_mode="human" cannot spawn a viewer here
        env["PATH"] = "/usr/bin:/bin"
    return env


def _run(args: list[str], no_viewer: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S,
                          env=_env(no_viewer))
    assert proc.returncode == 0, f"{args[:3]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    logs = tmp_path_factory.mktemp("zoo_logs")
    _run(["-m", "rl_zoo3.train", "--algo", "ppo", "--env", ENV_ID, "--gym-packages", "simhops", "-n", "128",
          "--conf-file", str(hyperparams_path("ppo")), "-f", str(logs), "--seed", "0", "--eval-freq", "-1",
          "--hyperparams", "n_envs:2", "n_steps:64", "batch_size:64", "n_epochs:1",
          "--env-kwargs", "overrides:['scenario.duration_s=1.0']"])
    return logs


def test_shipped_hyperparams_cover_both_id_forms():
    conf = yaml.load(hyperparams_path("ppo").read_text(), Loader=yaml.UnsafeLoader)
    assert conf[ENV_ID] == conf[f"simhops:{ENV_ID}"]
    assert conf[ENV_ID]["policy"] == "MlpPolicy"
    out = subprocess.run([sys.executable, "-m", "simhops.zoo", "--conf-path", "ppo"], cwd=ROOT, capture_output=True,
                         text=True, env=_env(), timeout=TIMEOUT_S)
    assert Path(out.stdout.strip()) == hyperparams_path("ppo") and hyperparams_path("ppo").is_file()
    with pytest.raises(ValueError, match="algo"):
        hyperparams_path("sac")


def test_train_uses_the_shipped_file(trained):
    run = trained / "ppo" / f"{FOLDER_NAME}_1"
    assert (run / f"{FOLDER_NAME}.zip").is_file()
    saved = yaml.load((run / FOLDER_NAME / "config.yml").read_text(), Loader=yaml.UnsafeLoader)
    saved = dict(saved)
    assert saved["policy_kwargs"] == "dict(net_arch=[64, 64], log_std_init=-0.5)"  # from simhops/zoo/ppo.yml
    assert saved["gamma"] == 0.99 and saved["n_envs"] == 2 and saved["n_steps"] == 64  # file + --hyperparams


def test_enjoy_with_gym_packages_and_rendering(trained):
    """Without --no-render: rl-zoo makes the env with render_mode="human" (no viewer here: warns, runs on)."""
    proc = _run(["-m", "rl_zoo3.enjoy", "--algo", "ppo", "--env", ENV_ID, "--gym-packages", "simhops", "-f",
                 str(trained), "--exp-id", "1", "-n", "60"], no_viewer=True)
    assert "could not spawn the Rerun viewer" in proc.stderr
    assert "Loading" in proc.stdout


def test_record_video_through_the_simhops_launcher(trained, tmp_path):
    """rl_zoo3.record_video has no --gym-packages: ``python -m simhops.zoo record_video`` registers the env."""
    _run(["-m", "simhops.zoo", "record_video", "--algo", "ppo", "--env", ENV_ID, "-f", str(trained), "--exp-id",
          "1", "-n", "60", "-o", str(tmp_path)])
    videos = list(tmp_path.glob("*.mp4"))
    assert len(videos) == 1, list(tmp_path.iterdir())
    import imageio_ffmpeg

    n_frames, _ = imageio_ffmpeg.count_frames_and_secs(str(videos[0]))
    assert n_frames == 61
