"""Reliability figures: uptime, detection and resolution times, recurrences, promises kept."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from .model import Action, RecurrenceTarget
from .settings import Settings
from .status import SiteState, uptime

UPTIME_WINDOWS = (30, 90, 365)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Durations:
    """Median and worst of a set of durations; None when there is nothing to measure."""

    count: int
    median: timedelta | None
    worst: timedelta | None

    @classmethod
    def of(cls, values: list[timedelta]) -> Durations:
        if not values:
            return cls(0, None, None)
        seconds = [v.total_seconds() for v in values]
        return cls(len(values), timedelta(seconds=median(seconds)), max(values))


@dataclass
class Quarter:
    """One quarter's incidents, for quarterly review."""

    name: str
    incidents: int = 0
    by_severity: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    detect: Durations = field(default_factory=lambda: Durations(0, None, None))
    first_notice: Durations = field(default_factory=lambda: Durations(0, None, None))
    resolve: Durations = field(default_factory=lambda: Durations(0, None, None))


@dataclass(frozen=True)
class PlanItem:
    """A prevention action with the incident it came from."""

    incident_id: str
    action: Action


def quarters_back(today: date, count: int) -> list[str]:
    """The quarter of `today` and the `count - 1` before it, newest first."""
    names = []
    year, quarter = today.year, (today.month - 1) // 3
    for _ in range(count):
        names.append(f"{year}-Q{quarter + 1}")
        quarter -= 1
        if quarter < 0:
            year, quarter = year - 1, 3
    return names


@dataclass(frozen=True)
class TargetResult:
    """A recurrence target and the incidents of its tag in its window: met while within it."""

    target: RecurrenceTarget
    incident_ids: list[str]

    @property
    def met(self) -> bool:
        return len(self.incident_ids) <= self.target.max_incidents


def recurrence_results(state: SiteState, settings: Settings) -> list[TargetResult]:
    """Each configured target against the published postmortems carrying its tag."""
    zone = settings.timezone
    today = state.now.astimezone(zone).date()
    results = []
    ordered = sorted(state.incidents.values(), key=lambda s: (s.start, s.incident.id))
    for target in settings.recurrence_targets:
        window = set(quarters_back(today, target.quarters))
        hits = [
            item.incident.id
            for item in ordered
            if (pm := item.incident.published_postmortem) is not None
            and target.tag in pm.tags
            and quarter_of(item.start.astimezone(zone).date()) in window
        ]
        results.append(TargetResult(target, hits))
    return results


@dataclass
class Report:
    """Every figure of the reliability page and of `statuskit stats`."""

    today: date
    uptime: dict[str, dict[int, float | None]]
    quarters: list[Quarter]
    recurrences: dict[str, list[str]]
    actions: list[PlanItem]
    targets: list[TargetResult] = field(default_factory=list)

    @property
    def open_actions(self) -> list[PlanItem]:
        """Open actions, soonest due first (undated last)."""
        items = [a for a in self.actions if a.action.is_open]
        return sorted(items, key=lambda a: (a.action.due or date.max, a.incident_id, a.action.id))

    @property
    def overdue(self) -> list[PlanItem]:
        return [a for a in self.open_actions if a.action.is_overdue(self.today)]

    @property
    def completion(self) -> float | None:
        """Share of committed actions done; dropped ones are no longer a promise."""
        committed = [a for a in self.actions if a.action.status != "dropped"]
        if not committed:
            return None
        return sum(a.action.status == "done" for a in committed) / len(committed)


def build_report(state: SiteState, settings: Settings) -> Report:
    """The figures at the build time, from published postmortems and incident times."""
    now = state.now
    zone = settings.timezone
    today = now.astimezone(zone).date()
    windows: dict[str, dict[int, float | None]] = {c.id: {} for c in settings.components}
    for days in UPTIME_WINDOWS:
        per_day = uptime(state.incidents.values(), settings, now, days)
        for component, bars in per_day.items():
            tracked = [b for b in bars if b.tracked]
            down = sum(b.downtime_minutes for b in tracked)
            windows[component][days] = (
                100.0 * (1 - down / (len(tracked) * 1440)) if tracked else None
            )
    quarters: dict[str, Quarter] = {}
    samples: dict[str, tuple[list[timedelta], list[timedelta], list[timedelta]]] = {}
    tags: dict[str, list[str]] = {}
    actions: list[PlanItem] = []
    for item in state.incidents.values():
        incident = item.incident
        postmortem = incident.published_postmortem
        if postmortem is not None:
            for tag in postmortem.tags:
                tags.setdefault(tag, []).append(incident.id)
            actions += [PlanItem(incident.id, a) for a in postmortem.actions]
        if incident.is_maintenance or incident.started_at is None:
            continue
        name = quarter_of(incident.started_at.astimezone(zone).date())
        quarter = quarters.setdefault(name, Quarter(name))
        quarter.incidents += 1
        quarter.by_severity[incident.severity] += 1
        quarter.by_category[incident.category] += 1
        detect, notice, resolve = samples.setdefault(name, ([], [], []))
        noticed = incident.detected_at or incident.started_at
        if incident.detected_at:
            detect.append(incident.detected_at - incident.started_at)
        if incident.updates:
            notice.append(max(timedelta(0), incident.updates[0].at - noticed))
        if item.resolved_at is not None:
            resolve.append(item.resolved_at - incident.started_at)
    for name, (detect, notice, resolve) in samples.items():
        quarters[name].detect = Durations.of(detect)
        quarters[name].first_notice = Durations.of(notice)
        quarters[name].resolve = Durations.of(resolve)
    return Report(
        today=today,
        uptime=windows,
        quarters=[quarters[k] for k in sorted(quarters, reverse=True)],
        recurrences={t: sorted(ids) for t, ids in sorted(tags.items()) if len(ids) > 1},
        actions=actions,
        targets=recurrence_results(state, settings),
    )


def minutes(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)
