"""Errors that carry a one-line, user-facing message.

Expected failures (bad input, corrupt model files, usage mistakes) raise a subclass of
:class:`ZonelensError`; the CLI prints ``str(err)`` and maps the class to an exit code.
"""

from __future__ import annotations

from pathlib import Path


class ZonelensError(Exception):
    """Base class for expected, user-facing failures."""


class InputError(ZonelensError):
    """A file that cannot be read as a report: names the file and the problem."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UsageError(ZonelensError):
    """Wrong options or arguments (exit code 2)."""


class ModelError(ZonelensError):
    """A model file that is missing, corrupt or does not match the taxonomy."""


class LabelError(ZonelensError):
    """A malformed annotation or taxonomy file, with its line number where it has one."""

    def __init__(self, path: str | Path, line: int | None, reason: str):
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")
