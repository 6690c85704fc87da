"""TimingCallback: wall-clock time per step, per planner call and per episode."""

from __future__ import annotations

import time
from typing import Any

from simhops.simulation.callback.abstract_callback import AbstractCallback


class _Acc:
    """Count, sum and max of durations (s)."""

    __slots__ = ("n", "total", "max")

    def __init__(self) -> None:
        self.n = 0
        self.total = 0.0
        self.max = 0.0

    def add(self, dt: float) -> None:
        self.n += 1
        self.total += dt
        if dt > self.max:
            self.max = dt

    def mean(self) -> float:
        return self.total / self.n if self.n else float("nan")

    def __getstate__(self) -> tuple:
        return self.n, self.total, self.max

    def __setstate__(self, s: tuple) -> None:
        self.n, self.total, self.max = s


class TimingCallback(AbstractCallback):
    """Measures hook-to-hook wall time with ``time.perf_counter`` and checks the hooks come in pairs.

    * step: ``on_step_start`` -> ``on_step_end`` (planner + propagate + inner hooks);
    * planner: ``on_planner_start`` -> ``on_planner_end``;
    * episode: ``on_simulation_start`` -> ``on_simulation_end``;
    * initialization: ``on_initialization_start`` -> ``on_initialization_end`` (summed in
      :attr:`initialization_time_s`).

    :meth:`summary` gives, per scenario name (the last run of that name)::

        {"n_steps": int, "step_mean_ms": float, "step_max_ms": float,
         "planner_mean_ms": float, "planner_max_ms": float, "episode_s": float}

    Only these aggregates are stored (seed 000, gotcha 13). Put it first in a
    :class:`MultiCallback` so that it also measures the other callbacks' step hooks.

    Raises:
        RuntimeError: an end hook without its start hook (e.g. ``"on_planner_end called
            without on_planner_start"``), a start hook twice without its end hook, or an
            episode ending while a step or planner call is still open (seed 000, gotcha 6).
            nuPlan raises ``AssertionError`` with the same messages; simhops raises
            ``RuntimeError`` because ``assert`` statements vanish under ``python -O``
            (the check must always run) and an unpaired hook is a runtime misuse, not an
            internal invariant. Catch ``RuntimeError`` where nuPlan code caught
            ``AssertionError``.
    """

    def __init__(self) -> None:
        self._t_init: float | None = None
        self._t_sim: float | None = None
        self._t_step: float | None = None
        self._t_planner: float | None = None
        self._step = _Acc()
        self._planner = _Acc()
        self._summary: dict[str, dict[str, float]] = {}
        self.initialization_time_s = 0.0

    # ------------------------------------------------------------------ pairing
    def _start(self, attr: str, hook: str, end_hook: str) -> None:
        if getattr(self, attr) is not None:
            raise RuntimeError(f"{hook} called twice without {end_hook}")
        setattr(self, attr, time.perf_counter())

    def _end(self, attr: str, hook: str, start_hook: str) -> float:
        t0 = getattr(self, attr)
        if t0 is None:
            raise RuntimeError(f"{hook} called without {start_hook}")
        setattr(self, attr, None)
        return time.perf_counter() - t0

    # ------------------------------------------------------------------ hooks
    def on_initialization_start(self, setup: Any) -> None:
        self._start("_t_init", "on_initialization_start", "on_initialization_end")

    def on_initialization_end(self, setup: Any) -> None:
        self.initialization_time_s += self._end("_t_init", "on_initialization_end", "on_initialization_start")

    def on_simulation_start(self, setup: Any) -> None:
        self._start("_t_sim", "on_simulation_start", "on_simulation_end")
        self._step = _Acc()
        self._planner = _Acc()

    def on_simulation_end(self, setup: Any, planner: Any, history: Any) -> None:
        if self._t_step is not None:
            raise RuntimeError("on_simulation_end called while on_step_start has no on_step_end")
        if self._t_planner is not None:
            raise RuntimeError("on_simulation_end called while on_planner_start has no on_planner_end")
        episode = self._end("_t_sim", "on_simulation_end", "on_simulation_start")
        self._summary[setup.scenario.name] = {
            "n_steps": self._step.n,
            "step_mean_ms": 1e3 * self._step.mean(),
            "step_max_ms": 1e3 * self._step.max,
            "planner_mean_ms": 1e3 * self._planner.mean(),
            "planner_max_ms": 1e3 * self._planner.max,
            "episode_s": episode,
        }

    def on_step_start(self, setup: Any, planner_input: Any) -> None:
        self._start("_t_step", "on_step_start", "on_step_end")

    def on_step_end(self, setup: Any, planner_input: Any, planner_output: Any) -> None:
        self._step.add(self._end("_t_step", "on_step_end", "on_step_start"))

    def on_planner_start(self, setup: Any, planner_input: Any) -> None:
        self._start("_t_planner", "on_planner_start", "on_planner_end")

    def on_planner_end(self, setup: Any, planner_input: Any, planner_output: Any) -> None:
        self._planner.add(self._end("_t_planner", "on_planner_end", "on_planner_start"))

    # ------------------------------------------------------------------ results
    def report_results(self, scenario_name: str) -> dict[str, Any]:
        """``{"timing": summary of scenario_name}`` (see :meth:`summary`), empty if it has none."""
        return {"timing": dict(self._summary[scenario_name])} if scenario_name in self._summary else {}

    def summary(self) -> dict[str, dict[str, float]]:
        """``{scenario name: {n_steps, step_mean_ms, step_max_ms, planner_mean_ms, planner_max_ms, episode_s}}``
        (a copy; times in ms except ``episode_s`` in s, NaN means for an episode without steps)."""
        return {k: dict(v) for k, v in self._summary.items()}
