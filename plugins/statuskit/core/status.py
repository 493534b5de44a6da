"""Status derived at build time: what is open now, each component's status, uptime per day."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from .model import STATUS_RANK, Incident
from .settings import Settings

# Share of a period counted as downtime, as Statuspage counts uptime.
DOWNTIME_WEIGHT = {"major_outage": 1.0, "partial_outage": 0.3}
IMPACT_RANK = {"none": 0, "maintenance": 1, "minor": 2, "major": 3, "critical": 4}


@dataclass(frozen=True)
class Segment:
    """A span of time during which an incident gave a component one impact."""

    component: str
    start: datetime
    end: datetime
    impact: str


@dataclass
class IncidentState:
    """Everything about one incident that depends on the build time."""

    incident: Incident
    status: str
    is_open: bool
    is_upcoming: bool
    resolved_at: datetime | None
    impacts: dict[str, str]
    segments: list[Segment]
    impact: str
    monitoring_at: datetime | None
    # When it began: the window for maintenance, the start for incidents. Set once: the
    # history's pages, feeds and reports sort and filter ten thousand states by it.
    start: datetime = field(init=False)

    def __post_init__(self) -> None:
        inc = self.incident
        first = inc.updates[0].at if inc.updates else None
        value = inc.scheduled_for if inc.is_maintenance else inc.started_at
        self.start = value or first or datetime.min.replace(tzinfo=ZoneInfo("UTC"))

    @property
    def last_update_at(self) -> datetime:
        return self.incident.updates[-1].at if self.incident.updates else self.start

    def duration(self, now: datetime) -> timedelta:
        return (self.resolved_at or now) - self.start


@dataclass
class DayStatus:
    """One bar of an uptime chart: the worst status of a component on one local day."""

    day: date
    status: str
    downtime_minutes: float
    incidents: list[str]
    tracked: bool = True


@dataclass
class SiteState:
    """The whole site's derived state for one build."""

    now: datetime
    incidents: dict[str, IncidentState]
    component_status: dict[str, str]
    indicator: str
    uptime_days: dict[str, list[DayStatus]] = field(default_factory=dict)

    def uptime_percent(self, component_id: str) -> float | None:
        days = [d for d in self.uptime_days.get(component_id, []) if d.tracked]
        if not days:
            return None
        down = sum(d.downtime_minutes for d in days)
        return max(0.0, 100.0 * (1 - down / (len(days) * 1440)))

    def open_incidents(self) -> list[IncidentState]:
        items = [s for s in self.incidents.values() if s.is_open and not s.incident.is_maintenance]
        return sorted(items, key=lambda s: s.start, reverse=True)

    def maintenance(self) -> list[IncidentState]:
        """Maintenance in progress or still to come, soonest first."""
        items = [
            s
            for s in self.incidents.values()
            if s.incident.is_maintenance and (s.is_open or s.is_upcoming)
        ]
        return sorted(items, key=lambda s: s.start)

    def closed(self) -> list[IncidentState]:
        """Resolved incidents and finished maintenance, newest first: the history."""
        items = [s for s in self.incidents.values() if not s.is_open and not s.is_upcoming]
        return sorted(items, key=lambda s: (s.start, s.incident.id), reverse=True)


def worst(statuses: list[str]) -> str:
    return max(statuses, key=STATUS_RANK.__getitem__, default="operational")


def derive_incident(incident: Incident, settings: Settings, now: datetime) -> IncidentState:
    """The state of one incident at the build time."""
    updates = incident.updates
    last = updates[-1].status if updates else ("scheduled" if incident.is_maintenance else "")
    resolved_at = incident.resolved_at
    monitoring_at = next((u.at for u in updates if u.status == "monitoring"), None)
    severity = settings.severity(incident.severity)
    if incident.is_maintenance:
        status, start, end = _maintenance_window(incident, last, now)
        is_open = status in ("in_progress", "verifying")
        is_upcoming = status == "scheduled"
        if status == "completed":
            resolved_at = resolved_at or end
        impact = "maintenance"
        impacts = {
            c: i if i != "operational" else "under_maintenance"
            for c, i in incident.components.items()
        }
        segments = [Segment(c, start, end, i) for c, i in impacts.items()] if start and end else []
        current = impacts if is_open else {}
    else:
        status = last
        is_open = status != "resolved"
        is_upcoming = False
        if not is_open:
            resolved_at = resolved_at or updates[-1].at
        impact = severity.impact if severity else "none"
        segments, current = _incident_segments(incident, resolved_at, now)
    return IncidentState(
        incident=incident,
        status=status,
        is_open=is_open,
        is_upcoming=is_upcoming,
        resolved_at=resolved_at,
        impacts=current,
        segments=segments,
        impact=impact,
        monitoring_at=monitoring_at,
    )


def _maintenance_window(
    incident: Incident, last: str, now: datetime
) -> tuple[str, datetime | None, datetime | None]:
    """Maintenance moves by itself from scheduled to in progress to completed with its window."""
    start, end = incident.scheduled_for, incident.scheduled_until
    begun = next((u.at for u in incident.updates if u.status == "in_progress"), None)
    finished = next((u.at for u in incident.updates if u.status == "completed"), None)
    start = begun or start
    end = finished or end
    status = last
    if last == "scheduled" and start and end:
        if now >= end:
            status = "completed"
        elif now >= start:
            status = "in_progress"
    return status, start, end


def _incident_segments(
    incident: Incident, resolved_at: datetime | None, now: datetime
) -> tuple[list[Segment], dict[str, str]]:
    """Split an incident into spans of constant impact per component, updates changing them."""
    start = incident.started_at or (incident.updates[0].at if incident.updates else now)
    end = resolved_at or now
    impacts = dict(incident.components)
    opened = dict.fromkeys(impacts, start)
    segments: list[Segment] = []
    for update in incident.updates:
        for component, impact in update.components.items():
            if component in impacts and impacts[component] != impact:
                segments.append(
                    Segment(component, opened[component], update.at, impacts[component])
                )
            if component not in impacts or impacts[component] != impact:
                impacts[component] = impact
                opened[component] = max(update.at, start)
    for component, impact in impacts.items():
        if end > opened[component]:
            segments.append(Segment(component, opened[component], end, impact))
    segments = [s for s in segments if s.impact != "operational" and s.end > s.start]
    current = {} if resolved_at else {c: i for c, i in impacts.items() if i != "operational"}
    return segments, current


def derive(incidents: list[Incident], settings: Settings, now: datetime) -> SiteState:
    """The site's state at `now`, computed once per build and shared by every page."""
    states = {i.id: derive_incident(i, settings, now) for i in incidents}
    per_component: dict[str, list[str]] = {c.id: [] for c in settings.components}
    indicator = "none"
    for state in states.values():
        if not state.is_open:
            continue
        for component, impact in state.impacts.items():
            per_component.setdefault(component, []).append(impact)
        if IMPACT_RANK[state.impact] > IMPACT_RANK[indicator]:
            indicator = state.impact
    site = SiteState(
        now=now,
        incidents=states,
        component_status={c: worst(v) for c, v in per_component.items()},
        indicator=indicator,
    )
    site.uptime_days = uptime(states.values(), settings, now)
    return site


def uptime(
    states: Iterable[IncidentState], settings: Settings, now: datetime, span: int | None = None
) -> dict[str, list[DayStatus]]:
    """Per component, the last N local days, each with its worst status and weighted downtime."""
    zone = settings.timezone
    count = span or settings.uptime_days
    today = now.astimezone(zone).date()
    first = today - timedelta(days=count - 1)
    window_start = datetime.combine(first, time(), zone)
    days = {
        c.id: {
            first + timedelta(days=n): DayStatus(
                first + timedelta(days=n),
                "operational",
                0.0,
                [],
                tracked=c.start_date is None or first + timedelta(days=n) >= c.start_date,
            )
            for n in range(count)
        }
        for c in settings.components
    }
    pieces: dict[tuple[str, date], list[tuple[datetime, datetime, float]]] = {}
    for state in states:
        for segment in state.segments:
            if segment.end <= window_start or segment.component not in days:
                continue
            for day, start, end in _spread(
                segment, state.incident.id, days[segment.component], zone, window_start, now
            ):
                weight = DOWNTIME_WEIGHT.get(segment.impact, 0.0)
                pieces.setdefault((segment.component, day), []).append((start, end, weight))
    for (component, day), spans in pieces.items():
        days[component][day].downtime_minutes = _weighted_minutes(spans)
    return {c: list(d.values()) for c, d in days.items()}


def _weighted_minutes(spans: list[tuple[datetime, datetime, float]]) -> float:
    """Downtime of one day: at each moment the worst impact counts, overlaps only once."""
    bounds = sorted({moment for start, end, _ in spans for moment in (start, end)})
    total = 0.0
    for left, right in pairwise(bounds):
        weight = max((w for start, end, w in spans if start <= left and end >= right), default=0.0)
        total += (right - left).total_seconds() / 60 * weight
    return total


def _spread(
    segment: Segment,
    incident_id: str,
    days: dict[date, DayStatus],
    zone: ZoneInfo,
    window_start: datetime,
    now: datetime,
) -> Iterator[tuple[date, datetime, datetime]]:
    """Mark each local day a segment touches with its status; yield the part in each day."""
    start = max(segment.start, window_start)
    end = min(segment.end, now)
    day = start.astimezone(zone).date()
    while True:
        day_start = datetime.combine(day, time(), zone)
        day_end = datetime.combine(day + timedelta(days=1), time(), zone)
        if day_start >= end or day not in days:
            break
        bar = days[day]
        piece_start, piece_end = max(start, day_start), min(end, day_end)
        if piece_end > piece_start:
            bar.status = worst([bar.status, segment.impact])
            if incident_id not in bar.incidents:
                bar.incidents.append(incident_id)
            yield day, piece_start, piece_end
        day += timedelta(days=1)
