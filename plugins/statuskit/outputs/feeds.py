"""Atom and RSS feeds of every published update, so subscribers hear of each one.

Files, relative to the root of one locale build:

- `history.atom`, `history.rss`: the whole site (the paths Atlassian Statuspage uses, so
  subscribers who move over keep their feed), the newest `FEED_LIMIT` updates;
- `feeds/components/<id>.atom|.rss`: updates of incidents and maintenance that touched one
  component, the newest `FEED_LIMIT`;
- `feeds/incidents/<id>.atom|.rss`: every update of one incident or maintenance, and its
  published postmortem.

One entry per update, newest first. Nothing depends on the clock: entry times are the updates'
own, a feed's `updated` is its newest entry's, so an unchanged site rebuilds identical bytes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from ..core.model import Incident, Text, Update
from ..core.site import Site
from ..views.formatting import Formatter
from ..views.markup import MarkdownRenderer
from ..views.pages import incident_src, list_src, page_url, postmortem_src
from .keys import KeyedFiles, digest

# Entries in the site-wide and component feeds: feed readers poll often, so the newest updates
# are what they need; the full record is the history pages and the per-incident feeds.
FEED_LIMIT = 50

# A feed with no entry at all still needs a fixed `updated`, never the build's clock.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

FORMATS = (("atom", "application/atom+xml"), ("rss", "application/rss+xml"))


# Orders a postmortem after every update of its incident when they share a time.
POSTMORTEM_ORDER = 1_000_000


class _Item(NamedTuple):
    """One update (or published postmortem) as feeds order it: by time, incident, then order
    (unique, so the incident itself is never compared); its entry is built on demand."""

    at: datetime
    incident_id: str
    order: int
    incident: Incident


@dataclass(frozen=True)
class _Feed:
    """What one feed file says about itself."""

    path: str
    title: str
    description: str
    page: str


class FeedRenderer:
    """Builds every feed of one locale build; an entry is built once, only if a feed lists it."""

    def __init__(self, site: Site, locale: str, base_url: str, site_name: str) -> None:
        self.site = site
        self.settings = site.settings
        self.locale = locale
        self.base_url = base_url
        # Atom needs an author name; a site without a name is known by its host.
        self.site_name = site_name or urlsplit(base_url).hostname or "statuskit"
        self.t = site.settings.catalog(locale)
        self.markdown = MarkdownRenderer()
        self.fmt = Formatter(locale, site.settings.timezone)
        self._entries: dict[tuple[str, int], Any] = {}

    def text(self, value: Text) -> str:
        return value.get(self.locale, self.settings.locale).text

    def url(self, src_uri: str) -> str:
        return self.base_url + page_url(src_uri, self.settings.directory_urls)

    def items(self, incident: Incident) -> list[_Item]:
        """Every entry an incident's feed lists: its updates, then its published postmortem."""
        items = [_Item(u.at, incident.id, u.number, incident) for u in incident.updates]
        pm = incident.published_postmortem
        if pm is not None and pm.published_at is not None:
            items.append(_Item(pm.published_at, incident.id, POSTMORTEM_ORDER, incident))
        return items

    def entry(self, item: _Item, keep: bool = True) -> Any:
        """The feedgen entry of an item (feedgen.entry.FeedEntry, untyped), shared by its feeds.

        Only the entries of the site and component feeds are kept for the incidents' feeds to
        share: keeping every update's entry of a long history would hold about 10 kB each.
        """
        memo = (item.incident_id, item.order)
        entry = self._entries.get(memo)
        if entry is None:
            incident = item.incident
            if item.order == POSTMORTEM_ORDER:
                entry = self.postmortem_entry(incident)
            else:
                entry = self.update_entry(incident, incident.updates[item.order])
            if keep:
                self._entries[memo] = entry
        return entry

    def update_entry(self, incident: Incident, update: Update) -> Any:
        """A feed entry for one update: its own time, a stable id, the incident page's link."""
        link = self.url(incident_src(incident.id))
        title = self.t(
            "feed.entry_title",
            title=self.text(incident.title),
            status=self.t(f"incident_status.{update.status}"),
        )
        if update.provisional:
            title = f"{title} ({self.t('incident.provisional')})"
        moment = update.at.astimezone(UTC)
        entry = FeedEntry()
        entry.id(f"{link}#update-{update.number + 1}")
        entry.title(title)
        entry.link(href=link, rel="alternate", type="text/html")
        entry.content(self.update_html(incident, update), type="html")
        entry.published(moment)
        entry.updated(moment)
        severity = self.settings.severity(incident.severity)
        if severity is not None:
            entry.category(term=severity.id, label=self.text(severity.name))
        if incident.is_maintenance:
            entry.category(term="maintenance", label=self.t("kind.maintenance"))
        return entry

    def update_html(self, incident: Incident, update: Update) -> str:
        """An update's body, then the promise it made: the next update and, last, the ETA."""
        promises = []
        if update.next_update_by is not None:
            due = self.fmt.time(update.next_update_by).text
            promises.append(self.t("promise.next", time=due))
        is_last = update.number == len(incident.updates) - 1
        closing = "completed" if incident.is_maintenance else "resolved"
        if is_last and incident.expected_resolution and update.status != closing:
            eta = self.fmt.time(incident.expected_resolution).text
            promises.append(self.t("promise.eta", time=eta))
        text = "\n\n".join([self.text(update.body), *(f"**{line}**" for line in promises)])
        return str(self.markdown.html(text))

    def postmortem_entry(self, incident: Incident) -> Any:
        """An entry announcing a published postmortem, dated when it was published."""
        pm = incident.published_postmortem
        assert pm is not None and pm.published_at is not None
        link = self.url(postmortem_src(incident.id))
        moment = pm.published_at.astimezone(UTC)
        entry = FeedEntry()
        entry.id(f"{link}#published")
        entry.title(self.t("postmortem.title", title=self.text(incident.title)))
        entry.link(href=link, rel="alternate", type="text/html")
        summary = self.text(pm.summary) if pm.summary else self.text(pm.body)
        entry.content(str(self.markdown.html(summary)), type="html")
        entry.published(moment)
        entry.updated(moment)
        entry.category(term="postmortem", label=self.t("postmortem.narrative"))
        return entry

    def render(self) -> dict[str, bytes]:
        """Every feed file, the incidents' included."""
        files, per_incident = self.plan()
        for feed in per_incident:
            files |= feed.render()
        return files

    def plan(self) -> tuple[dict[str, bytes], list[KeyedFiles]]:
        """The site and component feeds, rendered; each incident's feeds, ready to render.

        Only the newest `FEED_LIMIT` items of the site and of each component are built into
        entries here; an incident's own entries are built when its feed is rendered. The key of
        an incident's feed is its incident (without the file's path) and, for a feed with no
        entry, the site's newest time it is dated by; the locale, address, site name, settings
        and catalog are the build's (`feed_context`).
        """
        incidents = sorted(self.site.incidents, key=lambda i: i.id)
        per_incident = {i.id: self.items(i) for i in incidents}
        everything = newest_first(item for items in per_incident.values() for item in items)
        site_updated = everything[0].at if everything else EPOCH
        name = self.site_name
        files = self.feed(
            _Feed(
                "history",
                self.t("feed.site_title", site=name),
                self.t("feed.site_description", site=name),
                self.base_url,
            ),
            everything[:FEED_LIMIT],
            site_updated,
        )
        listed: dict[str, list[_Item]] = {c.id: [] for c in self.settings.components}
        touched_by = {i.id: touched(i) for i in incidents}
        open_lists = len(listed)
        for item in everything:
            for component_id in touched_by[item.incident_id]:
                items = listed.get(component_id)
                if items is not None and len(items) < FEED_LIMIT:
                    items.append(item)
                    if len(items) == FEED_LIMIT:
                        open_lists -= 1
            if not open_lists:
                break
        for component in self.settings.components:
            component_name = self.text(component.name)
            files |= self.feed(
                _Feed(
                    f"feeds/components/{component.id}",
                    self.t("feed.component_title", name=component_name, site=name),
                    self.t("feed.component_description", name=component_name),
                    self.url(list_src(f"components/{component.id}")),
                ),
                listed[component.id],
                site_updated,
            )
        feeds = []
        for incident in incidents:
            items = per_incident[incident.id]
            path = f"feeds/incidents/{incident.id}"
            shown = (incident, None if items else site_updated)
            feeds.append(
                KeyedFiles(
                    paths=tuple(f"{path}.{extension}" for extension, _ in FORMATS),
                    key=digest(shown),
                    render=partial(self.incident_feed, incident, items, site_updated),
                )
            )
        return files, feeds

    def incident_feed(
        self, incident: Incident, items: list[_Item], site_updated: datetime
    ) -> dict[str, bytes]:
        """The Atom and RSS files of one incident: every update and its published postmortem."""
        title = self.text(incident.title)
        return self.feed(
            _Feed(
                f"feeds/incidents/{incident.id}",
                self.t("feed.incident_title", title=title, site=self.site_name),
                self.t("feed.incident_description", title=title),
                self.url(incident_src(incident.id)),
            ),
            newest_first(items),
            site_updated,
            keep=False,
        )

    def feed(
        self, feed: _Feed, items: Sequence[_Item], empty_updated: datetime, keep: bool = True
    ) -> dict[str, bytes]:
        """The Atom and RSS files of one feed; `empty_updated` dates a feed with no entry.
        `keep`: whether the entries it builds are kept for other feeds."""
        updated = (items[0].at if items else empty_updated).astimezone(UTC)
        entries = [self.entry(item, keep) for item in items]
        files: dict[str, bytes] = {}
        for extension, mime in FORMATS:
            path = f"{feed.path}.{extension}"
            generator = FeedGenerator()
            generator.id(self.base_url + path)
            generator.title(feed.title)
            # RSS readers show the channel description as HTML; Atom's subtitle is text.
            description = html.escape(feed.description) if extension == "rss" else feed.description
            generator.subtitle(description)
            generator.author(name=self.site_name, uri=self.base_url)
            generator.language(self.locale)
            generator.generator("statuskit")
            generator.updated(updated)
            # feedgen takes the RSS channel <link> from the last link added, whatever its rel.
            generator.link(href=self.base_url + path, rel="self", type=mime)
            generator.link(href=feed.page, rel="alternate", type="text/html")
            for entry in entries:
                generator.add_entry(entry, order="append")
            rendered = (
                generator.atom_str(pretty=True)
                if extension == "atom"
                else generator.rss_str(pretty=True)
            )
            files[path] = bytes(rendered)
        return files


def touched(incident: Incident) -> set[str]:
    """Components an incident names at its start or in any update: their feeds list it."""
    ids = set(incident.components)
    for update in incident.updates:
        ids.update(update.components)
    return ids


def newest_first(items: Iterable[_Item]) -> list[_Item]:
    return sorted(items, reverse=True)


def render_feeds(site: Site, locale: str, base_url: str, site_name: str) -> dict[str, bytes]:
    """Every feed file of one locale build whose root URL is `base_url`, by path."""
    return FeedRenderer(site, locale, base_url, site_name).render()
