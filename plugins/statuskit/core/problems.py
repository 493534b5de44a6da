"""Problems found in incident files, reported all at once as `path:line: what; what to do`."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file, with the line and the fix."""

    path: str
    line: int
    message: str
    hint: str = ""
    level: str = "error"
    code: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text

    @property
    def is_error(self) -> bool:
        return self.level == "error"


class ValidationFailed(Exception):
    """Raised when incident files have errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.is_error]
        lines = "\n".join(str(p) for p in errors)
        super().__init__(f"{len(errors)} error(s) in incident files:\n{lines}")


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as the author knows it: relative to the project when possible."""
    return _display(path, root or Path.cwd())


@functools.lru_cache(maxsize=4096)
def _display(path: Path, base: Path) -> str:
    """Named once per build (a long history's checks name each file many times), with string
    operations: pathlib's cost several times more for each of ten thousand files."""
    name = os.fspath(path)
    # A link inside the folder stands for the file it leads to: name that one.
    if os.path.islink(name):
        full = os.path.realpath(name)
    else:
        folder = _resolved(os.path.dirname(os.path.abspath(name)))
        full = os.path.join(folder, os.path.basename(name))
    root = _resolved(os.path.abspath(base)).rstrip(os.sep) or os.sep
    if full == root:
        return "."
    prefix = root if root.endswith(os.sep) else root + os.sep
    return full[len(prefix) :] if full.startswith(prefix) else str(path)


@functools.lru_cache(maxsize=256)
def _resolved(folder: str) -> str:
    """Folders resolved once (by absolute path): a history's problems sit in a few folders."""
    return os.path.realpath(folder)
