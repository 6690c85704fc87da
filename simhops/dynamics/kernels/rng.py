"""Per-drone counter-based random numbers (SplitMix64) for kernels.

Each environment slot owns one ``uint64`` state, seeded from the env's
``np_random`` (Gymnasium's generator), so batched resets inside a kernel stay
reproducible per env and identical between the single and the vector env.
SplitMix64: Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
OOPSLA 2014 (constants from Vigna's reference implementation).
"""

from __future__ import annotations

import numpy as np

from simhops.dynamics.kernels._jit import njit_inline

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0


@njit_inline
def next_u64(rng, i):
    """Advance ``rng[i]`` and return the next 64-bit output."""
    rng[i] = rng[i] + _GOLDEN
    z = rng[i]
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit_inline
def uniform(rng, i, lo, hi):
    """A float uniform in [lo, hi) from slot ``i``."""
    u = float(next_u64(rng, i) >> _S11) * _INV53
    return lo + (hi - lo) * u


@njit_inline
def normal(rng, i):
    """A standard normal draw from slot ``i`` (Box-Muller from two uniforms; the second normal is dropped)."""
    u1 = float(next_u64(rng, i) >> _S11) * _INV53
    u2 = float(next_u64(rng, i) >> _S11) * _INV53
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)
