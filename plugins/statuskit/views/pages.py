"""The pages of a status site and what each shows, resolved for one locale."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from babel.dates import format_timedelta
from markupsafe import Markup

from ..core.i18n import Catalog
from ..core.model import Component, Localized, Text, Update
from ..core.settings import Settings
from ..core.status import DayStatus, IncidentState, SiteState, worst
from .formatting import Formatter, TimeText
from .markup import MarkdownRenderer
from .memo import ViewMemo
from .practice import (
    PromiseView,
    ProviderView,
    affected_sentence,
    category_label,
    person,
    promise_view,
    provider_view,
)

STATUS_ICONS = {
    "operational": "material/check-circle",
    "degraded_performance": "material/speedometer-slow",
    "partial_outage": "material/alert",
    "major_outage": "material/close-circle",
    "under_maintenance": "material/wrench",
    "investigating": "material/magnify",
    "identified": "material/target",
    "monitoring": "material/eye",
    "resolved": "material/check-circle",
    "scheduled": "material/calendar-clock",
    "in_progress": "material/wrench",
    "verifying": "material/eye",
    "completed": "material/check-circle",
    "none": "material/check-circle",
    "minor": "material/alert",
    "major": "material/alert",
    "critical": "material/close-circle",
    "maintenance": "material/wrench",
}


# Incidents the home page lists in its past days; more are counted and left to the history, so
# a first visit weighs the same however busy the past days were.
HOME_RECENT_LIMIT = 10


def ago(delta: timedelta, fmt: Formatter) -> str:
    """How long ago, in minutes, hours or days: never rounded up to a vaguer week or month."""
    size = abs(delta)
    unit: Literal["day", "hour", "minute"] = (
        "minute" if size < timedelta(hours=1) else "hour" if size < timedelta(days=1) else "day"
    )
    return format_timedelta(
        delta, granularity=unit, threshold=1000, add_direction=True, locale=fmt.locale
    )


def page_url(src_uri: str, directory_urls: bool) -> str:
    """The URL MkDocs gives a markdown source path, relative to the site root."""
    stem = src_uri.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/" if directory_urls else f"{stem}.html"


# The generated page defining the severity scale; every severity badge links to it.
SEVERITY_SRC = "severity.md"


def incident_src(incident_id: str) -> str:
    return f"incidents/{incident_id}.md"


def list_src(base: str) -> str:
    """A list's first page sits at its base (a plain page, so it sits flat in the nav)."""
    return f"{base}.md" if base else "index.md"


def archive_src(base: str, bucket: int) -> str:
    """An older page of a list, numbered by its bucket counted from the oldest: a URL for good."""
    return f"{base}/page/{bucket}.md"


@dataclass(frozen=True)
class Badge:
    """A status shown by icon and words, and coloured only as a third cue."""

    id: str
    label: str
    icon: str


@dataclass(frozen=True)
class SeverityView:
    id: str
    label: str
    color: str
    url: str = ""


@dataclass
class UpdateView:
    at: TimeText
    status: Badge
    body: Markup
    lang: str
    fallback: bool
    provisional: bool
    changes: list[str]


@dataclass
class IncidentSummary:
    """What lists of incidents show about one; built once, shared by every list."""

    id: str
    url: str
    kind: str
    kind_label: str
    title: Localized
    severity: SeverityView | None
    status: Badge
    is_open: bool
    start: TimeText
    end: TimeText | None
    duration: str
    components: list[str]
    latest: UpdateView | None
    month: date
    postmortem_url: str | None = None
    # When it last changed, and how long before the build that was ("11 days ago").
    updated: TimeText | None = None
    updated_ago: str = ""
    # The components' names with their language, so a fallback name is marked as such.
    component_names: list[Localized] = field(default_factory=list)
    # The next update and the expected resolution promised while it is open.
    promise: PromiseView | None = None
    # The key of the closed incident's state it was made from (see views/memo.py); a list
    # page's key takes it in place of the summary. Empty for an open incident.
    key: str = field(default="", compare=False, repr=False)


class SummaryKey(str):
    """What a page key holds in the place of a summary made from a known state."""


def summary_key(summary: IncidentSummary) -> str | tuple[Any, ...]:
    """How a page key writes a summary: by its state's key when it has one (a list page holds
    dozens of summaries, each pickled again for every list it is in)."""
    if summary.key:
        return (SummaryKey, (summary.key,))
    return summary.__reduce_ex__(5)


def postmortem_src(incident_id: str) -> str:
    return f"postmortems/{incident_id}.md"


@dataclass
class IncidentView:
    summary: IncidentSummary
    category: str
    detected: TimeText | None
    window: tuple[TimeText, TimeText] | None
    components: list[tuple[Localized, Badge]]
    regions: list[str]
    scope: Localized | None
    workaround: Localized | None
    responsible: tuple[Localized, Localized] | None
    updates: list[UpdateView]
    body_lang: str
    body_fallback: bool
    affected: str | None = None
    lead: str | None = None
    provider: ProviderView | None = None
    feedback_url: str | None = None
    category_url: str | None = None


@dataclass
class Bar:
    """One day of an uptime chart: its words, the outage minutes and that day's incidents."""

    status: str
    label: str
    iso: str = ""
    outage: str | None = None
    incidents: list[IncidentSummary] = field(default_factory=list)


@dataclass
class ComponentView:
    id: str
    name: Localized
    description: Localized | None
    status: Badge | None  # None on the older pages of its history: they do not show it
    url: str
    uptime: str | None
    bars: list[Bar]
    visible: bool


@dataclass
class GroupView:
    name: Localized | None
    description: Localized | None
    components: list[ComponentView]


@dataclass
class DayView:
    label: str
    incidents: list[IncidentSummary]


@dataclass
class MonthView:
    label: str
    anchor: str
    incidents: list[IncidentSummary]


@dataclass
class Pager:
    """Where a page of a list sits: no total, so a new page leaves the older ones unchanged."""

    number: int  # the bucket of an archive page; 0 on the first page
    label: str  # the months the page covers
    newer: str | None
    older: str | None


@dataclass(frozen=True)
class FeedLink:
    """A feed a page advertises with `<link rel="alternate">`."""

    type: str
    title: str
    href: str


FEED_FORMATS = (("atom", "application/atom+xml", "Atom"), ("rss", "application/rss+xml", "RSS"))


def feed_links(t: Catalog, base: str, key: str, **values: object) -> list[FeedLink]:
    """Atom and RSS links for a feed whose path without extension is `base`."""
    return [
        FeedLink(mime, f"{t(key, **values)} ({label})", f"{base}.{ext}")
        for ext, mime, label in FEED_FORMATS
    ]


@dataclass
class PageSpec:
    """One generated page: where it goes, which template shows it and what it needs."""

    src_uri: str
    url: str
    title: str
    template: str
    markdown: str = ""
    view: dict[str, Any] = field(default_factory=dict)
    in_nav: bool = False
    feeds: list[FeedLink] = field(default_factory=list)
    # A recalled page's view as the memo keeps it, pickled and complete: loaded only if the
    # page must be rendered (a page reused from the cache never needs it).
    kept: bytes | None = field(default=None, compare=False, repr=False)

    def restore(self) -> None:
        """Load a recalled page's view before it is rendered."""
        if self.kept is not None:
            self.view, self.kept = pickle.loads(self.kept), None


@dataclass
class SitePlan:
    pages: list[PageSpec]
    state: SiteState
    catalog: Catalog
    formatter: Formatter

    @property
    def site_feeds(self) -> list[FeedLink]:
        """Feeds every page advertises: the whole site's history."""
        return feed_links(self.catalog, "history", "feed.site")


def component_changes(
    t: Catalog, component_name: Callable[[str], str], update: Update
) -> list[str]:
    """What an update did to each component, in the same words on pages and in messages."""
    return [
        t("incident.changes", component=component_name(c), status=t(f"status.{i}"))
        for c, i in update.components.items()
    ]


class PagePlanner:
    """Builds every page's view once; each page's work stays bounded, however long the history."""

    def __init__(
        self, settings: Settings, state: SiteState, locale: str, memo: ViewMemo | None = None
    ) -> None:
        self.settings = settings
        self.state = state
        self.locale = locale
        self.t = settings.catalog(locale)
        self.fmt = Formatter(locale, settings.timezone)
        self.markdown = MarkdownRenderer()
        self.memo = memo
        self._summaries: dict[str, IncidentSummary] = {}
        # Closed incidents' pages recalled from the memo with their summaries.
        self._recalled: dict[str, PageSpec] = {}
        self._keys: dict[str, str | None] = {}

    # Small pieces -----------------------------------------------------------------------

    def text(self, value: Text) -> Localized:
        return value.get(self.locale, self.settings.locale)

    def url(self, src_uri: str) -> str:
        return page_url(src_uri, self.settings.directory_urls)

    def badge(self, status: str, prefix: str) -> Badge:
        return Badge(
            status, self.t(f"{prefix}.{status}"), STATUS_ICONS.get(status, "material/help-circle")
        )

    def component_name(self, component_id: str) -> str:
        return self.component_text(component_id).text

    def region_name(self, code: str) -> str:
        """A region code (kr, jp, eu) as the reader's language names it; other codes as written."""
        return str(self.fmt.locale.territories.get(code.upper(), code))

    def component_text(self, component_id: str) -> Localized:
        component = self.settings.component(component_id)
        if component is None:
            return Localized(component_id, self.locale, False)
        return self.text(component.name)

    def update_view(self, update: Update) -> UpdateView:
        body = self.text(update.body)
        return UpdateView(
            at=self.fmt.time(update.at),
            status=self.badge(update.status, "incident_status"),
            body=self.markdown.html(body.text),
            lang=body.lang,
            fallback=body.fallback,
            provisional=update.provisional,
            changes=component_changes(self.t, self.component_name, update),
        )

    def summary(self, state: IncidentState) -> IncidentSummary:
        cached = self._summaries.get(state.incident.id)
        if cached is not None:
            return cached
        key = None
        if self.memo is not None:
            key = self._keys[state.incident.id] = self.memo.key(state)
            recalled = self.memo.recall(state.incident.id, key)
            if recalled is not None:
                summary, self._recalled[state.incident.id] = recalled
                self._summaries[state.incident.id] = summary
                return summary  # type: ignore[no-any-return]
        incident = state.incident
        severity = self.settings.severity(incident.severity)
        end = state.resolved_at
        if incident.is_maintenance and incident.scheduled_until and not end:
            end = incident.scheduled_until
        summary = IncidentSummary(
            id=incident.id,
            url=self.url(incident_src(incident.id)),
            kind=incident.kind,
            kind_label=self.t(f"kind.{incident.kind}"),
            title=self.text(incident.title),
            severity=(
                SeverityView(
                    severity.id,
                    self.text(severity.name).text,
                    severity.color,
                    f"{self.url(SEVERITY_SRC)}#severity-{severity.id}",
                )
                if severity
                else None
            ),
            status=self.badge(state.status, "incident_status"),
            is_open=state.is_open,
            start=self.fmt.time(state.start),
            end=self.fmt.time(end) if end else None,
            duration=self.fmt.duration(state.duration(self.state.now)),
            components=[self.component_name(c) for c in incident.components],
            latest=self.update_view(incident.updates[-1]) if incident.updates else None,
            month=state.start.astimezone(self.settings.timezone).date().replace(day=1),
            postmortem_url=(
                self.url(postmortem_src(incident.id)) if incident.published_postmortem else None
            ),
            promise=promise_view(
                incident, self.settings, self.state.now, self.t, self.fmt, self.locale
            )
            if state.is_open
            else None,
            component_names=[self.component_text(c) for c in incident.components],
            updated=self.fmt.time(state.last_update_at),
            # Shown for open incidents only; a resolved one's page must not change each day.
            updated_ago=ago(state.last_update_at - self.state.now, self.fmt)
            if state.is_open
            else "",
            key=key or "",
        )
        self._summaries[incident.id] = summary
        return summary

    # Pages ------------------------------------------------------------------------------

    def plan(self) -> SitePlan:
        closed = self.state.closed()
        pages = [self.home_page(closed)]
        pages += [self.incident_page(s) for s in self.state.incidents.values()]
        pages += self.history_pages(closed)
        pages += self.component_pages()
        return SitePlan(pages, self.state, self.t, self.fmt)

    def incident_page(self, state: IncidentState) -> PageSpec:
        summary = self.summary(state)
        recalled = self._recalled.pop(state.incident.id, None)
        if recalled is not None:
            return recalled
        page = self._incident_page(state, summary)
        if self.memo is not None:
            self.memo.keep(state.incident.id, self._keys.get(state.incident.id), summary, page)
        return page

    def _incident_page(self, state: IncidentState, summary: IncidentSummary) -> PageSpec:
        incident = state.incident
        body = self.text(incident.body)
        window = None
        if incident.is_maintenance and incident.scheduled_for and incident.scheduled_until:
            window = (
                self.fmt.time(incident.scheduled_for),
                self.fmt.time(incident.scheduled_until),
            )
        responsible = None
        if incident.responsible:
            responsible = (
                self.text(incident.responsible.name),
                self.text(incident.responsible.role),
            )
        affected = dict(incident.components)
        for update in incident.updates:
            for component, impact in update.components.items():
                affected.setdefault(component, impact)
        # Open: each component's impact now. Resolved: its worst impact during the incident,
        # not the "operational" it returned to.
        during: dict[str, list[str]] = {}
        for segment in state.segments:
            during.setdefault(segment.component, []).append(segment.impact)
        components = [
            (
                self.component_text(c),
                self.badge(
                    state.impacts.get(c, "operational")
                    if state.is_open
                    else worst(during.get(c, [affected[c]])),
                    "status",
                ),
            )
            for c in affected
        ]
        view = IncidentView(
            summary=summary,
            category=category_label(self.settings, incident.category, self.t, self.text),
            detected=self.fmt.time(incident.detected_at) if incident.detected_at else None,
            window=window,
            components=components,
            regions=[self.region_name(r) for r in incident.regions],
            scope=self.text(incident.scope) if incident.scope else None,
            workaround=self.text(incident.workaround) if incident.workaround else None,
            responsible=responsible,
            updates=[self.update_view(u) for u in reversed(incident.updates)],
            body_lang=body.lang,
            body_fallback=body.fallback and bool(body.text.strip()),
            affected=affected_sentence(incident.affected, self.t, self.fmt, self.text),
            lead=(
                person(self.text(incident.lead.name), self.text(incident.lead.role), self.t)
                if incident.lead
                else None
            ),
            provider=provider_view(incident, self.settings, "page", self.t, self.text),
            feedback_url=self.settings.feedback_link(incident.id),
        )
        return PageSpec(
            src_uri=incident_src(incident.id),
            url=summary.url,
            title=summary.title.text,
            template="statuskit/incident.html",
            markdown=body.text,
            view={"incident": view},
            feeds=feed_links(
                self.t, f"feeds/incidents/{incident.id}", "feed.incident", title=summary.title.text
            ),
        )

    def home_page(self, closed: Sequence[IncidentState]) -> PageSpec:
        today = self.state.now.astimezone(self.settings.timezone).date()
        days_back = self.settings.home_history_days
        recent: dict[date, list[IncidentSummary]] = {
            today - timedelta(days=n): [] for n in range(days_back)
        }
        started = [*self.state.open_incidents(), *closed]
        listed = more = 0
        for state in sorted(started, key=lambda s: (s.start, s.incident.id), reverse=True):
            day = state.start.astimezone(self.settings.timezone).date()
            if day < today - timedelta(days=days_back - 1):
                break
            if day in recent:
                if listed < HOME_RECENT_LIMIT:
                    recent[day].append(self.summary(state))
                    listed += 1
                else:
                    more += 1
        view = {
            "indicator": self.badge(self.state.indicator, "indicator"),
            "groups": self.groups(),
            "active": [self.summary(s) for s in self.state.open_incidents()],
            "maintenance": [self.summary(s) for s in self.state.maintenance()],
            "recent": [DayView(self.fmt.day(d), items) for d, items in recent.items()],
            "recent_days": days_back,
            "recent_more": more,
            "as_of": self.fmt.time(self.state.now),
            "history_url": self.url(list_src("history")),
            "uptime_days": self.settings.uptime_days,
        }
        return PageSpec(
            src_uri="index.md",
            url="",
            title=self.t("home.title"),
            template="statuskit/home.html",
            view=view,
            in_nav=True,
        )

    def groups(self) -> list[GroupView]:
        components = sorted(self.settings.components, key=lambda c: (c.position, c.id))
        views: list[GroupView] = []
        ungrouped = [self.component_view(c) for c in components if not c.group]
        if ungrouped:
            views.append(GroupView(None, None, ungrouped))
        for group in sorted(self.settings.groups, key=lambda g: (g.position, g.id)):
            members = [self.component_view(c) for c in components if c.group == group.id]
            if members:
                views.append(
                    GroupView(
                        self.text(group.name),
                        self.text(group.description) if group.description else None,
                        members,
                    )
                )
        return views

    def component_view(self, component: Component) -> ComponentView:
        status = self.state.component_status.get(component.id, "operational")
        percent = self.state.uptime_percent(component.id)
        return ComponentView(
            id=component.id,
            name=self.text(component.name),
            description=self.text(component.description) if component.description else None,
            status=self.badge(status, "status"),
            url=self.url(list_src(f"components/{component.id}")),
            uptime=(
                self.t(
                    "uptime.summary",
                    percent=self.fmt.percent(percent),
                    days=self.settings.uptime_days,
                )
                if percent is not None
                else None
            ),
            bars=[self.bar(d) for d in self.state.uptime_days.get(component.id, [])],
            visible=not component.only_show_if_degraded or status != "operational",
        )

    def bar(self, day: DayStatus) -> Bar:
        status = day.status if day.tracked else "no_data"
        label = self.t("uptime.no_data") if not day.tracked else self.t(f"status.{day.status}")
        outage = None
        if day.downtime_minutes >= 1:
            minutes = timedelta(minutes=round(day.downtime_minutes))
            outage = self.t("uptime.outage", duration=self.fmt.duration(minutes))
        incidents = [
            self.summary(self.state.incidents[i])
            for i in day.incidents
            if i in self.state.incidents
        ]
        return Bar(
            status,
            self.t("uptime.day", date=self.fmt.day(day.day), status=label),
            day.day.isoformat(),
            outage,
            incidents,
        )

    def _paginate(
        self,
        base: str,
        items: Sequence[IncidentState],
        title: str,
        template: str,
        extra: dict[str, Any],
    ) -> list[PageSpec]:
        """Newest first, in buckets counted from the oldest, so an incident changes few pages.

        Bucket b holds the items [(b-1)*size, b*size) oldest first and keeps its number and
        page for good; the first page shows the newest bucket, with the one before it while
        the newest is not full.
        """
        size = self.settings.page_size
        newest = -(-len(items) // size)  # the number of buckets
        first = newest - 1 if newest > 1 and len(items) % size else newest
        # (bucket, items newest first); bucket 0 is the first page, from bucket `first` on.
        groups = [(0, items[: len(items) - (first - 1) * size])]
        groups += [
            (b, items[len(items) - b * size : len(items) - (b - 1) * size])
            for b in range(first - 1, 0, -1)
        ]
        pages = []
        for number, states in groups:
            chunk = [self.summary(s) for s in states]
            months: list[MonthView] = []
            for summary in chunk:
                if not months or months[-1].anchor != summary.month.strftime("%Y-%m"):
                    months.append(
                        MonthView(
                            self.fmt.month(summary.month), summary.month.strftime("%Y-%m"), []
                        )
                    )
                months[-1].incidents.append(summary)
            label = self.months_label(chunk)
            older = (number or first) - 1
            newer = None if number == 0 else number + 1
            pager = Pager(
                number,
                label,
                None
                if newer is None
                else self.url(archive_src(base, newer) if newer < first else list_src(base)),
                self.url(archive_src(base, older)) if older > 0 else None,
            )
            src = list_src(base) if number == 0 else archive_src(base, number)
            pages.append(
                PageSpec(
                    src_uri=src,
                    url=self.url(src),
                    title=title if number == 0 else f"{title} ({label})",
                    template=template,
                    view={"months": months, "pager": pager, **extra},
                    in_nav=number == 0 and base == "history",
                )
            )
        return pages

    def months_label(self, chunk: Sequence[IncidentSummary]) -> str:
        """The months a page covers, oldest to newest: what an archive page is called by."""
        if not chunk:
            return ""
        oldest, newest = self.fmt.month(chunk[-1].month), self.fmt.month(chunk[0].month)
        return newest if oldest == newest else self.t("history.span", first=oldest, last=newest)

    def history_pages(self, closed: Sequence[IncidentState]) -> list[PageSpec]:
        pages = self._paginate(
            "history", closed, self.t("history.title"), "statuskit/history.html", {}
        )
        index: dict[str, tuple[str, str]] = {}
        for spec in pages:
            for month in spec.view["months"]:
                if month.anchor not in index:
                    index[month.anchor] = (month.label, f"{spec.url}#{month.anchor}")
        # The index of months is on the first page alone: every page it named would
        # change with each new month or page otherwise; the older pages link back to it.
        for spec in pages:
            first = spec.view["pager"].number == 0
            spec.view["month_index"] = list(index.values()) if first else []
            spec.view["index_url"] = None if first else pages[0].url
        return pages

    def component_pages(self) -> list[PageSpec]:
        by_component: dict[str, list[IncidentState]] = {c.id: [] for c in self.settings.components}
        for state in self.state.incidents.values():
            touched = set(state.incident.components)
            for update in state.incident.updates:
                touched.update(update.components)
            for touched_id in touched:
                if touched_id in by_component:
                    by_component[touched_id].append(state)
        pages: list[PageSpec] = []
        for component in self.settings.components:
            items = sorted(
                by_component[component.id], key=lambda s: (s.start, s.incident.id), reverse=True
            )
            view = self.component_view(component)
            component_pages = self._paginate(
                f"components/{component.id}",
                items,
                self.t("component.title", name=view.name.text),
                "statuskit/component.html",
                {"component": view},
            )
            links = feed_links(
                self.t, f"feeds/components/{component.id}", "feed.component", name=view.name.text
            )
            # The older pages of a component's history are an archive: its status and days
            # are on the first page only, so an incident's update does not change them all.
            archived = replace(view, status=None, uptime=None, bars=[])
            for number, spec in enumerate(component_pages):
                spec.feeds = links
                spec.view["feeds"] = links
                if number:
                    spec.view["component"] = archived
            pages += component_pages
        return pages


class PlannerExtension:
    """A planner of more pages that speaks through the base planner: its locale, words and state."""

    def __init__(self, planner: PagePlanner) -> None:
        self.p = planner
        self.t = planner.t
        self.fmt = planner.fmt
        self.settings = planner.settings
        self.state = planner.state
