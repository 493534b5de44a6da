"""What an importer reads from another status page, before it is mapped onto this site."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class SourceGroup:
    """A group of components on the old page (a Statuspage group, a cState category)."""

    key: str
    name: str
    description: str | None = None
    position: int | None = None


@dataclass(frozen=True)
class SourceComponent:
    """A component on the old page; `key` is how its incidents refer to it."""

    key: str
    name: str
    description: str | None = None
    group: str | None = None
    showcase: bool | None = None
    only_show_if_degraded: bool | None = None
    start_date: str | None = None
    status: str | None = None
    aliases: tuple[str, ...] = ()
    position: int | None = None


@dataclass
class SourceUpdate:
    """One public update; `components` holds impacts as the old page reported them then."""

    at: str
    status: str
    body: str
    components: dict[str, str] = field(default_factory=dict)


@dataclass
class SourceIncident:
    """One incident or maintenance, times kept as the old page wrote them (with offsets)."""

    id: str
    kind: str
    title: str
    impact: str
    updates: list[SourceUpdate]
    components: dict[str, str] = field(default_factory=dict)
    started_at: str | None = None
    resolved_at: str | None = None
    scheduled_for: str | None = None
    scheduled_until: str | None = None
    body: str = ""
    notes: list[str] = field(default_factory=list)

    def final_impacts(self) -> dict[str, str]:
        """Each linked component's impact after the last update, as the updates tell it."""
        impacts = dict(self.components)
        for update in self.updates:
            impacts.update(update.components)
        return impacts


@dataclass
class Source:
    """Everything read from one old status page."""

    origin: str
    components: list[SourceComponent] = field(default_factory=list)
    groups: list[SourceGroup] = field(default_factory=list)
    incidents: list[SourceIncident] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    page_id: str | None = None

    def component(self, key: str) -> SourceComponent | None:
        """The component an incident refers to by key."""
        return next((c for c in self.components if c.key == key), None)


class SourceError(Exception):
    """The source cannot be read at all; the message says why and what to pass instead."""


def instant(value: str | None) -> datetime:
    """A time as the old page wrote it, aware, for ordering; unknown times sort first."""
    if not value:
        return datetime.min.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
