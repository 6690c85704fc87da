"""Smoke tests of the benchmark scripts under benchmarks/.

Each script runs once, as a subprocess with this interpreter, and must print exactly
one line of strict JSON with the documented keys and positive, finite figures. No
performance thresholds here: speed is reported by the scripts, not asserted by tests.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO_ROOT / "benchmarks"
# ~10 s each on the 2-core dev machine with a warm numba cache, ~20 s with a cold one;
# generous so a loaded CI machine does not make them flaky
TIMEOUT_S = 300

VERSION_KEYS = {"python", "numpy", "numba", "gymnasium", "stable_baselines3", "torch", "simhops"}
MACHINE_KEYS = {"platform", "cpu_count", "cpu_model", "loadavg_start", "loadavg_end"}


def _run_script(name: str, *args: str) -> tuple[str, dict[str, Any]]:
    proc = subprocess.run([sys.executable, str(BENCH_DIR / name), *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 0, f"{name} failed (rc={proc.returncode}):\n{proc.stderr[-4000:]}"
    return proc.stdout, _parse_one_line(proc.stdout)


def _parse_one_line(stdout: str) -> dict[str, Any]:
    lines = stdout.splitlines()
    assert len(lines) == 1, f"expected one JSON line on stdout, got {len(lines)}: {stdout[:500]!r}"

    def reject_constant(name: str):
        raise AssertionError(f"non-strict JSON constant {name} in the output")

    record = json.loads(lines[0], parse_constant=reject_constant)
    assert isinstance(record, dict)
    return record


def _assert_positive(value: Any, what: str) -> None:
    assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{what}: not a number ({value!r})"
    assert math.isfinite(value) and value > 0, f"{what}: expected a positive finite number, got {value!r}"


def _assert_common(record: dict[str, Any]) -> None:
    assert VERSION_KEYS <= set(record["versions"]), record["versions"]
    assert all(isinstance(record["versions"][k], str) for k in VERSION_KEYS), record["versions"]
    assert MACHINE_KEYS <= set(record["machine"]), record["machine"]
    _assert_positive(record["machine"]["cpu_count"], "machine.cpu_count")


@pytest.fixture(scope="module")
def throughput() -> dict[str, Any]:
    return _run_script("bench_throughput.py", "--quick")[1]


@pytest.fixture(scope="module")
def jit() -> dict[str, Any]:
    return _run_script("bench_jit.py")[1]


def test_throughput_quick_is_one_json_line_with_versions_and_machine(throughput):
    assert throughput["benchmark"] == "throughput"
    _assert_common(throughput)
    assert throughput["settings"]["quick"] is True


def test_throughput_quick_single_env_figures(throughput):
    figures = throughput["figures"]
    for key in ("single_env_raw", "single_env_gym_make"):
        _assert_positive(figures[key]["steps_per_s"], f"{key}.steps_per_s")
        _assert_positive(figures[key]["best_steps_per_s"], f"{key}.best_steps_per_s")
    # the metric callback (the default config's list, or ["metric"] when it is empty) must be measured
    with_cb = figures["single_env_with_callbacks"]
    assert with_cb.get("error") is None, f"single_env_with_callbacks failed: {with_cb.get('error')}"
    assert with_cb["callbacks"], "the benchmark should attach simulation callbacks"
    _assert_positive(with_cb["steps_per_s"], "single_env_with_callbacks.steps_per_s")


def test_throughput_quick_vector_physics_and_ratio(throughput):
    figures = throughput["figures"]
    sizes = [str(n) for n in throughput["settings"]["sizes"]]
    assert sizes == ["1", "64"]
    for n in sizes:
        _assert_positive(figures["vector_env"][n]["steps_per_s"], f"vector_env[{n}]")
        _assert_positive(figures["physics_only"][n]["steps_per_s"], f"physics_only[{n}]")
        _assert_positive(figures["vector_over_physics"][n], f"vector_over_physics[{n}]")
    assert figures["physics_only"]["1"]["kernel"] == "physics_step_normalized_serial"


def test_throughput_quick_sb3_and_ppo(throughput):
    figures = throughput["figures"]
    _assert_positive(figures["sb3_vec_env"]["steps_per_s"], "sb3_vec_env.steps_per_s")
    ppo = figures["ppo_end_to_end"]
    _assert_positive(ppo["steps_per_s"], "ppo_end_to_end.steps_per_s")
    for key in ("n_envs", "n_steps", "batch_size", "num_timesteps"):
        _assert_positive(ppo[key], f"ppo_end_to_end.{key}")
    assert ppo["num_timesteps"] >= ppo["n_envs"] * ppo["n_steps"]  # at least one full rollout


def test_throughput_quick_targets(throughput):
    targets = throughput["targets"]
    assert set(targets) == {"vector_env_4096", "vector_over_physics_4096", "single_env_raw", "ppo_end_to_end"}
    for name, target in targets.items():
        _assert_positive(target["threshold"], f"targets.{name}.threshold")
        if target["value"] is None:  # not measured in --quick (N = 4096)
            assert target["met"] is None
        else:
            _assert_positive(target["value"], f"targets.{name}.value")
            assert isinstance(target["met"], bool)
    assert targets["vector_env_4096"]["value"] is None  # --quick stops at N = 64


def test_jit_is_one_json_line_with_cold_and_cached_times(jit):
    assert jit["benchmark"] == "jit"
    _assert_common(jit)
    for key in ("cold_s", "cached_s", "ratio", "default_cache_s"):
        _assert_positive(jit[key], key)
    for run in ("cold", "cached", "default"):
        phases = jit["phases"][run]
        for key in ("import_s", "single_env_s", "vector_env_s", "total_s"):
            _assert_positive(phases[key], f"phases.{run}.{key}")
        assert phases["uncached_kernels"] == [], f"kernels without cache=True: {phases['uncached_kernels']}"
    _assert_positive(jit["cache_entries_written"], "cache_entries_written")


def test_disturbance_cost_quick_is_one_json_line_with_every_variant():
    _, out = _run_script("bench_disturbance_cost.py", "--quick")
    assert out["benchmark"] == "disturbance_cost" and out["n_envs"] == 64
    names = {"off", "wind", "gusts", "obs_noise", "motor_noise", "latency", "mass_randomization"}
    assert set(out["steps_per_s"]) == names and set(out["over_off"]) == names
    assert all(v > 0 for v in out["steps_per_s"].values())
    assert out["over_off"]["off"] == 1.0
