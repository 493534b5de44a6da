"""The incident model: plain data read from incident files and the site configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
IMPACTS = ("degraded_performance", "partial_outage", "major_outage", "under_maintenance")
COMPONENT_STATUSES = ("operational", *IMPACTS)
# The default taxonomy of causes: the kinds of crisis the communication guides name.
CATEGORIES = (
    "technical",
    "operational",
    "natural_disaster",
    "security",
    "product_defect",
    "social",
    "external",
    "customer",
)
AFFECTED_CUSTOMERS = ("all", "some")
VERIFICATION_OUTCOMES = ("effective", "partly_effective", "not_effective")
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
class Milestone:
    """A dated step of an action, tracked like the action: due, done, or overdue."""

    title: Text
    due: date
    done_at: date | None
    line: int = 1

    def is_overdue(self, today: date) -> bool:
        return self.done_at is None and self.due < today


@dataclass(frozen=True)
class Verification:
    """How an action's effect is checked, and what the check found, so a fix is proven."""

    method: Text
    due: date | None
    verified_at: date | None
    outcome: str | None
    result: Text | None

    def is_overdue(self, today: date) -> bool:
        return self.outcome is None and self.due is not None and self.due < today


@dataclass(frozen=True)
class Action:
    """One item of the prevention plan: owned, dated, and shown overdue until done."""

    id: str
    title: Text
    type: str
    owner: str
    due: date | None
    status: str
    done_at: date | None
    reason: Text | None
    target: Text | None
    milestones: list[Milestone]
    line: int
    verification: Verification | None = None

    @property
    def is_open(self) -> bool:
        return self.status in ("planned", "in_progress")

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due is not None and self.due < today

    def progress(self) -> tuple[int, int]:
        """Milestones done out of all; an action without milestones counts itself."""
        if not self.milestones:
            return (1 if self.status == "done" else 0), 1
        return sum(m.done_at is not None for m in self.milestones), len(self.milestones)


@dataclass(frozen=True)
class Payout:
    status: str
    date: date | None
    customers: int | None


@dataclass(frozen=True)
class IncidentCompensation:
    """What this incident's customers get: a policy tier or an explicitly stated offer."""

    tier: str | None
    eligible: Text | None
    offer: Text | None
    exceptions: Text | None
    payout: Payout | None
    line: int


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    event: Text


@dataclass(frozen=True)
class Figure:
    label: Text
    value: Text


@dataclass
class Postmortem:
    """The published account of one incident, authored beside its incident file."""

    path: Path
    status: str
    published_at: datetime | None
    summary: Text | None
    body: Text
    impact_description: Text | None
    impact_customers: Text | None
    impact_regions: list[str]
    figures: list[Figure]
    technical_cause: Text | None
    operational_cause: Text | None
    tags: list[str]
    trigger: Text | None
    detection: Text | None
    resolution: Text | None
    went_well: list[Text]
    went_badly: list[Text]
    lessons: list[Text]
    timeline: list[TimelineEvent]
    apology: Text | None
    signed_by: Responsible | None
    actions: list[Action]
    compensation: IncidentCompensation | None
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


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
    next_update_by: datetime | None = None
    # The problem came back: this update follows a resolved (or completed) one on purpose.
    reopened: bool = False


@dataclass(frozen=True)
class Affected:
    """Who is affected: all customers or some, narrowed by region, plan or platform."""

    customers: str
    regions: list[Text]
    plans: list[Text]
    platforms: list[Text]


@dataclass(frozen=True)
class Provider:
    """A third party whose failure caused an incident, and where its own status is published."""

    name: Text
    status_url: str | None


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
    expected_resolution: datetime | None = None
    affected: Affected | None = None
    lead: Responsible | None = None
    provider: Provider | None = None
    # Digest of the files it was read from (its postmortem's included; their names, not where
    # they lie): equal sources read by equal code give an equal incident, so a key can take
    # this in its place. Empty when unknown (an incident not read from files).
    source: str = field(default="", compare=False, repr=False)

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


def by_source(incident: Incident) -> str | tuple[Any, ...]:
    """How a key (never a stored pickle) writes an incident: by its sources' digest when
    known, a few bytes in place of every update and text."""
    if incident.source:
        return (IncidentSource, (incident.source,))
    return incident.__reduce_ex__(5)


class IncidentSource(str):
    """What a key holds in the place of an incident read from files: its sources' digest."""


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
    description: Text | None = None
    examples: tuple[Text, ...] = ()
    first_notice_minutes: int | None = None
    update_minutes: int | None = None


@dataclass(frozen=True)
class Category:
    """One kind of incident cause in the site's taxonomy, shown to readers and counted."""

    id: str
    name: Text
    description: Text | None = None


@dataclass(frozen=True)
class RecurrenceTarget:
    """A promise about a root-cause tag, e.g. no recurrence in two quarters, checked in reports."""

    tag: str
    max_incidents: int
    quarters: int
    description: Text | None = None
