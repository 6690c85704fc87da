"""The classical baseline (``CascadedPIDPlanner``) rejects model error and disturbances.

The plant runs *perturbed* physics while the planner is initialized with the *nominal*
model. The kernels on this branch have no disturbance hooks yet (the physics issue adds
them), so this file carries a test-local harness:

* mass / max thrust / motor lag: a :class:`PhysicsParams` with a scaled airframe or
  ``motor_tau_s`` drives the plant; :class:`PerturbedDroneController` reports the nominal
  physics to :class:`PlannerInitialization`. ``thrust_scale`` scales the maximum thrust *and*
  the thrust of every collective command (weaker motors give less thrust for the same
  command, so a hover needs more than the nominal ``m g``);
* wind and gusts: an external force ``F = k_d (w(t) - v)`` (linear drag against the air
  velocity, ``k_d`` = :data:`DRAG_N_PER_M_S`) added after each physics step. The rotational
  dynamics do not depend on position/velocity, so adding ``F/m dt`` to v and
  ``F/(2m) dt^2`` to p is the exact superposition for a force held over the step;
* action latency: :class:`DelayedPlanner`, a FIFO of commands (hover thrust first);
* sensor noise: :class:`NoisyStatePlanner`, Gaussian noise on the state the planner sees.

Run as a script (``python tests/test_classical_robustness.py [N]``) to print success and
mean time-to-complete on the first N courses of benchmark-v0 per perturbation.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import zlib
from dataclasses import dataclass, field

import numpy as np
import pytest

from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.dynamics.state.drone_state import DroneState
from simhops.scenario.benchmark import build_benchmark
from simhops.scenario.scenario import Scenario
from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.controller.drone_controller import DroneController
from simhops.simulation.history.simulation_history_buffer import SimulationHistoryBuffer
from simhops.simulation.observation.course_observation import CourseObservation
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput
from simhops.simulation.planner.cascaded_pid_planner import CascadedPIDGains, CascadedPIDPlanner
from simhops.simulation.planner.waypoint_planner import WaypointPlanner
from simhops.simulation.simulation import Simulation
from simhops.simulation.simulation_setup import SimulationSetup
from simhops.simulation.simulation_time_controller.step_simulation_time_controller import (
    StepSimulationTimeController,
)

#: linear drag against the air velocity (N per m/s): 3 m/s of wind pushes with 0.12 g on the
#: 27 g cf2x, the "0.12 g constant wind" of issue 9; inside the 0.006-0.015 N s/m range the
#: physics issue quotes for the identified Crazyflie drag
DRAG_N_PER_M_S = 0.0106


@dataclass(frozen=True)
class Perturbation:
    """What differs between the plant and the planner's nominal model (test-local)."""

    name: str
    mass_scale: float = 1.0
    thrust_scale: float = 1.0
    motor_tau_scale: float = 1.0
    latency_steps: int = 0
    wind_m_s: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gust_std_m_s: float = 0.0
    gust_tau_s: float = 1.0
    #: std of the noise on position (m), velocity (m/s), attitude (rad), body rates (rad/s)
    noise: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    initial_velocity_m_s: tuple[float, float, float] | None = field(default=None)

    @property
    def has_air(self) -> bool:
        return any(self.wind_m_s) or self.gust_std_m_s > 0.0


PERTURBATIONS = {
    p.name: p for p in (
        Perturbation("nominal"),
        Perturbation("mass_plus20", mass_scale=1.2),
        Perturbation("mass_minus20", mass_scale=0.8),
        Perturbation("thrust_minus10", thrust_scale=0.9),
        Perturbation("motor_lag_x2", motor_tau_scale=2.0),
        Perturbation("latency_1", latency_steps=1),
        Perturbation("latency_2", latency_steps=2),
        Perturbation("wind_3ms", wind_m_s=(3.0 / math.sqrt(2), 3.0 / math.sqrt(2), 0.0)),
        Perturbation("gusts_3ms", gust_std_m_s=3.0, gust_tau_s=1.0),
        Perturbation("sensor_noise", noise=(0.01, 0.05, 0.01, 0.05)),
        Perturbation("combined", mass_scale=1.1, thrust_scale=0.95, motor_tau_scale=1.5, latency_steps=1,
                     wind_m_s=(1.5, 0.0, 0.0), gust_std_m_s=1.0, noise=(0.005, 0.02, 0.005, 0.02)),
    )
}


def plant_physics(nominal: PhysicsParams, p: Perturbation) -> PhysicsParams:
    """The plant's physics: mass x mass_scale, max thrust x thrust_scale, motor tau x motor_tau_scale."""
    af = nominal.airframe
    plant_af = dataclasses.replace(af, mass_kg=af.mass_kg * p.mass_scale,
                                   thrust_to_weight=af.thrust_to_weight * p.thrust_scale / p.mass_scale)
    return dataclasses.replace(nominal, airframe=plant_af, motor_tau_s=nominal.motor_tau_s * p.motor_tau_scale)


def _rng_for(name: str, salt: int) -> np.random.Generator:
    return np.random.default_rng([zlib.crc32(name.encode()), salt])


class PerturbedDroneController(DroneController):
    """Integrates the plant physics (+ air drag force) but reports the nominal physics to the planner."""

    def __init__(self, scenario: Scenario, nominal: PhysicsParams, p: Perturbation) -> None:
        super().__init__(scenario, plant_physics(nominal, p))
        self._nominal = nominal
        self._p = p
        self._mass = self._physics.airframe.mass_kg
        self._gust = np.zeros(3)
        self._rng = _rng_for(scenario.name, 1)

    @property
    def physics(self) -> PhysicsParams:
        return self._nominal

    def reset(self) -> None:
        super().reset()
        self._gust = np.zeros(3)
        self._rng = _rng_for(self._scenario.name, 1)

    def update_state(self, current_iteration, next_iteration, drone_state, command) -> None:
        v0 = np.array(drone_state.velocity)
        if self._p.thrust_scale != 1.0 and command.mode == "ctbr":  # weaker motors: less thrust per command too
            command = DroneCommand.ctbr(command.values[0] * self._p.thrust_scale, command.values[1:])
        super().update_state(current_iteration, next_iteration, drone_state, command)
        if not self._p.has_air:
            return
        dt = self._scenario.time_step_s
        if self._p.gust_std_m_s > 0.0:  # Ornstein-Uhlenbeck gusts, horizontal, stationary std gust_std
            a = math.exp(-dt / self._p.gust_tau_s)
            self._gust[:2] = a * self._gust[:2] + self._p.gust_std_m_s * math.sqrt(1 - a * a) * self._rng.normal(size=2)
        wind = np.asarray(self._p.wind_m_s) + self._gust
        acc = DRAG_N_PER_M_S * (wind - v0) / self._mass
        self._state[0:3] += 0.5 * acc * dt * dt
        self._state[7:10] += acc * dt
        self._snapshot = None


class DelayedPlanner(AbstractPlanner):
    """Applies the inner planner's command ``steps`` control steps late (hover thrust before)."""

    def __init__(self, inner: AbstractPlanner, steps: int) -> None:
        self.inner = inner
        self.steps = steps
        self.command_mode = inner.command_mode
        self._fifo: list[DroneCommand] = []

    def name(self) -> str:
        return self.inner.name()

    def initialize(self, initialization: PlannerInitialization) -> None:
        self.inner.initialize(initialization)
        hover = DroneCommand.ctbr(initialization.physics.airframe.weight_n, (0.0, 0.0, 0.0))
        self._fifo = [hover] * self.steps

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        self._fifo.append(self.inner.compute_trajectory(current_input))
        return self._fifo.pop(0)


class NoisyStatePlanner(AbstractPlanner):
    """Shows the inner planner a state with Gaussian noise (std per channel, see Perturbation.noise)."""

    def __init__(self, inner: AbstractPlanner, noise: tuple[float, float, float, float]) -> None:
        self.inner = inner
        self.noise = noise
        self.command_mode = inner.command_mode
        self._rng = np.random.default_rng(0)

    def name(self) -> str:
        return self.inner.name()

    def initialize(self, initialization: PlannerInitialization) -> None:
        self._rng = _rng_for(initialization.scenario_name, 2)
        self.inner.initialize(initialization)

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        state, progress = current_input.history.current_state
        sp, sv, sa, sw = self.noise
        r = self._rng.normal(size=12)
        q = np.asarray(state.attitude)
        dq = np.concatenate(([1.0], 0.5 * sa * r[6:9]))
        w0, x0, y0, z0 = q
        w1, x1, y1, z1 = dq
        qn = np.array([w0 * w1 - x0 * x1 - y0 * y1 - z0 * z1, w0 * x1 + x0 * w1 + y0 * z1 - z0 * y1,
                       w0 * y1 - x0 * z1 + y0 * w1 + z0 * x1, w0 * z1 + x0 * y1 - y0 * x1 + z0 * w1])
        noisy = DroneState.build(state.position + sp * r[0:3], qn / np.linalg.norm(qn), state.velocity + sv * r[3:6],
                                 state.body_rates + sw * r[9:12], state.motor_thrusts)
        buf = SimulationHistoryBuffer(1)
        buf.append(noisy, progress)
        return self.inner.compute_trajectory(PlannerInput(current_input.iteration, buf))


def wrap_planner(planner: AbstractPlanner, p: Perturbation) -> AbstractPlanner:
    if any(p.noise):
        planner = NoisyStatePlanner(planner, p.noise)
    if p.latency_steps:
        planner = DelayedPlanner(planner, p.latency_steps)
    return planner


@dataclass(frozen=True)
class Outcome:
    success: bool
    crashed: bool
    time_s: float
    max_tilt_rad: float


def fly(scenario: Scenario, planner: AbstractPlanner, p: Perturbation, nominal: PhysicsParams | None = None,
        initial_state: DroneState | None = None) -> Outcome:
    """One closed-loop episode of ``planner`` (wrapped for ``p``) on the perturbed plant."""
    nominal = nominal or PhysicsParams(control_dt_s=scenario.time_step_s)
    if initial_state is not None:
        scenario = dataclasses.replace(scenario, initial_state=initial_state)
    setup = SimulationSetup(StepSimulationTimeController(scenario), CourseObservation(scenario),
                            PerturbedDroneController(scenario, nominal, p), scenario)
    sim = Simulation(setup)
    planner = wrap_planner(planner, p)
    planner.initialize(sim.initialize())
    max_tilt = 0.0
    while sim.is_simulation_running():
        sim.propagate(planner.compute_trajectory(sim.get_planner_input()))
        max_tilt = max(max_tilt, sim.history_buffer.current_state[0].tilt_rad())
    state, obs = sim.history_buffer.current_state
    t = sim.setup.time_controller.get_iteration().time_s
    return Outcome(bool(obs.completed), bool(obs.crashed), t, max_tilt)


def evaluate(scenarios: list[Scenario], planner_factory, p: Perturbation) -> tuple[float, float, list[Outcome]]:
    """(success rate, mean time-to-complete of the completed courses, outcomes)."""
    outs = [fly(s, planner_factory(), p) for s in scenarios]
    ok = [o for o in outs if o.success]
    return len(ok) / len(outs), (float(np.mean([o.time_s for o in ok])) if ok else float("nan")), outs


# ---------------------------------------------------------------------------- tests

@pytest.fixture(scope="module")
def courses() -> list[Scenario]:
    # the 4 named tracks + 8 random courses of benchmark-v0: a fast but varied subset
    return build_benchmark("benchmark-v0")[:12]


def test_plant_perturbation_is_applied_and_hidden_from_the_planner():
    nominal = PhysicsParams()
    s = build_benchmark("benchmark-v0")[0]
    ctrl = PerturbedDroneController(s, nominal, PERTURBATIONS["mass_plus20"])
    assert ctrl.physics is nominal
    assert ctrl._physics.airframe.mass_kg == pytest.approx(1.2 * nominal.airframe.mass_kg)
    # the max thrust (N) stays; only the mass changes
    assert ctrl._physics.airframe.max_collective_thrust_n == pytest.approx(nominal.airframe.max_collective_thrust_n)
    weak = plant_physics(nominal, PERTURBATIONS["thrust_minus10"]).airframe
    assert weak.max_collective_thrust_n == pytest.approx(0.9 * nominal.airframe.max_collective_thrust_n)


def test_old_pd_planner_fails_under_mass_error(courses):
    """The motivation (issue 9): a PD loop without integral action parks outside the reach radius."""
    rate, _, _ = evaluate(courses[:4], WaypointPlanner, PERTURBATIONS["mass_plus20"])
    assert rate < 0.5


@pytest.mark.parametrize("name", list(PERTURBATIONS))
def test_cascaded_pid_completes_every_course(courses, name):
    rate, mean_t, outs = evaluate(courses, CascadedPIDPlanner, PERTURBATIONS[name])
    failures = [(s.name, o) for s, o in zip(courses, outs) if not o.success]
    assert rate == 1.0, failures
    assert max(o.max_tilt_rad for o in outs) < 1.2
    assert mean_t < 15.0


def test_integral_removes_the_steady_offset_of_a_mass_error():
    """Hover at a waypoint that is never reached (reach radius 1 um: the course never ends), with a
    speed profile that stops at the waypoint (v_pass = 0): with 20 % more mass the integral brings the
    altitude error to ~0; without it the velocity loop needs a standing error (here ~0.15 m)."""
    base = build_benchmark("benchmark-v0")[0]
    s = dataclasses.replace(base, name="hold", waypoints=np.array([[0.0, 0.0, 1.5]]), reach_radius_m=1e-6,
                            duration_s=8.0)
    p = PERTURBATIONS["mass_plus20"]
    errs = {}
    for k_i in (2.0, 0.0):
        setup = SimulationSetup(StepSimulationTimeController(s), CourseObservation(s),
                                PerturbedDroneController(s, PhysicsParams(), p), s)
        sim = Simulation(setup)
        planner = CascadedPIDPlanner(CascadedPIDGains(k_i=k_i, k_i_z=k_i, v_pass_m_s=0.0, a_brake_m_s2=1.0))
        planner.initialize(sim.initialize())
        z = []
        while sim.is_simulation_running():
            sim.propagate(planner.compute_trajectory(sim.get_planner_input()))
            z.append(sim.history_buffer.current_state[0].position[2])
        errs[k_i] = abs(float(np.mean(z[-100:])) - 1.5)  # mean offset over the last 2 s
    assert errs[2.0] < 0.01
    assert errs[0.0] > 0.1


def test_anti_windup_bounds_the_integral():
    g = CascadedPIDGains(i_max_m_s2=1.5)
    base = build_benchmark("benchmark-v0")[0]
    s = dataclasses.replace(base, name="far", waypoints=np.array([[3.5, 0.0, 1.0]]), duration_s=3.0)
    setup = SimulationSetup(StepSimulationTimeController(s), CourseObservation(s),
                            PerturbedDroneController(s, PhysicsParams(), PERTURBATIONS["thrust_minus10"]), s)
    sim = Simulation(setup)
    planner = CascadedPIDPlanner(g)
    planner.initialize(sim.initialize())
    while sim.is_simulation_running():
        sim.propagate(planner.compute_trajectory(sim.get_planner_input()))
        assert np.all(np.abs(planner._integral) <= 1.5 + 1e-12)


def test_gains_validation():
    with pytest.raises(ValueError, match="k_v"):
        CascadedPIDGains(k_v=0.0)
    with pytest.raises(ValueError, match="max_tilt_rad"):
        CascadedPIDGains(max_tilt_rad=2.0)
    with pytest.raises(RuntimeError, match="initialize"):
        CascadedPIDPlanner().compute_planner_trajectory(None)  # type: ignore[arg-type]


if __name__ == "__main__":  # measurement script: python tests/test_classical_robustness.py [N] [names]
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    names = sys.argv[2].split(",") if len(sys.argv) > 2 else list(PERTURBATIONS)
    bench = build_benchmark("benchmark-v0")[:n]
    for nm in names:
        rate, mean_t, outs = evaluate(bench, CascadedPIDPlanner, PERTURBATIONS[nm])
        fails = [s.name.split("/")[-1] + ("(crash)" if o.crashed else "") for s, o in zip(bench, outs) if not o.success]
        print(f"{nm:15s} success {rate:6.1%}  mean ttc {mean_t:6.2f} s  max tilt "
              f"{max(o.max_tilt_rad for o in outs):.2f}  fails {fails[:6]}", flush=True)
