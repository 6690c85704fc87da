"""``python -m simhops.zoo <rl_zoo3 script> [args]``: run an rl_zoo3 script with simhops registered.

Examples::

    python -m simhops.zoo record_video --algo ppo --env simhops/Waypoints-v0 -f logs -n 500
    python -m simhops.zoo --conf-path ppo        # path of the shipped hyper-parameter file
"""

from __future__ import annotations

import runpy
import sys

import simhops  # noqa: F401  (registers simhops/Waypoints-v0 in this process)
from simhops.zoo import hyperparams_path

USAGE = ("usage: python -m simhops.zoo SCRIPT [rl_zoo3 arguments]   (SCRIPT: train, enjoy, record_video, ...)\n"
         "       python -m simhops.zoo --conf-path ALGO             (path of the shipped rl-zoo hyper-parameters)")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    if argv[0] == "--conf-path":
        print(hyperparams_path(argv[1] if len(argv) > 1 else "ppo"))
        return 0
    script = argv[0]
    if not script.replace("_", "").isalnum():
        print(f"SCRIPT must be an rl_zoo3 module name such as record_video, got {script!r}\n{USAGE}", file=sys.stderr)
        return 2
    try:
        import rl_zoo3  # noqa: F401
    except ImportError:
        print("rl_zoo3 is not installed: pip install 'simhops[zoo]'", file=sys.stderr)
        return 1
    sys.argv = [f"rl_zoo3.{script}", *argv[1:]]
    runpy.run_module(f"rl_zoo3.{script}", run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
