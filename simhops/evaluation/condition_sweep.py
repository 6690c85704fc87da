"""run_condition_sweep: ``simhops eval --conditions ...``, one evaluation per plant condition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Sequence

from simhops.dynamics.physics.physics_params import PhysicsParams
from simhops.evaluation.aggregate import combine_condition_summaries, group_table
from simhops.evaluation.evaluator import SUMMARY_FILE, EvaluationResult, Evaluator, _json_ready
from simhops.io.atomic import atomic_write_text
from simhops.scenario.conditions import apply_condition, parse_conditions
from simhops.scenario.scenario import Scenario
from simhops.simulation.planner.abstract_planner import AbstractPlanner


def run_condition_sweep(planner: AbstractPlanner, scenarios: Sequence[Scenario], spec: str, output_dir: Path,
                        cfg=None, console: Any = None,
                        print_summary: Callable[[Any, EvaluationResult], None] | None = None, show_progress: bool = True, **evaluator_kwargs: Any) -> tuple[dict[str, Any], int]:
    """Evaluate ``planner`` on ``scenarios`` under each condition of ``spec`` (see
    :func:`~simhops.scenario.conditions.parse_conditions`).

    Each condition's overlay is applied to ``cfg`` (default config if None) to build the
    plant physics; the planner and the courses stay the same. Condition ``c`` writes its
    usual outputs to ``output_dir/c/``; ``output_dir/summary.json`` gets
    :func:`~simhops.evaluation.aggregate.combine_condition_summaries` of all of them, and the
    console the per family x condition table.

    Every overlay is checked before anything runs.

    Returns:
        (combined summary, number of failed runs).

    Raises:
        ValueError / FileNotFoundError / ConfigError: an unknown or invalid condition.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from simhops.config import SimHopsConfig

    base = cfg if cfg is not None else SimHopsConfig()
    plants = [(o.name, apply_condition(base, o)) for o in parse_conditions(spec)]
    console = console or Console()
    summaries, failed = [], 0
    for name, plant_cfg in plants:
        evaluator = Evaluator(planner, scenarios, Path(output_dir) / name, physics=PhysicsParams.from_config(plant_cfg),
                              condition=name, **evaluator_kwargs)
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console, disable=not show_progress, transient=False)
        with progress:
            task = progress.add_task(f"{planner.name()} x {len(scenarios)} [{name}]", total=len(scenarios))
            result = evaluator.run(on_report=lambda i, r: progress.advance(task))
        if print_summary is not None:
            print_summary(console, result)
        summaries.append(result.summary)
        failed += int(result.summary["failed"])
    combined = combine_condition_summaries(summaries)
    title = f"{planner.name()} on {evaluator_kwargs.get('scenarios_name')}: per family x condition"
    console.print(group_table(combined["groups"], title=title))
    path = atomic_write_text(Path(output_dir) / SUMMARY_FILE,
                             json.dumps(_json_ready(combined), indent=2, allow_nan=False) + "\n")
    console.print(f"combined summary in {path}")
    return combined, failed
