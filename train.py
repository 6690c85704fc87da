"""Train a PPO planner on simhops (thin wrapper of :func:`simhops.train.cli.main`).

Usage::

    python train.py [--config FILE] [dotted.key=value ...]

Same as ``simhops train`` and ``python -m simhops.train``.
"""

import sys

from simhops.train.cli import main

if __name__ == "__main__":
    sys.exit(main())
