"""cState (Hugo) sites: the issues under content/issues/ and the systems of config.yml."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ..core import yamlsource
from ..core.documents import split_front_matter
from ..core.i18n import Catalog
from ..core.model import STATUS_BY_WORD
from . import records

# cState severity -> (Statuspage impact of the incident, impact on its affected systems).
SEVERITIES = {
    "down": ("major", "major_outage"),
    "disrupted": ("minor", "partial_outage"),
    "notice": ("none", "degraded_performance"),
    # cState before v4 wrote TOML front matter with Statuspage's words.
    "major-outage": ("major", "major_outage"),
    "partial-outage": ("minor", "partial_outage"),
    "degraded-performance": ("none", "degraded_performance"),
    "under-maintenance": ("maintenance", "under_maintenance"),
}
DEFAULT_SEVERITY = "disrupted"
# An incident word in a maintenance's body, in maintenance terms.
AS_MAINTENANCE = {
    "investigating": "in_progress",
    "identified": "in_progress",
    "monitoring": "verifying",
    "resolved": "completed",
}
SAME_STATUS = "update"
# cState has no end for maintenance; without resolvedWhen the window lasts this long.
DEFAULT_WINDOW = timedelta(hours=1)
CONFIG_NAMES = ("config.yml", "config.yaml", "hugo.yml", "hugo.yaml", "config.toml", "hugo.toml")
_TRACK = re.compile(r'\{\{<\s*track\s+"([^"]+)"\s*>\}\}')
_LABEL = re.compile(r"^\s*(\*{1,2}|_{1,2})([^*_\n]{1,80}?)\1\s*(?:[-:\u2013\u2014]\s*)?")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

Messages = Callable[[str], str]


def read_cstate(
    folder: Path, *, timezone: ZoneInfo | None = None, messages: Messages | None = None
) -> records.Source:
    """A cState site folder (or its content/issues folder): systems, categories and issues."""
    root, issues = _layout(folder)
    config = _config(root)
    zone = timezone or _hugo_zone(config)
    say = messages or Catalog("en")
    source = records.Source(str(folder), incident_path="issues")
    base = config.get("baseURL") or config.get("baseurl")
    if isinstance(base, str) and base.startswith(("http://", "https://")):
        source.page_urls.append(base.rstrip("/"))
    _systems(config, source)
    naive: list[str] = []
    read = records.SourceFile(str(issues))
    for path in sorted(issues.rglob("*.md")):
        if path.name.startswith("_"):
            continue
        incident = _issue(path, source, zone, say, naive)
        if incident is None:
            read.skipped_incidents += 1
            continue
        read.incidents += 1
        read.updates += incident.updates_read
        read.skipped_updates += incident.skipped_updates
        source.incidents.append(incident)
    source.files.append(read)
    if naive:
        source.notes.append(
            f"{len(naive)} time(s) had no UTC offset and were read in {zone.key} "
            "(pass --timezone if the site wrote another zone)"
        )
    return source


def _hugo_zone(config: dict[str, Any]) -> ZoneInfo:
    """Hugo's `timeZone` for times without an offset; cState v5 asks for UTC."""
    name = config.get("timeZone") or "UTC"
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise records.SourceError(
            f"config.yml: timeZone {name!r} is unknown; pass --timezone with an IANA name"
        ) from None


def _layout(folder: Path) -> tuple[Path, Path]:
    """The site root and its issues folder, whichever of the two was given."""
    if folder.joinpath("content", "issues").is_dir():
        return folder, folder / "content" / "issues"
    if folder.name == "issues" and folder.is_dir():
        return folder.parent.parent, folder
    raise records.SourceError(
        f"{folder}: no content/issues folder; pass the cState site's folder "
        "(the one with config.yml)"
    )


def _config(root: Path) -> dict[str, Any]:
    """Hugo's site configuration, YAML or TOML; an empty one when there is none."""
    for name in CONFIG_NAMES:
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text("utf-8")
        try:
            data = tomllib.loads(text) if name.endswith(".toml") else yaml.safe_load(text)
        except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
            raise records.SourceError(f"{path}: cannot read it ({exc})") from None
        return data if isinstance(data, dict) else {}
    return {}


def _systems(config: dict[str, Any], source: records.Source) -> None:
    """Systems become components; their categories become groups (untitled ones: no group)."""
    params = config.get("params") if isinstance(config.get("params"), dict) else {}
    assert isinstance(params, dict)
    categories = params.get("categories") or config.get("categories") or []
    systems = params.get("systems") or config.get("systems") or []
    untitled: set[str] = set()
    for category in categories:
        if isinstance(category, dict) and category.get("name"):
            name = str(category["name"])
            if category.get("untitled"):
                untitled.add(name)
            else:
                description = str(category.get("description") or "").strip() or None
                source.groups.append(records.SourceGroup(name, name, description))
    for system in systems:
        if not isinstance(system, dict) or not system.get("name"):
            continue
        name = str(system["name"])
        shown = str(system.get("displayName") or name)
        category = str(system["category"]) if system.get("category") else None
        group = category if category and category not in untitled else None
        if group and all(g.key != group for g in source.groups):
            source.groups.append(records.SourceGroup(group, group))
        source.components.append(
            records.SourceComponent(
                key=name,
                name=shown,
                description=str(system.get("description") or "").strip() or None,
                group=group,
                aliases=(name,) if shown != name else (),
            )
        )
    if not systems:
        source.notes.append("config.yml declares no systems: components come from the issues")


def _front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """Front matter (YAML between `---`, or TOML between `+++`) and the markdown body."""
    text = path.read_text("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    if text.startswith("+++"):
        head, separator, body = text[3:].partition("\n+++")
        if not separator:
            raise records.SourceError(f"{path}: the TOML front matter is never closed with +++")
        try:
            return tomllib.loads(head), body.partition("\n")[2]
        except tomllib.TOMLDecodeError as exc:
            raise records.SourceError(f"{path}: malformed TOML front matter ({exc})") from None
    parts = split_front_matter(text)
    if parts is None:
        raise records.SourceError(f"{path}: no front matter between --- lines")
    source, body, _ = parts
    try:
        data = yamlsource.load(source, 2).data
    except yamlsource.YamlError as exc:
        raise records.SourceError(f"{path}:{exc.line}: {exc.message}") from None
    if not isinstance(data, dict):
        raise records.SourceError(f"{path}: the front matter is not a map of keys")
    return data, body


def _time(value: Any, zone: ZoneInfo, naive: list[str]) -> str | None:
    """A time with its offset as written; a time without one is read in the site's zone."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        naive.append(str(value))
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat()


def _truthy(value: Any) -> bool:
    """cState sites write flags as booleans or as text; both count."""
    return value is True or str(value).strip().lower() in ("true", "yes", "1")


def _issue(
    path: Path, source: records.Source, zone: ZoneInfo, say: Messages, naive: list[str]
) -> records.SourceIncident | None:
    """One issue file; one that cannot be read is reported in the source's notes, not lost."""
    try:
        data, body = _front_matter(path)
    except records.SourceError as exc:
        source.notes.append(f"skipped {path.name}: {exc}")
        return None
    notes: list[str] = []
    started = _time(data.get("date"), zone, naive)
    if started is None:
        source.notes.append(f"skipped {path.name}: it has no readable `date`")
        return None
    severity = str(data.get("severity") or "").strip().lower()
    if severity not in SEVERITIES:
        notes.append(
            f"severity {severity or '(none)'!r} is not cState's; read as {DEFAULT_SEVERITY}"
        )
        severity = DEFAULT_SEVERITY
    impact, component_impact = SEVERITIES[severity]
    section = str(data.get("section") or "issue").strip().lower()
    maintenance = section == "maintenance" or impact == "maintenance"
    informational = _truthy(data.get("informational"))
    if informational:
        impact, component_impact = ("maintenance" if maintenance else "none"), "operational"
        notes.append(
            "informational: severity notice, its text is the first update, the affected "
            "systems are linked but not impacted"
        )
    if _truthy(data.get("pin")):
        notes.append(
            "pinned on cState; statuskit has no pinning (open incidents lead the home page)"
        )
    if maintenance:
        component_impact = "under_maintenance"
    affected = data.get("affected", data.get("affectedsystems")) or []
    names = [affected] if isinstance(affected, str) else [str(a) for a in affected]
    components = {_system(source, name): component_impact for name in names}
    resolved = _truthy(data.get("resolved"))
    resolved_when = _time(data.get("resolvedWhen"), zone, naive)
    if _COMMENT.search(body):
        notes.append("HTML comments in the text (hidden on cState) were left out")
        body = _COMMENT.sub("", body)
    entries, summary = _entries(body)
    opening = None
    if informational and not entries:
        opening, summary = summary, ""
    incident = records.SourceIncident(
        id=_issue_id(path),
        kind="maintenance" if maintenance else "incident",
        title=" ".join(str(data.get("title") or path.stem).split()),
        impact=impact,
        updates=[],
        components=components,
        body=summary,
        notes=notes,
    )
    announced = started
    if maintenance and not entries and records.instant(started) > datetime.now(UTC):
        # Announced before its window; cState does not say when: the file's last change.
        announced = datetime.fromtimestamp(int(path.stat().st_mtime), zone).isoformat()
        notes.append(f"it is still to come: announced at the file's last change, {announced}")
    _updates(incident, entries, announced, resolved, resolved_when, zone, say, naive, opening)
    first = incident.updates[0].at
    if maintenance:
        incident.scheduled_for = started
        end = resolved_when
        if end is None or records.instant(end) <= records.instant(started):
            end = (datetime.fromisoformat(started) + DEFAULT_WINDOW).isoformat()
            notes.append(f"cState has no end for a maintenance: the window ends at {end}")
        incident.scheduled_until = end
    elif records.instant(first) < records.instant(started):
        notes.append(f"the first update is before `date` {started}; it starts at the first update")
        incident.started_at = first
    else:
        incident.started_at = started
    return incident


def _issue_id(path: Path) -> str:
    """cState's URL of an issue is its file name: keep it as the id."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-_")
    return stem[:128] or "issue"


def _system(source: records.Source, name: str) -> str:
    """The key of an affected system, matched as cState does (exactly), then ignoring case."""
    for component in source.components:
        if component.key == name:
            return component.key
    for component in source.components:
        if component.key.casefold() == name.casefold():
            return component.key
    source.components.append(records.SourceComponent(name, name))
    source.notes.append(f"affected system {name!r} is not among config.yml's systems")
    return name


def _entries(body: str) -> tuple[list[tuple[str, str, str]], str]:
    """`*Label* - text {{< track "time" >}}` entries (time, label, text), and the rest."""
    matches = list(_TRACK.finditer(body))
    if not matches:
        return [], body.strip()
    entries: list[tuple[str, str, str]] = []
    rest: list[str] = []
    start = 0
    for match in matches:
        paragraphs = [p for p in re.split(r"\n\s*\n", body[start : match.start()].strip()) if p]
        start = match.end()
        first = max((i for i, p in enumerate(paragraphs) if _LABEL.match(p)), default=0)
        rest += paragraphs[:first]
        entry = "\n\n".join(paragraphs[first:])
        label = _LABEL.match(entry)
        if label and label[2].strip().lower() in (*STATUS_BY_WORD, SAME_STATUS):
            entries.append((match[1], label[2].strip(), entry[label.end() :].strip()))
        else:
            entries.append((match[1], "", entry.strip()))
    rest.append(body[start:].strip())
    kept = [p.strip() for p in rest if p.strip() and p.strip() not in ("---", "***", "___")]
    return entries, "\n\n".join(kept)


def _updates(
    incident: records.SourceIncident,
    entries: list[tuple[str, str, str]],
    started: str,
    resolved: bool,
    resolved_when: str | None,
    zone: ZoneInfo,
    say: Messages,
    naive: list[str],
    opening_text: str | None,
) -> None:
    """Tracked entries as updates; without any, one opening and one closing update."""
    maintenance = incident.kind == "maintenance"
    opening, closing = ("scheduled", "completed") if maintenance else ("investigating", "resolved")
    timed: list[tuple[str, str, str]] = []
    for when, label, text in entries:
        at = _time(when, zone, naive)
        if at is None:
            incident.notes.append(
                f"an update at {when!r} has no readable time; its text is in the summary"
            )
            incident.body = "\n\n".join(p for p in (incident.body, text) if p)
            incident.skipped_updates += 1
        else:
            timed.append((at, label, text))
    # cState sites write entries oldest or newest first; the same minute keeps the file's order.
    timed = records.oldest_first(timed, lambda entry: records.instant(entry[0]), False)
    previous = opening
    for at, label, text in timed:
        word = label.lower()
        status = previous if word in ("", SAME_STATUS) else STATUS_BY_WORD[word]
        if maintenance:
            status = AS_MAINTENANCE.get(status, status)
        elif status not in AS_MAINTENANCE:
            status = previous
        incident.updates.append(records.SourceUpdate(at, status, text))
        previous = status
    if not incident.updates:
        text = opening_text or say(f"message.{opening}")
        added = opening_text is None
        incident.updates.append(records.SourceUpdate(started, opening, text, added=added))
    if resolved and incident.updates[-1].status != closing:
        last = incident.updates[-1].at
        at = resolved_when or last
        if resolved_when is None:
            incident.notes.append(
                f"resolved without resolvedWhen: closed at its last update, {last}"
            )
        if records.instant(at) < records.instant(last):
            incident.notes.append(f"resolvedWhen {at} is before its last update; closed at {last}")
            at = last
        if timed and records.instant(at) == records.instant(last):
            incident.updates[-1].status = closing
        else:
            closed = records.SourceUpdate(at, closing, say(f"message.{closing}"), added=True)
            incident.updates.append(closed)
    elif not resolved and incident.updates[-1].status == closing:
        incident.notes.append(
            "cState shows it unresolved, but its last update is resolved; "
            "statuskit follows the update"
        )
