"""Statuspage's history.atom / history.rss: the only export some pages offer, in HTML."""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag
from markdownify import MarkdownConverter

from ..core.model import MAINTENANCE_STATUSES, STATUS_BY_WORD
from .records import (
    Source,
    SourceComponent,
    SourceError,
    SourceFile,
    SourceGroup,
    SourceIncident,
    SourceUpdate,
    oldest_first,
)

# "Update": a message that keeps the status; "Postmortem": the report after resolution.
SAME_STATUS = "update"
POSTMORTEM = "postmortem"
SCHEDULED_EVENT = "THIS IS A SCHEDULED EVENT"
MONTHS = {m: n for n, m in enumerate(calendar.month_abbr) if m}
_ID = re.compile(r"/incidents/([A-Za-z0-9][A-Za-z0-9_-]{0,127})")
_WHEN = re.compile(
    r"(?P<month>[A-Z][a-z]{2})[a-z]*\.?\s+(?P<day>\d{1,2})\s*,?\s*(?:(?P<year>\d{4})\s*,?\s*)?"
    r"(?:-\s*)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
    r"(?:\s+(?P<zone>[A-Za-z][A-Za-z0-9+:-]*))?"
)
_TIME = re.compile(
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
    r"(?:\s+(?P<zone>[A-Za-z][A-Za-z0-9+:-]*))?"
)
_AFFECTED = re.compile(r"^This (?:incident|scheduled maintenance) affected:\s*", re.IGNORECASE)
# A feed's clock can only be inferred to a quarter hour, and no zone is more than 14 hours out.
QUARTER = timedelta(minutes=15)
MAX_OFFSET = timedelta(hours=14)
# A printed minute and a feed's timestamp of the same update are this close, offset aside.
MATCH = timedelta(seconds=90)
# Statuspage's history feeds hold the newest 25 incidents and maintenances.
FEED_LIMIT = 25


class _Markdown(MarkdownConverter):
    """Statuspage writes a typed line break as <br>: it becomes a paragraph break."""

    def convert_br(self, el: Any, text: str, parent_tags: Any) -> str:
        """A paragraph break: markdown's two-space line break is invisible and fragile."""
        return "\n\n"

    def escape(self, text: str, parent_tags: Any) -> str:
        """Escapes only what markdown would misread, so the text reads as typed in every output.

        markdownify escapes every `_` and `*`: `web_search` would read `web\\_search` in the
        JSON API and feeds, which show the text as written. A `_` inside a word and a `*`
        with spaces on both sides are never emphasis, so they stay as they are.
        """
        out: list[str] = []
        for index, char in enumerate(text):
            before = text[index - 1] if index else " "
            after = text[index + 1] if index + 1 < len(text) else " "
            if char == "_" and not (before.isalnum() and after.isalnum()):
                out.append("\\_")
            elif char == "*" and not (before.isspace() and after.isspace()):
                out.append("\\*")
            else:
                out.append(char)
        return "".join(out)


def to_markdown(html: str) -> str:
    """Markdown of an HTML fragment, without trailing spaces or runs of blank lines."""
    converted = _Markdown(heading_style="ATX", bullets="-").convert(html)
    lines = [line.rstrip() for line in converted.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass
class _Local:
    """A time as the feed prints it: local wall time, a zone abbreviation, maybe no year."""

    month: int
    day: int
    hour: int
    minute: int
    year: int | None
    zone: str | None

    def on(self, year: int) -> datetime:
        """The naive wall time in a given year (29 February falls back to the 28th)."""
        day = self.day
        if self.month == 2 and day == 29 and not calendar.isleap(year):
            day = 28
        return datetime(year, self.month, day, self.hour, self.minute)


@dataclass
class _Block:
    """One update of an entry, still in HTML."""

    when: _Local | None
    label: str
    html: list[str] = field(default_factory=list)


def _local(match: re.Match[str], month: int | None = None, day: int | None = None) -> _Local:
    """A matched printed time; a 12-hour clock becomes 24-hour."""
    hour = int(match["hour"])
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    groups = match.groupdict()
    return _Local(
        month=MONTHS.get(groups["month"], 1) if groups.get("month") else month or 1,
        day=int(groups["day"]) if groups.get("day") else day or 1,
        hour=hour,
        minute=int(match["minute"]),
        year=int(groups["year"]) if groups.get("year") else None,
        zone=match["zone"],
    )


def parse_when(value: str) -> _Local | None:
    """`Nov 25, 15:50 UTC`, `Dec 7, 2021 - 10:39 MST` or `Apr 7, 1:00 PM PDT`."""
    match = _WHEN.search(" ".join(value.split()))
    return _local(match) if match else None


def _nearest(local: _Local, anchors: list[datetime]) -> datetime:
    """Its year, when the feed leaves it out: the one that puts it closest to the entry's stamps."""
    if local.year:
        return local.on(local.year)
    years = {a.year + step for a in anchors for step in (-1, 0, 1)}
    return min(
        (local.on(year) for year in sorted(years)),
        key=lambda moment: min(abs(moment - anchor) for anchor in anchors),
    )


def read_feed(
    data: bytes, origin: str, *, impact: str = "minor", timezone: ZoneInfo | None = None
) -> Source:
    """Every entry of a Statuspage history feed as an incident or maintenance."""
    parsed: Any = feedparser.parse(data)
    if not parsed.entries:
        reason = parsed.get("bozo_exception") or "it has no entries"
        raise SourceError(f"{origin}: not a Statuspage history feed ({reason})")
    source = Source(origin)
    link = str(parsed.feed.get("link") or "")
    if link.startswith(("http://", "https://")):
        source.page_urls.append(link.rstrip("/").removesuffix("/history"))
    read = SourceFile(origin, incidents=len(parsed.entries))
    for entry in parsed.entries:
        incident = _entry(entry, source, impact, timezone)
        read.updates += incident.updates_read
        read.skipped_updates += incident.skipped_updates
        source.incidents.append(incident)
    starts = [min(_anchors(entry)).replace(tzinfo=UTC) for entry in parsed.entries]
    read.oldest = min(starts) if starts else None
    if len(parsed.entries) >= FEED_LIMIT:
        read.partial = (
            f"a history feed holds only the newest {FEED_LIMIT} incidents and maintenances; "
            "older ones are not in it"
        )
    source.files.append(read)
    source.notes.append(
        "a history feed has no impact (severities come from --feed-impact), no component "
        "impacts and times to the minute only; import the API v2 files for those"
    )
    return source


def _anchors(entry: Any) -> list[datetime]:
    """When the entry was published and last changed, in UTC, naive: anchors for years and zones."""
    # dict.get: feedparser's own lookup maps a missing `updated` to `published`, with a warning.
    stamps = [dict.get(entry, "updated_parsed"), dict.get(entry, "published_parsed")]
    found = [datetime(*stamp[:6]) for stamp in stamps if stamp is not None]
    return list(dict.fromkeys(found)) or [datetime.now(UTC).replace(tzinfo=None)]


def _entry_id(entry: Any, title: str, updated: datetime) -> str:
    """The incident's Statuspage code, from its link (the guid of an Atom feed is internal).

    Without one, an id made from the feed's own guid: two incidents of the same title on the
    same day stay two incidents, and the same entry in another saved feed keeps its id.
    """
    for candidate in (entry.get("link"), entry.get("id"), entry.get("guid")):
        match = _ID.search(str(candidate or ""))
        if match:
            return match[1]
    guid = str(entry.get("id") or entry.get("guid") or "")
    key = guid or f"{updated.isoformat()} {title}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{updated.date().isoformat()}-{digest}"


def _blocks(html: str) -> tuple[list[_Block], str | None, str | None, list[str]]:
    """Updates, the maintenance window text, the affected components text, other HTML."""
    soup = BeautifulSoup(html, "html.parser")
    blocks: list[_Block] = []
    window = affected = None
    loose: list[str] = []
    for node in list(soup.contents):
        if isinstance(node, NavigableString):
            if node.strip():
                (blocks[-1].html if blocks else loose).append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        words = node.get_text(" ", strip=True)
        first = next((c for c in node.children if isinstance(c, Tag)), None)
        if words.upper().startswith(SCHEDULED_EVENT):
            window = words[len(SCHEDULED_EVENT) :]
        elif _AFFECTED.match(words):
            affected = _AFFECTED.sub("", words)
        elif first is not None and first.name == "small":
            when = parse_when(first.get_text(" ", strip=True))
            first.extract()
            for child in list(node.children):
                if isinstance(child, NavigableString) and not child.strip():
                    child.extract()
                    continue
                if isinstance(child, Tag) and child.name == "br":
                    child.extract()
                break
            label = ""
            strong = next((c for c in node.children if isinstance(c, Tag)), None)
            if strong is not None and strong.name in ("strong", "b"):
                label = strong.get_text(" ", strip=True)
                strong.extract()
            inner = re.sub(r"^\s*[-\u2013\u2014]\s*", "", node.decode_contents())
            blocks.append(_Block(when, label, [inner]))
        else:
            (blocks[-1].html if blocks else loose).append(str(node))
    return blocks, window, affected, loose


def _zone(
    blocks: list[_Block], anchors: list[datetime], chosen: ZoneInfo | None, notes: list[str]
) -> tzinfo:
    """The zone of the printed times: as chosen, UTC when printed so, else inferred.

    A feed stamps an entry with UTC times (published, updated) that match its first or last
    update to the second; the printed minute differs from one of them by a whole offset.
    """
    if chosen is not None:
        return chosen
    names = {b.when.zone for b in blocks if b.when and b.when.zone}
    if names and names <= {"UTC", "GMT", "Z"}:
        return UTC
    shown = ", ".join(sorted(names)) or "an unnamed zone"
    walls = sorted(_nearest(b.when, anchors) for b in blocks if b.when)
    fits = []
    for wall in walls[:1] + walls[-1:]:
        for anchor in anchors:
            delta = wall - anchor
            offset = QUARTER * round(delta / QUARTER)
            fits.append((abs(delta - offset), abs(offset), offset))
    if fits:
        miss, size, offset = min(fits)
        if miss <= MATCH and size <= MAX_OFFSET:
            zone = timezone(offset)
            notes.append(
                f"times are printed in {shown}; the offset {zone.tzname(None)} was inferred "
                "from the feed's own timestamps (pass --timezone to be sure)"
            )
            return zone
    notes.append(f"times are printed in {shown}, whose offset could not be inferred; read as UTC")
    return UTC


def _at(moment: datetime, zone: tzinfo) -> str:
    """A wall time in the feed's zone, written with its offset as statuskit keeps times."""
    return moment.replace(tzinfo=zone).isoformat(timespec="seconds")


def _entry(entry: Any, source: Source, impact: str, chosen: ZoneInfo | None) -> SourceIncident:
    """One feed entry: its updates from newest-first HTML paragraphs to oldest-first updates."""
    title = " ".join(str(entry.get("title") or "").split())
    anchors = _anchors(entry)
    updated = max(anchors)
    incident_id = _entry_id(entry, title, updated)
    html = entry["content"][0]["value"] if entry.get("content") else entry.get("summary", "")
    blocks, window, affected, loose = _blocks(str(html or ""))
    notes: list[str] = []
    zone = _zone(blocks, anchors, chosen, notes)
    labels = [STATUS_BY_WORD.get(b.label.lower(), b.label.lower()) for b in blocks]
    maintenance = window is not None or bool(set(MAINTENANCE_STATUSES) & set(labels))
    kind = "maintenance" if maintenance else "incident"
    first_status = "scheduled" if maintenance else "investigating"
    timed = [(b, _nearest(b.when, anchors)) for b in blocks if b.when]
    skipped = 0
    for block in blocks:
        if block.when is None:
            notes.append(f"an update without a readable time was left out: {block.label!r}")
            skipped += 1
    # Newest first in the feed; updates of the same minute keep the order they were posted.
    timed = oldest_first(timed, lambda pair: pair[1], newest_first=True)
    updates: list[SourceUpdate] = []
    summary = [to_markdown("".join(loose))] if loose else []
    previous = first_status
    for block, moment in timed:
        label = block.label.lower()
        body = to_markdown("".join(block.html))
        if label == POSTMORTEM:
            summary.append(body)
            notes.append("its postmortem is the summary (the markdown body) of the file")
            continue
        status = STATUS_BY_WORD.get(label)
        if label == SAME_STATUS:
            status = previous
        elif status is None or (status in MAINTENANCE_STATUSES) != maintenance:
            notes.append(f"update label {block.label!r} is not a status; kept in the text")
            body = f"**{block.label}** - {body}" if block.label else body
            status = previous
        updates.append(SourceUpdate(_at(moment, zone), status, body))
        previous = status
    if not updates:
        at = _at(updated, UTC)
        updates.append(SourceUpdate(at, first_status, to_markdown(str(html or ""))))
        notes.append(f"no update could be read; its whole text is one update at {at}")
    components = _components(affected, source, notes)
    incident = SourceIncident(
        id=incident_id,
        kind=kind,
        title=title or incident_id,
        impact="maintenance" if maintenance else impact,
        updates=updates,
        components=components,
        body="\n\n".join(s for s in summary if s),
        notes=notes,
        skipped_updates=skipped,
        detail=0,
    )
    if maintenance:
        _window(incident, window, zone, anchors, notes)
    else:
        incident.started_at = updates[0].at
    return incident


def _window(
    incident: SourceIncident,
    text: str | None,
    zone: tzinfo,
    anchors: list[datetime],
    notes: list[str],
) -> None:
    """The maintenance window from `THIS IS A SCHEDULED EVENT Dec 6, 02:00 - 04:00 UTC`."""
    start = end = None
    if text:
        left, _, right = text.partition(" - ")
        first = _WHEN.search(" ".join(left.split()))
        if first:
            start_local = _local(first)
            start = _nearest(start_local, anchors)
            second = _WHEN.search(right) or None
            if second:
                end = _nearest(_local(second), [start])
            else:
                only = _TIME.search(right)
                if only:
                    end_local = _local(only, start_local.month, start_local.day)
                    end = end_local.on(start.year)
                    if end <= start:
                        end += timedelta(days=1)
    if start is None or end is None or end <= start:
        times = [datetime.fromisoformat(u.at) for u in incident.updates]
        begun = [t for t, u in zip(times, incident.updates, strict=True) if u.status != "scheduled"]
        first_time = begun[0] if begun else times[0]
        last_time = max(times[-1], first_time + timedelta(hours=1))
        incident.scheduled_for = first_time.isoformat(timespec="seconds")
        incident.scheduled_until = last_time.isoformat(timespec="seconds")
        notes.append(
            "the window could not be read from the feed; it is taken from the updates "
            f"({incident.scheduled_for} to {incident.scheduled_until})"
        )
        return
    incident.scheduled_for = _at(start, zone)
    incident.scheduled_until = _at(end, zone)


def _components(text: str | None, source: Source, notes: list[str]) -> dict[str, str]:
    """`This incident affected: Canvas (Catalog, Chat) and API.`: linked, impact unknown."""
    found: dict[str, str] = {}
    for item in _items((text or "").strip().rstrip(".")):
        grouped = re.fullmatch(r"(.+?)\s*\((.*)\)", item)
        if grouped is None:
            found[_feed_component(source, item, None)] = "operational"
            continue
        group = grouped[1]
        if all(g.key != group for g in source.groups):
            source.groups.append(SourceGroup(group, group))
        for name in _items(grouped[2]):
            found[_feed_component(source, name, group)] = "operational"
    if found:
        notes.append("a feed names affected components without their impact; they are linked only")
    return found


def _items(text: str) -> list[str]:
    """`A, B (C, D) and E` split at top-level commas and `and`, brackets kept whole."""
    items: list[str] = []
    depth, current, index = 0, "", 0
    while index < len(text):
        char = text[index]
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and (char == "," or text.startswith(" and ", index)):
            items.append(current)
            current = ""
            index += 1 if char == "," else len(" and ")
            continue
        current += char
        index += 1
    items.append(current)
    return [i.strip().removeprefix("and ").strip() for i in items if i.strip()]


def _feed_component(source: Source, name: str, group: str | None) -> str:
    """A component known only by name (and group) from the feed's text."""
    key = f"{group} - {name}" if group else name
    if source.component(key) is None:
        source.components.append(SourceComponent(key, name, group=group))
    return key
