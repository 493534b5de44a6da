"""An iCalendar file of every maintenance window, so customers can subscribe in their calendar.

`maintenance.ics` (RFC 5545) has one VEVENT per maintenance, past, current and upcoming, in UTC.
Nothing depends on the clock: DTSTAMP and LAST-MODIFIED are the time of the maintenance's latest
change, so an unchanged site rebuilds identical bytes and calendar clients see no false changes.
`METHOD:PUBLISH` makes ORGANIZER required (RFC 5546, 3.2.1): the status site itself, by its
address and name, so no mailbox is invented and strict readers such as libical accept the file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vCalAddress, vText

from ..core.model import Text
from ..core.site import Site
from ..core.status import IncidentState
from ..views.markup import MarkdownRenderer
from ..views.pages import incident_src, page_url
from .keys import Memo, digest, no_memo

PRODID = "-//statuskit//Maintenance calendar//EN"

# How often subscribed calendar clients should fetch the file again (RFC 7986, and Outlook's).
REFRESH_INTERVAL = timedelta(hours=1)
PUBLISHED_TTL = "PT1H"

# CANCELLED is not modeled: a called-off maintenance is written as completed.
EVENT_STATUS = {
    "scheduled": "TENTATIVE",
    "in_progress": "CONFIRMED",
    "verifying": "CONFIRMED",
    "completed": "CONFIRMED",
}


def changed_at(state: IncidentState) -> datetime:
    """When the maintenance last changed: its latest update, or the start of its window when the
    window's start, not a commit, moved it from scheduled to in progress."""
    incident = state.incident
    moment = state.last_update_at
    if _moved_by_time(state) and incident.scheduled_for is not None:
        moment = max(moment, incident.scheduled_for)
    return moment.astimezone(UTC)


def sequence(state: IncidentState) -> int:
    """RFC 5545 SEQUENCE: each posted update is a change, and so is a status the window moved."""
    return max(0, len(state.incident.updates) - 1) + (1 if _moved_by_time(state) else 0)


def _moved_by_time(state: IncidentState) -> bool:
    posted = state.incident.updates[-1].status if state.incident.updates else "scheduled"
    return EVENT_STATUS.get(posted) != EVENT_STATUS.get(state.status)


class CalendarRenderer:
    """Builds the maintenance calendar of one locale build."""

    def __init__(self, site: Site, locale: str, base_url: str, site_name: str) -> None:
        self.site = site
        self.settings = site.settings
        self.locale = locale
        self.base_url = base_url
        self.site_name = site_name
        self.t = site.settings.catalog(locale)
        self.markdown = MarkdownRenderer()
        self.host = urlsplit(base_url).hostname or "statuskit"

    def text(self, value: Text) -> tuple[str, str]:
        """The text for this locale and the language it is really in."""
        resolved = value.get(self.locale, self.settings.locale)
        return resolved.text, resolved.lang

    def render(self, memo: Memo = no_memo) -> dict[str, bytes]:
        """The calendar; each window's event comes from `memo` by the key of what it shows."""
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        name = self.t("calendar.name", site=self.site_name)
        description = self.t("calendar.description", site=self.site_name)
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("x-wr-caldesc", description)
        calendar.add("x-published-ttl", PUBLISHED_TTL)
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        windows: list[tuple[datetime, datetime, IncidentState]] = []
        for state in self.site.state.incidents.values():
            start, end = state.incident.scheduled_for, state.incident.scheduled_until
            if state.incident.is_maintenance and start is not None and end is not None:
                windows.append((start, end, state))
        windows.sort(key=lambda w: (w[0], w[2].incident.id))
        events = [
            memo(
                digest((state.incident, state.status, state.last_update_at)),
                partial(self.event_ical, state, start, end),
            )
            for start, end, state in windows
        ]
        return {"maintenance.ics": with_events(calendar, events)}

    def event_ical(self, state: IncidentState, start: datetime, end: datetime) -> bytes:
        """One window's VEVENT lines, as the calendar writes them."""
        return bytes(self.event(state, start, end).to_ical())

    def organizer(self) -> vCalAddress:
        """Who publishes the calendar: the status site, named as readers know it."""
        organizer = vCalAddress(self.base_url)
        organizer.params["CN"] = vText(self.site_name)
        return organizer

    def event(self, state: IncidentState, start: datetime, end: datetime) -> Event:
        """One maintenance window; its UID never changes, its SEQUENCE grows with each change."""
        incident = state.incident
        url = self.base_url + page_url(incident_src(incident.id), self.settings.directory_urls)
        title, title_lang = self.text(incident.title)
        details = self.t("calendar.details", url=url)
        body, body_lang = "", self.locale
        if incident.updates:
            body, body_lang = self.text(incident.updates[-1].body)
            body = self.markdown.plain(body)
        stamp = changed_at(state)
        event = Event()
        event.add("uid", f"{incident.id}@{self.host}")
        event.add("dtstamp", stamp)
        event.add("organizer", self.organizer())
        if incident.updates:
            event.add("created", incident.updates[0].at.astimezone(UTC))
        event.add("last-modified", stamp)
        event.add("sequence", sequence(state))
        event.add("dtstart", start.astimezone(UTC))
        event.add("dtend", end.astimezone(UTC))
        event.add("summary", title, parameters={"LANGUAGE": title_lang})
        event.add(
            "description",
            f"{body}\n\n{details}" if body else details,
            parameters={"LANGUAGE": body_lang},
        )
        event.add("url", url)
        event.add("status", EVENT_STATUS.get(state.status, "CONFIRMED"))
        # Maintenance does not make the subscriber busy.
        event.add("transp", "TRANSPARENT")
        return event


def with_events(calendar: Calendar, events: list[bytes]) -> bytes:
    """The calendar's lines with each event's lines before its END, as `to_ical` would write
    them had the events been added (a component's lines are its properties, then each
    subcomponent's lines in order)."""
    lines = bytes(calendar.to_ical())
    end = b"END:VCALENDAR\r\n"
    assert lines.endswith(end) and not calendar.subcomponents
    return lines[: -len(end)] + b"".join(events) + end


def render_calendar(
    site: Site, locale: str, base_url: str, site_name: str, memo: Memo = no_memo
) -> dict[str, bytes]:
    """The maintenance calendar of one locale build whose root URL is `base_url`, by path."""
    return CalendarRenderer(site, locale, base_url, site_name).render(memo)
