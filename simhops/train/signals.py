"""Graceful stop on SIGINT / SIGTERM: the signal sets a flag, an SB3 callback ends ``learn()`` at the next step."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

__all__ = ["StopSignal", "StopOnSignalCallback", "exit_code_for"]

_NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}


def exit_code_for(signum: int) -> int:
    """Shell convention: 128 + signal number (SIGINT -> 130, SIGTERM -> 143)."""
    return 128 + int(signum)


class StopSignal:
    """Context manager catching SIGINT and SIGTERM (main thread only; elsewhere it does nothing).

    The first signal sets :attr:`signum`; the default handlers are restored then, so a second
    Ctrl-C interrupts at once. The previous handlers are restored on exit.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    @property
    def name(self) -> str | None:
        """``SIGINT`` / ``SIGTERM`` once caught, else None."""
        return _NAMES.get(self.signum) if self.signum is not None else None

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.signum = signum
        for s, h in self._previous.items():
            signal.signal(s, h)

    def __enter__(self) -> "StopSignal":
        if threading.current_thread() is threading.main_thread():
            for s in _NAMES:
                self._previous[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for s, h in self._previous.items():
            signal.signal(s, h)
        self._previous.clear()


class StopOnSignalCallback(BaseCallback):
    """Returns False from ``_on_step`` once ``stop.signum`` is set: SB3 ends ``learn()`` cleanly (every
    callback's ``on_training_end`` runs, so recordings are closed)."""

    def __init__(self, stop: StopSignal) -> None:
        super().__init__(0)
        self.stop = stop

    def _on_step(self) -> bool:
        return self.stop.signum is None
