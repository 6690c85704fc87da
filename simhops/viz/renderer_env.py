"""EnvRenderer: the ``render_mode`` machinery shared by the simhops Gymnasium envs.

``"rgb_array"``: :meth:`EnvRenderer.render` returns a ``(H, W, 3)`` uint8 frame from
:class:`~simhops.viz.renderer.FrameRenderer`. ``"human"``: it streams the drone, its
trail and the course to a spawned Rerun viewer (rerun-sdk 0.41) and returns None; if
no viewer can be spawned (no ``rerun`` executable, no display), it warns once and
carries on without one.

Takes plain arrays only (no simulator objects), like the renderer.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from gymnasium import logger
from gymnasium.error import UnsupportedMode

from simhops.viz.renderer import FrameRenderer

__all__ = ["EnvRenderer", "RENDER_MODES", "TRAIL_POINTS", "UnsupportedRenderMode", "validate_render_mode"]

#: render modes of the simhops envs (``metadata["render_modes"]``)
RENDER_MODES = ("rgb_array", "human")
#: positions of the drawn trail (20 s at 50 Hz)
TRAIL_POINTS = 1000


class UnsupportedRenderMode(UnsupportedMode, ValueError):
    """An env was created with a ``render_mode`` it does not support.

    Gymnasium's :class:`gymnasium.error.UnsupportedMode` (the error it defines for "a rendering
    mode not supported by the environment"), and a ``ValueError`` for callers that catch that.
    """


def validate_render_mode(render_mode: str | None, modes: Sequence[str] = RENDER_MODES) -> str | None:
    """``render_mode`` if it is None or one of ``modes``.

    Raises:
        UnsupportedRenderMode: any other value (the message lists the supported modes).
    """
    if render_mode is None or render_mode in modes:
        return render_mode
    raise UnsupportedRenderMode(f"render_mode must be None or one of {list(modes)}, got {render_mode!r}")


class EnvRenderer:
    """Renders one drone for an env's ``render()``.

    Args:
        render_mode: None, ``"rgb_array"`` or ``"human"`` (validated).
        width, height, camera: frame size (px) and camera of the rgb frames (see :class:`FrameRenderer`).
        arm_length_m: centre-to-rotor distance of the airframe, m.
        application_id: Rerun application id of the ``"human"`` stream.

    Raises:
        UnsupportedRenderMode: unknown ``render_mode``.
        ValueError: bad frame size or camera (from :class:`FrameRenderer`).
    """

    def __init__(self, render_mode: str | None, width: int = 320, height: int = 240, camera: str = "chase",
                 arm_length_m: float = 0.0397, application_id: str = "simhops_env") -> None:
        self.render_mode = validate_render_mode(render_mode)
        self.frame_renderer = FrameRenderer(width, height, camera=camera, arm_length_m=arm_length_m)
        self.arm_length_m = float(arm_length_m)
        self.application_id = application_id
        self._viz: Any = None
        self._viewer_failed = False
        self._frames = 0
        self._episode = 0

    def reset(self) -> None:
        """Call at an episode start (resets the chase camera, starts a new viewer episode)."""
        self.frame_renderer.reset()
        self._episode += 1

    def _viewer(self) -> Any:
        if self._viz is None and not self._viewer_failed:
            try:
                from simhops.viz.rerun_visualizer import RerunVisualizer

                self._viz = RerunVisualizer(self.application_id, spawn=True)
            except Exception as exc:  # no rerun executable, no display, sandbox: rendering must not crash the env
                self._viewer_failed = True
                first_line = (str(exc).strip().splitlines() or [""])[0]
                logger.warn(f"render_mode='human': could not spawn the Rerun viewer "
                            f"({type(exc).__name__}: {first_line}); not rendering")
        return self._viz

    def render(self, position: np.ndarray, attitude_wxyz: np.ndarray, waypoints: np.ndarray, active_index: int,
               trail: np.ndarray | None, reach_radius_m: float, dome_radius_m: float,
               time_s: float = 0.0) -> np.ndarray | None:
        """A frame (``"rgb_array"``), or stream to the viewer (``"human"``, returns None); None without a mode.

        Arguments as :meth:`FrameRenderer.render`; ``time_s`` is the episode time (s) of the
        viewer's ``sim_time`` timeline.
        """
        if self.render_mode == "rgb_array":
            return self.frame_renderer.render(position, attitude_wxyz, waypoints, active_index, trail=trail,
                                              reach_radius_m=reach_radius_m, dome_radius_m=dome_radius_m)
        if self.render_mode == "human":
            viz = self._viewer()
            if viz is not None:
                self._stream(viz, position, attitude_wxyz, waypoints, active_index, trail, reach_radius_m, time_s)
            return None
        return self.warn_no_mode() if self.render_mode is None else None

    @staticmethod
    def warn_no_mode() -> None:
        """Gymnasium's behaviour for ``render()`` on an env made without a render mode: warn, return None."""
        logger.warn("render() called without a render_mode; create the env with render_mode='rgb_array' "
                    "(frames) or 'human' (Rerun viewer), e.g. gymnasium.make(id, render_mode='rgb_array')")

    def _stream(self, viz: Any, position, attitude_wxyz, waypoints, active_index, trail, reach, time_s) -> None:
        try:
            viz.set_time("episode", sequence=self._episode)
            viz.set_time("sim_time", seconds=float(time_s))
            wps = np.asarray(waypoints, dtype=np.float64).reshape(-1, 3)
            reached = np.arange(len(wps)) < int(active_index)
            viz.log_waypoints("world/course/waypoints", wps, reached=reached, reach_radius_m=reach,
                              active_index=int(active_index) if active_index < len(wps) else None)
            viz.log_quadcopter("world/drone", position, attitude_wxyz, arm_length_m=self.arm_length_m)
            if trail is not None and len(trail) >= 2 and self._frames % 5 == 0:
                viz.log_trajectory("world/drone_trail", trail)
            self._frames += 1
        except Exception as exc:  # a viewer that went away must not crash the env
            logger.warn(f"render_mode='human': streaming to the Rerun viewer failed ({exc!r}); not rendering")
            self.close()
            self._viewer_failed = True

    def close(self) -> None:
        """Close the viewer stream (if any)."""
        if self._viz is not None:
            try:
                self._viz.close()
            finally:
                self._viz = None
