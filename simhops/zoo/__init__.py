"""rl-baselines3-zoo support: the hyper-parameter files simhops ships, and a launcher.

``python -m simhops.zoo <script> [rl_zoo3 arguments]`` runs ``rl_zoo3.<script>`` (``train``,
``enjoy``, ``record_video``, ``record_training``, ...) after importing simhops, so
``simhops/Waypoints-v0`` is registered even where rl_zoo3 has no ``--gym-packages`` option.
``python -m simhops.zoo --conf-path ppo`` prints the path of the shipped ``ppo.yml``.
See ``docs/rendering_and_zoo.md``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["hyperparams_path", "ALGOS"]

#: algorithms with a shipped hyper-parameter file (``simhops/zoo/<algo>.yml``)
ALGOS = ("ppo",)


def hyperparams_path(algo: str = "ppo") -> Path:
    """Path of the shipped rl-zoo hyper-parameter file of ``algo`` (for ``--conf-file``).

    Raises:
        ValueError: no file for ``algo`` (the message lists the algorithms that have one).
    """
    if algo not in ALGOS:
        raise ValueError(f"algo must be one of {list(ALGOS)} (a shipped rl-zoo hyper-parameter file), got {algo!r}")
    return Path(str(resources.files(__name__).joinpath(f"{algo}.yml")))
