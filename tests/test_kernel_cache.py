"""numba's on-disk kernel cache: serial and parallel variants apart, stale cross-file entries dropped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simhops.dynamics.kernels import _jit
from simhops.dynamics.kernels._jit import CACHE_STAMP, guard_kernel_cache, kernel_sources_digest


def _sources(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "kernels"
    src.mkdir()
    (src / "physics.py").write_text("A = 1\n")
    (src / "vector_step.py").write_text("B = 2\n")
    cache = src / "__pycache__"
    cache.mkdir()
    return src, cache


def test_an_edit_of_any_kernel_source_drops_every_cached_entry(tmp_path):
    src, cache = _sources(tmp_path)
    assert guard_kernel_cache(src, cache) == cache
    stamp = (cache / CACHE_STAMP).read_text().strip()
    assert stamp == kernel_sources_digest(src)
    entries = [cache / "vector_step._vector_step-101.py311.nbi", cache / "vector_step._vector_step-101.py311.1.nbc"]
    for e in entries:
        e.write_bytes(b"x")
    guard_kernel_cache(src, cache)  # unchanged sources: the entries stay
    assert all(e.is_file() for e in entries)
    (src / "physics.py").write_text("A = 3\n")  # the callee's file changed, the caller's did not
    guard_kernel_cache(src, cache)
    assert not any(e.exists() for e in entries)
    assert (cache / CACHE_STAMP).read_text().strip() == kernel_sources_digest(src) != stamp


def test_digest_covers_names_and_bytes(tmp_path):
    src, _ = _sources(tmp_path)
    d0 = kernel_sources_digest(src)
    (src / "physics.py").rename(src / "physics2.py")
    assert kernel_sources_digest(src) != d0


def test_serial_variant_has_its_own_cache_name():
    def _impl(x):
        return x + 1

    parallel, serial = _jit.batched(_impl)
    assert serial.py_func.__qualname__ == _impl.__qualname__ + "_serial"
    assert parallel.py_func is _impl
    assert serial(np.float64(1.0)) == parallel(np.float64(1.0)) == 2.0


@pytest.mark.parametrize("name", ["vector_step", "vector_reset", "physics_step", "physics_step_normalized"])
def test_shipped_batched_kernels_are_compiled_apart(name):
    from simhops.dynamics import kernels  # noqa: F401
    import importlib

    mod = importlib.import_module("simhops.dynamics.kernels." + ("physics" if name.startswith("physics") else
                                                                 "vector_step"))
    par, ser = getattr(mod, name), getattr(mod, name + "_serial")
    assert par.targetoptions.get("parallel") and not ser.targetoptions.get("parallel")
    assert par.py_func.__qualname__ != ser.py_func.__qualname__
