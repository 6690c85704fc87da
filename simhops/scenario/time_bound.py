"""Point-mass time references of a course: a minimum-time lower bound and a stop-at-every-waypoint time.

Model: the drone as a point mass whose acceleration is bounded by the level-flight limit of
its thrust, ``a_max = g sqrt(TWR^2 - 1)`` (m/s^2): the largest acceleration the thrust vector
gives while it also holds the weight (``TWR`` = max collective thrust / weight of the nominal
airframe). This is the point-mass abstraction used as the reference and initial guess of
time-optimal quadrotor planning (Foehn, Romero & Scaramuzza, "Time-optimal planning for
quadrotor waypoint flight", Science Robotics 6(56), 2021, sec. "Point-mass"), with the
minimum-time solution of the double integrator being bang-bang (Kirk, "Optimal Control
Theory: An Introduction", 1970, sec. 5.3).

* :func:`min_time_lower_bound_s`: any path that visits the reach balls in order is at least
  ``L = sum of max(d_i - r_i, 0)`` long (``d_i`` leg lengths, ``r_0 = r``, ``r_i = 2 r``
  after the first leg), and its speed along the path grows at most at ``a_max``; from the
  initial speed ``v0`` the time is at least ``(sqrt(v0^2 + 2 a_max L) - v0) / a_max`` (one
  acceleration phase, no braking, no turning cost). A valid lower bound for the point-mass
  model; not always reachable.
* :func:`rest_to_rest_time_s`: every leg flown bang-bang from rest to rest,
  ``sum 2 sqrt(d_i / a_max)``: the time of a point mass that stops at every waypoint (a
  reference, not a bound).
"""

from __future__ import annotations

import math

import numpy as np

from simhops.dynamics.physics.airframe import GRAVITY_M_S2, Airframe
from simhops.scenario.scenario import Scenario


def level_flight_acceleration_m_s2(airframe: Airframe) -> float:
    """``g sqrt(TWR^2 - 1)`` (m/s^2) of ``airframe`` (TWR > 1 is enforced by :class:`Airframe`)."""
    return GRAVITY_M_S2 * math.sqrt(airframe.thrust_to_weight ** 2 - 1.0)


def _legs(scenario: Scenario) -> np.ndarray:
    pts = np.vstack([scenario.initial_state.position, scenario.waypoints])
    return np.linalg.norm(np.diff(pts, axis=0), axis=1)


def min_time_lower_bound_s(scenario: Scenario, airframe: Airframe) -> float:
    """Point-mass minimum-time lower bound (s) of ``scenario`` (see the module docstring)."""
    d = _legs(scenario)
    r = scenario.reach_radius_m
    shrink = np.full(d.shape, 2.0 * r)
    shrink[0] = r
    length = float(np.sum(np.maximum(d - shrink, 0.0)))
    a = level_flight_acceleration_m_s2(airframe)
    v0 = float(np.linalg.norm(scenario.initial_state.velocity))
    return (math.sqrt(v0 * v0 + 2.0 * a * length) - v0) / a


def rest_to_rest_time_s(scenario: Scenario, airframe: Airframe) -> float:
    """Sum over the legs of the rest-to-rest bang-bang time ``2 sqrt(d / a_max)`` (s)."""
    a = level_flight_acceleration_m_s2(airframe)
    return float(np.sum(2.0 * np.sqrt(_legs(scenario) / a)))
