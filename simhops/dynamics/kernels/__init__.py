"""Array kernels of the simulation, over a leading batch dimension N.

Every kernel works on plain numpy arrays so the single environment (N = 1), the
closed-loop :class:`~simhops.simulation.simulation.Simulation` and the batched
:class:`~simhops.envs.vector_env.SimHopsVectorEnv` run the *same* per-drone code
(``_..._one`` functions), compiled once by numba. Set ``NUMBA_DISABLE_JIT=1`` to
run them as plain Python for debugging.

Layouts (all float64 unless stated):

* drone state ``(N, 17)``: position (0:3, m, world ENU), attitude quaternion
  (3:7, w x y z, body FLU -> world), velocity (7:10, m/s, world), body rates
  (10:13, rad/s, body FLU), motor thrusts (13:17, N; the rotor-speed state,
  T_i = kf w_i^2);
* command ``(N, 4)``: CTBR ``[collective thrust N, p, q, r rad/s]`` or motor
  ``[T0, T1, T2, T3] N``;
* physics params ``(PHYS_DIM,)`` (one row per drone; the vector env keeps one per sub-env when
  disturbances or randomization are on), course params ``(COURSE_DIM,)``, reward params
  ``(REWARD_DIM,)``: see the index constants in :mod:`.layout`.
"""

from simhops.dynamics.kernels.layout import *  # noqa: F401,F403
