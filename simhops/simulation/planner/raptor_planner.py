"""RaptorPlanner: the pretrained RAPTOR foundation policy as a simhops planner (``--planner raptor``).

RAPTOR (Eschmann, Albani & Loianno, "RAPTOR: A Foundation Policy for Quadrotor Control", 2025,
https://arxiv.org/abs/2509.11481) is a 2084-parameter recurrent policy (Dense(16) -> GRU(16) -> Dense(4))
trained in the l2f simulator across thousands of randomized quadrotors to fly to the origin. It is
distributed on PyPI as ``foundation-policy`` (https://github.com/rl-tools/foundation-policy-python;
install with ``pip install 'simhops[raptor]'``). Its README and the checkpoint's own metadata
(``foundation_policy/blob/checkpoint.h5``, attribute ``actor/meta``:
``Position.OrientationRotationMatrix.LinearVelocity.AngularVelocityDelayed(0).ActionHistory(1)``)
give the interface used here:

| obs slice | size | simhops quantity (no frame conversion: both use world ENU / body FLU) |
|---|---|---|
| 0:3 | 3 | position error ``p - w_k`` to the active waypoint ``k`` (m, world), its norm capped at ``max_position_error_m`` |
| 3:12 | 9 | rotation matrix body FLU -> world ENU, row-major (``R.flatten()``) |
| 12:15 | 3 | linear velocity (m/s, world) |
| 15:18 | 3 | body rates (rad/s, body FLU) |
| 18:22 | 4 | the policy's previous action (clipped to [-1, 1]) |

The policy flies the drone to where the position error is zero, so feeding ``p - w_k`` makes it fly
to the waypoint (the PX4 module ``src/modules/mc_raptor/mc_raptor.cpp`` does the same with
``position - trajectory_setpoint.position``, clipped per axis at ``max_position_error``). Its output
``a`` in [-1, 1]^4 are normalized rotor speeds for front-right, back-right, back-left, front-left,
which is simhops's motor order m0..m3 (the mixer in ``simhops/dynamics/kernels/physics.py``: roll
torque ``arm (-m0 - m1 + m2 + m3)`` puts m2, m3 on the left (+y), pitch torque ``arm (-m0 + m1 + m2 - m3)``
puts m1, m2 at the back (-x), yaw torque ``k (-m0 + m1 - m2 + m3)``), the same as the l2f Crazyflie
the policy was trained around (``rl-tools/rl-tools``,
``include/rl_tools/rl/environments/l2f/parameters/dynamics/crazyflie.h``: rotor positions
``(+x, -y), (-x, -y), (-x, +y), (+x, +y)``, rotor torque directions ``-z, +z, -z, +z``). With ``u = (a + 1) / 2`` the thrust is ``T_i = T_max u_i^2`` (thrust grows
with the square of rotor speed), sent as a ``"motor"`` :class:`DroneCommand` in newtons; the plant's
rotor dynamics follow it.

**Rate.** The policy was trained at 100 Hz (``simulation.step(action)  # simulation dt=10 ms`` in its
README) and its GRU state carries the dynamics across steps, so the planner requires a control
period of 10 ms (``scenario.control_hz=100``) and raises a :class:`ValueError` otherwise.

**Capping.** Without a cap the policy sees the whole leg length as position error; legs of a few
metres are outside what it saw in training and it may dive into the ground. Capping the error at
1 - 1.5 m makes it fly toward the waypoint at its "1 m away" behaviour. ``None`` disables the cap.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput

#: the control rate the policy was trained at (Hz)
RAPTOR_CONTROL_HZ = 100.0
#: default cap of the position error (m)
DEFAULT_MAX_POSITION_ERROR_M = 1.0
#: observation length of the shipped checkpoint
RAPTOR_OBS_DIM = 22
_INSTALL_HINT = "--planner raptor needs the foundation-policy package: pip install 'simhops[raptor]'"


def load_raptor_policy() -> Any:
    """A fresh RAPTOR policy (``foundation_policy.Raptor()``: loads and self-tests the bundled checkpoint).

    Each call returns its own object: the GRU state lives in it, so two planners must not share one.

    Raises:
        ImportError: ``foundation-policy`` is not installed (with the install command).
    """
    try:
        from foundation_policy import Raptor
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_INSTALL_HINT) from exc
    return Raptor()


def raptor_observation(position_error_m: np.ndarray, rotation_matrix: np.ndarray, velocity_m_s: np.ndarray,
                       body_rates_rad_s: np.ndarray, previous_action: np.ndarray,
                       max_position_error_m: float | None) -> np.ndarray:
    """The (1, 22) RAPTOR observation (see the module table); the position error's norm is capped.

    Args:
        position_error_m: (3,) ``p - w`` in world ENU (m).
        rotation_matrix: (3, 3) body FLU -> world ENU.
        velocity_m_s: (3,) world ENU.
        body_rates_rad_s: (3,) body FLU.
        previous_action: (4,) in [-1, 1].
        max_position_error_m: cap of ``|position_error_m|`` (m), or None for no cap.
    """
    e = np.asarray(position_error_m, dtype=np.float64)
    if max_position_error_m is not None:
        n = float(np.linalg.norm(e))
        if n > max_position_error_m:
            e = e * (max_position_error_m / n)
    return np.concatenate((e, np.asarray(rotation_matrix, dtype=np.float64).reshape(9), velocity_m_s,
                           body_rates_rad_s, previous_action))[None, :]


def rotor_thrusts_n(action: np.ndarray, max_motor_thrust_n: float) -> np.ndarray:
    """Per-motor thrusts (4,) N of a RAPTOR action: ``T_max ((clip(a, -1, 1) + 1) / 2)^2``."""
    u = 0.5 * (np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0) + 1.0)
    return max_motor_thrust_n * u * u


def hover_action(hover_motor_thrust_n: float, max_motor_thrust_n: float) -> float:
    """The action that holds hover thrust: ``2 sqrt(T_hover / T_max) - 1``."""
    return 2.0 * math.sqrt(hover_motor_thrust_n / max_motor_thrust_n) - 1.0


class RaptorPlanner(AbstractPlanner):
    """Flies a course with the RAPTOR foundation policy (motor commands at 100 Hz).

    Args:
        max_position_error_m: cap of the position error the policy sees (m, > 0), or None for
            no cap (default 1.0 m).
        initial_action: the "previous action" of the first step: ``"hover"`` (the nominal hover
            action for every motor) or ``"zero"`` (the README example's zeros).

    Raises:
        ValueError: ``max_position_error_m`` not finite and > 0, or an unknown ``initial_action``;
            from :meth:`initialize`, a control period other than 10 ms.
        ImportError: ``foundation-policy`` is not installed (from :meth:`initialize`).
        RuntimeError: :meth:`compute_planner_trajectory` before :meth:`initialize`.
    """

    command_mode = "motor"

    def __init__(self, max_position_error_m: float | None = DEFAULT_MAX_POSITION_ERROR_M,
                 initial_action: str = "hover") -> None:
        if max_position_error_m is not None and not (isinstance(max_position_error_m, (int, float))
                                                     and math.isfinite(max_position_error_m)
                                                     and max_position_error_m > 0.0):
            raise ValueError(f"RaptorPlanner.max_position_error_m must be finite and > 0 or None "
                             f"(got {max_position_error_m!r})")
        if initial_action not in ("hover", "zero"):
            raise ValueError(f"RaptorPlanner.initial_action must be 'hover' or 'zero' (got {initial_action!r})")
        self.max_position_error_m = None if max_position_error_m is None else float(max_position_error_m)
        self.initial_action = initial_action
        self._policy: Any = None
        self._init: PlannerInitialization | None = None
        self._previous_action = np.zeros(4)

    def name(self) -> str:
        return "RaptorPlanner"

    def __getstate__(self) -> dict:
        # planners travel to worker processes: leave the policy behind, it reloads in initialize()
        state = self.__dict__.copy()
        state["_policy"] = None
        return state

    def initialize(self, initialization: PlannerInitialization) -> None:
        dt = float(initialization.time_step_s)
        if abs(dt - 1.0 / RAPTOR_CONTROL_HZ) > 1e-9:
            raise ValueError(f"RaptorPlanner needs a {1.0 / RAPTOR_CONTROL_HZ * 1e3:.0f} ms control period (the "
                             f"policy was trained at {RAPTOR_CONTROL_HZ:.0f} Hz); scenario "
                             f"{initialization.scenario_name!r} has time_step_s={dt} "
                             f"(set scenario.control_hz={RAPTOR_CONTROL_HZ:.0f})")
        if self._policy is None:
            self._policy = load_raptor_policy()
        self._policy.reset()
        self._init = initialization
        af = initialization.physics.airframe
        a0 = hover_action(af.hover_motor_thrust_n, af.max_motor_thrust_n) if self.initial_action == "hover" else 0.0
        self._previous_action = np.full(4, a0)

    def compute_planner_trajectory(self, current_input: PlannerInput) -> DroneCommand:
        init = self._init
        if init is None or self._policy is None:
            raise RuntimeError("RaptorPlanner.initialize() was not called")
        state, progress = current_input.history.current_state
        k = min(progress.active_index, len(init.waypoints) - 1)
        obs = raptor_observation(state.position - init.waypoints[k], state.rotation_matrix(), state.velocity,
                                 state.body_rates, self._previous_action, self.max_position_error_m)
        action = np.clip(np.asarray(self._policy.evaluate_step(obs), dtype=np.float64).reshape(4), -1.0, 1.0)
        if not np.all(np.isfinite(action)):
            raise RuntimeError(f"RAPTOR returned a non-finite action {action} for observation {obs[0]}")
        self._previous_action = action
        return DroneCommand.motor(rotor_thrusts_n(action, init.physics.airframe.max_motor_thrust_n))
