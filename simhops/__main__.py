"""``python -m simhops COMMAND ...``: the same as the ``simhops`` console script (:mod:`simhops.cli`)."""

import sys

from simhops.cli import main

if __name__ == "__main__":
    sys.exit(main())
