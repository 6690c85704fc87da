"""Turn SIGINT / SIGTERM into :class:`RunInterrupted` while a batch runs."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

from simhops.simulation.runner.errors import RunInterrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def interrupts_raise(enabled: bool = True) -> Iterator[None]:
    """Within the block, the first SIGINT or SIGTERM raises :class:`RunInterrupted` in the main thread.

    Later signals (while the caller cleans up and writes what finished) are ignored.
    The previous handlers are restored on exit. A no-op outside the main thread or
    with ``enabled=False``.
    """
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[int] = []

    def _handler(signum: int, frame: object) -> None:
        if fired:
            return
        fired.append(signum)
        raise RunInterrupted(signum)

    previous = {s: signal.signal(s, _handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@contextlib.contextmanager
def signals_deferred(received: list[int]) -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM are only recorded (appended to ``received``), not raised.

    For writing a run's results: the files are completed, then the caller reacts to
    ``received`` (e.g. exits with 128 + signum). A no-op outside the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _handler(signum: int, frame: object) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, _handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
