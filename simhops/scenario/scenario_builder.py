"""ScenarioBuilder: random courses (seeded), named tracks, benchmark sets."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from simhops.config.schema import DOME_MARGIN_M, dome_margin_m
from simhops.scenario.scenario import Scenario, number_of_iterations
from simhops.dynamics.kernels.course import sample_course_one
from simhops.dynamics.kernels.layout import (
    C_DOME, C_HOP_MAX, C_HOP_MIN, C_MARGIN, C_MAX_ALT, C_MIN_ALT, C_REACH, C_START_X, C_START_Y, C_START_Z,
    COURSE_DIM,
)
from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.dynamics.state.drone_state import DroneState

__all__ = ["DOME_MARGIN_M", "ScenarioBuilder", "available_tracks", "course_params", "random_scenario_name",
           "seed_to_rng_state"]


def course_params(cfg) -> np.ndarray:
    """The course kernels' parameter vector (COURSE_DIM,), read-only, from ``cfg.scenario``.

    The one place the ``scenario`` section is packed for the kernels (layout:
    :mod:`simhops.dynamics.kernels.layout` ``C_*``): reach and dome radii, altitude band,
    hop lengths, start position and the dome margin of random waypoints (all m).
    """
    sc = cfg.scenario
    c = np.zeros(COURSE_DIM)
    c[C_REACH] = sc.reach_radius_m
    c[C_DOME] = sc.dome_radius_m
    c[C_MIN_ALT] = sc.min_altitude_m
    c[C_MAX_ALT] = sc.max_altitude_m
    c[C_HOP_MIN] = sc.hop_min_m
    c[C_HOP_MAX] = sc.hop_max_m
    c[C_START_X], c[C_START_Y], c[C_START_Z] = sc.start_position_m
    c[C_MARGIN] = dome_margin_m(sc.dome_radius_m)
    c.flags.writeable = False
    return c


def seed_to_rng_state(seed: int) -> np.ndarray:
    """The (1,) uint64 course-RNG state of an integer seed (any int >= 0)."""
    if seed < 0:
        raise ValueError(f"seed must be >= 0 (got {seed})")
    return np.array([seed % (1 << 64)], dtype=np.uint64)


class ScenarioBuilder:
    """Builds scenarios from a :class:`~simhops.config.SimHopsConfig`'s ``scenario`` section.

    Random courses are drawn by :func:`~simhops.dynamics.kernels.course.sample_course_one`
    from a uint64 RNG state, the same kernel the vector env resets with, so a seed
    always gives the same course.
    """

    def __init__(self, cfg, physics: PhysicsParams | None = None) -> None:
        self._cfg = cfg
        self._physics = physics or PhysicsParams.from_config(cfg)
        self._course = course_params(cfg)

    @property
    def physics(self) -> PhysicsParams:
        return self._physics

    @property
    def course_params(self) -> np.ndarray:
        """Kernel course parameters (COURSE_DIM,), read-only."""
        return self._course

    @property
    def n_waypoints(self) -> int:
        return self._cfg.scenario.n_waypoints

    @property
    def time_step_s(self) -> float:
        """Control period of every scenario this builder makes (s): ``1 / scenario.control_hz``."""
        return 1.0 / self._cfg.scenario.control_hz

    @property
    def number_of_iterations(self) -> int:
        """``get_number_of_iterations()`` of every scenario this builder makes from the config (same formula)."""
        return number_of_iterations(self._cfg.scenario.duration_s, self.time_step_s)

    def initial_state(self, position=None) -> DroneState:
        """Hover at ``position`` (default: the configured start), motors at m g / 4."""
        pos = self._cfg.scenario.start_position_m if position is None else position
        return DroneState.hover(pos, self._physics.airframe.hover_motor_thrust_n)

    def build(self, name: str, waypoints: np.ndarray, initial_state: DroneState | None = None,
              seed: int | None = None, **overrides) -> Scenario:
        """A :class:`Scenario` with this config's episode settings; every builder path (and the vector env's
        recorder) makes its scenarios here.

        Args:
            name: scenario name.
            waypoints: (K, 3) m, world ENU.
            initial_state: the start (default: hover at ``scenario.start_position_m``).
            seed: the seed the course was drawn from, if any.
            overrides: ``duration_s`` / ``reach_radius_m`` / ``time_step_s`` / ``dome_radius_m`` replacing the config's.

        Raises:
            ValueError: a field the :class:`Scenario` rejects (named in the message).
        """
        sc = self._cfg.scenario
        kw = dict(time_step_s=self.time_step_s, duration_s=sc.duration_s, reach_radius_m=sc.reach_radius_m,
                  dome_radius_m=sc.dome_radius_m)
        kw.update(overrides)
        return Scenario(name=name, waypoints=waypoints, initial_state=initial_state or self.initial_state(),
                        seed=seed, **kw)

    def sample_waypoints(self, rng_state: np.ndarray) -> np.ndarray:
        """Draw one course (K, 3) m from ``rng_state`` ((1,) uint64, advanced in place)."""
        if rng_state.dtype != np.uint64 or rng_state.shape != (1,):
            raise ValueError(f"rng_state must be a (1,) uint64 array, got {rng_state.dtype} {rng_state.shape}")
        wp = np.empty((self.n_waypoints, 3))
        with np.errstate(over="ignore"):  # uint64 wrap-around is intended (matters only with NUMBA_DISABLE_JIT=1)
            sample_course_one(rng_state, 0, self._course, wp, self.n_waypoints)
        return wp

    def build_random(self, rng_state: np.ndarray, name: str | None = None) -> Scenario:
        """A random course from a running RNG state (advanced in place); used by the env."""
        start = int(rng_state[0])
        wp = self.sample_waypoints(rng_state)
        return self.build(random_scenario_name(start), wp) if name is None else self.build(name, wp)

    def build_from_seed(self, seed: int, name: str | None = None) -> Scenario:
        """The random course of integer ``seed`` (same seed, same course)."""
        wp = self.sample_waypoints(seed_to_rng_state(seed))
        return self.build(name or f"random_seed{seed}", wp, seed=seed)

    def build_track(self, name_or_path: str | Path) -> Scenario:
        """A named track shipped with simhops (``square``, ``figure_eight``, ``helix``, ...) or a YAML file.

        Track YAML: ``name``, ``waypoints`` (list of [x, y, z] m) and optional ``description``,
        ``duration_s``, ``reach_radius_m``, ``start_position_m``; no other keys.

        Raises:
            FileNotFoundError: unknown track name (lists the known ones), or a missing file.
            ValueError: a file that is not UTF-8 / not YAML / not a mapping, a missing or unknown key, or a
                bad value (the message names the file and the field).
        """
        path = Path(name_or_path)
        if path.suffix not in (".yaml", ".yml"):
            known = available_tracks()
            if str(name_or_path) not in known:
                raise FileNotFoundError(f"unknown track {name_or_path!r}; known tracks: {sorted(known)}")
            source = f"track {name_or_path!r}"
            raw = resources.files("simhops.scenario").joinpath("tracks", f"{name_or_path}.yaml").read_bytes()
        else:
            source = f"track file {path}"
            raw = path.read_bytes()
        try:
            d = yaml.safe_load(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ValueError(f"{source} is not UTF-8 text (byte {exc.start}: {exc.reason})") from None
        except yaml.YAMLError as exc:
            raise ValueError(f"{source} is not valid YAML: {exc}") from None
        if not isinstance(d, dict):
            raise ValueError(f"{source}: top level must be a mapping with 'name' and 'waypoints', "
                             f"got {type(d).__name__}")
        missing = [k for k in ("name", "waypoints") if k not in d]
        unknown = sorted(map(str, set(d) - set(_TRACK_KEYS)))
        if missing or unknown:
            raise ValueError(f"{source}: " + "; ".join(
                ([f"missing key(s) {missing}"] if missing else [])
                + ([f"unknown key(s) {unknown} (allowed: {list(_TRACK_KEYS)})"] if unknown else [])))
        try:
            wp = np.asarray(d["waypoints"], dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: waypoints must be a list of [x, y, z] numbers (m): {exc}") from None
        try:
            over = {k: d[k] for k in ("duration_s", "reach_radius_m") if k in d}
            if "start_position_m" in d:
                start = np.asarray(d["start_position_m"], dtype=np.float64)
                if start.shape != (3,):
                    raise ValueError(f"Scenario.start_position_m must be [x, y, z] (m), got {d['start_position_m']!r}")
                over["initial_state"] = self.initial_state(start)
            return self.build(str(d["name"]), wp, **over)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: {exc}") from None


#: keys of a track YAML file
_TRACK_KEYS = ("name", "description", "waypoints", "duration_s", "reach_radius_m", "start_position_m")


def random_scenario_name(rng_state: int) -> str:
    """Name of the random course drawn from course-RNG state ``rng_state`` (the state before the draw)."""
    return f"random_{int(rng_state):016x}"


def available_tracks() -> list[str]:
    """Names of the tracks shipped in ``simhops/scenario/tracks``."""
    folder = resources.files("simhops.scenario").joinpath("tracks")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))
