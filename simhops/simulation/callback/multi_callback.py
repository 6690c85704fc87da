"""MultiCallback: several callbacks as one, in order."""

from __future__ import annotations

import logging
from typing import Any, Sequence

from simhops.simulation.callback.abstract_callback import AbstractCallback

logger = logging.getLogger(__name__)

_HOOKS = ("on_initialization_start", "on_initialization_end", "on_simulation_start", "on_simulation_end",
          "on_step_start", "on_step_end", "on_planner_start", "on_planner_end")


class MultiCallback(AbstractCallback):
    """Calls each callback's hook in list order (put timing first, visualization last).

    Args:
        callbacks: the callbacks, in call order.
        isolate_exceptions: ``False`` (default, nuPlan's behaviour): a raising callback
            raises through. ``True``: the exception is logged with its traceback,
            recorded in :attr:`errors` as ``(callback name, hook, repr)``, and the
            other callbacks still run (seed 000, gotcha 5).
    """

    def __init__(self, callbacks: Sequence[AbstractCallback], isolate_exceptions: bool = False) -> None:
        for i, cb in enumerate(callbacks):
            if not isinstance(cb, AbstractCallback):
                raise TypeError(f"callbacks[{i}] must be an AbstractCallback, got {type(cb).__name__}")
        self._callbacks = list(callbacks)
        self.isolate_exceptions = isolate_exceptions
        self.errors: list[tuple[str, str, str]] = []
        self._errors_by_scenario: dict[str, list[tuple[str, str, str]]] = {}

    @property
    def callbacks(self) -> list[AbstractCallback]:
        return list(self._callbacks)

    def _call(self, hook: str, *args: Any) -> None:
        for cb in self._callbacks:
            if not self.isolate_exceptions:
                getattr(cb, hook)(*args)
                continue
            try:
                getattr(cb, hook)(*args)
            except Exception as exc:  # noqa: BLE001 - isolation policy
                logger.exception("callback %s failed in %s", type(cb).__name__, hook)
                error = (type(cb).__name__, hook, repr(exc))
                self.errors.append(error)
                scenario = getattr(getattr(args[0], "scenario", None), "name", None) if args else None
                if scenario is not None:
                    self._errors_by_scenario.setdefault(str(scenario), []).append(error)

    def report_results(self, scenario_name: str) -> dict[str, Any]:
        """The children's results merged in list order (dict sections updated, tuples concatenated),
        plus ``"callback_errors"``: the errors isolated in hooks of ``scenario_name`` since the last call
        (they are handed over once)."""
        out: dict[str, Any] = {}
        for cb in self._callbacks:
            for key, value in cb.report_results(scenario_name).items():
                if key in out and isinstance(out[key], dict) and isinstance(value, dict):
                    out[key] = {**out[key], **value}
                elif key in out and isinstance(out[key], tuple) and isinstance(value, tuple):
                    out[key] = out[key] + value
                else:
                    out[key] = value
        own = tuple(self._errors_by_scenario.pop(scenario_name, ()))
        if own:
            out["callback_errors"] = tuple(out.get("callback_errors", ())) + own
        return out

    def on_initialization_start(self, setup) -> None:
        self._call("on_initialization_start", setup)

    def on_initialization_end(self, setup) -> None:
        self._call("on_initialization_end", setup)

    def on_simulation_start(self, setup) -> None:
        self._call("on_simulation_start", setup)

    def on_simulation_end(self, setup, planner, history) -> None:
        self._call("on_simulation_end", setup, planner, history)

    def on_step_start(self, setup, planner_input) -> None:
        self._call("on_step_start", setup, planner_input)

    def on_step_end(self, setup, planner_input, planner_output) -> None:
        self._call("on_step_end", setup, planner_input, planner_output)

    def on_planner_start(self, setup, planner_input) -> None:
        self._call("on_planner_start", setup, planner_input)

    def on_planner_end(self, setup, planner_input, planner_output) -> None:
        self._call("on_planner_end", setup, planner_input, planner_output)
