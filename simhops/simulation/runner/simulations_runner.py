"""SimulationRunner: one closed-loop episode with the eight callback hooks."""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Iterator

from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInput
from simhops.simulation.history.plant_record import plant_columns
from simhops.simulation.runner.abstract_runner import AbstractRunner
from simhops.simulation.runner.callback_session import CallbackSession
from simhops.simulation.runner.runner_report import RunnerReport, log_name_of
from simhops.simulation.simulation import Simulation
from simhops.simulation.simulation_setup import validate_planner_setup

logger = logging.getLogger(__name__)


class _EndHook:
    """Context manager calling an end hook on exit, so start/end hooks stay paired (seed 000, gotcha 6).

    On a clean exit the end hook runs normally (its exception propagates). While
    another exception propagates, the end hook still runs; if it raises too, that
    secondary error is logged and the original one is kept.
    """

    __slots__ = ("_fn", "_name")

    def __init__(self, fn: Callable[[], None], name: str) -> None:
        self._fn = fn
        self._name = name

    def __enter__(self) -> "_EndHook":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is None:
            self._fn()
            return False
        try:
            self._fn()
        except Exception:  # noqa: BLE001 - keep the original failure
            logger.exception("%s raised while the run was already failing; keeping the original error", self._name)
        return False


def iter_callbacks(callback: AbstractCallback | None) -> Iterator[AbstractCallback]:
    """``callback`` and, recursively, the callbacks inside any :class:`MultiCallback`."""
    if callback is None:
        return
    yield callback
    if isinstance(callback, MultiCallback):
        for cb in callback.callbacks:
            yield from iter_callbacks(cb)


class SimulationRunner(AbstractRunner):
    """Runs one :class:`Simulation` with one planner, calling the callback hooks.

    Order of the hooks (the runner owns them; ``Simulation`` calls none)::

        validate_planner_setup(setup, planner)
        on_initialization_start(setup)
          on_simulation_start(setup)
            planner.initialize(simulation.initialize())
            while simulation.is_simulation_running():
              planner_input = simulation.get_planner_input()
              on_step_start(setup, planner_input)
                on_planner_start(setup, planner_input)
                command = planner.compute_trajectory(planner_input)
                on_planner_end(setup, planner_input, command)
                simulation.propagate(command)
              on_step_end(setup, planner_input, command)
          on_simulation_end(setup, planner, simulation.history)
        on_initialization_end(setup)

    ``on_initialization_start/end`` wrap the whole run: when :meth:`run` is called on
    its own they wrap this one episode; inside a batch (``run_simulations``) the
    runner gets a :class:`CallbackSession` and the hooks fire once per batch, per
    callback instance and worker process (see :class:`CallbackSession`). The planner is
    initialized per episode, inside the simulation hooks, as in the env.
    Every end hook runs in a ``finally`` once its start hook was called, even if that
    start hook itself raised (seed 000, gotcha 6): when the planner, the simulation or
    a callback raises, the open end hooks are still called - with
    ``planner_output=None`` if no command was computed - and the exception then
    propagates out of :meth:`run` (``run_simulation`` turns it into a failed report).
    An end hook that raises while a failure is already propagating is logged and the
    original error is kept.

    Args:
        simulation: the episode to run (``initialize`` is called by :meth:`run`).
        planner: the planner driving it.
        callback: observers (a single callback or a :class:`MultiCallback`); None: the
            simulation's own ``callback`` (nuPlan's ``Simulation(setup, callback)``), if any.
        keep_history: put the :class:`SimulationHistory` into the report (it then
            travels back from worker processes; leave False for large batches).

    Raises (from :meth:`run`):
        ValueError: the planner's command mode does not fit the setup.
        Exception: anything the planner, simulation or a non-isolated callback raises.
    """

    def __init__(self, simulation: Simulation, planner: AbstractPlanner, callback: AbstractCallback | None = None,
                 keep_history: bool = False) -> None:
        if not isinstance(simulation, Simulation):
            raise TypeError(f"simulation must be a Simulation, got {type(simulation).__name__}")
        if not isinstance(planner, AbstractPlanner):
            raise TypeError(f"planner must be an AbstractPlanner, got {type(planner).__name__}")
        if callback is not None and not isinstance(callback, AbstractCallback):
            raise TypeError(f"callback must be an AbstractCallback or None, got {type(callback).__name__}")
        self._simulation = simulation
        self._planner = planner
        if callback is None:
            callback = simulation.callback
        self._callback = callback if callback is not None else AbstractCallback()
        self.keep_history = keep_history

    @property
    def simulation(self) -> Simulation:
        return self._simulation

    @property
    def scenario(self):
        return self._simulation.scenario

    @property
    def planner(self) -> AbstractPlanner:
        return self._planner

    @property
    def callback(self) -> AbstractCallback:
        """The observers (an ``AbstractCallback()`` that does nothing when none were given)."""
        return self._callback

    def _step(self, cb: AbstractCallback, planner_input: PlannerInput) -> None:
        """One step: step/planner hooks around the planner call, then ``propagate``."""
        sim, setup = self._simulation, self._simulation.setup
        out: list[DroneCommand | None] = [None]
        with _EndHook(lambda: cb.on_step_end(setup, planner_input, out[0]), "on_step_end"):
            cb.on_step_start(setup, planner_input)
            with _EndHook(lambda: cb.on_planner_end(setup, planner_input, out[0]), "on_planner_end"):
                cb.on_planner_start(setup, planner_input)
                out[0] = self._planner.compute_trajectory(planner_input)
            sim.propagate(out[0])

    def run(self, session: CallbackSession | None = None) -> RunnerReport:
        """Run the episode to its end (see class docstring) and return a succeeded report.

        Args:
            session: inside a batch, the callback's session (initialization hooks once per
                batch); None: this run is the whole run (initialization hooks around it).

        Raises:
            BaseException: any failure, after the open end hooks were called.
        """
        start = time.time()
        sim, setup, planner = self._simulation, self._simulation.setup, self._planner
        validate_planner_setup(setup, planner)
        if session is None:
            cb = self._callback
            with _EndHook(lambda: cb.on_initialization_end(setup), "on_initialization_end"):
                cb.on_initialization_start(setup)
                self._run_episode(cb)
        else:
            cb = session.attach(self._callback, setup)
            self._run_episode(cb)
        name = self.scenario.name
        results = dict(cb.report_results(name))
        metrics = dict(results.pop("metrics", {}) or {})
        timing = dict(results.pop("timing", {}) or {})
        errors = tuple(tuple(e) for e in results.pop("callback_errors", ()) or ())
        return RunnerReport(
            succeeded=True, error_message=None, start_time=start, end_time=time.time(),
            planner_name=planner.name(), scenario_name=name, log_name=log_name_of(name), seed=self.scenario.seed,
            metrics=metrics, timing=timing, callback_errors=errors, extras=results,
            history=sim.history if self.keep_history else None,
            plant_params=None if sim.history.plant_params is None else plant_columns(sim.history.plant_params),
        )

    def _run_episode(self, cb: AbstractCallback) -> None:
        """``on_simulation_start`` .. steps .. ``on_simulation_end`` with ``cb``."""
        sim, setup, planner = self._simulation, self._simulation.setup, self._planner
        with _EndHook(lambda: cb.on_simulation_end(setup, planner, sim.history), "on_simulation_end"):
            cb.on_simulation_start(setup)
            planner.initialize(sim.initialize())
            while sim.is_simulation_running():
                self._step(cb, sim.get_planner_input())
