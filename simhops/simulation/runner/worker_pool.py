"""WorkerPool: map a function over items, in order, sequentially or in parallel."""

from __future__ import annotations

import abc
from typing import Any, Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: on_result(index, result_or_exception), called in the calling process as each item finishes
ResultCallback = Callable[[int, Any], None]

class WorkerPool(abc.ABC):
    """Runs ``fn(item)`` for every item and returns the results in input order.

    ``map(fn, items, on_result=None, return_exceptions=False)``:

    * ``fn`` and the items must pickle for the parallel pools (module-level
      functions, ``functools.partial`` of them, picklable objects);
    * ``on_result(index, result)`` is called in the calling process as each item
      finishes (completion order), e.g. for a progress bar;
    * ``return_exceptions=True``: an item whose task raised gets the exception
      object as its result and every other item still runs; ``False``: the first
      exception (in completion order) is raised after cancelling what has not started.
    """

    @property
    @abc.abstractmethod
    def number_of_workers(self) -> int:
        """How many items may run at once."""

    @abc.abstractmethod
    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_result: ResultCallback | None = None,
            return_exceptions: bool = False) -> list[R]:
        """``[fn(item) for item in items]`` (see class docstring)."""

    def close(self) -> None:
        """Release resources this pool started (no-op by default)."""

    @staticmethod
    def _collect(i: int, get: Callable[[], Any], results: list[Any], return_exceptions: bool,
                 on_result: ResultCallback | None) -> None:
        """``results[i] = get()`` (or the exception it raised, if ``return_exceptions``), then ``on_result``."""
        try:
            results[i] = get()
        except Exception as exc:
            if not return_exceptions:
                raise
            results[i] = exc
        if on_result is not None:
            on_result(i, results[i])

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
