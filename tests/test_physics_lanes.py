"""The SIMD lane blocks of the physics kernel: a drone flies the same, bit for bit, whatever block
and lane it is in, with per-lane plants (mass, inertia, drag, wind, motor lag) and noise."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from simhops.dynamics.kernels import layout as L
from simhops.dynamics.kernels.physics import (
    denormalize_action_one,
    lane_load,
    lane_store,
    physics_step,
    physics_step_lanes,
    physics_step_one,
    physics_step_serial,
)
from simhops.dynamics.physics.physics_params import PhysicsParams


def _rows(n: int, rng: np.random.Generator, ground_effect: bool) -> np.ndarray:
    """n parameter rows: the nominal Crazyflie with per-drone mass, inertia, drag, wind; drone 3
    has an asymmetric drag (dx != dy), which the block must fly with the general drag formula."""
    p = PhysicsParams(ground_effect=ground_effect).as_array()
    rows = np.tile(p, (n, 1))
    rows[:, L.P_MASS] *= rng.uniform(0.8, 1.3, n)
    f = rng.uniform(0.7, 1.4, n)
    for k in (L.P_IXX, L.P_IYY, L.P_IZZ):
        rows[:, k] *= f
    d = rng.uniform(0.5, 2.0, n)
    for k in (L.P_DRAG_X, L.P_DRAG_Y, L.P_DRAG_Z):
        rows[:, k] *= d
    rows[3, L.P_DRAG_Y] *= 1.7
    rows[:, L.P_WIND_X] = rng.uniform(-3, 3, n)
    rows[:, L.P_WIND_Y] = rng.uniform(-3, 3, n)
    return rows


def _hover(rows: np.ndarray) -> np.ndarray:
    s = np.zeros((len(rows), L.STATE_DIM))
    s[:, 2] = 0.3  # low: ground effect matters when on
    s[:, 3] = 1.0
    s[:, L.MOTORS:L.MOTORS + 4] = (rows[:, L.P_MASS] * rows[:, L.P_GRAVITY] / 4)[:, None]
    return s


@numba.njit
def _fly_block(states, commands, rows, gusts, noise, order, mode):
    """Fly ``states[order]`` as the lanes of one block (lane j = drone order[j]) for one step."""
    blk = np.empty(L.BLOCK_SIZE)
    for j in range(order.shape[0]):
        i = order[j]
        lane_load(blk, j, states[i], commands[i, 0], commands[i, 1], commands[i, 2], commands[i, 3], rows[i],
                  gusts[i, 0], gusts[i, 1], gusts[i, 2], noise[i, 0], noise[i, 1], noise[i, 2], noise[i, 3])
    p = rows[0]
    physics_step_lanes(blk, order.shape[0], mode, p[L.P_DT_SUB], int(p[L.P_N_SUB]), p[L.P_GROUND_EFFECT] != 0.0)
    for j in range(order.shape[0]):
        lane_store(blk, j, states[order[j]])


@pytest.mark.parametrize("ground_effect", [False, True])
@pytest.mark.parametrize("mode", [L.MODE_CTBR, L.MODE_MOTOR])
def test_a_drone_flies_the_same_in_any_lane_of_any_block(mode, ground_effect):
    rng = np.random.default_rng(5)
    n = L.LANES
    rows = _rows(n, rng, ground_effect)
    alone = _hover(rows)
    full = alone.copy()       # all 16 in one block (the SIMD loop), in shuffled lanes
    symmetric = alone.copy()  # the 15 axisymmetric drones without drone 3: the fast drag path
    others = np.array([i for i in range(n) if i != 3])
    for _ in range(60):
        actions = rng.uniform(-0.4, 0.4, (n, 4))
        commands = np.empty((n, 4))
        for i in range(n):
            denormalize_action_one(actions[i], mode, rows[i], commands[i])
        gusts = rng.normal(0.0, 1.0, (n, 3))
        noise = rng.normal(0.0, 0.005, (n, 4))
        for i in range(n):
            physics_step_one(alone[i], *commands[i], mode, rows[i], *gusts[i], *noise[i])
        _fly_block(full, commands, rows, gusts, noise, rng.permutation(n), mode)
        _fly_block(symmetric, commands, rows, gusts, noise, rng.permutation(others), mode)
    assert np.all(np.isfinite(alone)) and np.ptp(alone[:, 0]) > 0.01  # the drones went different ways
    np.testing.assert_array_equal(full, alone)
    np.testing.assert_array_equal(symmetric[others], alone[others])


def test_batched_kernels_with_partial_blocks_equal_the_single_drone_kernel():
    """N not a multiple of the lane count: full blocks, a partial one and chunks of blocks."""
    rng = np.random.default_rng(9)
    p = PhysicsParams().as_array()
    n = 8 * L.LANES * 2 + 5
    states = _hover(np.tile(p, (n, 1)))
    threaded, serial, alone = states.copy(), states.copy(), states.copy()
    for _ in range(20):
        commands = np.empty((n, 4))
        for i in range(n):
            denormalize_action_one(rng.uniform(-0.5, 0.5, 4), L.MODE_CTBR, p, commands[i])
        physics_step(threaded, commands, L.MODE_CTBR, p)
        physics_step_serial(serial, commands, L.MODE_CTBR, p)
        for i in range(n):
            physics_step_one(alone[i], *commands[i], L.MODE_CTBR, p)
    np.testing.assert_array_equal(threaded, alone)
    np.testing.assert_array_equal(serial, alone)


def _host_has_avx2() -> bool:
    import llvmlite.binding as llvm

    return "+avx2" in llvm.get_host_cpu_features().flatten()


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="needs the compiler")
@pytest.mark.skipif(not _host_has_avx2(), reason="the SIMD width is checked on AVX2 hosts")
def test_the_lane_loop_compiles_to_simd():
    """LLVM vectorizes the sub-step loop over lanes (an array passed to an inlined helper, or a
    libm call, inside the loop would silently make it scalar and the vector env ~4x slower)."""
    fresh = numba.njit(error_model="numpy")(physics_step_lanes.py_func)  # uncached, so inspectable
    blk = np.ones(L.BLOCK_SIZE)
    fresh(blk, L.LANES, L.MODE_CTBR, 0.004, 5, False)
    llvm_ir = next(iter(fresh.inspect_llvm().values()))
    assert "x double>" in llvm_ir and "@llvm.sqrt.v" in llvm_ir
