"""Atlassian Statuspage history read from its public API v2 JSON: by URL or from saved files."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..core.model import COMPONENT_STATUSES, INCIDENT_STATUSES, MAINTENANCE_STATUSES
from ..core.status import worst
from . import records

# The public endpoints a page serves under api/v2/, and which holds what.
API_FILES = ("summary.json", "incidents.json", "components.json", "scheduled-maintenances.json")
# incidents.json and scheduled-maintenances.json list at most this many: older history is cut.
LIST_LIMIT = 50
FEED_SUFFIXES = (".atom", ".rss", ".xml")
# Statuspage's own wording when it closes an incident or maintenance without a typed message.
CLOSING_TEXT = {
    "resolved": "This incident has been resolved.",
    "completed": "The scheduled maintenance has been completed.",
}
OPEN_MAINTENANCE = ("in_progress", "verifying")

Fetch = Callable[[str], bytes | None]
JsonObject = dict[str, Any]


def fetch_url(url: str) -> bytes | None:
    """GET a public URL; None when the page does not serve it (404), so the gap is reported."""
    request = urllib.request.Request(
        url, headers={"User-Agent": "statuskit-import", "Accept": "application/json, */*"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise records.SourceError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise records.SourceError(f"{url}: cannot fetch it ({reason})") from None


def read_statuspage(
    source: str,
    fetch: Fetch = fetch_url,
    *,
    feed_impact: str = "minor",
    timezone: ZoneInfo | None = None,
) -> records.Source:
    """A page's base URL, a folder of saved API v2 files, one such file, or a history feed."""
    from .statuspage_feed import read_feed

    if source.startswith(("http://", "https://")):
        if source.rstrip("/").endswith(FEED_SUFFIXES):
            data = fetch(source)
            if data is None:
                raise records.SourceError(f"{source}: not found")
            return read_feed(data, source, impact=feed_impact, timezone=timezone)
        base = source.rstrip("/").removesuffix("/api/v2")
        files: dict[str, Any] = {}
        for name in API_FILES:
            url = f"{base}/api/v2/{name}"
            data = fetch(url)
            if data is not None:
                files[name] = _json(data, url)
        if not files:
            raise records.SourceError(
                f"{source}: no api/v2 files found there; pass the page's base URL, "
                "like https://status.example.com"
            )
        return read_api(files, source)
    path = Path(source)
    if path.is_dir():
        files = {n: _json(path.joinpath(n).read_bytes(), str(path / n)) for n in _present(path)}
        if not files:
            raise records.SourceError(
                f"{source}: none of {', '.join(API_FILES)} is in this folder; "
                "save them from https://<page>/api/v2/"
            )
        return read_api(files, source)
    if path.is_file():
        if path.suffix.lower() in FEED_SUFFIXES:
            return read_feed(path.read_bytes(), source, impact=feed_impact, timezone=timezone)
        data = _json(path.read_bytes(), source)
        return read_api({_role(data, path.name): data}, source)
    raise records.SourceError(
        f"{source}: no such file or folder; pass a page URL, a folder of api/v2 files, "
        "or a history.atom / history.rss file"
    )


def _present(folder: Path) -> list[str]:
    """The API files saved in a folder, in the order they are read."""
    return [name for name in API_FILES if folder.joinpath(name).is_file()]


def _json(data: bytes, where: str) -> Any:
    """A saved or fetched file as JSON; anything else is a records.SourceError naming it."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise records.SourceError(f"{where}: not JSON ({exc})") from None


def _role(data: Any, name: str) -> str:
    """Which endpoint one saved file came from, by its name or else by its keys."""
    if name in API_FILES:
        return name
    keys = set(data) if isinstance(data, dict) else set()
    if {"components", "incidents", "status"} <= keys:
        return "summary.json"
    if "incidents" in keys:
        return "incidents.json"
    if "scheduled_maintenances" in keys:
        return "scheduled-maintenances.json"
    if "components" in keys:
        return "components.json"
    raise records.SourceError(
        f"{name}: not a Statuspage API v2 file (no incidents or components in it)"
    )


def text(value: Any) -> str:
    """Text as typed on Statuspage, with one kind of line end and no blank ends."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _objects(data: Any, key: str) -> list[JsonObject]:
    """The objects of one list of a file, skipping anything without an id."""
    items = data.get(key) if isinstance(data, dict) else None
    return [i for i in items or [] if isinstance(i, dict) and i.get("id")]


def read_api(files: dict[str, Any], origin: str) -> records.Source:
    """Components, groups, incidents and maintenances from the API v2 files of one page."""
    page: JsonObject = next(
        (
            d["page"]
            for d in files.values()
            if isinstance(d, dict) and isinstance(d.get("page"), dict)
        ),
        {},
    )
    source = records.Source(origin, page_id=str(page["id"]) if page.get("id") else None)
    summary = files.get("summary.json")
    listed = _objects(files.get("components.json"), "components") or _objects(summary, "components")
    for item in listed:
        _add_component(source, item)
    _in_page_order(source)
    if not listed:
        source.notes.append(
            "no components.json or summary.json: components are known only by the incidents "
            "that name them"
        )
    if page.get("url"):
        source.page_urls.append(str(page["url"]))
    if origin.startswith(("http://", "https://")):
        source.page_urls.append(origin.rstrip("/").removesuffix("/api/v2"))
    found: dict[str, tuple[JsonObject, records.SourceFile]] = {}
    read: dict[str, records.SourceFile] = {}
    for name, key in (
        ("incidents.json", "incidents"),
        ("summary.json", "incidents"),
        ("scheduled-maintenances.json", "scheduled_maintenances"),
        ("summary.json", "scheduled_maintenances"),
    ):
        if name not in files:
            continue
        items = _objects(files.get(name), key)
        counted = read.setdefault(name, records.SourceFile(f"{origin}/{name}"))
        counted.incidents += len(items)
        counted.updates += sum(len(i.get("incident_updates") or []) for i in items)
        starts = [records.instant(i.get("created_at") or i.get("started_at")) for i in items]
        if name != "summary.json" and starts:
            counted.oldest = min([s for s in [counted.oldest, *starts] if s is not None])
        if name != "summary.json" and len(items) >= LIST_LIMIT:
            counted.partial = f"{name} lists only the newest {LIST_LIMIT}; older ones are not in it"
        for item in items:
            seen = found.get(str(item["id"]))
            if seen is None or records.instant(item.get("updated_at")) > records.instant(
                seen[0].get("updated_at")
            ):
                found[str(item["id"])] = (item, counted)
    for item, counted in found.values():
        incident = _incident(item, source)
        counted.skipped_updates += incident.skipped_updates
        source.incidents.append(incident)
    source.files += read.values()
    _note_hand_set_statuses(source)
    return source


def _in_page_order(source: records.Source) -> None:
    """Groups and components in the page's order, which the snippet keeps for the new site."""
    last = len(source.components) + len(source.groups)
    source.groups.sort(key=lambda g: g.position or last)
    rank = {g.key: n for n, g in enumerate(source.groups)}
    source.components.sort(
        key=lambda c: (c.group in rank, rank.get(c.group or "", 0), c.position or last)
    )


def _add_component(source: records.Source, item: JsonObject) -> None:
    """A component or group of the page's list, in its order."""
    key = str(item["id"])
    name = str(item.get("name") or key)
    description = text(item.get("description")) or None
    position = item["position"] if isinstance(item.get("position"), int) else None
    if item.get("group"):
        if all(g.key != key for g in source.groups):
            source.groups.append(records.SourceGroup(key, name, description, position))
        return
    if source.component(key) is not None:
        return
    source.components.append(
        records.SourceComponent(
            key=key,
            name=name,
            description=description,
            group=str(item["group_id"]) if item.get("group_id") else None,
            showcase=item.get("showcase") if isinstance(item.get("showcase"), bool) else None,
            only_show_if_degraded=(
                item["only_show_if_degraded"]
                if isinstance(item.get("only_show_if_degraded"), bool)
                else None
            ),
            start_date=str(item["start_date"]) if item.get("start_date") else None,
            status=str(item["status"]) if item.get("status") else None,
            position=position,
        )
    )


def _incident(item: JsonObject, source: records.Source) -> records.SourceIncident:
    """One incident or maintenance object, its updates oldest first as statuskit keeps them."""
    maintenance = bool(item.get("scheduled_for")) or item.get("status") in MAINTENANCE_STATUSES
    kind = "maintenance" if maintenance else "incident"
    allowed = MAINTENANCE_STATUSES if maintenance else INCIDENT_STATUSES
    closing = allowed[-1]
    notes: list[str] = []
    # Newest first in the file; the same minute (or millisecond) keeps the posting order.
    raw = records.oldest_first(
        [u for u in item.get("incident_updates") or [] if isinstance(u, dict)],
        lambda u: (
            records.instant(u.get("display_at") or u.get("created_at")),
            records.instant(u.get("created_at")),
        ),
        newest_first=True,
    )
    updates: list[records.SourceUpdate] = []
    previous = allowed[0]
    silent = backdated = skipped = 0
    for update in raw:
        status = str(update.get("status") or "")
        if status == "postmortem" and not maintenance:
            notes.append("a `postmortem` update is kept as a `resolved` update")
            status = "resolved"
        elif status not in allowed:
            notes.append(
                f"an update with status {status!r} (not used for a {kind}) keeps the status "
                f"before it, {previous!r}"
            )
            status = previous
        shown = update.get("display_at") or update.get("created_at")
        if not shown:
            notes.append(f"an update without any time was left out: {text(update.get('body'))!r}")
            skipped += 1
            continue
        if update.get("created_at") and update.get("created_at") != shown:
            backdated += 1
        if update.get("deliver_notifications") is False:
            silent += 1
        impacts: dict[str, str] = {}
        for affected in update.get("affected_components") or []:
            if not isinstance(affected, dict) or not affected.get("code"):
                continue
            code, new = str(affected["code"]), str(affected.get("new_status"))
            _known(source, code, str(affected.get("name") or code), notes)
            if new in COMPONENT_STATUSES:
                impacts[code] = new
            else:
                notes.append(f"component status {new!r} of {code} is unknown and was left out")
        updates.append(records.SourceUpdate(str(shown), status, text(update.get("body")), impacts))
        previous = status
    if backdated:
        notes.append(
            f"{backdated} update(s) show another time than they were created at "
            "(display_at); the shown time is kept"
        )
    if silent:
        notes.append(
            f"{silent} update(s) were posted without notifying subscribers; "
            "statuskit publishes every update in its feeds"
        )
    state = str(item.get("status") or "")
    if not updates:
        at = str(item.get("created_at") or item.get("started_at") or item.get("updated_at") or "")
        status = state if state in allowed else allowed[0]
        updates.append(records.SourceUpdate(at, status, "", added=True))
        notes.append(f"it had no updates: one {status!r} update with no text was added at {at}")
    if state in ("resolved", "postmortem", "completed") and all(
        u.status != closing for u in updates
    ):
        at = str(item.get("resolved_at") or updates[-1].at)
        updates.append(records.SourceUpdate(at, closing, CLOSING_TEXT[closing], added=True))
        notes.append(f"it was {state} without a {closing!r} update: one was added at {at}")
    elif state == "postmortem":
        notes.append(
            "Statuspage shows it as `postmortem`; here it is resolved (publish the postmortem "
            "as a <file>.postmortem.md beside it)"
        )
    elif state in allowed and state != updates[-1].status:
        notes.append(
            f"Statuspage shows it as {state!r} but its last update says {updates[-1].status!r}; "
            "statuskit takes the status of the last update"
        )
    linked: dict[str, str] = {}
    for component in item.get("components") or []:
        if isinstance(component, dict) and component.get("id"):
            _add_component(source, component)
            linked[str(component["id"])] = "operational"
    start = {**linked, **updates[0].components}
    incident = records.SourceIncident(
        id=str(item["id"]),
        kind=kind,
        title=text(item.get("name")) or str(item["id"]),
        impact="maintenance" if maintenance else str(item.get("impact") or "none"),
        updates=updates,
        components=start,
        body=text(item.get("postmortem_body")),
        notes=notes,
        skipped_updates=skipped,
    )
    if incident.body:
        notes.append("its postmortem is the summary (the markdown body) of the file")
    first = updates[0].at
    if maintenance:
        incident.scheduled_for = str(item.get("scheduled_for") or "") or None
        incident.scheduled_until = str(item.get("scheduled_until") or "") or None
    else:
        started = str(item.get("started_at") or item.get("created_at") or first)
        if records.instant(started) > records.instant(first):
            notes.append(
                f"started_at {started} is after the first update; the update's time is used"
            )
            started = first
        incident.started_at = started
    resolved = item.get("resolved_at")
    if resolved and state in ("resolved", "postmortem", "completed"):
        if incident.started_at and records.instant(str(resolved)) < records.instant(
            incident.started_at
        ):
            notes.append(
                f"resolved_at {resolved} is before the start; the resolved update's time is used"
            )
        else:
            incident.resolved_at = str(resolved)
    return incident


def _known(source: records.Source, code: str, label: str, notes: list[str]) -> None:
    """A component an update names but the page no longer lists (deleted since)."""
    if source.component(code) is None and all(g.key != code for g in source.groups):
        source.components.append(records.SourceComponent(code, label))
        notes.append(f"component {label!r} ({code}) is no longer listed by the page")


def _note_hand_set_statuses(source: records.Source) -> None:
    """Statuses set on Statuspage without an update: statuskit derives them from updates only."""
    derived: dict[str, list[str]] = {}
    for incident in source.incidents:
        last = incident.updates[-1].status
        if incident.kind == "incident" and last != "resolved":
            for key, impact in incident.final_impacts().items():
                derived.setdefault(key, []).append(impact)
        elif incident.kind == "maintenance" and last in OPEN_MAINTENANCE:
            for key in incident.final_impacts():
                derived.setdefault(key, []).append("under_maintenance")
    for component in source.components:
        if component.status is None:
            continue
        ours = worst(derived.get(component.key, []))
        if ours != component.status:
            source.notes.append(
                f"component {component.name!r} is {component.status} on Statuspage, but its open "
                f"incidents make it {ours} here: a status set by hand without an update is not "
                "carried (post an update to change it)"
            )
