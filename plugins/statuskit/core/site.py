"""One call from settings to a validated, derived site: what every adapter (MkDocs, CLI) uses."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import parsecache
from .checks import check_incident, check_incidents
from .loader import LoadResult, load_incident, load_incidents
from .model import Incident
from .problems import Problem, ValidationFailed
from .recent import Recent
from .settings import Settings
from .status import SiteState, derive


@dataclass
class Site:
    """Validated incidents and their derived state at one moment."""

    settings: Settings
    incidents: list[Incident]
    warnings: list[Problem]
    state: SiteState


def build_time(settings: Settings) -> datetime:
    """The moment the site describes: fixed by settings for reproducible builds, else now."""
    return settings.now or datetime.now(UTC)


def validate(
    settings: Settings, now: datetime | None = None
) -> tuple[list[Incident], list[Problem]]:
    """All incidents that could be read and every problem, errors and warnings."""
    moment = now or build_time(settings)
    result = load_incidents(settings.incidents_dir, settings.locale)
    return result.incidents, _problems(result, settings, moment)


def _problems(result: LoadResult, settings: Settings, moment: datetime) -> list[Problem]:
    """The history's problems, the same for every target: counted in the site's own zone."""
    checking = _checking(settings)
    key = _history_key(result.tree, checking, moment)
    # A run that read its files through the store of read files checks through it too: the
    # store keeps only the checks a run asks it for.
    store = parsecache.active()
    reading = store is not None and store.consulted
    found = _CHECKED.get(key) if key is not None and not reading else None
    if found is None:
        found = sorted(result.problems + check_incidents(result.incidents, checking, moment))
        if key is not None:
            _CHECKED.put(key, found)
    return list(found)


def _checking(settings: Settings) -> Settings:
    """The settings the checks read: the site's zone, not a target's."""
    if settings.check_zone is None or settings.check_zone == settings.timezone:
        return settings
    return dataclasses.replace(settings, timezone=settings.check_zone)


def _history_key(
    tree: tuple[object, ...] | None, settings: Settings, moment: datetime
) -> tuple[object, ...] | None:
    """What a loaded site, or its problems, depend on: the tree, the settings but the
    target, the moment."""
    if tree is None:
        return None
    try:
        data = pickle.dumps(dataclasses.replace(settings, targets=None), pickle.HIGHEST_PROTOCOL)
    except Exception:  # a setting pickle cannot write: check again
        return None
    return (tree, data, moment)


# The last sites loaded in this process, by tree, settings and moment: the targets of one
# build whose settings differ only in the target (not, say, in time zone) load the history
# once, in one process or in workers forked from the one that loaded it. The problems are
# kept apart: a target in another time zone derives its own state, but checks nothing again.
_LOADED: Recent[tuple[object, ...], tuple[list[Incident], list[Problem], SiteState]] = Recent(2)
_CHECKED: Recent[tuple[object, ...], list[Problem]] = Recent(2)


def validate_incident(
    settings: Settings, path: Path, now: datetime | None = None
) -> tuple[Incident | None, list[Problem]]:
    """One incident's own problems, reading no other file: for edits that change no id."""
    moment = now or build_time(settings)
    result = load_incident(path, settings.locale)
    incident = next((i for i in result.incidents if i.path == path), None)
    problems = list(result.problems)
    if incident is not None:
        problems.extend(check_incident(incident, _checking(settings), moment))
    return incident, sorted(problems)


def load_site(settings: Settings, now: datetime | None = None) -> Site:
    """Load, validate and derive; raises ValidationFailed listing every error at once."""
    moment = now or build_time(settings)
    result = load_incidents(settings.incidents_dir, settings.locale)
    key = _history_key(result.tree, settings, moment)
    loaded = _LOADED.get(key) if key is not None else None
    if loaded is not None:
        incidents, problems, state = loaded
        return Site(settings, list(incidents), list(problems), state)
    incidents, problems = result.incidents, _problems(result, settings, moment)
    if any(p.is_error for p in problems):
        raise ValidationFailed(problems)
    state = derive(incidents, settings, moment)
    if key is not None:
        _LOADED.put(key, (list(incidents), list(problems), state))
    return Site(settings, incidents, problems, state)
