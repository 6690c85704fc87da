from simhops.simulation.observation.abstract_observation import AbstractObservation
from simhops.simulation.observation.course_observation import CourseObservation, CourseProgress

__all__ = ["AbstractObservation", "CourseObservation", "CourseProgress"]
