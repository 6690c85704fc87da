"""numba decorators shared by the kernels.

``njit`` compiles with an on-disk cache (``cache=True``, next to the sources in
``__pycache__``, or under ``NUMBA_CACHE_DIR``) so a second process loads machine
code instead of compiling. ``fastmath`` stays off: the single and the vector env
must produce bit-identical trajectories.

numba checks a cached function against its *own* source file only, but a kernel that calls
a function of another file carries that callee's compiled code in its cache entry: after an
edit of ``physics.py``, ``vector_step.py``'s cached kernel would still fly the old physics.
:func:`guard_kernel_cache` (run on import) therefore keys the whole kernel cache on a hash of
every kernel source file and drops the cached entries when any of them changed.
"""

from __future__ import annotations

import hashlib
import math
import types
from pathlib import Path

import numba
from llvmlite import ir as llvm_ir
from numba.core import types as nbtypes
from numba.extending import intrinsic

from simhops.io.atomic import atomic_write_text

#: file beside numba's cache entries holding the hash of the kernel sources they were built from
CACHE_STAMP = "simhops_kernels.sha256"

njit = numba.njit(cache=True, nogil=True, error_model="numpy")
njit_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")


def batched(impl):
    """Compile ``impl`` (a loop ``for i in prange(N)``) twice.

    Returns ``(parallel, serial)``: the multi-threaded variant for large N and the
    single-threaded one for N = 1, where thread start-up would dominate.

    The serial variant compiles a copy of ``impl`` named ``<name>_serial``: numba's on-disk
    cache is keyed by the function's qualified name, source line and signature, not by the
    ``parallel`` flag, so two variants of one function would share cache entries and the
    one compiled first (often the serial one, from a small env) would be loaded for both.
    """
    parallel = numba.njit(cache=True, nogil=True, error_model="numpy", parallel=True)(impl)
    serial_impl = types.FunctionType(impl.__code__, impl.__globals__, impl.__name__ + "_serial",
                                     impl.__defaults__, impl.__closure__)
    serial_impl.__qualname__ = impl.__qualname__ + "_serial"
    serial_impl.__doc__ = impl.__doc__
    serial_impl.__module__ = impl.__module__
    serial = numba.njit(cache=True, nogil=True, error_model="numpy")(serial_impl)
    return parallel, serial


def _cache_probe() -> None:  # a function of this directory: locates its numba cache folder
    return None


def kernel_sources_digest(folder: Path | None = None) -> str:
    """SHA-256 over the names and bytes of the kernel sources (``*.py`` of ``folder``, default this package)."""
    folder = Path(__file__).resolve().parent if folder is None else folder
    h = hashlib.sha256()
    for f in sorted(folder.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def guard_kernel_cache(source_folder: Path | None = None, cache_folder: Path | None = None) -> Path | None:
    """Drop numba's cached kernels when any kernel source changed since they were built.

    ``source_folder`` holds the kernel sources (default: this package), ``cache_folder`` numba's
    entries for them (default: where numba caches this package). Returns the cache folder (None
    when numba has none, e.g. ``NUMBA_DISABLE_JIT=1`` or an unwritable install). Concurrent
    processes at most recompile: numba treats a missing entry as a cache miss.
    """
    if numba.config.DISABLE_JIT:
        return None
    if cache_folder is None:
        try:
            from numba.core.caching import FunctionCache

            cache_folder = Path(FunctionCache(_cache_probe)._cache_path)
        except Exception:  # no usable cache location: numba compiles in memory
            return None
    digest = kernel_sources_digest(source_folder)
    stamp = cache_folder / CACHE_STAMP
    try:
        if stamp.is_file() and stamp.read_text().strip() == digest:
            return cache_folder
        for entry in list(cache_folder.glob("*.nbi")) + list(cache_folder.glob("*.nbc")):
            entry.unlink(missing_ok=True)
        cache_folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(stamp, digest + "\n")
    except OSError:
        return None
    return cache_folder



@intrinsic
def _llvm_sqrt(typingctx, x):
    sig = nbtypes.float64(nbtypes.float64)

    def codegen(context, builder, signature, args):
        fn = builder.module.declare_intrinsic("llvm.sqrt", [llvm_ir.DoubleType()])
        return builder.call(fn, [args[0]])

    return sig, codegen


#: ``sqrt(x)``: IEEE square root of a float64 (NaN for x < 0) for the kernels. Compiled, it is
#: LLVM's ``llvm.sqrt`` intrinsic: numba lowers ``math.sqrt`` / ``np.sqrt`` to a call of libm's
#: ``sqrt``, which may set ``errno``, so LLVM does not vectorize a loop that calls it. Both round
#: correctly, so the numbers are the same. With ``NUMBA_DISABLE_JIT=1`` it is ``math.sqrt``
#: (which raises ValueError for x < 0 where the compiled kernels give NaN).
sqrt = math.sqrt if numba.config.DISABLE_JIT else _llvm_sqrt

guard_kernel_cache()
