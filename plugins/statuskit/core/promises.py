"""Promises to readers: when the next update comes and when a fix is expected, kept or late."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .model import Incident, Update
from .settings import Settings


@dataclass(frozen=True)
class NextUpdate:
    """When readers will hear from us next: promised in the last update, or by the cadence."""

    due: datetime
    promised: bool
    cadence_minutes: int | None

    def is_late(self, now: datetime) -> bool:
        return now > self.due


def closing_status(incident: Incident) -> str:
    return "completed" if incident.is_maintenance else "resolved"


def cadence_minutes(settings: Settings, incident: Incident, at: datetime) -> int | None:
    """Minutes allowed after an update posted at `at`: the severity's own, else the policy's."""
    start = incident.started_at or (incident.updates[0].at if incident.updates else at)
    open_for = max(timedelta(0), at - start)
    severity = settings.severity(incident.severity)
    policies = settings.policies
    if severity is not None and severity.update_minutes:
        own = {**policies.update_cadence_minutes, severity.id: severity.update_minutes}
        policies = replace(policies, update_cadence_minutes=own)
    return policies.cadence(incident.severity, open_for)


def next_update(incident: Incident, settings: Settings) -> NextUpdate | None:
    """The next update owed on an open incident, or None when nothing is owed."""
    if not incident.updates:
        return None
    last = incident.updates[-1]
    if last.status == closing_status(incident):
        return None
    if last.next_update_by is not None:
        return NextUpdate(last.next_update_by, True, None)
    if incident.is_maintenance or settings.policies.level("stale_update") is None:
        return None
    minutes = cadence_minutes(settings, incident, last.at)
    if not minutes:
        return None
    return NextUpdate(last.at + timedelta(minutes=minutes), False, minutes)


@dataclass(frozen=True)
class MissedPromise:
    """An update that promised the next one by a time, and when (or whether) it came."""

    update: Update
    promised: datetime
    came: datetime | None

    def late_by(self, now: datetime) -> timedelta:
        return (self.came or now) - self.promised


def missed_promises(incident: Incident, now: datetime) -> Iterator[MissedPromise]:
    """Every `next_update_by` the following update did not meet, the open one included."""
    for index, update in enumerate(incident.updates):
        promised = update.next_update_by
        if promised is None or update.status == closing_status(incident):
            continue
        following = incident.updates[index + 1] if index + 1 < len(incident.updates) else None
        if following is not None and following.at > promised:
            yield MissedPromise(update, promised, following.at)
        elif following is None and now > promised:
            yield MissedPromise(update, promised, None)


def resolution_overdue(incident: Incident, now: datetime) -> bool:
    """The expected resolution has passed while the incident is still open."""
    eta = incident.expected_resolution
    if eta is None or not incident.updates:
        return False
    return incident.updates[-1].status != closing_status(incident) and now > eta
