"""Closed-loop evaluation of planners on benchmark courses (``simhops eval``)."""

from simhops.evaluation.evaluator import EvaluationResult, Evaluator
from simhops.evaluation.planner_factory import PLANNER_KINDS, build_planner
from simhops.evaluation.scenario_selection import resolve_scenarios

__all__ = ["Evaluator", "EvaluationResult", "PLANNER_KINDS", "build_planner", "resolve_scenarios"]
