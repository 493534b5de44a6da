"""One build of one target (MkDocs or ProperDocs), a plain function so a worker can run it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from datetime import datetime

from ..core.problems import ValidationFailed
from .cache import cache_dir, load_site_cached
from .collection import CollectorPause
from .generator import build, load_config
from .options import BUILD_TIME_VARIABLE, TARGET_VARIABLE, build_settings
from .pagefind import start_ahead
from .processes import CORES_VARIABLE
from .reporting import log_problems


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


def load_ahead(config_file: str, targets: Mapping[str, str]) -> None:
    """Load the history once here, so workers forked afterwards find it loaded, and start each
    target's search service (`targets`: `mode:id` to its locale) before it.

    Every target of a build loads the same incidents and checks them alike (only the target
    differs); loaded first in the process that forks them, the targets share it instead of
    each loading it again. Its problems are logged here, once: within `once_per_run` the
    targets log only those this load did not find. A site that does not load is left for the
    targets to refuse. The services load their languages' dictionaries on the core this load
    leaves free (within `services_ahead`, which stops them).
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    with _target(next(iter(targets))):
        config = load_config(config_file)
        plugin = config.plugins.get("statuskit")
        if plugin is None or not plugin.config.enabled:
            return
        for target, locale in targets.items():
            start_ahead(target, locale)
        folder = cache_dir(plugin.config, config)
        if folder is None:
            return
        # As in a build: no full collections over the history while it is read (they would
        # take a third more time); the workers are forked with it frozen (cli/publish.py).
        collector = CollectorPause()
        collector.pause()
        try:
            site = load_site_cached(build_settings(plugin.config, config), folder)
        except ValidationFailed as exc:
            log_problems(exc.problems)
        else:
            log_problems(site.warnings)
        finally:
            collector.release()


def build_moment(moment: datetime) -> contextlib.AbstractContextManager[None]:
    """Within: every target built (here or in a worker forked here) describes `moment`."""
    return _environment(BUILD_TIME_VARIABLE, moment.isoformat())


def build_cores(cores: int) -> contextlib.AbstractContextManager[None]:
    """Within: every build started (here or in a worker forked here) uses `cores` cores at most;
    builds run at once share the machine instead of each forking children onto it."""
    return _environment(CORES_VARIABLE, str(cores))


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
