"""One build of one target (MkDocs or ProperDocs), a plain function so a worker can run it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import datetime

from .generator import build, load_config
from .options import BUILD_TIME_VARIABLE, TARGET_VARIABLE


def build_target(config_file: str, target: str, site_dir: str, strict: bool) -> None:
    """Build `mode:id` into `site_dir` (the plugin adds the target's own folder)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    with _target(target):
        config = load_config(config_file, site_dir=site_dir, strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()


def build_moment(moment: datetime) -> contextlib.AbstractContextManager[None]:
    """Within: every target built (here or in a worker forked here) describes `moment`."""
    return _environment(BUILD_TIME_VARIABLE, moment.isoformat())


def _target(target: str) -> contextlib.AbstractContextManager[None]:
    return _environment(TARGET_VARIABLE, target)


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
