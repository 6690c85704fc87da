"""Gymnasium environments of simhops (registered on import of :mod:`simhops`)."""
