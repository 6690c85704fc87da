"""Pretrained policies shipped with simhops (package data).

``default/``: ``model.zip`` (SB3 PPO), ``config.yaml`` (its training config) and ``CARD.md``
(how it was trained and what it achieves). ``simhops eval --planner policy`` flies it when
no ``--model`` is given.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: the policy ``simhops eval --planner policy`` uses without ``--model``
DEFAULT_POLICY = "default"


def policy_model_path(name: str = DEFAULT_POLICY) -> Path:
    """Path of the shipped policy ``name``'s ``model.zip`` (its ``config.yaml`` lies next to it).

    Raises:
        FileNotFoundError: no shipped policy of that name.
    """
    path = Path(str(resources.files("simhops.policies").joinpath(name, "model.zip")))
    if not path.is_file():
        raise FileNotFoundError(f"no shipped policy {name!r} (expected {path})")
    return path
