"""Config overrides that switch every disturbance and every domain randomization on.

One list for the throughput benchmark's "everything on" variant (``benchmarks/bench_throughput.py``)
and the tests that check the disturbed kernels (vector env = N single envs bit for bit): wind and
Ornstein-Uhlenbeck gusts (m/s, s), observation noise (m, m/s, rad, rad/s), one step of latency,
2 % motor-command noise, and per-episode draws of every randomizable quantity.
"""

from __future__ import annotations

__all__ = ["EVERYTHING_ON"]

#: dotted ``key=value`` overrides (as ``load_config(None, EVERYTHING_ON)`` or the CLI take them)
EVERYTHING_ON: tuple[str, ...] = (
    "disturbances.wind_m_s=[1.0,-0.5,0.0]", "disturbances.gust_std_m_s=0.6", "disturbances.gust_tau_s=0.8",
    "disturbances.obs_noise_position_m=0.02", "disturbances.obs_noise_velocity_m_s=0.05",
    "disturbances.obs_noise_attitude_rad=0.01", "disturbances.obs_noise_body_rates_rad_s=0.05",
    "disturbances.latency_steps=1", "disturbances.motor_noise=0.02",
    "randomization.mass={kind: relative_uniform, low: 0.85, high: 1.15}",
    "randomization.inertia={kind: relative_log_uniform, low: 0.8, high: 1.25}",
    "randomization.thrust={kind: relative_uniform, low: 0.9, high: 1.1}",
    "randomization.yaw_torque={kind: relative_uniform, low: 0.8, high: 1.2}",
    "randomization.motor_tau={kind: relative_uniform, low: 0.7, high: 1.3}",
    "randomization.drag={kind: relative_log_uniform, low: 0.5, high: 2.0}",
    "randomization.latency={kind: absolute_uniform, low: 0, high: 2}",
    "randomization.wind_speed={kind: absolute_uniform, low: 0.0, high: 2.0}",
    "randomization.gust_std={kind: absolute_uniform, low: 0.0, high: 0.5}",
    "randomization.obs_noise_scale={kind: relative_uniform, low: 0.5, high: 1.5}",
)
