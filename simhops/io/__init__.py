"""Ground-floor file helpers (atomic writes)."""

from simhops.io.atomic import atomic_output, atomic_write_bytes, atomic_write_text, fsync_directory

__all__ = ["atomic_output", "atomic_write_bytes", "atomic_write_text", "fsync_directory"]
