"""The history's problems as a build logs them: once per `statuskit build`, not once per target.

Every target of a build reads the same incidents and finds the same problems; three locales
printed each warning three times (6,834 lines for 2,278 warnings of a long imported history).
Within `once_per_run` a problem already logged in this process, or in the process that forked it
(the targets' workers are forked after the history is loaded and reported), is not logged again.
Outside it (`mkdocs build`, each rebuild of `mkdocs serve`) every build logs all its problems.
Either way each build still counts them all, so `--strict` fails every target alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from mkdocs.plugins import get_plugin_logger

from ..core.checks import TRANSLATION
from ..core.problems import Problem

log = get_plugin_logger(__name__)

# The texts logged in this run; None outside `once_per_run`.
_logged: set[str] | None = None


@contextlib.contextmanager
def once_per_run() -> Iterator[None]:
    """Within: each problem is logged by the first build that finds it."""
    global _logged
    previous, _logged = _logged, set()
    try:
        yield
    finally:
        _logged = previous


def log_problems(problems: list[Problem]) -> list[Problem]:
    """Log the warnings (a lagging translation is only information); returns the real ones."""
    blocking = []
    for problem in problems:
        if problem.is_error:
            continue
        if problem.code != TRANSLATION:
            blocking.append(problem)
        text = str(problem)
        if _logged is not None:
            if text in _logged:
                continue
            _logged.add(text)
        if problem.code == TRANSLATION:
            log.info(text)
        else:
            log.warning(text)
    return blocking
