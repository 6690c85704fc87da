"""``python -m simhops.train``: see :mod:`simhops.train.cli`."""

import sys

from simhops.train.cli import main

sys.exit(main())
