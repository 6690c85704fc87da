"""Worker processes of :class:`WorkerPool`: one task at a time over a pipe, dying with their parent."""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from simhops.simulation.runner.errors import WorkerDied, describe_exit
from simhops.simulation.runner.scheduler import Event, WorkerBackend

#: seconds between two checks that the parent process is still alive
PARENT_POLL_S = 0.5
_PR_SET_PDEATHSIG = 1


def _exit_with_parent(parent_pid: int) -> None:
    """Make this process die when ``parent_pid`` dies (nothing left running, nothing still writing).

    On Linux the kernel sends SIGKILL on the parent's death (``prctl(PR_SET_PDEATHSIG)``);
    everywhere a daemon thread also checks ``os.getppid()`` every :data:`PARENT_POLL_S`
    seconds and calls ``os._exit`` when the process was re-parented.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except Exception:  # noqa: BLE001 - best effort; the thread below still watches
            pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def _watch() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=_watch, name="simhops-parent-watch", daemon=True).start()


def _portable(exc: BaseException) -> BaseException:
    """``exc`` with its formatted traceback in ``remote_traceback`` (tracebacks do not pickle)."""
    try:
        exc.remote_traceback = "".join(traceback.format_exception(exc))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - some exception types refuse attributes
        pass
    return exc


def worker_main(conn: multiprocessing.connection.Connection, parent_pid: int) -> None:
    """The body of a worker process: ``(fn, item)`` in, ``("ok", result)`` or ``("error", exc)`` out.

    SIGINT is ignored (Ctrl-C reaches the whole process group; the main process decides
    and stops the workers). Any ``BaseException`` of a task, ``SystemExit`` and
    ``KeyboardInterrupt`` included, is sent back as that task's error and the worker
    goes on. ``None`` or a closed pipe ends the worker.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent_pid)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - the task did not unpickle here
            _send_error(conn, exc)
            continue
        if msg is None:
            return
        fn, item = msg
        conn.send(("started", None))
        try:
            answer: tuple[str, Any] = ("ok", fn(item))
        except BaseException as exc:  # noqa: BLE001 - a task never takes its worker down
            answer = ("error", _portable(exc))
        if answer[0] == "error":
            _send_error(conn, answer[1])
            continue
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - e.g. a result that does not pickle
            _send_error(conn, RuntimeError(f"the task's result could not be sent back: {exc!r}"))


def _send_error(conn: multiprocessing.connection.Connection, exc: BaseException) -> None:
    """Send ``("error", exc)``; an exception that does not pickle is sent as a RuntimeError with its text."""
    try:
        conn.send(("error", _portable(exc)))
    except Exception as why:  # noqa: BLE001
        text = "".join(traceback.format_exception(exc))
        conn.send(("error", RuntimeError(f"{text}(the exception itself could not be sent back: {why!r})")))


@dataclass(eq=False)
class ProcessWorker:
    """One worker process and the main process's end of its pipe."""

    process: Any
    conn: multiprocessing.connection.Connection


class ProcessBackend(WorkerBackend):
    """Worker processes started with ``start_method`` (``"spawn"`` by default); they report task starts."""

    reports_start = True

    def __init__(self, start_method: str = "spawn") -> None:
        self._ctx = multiprocessing.get_context(start_method)

    def start_worker(self) -> ProcessWorker:
        parent_end, child_end = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=worker_main, args=(child_end, os.getpid()), name="simhops-worker")
        process.start()
        child_end.close()
        return ProcessWorker(process, parent_end)

    def send(self, worker: ProcessWorker, fn: Callable[[Any], Any], item: Any) -> None:
        worker.conn.send((fn, item))  # pickles first: an unpicklable item raises before anything is written

    def wait(self, workers: Sequence[ProcessWorker], timeout_s: float) -> list[Event]:
        handles: dict[Any, ProcessWorker] = {}
        for w in workers:
            handles[w.conn] = w
            handles[w.process.sentinel] = w
        events: list[Event] = []
        seen: set[int] = set()
        for ready in multiprocessing.connection.wait(list(handles), timeout_s):
            w = handles[ready]
            if id(w) in seen:
                continue
            seen.add(id(w))
            events.extend(self._answers(w))
        return events

    @staticmethod
    def _answers(w: ProcessWorker) -> list[Event]:
        """Every message waiting from ``w`` ("started", then "ok"/"error"), or "died" if it is gone."""
        out: list[Event] = []
        while True:
            try:
                has_answer = w.conn.poll()
            except (EOFError, OSError):
                has_answer = False
            if not has_answer:
                break
            try:
                kind, value = w.conn.recv()
            except (EOFError, OSError):
                break
            except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle here
                kind, value = "error", exc
            out.append((w, kind, value))
            if kind != "started":
                return out
        if w.process.sentinel not in multiprocessing.connection.wait([w.process.sentinel], 0):
            return out  # alive; only "started" so far
        w.process.join(timeout=5)
        out.append((w, "died", WorkerDied(describe_exit(w.process.exitcode))))
        return out

    def kill(self, worker: ProcessWorker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def stop(self, worker: ProcessWorker) -> None:
        try:
            worker.conn.send(None)
        except OSError:
            pass
        worker.process.join(timeout=5)
        self.kill(worker)
