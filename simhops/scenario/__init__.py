from simhops.scenario.scenario import Scenario
from simhops.scenario.scenario_builder import ScenarioBuilder

__all__ = ["Scenario", "ScenarioBuilder"]
