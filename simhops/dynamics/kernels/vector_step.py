"""Fused kernels of the batched environment: reset and step N drones in one call.

They call the same per-drone functions as the single-env closed loop
(:func:`~.course.track_course_one`, :func:`~.reward.reward_one`,
:func:`~.observation.observation_one`) and the same physics, which flies each drone as a
lane of a SIMD block (:func:`~.physics.physics_step_lanes`; the single env is a block of one
lane), so a vector of N gives the same numbers as N single environments with the same seeds.
The step kernel threads over chunks of ``LANES``-drone blocks.

``dist`` is a :class:`DisturbanceArrays` (a numba structref-free ``namedtuple`` of arrays):
``enabled`` (bool: any disturbance or randomization on; when off nothing below is read),
``randomize`` (bool), ``rand`` (RAND_DIM,) spec, per-slot ``rows`` (N, PHYS_DIM) the episode's
plant, ``gust`` (N, 3) m/s, ``fifo`` (N, MAX_LATENCY_STEPS + 1, 4) SI commands,
``observed`` (N, 17) scratch for the noisy observed state and ``wind`` (N, 3) m/s (world ENU)
the wind (constant + gust) that acted during each slot's last step.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from simhops.dynamics.kernels._jit import batched, njit, njit_inline
from simhops.dynamics.kernels.course import distance_to, sample_course_one, track_course_one
from simhops.dynamics.kernels.disturbance import begin_episode_one, noisy_state_one, pre_step_one
from simhops.dynamics.kernels.layout import (
    BLOCK_SIZE,
    C_START_X,
    C_START_Y,
    C_START_Z,
    CRASH_NONE,
    LANES,
    MAX_LATENCY_STEPS,
    P_GRAVITY,
    P_MASS,
    P_WIND_X,
    P_WIND_Y,
    P_WIND_Z,
    RAND_DIM,
    STATE_DIM,
)
from simhops.dynamics.kernels.observation import observation_one
from simhops.dynamics.kernels.physics import (
    BLOCKS_PER_CHUNK,
    block_settings,
    denormalize_action,
    lane_load,
    lane_store,
    n_chunks,
    physics_step_lanes,
)
from simhops.dynamics.kernels.reward import reward_one


class DisturbanceArrays(NamedTuple):
    """Per-slot disturbance state of the batched kernels (see the module docstring)."""

    enabled: bool
    randomize: bool
    rand: np.ndarray
    rows: np.ndarray
    gust: np.ndarray
    fifo: np.ndarray
    observed: np.ndarray
    wind: np.ndarray


def disturbance_arrays(n: int, nominal: np.ndarray, rand: np.ndarray | None, enabled: bool,
                       randomize: bool) -> DisturbanceArrays:
    """Allocate the arrays for ``n`` slots; every row starts as the nominal one."""
    return DisturbanceArrays(bool(enabled), bool(randomize),
                             np.zeros(RAND_DIM) if rand is None else np.ascontiguousarray(rand, dtype=np.float64),
                             np.tile(np.asarray(nominal, dtype=np.float64), (n, 1)), np.zeros((n, 3)),
                             np.zeros((n, MAX_LATENCY_STEPS + 1, 4)), np.zeros((n, STATE_DIM)), np.zeros((n, 3)))


@njit
def hover_state_one(s, x, y, z, phys):
    """Write a level hover state at (x, y, z) m into ``s`` (17,): motors at m g / 4."""
    s[:] = 0.0
    s[0], s[1], s[2] = x, y, z
    s[3] = 1.0
    hover = phys[P_MASS] * phys[P_GRAVITY] / 4.0
    for m in range(4):
        s[13 + m] = hover


@njit
def reset_one(rng, i, course, phys, waypoints, n_waypoints, s):
    """Start a new random episode in slot ``i``: sample a course, hover at the start; returns distance to wp 0."""
    sample_course_one(rng, i, course, waypoints, n_waypoints)
    hover_state_one(s, course[C_START_X], course[C_START_Y], course[C_START_Z], phys)
    return distance_to(s, waypoints, 0)


@njit
def _reset_slot(i, rng, course, phys, dist, mode, n_obs_wp, states, waypoints, n_waypoints, active, prev_dist,
                step_idx, last_action, obs_out):
    """Full reset of slot ``i``: course, hover state (nominal airframe), the episode's disturbances
    (randomized plant row, gust, latency FIFO) when ``dist`` is on, and the (noisy) first observation."""
    prev_dist[i] = reset_one(rng, i, course, phys, waypoints[i], n_waypoints[i], states[i])
    active[i] = 0
    step_idx[i] = 0
    last_action[i, :] = 0.0
    if dist.enabled:
        begin_episode_one(rng, i, phys, dist.rand, dist.randomize, mode, dist.rows[i], dist.gust[i], dist.fifo[i])
        noisy_state_one(rng, i, dist.rows[i], states[i], dist.observed[i])
        observation_one(dist.observed[i], waypoints[i], n_waypoints[i], 0, last_action[i], n_obs_wp, obs_out[i])
    else:
        observation_one(states[i], waypoints[i], n_waypoints[i], 0, last_action[i], n_obs_wp, obs_out[i])


def _vector_reset(mask, rng, course, phys, dist, mode, n_obs_wp, states, waypoints, n_waypoints, active, prev_dist,
                  step_idx, last_action, obs_out):
    n = states.shape[0]
    chunk = BLOCKS_PER_CHUNK * LANES
    for c in prange(n_chunks(n)):
        _reset_slots(c * chunk, min(n, (c + 1) * chunk), mask, rng, course, phys, dist, mode, n_obs_wp, states,
                     waypoints, n_waypoints, active, prev_dist, step_idx, last_action, obs_out)


@njit
def _reset_slots(lo, hi, mask, rng, course, phys, dist, mode, n_obs_wp, states, waypoints, n_waypoints, active,
                 prev_dist, step_idx, last_action, obs_out):
    """Reset the slots of ``lo..hi-1`` where ``mask`` is true. The threaded reset kernel calls this once
    per chunk of slots rather than :func:`_reset_slot` per slot: fewer calls with ~20 array arguments
    each, and a small threaded loop that compiles fast."""
    for i in range(lo, hi):
        if mask[i]:
            _reset_slot(i, rng, course, phys, dist, mode, n_obs_wp, states, waypoints, n_waypoints, active,
                        prev_dist, step_idx, last_action, obs_out)


#: Reset the slots where ``mask`` is true (random courses from each slot's rng).
vector_reset, vector_reset_serial = batched(_vector_reset)


def _vector_step(actions, mode, phys, dist, course, reward_p, n_obs_wp, max_steps, same_step,
                 rng, states, waypoints, n_waypoints, active, prev_dist, step_idx, last_action, needs_reset,
                 obs_out, rew_out, term_out, trunc_out, final_obs_out, final_active, final_crash, final_steps,
                 final_states, reset_out):
    # the per-slot helpers are inlined into this loop: a call of a compiled function per slot (or per
    # chunk, with array views inside) costs reference-count updates and argument passing of the
    # ~30 arrays, as much as the physics itself
    n = states.shape[0]
    dt, n_sub, ground_effect = block_settings(phys)
    for chunk in prange(n_chunks(n)):
        # per chunk of blocks: one lane block of the physics, the slots in its lanes, their action change
        blk = np.empty(BLOCK_SIZE)
        lane_slot = np.empty(LANES, np.int64)
        lane_da2 = np.empty(LANES)
        for lo in range(chunk * BLOCKS_PER_CHUNK * LANES, min(n, (chunk + 1) * BLOCKS_PER_CHUNK * LANES), LANES):
            n_lanes = 0
            for i in range(lo, min(n, lo + LANES)):
                reset_out[i] = False
                if needs_reset[i]:
                    # next-step autoreset: this call only resets slot i, its action is ignored
                    _reset_slot(i, rng, course, phys, dist, mode, n_obs_wp, states, waypoints, n_waypoints, active,
                                prev_dist, step_idx, last_action, obs_out)
                    needs_reset[i] = False
                    rew_out[i] = 0.0
                    term_out[i] = False
                    trunc_out[i] = False
                    reset_out[i] = True
                    continue
                da2 = 0.0
                for m in range(4):
                    a_m = min(max(actions[i, m], -1.0), 1.0)
                    da2 += (a_m - last_action[i, m]) ** 2
                    last_action[i, m] = a_m
                # the action maps to SI with the nominal airframe (the policy's interface)
                c0, c1, c2, c3 = denormalize_action(last_action[i, 0], last_action[i, 1], last_action[i, 2],
                                                    last_action[i, 3], mode, phys)
                if dist.enabled:
                    row = dist.rows[i]
                    g = dist.gust[i]
                    c0, c1, c2, c3, n0, n1, n2, n3 = pre_step_one(rng, i, row, c0, c1, c2, c3, step_idx[i], g,
                                                                  dist.fifo[i])
                    dist.wind[i, 0] = row[P_WIND_X] + g[0]
                    dist.wind[i, 1] = row[P_WIND_Y] + g[1]
                    dist.wind[i, 2] = row[P_WIND_Z] + g[2]
                    lane_load(blk, n_lanes, states[i], c0, c1, c2, c3, row, g[0], g[1], g[2], n0, n1, n2, n3)
                else:
                    lane_load(blk, n_lanes, states[i], c0, c1, c2, c3, phys, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
                lane_slot[n_lanes] = i
                lane_da2[n_lanes] = da2
                n_lanes += 1
            physics_step_lanes(blk, n_lanes, mode, dt, n_sub, ground_effect)
            for j in range(n_lanes):
                i = lane_slot[j]
                lane_store(blk, j, states[i])
                _after_physics(i, lane_da2[j], mode, phys, dist, course, reward_p, n_obs_wp, max_steps, same_step,
                               rng, states, waypoints, n_waypoints, active, prev_dist, step_idx, last_action,
                               needs_reset, obs_out, rew_out, term_out, trunc_out, final_obs_out, final_active,
                               final_crash, final_steps, final_states, reset_out)


@njit_inline
def _after_physics(i, da2, mode, phys, dist, course, reward_p, n_obs_wp, max_steps, same_step, rng, states, waypoints,
                   n_waypoints, active, prev_dist, step_idx, last_action, needs_reset, obs_out, rew_out, term_out,
                   trunc_out, final_obs_out, final_active, final_crash, final_steps, final_states, reset_out):
    """Slot ``i`` after its physics step: waypoint tracking, reward, episode end, observation, autoreset."""
    a, rn, pr, d, c = track_course_one(states[i], waypoints[i], n_waypoints[i], active[i], prev_dist[i], course)
    active[i] = a
    prev_dist[i] = d
    step_idx[i] += 1
    completed = a >= n_waypoints[i]
    crashed = c != CRASH_NONE
    rew_out[i] = reward_one(states[i], pr, rn, completed, crashed, reward_p, da2)
    term = completed or crashed
    trunc = step_idx[i] >= max_steps
    term_out[i] = term
    trunc_out[i] = trunc
    if dist.enabled:
        noisy_state_one(rng, i, dist.rows[i], states[i], dist.observed[i])
        observation_one(dist.observed[i], waypoints[i], n_waypoints[i], a, last_action[i], n_obs_wp, obs_out[i])
    else:
        observation_one(states[i], waypoints[i], n_waypoints[i], a, last_action[i], n_obs_wp, obs_out[i])
    if term or trunc:
        final_active[i] = a
        final_crash[i] = c
        final_steps[i] = step_idx[i]
        final_states[i, :] = states[i]
        if same_step:
            final_obs_out[i, :] = obs_out[i]
            _reset_slot(i, rng, course, phys, dist, mode, n_obs_wp, states, waypoints, n_waypoints, active,
                        prev_dist, step_idx, last_action, obs_out)
            reset_out[i] = True
        else:
            needs_reset[i] = True


#: One control step of N envs with autoreset (same-step or next-step); see SimHopsVectorEnv.
vector_step, vector_step_serial = batched(_vector_step)
