from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a content file, printed as ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """Raised inside a parser; carries the line it happened on."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def display_path(path: Path, root: Path) -> str:
    """The path as an author types it: relative to the project where possible."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)
