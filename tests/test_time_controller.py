"""SimulationIteration and StepSimulationTimeController: the episode clock (seed 001 edge cases)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simhops.scenario import Scenario
from simhops.simulation.simulation_time_controller import (
    AbstractSimulationTimeController,
    SimulationIteration,
    StepSimulationTimeController,
)
from simhops.dynamics.state import DroneState

_WAYPOINTS = np.array([[1.0, 0.0, 1.0]])


def _scenario(time_step_s: float, duration_s: float) -> Scenario:
    return Scenario(name="clock", waypoints=_WAYPOINTS, initial_state=DroneState.build((0.0, 0.0, 1.0)),
                    time_step_s=time_step_s, duration_s=duration_s)


# ----------------------------------------------------------------------------- SimulationIteration


def test_iteration_is_frozen():
    it = SimulationIteration(index=3, time_us=60_000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        it.index = 10  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        it.time_us = 0  # type: ignore[misc]
    assert (it.index, it.time_us) == (3, 60_000)


def test_iteration_time_s_derived_from_time_us():
    it = SimulationIteration(index=25, time_us=500_000)
    assert it.time_s == pytest.approx(0.5, abs=1e-15)
    assert isinstance(it.time_us, int)


def test_iteration_time_s_is_the_correctly_rounded_seconds():
    """``time_s`` must be the float nearest to ``time_us`` microseconds (``time_us / 1e6``, seed 001).

    ``time_us * 1e-6`` is off by one ulp for about 30 % of the times of a 50 Hz clock:
    0.1 s comes out as 0.09999999999999999, so ``iteration.time_s == 0.1`` is False and a
    planner or callback that triggers on ``time_s >= 0.1`` fires one step late.
    """
    assert SimulationIteration(5, 100_000).time_s == 0.1
    assert SimulationIteration(7, 140_000).time_s == 0.14
    bad = [k for k in range(2001) if SimulationIteration(k, k * 20_000).time_s != (k * 20_000) / 1e6]
    assert not bad, f"{len(bad)} of 2001 time_s values differ from time_us / 1e6, first indices {bad[:5]}"


@pytest.mark.parametrize("index, time_us", [(-1, 0), (0, -1)])
def test_iteration_rejects_negative(index, time_us):
    with pytest.raises(ValueError, match="index|time_us"):
        SimulationIteration(index, time_us)


# ----------------------------------------------------------------------------- controller


def test_controller_is_an_abstract_time_controller():
    tc = StepSimulationTimeController(_scenario(0.02, 1.0))
    assert isinstance(tc, AbstractSimulationTimeController)
    with pytest.raises(TypeError):
        AbstractSimulationTimeController()  # type: ignore[abstract]


def test_no_drift_over_a_million_steps():
    """1e6 steps of 0.02 s: every time comes from the integer index, exactly."""
    n_steps = 1_000_000
    scenario = _scenario(0.02, n_steps * 0.02)
    step_us = scenario.time_step_us
    assert step_us == 20_000
    tc = StepSimulationTimeController(scenario)
    assert tc.number_of_iterations() == n_steps + 1
    count = 0
    it = tc.get_iteration()
    while True:
        assert it.time_us == it.index * step_us
        nxt = tc.next_iteration()
        if nxt is None:
            break
        assert nxt.index == it.index + 1
        it = nxt
        count += 1
    assert count == n_steps
    assert it.index == n_steps
    assert it.time_us == n_steps * step_us == 20_000_000_000
    assert it.time_s == pytest.approx(20_000.0, rel=1e-15)
    # the float accumulation that the integer clock avoids would have drifted:
    acc = 0.0
    for _ in range(n_steps):
        acc += 0.02
    assert abs(acc - 20_000.0) > 1e-9
    assert abs(it.time_s - 20_000.0) <= 1e-15 * 20_000.0


def test_get_iteration_by_index_and_current():
    tc = StepSimulationTimeController(_scenario(0.02, 1.0))
    assert tc.get_iteration() == SimulationIteration(0, 0)
    assert tc.get_iteration(0) == SimulationIteration(0, 0)
    assert tc.get_iteration(50) == SimulationIteration(50, 1_000_000)
    tc.next_iteration()
    tc.next_iteration()
    assert tc.get_iteration() == SimulationIteration(2, 40_000)
    # random access does not move the clock
    tc.get_iteration(30)
    assert tc.get_iteration().index == 2


@pytest.mark.parametrize("bad", [-1, 51, 52, 10_000])
def test_get_iteration_out_of_range_raises_clear_index_error(bad):
    tc = StepSimulationTimeController(_scenario(0.02, 1.0))  # 51 iterations: 0..50
    with pytest.raises(IndexError) as info:
        tc.get_iteration(bad)
    msg = str(info.value)
    assert str(bad) in msg and "out of range" in msg and "50" in msg


def test_next_iteration_of_last_index_is_out_of_range():
    """Seed 001 gotcha 4: get_iteration(index + 1) at the last step must not invent a time point."""
    tc = StepSimulationTimeController(_scenario(0.1, 0.3))
    last = tc.number_of_iterations() - 1
    tc.get_iteration(last)
    with pytest.raises(IndexError):
        tc.get_iteration(last + 1)


def test_next_iteration_none_at_end_and_does_not_advance():
    tc = StepSimulationTimeController(_scenario(0.02, 0.1))  # 6 iterations
    seen = [tc.get_iteration().index]
    while (it := tc.next_iteration()) is not None:
        seen.append(it.index)
    assert seen == [0, 1, 2, 3, 4, 5]
    assert tc.reached_end()
    for _ in range(3):
        assert tc.next_iteration() is None
        assert tc.get_iteration() == SimulationIteration(5, 100_000)
        assert tc.reached_end()


def test_reached_end_exactly_at_last_iteration():
    tc = StepSimulationTimeController(_scenario(0.02, 0.1))
    n = tc.number_of_iterations()
    flags = [tc.reached_end()]
    for _ in range(n - 1):
        tc.next_iteration()
        flags.append(tc.reached_end())
    assert flags == [False] * (n - 1) + [True]


@pytest.mark.parametrize("dt, duration", [(0.02, 20.0), (0.02, 2.0), (0.1, 0.3), (0.05, 1.0), (0.1, 0.1),
                                          (0.02, 0.07), (1 / 30, 1.0)])
def test_number_of_iterations_matches_scenario(dt, duration):
    scenario = _scenario(dt, duration)
    tc = StepSimulationTimeController(scenario)
    expected = round(duration / dt) + 1
    assert tc.number_of_iterations() == scenario.get_number_of_iterations() == expected
    assert tc.get_number_of_iterations() == expected
    # the iterations really exist, and no more
    tc.get_iteration(expected - 1)
    with pytest.raises(IndexError):
        tc.get_iteration(expected)


def test_rounding_case_duration_0_3_dt_0_1_gives_4_iterations():
    """0.3 / 0.1 == 2.9999999999999996 in floats: int() would give 3 iterations, round() gives 4."""
    assert 0.3 / 0.1 < 3
    scenario = _scenario(0.1, 0.3)
    assert scenario.time_step_us == 100_000
    tc = StepSimulationTimeController(scenario)
    assert scenario.get_number_of_iterations() == tc.number_of_iterations() == 4
    times = [tc.get_iteration(i).time_us for i in range(4)]
    assert times == [0, 100_000, 200_000, 300_000]
    steps = 0
    while tc.next_iteration() is not None:
        steps += 1
    assert steps == 3 and tc.get_iteration().time_us == 300_000


@settings(max_examples=60, deadline=None)
@given(step_us=st.integers(min_value=1_000, max_value=1_000_000), n_steps=st.integers(min_value=1, max_value=5_000))
def test_iteration_count_is_round_of_duration_over_step(step_us, n_steps):
    """For any dt (whole microseconds) and a whole number of steps, the clock has n_steps + 1 time points."""
    dt = step_us / 1e6
    scenario = _scenario(dt, n_steps * dt)
    assert scenario.time_step_us == step_us
    tc = StepSimulationTimeController(scenario)
    assert tc.number_of_iterations() == scenario.get_number_of_iterations() == n_steps + 1
    assert tc.get_iteration(n_steps).time_us == n_steps * step_us


def test_reset_goes_back_to_zero():
    tc = StepSimulationTimeController(_scenario(0.02, 0.1))
    while tc.next_iteration() is not None:
        pass
    assert tc.reached_end()
    tc.reset()
    assert tc.get_iteration() == SimulationIteration(0, 0)
    assert tc.index == 0
    assert not tc.reached_end()
    assert tc.next_iteration() == SimulationIteration(1, 20_000)


def test_single_step_scenario_has_two_iterations():
    tc = StepSimulationTimeController(_scenario(0.02, 0.02))
    assert tc.number_of_iterations() == 2
    assert not tc.reached_end()
    assert tc.next_iteration() == SimulationIteration(1, 20_000)
    assert tc.reached_end() and tc.next_iteration() is None
