"""Sweeps: grids of training runs (seeds x config overrides) on Ray, aggregated over seeds.

``simhops sweep`` (:mod:`simhops.sweep.cli`) is the command; the pieces are usable from Python:

>>> from simhops.sweep import expand_grid, parse_axis
>>> [r.name for r in expand_grid([parse_axis("train.gamma=0.98,0.99")], seeds=[0])]
['000_gamma=0.98_seed0', '001_gamma=0.99_seed0']
"""

from simhops.sweep.aggregate import COLUMNS, METRICS, aggregate, wilson_interval
from simhops.sweep.grid import SweepAxis, SweepRun, expand_grid, parse_axis, parse_seeds
from simhops.sweep.sweep_runner import BACKENDS, SweepRunner, run_training

__all__ = [
    "BACKENDS", "COLUMNS", "METRICS", "SweepAxis", "SweepRun", "SweepRunner", "aggregate", "expand_grid",
    "parse_axis", "parse_seeds", "run_training", "wilson_interval",
]
