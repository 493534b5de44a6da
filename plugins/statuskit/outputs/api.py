"""Statuspage API v2 JSON files, so any Statuspage client reads a statuskit site by URL alone."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from ..core.model import STATUS_RANK, Component, Group, Incident, Text, Update
from ..core.site import Site
from ..core.status import IncidentState
from ..views.pages import incident_src, page_url

API_ROOT = "api/v2"
# Statuspage returns at most this many items from incidents.json and scheduled-maintenances.json.
LIST_LIMIT = 50
# Statuspage's own English wording of each indicator, which clients may show or match verbatim.
STATUS_DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
    "maintenance": "Service Under Maintenance",
}
# When nothing at all carries a time, a fixed one keeps builds reproducible (never the clock).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CLOSING_STATUSES = ("resolved", "completed")
ACTIVE_MAINTENANCE = ("in_progress", "verifying")

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class PageInfo:
    """The Statuspage `page` object's fixed facts, which the site generator knows, not the core."""

    id: str
    name: str
    url: str
    time_zone: str


def render_api(site: Site, locale: str, base_url: str, page: PageInfo) -> dict[str, bytes]:
    """Every Statuspage v2 endpoint of one locale build: output path -> JSON bytes."""
    return _ApiRenderer(site, locale, base_url, page).render()


def dump(value: object) -> bytes:
    """Compact UTF-8 JSON in insertion order, as Statuspage serves it; same data, same bytes."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _ApiRenderer:
    """Builds each Statuspage object once and shares it between the endpoints that list it."""

    def __init__(self, site: Site, locale: str, base_url: str, page: PageInfo) -> None:
        self.site = site
        self.settings = site.settings
        self.state = site.state
        self.now = site.state.now
        self.locale = locale
        self.base_url = base_url.rstrip("/") + "/"
        self.info = page
        self.zone = site.settings.timezone
        self.groups = {g.id: g for g in self.settings.groups}
        components = sorted(self.settings.components, key=lambda c: (c.position, c.id))
        # Display order: ungrouped components first, then each non-empty group and its members.
        self.members: dict[str, list[Component]] = {}
        for component in components:
            if component.group in self.groups:
                self.members.setdefault(component.group, []).append(component)
        self.top: list[Component | Group] = [c for c in components if c.group not in self.groups]
        self.top += [
            g
            for g in sorted(self.settings.groups, key=lambda g: (g.position, g.id))
            if g.id in self.members
        ]
        self.order = {c.id: n for n, c in enumerate(self._flat_components())}
        self.states = sorted(
            self.state.incidents.values(),
            key=lambda s: (self._created(s), s.incident.id),
            reverse=True,
        )
        self.earliest = self._earliest_content_time()
        self._mentions, self._changes = self._component_history()
        self._component_times: dict[str, datetime] = {}
        self.components = self._component_objects()
        # Built when an endpoint lists them: the lists show a bounded number of incidents.
        self.incidents = _Incidents(self._incident, self.states)
        self.updated_at = self._page_updated_at()

    # Times ------------------------------------------------------------------------------

    def time(self, moment: datetime) -> str:
        """RFC 3339 with milliseconds in the site zone, `Z` for UTC, as Statuspage writes times."""
        local = moment.astimezone(self.zone)
        text = local.isoformat(timespec="milliseconds")
        if local.tzname() == "UTC" and text.endswith("+00:00"):
            return text.removesuffix("+00:00") + "Z"
        return text

    def _created(self, state: IncidentState) -> datetime:
        """When the incident was first published: its first update."""
        updates = state.incident.updates
        return updates[0].at if updates else state.start

    def _started(self, state: IncidentState) -> datetime:
        """When it began: the start for incidents, the actual or planned window start otherwise."""
        incident = state.incident
        if incident.started_at:
            return incident.started_at
        if incident.is_maintenance:
            begun = next((u.at for u in incident.updates if u.status == "in_progress"), None)
            return begun or incident.scheduled_for or self._created(state)
        return state.start

    def _updated(self, state: IncidentState) -> datetime:
        """The last time it changed: an update, its resolution, or its window opening by itself."""
        times = [u.at for u in state.incident.updates] or [self._created(state)]
        if state.resolved_at and state.resolved_at <= self.now:
            times.append(state.resolved_at)
        scheduled_for = state.incident.scheduled_for
        if (
            state.incident.is_maintenance
            and state.status != "scheduled"
            and scheduled_for
            and scheduled_for <= self.now
        ):
            times.append(scheduled_for)
        return max(times)

    def _earliest_content_time(self) -> datetime:
        """The oldest time the site's content holds, for components nothing else dates."""
        times = [min(self._created(s), self._started(s)) for s in self.states]
        if times:
            return min(times)
        starts = [self._midnight(c) for c in self.settings.components if c.start_date]
        return min(starts, default=EPOCH)

    def _midnight(self, component: Component) -> datetime:
        """A start date as a time: its first local midnight, since Statuspage dates are days."""
        assert component.start_date is not None
        return datetime.combine(component.start_date, time(), self.zone)

    def _page_updated_at(self) -> datetime:
        """The newest content time, so an unchanged site renders the same bytes at any hour."""
        times = [self._updated(s) for s in self.states]
        times += self._component_times.values()
        return max(times, default=self.earliest)

    # Components -------------------------------------------------------------------------

    def text(self, value: Text) -> str:
        """Text in the build's locale, falling back to the default locale like the HTML pages."""
        return value.get(self.locale, self.settings.locale).text

    def _flat_components(self) -> list[Component]:
        """Components in display order, which orders every list of them in the output."""
        flat: list[Component] = []
        for item in self.top:
            flat += self.members[item.id] if isinstance(item, Group) else [item]
        return flat

    def _status(self, component_id: str) -> str:
        """The derived status shared with the HTML pages, so both always agree."""
        return self.state.component_status.get(component_id, "operational")

    def _component_history(self) -> tuple[dict[str, datetime], dict[str, datetime]]:
        """Per component, in one pass over the history: the first time an incident names it
        and the last time its status changed."""
        first: dict[str, datetime] = {}
        last: dict[str, datetime] = {}
        for state in self.states:
            mentioned = min(self._created(state), self._started(state))
            for component_id in _touched(state.incident):
                if component_id not in first or mentioned < first[component_id]:
                    first[component_id] = mentioned
            for segment in state.segments:
                # An open incident's last span ends at the build time, which is no change.
                changes = [segment.start] if segment.start <= self.now else []
                changes += [segment.end] if segment.end < self.now else []
                for moment in changes:
                    if segment.component not in last or moment > last[segment.component]:
                        last[segment.component] = moment
        return first, last

    def _component_dates(self, component: Component) -> tuple[datetime, datetime]:
        """Created: its start date, else the first incident naming it; updated: last change."""
        if component.start_date:
            created = self._midnight(component)
        else:
            created = self._mentions.get(component.id, self.earliest)
        changed = self._changes.get(component.id)
        return created, created if changed is None or changed < created else changed

    def _component_objects(self) -> dict[str, JsonObject]:
        """Every component and group as Statuspage objects, in display order."""
        objects: dict[str, JsonObject] = {}
        for position, item in enumerate(self.top, start=1):
            if isinstance(item, Group):
                members = self.members[item.id]
                dates = [self._component_dates(c) for c in members]
                created = min(d[0] for d in dates)
                updated = max(d[1] for d in dates)
                objects[item.id] = self._component_object(
                    item.id,
                    self.text(item.name),
                    max((self._status(c.id) for c in members), key=STATUS_RANK.__getitem__),
                    created,
                    updated,
                    position,
                    self.text(item.description) if item.description else None,
                    showcase=False,
                    start_date=None,
                    group_id=None,
                    only_show_if_degraded=False,
                    members=[c.id for c in members],
                )
                for number, (member, (c_created, c_updated)) in enumerate(
                    zip(members, dates, strict=True), start=1
                ):
                    objects[member.id] = self._member(member, c_created, c_updated, number)
            else:
                created, updated = self._component_dates(item)
                objects[item.id] = self._member(item, created, updated, position)
        return objects

    def _member(
        self, component: Component, created: datetime, updated: datetime, position: int
    ) -> JsonObject:
        """A configured component; remembers its last change for the page's updated_at."""
        self._component_times[component.id] = updated
        return self._component_object(
            component.id,
            self.text(component.name),
            self._status(component.id),
            created,
            updated,
            position,
            self.text(component.description) if component.description else None,
            showcase=component.showcase,
            start_date=component.start_date.isoformat() if component.start_date else None,
            group_id=component.group if component.group in self.groups else None,
            only_show_if_degraded=component.only_show_if_degraded,
            members=None,
        )

    def _component_object(
        self,
        component_id: str,
        name: str,
        status: str,
        created: datetime,
        updated: datetime,
        position: int,
        description: str | None,
        *,
        showcase: bool,
        start_date: str | None,
        group_id: str | None,
        only_show_if_degraded: bool,
        members: list[str] | None,
    ) -> JsonObject:
        """One component in Statuspage's field order; a group is a component with `group: true`."""
        value: JsonObject = {
            "id": component_id,
            "name": name,
            "status": status,
            "created_at": self.time(created),
            "updated_at": self.time(updated),
            "position": position,
            "description": description,
            "showcase": showcase,
            "start_date": start_date,
            "group_id": group_id,
            "page_id": self.info.id,
            "group": members is not None,
            "only_show_if_degraded": only_show_if_degraded,
        }
        if members is not None:
            value["components"] = members
        return value

    def _component_label(self, component_id: str) -> str:
        """A component's name as Statuspage lists it in updates: `Group - Component`."""
        component = self.settings.component(component_id)
        if component is None:
            return component_id
        name = self.text(component.name)
        group = self.groups.get(component.group or "")
        return f"{self.text(group.name)} - {name}" if group else name

    def _ordered(self, component_ids: set[str] | list[str]) -> list[str]:
        """Component ids in display order, so sets of them serialize the same on every build."""
        return sorted(component_ids, key=lambda c: (self.order.get(c, len(self.order)), c))

    # Incidents --------------------------------------------------------------------------

    def _affected(self, incident: Incident) -> list[list[JsonObject] | None]:
        """Per update, oldest first: the components whose impact it changed, or None."""
        current: dict[str, str] = {}
        applied = False
        result: list[list[JsonObject] | None] = []
        for index, update in enumerate(incident.updates):
            new = dict(current)
            if incident.is_maintenance:
                if update.status in ACTIVE_MAINTENANCE and not applied:
                    new.update(
                        {
                            c: i if i != "operational" else "under_maintenance"
                            for c, i in incident.components.items()
                        }
                    )
                    applied = True
            else:
                if index == 0:
                    new.update(incident.components)
                new.update(update.components)
            if update.status in CLOSING_STATUSES:
                new = dict.fromkeys(new, "operational")
            changed = [
                c
                for c in self._ordered(list(new))
                if current.get(c, "operational") != new[c] and self.settings.component(c)
            ]
            changes = [
                {
                    "code": c,
                    "name": self._component_label(c),
                    "old_status": current.get(c, "operational"),
                    "new_status": new[c],
                }
                for c in changed
            ]
            result.append(changes or None)
            current = new
        return result

    def _update(
        self, incident: Incident, update: Update, affected: list[JsonObject] | None
    ) -> JsonObject:
        """One update; its id counts from 1 in file order, so appending never renames one."""
        at = self.time(update.at)
        return {
            "id": f"{incident.id}-u{update.number + 1}",
            "status": update.status,
            "body": self.text(update.body),
            "incident_id": incident.id,
            "created_at": at,
            "updated_at": at,
            "display_at": at,
            "affected_components": affected,
            # Every update is public and in the feeds; statuskit has no silent updates or tweets.
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def _incident(self, state: IncidentState) -> JsonObject:
        """One incident or maintenance as Statuspage shows it, updates newest first."""
        incident = state.incident
        affected = self._affected(incident)
        updates = [
            self._update(incident, u, a)
            for u, a in reversed(list(zip(incident.updates, affected, strict=True)))
        ]
        value: JsonObject = {
            "id": incident.id,
            "name": self.text(incident.title),
            "status": state.status,
            "created_at": self.time(self._created(state)),
            "updated_at": self.time(self._updated(state)),
            "monitoring_at": self.time(state.monitoring_at) if state.monitoring_at else None,
            "resolved_at": (
                self.time(state.resolved_at)
                if state.resolved_at and state.status in CLOSING_STATUSES
                else None
            ),
            "impact": state.impact,
            "shortlink": self.base_url
            + page_url(incident_src(incident.id), self.settings.directory_urls),
            "started_at": self.time(self._started(state)),
            "page_id": self.info.id,
            "incident_updates": updates,
            "components": [
                self.components[c]
                for c in self._ordered(_touched(incident))
                if c in self.components
            ],
        }
        if incident.is_maintenance:
            value["scheduled_for"] = (
                self.time(incident.scheduled_for) if incident.scheduled_for else None
            )
            value["scheduled_until"] = (
                self.time(incident.scheduled_until) if incident.scheduled_until else None
            )
        return value

    # Endpoints --------------------------------------------------------------------------

    def page(self) -> JsonObject:
        """The `page` object every endpoint starts with."""
        return {
            "id": self.info.id,
            "name": self.info.name,
            "url": self.info.url,
            "time_zone": self.info.time_zone,
            "updated_at": self.time(self.updated_at),
        }

    def status(self) -> JsonObject:
        """The banner's indicator with Statuspage's English words, which clients may match."""
        indicator = self.state.indicator
        return {"indicator": indicator, "description": STATUS_DESCRIPTIONS[indicator]}

    def _select(
        self, maintenance: bool, *statuses: str, limit: int | None = None
    ) -> list[JsonObject]:
        """Incidents or maintenances, newest first, optionally only those in some statuses."""
        selected = (
            s
            for s in self.states
            if s.incident.is_maintenance == maintenance and (not statuses or s.status in statuses)
        )
        return [self.incidents[s.incident.id] for s in itertools.islice(selected, limit)]

    def render(self) -> dict[str, bytes]:
        """All eight endpoints; lists share the same objects so they cannot disagree."""
        page = self.page()
        components = list(self.components.values())
        incidents = self._select(False, limit=LIST_LIMIT)
        unresolved = [
            self.incidents[s.incident.id]
            for s in self.states
            if not s.incident.is_maintenance and s.is_open
        ]
        maintenances = self._select(True, limit=LIST_LIMIT)
        upcoming = self._select(True, "scheduled")
        active = self._select(True, *ACTIVE_MAINTENANCE)
        in_summary = self._select(True, "scheduled", *ACTIVE_MAINTENANCE)
        files: dict[str, JsonObject] = {
            "summary.json": {
                "page": page,
                "components": components,
                "incidents": unresolved,
                "scheduled_maintenances": in_summary,
                "status": self.status(),
            },
            "status.json": {"page": page, "status": self.status()},
            "components.json": {"page": page, "components": components},
            "incidents.json": {"page": page, "incidents": incidents},
            "incidents/unresolved.json": {"page": page, "incidents": unresolved},
            "scheduled-maintenances.json": {
                "page": page,
                "scheduled_maintenances": maintenances,
            },
            "scheduled-maintenances/upcoming.json": {
                "page": page,
                "scheduled_maintenances": upcoming,
            },
            "scheduled-maintenances/active.json": {
                "page": page,
                "scheduled_maintenances": active,
            },
        }
        return {f"{API_ROOT}/{path}": dump(value) for path, value in files.items()}


class _Incidents(Mapping[str, JsonObject]):
    """Incident objects by id, each built the first time an endpoint or a webhook asks for it."""

    def __init__(
        self, build: Callable[[IncidentState], JsonObject], states: list[IncidentState]
    ) -> None:
        self._build = build
        self._states = {s.incident.id: s for s in states}
        self._built: dict[str, JsonObject] = {}

    def __getitem__(self, incident_id: str) -> JsonObject:
        value = self._built.get(incident_id)
        if value is None:
            value = self._built[incident_id] = self._build(self._states[incident_id])
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._states)

    def __len__(self) -> int:
        return len(self._states)


def _touched(incident: Incident) -> set[str]:
    """Every component an incident lists, at the start or in any update."""
    touched = set(incident.components)
    for update in incident.updates:
        touched.update(update.components)
    return touched
