"""Install reach: pyproject metadata, a non-editable wheel that ships the data files, and an
editable install that keeps the torch already installed (no CUDA download).

Both pip checks run offline (``--no-index --no-build-isolation``) on a copy of the source tree,
so they never touch this checkout or the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
_IGNORE = shutil.ignore_patterns(".git", ".venv", "runs", "build", "dist", "*.egg-info", "__pycache__",
                                 ".pytest_cache", ".hypothesis", "*.rrd", ".ipynb_checkpoints")


def _pip(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory) -> Path:
    """The project's files (no VCS, venv or build outputs) in a fresh folder."""
    dst = tmp_path_factory.mktemp("src") / "simhops-src"
    shutil.copytree(ROOT, dst, ignore=_IGNORE, symlinks=True)
    return dst


def _requirement(name: str) -> Requirement:
    reqs = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    return next(r for r in reqs if r.name == name)


def test_python_range_and_torch_lower_bound():
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]) == SpecifierSet(">=3.11,<3.14")
    for v in ("3.11", "3.12", "3.13"):
        assert v in SpecifierSet(PYPROJECT["project"]["requires-python"])
    torch = _requirement("torch")
    assert not any(s.operator in ("==", "===", "~=") for s in torch.specifier), torch  # no hard pin
    assert any(s.operator == ">=" for s in torch.specifier), torch
    assert torch.specifier.contains(version("torch").split("+")[0])  # the installed CPU build satisfies it
    assert PYPROJECT["project"]["scripts"]["simhops"] == "simhops.cli:main"


def test_wheel_ships_config_tracks_and_every_yaml(source_copy, tmp_path):
    res = _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp_path), ".", cwd=source_copy)
    assert res.returncode == 0, res.stderr[-3000:]
    (wheel,) = tmp_path.glob("simhops-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {p.relative_to(source_copy).as_posix() for ext in ("yaml", "yml")
            for p in (source_copy / "simhops").rglob(f"*.{ext}")}
    assert "simhops/config/cfg_default.yaml" in data and any(d.startswith("simhops/scenario/tracks/") for d in data)
    assert data <= names, sorted(data - names)  # tracks, config, airframes (dynamics/**), hyper-parameter files
    assert not any(n.startswith(("tests/", "notebooks/", "benchmarks/")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "simhops = simhops.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()

    # the installed (non-editable) package finds its data without the source tree
    site = tmp_path / "site"
    res = _pip("install", "--no-deps", "--no-index", "--target", str(site), str(wheel), cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    probe = ("import simhops.config as c, simhops.scenario.benchmark as b; "
             "print(c.default_config_path()); print(len(b.build_benchmark(cfg=c.load_config())))")
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    cfg_path, n_scenarios = out.stdout.split()
    assert Path(cfg_path).is_relative_to(site) and int(n_scenarios) == 100


def test_editable_install_keeps_installed_torch(source_copy, tmp_path):
    """With torch 2.13.0 (CPU) installed first, ``pip install -e .[test]`` keeps it: no torch, no CUDA wheels."""
    report = tmp_path / "report.json"
    res = _pip("install", "--dry-run", "--no-build-isolation", "--report", str(report), "-e",
               ".[test]", cwd=source_copy)
    assert res.returncode == 0, res.stderr[-3000:]
    installs = [(i["metadata"]["name"], i["metadata"]["version"]) for i in json.loads(report.read_text())["install"]]
    assert ("simhops", PYPROJECT["project"]["version"]) in installs
    # nothing replaces the CPU torch or pulls CUDA wheels (other small packages may be resolved)
    heavy = [n for n, _ in installs if n.lower() == "torch" or n.lower().startswith(("nvidia-", "triton"))]
    assert heavy == [], installs
