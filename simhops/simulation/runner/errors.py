"""Exceptions of the worker pools and runners: timeouts, dead workers, interrupted runs."""

from __future__ import annotations

import signal
from typing import Any


class TaskTimeout(BaseException):
    """A task ran past its time limit.

    A :class:`BaseException` (like ``KeyboardInterrupt``) so that a planner's
    ``except Exception`` cannot swallow it when :class:`Sequential` raises it inside
    the task (``SIGALRM``). The process and Ray pools return it as the task's result
    after killing the worker.

    Args:
        timeout_s: the limit that was exceeded (s).
    """

    def __init__(self, timeout_s: float) -> None:
        super().__init__(f"timed out after {timeout_s:g} s")
        self.timeout_s = timeout_s


class WorkerDied(RuntimeError):
    """The worker process running a task died (SIGKILL, segfault, ``os._exit``) before answering.

    Args:
        description: how it died, e.g. ``"killed by SIGKILL"`` or ``"exited with code 3"``.
    """

    def __init__(self, description: str) -> None:
        super().__init__(f"worker process died while running the task ({description})")
        self.description = description


def describe_exit(exitcode: int | None) -> str:
    """``"killed by SIGKILL"`` / ``"exited with code 3"`` for a ``multiprocessing`` exit code."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


class RunInterrupted(KeyboardInterrupt):
    """The whole run was stopped by SIGINT (Ctrl-C) or SIGTERM.

    A ``KeyboardInterrupt`` subclass, so ``except KeyboardInterrupt`` still catches it;
    the runners tell it apart from a planner that raises ``KeyboardInterrupt`` itself
    (which fails only that planner's scenario).

    Attributes:
        signum: the signal (``signal.SIGINT`` or ``signal.SIGTERM``).
        completed: ``{item index: result}`` of the items that had finished (filled by the pools).
        reports: the finished :class:`RunnerReport` s (filled by ``run_simulations``).
    """

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(f"run interrupted by {signal.Signals(signum).name}")
        self.signum = int(signum)
        self.completed: dict[int, Any] = {}
        self.reports: list[Any] = []

    @property
    def exit_code(self) -> int:
        """The shell's exit status for this signal: 128 + signum (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + self.signum
