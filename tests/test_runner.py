"""SimulationRunner hook order, failure isolation, executor and TimingCallback pairing."""

from __future__ import annotations

import pytest

from simhops.config import load_config
from simhops.scenario.benchmark import build_benchmark
from simhops.scenario.scenario_builder import ScenarioBuilder
from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.metric_callback import MetricCallback
from simhops.simulation.callback.multi_callback import MultiCallback
from simhops.simulation.callback.timing_callback import TimingCallback
from simhops.simulation.planner.waypoint_planner import WaypointPlanner
from simhops.simulation.runner.executor import run_simulation, run_simulations
from simhops.simulation.runner.runner_report import RunnerReport
from simhops.simulation.runner.simulation_task import SimulationTask, build_simulation
from simhops.simulation.runner.simulations_runner import SimulationRunner
from simhops.simulation.runner.sequential import Sequential

HOOKS = ("on_initialization_start", "on_initialization_end", "on_simulation_start", "on_simulation_end",
         "on_step_start", "on_step_end", "on_planner_start", "on_planner_end")


def short_scenarios(n: int = 4, duration_s: float = 0.5):
    cfg = load_config(overrides=[f"scenario.duration_s={duration_s}"])
    return build_benchmark(cfg=cfg)[:n]


class RecordingCallback(AbstractCallback):
    """Records hook names (and whether the planner output was None)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattribute__(self, name):
        if name in HOOKS:
            calls = object.__getattribute__(self, "calls")
            return lambda *args: calls.append(name)
        return object.__getattribute__(self, name)


class RaisingPlanner(WaypointPlanner):
    """A WaypointPlanner that raises at step ``at_step`` of scenario ``bad``."""

    def __init__(self, bad: str, at_step: int = 3) -> None:
        super().__init__()
        self.bad = bad
        self.at_step = at_step
        self._scenario = ""

    def initialize(self, initialization) -> None:
        super().initialize(initialization)
        self._scenario = initialization.scenario_name

    def compute_planner_trajectory(self, current_input):
        if self._scenario == self.bad and current_input.iteration.index == self.at_step:
            raise ZeroDivisionError(f"planner exploded in {self._scenario}")
        return super().compute_planner_trajectory(current_input)


class RaisingCallback(AbstractCallback):
    """Raises in on_step_end of scenario ``bad``."""

    def __init__(self, bad: str) -> None:
        self.bad = bad

    def on_step_end(self, setup, planner_input, planner_output) -> None:
        if setup.scenario.name == self.bad:
            raise KeyError(f"callback exploded in {self.bad}")


def test_hook_order_exact():
    sc = short_scenarios(1, duration_s=0.1)[0]
    rec = RecordingCallback()
    sim = build_simulation(sc)
    report = SimulationRunner(sim, WaypointPlanner(), rec).run()
    n = len(sim.history)
    assert n == 5
    expected = (["on_initialization_start", "on_simulation_start"]
                + ["on_step_start", "on_planner_start", "on_planner_end", "on_step_end"] * n
                + ["on_simulation_end", "on_initialization_end"])
    assert rec.calls == expected
    assert report.succeeded and report.error_message is None
    assert report.scenario_name == sc.name and report.planner_name == "WaypointPlanner"
    assert report.log_name == "benchmark-v0"
    assert report.end_time >= report.start_time


def test_hooks_stay_paired_when_planner_raises():
    sc = short_scenarios(1)[0]
    rec = RecordingCallback()
    with pytest.raises(ZeroDivisionError):
        SimulationRunner(build_simulation(sc), RaisingPlanner(sc.name, at_step=2), rec).run()
    expected = (["on_initialization_start", "on_simulation_start"]
                + ["on_step_start", "on_planner_start", "on_planner_end", "on_step_end"] * 3
                + ["on_simulation_end", "on_initialization_end"])
    assert rec.calls == expected


def test_raising_planner_fails_only_its_scenario():
    scenarios = short_scenarios(4)
    bad = scenarios[2].name
    timing = TimingCallback()  # shared: it would raise on unpaired hooks in the next scenario
    cb = MultiCallback([timing, MetricCallback()])
    tasks = [SimulationTask(s, RaisingPlanner(bad), cb) for s in scenarios]
    reports = run_simulations(tasks, Sequential())
    assert [r.scenario_name for r in reports] == [s.name for s in scenarios]
    for r in reports:
        assert isinstance(r, RunnerReport)
        if r.scenario_name == bad:
            assert not r.succeeded
            assert "Traceback" in r.error_message and "ZeroDivisionError: planner exploded in" in r.error_message
            assert r.metrics == {}
        else:
            assert r.succeeded, r.error_message
            assert r.metrics["n_steps"] == 25 and r.timing["n_steps"] == 25
    assert set(timing.summary()) == {s.name for s in scenarios}


def test_run_simulation_exit_on_failure_raises():
    sc = short_scenarios(1)[0]
    task = SimulationTask(sc, RaisingPlanner(sc.name))
    with pytest.raises(ZeroDivisionError):
        run_simulation(task, exit_on_failure=True)
    report = run_simulation(task)
    assert not report.succeeded and report.status == "failed" and report.duration_s >= 0


def test_failure_while_building_is_reported():
    sc = short_scenarios(1)[0]
    physics = ScenarioBuilder(load_config(overrides=["scenario.control_hz=100"])).physics  # wrong time step
    report = run_simulation(SimulationTask(sc, WaypointPlanner(), physics=physics))
    assert not report.succeeded and "differs from physics control_dt_s" in report.error_message
    assert report.scenario_name == sc.name


class RaisingStartCallback(AbstractCallback):
    """Raises in a start hook of scenario ``bad``."""

    def __init__(self, bad: str, hook: str) -> None:
        self.bad = bad
        self.hook = hook

    def _maybe_raise(self, setup, hook):
        if setup.scenario.name == self.bad and hook == self.hook:
            raise KeyError(f"{hook} exploded")

    def on_simulation_start(self, setup) -> None:
        self._maybe_raise(setup, "on_simulation_start")

    def on_step_start(self, setup, planner_input) -> None:
        self._maybe_raise(setup, "on_step_start")

    def on_planner_start(self, setup, planner_input) -> None:
        self._maybe_raise(setup, "on_planner_start")


@pytest.mark.parametrize("hook", ["on_simulation_start", "on_step_start", "on_planner_start"])
def test_raising_start_hook_still_closes_the_pair(hook):
    scenarios = short_scenarios(3)
    bad = scenarios[0].name
    timing = TimingCallback()  # first: its start hook ran before the raising one
    cb = MultiCallback([timing, RaisingStartCallback(bad, hook)])
    reports = run_simulations([SimulationTask(s, WaypointPlanner(), cb) for s in scenarios])
    assert [r.succeeded for r in reports] == [False, True, True]
    assert f"KeyError: '{hook} exploded'" in reports[0].error_message
    assert set(timing.summary()) == {s.name for s in scenarios}


@pytest.mark.parametrize("isolate", [True, False])
def test_raising_callback_isolation(isolate):
    scenarios = short_scenarios(3)
    bad = scenarios[1].name
    cb = MultiCallback([TimingCallback(), RaisingCallback(bad), MetricCallback()], isolate_exceptions=isolate)
    reports = run_simulations([SimulationTask(s, WaypointPlanner(), cb) for s in scenarios])
    by_name = {r.scenario_name: r for r in reports}
    assert len(reports) == 3
    for name, r in by_name.items():
        if name != bad:
            assert r.succeeded and r.callback_errors == () and r.metrics
    r = by_name[bad]
    if isolate:
        assert r.succeeded  # logged and recorded, the run goes on
        assert len(r.callback_errors) == 25
        assert r.callback_errors[0][:2] == ("RaisingCallback", "on_step_end")
        assert r.metrics["n_steps"] == 25
    else:
        assert not r.succeeded and "KeyError" in r.error_message


def test_runner_validates_arguments():
    sc = short_scenarios(1)[0]
    with pytest.raises(TypeError, match="Simulation"):
        SimulationRunner("nope", WaypointPlanner())
    with pytest.raises(TypeError, match="AbstractPlanner"):
        SimulationRunner(build_simulation(sc), object())
    planner = WaypointPlanner()
    planner.command_mode = "warp"
    report = run_simulation(SimulationRunner(build_simulation(sc), planner))
    assert not report.succeeded and "command_mode" in report.error_message


def test_keep_history():
    sc = short_scenarios(1)[0]
    r = SimulationTask(sc, WaypointPlanner(), keep_history=True).run()
    assert r.history is not None and len(r.history) == 25
    assert SimulationTask(sc, WaypointPlanner()).run().history is None


class TestTimingCallback:
    def test_unpaired_hooks_name_the_hook(self):
        t = TimingCallback()
        with pytest.raises(RuntimeError, match="on_planner_end called without on_planner_start"):
            t.on_planner_end(None, None, None)
        with pytest.raises(RuntimeError, match="on_step_end called without on_step_start"):
            t.on_step_end(None, None, None)
        t.on_step_start(None, None)
        with pytest.raises(RuntimeError, match="on_step_start called twice without on_step_end"):
            t.on_step_start(None, None)
        with pytest.raises(RuntimeError, match="on_simulation_end called while on_step_start has no on_step_end"):
            t.on_simulation_end(None, None, None)
        with pytest.raises(RuntimeError, match="on_simulation_end called without on_simulation_start"):
            TimingCallback().on_simulation_end(None, None, None)
        with pytest.raises(RuntimeError, match="on_initialization_end called without on_initialization_start"):
            TimingCallback().on_initialization_end(None)

    def test_summary(self):
        sc = short_scenarios(1)[0]
        t = TimingCallback()
        SimulationTask(sc, WaypointPlanner(), t).run()
        s = t.summary()[sc.name]
        assert s["n_steps"] == 25
        assert 0 < s["planner_mean_ms"] <= s["planner_max_ms"]
        assert 0 < s["step_mean_ms"] <= s["step_max_ms"]
        assert s["planner_mean_ms"] <= s["step_mean_ms"]
        assert s["episode_s"] * 1e3 >= s["step_mean_ms"] * 25
        assert t.initialization_time_s >= s["episode_s"]
