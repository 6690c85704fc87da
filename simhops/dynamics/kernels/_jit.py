"""numba decorators shared by the kernels.

``njit`` compiles with an on-disk cache (``cache=True``, next to the sources in
``__pycache__``, or under ``NUMBA_CACHE_DIR``) so a second process loads machine
code instead of compiling. ``fastmath`` stays off: the single and the vector env
must produce bit-identical trajectories.
"""

from __future__ import annotations

import numba

njit = numba.njit(cache=True, nogil=True)
njit_inline = numba.njit(cache=True, nogil=True, inline="always")


def batched(impl):
    """Compile ``impl`` (a loop ``for i in prange(N)``) twice.

    Returns ``(parallel, serial)``: the multi-threaded variant for large N and the
    single-threaded one for N = 1, where thread start-up would dominate.
    """
    parallel = numba.njit(cache=True, nogil=True, parallel=True)(impl)
    serial = numba.njit(cache=True, nogil=True)(impl)
    return parallel, serial
