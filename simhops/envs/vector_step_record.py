"""VectorStepRecord: what one ``SimHopsVectorEnv.reset`` / ``step`` call did, per sub-env."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class VectorStepRecord:
    """The public per-call record a :class:`SimHopsVectorEnv` hands to its
    :class:`~simhops.envs.episode_recorder.EpisodeRecorder` (and to anyone else via ``on_record``).

    All arrays are read-only views of the env's buffers: valid until the env's next
    ``reset`` / ``step``; copy what must outlive it. N sub-envs, K waypoints per course.

    | field | shape, dtype | meaning |
    |---|---|---|
    | ``stepped`` | (N,) bool | sub-envs that applied an action in this call (False on ``reset`` and for a NEXT_STEP autoreset) |
    | ``step_index`` | (N,) int64 | iteration index of the action of a stepped sub-env (its step counter before the step) |
    | ``actions`` | (N, 4) float64 | the normalized actions as passed (the kernels clip them to [-1, 1]); zeros on ``reset`` |
    | ``states`` | (N, 17) float64 | state reached by the step (the final state of an episode that ended), world ENU, SI |
    | ``waypoints_reached`` | (N,) int64 | waypoints reached after the step (final value where ``done``) |
    | ``done`` | (N,) bool | episodes that ended in this call (terminated or truncated) |
    | ``crash`` | (N,) int64 | crash code of an ended episode (0 none, 1 ground, 2 dome, 3 non-finite); 0 elsewhere |
    | ``episode_steps`` | (N,) int64 | length in steps of an ended episode; 0 elsewhere |
    | ``started`` | (N,) bool | sub-envs that began a new episode in this call |
    | ``start_states`` | (N, 17) float64 | initial state of a started episode (rows of other sub-envs: current state) |
    | ``waypoints`` | (N, K, 3) float64 | course of a started episode, m (rows of other sub-envs: current course) |
    | ``course_rng`` | (N,) uint64 | course-RNG state a started episode's course was drawn from (names its scenario as the single env does) |
    | ``wind`` | (N, 3) float64 or None | m/s, world ENU: wind (constant + gust) that acted during the step of a stepped sub-env |
    | ``start_wind`` | (N, 3) float64 or None | m/s, world ENU: initial wind of a started episode |
    | ``plant_rows`` | (N, PHYS_DIM) float64 or None | privileged: a started episode's true plant row (layout ``P_*``) |
    """

    stepped: np.ndarray
    step_index: np.ndarray
    actions: np.ndarray
    states: np.ndarray
    waypoints_reached: np.ndarray
    done: np.ndarray
    crash: np.ndarray
    episode_steps: np.ndarray
    started: np.ndarray
    start_states: np.ndarray
    waypoints: np.ndarray
    course_rng: np.ndarray
    wind: np.ndarray | None = None
    start_wind: np.ndarray | None = None
    plant_rows: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            arr = getattr(self, name)
            if arr is not None and arr.flags.writeable:
                view = arr.view()
                view.flags.writeable = False
                object.__setattr__(self, name, view)
