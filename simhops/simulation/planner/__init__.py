from simhops.simulation.planner.abstract_planner import AbstractPlanner, PlannerInitialization, PlannerInput
from simhops.simulation.planner.cascaded_pid_planner import CascadedPIDGains, CascadedPIDPlanner
from simhops.simulation.planner.hover_planner import HoverPlanner
from simhops.simulation.planner.random_planner import RandomPlanner
from simhops.simulation.planner.waypoint_planner import WaypointPlanner

__all__ = ["AbstractPlanner", "CascadedPIDGains", "CascadedPIDPlanner", "PlannerInitialization", "PlannerInput",
           "HoverPlanner", "RandomPlanner", "WaypointPlanner"]
