"""CallbackSession: fire ``on_initialization_start/end`` once per batch, per callback and per worker process."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Any

from simhops.simulation.callback.abstract_callback import AbstractCallback

logger = logging.getLogger(__name__)


@dataclass
class _Session:
    callback: AbstractCallback
    setup: Any  # the setup of the latest scenario run with this callback (passed to on_initialization_end)


#: this process's open sessions: key -> session (a worker process keeps them between tasks)
_SESSIONS: dict[str, _Session] = {}


class CallbackSession:
    """Names one callback of one batch; small and picklable, it travels with each task.

    ``run_simulations`` gives every distinct callback object of a batch the key
    ``"<batch id>:<n>"``. In the process that runs a task (the main process for
    :class:`Sequential`, a worker process for the process and Ray pools):

    * the first task with a key registers its callback instance and calls its
      ``on_initialization_start(setup)`` (``setup`` of that first scenario);
    * later tasks with the same key in that process run with the *registered*
      instance (not their own unpickled copy), so state accumulates as in one run;
    * :func:`finish_sessions` (sent by the pool to every live worker after the last
      task) calls ``on_initialization_end(setup)`` once per registered instance, with
      the setup of the last scenario it ran.

    So a batch of N scenarios fires the initialization hooks once per callback
    instance per worker process, as nuPlan's runner does, never once per scenario.
    A worker killed mid-batch (timeout, crash) never calls its end hook; its
    replacement opens its own session.

    Args:
        key: ``"<batch id>:<n>"``.
    """

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        if ":" not in key:
            raise ValueError(f"session key must look like '<batch id>:<n>' (got {key!r})")
        self.key = key

    def __getstate__(self) -> str:
        return self.key

    def __setstate__(self, key: str) -> None:
        self.key = key

    @property
    def batch_id(self) -> str:
        return self.key.split(":", 1)[0]

    def attach(self, callback: AbstractCallback, setup: Any) -> AbstractCallback:
        """The callback instance to run this scenario with; opens the session (init start hook) the first time.

        The session is registered before ``on_initialization_start`` is called, so its
        end hook still fires at :func:`finish_sessions` if the start hook raises (which
        fails this scenario).
        """
        session = _SESSIONS.get(self.key)
        if session is not None:
            session.setup = setup
            return session.callback
        _SESSIONS[self.key] = _Session(callback, setup)
        callback.on_initialization_start(setup)
        return callback


def finish_sessions(batch_id: str) -> list[str]:
    """Close this process's sessions of ``batch_id``: ``on_initialization_end`` once per callback instance.

    Every callback's end hook runs even if another one raises.

    Returns:
        The tracebacks of end hooks that raised (also logged).
    """
    errors = []
    for key in [k for k in _SESSIONS if k.split(":", 1)[0] == batch_id]:
        session = _SESSIONS.pop(key)
        try:
            session.callback.on_initialization_end(session.setup)
        except Exception:  # noqa: BLE001 - every session must be closed
            tb = traceback.format_exc()
            logger.error("on_initialization_end of %s raised:\n%s", type(session.callback).__name__, tb)
            errors.append(tb)
    return errors


def open_session_keys() -> list[str]:
    """Keys of the sessions open in this process (for tests and diagnostics)."""
    return list(_SESSIONS)
