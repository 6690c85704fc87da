"""Memory estimates of a run's buffers, checked against the machine before anything is allocated.

The figures are the sizes of the arrays simhops itself allocates (float64 = 8 B unless
noted); they are lower bounds of a process's footprint, so a run that fails this check
would certainly fail later (or swap) while allocating.

| buffer | bytes |
|---|---|
| one episode history (``SimulationHistory``) | ``HISTORY_BYTES_PER_ITERATION`` x iterations |
| vector env state, per sub-env | ``VECTOR_BYTES_PER_ENV`` + 3 x 8 x K waypoints + 2 x 4 x observation length |
| vector env recorder, per sub-env and iteration | ``RECORDER_BYTES_PER_ITERATION`` |
| PPO rollout buffer (SB3 ``RolloutBuffer``, float32) | ``n_steps`` x ``n_envs`` x (observation length + 4 + 6) x 4 |
"""

from __future__ import annotations

import os

#: SimulationHistory columns: time int64, state 17 x f64, command 4 x f64, mode int8, active int64,
#: progress f64, distance f64, crash int8, wind 3 x f64
HISTORY_BYTES_PER_ITERATION = 8 + 17 * 8 + 4 * 8 + 1 + 8 + 8 + 8 + 1 + 3 * 8
#: EpisodeRecorder columns per sub-env and iteration: state 17 x f64, action 4 x f64, active int64
RECORDER_BYTES_PER_ITERATION = 17 * 8 + 4 * 8 + 8
#: SimHopsVectorEnv per-sub-env arrays besides waypoints and observations: states and final states
#: (2 x 17 x f64), last action (4 x f64), ~12 scalar columns (8 B) and the RNG state
VECTOR_BYTES_PER_ENV = 2 * 17 * 8 + 4 * 8 + 12 * 8 + 8


def available_memory_bytes() -> int | None:
    """Memory the kernel says can be allocated without swapping (``MemAvailable`` of ``/proc/meminfo``),
    else free physical pages (``os.sysconf``); None when neither is known (then nothing is refused)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def format_bytes(n: float) -> str:
    """``1536`` -> ``'1.5 KiB'`` (binary units, 3 significant digits)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    raise AssertionError("unreachable")


def vector_env_bytes(num_envs: int, n_iterations: int, n_waypoints: int, obs_len: int, record: bool) -> int:
    """Arrays of a ``SimHopsVectorEnv`` of ``num_envs`` sub-envs (+ its recorder when ``record``)."""
    per_env = VECTOR_BYTES_PER_ENV + 3 * 8 * n_waypoints + 2 * 4 * obs_len
    if record:
        per_env += RECORDER_BYTES_PER_ITERATION * n_iterations + 3 * 8 * n_waypoints
    total = num_envs * per_env
    if record:  # finished episodes become SimulationHistory objects one at a time
        total += HISTORY_BYTES_PER_ITERATION * n_iterations
    return total


def training_bytes(cfg) -> int:
    """Buffers of a training run of ``cfg`` (a ``SimHopsConfig``): the ``train.n_envs`` vector env, its
    recorder when ``callbacks.simulation_callbacks`` is not empty (training then records every episode),
    and PPO's rollout buffer (``train.n_steps`` x ``train.n_envs`` transitions)."""
    sc, tr = cfg.scenario, cfg.train
    # the formulas of scenario.number_of_iterations and dynamics.kernels.layout.obs_dim (config may not import them)
    n_iterations = int(round(sc.duration_s / (1.0 / sc.control_hz))) + 1
    obs_len = 3 * cfg.env.n_obs_waypoints + 20
    record = bool(cfg.callbacks.simulation_callbacks)
    rollout = tr.n_steps * tr.n_envs * (obs_len + 4 + 6) * 4
    return vector_env_bytes(tr.n_envs, n_iterations, sc.n_waypoints, obs_len, record) + rollout


def require_memory(needed: int, what: str, hint: str) -> None:
    """Raise ``ValueError`` (message: ``what``, the bytes needed and available, ``hint``) when
    ``needed`` exceeds the available memory.

    Raises:
        ValueError: not enough memory for ``needed`` bytes.
    """
    available = available_memory_bytes()
    if available is not None and needed > available:
        raise ValueError(f"{what} would need {format_bytes(needed)} ({needed} bytes) of memory, "
                         f"only {format_bytes(available)} available; {hint}")
