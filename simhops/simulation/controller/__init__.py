from simhops.simulation.controller.abstract_drone_controller import AbstractDroneController
from simhops.simulation.controller.drone_command import DroneCommand
from simhops.simulation.controller.drone_controller import DroneController

__all__ = ["AbstractDroneController", "DroneCommand", "DroneController"]
