"""Per-drone counter-based random numbers (SplitMix64) for kernels.

Each environment slot owns one ``uint64`` state, seeded from the env's
``np_random`` (Gymnasium's generator), so batched resets inside a kernel stay
reproducible per env and identical between the single and the vector env.
SplitMix64: Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
OOPSLA 2014 (constants from Vigna's reference implementation).

Normal draws use the ziggurat method (Marsaglia & Tsang, "The Ziggurat Method for
Generating Random Variables", J. Stat. Softw. 5(8), 2000) with 256 layers and 52-bit
mantissas, the variant of numpy's ``random_standard_normal``
(numpy/random/src/distributions/distributions.c): one 64-bit draw and a table lookup for
~99 % of the draws, instead of a logarithm, a square root and a cosine (Box-Muller).
"""

from __future__ import annotations

import numpy as np

from simhops.dynamics.kernels._jit import njit, njit_inline

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0
_U8 = np.uint64(8)
_U1 = np.uint64(1)
_UFF = np.uint64(0xFF)
_M52 = np.uint64(0x000FFFFFFFFFFFFF)

#: ziggurat of the standard normal: 256 layers, rightmost layer x_255 = R, common area V
#: (Marsaglia & Tsang 2000, Table 1 for n = 256)
ZIGGURAT_R = 3.6541528853610088
ZIGGURAT_V = 4.92867323399e-3


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(k, w, f) tables of the 256-layer ziggurat for 52-bit mantissas (Marsaglia & Tsang's
    ``zigset`` with 2^52 in place of 2^31): ``x = rabs * w[j]``; accept at once when
    ``rabs < k[j]``; ``f[j] = exp(-x_j^2 / 2)``."""
    m = float(2 ** 52)
    k = np.zeros(256, dtype=np.uint64)
    w = np.zeros(256)
    f = np.zeros(256)
    dn = tn = ZIGGURAT_R
    q = ZIGGURAT_V / np.exp(-0.5 * dn * dn)
    k[0] = np.uint64((dn / q) * m)
    k[1] = np.uint64(0)
    w[0] = q / m
    w[255] = dn / m
    f[0] = 1.0
    f[255] = np.exp(-0.5 * dn * dn)
    for j in range(254, 0, -1):
        dn = np.sqrt(-2.0 * np.log(ZIGGURAT_V / dn + np.exp(-0.5 * dn * dn)))
        k[j + 1] = np.uint64((dn / tn) * m)
        tn = dn
        f[j] = np.exp(-0.5 * dn * dn)
        w[j] = dn / m
    return k, w, f


_ZIG_K, _ZIG_W, _ZIG_F = _ziggurat_tables()


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
def _ziggurat_box(rng, i):
    """One ziggurat candidate from slot ``i``: (layer j, |bits| rabs, signed x, x inside layer j's box)."""
    r = next_u64(rng, i)
    j = int(r & _UFF)
    r = r >> _U8
    rabs = (r >> _U1) & _M52
    x = float(rabs) * _ZIG_W[j]
    if (r & _U1) != 0:
        x = -x
    return j, rabs, x, rabs < _ZIG_K[j]


@njit_inline
def normal(rng, i):
    """A standard normal draw from slot ``i`` (256-layer ziggurat, see the module docstring).

    The fast path (~99 % of the draws: one 64-bit draw, a table lookup) is inlined at every call
    site; the rare rejection steps are one compiled function (:func:`_normal_slow`), which keeps
    the kernels that draw many normals quick to compile.
    """
    j, rabs, x, inside = _ziggurat_box(rng, i)
    if inside:
        return x
    return _normal_slow(rng, i, j, rabs, x)


@njit
def _normal_slow(rng, i, j, rabs, x):
    """The ziggurat's rejection steps for a draw ``x`` that fell outside layer ``j``'s box, then
    fresh draws until one is accepted (the same stream and order as one loop of Marsaglia & Tsang)."""
    while True:
        if j == 0:  # the tail beyond R (Marsaglia 1964)
            while True:
                xx = -np.log1p(-float(next_u64(rng, i) >> _S11) * _INV53) / ZIGGURAT_R
                yy = -np.log1p(-float(next_u64(rng, i) >> _S11) * _INV53)
                if yy + yy > xx * xx:
                    return -(ZIGGURAT_R + xx) if ((rabs >> _U8) & _U1) != 0 else ZIGGURAT_R + xx
        u = float(next_u64(rng, i) >> _S11) * _INV53
        if (_ZIG_F[j - 1] - _ZIG_F[j]) * u + _ZIG_F[j] < np.exp(-0.5 * x * x):
            return x
        j, rabs, x, inside = _ziggurat_box(rng, i)
        if inside:
            return x
