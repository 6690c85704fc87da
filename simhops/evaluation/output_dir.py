"""The output folder of an evaluation run: a file, a non-empty folder or an unwritable place is refused."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class OutputDirError(ValueError):
    """The output folder cannot be used (the message names it and says why)."""


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_output_dir(path: str | Path, overwrite: bool = False) -> Path:
    """Check that ``path`` can take a new run's results (changes nothing but a deleted probe file).

    Refused: a path that is (or lies under) a file; a folder that is not empty, unless
    ``overwrite`` (then :func:`prepare_output_dir` clears it); a folder (or its nearest
    existing parent) this user cannot write; a name with a NUL byte.

    Raises:
        OutputDirError: why the folder cannot be used.
    """
    path = Path(path)
    if "\x00" in str(path):
        raise OutputDirError(f"output dir {str(path)!r} contains a NUL byte")
    if path.exists() and not path.is_dir():
        raise OutputDirError(f"output dir {path} is a file, not a folder")
    anchor = _nearest_existing(path)
    if not anchor.is_dir():
        raise OutputDirError(f"output dir {path} cannot be created: {anchor} is a file")
    try:  # a real probe (os.access says yes to root even where writing fails)
        with tempfile.TemporaryFile(dir=anchor, prefix=".simhops-write-probe-"):
            pass
    except OSError as exc:
        raise OutputDirError(f"output dir {path} is not writable ({anchor}: {exc.strerror or exc})") from exc
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise OutputDirError(f"output dir {path} is not empty (it holds an earlier run); pass --overwrite "
                             f"(Evaluator(overwrite=True)) to clear it first, or choose another folder")
    return path


def prepare_output_dir(path: str | Path, overwrite: bool = False) -> Path:
    """:func:`check_output_dir`, then create the folder, clearing its content first with ``overwrite``.

    Raises:
        OutputDirError: see :func:`check_output_dir`, or the folder could not be created or cleared.
    """
    path = check_output_dir(path, overwrite)
    try:
        if path.is_dir() and overwrite:
            for child in path.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputDirError(f"output dir {path} could not be prepared: {exc}") from exc
    return path
