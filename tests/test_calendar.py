"""The maintenance calendar of real sites, parsed back with icalendar and checked field by field."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, core_settings
from statuskit.core.settings import Policies
from statuskit.core.site import Site, load_site
from statuskit.outputs.calendar import CalendarRenderer, render_calendar

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=SEOUL)
BASE = "https://status.example.com/"

UPCOMING = """
---
title: {en: Database upgrade, ko: 데이터베이스 업그레이드}
kind: maintenance
components: {payments: under_maintenance}
scheduled_for: 2026-03-20T01:00:00+09:00
scheduled_until: 2026-03-20T03:00:00+09:00
internal: Runbook OPS-777; call 010-0000-0000.
updates:
  - at: 2026-03-10T10:00:00+09:00
    status: scheduled
    body: |
      We will upgrade the payments database; card payments pause, briefly.

      - Refunds wait
      - Transfers work <script>alert(1)</script>
---
"""

CURRENT = """
---
title: Network switch replacement
kind: maintenance
components: {api: under_maintenance}
scheduled_for: 2026-03-15T11:00:00+09:00
scheduled_until: 2026-03-15T13:00:00+09:00
updates:
  - at: 2026-03-12T09:00:00+09:00
    status: scheduled
    body: We will replace a network switch.
  - at: 2026-03-15T11:02:00+09:00
    status: in_progress
    body: The replacement has started.
---
"""

PAST = """
---
title: Certificate rotation
kind: maintenance
components: {web: under_maintenance}
scheduled_for: 2026-03-01T02:00:00+09:00
scheduled_until: 2026-03-01T03:00:00+09:00
updates:
  - at: 2026-02-25T09:00:00+09:00
    status: scheduled
    body: We will rotate certificates.
  - at: 2026-03-01T02:00:00+09:00
    status: in_progress
    body: Rotating.
  - at: 2026-03-01T02:40:00+09:00
    status: completed
    body: Done, **all** certificates rotated.
---
"""

REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY")


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def append_update(path: Path, at: str, status: str, body: str) -> None:
    """Post an update the way `statuskit update` does: one item appended to `updates`."""
    text = path.read_text("utf-8")
    closing = text.rindex("---\n")
    item = f"  - at: {at}\n    status: {status}\n    body: {body}\n"
    path.write_text(text[:closing] + item + text[closing:], encoding="utf-8")


def make_site(root: Path, now: datetime = NOW) -> Site:
    return load_site(core_settings(root, now=now, policies=Policies()), now)


def parse(data: bytes) -> tuple[Calendar, dict[str, Event]]:
    """The calendar and its events by UID, after checking icalendar found no error anywhere."""
    calendar = Calendar.from_ical(data)
    assert isinstance(calendar, Calendar)
    for component in calendar.walk():
        assert component.errors == [], (component.name, component.errors)
    events = [c for c in calendar.walk("VEVENT") if isinstance(c, Event)]
    return calendar, {str(e["UID"]): e for e in events}


@pytest.fixture
def incidents(tmp_path: Path) -> Path:
    root = tmp_path / "incidents"
    write(root, "2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    write(root, "2026/2026-03-15-api-slow.md", OPEN_INCIDENT)
    write(root, "2026/2026-03-20-db-upgrade.md", UPCOMING)
    write(root, "2026/2026-03-15-switch.md", CURRENT)
    write(root, "2026/2026-03-01-certs.md", PAST)
    return root


def test_calendar_has_its_required_properties(incidents: Path) -> None:
    files = render_calendar(make_site(incidents), "en", BASE, "Example Status")
    assert list(files) == ["maintenance.ics"]
    data = files["maintenance.ics"]
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar, _ = parse(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//statuskit//")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Example Status — maintenance"


def test_one_event_per_maintenance_past_current_and_upcoming(incidents: Path) -> None:
    _, events = parse(render_calendar(make_site(incidents), "en", BASE, "S")["maintenance.ics"])
    assert sorted(events) == [
        "2026-03-01-certs@status.example.com",
        "2026-03-15-switch@status.example.com",
        "2026-03-20-db-upgrade@status.example.com",
    ]
    for event in events.values():
        for name in REQUIRED:
            assert name in event, name
        for name in ("DTSTAMP", "DTSTART", "DTEND"):
            assert event.decoded(name).utcoffset() == timedelta(0), name
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert str(event["URL"]).startswith(BASE + "incidents/")
        assert str(event["URL"]) in str(event["DESCRIPTION"])
    upcoming = events["2026-03-20-db-upgrade@status.example.com"]
    assert upcoming.decoded("DTSTART") == datetime(2026, 3, 19, 16, 0, tzinfo=UTC)
    assert upcoming.decoded("DTEND") == datetime(2026, 3, 19, 18, 0, tzinfo=UTC)
    assert upcoming.decoded("DTSTAMP") == datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    assert str(upcoming["SUMMARY"]) == "Database upgrade"
    assert str(upcoming["STATUS"]) == "TENTATIVE"
    assert str(events["2026-03-15-switch@status.example.com"]["STATUS"]) == "CONFIRMED"
    past = events["2026-03-01-certs@status.example.com"]
    assert str(past["STATUS"]) == "CONFIRMED"
    assert past["SEQUENCE"] == 2
    assert past.decoded("DTSTAMP") == datetime(2026, 2, 28, 17, 40, tzinfo=UTC)
    # The latest update, as plain text: no markdown or HTML in a calendar client.
    assert str(past["DESCRIPTION"]).startswith("Done, all certificates rotated.\n\n")
    assert str(past["URL"]) == BASE + "incidents/2026-03-01-certs/"


def test_description_is_plain_text_without_markup(incidents: Path) -> None:
    data = render_calendar(make_site(incidents), "en", BASE, "S")["maintenance.ics"]
    assert b"<script" not in data and b"alert(1)" not in data
    _, events = parse(data)
    description = str(events["2026-03-20-db-upgrade@status.example.com"]["DESCRIPTION"])
    assert description == (
        "We will upgrade the payments database; card payments pause, briefly.\n\n"
        "- Refunds wait\n- Transfers work\n\n"
        f"Details: {BASE}incidents/2026-03-20-db-upgrade/"
    )


def test_incidents_and_internal_notes_stay_out(incidents: Path) -> None:
    data = render_calendar(make_site(incidents), "en", BASE, "S")["maintenance.ics"]
    assert b"Payments failing" not in data and b"API responses" not in data
    assert b"OPS-777" not in data and b"010-0000-0000" not in data


def test_sequence_grows_and_uid_stays_when_an_update_is_posted(tmp_path: Path) -> None:
    root = tmp_path / "incidents"
    path = write(root, "2026/2026-03-20-db-upgrade.md", UPCOMING)
    uid = "2026-03-20-db-upgrade@status.example.com"
    _, before = parse(render_calendar(make_site(root), "en", BASE, "S")["maintenance.ics"])
    assert before[uid]["SEQUENCE"] == 0
    append_update(path, "2026-03-15T11:30:00+09:00", "scheduled", "Moved by one hour.")
    _, after = parse(render_calendar(make_site(root), "en", BASE, "S")["maintenance.ics"])
    assert after[uid]["SEQUENCE"] == 1
    assert after[uid].decoded("DTSTAMP") == datetime(2026, 3, 15, 2, 30, tzinfo=UTC)
    assert str(after[uid]["DESCRIPTION"]).startswith("Moved by one hour.")


def test_a_window_that_starts_without_a_commit_is_a_change(tmp_path: Path) -> None:
    root = tmp_path / "incidents"
    write(root, "2026/2026-03-20-db-upgrade.md", UPCOMING)
    uid = "2026-03-20-db-upgrade@status.example.com"
    during = datetime(2026, 3, 20, 2, 0, tzinfo=SEOUL)
    _, events = parse(render_calendar(make_site(root, during), "en", BASE, "S")["maintenance.ics"])
    assert str(events[uid]["STATUS"]) == "CONFIRMED"
    assert events[uid]["SEQUENCE"] == 1
    assert events[uid].decoded("DTSTAMP") == datetime(2026, 3, 19, 16, 0, tzinfo=UTC)


def test_rebuild_gives_identical_bytes(incidents: Path) -> None:
    first = render_calendar(make_site(incidents), "en", BASE, "S")
    assert render_calendar(make_site(incidents), "en", BASE, "S") == first
    # A later build that moves no window changes nothing: no DTSTAMP from the clock.
    later = make_site(incidents, NOW + timedelta(minutes=20))
    assert render_calendar(later, "en", BASE, "S") == first


def test_localized_calendar(incidents: Path) -> None:
    base = BASE + "ko/"
    data = render_calendar(make_site(incidents), "ko", base, "예시 상태")["maintenance.ics"]
    calendar, events = parse(data)
    assert str(calendar["X-WR-CALNAME"]) == "예시 상태 — 점검 일정"
    upcoming = events["2026-03-20-db-upgrade@status.example.com"]
    assert str(upcoming["SUMMARY"]) == "데이터베이스 업그레이드"
    assert upcoming["SUMMARY"].params["LANGUAGE"] == "ko"
    assert str(upcoming["URL"]) == base + "incidents/2026-03-20-db-upgrade/"
    # No Korean title: the default locale's, marked with its real language.
    switch = events["2026-03-15-switch@status.example.com"]
    assert switch["SUMMARY"].params["LANGUAGE"] == "en"


def test_empty_calendar_still_parses(tmp_path: Path) -> None:
    root = tmp_path / "incidents"
    write(root, "a.md", RESOLVED_INCIDENT)
    calendar, events = parse(render_calendar(make_site(root), "en", BASE, "S")["maintenance.ics"])
    assert events == {}
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_events_joined_from_parts_are_the_calendar_icalendar_writes(incidents: Path) -> None:
    """Each event is rendered (or kept from a build) alone; joined, they are the whole calendar."""
    renderer = CalendarRenderer(make_site(incidents), "en", BASE, "S")
    parts: list[str] = []

    def memo(key: str, render: Callable[[], bytes]) -> bytes:
        parts.append(key)
        return render()

    data = renderer.render(memo)["maintenance.ics"]
    whole = Calendar.from_ical(data)
    assert isinstance(whole, Calendar)
    assert len(parts) == len(set(parts)) == 3
    assert whole.to_ical() == data
    starts = [event["DTSTART"].dt for event in whole.walk("VEVENT")]
    assert starts == sorted(starts)
    # A kept part is what the memo gives, in its place.
    kept = renderer.render(lambda key, render: b"" if key == parts[0] else render())
    assert kept["maintenance.ics"] == data.replace(renderer_event(renderer, parts, 0), b"")


def renderer_event(renderer: CalendarRenderer, parts: list[str], index: int) -> bytes:
    """The lines of the event whose key is `parts[index]`, rendered again."""
    found: dict[str, bytes] = {}
    renderer.render(lambda key, render: found.setdefault(key, render()))
    return found[parts[index]]
