"""The ``simhops`` command: one entry point, one override syntax.

Usage::

    simhops train  [--config FILE] [--eval-episodes N] [dotted.key=value ...]
    simhops eval   --planner {classical,policy,...} [options] [dotted.key=value ...]
    simhops replay HISTORY [--output FILE]
    simhops sweep  --seeds 0,1 --grid train.learning_rate=1e-4,3e-4 [options] [dotted.key=value ...]
    simhops config [--path | --describe [SECTION]] [--config FILE] [dotted.key=value ...]

Every command that takes a configuration takes the same positional ``dotted.key=value``
overrides (values parsed as YAML), validated against :class:`simhops.config.SimHopsConfig`.
``python -m simhops`` and ``python train.py`` (= ``simhops train``) run the same code.

Each sub-command's own ``main(argv) -> int`` does the work; this module only dispatches
(and adds the configuration reference to ``simhops train --help``). Exit status: the
sub-command's (0 success, 1 a run failed, 2 bad arguments or configuration).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence


@dataclass(frozen=True)
class Command:
    """A sub-command: ``module:function`` called with ``prefix + argv``."""

    name: str
    help: str
    target: str
    prefix: tuple[str, ...] = ()
    config_help: bool = False

    def resolve(self) -> Callable[[Sequence[str]], int]:
        """Import and return the sub-command's ``main`` (lazily: ``simhops --help`` stays fast)."""
        module, _, func = self.target.partition(":")
        return getattr(importlib.import_module(module), func)


COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("train", "train a PPO planner (writes config.yaml, model.zip, train.rrd, train_summary.json)",
            "simhops.train.cli:main", config_help=True),
    Command("eval", "evaluate a planner in closed loop on a set of courses (metrics.parquet, summary.json)",
            "simhops.evaluation.cli:main", prefix=("eval",), config_help=True),
    Command("replay", "turn a saved history into a Rerun recording (.rrd)",
            "simhops.evaluation.cli:main", prefix=("replay",)),
    Command("sweep", "grid of training runs (seeds x overrides) on Ray, aggregated into one table",
            "simhops.sweep.cli:main", config_help=True),
    Command("config", "print the resolved configuration, the path of cfg_default.yaml, or key descriptions",
            "simhops.cli:config_main"),
)}

_HELP_FLAGS = {"-h", "--help"}


def config_reference() -> str:
    """The configuration sections, their keys and where each key is documented (for ``--help``)."""
    from pydantic import BaseModel

    from simhops.config import SimHopsConfig, default_config_path, schema

    lines = ["configuration (override any key positionally as dotted.key=value, values are YAML):"]
    top = []
    for name, field in SimHopsConfig.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            doc = (ann.__doc__ or "").strip().splitlines()[0] if ann.__doc__ else ""
            lines.append(f"  {name + ':':<15}{doc} [{ann.__name__}]")
            lines.append(f"  {'':<15}keys: {', '.join(ann.model_fields)}")
        else:
            top.append(name)
    lines.insert(1, f"  {'(top level)':<15}{', '.join(top)}")
    lines += [
        "each key's unit, default and allowed range is documented in:",
        f"  {default_config_path()}  (the default config, one comment per key; edit a copy and pass --config)",
        f"  {Path(schema.__file__)}  (the pydantic schema: one class per section, a description per field)",
        "  `simhops config --describe [SECTION]` prints them; `simhops config [key=value ...]` the resolved config",
    ]
    return "\n".join(lines)


def config_main(argv: Sequence[str] | None = None) -> int:
    """``simhops config``: print the resolved config (YAML), its default path, or the key descriptions."""
    import yaml

    from simhops.config import ConfigError, SimHopsConfig, default_config_path, load_config

    p = argparse.ArgumentParser(prog="simhops config", description="Print the resolved configuration as YAML.",
                                epilog=config_reference(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default=None, help=f"YAML config (default: {default_config_path()})")
    p.add_argument("--path", action="store_true", help="print the path of the default config file and exit")
    p.add_argument("--describe", nargs="?", const="", metavar="SECTION",
                   help="print every key (of SECTION) with its default and description")
    p.add_argument("overrides", nargs="*", help="dotted.key=value overrides, e.g. train.n_envs=64")
    args = p.parse_args(argv)
    if args.path:
        print(default_config_path())
        return 0
    if args.describe is not None:
        return _describe(SimHopsConfig, args.describe)
    try:
        cfg = load_config(args.config, args.overrides)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    print(yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False, default_flow_style=None), end="")
    return 0


def _describe(model: type, section: str) -> int:
    from pydantic import BaseModel

    sections = {n: f.annotation for n, f in model.model_fields.items()
                if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel)}
    if section and section not in sections:
        print(f"config error: unknown section {section!r}; sections: {', '.join(sections)}", file=sys.stderr)
        return 2
    for name, field in model.model_fields.items():
        sub = sections.get(name)
        if sub is None:
            if not section:
                print(f"{name} = {field.get_default(call_default_factory=True)!r}: {field.description or ''}")
            continue
        if section and name != section:
            continue
        for key, f in sub.model_fields.items():
            print(f"{name}.{key} = {f.get_default(call_default_factory=True)!r}: {f.description or ''}")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="simhops", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="simhops: quadcopter waypoint hopping for RL. Every command takes config overrides "
                    "as positional dotted.key=value arguments; `simhops COMMAND --help` for details.",
        epilog="commands:\n" + "".join(f"  {c.name:<8}{c.help}\n" for c in COMMANDS.values()) + "\nexamples:\n"
               "  simhops train train.total_timesteps=200000 output_dir=runs/short\n"
               "  simhops eval --planner policy --model runs/short/model.zip scenario.duration_s=10\n"
               "  simhops sweep --seeds 0,1,2 --grid train.learning_rate=1e-4,3e-4 train.total_timesteps=1000000\n")
    from simhops import __version__

    p.add_argument("--version", action="version", version=f"simhops {__version__}")
    p.add_argument("command", choices=list(COMMANDS), metavar="COMMAND", help=" | ".join(COMMANDS))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simhops`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not argv or argv[0] not in COMMANDS:
        try:
            parser.parse_args(argv[:1] or ["--help"])  # --help / --version / unknown command: exits
        except SystemExit as exc:
            return 0 if exc.code is None else int(exc.code)
        return 2  # pragma: no cover - parse_args exits above
    cmd, rest = COMMANDS[argv[0]], argv[1:]
    run = cmd.resolve()
    wants_help = cmd.config_help and bool(_HELP_FLAGS.intersection(rest))
    try:
        return int(run([*cmd.prefix, *rest]) or 0)
    except SystemExit as exc:  # argparse's --help (code 0) and usage errors (code 2)
        if exc.code is None or exc.code == 0:
            if wants_help:
                print()
                print(config_reference())
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
