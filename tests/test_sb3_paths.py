"""The standard Stable-Baselines3 / Gymnasium paths work with simhops, each run for real.

* ``make_vec_env("simhops/Waypoints-v0", n_envs=...)`` by id, with DummyVecEnv and SubprocVecEnv
  (SB3 passes ``render_mode="rgb_array"`` and falls back only on ``TypeError``);
* ``EvalCallback`` and ``CheckpointCallback`` in a tiny PPO run;
* ``gymnasium.wrappers.RecordVideo`` writing an MP4 (needs the ``video`` extra: moviepy).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import CheckpointCallback, EvalCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

import simhops  # noqa: F401

ENV_ID = "simhops/Waypoints-v0"
ROOT = Path(__file__).resolve().parents[1]
SHORT = {"overrides": ["scenario.duration_s=1.0"]}  # 50-step episodes

HAS_MOVIEPY = importlib.util.find_spec("moviepy") is not None


def _exercise(venv, n_envs: int) -> None:
    obs = venv.reset()
    assert obs.shape == (n_envs, 26)
    for _ in range(60):  # past the end of the 50-step episodes: auto-reset inside the VecEnv
        obs, rewards, dones, infos = venv.step(np.tile([0.0, 0.1, 0.0, 0.0], (n_envs, 1)).astype(np.float32))
    assert obs.shape == (n_envs, 26) and np.all(np.isfinite(obs))
    assert venv.render_mode == "rgb_array"
    images = venv.get_images()
    assert len(images) == n_envs and all(im.shape == (240, 320, 3) and im.dtype == np.uint8 for im in images)
    tiled = venv.render()  # SB3 tiles the sub-env frames
    assert tiled.ndim == 3 and tiled.shape[2] == 3


def test_make_vec_env_by_id_with_dummy_vec_env():
    venv = make_vec_env(ENV_ID, n_envs=2, seed=0, env_kwargs=SHORT)
    assert isinstance(venv, DummyVecEnv)
    _exercise(venv, 2)
    venv.close()


def test_make_vec_env_by_module_id_with_subproc_vec_env():
    """``"simhops:simhops/Waypoints-v0"``: each worker process imports simhops itself (any start method)."""
    venv = make_vec_env(f"simhops:{ENV_ID}", n_envs=2, seed=0, vec_env_cls=SubprocVecEnv, env_kwargs=SHORT)
    try:
        _exercise(venv, 2)
    finally:
        venv.close()


SUBPROC_SCRIPT = """
import numpy as np
import simhops  # module level: SB3's forkserver/spawn workers re-import the main script, so they see the id
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import SubprocVecEnv

if __name__ == "__main__":
    venv = make_vec_env("simhops/Waypoints-v0", n_envs=2, seed=0, vec_env_cls=SubprocVecEnv,
                        env_kwargs={"overrides": ["scenario.duration_s=1.0"]})
    obs = venv.reset()
    for _ in range(60):
        obs, rewards, dones, infos = venv.step(np.zeros((2, 4), dtype=np.float32))
    images = venv.get_images()
    venv.close()
    print("OK", obs.shape, venv.render_mode, [im.shape for im in images])
"""


def test_make_vec_env_by_plain_id_with_subproc_vec_env_from_a_script(tmp_path):
    """The plain id in a user script that imports simhops (run as a real script: workers re-import it)."""
    script = tmp_path / "train_subproc.py"
    script.write_text(SUBPROC_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=env,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "OK (2, 26) rgb_array [(240, 320, 3), (240, 320, 3)]"


def test_ppo_with_eval_and_checkpoint_callbacks(tmp_path):
    venv = make_vec_env(ENV_ID, n_envs=2, seed=0, env_kwargs=SHORT)
    eval_env = make_vec_env(ENV_ID, n_envs=1, seed=100, env_kwargs=SHORT)
    callbacks = [
        EvalCallback(eval_env, n_eval_episodes=2, eval_freq=32, best_model_save_path=str(tmp_path / "best"),
                     log_path=str(tmp_path / "eval"), deterministic=True, verbose=0),
        CheckpointCallback(save_freq=32, save_path=str(tmp_path / "ckpt"), name_prefix="ppo_simhops"),
    ]
    model = PPO("MlpPolicy", venv, n_steps=32, batch_size=32, n_epochs=1, seed=0, verbose=0, device="cpu")
    model.learn(total_timesteps=128, callback=callbacks)
    evals = np.load(tmp_path / "eval" / "evaluations.npz")
    assert evals["timesteps"].tolist() == [64, 128]  # eval_freq counts calls: 32 calls x 2 envs
    assert evals["results"].shape == (2, 2) and np.all(np.isfinite(evals["results"]))
    assert evals["ep_lengths"].max() <= 50
    assert "successes" in evals.files  # EvalCallback picked up info["is_success"]
    assert (tmp_path / "best" / "best_model.zip").is_file()
    ckpts = sorted(p.name for p in (tmp_path / "ckpt").glob("*.zip"))
    assert ckpts == ["ppo_simhops_128_steps.zip", "ppo_simhops_64_steps.zip"]
    reloaded = PPO.load(tmp_path / "ckpt" / "ppo_simhops_128_steps.zip", device="cpu")
    assert reloaded.observation_space == model.observation_space
    venv.close()
    eval_env.close()


@pytest.mark.skipif(not HAS_MOVIEPY, reason="RecordVideo needs moviepy: pip install 'simhops[video]'")
def test_record_video_writes_an_mp4(tmp_path):
    env = gym.make(ENV_ID, render_mode="rgb_array", render_width=160, render_height=128, **SHORT)
    env = gym.wrappers.RecordVideo(env, str(tmp_path), episode_trigger=lambda ep: ep == 0, name_prefix="simhops")
    env.reset(seed=0)
    steps = 0
    done = False
    while not done:
        _, _, term, trunc, _ = env.step(np.array([0.0, 0.1, 0.0, 0.0], dtype=np.float32))
        steps += 1
        done = term or trunc
    env.close()
    videos = list(tmp_path.glob("*.mp4"))
    assert [v.name for v in videos] == ["simhops-episode-0.mp4"]
    import imageio_ffmpeg

    n_frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(videos[0]))
    assert n_frames == steps + 1  # the reset frame and one per step
    assert seconds == pytest.approx((steps + 1) / 50.0, abs=0.05)  # played at metadata["render_fps"]
