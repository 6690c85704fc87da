"""The kernels' random numbers: SplitMix64 uniforms and ziggurat normals are standard and reproducible."""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy import stats

from simhops.dynamics.kernels.rng import _ZIG_F, _ZIG_K, _ZIG_W, ZIGGURAT_R, normal, uniform


@njit(cache=False)
def _normals(n, seed):
    rng = np.array([np.uint64(seed)])
    out = np.empty(n)
    for k in range(n):
        out[k] = normal(rng, 0)
    return out


@njit(cache=False)
def _uniforms(n, seed):
    rng = np.array([np.uint64(seed)])
    out = np.empty(n)
    for k in range(n):
        out[k] = uniform(rng, 0, -2.0, 3.0)
    return out


def test_ziggurat_tables_are_consistent():
    # layer edges decrease from R to 0; f = exp(-x^2/2) increases to 1; k[1] = 0 (layer 1 always rejects into
    # the wedge test); the acceptance ratios k[j] / 2^52 lie in [0, 1]
    x = _ZIG_W * 2.0 ** 52
    assert x[255] == ZIGGURAT_R and np.all(np.diff(x[1:]) > 0.0)
    np.testing.assert_allclose(_ZIG_F[1:], np.exp(-0.5 * x[1:] ** 2), rtol=1e-12)
    assert _ZIG_F[0] == 1.0 and _ZIG_K[1] == 0
    assert np.all(_ZIG_K[2:].astype(float) / 2.0 ** 52 <= 1.0)


def test_normal_draws_follow_the_standard_normal():
    x = _normals(2_000_000, 12345)
    assert abs(x.mean()) < 0.003 and abs(x.std() - 1.0) < 0.003
    assert stats.kstest(x, "norm").pvalue > 1e-3
    # the tail beyond R (the ziggurat's base strip) has the right mass, on both sides
    edges = np.array([-np.inf, -ZIGGURAT_R, -3.0, -1.0, 0.0, 1.0, 3.0, ZIGGURAT_R, np.inf])
    observed = np.histogram(x, edges)[0]
    expected = np.diff(stats.norm.cdf(edges)) * len(x)
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_draws_are_reproducible_per_seed():
    np.testing.assert_array_equal(_normals(1000, 7), _normals(1000, 7))
    assert not np.array_equal(_normals(1000, 7), _normals(1000, 8))
    u = _uniforms(100_000, 3)
    assert u.min() >= -2.0 and u.max() < 3.0 and stats.kstest(u, "uniform", args=(-2.0, 5.0)).pvalue > 1e-3
