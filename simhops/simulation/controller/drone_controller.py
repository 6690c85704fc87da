"""DroneController: rate loop + mixer + rotor dynamics + aerodynamics + rigid body, through the physics kernel."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import numpy as np

from simhops.dynamics.kernels.disturbance import begin_episode_one, hover_command_one, noisy_state_one, pre_step_one
from simhops.dynamics.kernels.layout import MAX_LATENCY_STEPS, MODE_CTBR, P_WIND_X, P_WIND_Z, STATE_DIM
from simhops.dynamics.kernels.physics import physics_step_one
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.dynamics.physics.plant_params import plant_params_from_rows
from simhops.dynamics.state.drone_state import DroneState
from simhops.simulation.controller.abstract_drone_controller import AbstractDroneController
from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.simulation_time_controller.simulation_iteration import SimulationIteration

if TYPE_CHECKING:
    from simhops.scenario.scenario import Scenario


def scenario_rng_state(scenario: "Scenario") -> np.ndarray:
    """A (1,) uint64 disturbance stream for a scenario run outside an env: from its seed, else its name."""
    seed = scenario.seed if scenario.seed is not None else zlib.crc32(scenario.name.encode())
    gen = np.random.default_rng(seed)
    return np.array([gen.integers(0, 2**63)], dtype=np.uint64)


class DroneController(AbstractDroneController):
    """Integrates one drone with :func:`~simhops.dynamics.kernels.physics.physics_step_one`.

    ``physics`` is the *nominal* plant (what :attr:`physics` returns and a planner may know).
    When it enables disturbances or domain randomization, each :meth:`reset` draws the
    episode's true plant row, gust and latency FIFO from ``rng`` (a (1,) uint64 SplitMix64
    state shared with the env, advanced in place), and every step applies latency, motor
    noise and gusts, all with the kernels of the vector env in the same order, so one
    controller equals one vector-env slot bit for bit. :meth:`observed_state` is the state
    plus observation noise (drawn once per step). :attr:`plant_params` is privileged.

    Raises:
        ValueError: the scenario's time step differs from ``physics.control_dt_s``
            (they must agree, seed 001 "timestep not always 0.1 s"), or a step of
            another length is requested.
    """

    def __init__(self, scenario: "Scenario", physics: PhysicsParams, rng: np.ndarray | None = None) -> None:
        if abs(scenario.time_step_s - physics.control_dt_s) > 1e-9:
            raise ValueError(f"scenario {scenario.name!r} time_step_s={scenario.time_step_s} differs from "
                             f"physics control_dt_s={physics.control_dt_s}")
        self._scenario = scenario
        self._physics = physics
        self._params = physics.as_array()
        self._step_us = scenario.time_step_us
        self._state = scenario.initial_state.array.copy()
        self._snapshot: DroneState | None = None
        self._disturbed = physics.disturbed
        self._rng = rng if rng is not None else (scenario_rng_state(scenario) if self._disturbed else None)
        self._rand = physics.rand_array()
        self._row = np.array(self._params)
        self._gust = np.zeros(3)
        self._fifo = np.zeros((MAX_LATENCY_STEPS + 1, 4))
        self._fifo_mode = MODE_CTBR
        self._step = 0
        self._observed: DroneState | None = None
        self._wind_const = self._params[P_WIND_X:P_WIND_Z + 1].copy()  # the episode's constant wind
        self._wind_const.flags.writeable = False

    @property
    def physics(self) -> PhysicsParams:
        """The nominal physics (what a planner may know)."""
        return self._physics

    @property
    def plant_params(self) -> dict[str, float | np.ndarray]:
        """Privileged: the episode's true plant and disturbance parameters (see ``plant_params_from_rows``)."""
        return {k: (v[0] if v.ndim == 1 else v[0].copy()) for k, v in plant_params_from_rows(self._row).items()}

    @property
    def plant_row(self) -> np.ndarray:
        """Privileged: the episode's true plant as a read-only (PHYS_DIM,) kernel row (layout ``P_*``)."""
        v = self._row.view()
        v.flags.writeable = False
        return v

    @property
    def wind_m_s(self) -> np.ndarray:
        """Current wind (constant + gust) acting on the drone, world ENU, (3,) m/s (read-only when undisturbed)."""
        if not self._disturbed:
            return self._wind_const
        return self._wind_const + self._gust

    def reset(self) -> None:
        self._state = self._scenario.initial_state.array.copy()
        self._snapshot = None
        self._observed = None
        self._step = 0
        if self._disturbed:
            with np.errstate(over="ignore"):  # uint64 RNG wrap-around (only visible with NUMBA_DISABLE_JIT=1)
                begin_episode_one(self._rng, 0, self._params, self._rand, self._physics.randomize, MODE_CTBR,
                                  self._row, self._gust, self._fifo)
            self._wind_const = self._row[P_WIND_X:P_WIND_Z + 1].copy()
            self._fifo_mode = MODE_CTBR

    def get_state(self) -> DroneState:
        if self._snapshot is None:
            self._snapshot = DroneState.from_array(self._state)
        return self._snapshot

    def observed_state(self) -> DroneState:
        """The state with observation noise (the true state when noise is off); drawn once per step."""
        if not self._disturbed:
            return self.get_state()
        if self._observed is None:
            out = np.empty(STATE_DIM)
            with np.errstate(over="ignore"):
                noisy_state_one(self._rng, 0, self._row, self._state, out)
            self._observed = DroneState.from_array(out, copy=False)
        return self._observed

    def update_state(self, current_iteration: SimulationIteration, next_iteration: SimulationIteration,
                     drone_state: DroneState, command: DroneCommand) -> None:
        if next_iteration.time_us - current_iteration.time_us != self._step_us:
            raise ValueError(f"DroneController steps {self._step_us} us at a time; got "
                             f"{current_iteration.time_us} -> {next_iteration.time_us} us")
        if drone_state is not self._snapshot:  # integrate from the given state, not ours
            self._state = drone_state.array.copy()
        v = command.values
        mode = command.mode_id
        if self._disturbed:
            if mode != self._fifo_mode and self._step == 0:  # the FIFO holds hover commands of this mode
                for k in range(self._fifo.shape[0]):
                    hover_command_one(mode, self._params, self._fifo[k])
                self._fifo_mode = mode
            with np.errstate(over="ignore"):
                c0, c1, c2, c3, n0, n1, n2, n3 = pre_step_one(self._rng, 0, self._row, v[0], v[1], v[2], v[3],
                                                              self._step, self._gust, self._fifo)
            g = self._gust
            physics_step_one(self._state, c0, c1, c2, c3, mode, self._row, g[0], g[1], g[2], n0, n1, n2, n3)
        else:
            physics_step_one(self._state, v[0], v[1], v[2], v[3], mode, self._params)
        self._step += 1
        self._snapshot = None
        self._observed = None
