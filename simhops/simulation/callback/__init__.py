from simhops.simulation.callback.abstract_callback import AbstractCallback
from simhops.simulation.callback.multi_callback import MultiCallback

__all__ = ["AbstractCallback", "MultiCallback"]
