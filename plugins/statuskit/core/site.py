"""One call from settings to a validated, derived site: what every adapter (MkDocs, CLI) uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .checks import check_incident, check_incidents
from .loader import load_incident, load_incidents
from .model import Incident
from .problems import Problem, ValidationFailed
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
    problems = result.problems + check_incidents(result.incidents, settings, moment)
    return result.incidents, sorted(problems)


def validate_incident(
    settings: Settings, path: Path, now: datetime | None = None
) -> tuple[Incident | None, list[Problem]]:
    """One incident's own problems, reading no other file: for edits that change no id."""
    moment = now or build_time(settings)
    result = load_incident(path, settings.locale)
    incident = next((i for i in result.incidents if i.path == path), None)
    problems = list(result.problems)
    if incident is not None:
        problems.extend(check_incident(incident, settings, moment))
    return incident, sorted(problems)


def load_site(settings: Settings, now: datetime | None = None) -> Site:
    """Load, validate and derive; raises ValidationFailed listing every error at once."""
    moment = now or build_time(settings)
    incidents, problems = validate(settings, moment)
    if any(p.is_error for p in problems):
        raise ValidationFailed(problems)
    return Site(settings, incidents, problems, derive(incidents, settings, moment))
