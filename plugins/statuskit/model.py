"""The incident model: plain data read from incident files and the site configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .postmortems import Postmortem

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
IMPACTS = ("degraded_performance", "partial_outage", "major_outage", "under_maintenance")
COMPONENT_STATUSES = ("operational", *IMPACTS)
CATEGORIES = ("technical", "operational", "external", "customer")
KINDS = ("incident", "maintenance")

# A status as people write it ("In progress") to its id ("in_progress"), for importers.
STATUS_BY_WORD = {s.replace("_", " "): s for s in (*INCIDENT_STATUSES, *MAINTENANCE_STATUSES)}

# Worst last: a component shows the worst status any open incident or maintenance gives it.
STATUS_RANK = {
    "operational": 0,
    "under_maintenance": 1,
    "degraded_performance": 2,
    "partial_outage": 3,
    "major_outage": 4,
}


@dataclass(frozen=True)
class Text:
    """Text in one or more locales, so one incident file can serve every localized site."""

    values: dict[str, str]

    def get(self, locale: str, default_locale: str) -> Localized:
        """The text for a locale, falling back to the default locale (then any) when missing."""
        if locale in self.values:
            return Localized(self.values[locale], locale, fallback=False)
        for candidate in (default_locale, *self.values):
            if candidate in self.values:
                return Localized(self.values[candidate], candidate, fallback=True)
        return Localized("", locale, fallback=False)

    def __bool__(self) -> bool:
        return any(v.strip() for v in self.values.values())


@dataclass(frozen=True)
class Localized:
    """A text resolved for one locale, remembering which language it really is in."""

    text: str
    lang: str
    fallback: bool

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Responsible:
    """The accountable person who signs public statements for the company."""

    name: Text
    role: Text


@dataclass(frozen=True)
class Update:
    """One public update: a few lines appended to the incident file."""

    at: datetime
    status: str
    body: Text
    provisional: bool
    components: dict[str, str]
    line: int
    number: int


@dataclass
class Incident:
    """One incident or scheduled maintenance, as written in its file."""

    id: str
    path: Path
    kind: str
    title: Text
    severity: str
    category: str
    components: dict[str, str]
    regions: list[str]
    started_at: datetime | None
    detected_at: datetime | None
    resolved_at: datetime | None
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    updates: list[Update]
    body: Text
    workaround: Text | None = None
    scope: Text | None = None
    responsible: Responsible | None = None
    internal: Text | None = None
    lines: dict[str, int] = field(default_factory=dict)
    postmortem: Postmortem | None = None

    @property
    def is_maintenance(self) -> bool:
        return self.kind == "maintenance"

    @property
    def published_postmortem(self) -> Postmortem | None:
        """The postmortem readers may see: drafts are never published."""
        pm = self.postmortem
        return pm if pm is not None and pm.is_published else None

    def line_of(self, key: str) -> int:
        """Line of a key path such as `severity` or `updates[0].status`, or 1."""
        return self.lines.get(key, 1)


@dataclass(frozen=True)
class Group:
    """A group of components shown together on the home page."""

    id: str
    name: Text
    description: Text | None
    position: int


@dataclass(frozen=True)
class Component:
    """A part of the service whose status customers follow."""

    id: str
    name: Text
    description: Text | None
    group: str | None
    position: int
    showcase: bool = True
    only_show_if_degraded: bool = False
    start_date: date | None = None


@dataclass(frozen=True)
class Severity:
    """One level of the severity scale, defined up front by the site."""

    id: str
    name: Text
    color: str
    impact: str
