"""numba decorators shared by the kernels.

``njit`` compiles with an on-disk cache (``cache=True``, next to the sources in
``__pycache__``, or under ``NUMBA_CACHE_DIR``) so a second process loads machine
code instead of compiling. ``fastmath`` stays off: the single and the vector env
must produce bit-identical trajectories.
"""

from __future__ import annotations

import types

import numba

njit = numba.njit(cache=True, nogil=True)
njit_inline = numba.njit(cache=True, nogil=True, inline="always")


def batched(impl):
    """Compile ``impl`` (a loop ``for i in prange(N)``) twice.

    Returns ``(parallel, serial)``: the multi-threaded variant for large N and the
    single-threaded one for N = 1, where thread start-up would dominate.

    The serial variant compiles a copy of ``impl`` named ``<name>_serial``: numba's on-disk
    cache is keyed by the function's qualified name, source line and signature, not by the
    ``parallel`` flag, so two variants of one function would share cache entries and the
    one compiled first (often the serial one, from a small env) would be loaded for both.
    """
    parallel = numba.njit(cache=True, nogil=True, parallel=True)(impl)
    serial_impl = types.FunctionType(impl.__code__, impl.__globals__, impl.__name__ + "_serial",
                                     impl.__defaults__, impl.__closure__)
    serial_impl.__qualname__ = impl.__qualname__ + "_serial"
    serial_impl.__doc__ = impl.__doc__
    serial_impl.__module__ = impl.__module__
    serial = numba.njit(cache=True, nogil=True)(serial_impl)
    return parallel, serial
