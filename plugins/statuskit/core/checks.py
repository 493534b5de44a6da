"""Checks that need the site's settings: references, time order and communication policies."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import pickle
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from . import parsecache
from .model import (
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    Action,
    Incident,
    Postmortem,
    Text,
)
from .problems import Problem, display_path
from .promises import missed_promises, next_update, resolution_overdue
from .settings import Settings


def check_incidents(
    incidents: Iterable[Incident], settings: Settings, now: datetime
) -> list[Problem]:
    """Every problem across all incidents, including ids used twice."""
    problems: list[Problem] = []
    seen: dict[str, Incident] = {}
    settled = _settled_checks(settings)
    for incident in incidents:
        problems.extend(settled(incident))
        problems.extend(_timely(incident, settings, now))
        if incident.id.casefold() in RESERVED_IDS:
            problems.append(
                _p(
                    incident,
                    incident.line_of("id"),
                    f"the id {incident.id!r} names a folder's own page, so the incident would "
                    "take the place of the list it belongs to",
                    "give it another `id:` or file name",
                )
            )
        # Ids differing only in case are one page on case-insensitive disks (macOS, Windows).
        other = seen.get(incident.id.casefold())
        if other is not None:
            same = other.id == incident.id
            problems.append(
                _p(
                    incident,
                    incident.line_of("id"),
                    f"id {incident.id!r} is already used by "
                    f"{display_path(other.path)}:{other.line_of('id')}"
                    + (
                        ""
                        if same
                        else f" (as {other.id!r}: ids must differ in more than letter case)"
                    ),
                    "give one of them another `id:` or file name",
                )
            )
        else:
            seen[incident.id.casefold()] = incident
    return problems


# Page names the site generator turns into their folder's own page (`index.md` is `incidents/`,
# not `incidents/index/`; MkDocs treats `README.md` the same), compared without case.
RESERVED_IDS = ("index", "readme")


ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
# Problems of this code are lagging translations: shown by `validate`, never blocking a build.
TRANSLATION = "translation"


def _p(incident: Incident, line: int, message: str, hint: str, level: str = "error") -> Problem:
    return Problem(display_path(incident.path), line, message, hint, level)


def _required(
    incident: Incident,
    level: str | None,
    severities: Iterable[str],
    present: bool,
    missing: str,
    hint: str,
) -> Iterator[Problem]:
    """A fact the policy asks of incidents of some severities: who signs, who leads, scope."""
    if level and incident.severity in severities and not present:
        message = f"a {incident.severity} incident {missing}"
        yield _p(incident, incident.line_of("severity"), message, hint, level)


def _line(incident: Incident, *keys: str) -> int:
    """Line of the first key path found (like `updates[0].status`), else 1."""
    return next((incident.lines[k] for k in keys if k in incident.lines), 1)


def _suggest(value: str, options: Iterable[str]) -> str:
    options = list(options)
    close = difflib.get_close_matches(value, options, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"use one of: {', '.join(options)}" if options else "declare it in mkdocs.yml"


def check_incident(incident: Incident, settings: Settings, now: datetime) -> Iterator[Problem]:
    """Problems of one incident, errors and policy warnings alike."""
    yield from _settled(incident, settings)
    yield from _timely(incident, settings, now)


def _settled(incident: Incident, settings: Settings) -> list[Problem]:
    """The problems the clock never changes: references, reopening, texts and fields."""
    return [
        *_check_references(incident, settings),
        *_check_reopened(incident),
        *_check_texts(incident, settings),
        *_check_fields(incident, settings),
    ]


def _timely(incident: Incident, settings: Settings, now: datetime) -> Iterator[Problem]:
    """The problems that depend on the build's moment: times, cadence, policies, postmortems."""
    yield from _check_times(incident, settings, now)
    yield from _check_forgotten(incident, settings, now)
    yield from _check_policies(incident, settings, now)
    yield from check_postmortem(incident, settings, now)


# Where the settled checks' key puts the target's time zone, which they never read.
_ANY_ZONE = ZoneInfo("UTC")


def _settled_checks(settings: Settings) -> Callable[[Incident], list[Problem]]:
    """`_settled`, kept in the reading cache for an incident read from unchanged files.

    The key names the incident's sources and path, the working folder (problems name files
    from it) and the settings without the clock, the target and its time zone: every target
    shares them, also one shown in another zone (a mirror), since none of them reads a clock.
    """
    store = parsecache.active()
    try:
        shared = dataclasses.replace(settings, now=None, targets=None, timezone=_ANY_ZONE)
        scope = pickle.dumps((shared, os.getcwd()), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # settings pickle cannot write: check every time
        store = None
    if store is None:
        return lambda incident: _settled(incident, settings)
    cache = store

    def settled(incident: Incident) -> list[Problem]:
        if not incident.source:
            return _settled(incident, settings)
        key = hashlib.blake2b(scope, digest_size=24)
        key.update(f"\0checks\0{incident.source}\0{incident.path}".encode())
        return cache.remember(key.hexdigest(), lambda: _settled(incident, settings))

    return settled


def _check_references(incident: Incident, settings: Settings) -> Iterator[Problem]:
    if not ID_PATTERN.fullmatch(incident.id):
        yield _p(
            incident,
            1,
            f"the file name gives the id {incident.id!r}, which cannot be part of a URL",
            "rename the file with letters, digits, '-' and '_', or add `id: some-id`",
        )
    severity_ids = [s.id for s in settings.severities]
    if not incident.is_maintenance and not incident.severity:
        yield _p(
            incident,
            incident.line_of("kind"),
            "an incident needs a severity",
            f"add `severity:` ({_suggest('', severity_ids)})",
        )
    elif incident.severity and incident.severity not in severity_ids:
        yield _p(
            incident,
            incident.line_of("severity"),
            f"unknown severity {incident.severity!r}",
            _suggest(incident.severity, severity_ids),
        )
    component_ids = [c.id for c in settings.components]
    for component in incident.components:
        if settings.component(component) is None:
            yield _p(
                incident,
                _line(incident, f"components.{component}", "components"),
                f"unknown component {component!r}",
                _suggest(component, component_ids),
            )
    allowed = MAINTENANCE_STATUSES if incident.is_maintenance else INCIDENT_STATUSES
    article = "an" if incident.kind.startswith(tuple("aeiou")) else "a"
    for update in incident.updates:
        item = f"updates[{update.number}]"
        if update.status not in allowed:
            yield _p(
                incident,
                _line(incident, f"{item}.status", item),
                f"status {update.status!r} is not used for {article} {incident.kind}",
                _suggest(update.status, allowed),
            )
        for component in update.components:
            if settings.component(component) is None:
                yield _p(
                    incident,
                    _line(incident, f"{item}.components.{component}", item),
                    f"unknown component {component!r} in update {update.number + 1}",
                    _suggest(component, component_ids),
                )


def _check_times(incident: Incident, settings: Settings, now: datetime) -> Iterator[Problem]:
    tolerance = timedelta(minutes=settings.policies.future_tolerance_minutes)
    if incident.is_maintenance:
        if incident.scheduled_for is None or incident.scheduled_until is None:
            yield _p(
                incident,
                incident.line_of("kind"),
                "a maintenance needs `scheduled_for` and `scheduled_until`",
                "add both times of the window, with their UTC offset",
            )
        elif incident.scheduled_until <= incident.scheduled_for:
            yield _p(
                incident,
                incident.line_of("scheduled_until"),
                "scheduled_until is not after scheduled_for",
                "the window must end after it starts",
            )
    elif incident.started_at is None:
        yield _p(
            incident,
            incident.line_of("kind"),
            "an incident needs `started_at`",
            "add when the problem began, with its UTC offset",
        )
    start = incident.started_at
    if start and start > now + tolerance:
        yield _p(
            incident,
            incident.line_of("started_at"),
            "started_at is in the future",
            "check the date and the UTC offset",
        )
    if start and incident.detected_at and incident.detected_at < start:
        yield _p(
            incident,
            incident.line_of("detected_at"),
            "detected_at is before started_at",
            "a problem is detected after it starts; check both times",
        )
    previous = None
    for update in incident.updates:
        line = _line(incident, f"updates[{update.number}].at")
        if update.at > now + tolerance:
            yield _p(
                incident,
                line,
                f"update {update.number + 1} is dated in the future ({update.at.isoformat()})",
                "check the date and the UTC offset",
            )
        if previous is not None and update.at < previous.at:
            yield _p(
                incident,
                line,
                f"update {update.number + 1} ({update.at.isoformat()}) is older than "
                f"the update before it ({previous.at.isoformat()})",
                "keep updates oldest first; append new ones at the end",
            )
        if start and not incident.is_maintenance and update.at < start:
            yield _p(
                incident,
                line,
                f"update {update.number + 1} is before the incident started",
                "check started_at and the update time",
            )
        previous = update
    closing = "completed" if incident.is_maintenance else "resolved"
    closing_updates = [u for u in incident.updates if u.status == closing]
    if incident.resolved_at is not None:
        if not closing_updates:
            yield _p(
                incident,
                incident.line_of("resolved_at"),
                f"resolved_at is set but no update has status {closing!r}",
                f"append an update with `status: {closing}` telling customers it is fixed",
            )
        if start and incident.resolved_at < start:
            yield _p(
                incident,
                incident.line_of("resolved_at"),
                "resolved_at is before started_at",
                "check both times",
            )


def _check_reopened(incident: Incident) -> Iterator[Problem]:
    """An incident is closed until an update says it is reopened: a stray status never opens it."""
    closing = "completed" if incident.is_maintenance else "resolved"
    previous = None
    for update in incident.updates:
        line = _line(incident, f"updates[{update.number}].status", f"updates[{update.number}]")
        closed_before = previous is not None and previous.status == closing
        if closed_before and update.status != closing and not update.reopened:
            yield _p(
                incident,
                line,
                f"update {update.number + 1} goes back from {closing} to {update.status!r} "
                f"without saying the {incident.kind} is reopened",
                "add `reopened: true` to this update if the problem came back, "
                "or correct its status",
            )
        elif update.reopened and not closed_before:
            yield _p(
                incident,
                _line(incident, f"updates[{update.number}].reopened", f"updates[{update.number}]"),
                f"update {update.number + 1} says `reopened: true` but does not follow "
                f"a {closing} update",
                "remove `reopened:`; only an update after the closing one reopens",
            )
        previous = update
    last = incident.updates[-1] if incident.updates else None
    if last is not None and last.status != closing and incident.resolved_at is not None:
        yield _p(
            incident,
            incident.line_of("resolved_at"),
            f"resolved_at is set but the last update says {last.status!r}",
            "remove resolved_at while it is open again, or append the closing update",
        )


def _check_forgotten(incident: Incident, settings: Settings, now: datetime) -> Iterator[Problem]:
    """An open incident nobody has updated for days: the page would tell readers it still is."""
    level = settings.policies.level("forgotten")
    hours = settings.policies.open_without_update_hours
    if not level or not hours or not incident.updates:
        return
    last = incident.updates[-1]
    since = last.at
    if incident.is_maintenance:
        # Maintenance within its window needs no update; one running past it does.
        if last.status not in ("in_progress", "verifying") or incident.scheduled_until is None:
            return
        since = max(since, incident.scheduled_until)
    elif last.status == "resolved":
        return
    if last.next_update_by is not None and now <= last.next_update_by:
        return  # readers were told when to expect the next update, and it is not due yet
    if now - since <= timedelta(hours=hours):
        return
    days = (now - last.at).total_seconds() / 86400
    yield _p(
        incident,
        last.line,
        f"the {incident.kind} is still {last.status!r} and has had no update for "
        f"{days:.1f} days (policy: an update at least every {hours} hours while open)",
        f"append an update (`statuskit update {incident.id} ...`), or resolve it "
        f"(`statuskit resolve {incident.id}`) if it is over",
        level,
    )


def _check_texts(incident: Incident, settings: Settings) -> Iterator[Problem]:
    texts: list[tuple[str, Text | None]] = [
        ("title", incident.title),
        ("workaround", incident.workaround),
        ("scope", incident.scope),
        ("body", incident.body),
    ]
    texts += [(f"updates[{u.number}].body", u.body) for u in incident.updates]
    if incident.responsible:
        texts += [
            ("responsible.name", incident.responsible.name),
            ("responsible.role", incident.responsible.role),
        ]
    if incident.lead:
        texts += [("lead.name", incident.lead.name), ("lead.role", incident.lead.role)]
    if incident.provider:
        texts.append(("provider.name", incident.provider.name))
    lines = dict(incident.lines)
    yield from _text_problems(incident.path, texts, lines, "title", settings)


def _postmortem_texts(pm: Postmortem) -> list[tuple[str, Text | None]]:
    """Every customer-facing text of a postmortem, by its key in the file."""
    texts: list[tuple[str, Text | None]] = [
        ("summary", pm.summary),
        ("body", pm.body),
        ("impact.description", pm.impact_description),
        ("impact.customers", pm.impact_customers),
        ("root_causes.technical", pm.technical_cause),
        ("root_causes.operational", pm.operational_cause),
        ("trigger", pm.trigger),
        ("detection", pm.detection),
        ("resolution", pm.resolution),
        ("apology.text", pm.apology),
    ]
    for key, items in (
        ("went_well", pm.went_well),
        ("went_badly", pm.went_badly),
        ("lessons", pm.lessons),
    ):
        texts += [(f"{key}[{n}]", text) for n, text in enumerate(items)]
    texts += [(f"timeline[{n}].event", e.event) for n, e in enumerate(pm.timeline)]
    for n, action in enumerate(pm.actions):
        texts += [
            (f"actions[{n}].title", action.title),
            (f"actions[{n}].target", action.target),
            (f"actions[{n}].reason", action.reason),
        ]
        if action.verification:
            texts += [
                (f"actions[{n}].verification.method", action.verification.method),
                (f"actions[{n}].verification.result", action.verification.result),
            ]
    return texts


def _text_problems(
    path: Path,
    texts: list[tuple[str, Text | None]],
    lines: dict[str, int],
    anchor: str,
    settings: Settings,
) -> Iterator[Problem]:
    """Unknown locales (errors) and, as one warning per file, texts lacking a site locale.

    The file is named only when there is a problem (a long history has few among many files).
    """
    known = set(settings.locales)
    level = settings.policies.missing_translation
    untranslated: dict[str, list[str]] = {}
    for key, text in texts:
        if text is None:
            continue
        for locale in text.values:
            if locale not in known:
                yield Problem(
                    display_path(path),
                    lines.get(f"{key}.{locale}", lines.get(key, 1)),
                    f"unknown locale {locale!r}",
                    _suggest(locale, sorted(known)) + " (or add it to the site's locales)",
                )
        if level in ("warning", "error") and text:
            for locale in settings.locales:
                if locale not in text.values:
                    untranslated.setdefault(locale, []).append(key)
    if untranslated:
        fields = sorted({key for keys in untranslated.values() for key in keys})
        listed = ", ".join(fields[:4]) + (f" and {len(fields) - 4} more" if len(fields) > 4 else "")
        yield Problem(
            display_path(path),
            lines.get(anchor, 1),
            f"no {', '.join(untranslated)} translation of {listed}",
            "add the text for each locale; until then readers see the default locale's text",
            level,
            code=TRANSLATION,
        )


def _check_policies(incident: Incident, settings: Settings, now: datetime) -> Iterator[Problem]:
    policies = settings.policies
    if incident.is_maintenance or not incident.updates:
        return
    first = incident.updates[0]
    noticed = incident.detected_at or incident.started_at
    severity = settings.severity(incident.severity)
    limit = policies.first_notice_minutes
    if severity is not None and severity.first_notice_minutes:
        limit = severity.first_notice_minutes
    level = policies.level("first_notice")
    if level and limit is not None and noticed and first.at - noticed > timedelta(minutes=limit):
        minutes = int((first.at - noticed).total_seconds() // 60)
        yield _p(
            incident,
            first.line,
            f"the first public notice came {minutes} minutes after detection "
            f"(policy: within {limit})",
            "post a first, provisional notice sooner next time; the record stays as it happened",
            level,
        )
    yield from _required(
        incident,
        policies.level("responsible"),
        policies.responsible_required_for,
        incident.responsible is not None,
        "needs a named responsible person",
        "add `responsible: {name: ..., role: ...}`",
    )
    yield from _required(
        incident,
        policies.level("scope"),
        policies.scope_required_for,
        bool(incident.scope),
        "should state its scope",
        "add `scope:` naming the affected features, regions or customers",
    )
    yield from _check_promises(incident, settings, now)
    yield from _check_people(incident, settings)
    yield from _check_postmortem_due(incident, settings, now)


def _minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


def _check_promises(incident: Incident, settings: Settings, now: datetime) -> Iterator[Problem]:
    """Promised updates and the cadence kept; an expected resolution that passed is restated."""
    policies = settings.policies
    owed = next_update(incident, settings)
    level = policies.level("stale_update")
    last = incident.updates[-1]
    if level and owed is not None and not owed.promised and owed.is_late(now):
        yield _p(
            incident,
            last.line,
            f"the incident is open and its last update is {_minutes(now - last.at)} minutes old "
            f"(policy for {incident.severity or 'this severity'}: an update every "
            f"{owed.cadence_minutes} minutes)",
            "post an update, even if nothing changed, and say when the next one comes "
            "(`next_update_by:`)",
            level,
        )
    promise_level = policies.level("promise_kept")
    for missed in missed_promises(incident, now) if promise_level else ():
        item = f"updates[{missed.update.number}]"
        late = _minutes(missed.late_by(now))
        message = (
            f"update {missed.update.number + 1} promised the next update by "
            f"{missed.promised.isoformat()}; "
        )
        if missed.came is None:
            message += f"it is {late} minutes late"
            hint = "post the promised update now; the page tells readers it is late"
        else:
            message += f"it came {late} minutes late"
            hint = "promise a time you can keep next time; the record stays as it happened"
        line = _line(incident, f"{item}.next_update_by", item)
        yield _p(incident, line, message, hint, promise_level or "warning")
    level = policies.level("expected_resolution")
    if level and resolution_overdue(incident, now):
        assert incident.expected_resolution is not None
        yield _p(
            incident,
            incident.line_of("expected_resolution"),
            f"the expected resolution ({incident.expected_resolution.isoformat()}) has passed "
            "and the incident is still open",
            "give a new estimate in `expected_resolution:` and say so in an update",
            level,
        )


def _check_people(incident: Incident, settings: Settings) -> Iterator[Problem]:
    """The communication lead and who is affected, where the site's policy asks for them."""
    policies = settings.policies
    yield from _required(
        incident,
        policies.level("lead"),
        policies.lead_required_for,
        incident.lead is not None,
        "needs a named communication lead",
        "add `lead: {name: ..., role: ...}`: the one person who decides what is said",
    )
    yield from _required(
        incident,
        policies.level("affected"),
        policies.affected_required_for,
        bool(incident.affected),
        "should say who is affected",
        "add `affected: {customers: all}` or `affected: {customers: some, regions: [...]}`",
    )


def _check_fields(incident: Incident, settings: Settings) -> Iterator[Problem]:
    """Facts that cannot be right whatever the policy: categories, promises, who is affected."""
    categories = [c.id for c in settings.categories]
    # Only a category written in the file is checked: the default one may not be in the taxonomy.
    if "category" in incident.lines and incident.category not in categories:
        yield _p(
            incident,
            incident.line_of("category"),
            f"unknown category {incident.category!r}",
            _suggest(incident.category, categories),
        )
    for update in incident.updates:
        item = f"updates[{update.number}]"
        if update.next_update_by is not None and update.next_update_by <= update.at:
            yield _p(
                incident,
                _line(incident, f"{item}.next_update_by", item),
                f"update {update.number + 1} promises its next update before it was posted",
                "next_update_by is a later time: when readers will hear from us again",
            )
    eta = incident.expected_resolution
    if eta is not None and incident.started_at is not None and eta < incident.started_at:
        yield _p(
            incident,
            incident.line_of("expected_resolution"),
            "expected_resolution is before started_at",
            "check the date and the UTC offset",
        )
    affected = incident.affected
    if affected is not None and affected.customers == "all":
        narrowed = [k for k in ("regions", "plans", "platforms") if getattr(affected, k)]
        if narrowed:
            yield _p(
                incident,
                _line(incident, f"affected.{narrowed[0]}", "affected"),
                f"`affected` says all customers but lists {' and '.join(narrowed)}",
                "use `customers: some` for a part of the customers, or drop the list",
            )


def _resolved_at(incident: Incident) -> datetime | None:
    if incident.resolved_at is not None:
        return incident.resolved_at
    last = incident.updates[-1] if incident.updates else None
    return last.at if last is not None and last.status == "resolved" else None


def _check_postmortem_due(
    incident: Incident, settings: Settings, now: datetime
) -> Iterator[Problem]:
    policies = settings.policies
    level = policies.level("postmortem_due")
    days = policies.postmortem_due_days
    resolved = _resolved_at(incident)
    if not level or not days or resolved is None or incident.published_postmortem:
        return
    if incident.severity in policies.postmortem_required_for and now - resolved > timedelta(
        days=days
    ):
        yield _p(
            incident,
            incident.line_of("severity"),
            f"this {incident.severity} incident was resolved more than {days} days ago "
            "and has no published postmortem",
            f"publish {incident.path.with_suffix('').name}.postmortem.md beside it",
            level,
        )


def _check_action_progress(
    shown: str, action: Action, settings: Settings, now: datetime
) -> Iterator[Problem]:
    """Milestones past due and verifications not done: a plan tracked to done, then proven."""
    today = now.astimezone(settings.timezone).date()
    level = settings.policies.level("milestone_overdue")
    if level and action.is_open:
        for milestone in action.milestones:
            if milestone.is_overdue(today):
                days = (today - milestone.due).days
                yield Problem(
                    shown,
                    milestone.line,
                    f"a milestone of action {action.id} was due {milestone.due.isoformat()} "
                    f"and is {days} days overdue",
                    "add its `done_at:` if it is done, or give it a new `due:` and say why",
                    level,
                )
    check = action.verification
    if check is None:
        return
    if check.outcome is not None and check.verified_at is None:
        yield Problem(
            shown,
            action.line,
            f"action {action.id} has a verification outcome but no `verified_at`",
            "add the date the effect was checked, like 2026-10-31",
        )
    level = settings.policies.level("verification")
    if level and action.status == "done" and check.is_overdue(today):
        assert check.due is not None
        yield Problem(
            shown,
            action.line,
            f"the effect of action {action.id} was to be verified by {check.due.isoformat()} "
            "and has no outcome",
            "record `outcome:` (effective, partly_effective, not_effective), `verified_at:` and "
            "`result:`",
            level,
        )


def check_postmortem(incident: Incident, settings: Settings, now: datetime) -> Iterator[Problem]:
    """Problems of an incident's postmortem, reported against the postmortem file."""
    pm = incident.postmortem
    if pm is None:
        return
    shown = display_path(pm.path)
    policies = settings.policies
    yield from _text_problems(pm.path, _postmortem_texts(pm), pm.lines, "status", settings)
    if pm.is_published and pm.published_at is None:
        yield Problem(
            shown,
            pm.line_of("status"),
            "a published postmortem needs `published_at`",
            "add when it was published, with its UTC offset",
        )
    if pm.published_at and pm.published_at > now + timedelta(
        minutes=policies.future_tolerance_minutes
    ):
        yield Problem(
            shown, pm.line_of("published_at"), "published_at is in the future", "check it"
        )
    seen: set[str] = set()
    for action in pm.actions:
        if action.id in seen:
            yield Problem(
                shown, action.line, f"action id {action.id!r} is used twice", "give each its own id"
            )
        seen.add(action.id)
        if action.status == "dropped" and not action.reason:
            yield Problem(
                shown,
                action.line,
                f"action {action.id} is dropped without a reason",
                "add `reason:` telling customers why it will not be done",
            )
        if action.status == "done" and action.done_at is None:
            yield Problem(
                shown,
                action.line,
                f"action {action.id} is done but has no `done_at`",
                "add the date it was done, like 2026-10-31",
            )
        level = policies.level("action_owner")
        if level and action.status != "dropped" and (not action.owner or action.due is None):
            missing = " and ".join(
                name for name, value in (("owner", action.owner), ("due", action.due)) if not value
            )
            yield Problem(
                shown,
                action.line,
                f"action {action.id} has no {missing}",
                "every prevention action needs a named owner and a due date",
                level,
            )
        yield from _check_action_progress(shown, action, settings, now)
    level = policies.level("apology_signed")
    if level and pm.apology and pm.signed_by is None and incident.responsible is None:
        yield Problem(
            shown,
            pm.line_of("apology"),
            "the apology is signed by no named person",
            "add `signed_by: {name: ..., role: ...}` or `responsible:` to the incident",
            level,
        )
    comp = pm.compensation
    if comp is None:
        return
    policy = settings.compensation
    if comp.tier and policy.tier(comp.tier) is None:
        known = ", ".join(t.id for t in policy.tiers) or "none declared"
        yield Problem(
            shown,
            pm.line_of("compensation.tier"),
            f"unknown compensation tier {comp.tier!r}",
            f"{_suggest(comp.tier, [t.id for t in policy.tiers])} (tiers: {known})",
        )
    level = policies.level("compensation_basis")
    resolved = _resolved_at(incident)
    duration = (resolved - incident.started_at) if resolved and incident.started_at else None
    computed = policy.tier_for(incident.severity, duration) if duration is not None else None
    if level and not comp.tier and not comp.offer and computed is None:
        yield Problem(
            shown,
            comp.line,
            "compensation is promised without a policy tier or an explicit offer",
            "add `tier:` from the compensation policy or `offer:` stating what customers get",
            level,
        )
