"""What an importer reads from another status page, before it is mapped onto this site."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T")


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
    # Written by the importer, not read: an opening or closing update the source lacked.
    added: bool = False


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
    skipped_updates: int = 0
    # How much the source tells: a feed (0) has no impacts and no seconds, the API files (1) do.
    detail: int = 1

    @property
    def updates_read(self) -> int:
        """Updates the source held, whether carried or skipped; not those the import added."""
        return sum(not u.added for u in self.updates) + self.skipped_updates

    def final_impacts(self) -> dict[str, str]:
        """Each linked component's impact after the last update, as the updates tell it."""
        impacts = dict(self.components)
        for update in self.updates:
            impacts.update(update.components)
        return impacts


@dataclass
class SourceFile:
    """What one file of the source held, so the report can say exactly what was read."""

    name: str
    incidents: int = 0
    updates: int = 0
    skipped_incidents: int = 0
    skipped_updates: int = 0
    # Set when the file can only hold the newest part of a history: what it holds.
    partial: str | None = None
    # When its oldest incident began: an older copy reaching further back covers its cut.
    oldest: datetime | None = None


@dataclass
class Source:
    """Everything read from one old status page."""

    origin: str
    components: list[SourceComponent] = field(default_factory=list)
    groups: list[SourceGroup] = field(default_factory=list)
    incidents: list[SourceIncident] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    page_id: str | None = None
    files: list[SourceFile] = field(default_factory=list)
    # Where the old page was served: links in the text to its incidents are rewritten.
    page_urls: list[str] = field(default_factory=list)
    # How the old page addressed an incident: `incidents` (Statuspage) or `issues` (cState).
    incident_path: str = "incidents"

    def component(self, key: str) -> SourceComponent | None:
        """The component an incident refers to by key."""
        return next((c for c in self.components if c.key == key), None)


def merge(sources: Sequence[Source]) -> Source:
    """Several saved copies of one page, oldest first, as one source.

    An incident in several copies is read from the one that holds the most of it: the most
    updates, then the most detail (API files over a feed), then the latest copy.
    """
    if len(sources) == 1:
        return sources[0]
    merged = Source(" + ".join(s.origin for s in sources))
    by_id: dict[str, SourceIncident] = {}
    earliest: datetime | None = None
    for source in sources:
        for read in source.files:
            if read.partial and read.oldest and earliest and earliest < read.oldest:
                read.partial = None  # an older copy given before it reaches further back
        starts = [f.oldest for f in source.files if f.oldest is not None]
        if starts and (earliest is None or min(starts) < earliest):
            earliest = min(starts)
        for component in source.components:
            if merged.component(component.key) is None:
                merged.components.append(component)
        for group in source.groups:
            if all(g.key != group.key for g in merged.groups):
                merged.groups.append(group)
        for incident in source.incidents:
            seen = by_id.get(incident.id)
            if seen is None or (incident.updates_read, incident.detail) >= (
                seen.updates_read,
                seen.detail,
            ):
                by_id.pop(incident.id, None)
                by_id[incident.id] = incident
        merged.notes += [n for n in source.notes if n not in merged.notes]
        merged.files += source.files
        merged.page_urls += [u for u in source.page_urls if u not in merged.page_urls]
        merged.page_id = merged.page_id or source.page_id
        merged.incident_path = source.incident_path
    merged.incidents = list(by_id.values())
    return merged


def oldest_first(items: Sequence[T], when: Callable[[T], Any], newest_first: bool) -> list[T]:
    """Items in time order, ties in the order they were posted.

    Sources list updates newest first (Statuspage's API and feeds) or oldest first (most cState
    files): which one a list is follows from its first and last times, or from the source's
    habit when every time is the same. Reversed into posting order, a stable sort by time keeps
    any number of updates of the same minute in the order they were posted.
    """
    times = [when(item) for item in items]
    if times and times[0] != times[-1]:
        newest_first = times[0] > times[-1]
    posted = list(reversed(items)) if newest_first else list(items)
    return sorted(posted, key=when)


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
