"""Atom and RSS feeds of real sites, parsed back with feedparser and checked against RFC 4287."""

from __future__ import annotations

import copy
import gc
import time
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from lxml import etree

from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, core_settings, write_incident
from statuskit.core.model import Incident, Update
from statuskit.core.settings import Policies
from statuskit.core.site import Site, load_site
from statuskit.outputs.feeds import FEED_LIMIT, FeedRenderer, render_feeds

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=SEOUL)
BASE = "https://status.example.com/"
ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = Path(__file__).parent / "schemas" / "atom.rng"

MAINTENANCE = """
---
title: {en: Database upgrade, ko: 데이터베이스 업그레이드}
kind: maintenance
components: {payments: under_maintenance}
scheduled_for: 2026-03-15T11:00:00+09:00
scheduled_until: 2026-03-15T13:00:00+09:00
internal: Runbook OPS-777 and the on-call phone 010-0000-0000.
updates:
  - at: 2026-03-10T10:00:00+09:00
    status: scheduled
    body: {en: We will upgrade the payments database., ko: 결제 데이터베이스를 업그레이드합니다.}
  - at: 2026-03-15T11:01:00+09:00
    status: in_progress
    body: The upgrade has started.
---
"""

HOSTILE = """
---
title: "<script>alert('title')</script> Checkout & <b>cards</b>"
kind: incident
severity: minor
components: {web: partial_outage}
started_at: 2026-03-13T10:00:00+09:00
internal: "INTERNAL-SECRET-42"
updates:
  - at: 2026-03-13T10:05:00+09:00
    status: investigating
    body: "Broken <script>alert('body')</script> <img src=x onerror=alert(1)> **checkout**."
---
"""


def make_site(root: Path, now: datetime = NOW, directory_urls: bool = True) -> Site:
    settings = core_settings(root, now=now, directory_urls=directory_urls, policies=Policies())
    return load_site(settings, now)


@pytest.fixture
def incidents(tmp_path: Path) -> Path:
    root = tmp_path / "incidents"
    write_incident(root, "2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    write_incident(root, "2026/2026-03-15-api-slow.md", OPEN_INCIDENT)
    write_incident(root, "2026/2026-03-15-db-upgrade.md", MAINTENANCE)
    return root


def parsed(data: bytes) -> feedparser.FeedParserDict:
    result = feedparser.parse(data)
    assert not result.bozo, result.get("bozo_exception")
    return result


def entry_time(entry: feedparser.FeedParserDict) -> time.struct_time:
    """Atom's <updated>, or RSS's <pubDate> (the only date of an RSS item)."""
    key = "updated_parsed" if "updated_parsed" in entry else "published_parsed"
    value = entry[key]
    assert isinstance(value, time.struct_time)
    return value


def test_every_feed_file_is_written(incidents: Path) -> None:
    files = render_feeds(make_site(incidents), "en", BASE, "Example Status")
    stems = [
        "history",
        "feeds/components/api",
        "feeds/components/payments",
        "feeds/components/web",
        "feeds/incidents/2026-03-14-payments",
        "feeds/incidents/2026-03-15-api-slow",
        "feeds/incidents/2026-03-15-db-upgrade",
    ]
    assert sorted(files) == sorted(f"{s}.{ext}" for s in stems for ext in ("atom", "rss"))


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_site_feed_has_one_entry_per_update_newest_first(incidents: Path, extension: str) -> None:
    files = render_feeds(make_site(incidents), "en", BASE, "Example Status")
    feed = parsed(files[f"history.{extension}"])
    assert feed.feed.language == "en"
    assert feed.feed.title == "Example Status — status history"
    # Two updates of the resolved incident, one of the open one, two of the maintenance.
    assert len(feed.entries) == 5
    assert all(e.get("id") and entry_time(e) for e in feed.entries)
    assert len({e.id for e in feed.entries}) == 5
    times = [time.mktime(entry_time(e)) for e in feed.entries]
    assert times == sorted(times, reverse=True)
    titles = [e.title for e in feed.entries]
    assert titles[0] == "API responses are slow — Investigating"
    assert titles[1] == "Database upgrade — In progress"
    assert "Payments failing after a deploy — Investigating (Provisional)" in titles
    for entry in feed.entries:
        assert entry.link.startswith(BASE + "incidents/")
        assert entry.link.endswith("/")
    resolved = [e for e in feed.entries if e.title.endswith("Resolved")]
    assert resolved[0].link == BASE + "incidents/2026-03-14-payments/"
    assert "rolled back" in resolved[0].summary
    assert resolved[0].tags[0].term in ("major", "Major")


def test_feed_dates_come_from_updates_not_the_clock(incidents: Path) -> None:
    atom = render_feeds(make_site(incidents), "en", BASE, "Example Status")["history.atom"]
    root = etree.fromstring(atom)
    entries = root.findall(f"{ATOM}entry")
    assert root.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
    assert entries[0].findtext(f"{ATOM}updated") == "2026-03-15T02:10:00+00:00"
    assert entries[0].findtext(f"{ATOM}published") == "2026-03-15T02:10:00+00:00"
    rss = render_feeds(make_site(incidents), "en", BASE, "Example Status")["history.rss"]
    channel = etree.fromstring(rss).find("channel")
    assert channel is not None
    assert channel.findtext("lastBuildDate") == "Sun, 15 Mar 2026 02:10:00 +0000"
    assert channel.findtext("item/pubDate") == "Sun, 15 Mar 2026 02:10:00 +0000"


def test_rss_channel_links_to_the_site_and_itself(incidents: Path) -> None:
    files = render_feeds(make_site(incidents), "en", BASE, "Example Status")
    channel = etree.fromstring(files["feeds/components/payments.rss"]).find("channel")
    assert channel is not None
    assert channel.findtext("link") == BASE + "components/payments/"
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None and self_link.get("rel") == "self"
    assert self_link.get("href") == BASE + "feeds/components/payments.rss"
    guids = channel.findall("item/guid")
    assert guids and all(g.get("isPermaLink") == "false" for g in guids)


def test_component_and_incident_feeds_list_their_own_updates(incidents: Path) -> None:
    files = render_feeds(make_site(incidents), "en", BASE, "Example Status")
    payments = parsed(files["feeds/components/payments.atom"])
    assert payments.feed.title == "Payments — Example Status"
    titles = [e.title for e in payments.entries]
    assert len(titles) == 4
    assert not any(t.startswith("API responses") for t in titles)
    api = parsed(files["feeds/components/api.atom"])
    assert [e.title for e in api.entries] == ["API responses are slow — Investigating"]
    web = parsed(files["feeds/components/web.rss"])
    assert web.entries == []
    incident = parsed(files["feeds/incidents/2026-03-14-payments.atom"])
    assert [e.title.split(" — ")[1] for e in incident.entries] == [
        "Resolved",
        "Investigating (Provisional)",
    ]
    assert incident.feed.link == BASE + "incidents/2026-03-14-payments/"


def test_maintenance_updates_appear_with_their_category(incidents: Path) -> None:
    files = render_feeds(make_site(incidents), "en", BASE, "Example Status")
    feed = parsed(files["feeds/incidents/2026-03-15-db-upgrade.rss"])
    assert [e.title for e in feed.entries] == [
        "Database upgrade — In progress",
        "Database upgrade — Scheduled",
    ]
    assert "upgrade the payments database" in feed.entries[1].summary
    assert all("Maintenance" in [t.term for t in e.tags] for e in feed.entries)
    site = parsed(files["history.atom"])
    assert sum("Database upgrade" in e.title for e in site.entries) == 2


def test_atom_feeds_validate_against_rfc_4287(incidents: Path) -> None:
    write_incident(incidents, "hostile.md", HOSTILE)
    schema = etree.RelaxNG(etree.parse(SCHEMA))
    files = render_feeds(make_site(incidents), "en", BASE, "Example Status")
    atoms = {path: data for path, data in files.items() if path.endswith(".atom")}
    assert len(atoms) == 8
    for path, data in atoms.items():
        root = etree.fromstring(data)
        assert schema.validate(root), f"{path}: {schema.error_log}"
        # The RFC's Schematron rules, which RELAX NG cannot express.
        entries = root.findall(f"{ATOM}entry")
        assert root.find(f"{ATOM}author/{ATOM}name") is not None or all(
            e.find(f"{ATOM}author") is not None for e in entries
        )
        for entry in entries:
            alternate = [
                link
                for link in entry.findall(f"{ATOM}link")
                if link.get("rel", "alternate") == "alternate"
            ]
            assert alternate or entry.find(f"{ATOM}content") is not None
    # The schema is not vacuous: a feed without its id or with a bad date is rejected.
    broken = copy.deepcopy(etree.fromstring(files["history.atom"]))
    identifier = broken.find(f"{ATOM}id")
    assert identifier is not None
    broken.remove(identifier)
    assert not schema.validate(broken)
    broken = copy.deepcopy(etree.fromstring(files["history.atom"]))
    broken.find(f"{ATOM}entry/{ATOM}updated").text = "yesterday"  # type: ignore[union-attr]
    assert not schema.validate(broken)


def test_rebuild_gives_identical_bytes(incidents: Path) -> None:
    first = render_feeds(make_site(incidents), "en", BASE, "Example Status")
    second = render_feeds(make_site(incidents), "en", BASE, "Example Status")
    assert first == second
    # A later build time changes nothing either: no feed reads the clock.
    later = render_feeds(
        make_site(incidents, NOW + timedelta(minutes=30)), "en", BASE, "Example Status"
    )
    assert later == first


def append_update(path: Path, at: str, status: str, body: str) -> None:
    """Post an update the way `statuskit update` does: one item appended to `updates`."""
    text = path.read_text("utf-8")
    closing = text.rindex("---\n")
    item = f"  - at: {at}\n    status: {status}\n    body: {body}\n"
    path.write_text(text[:closing] + item + text[closing:], encoding="utf-8")


def test_entry_ids_stay_when_an_update_is_appended(incidents: Path) -> None:
    before = parsed(render_feeds(make_site(incidents), "en", BASE, "S")["history.atom"])
    append_update(
        incidents / "2026/2026-03-15-api-slow.md",
        "2026-03-15T11:40:00+09:00",
        "identified",
        "A slow database query.",
    )
    after = parsed(render_feeds(make_site(incidents), "en", BASE, "S")["history.atom"])
    old = {e.id: e.title for e in before.entries}
    new = {e.id: e.title for e in after.entries}
    assert len(new) == len(old) + 1
    assert all(new[i] == title for i, title in old.items())
    assert after.entries[0].title == "API responses are slow — Identified"
    assert after.entries[0].id == BASE + "incidents/2026-03-15-api-slow/#update-2"


def test_internal_notes_never_appear(incidents: Path) -> None:
    write_incident(incidents, "hostile.md", HOSTILE)
    for locale, base in (("en", BASE), ("ko", BASE + "ko/")):
        for path, data in render_feeds(make_site(incidents), locale, base, "S").items():
            assert b"OPS-777" not in data, path
            assert b"010-0000-0000" not in data, path
            assert b"INTERNAL-SECRET" not in data, path


def test_markup_in_titles_and_bodies_is_escaped_or_sanitized(incidents: Path) -> None:
    write_incident(incidents, "hostile.md", HOSTILE)
    files = render_feeds(make_site(incidents), "en", BASE, "S")
    for path, data in files.items():
        assert b"<script" not in data, path
        assert b"<b>" not in data, path
        assert b"onerror" not in data, path
    atom = etree.fromstring(files["feeds/incidents/hostile.atom"])
    title = atom.findtext(f"{ATOM}entry/{ATOM}title")
    assert title == "<script>alert('title')</script> Checkout & <b>cards</b> — Investigating"
    content = atom.findtext(f"{ATOM}entry/{ATOM}content") or ""
    assert "<strong>checkout</strong>" in content
    assert "<script" not in content and "onerror" not in content and "alert('body')" not in content
    rss = parsed(files["feeds/incidents/hostile.rss"])
    assert "<script" not in rss.entries[0].summary


def test_localized_build_uses_its_locale_and_root(incidents: Path) -> None:
    base = BASE + "ko/"
    files = render_feeds(make_site(incidents), "ko", base, "예시 상태")
    site = parsed(files["history.rss"])
    assert site.feed.language == "ko"
    assert site.feed.title == "예시 상태 — 상태 이력"
    assert site.feed.link == base
    titles = [e.title for e in site.entries]
    assert "배포 후 결제 실패 — 해결됨" in titles
    assert "데이터베이스 업그레이드 — 예정됨" in titles
    # A text without a Korean version falls back to the default locale.
    assert "API responses are slow — 조사 중" in titles
    assert all(e.link.startswith(base + "incidents/") for e in site.entries)
    component = parsed(files["feeds/components/payments.atom"])
    assert component.feed.title == "결제 — 예시 상태"
    assert component.feed.language == "ko"


def test_links_follow_directory_urls_off(incidents: Path) -> None:
    files = render_feeds(make_site(incidents, directory_urls=False), "en", BASE, "S")
    feed = parsed(files["feeds/incidents/2026-03-14-payments.atom"])
    assert {e.link for e in feed.entries} == {BASE + "incidents/2026-03-14-payments.html"}


def write_resolved(root: Path, count: int, component: Callable[[int], str] | None = None) -> None:
    """`count` resolved incidents two hours apart, oldest first, with two updates each;
    `component(n)` names the component incident n touches (`api` by default)."""
    for n in range(count):
        start = datetime(2026, 2, 1, 10, tzinfo=SEOUL) + timedelta(hours=2 * n)
        touched = component(n) if component else "api"
        write_incident(
            root,
            f"i{n:02d}.md",
            f"""
            ---
            title: Incident {n}
            kind: incident
            severity: minor
            components: {{{touched}: partial_outage}}
            started_at: {start.isoformat()}
            updates:
              - at: {(start + timedelta(minutes=5)).isoformat()}
                status: investigating
                body: Looking into incident {n}.
              - at: {(start + timedelta(minutes=30)).isoformat()}
                status: resolved
                body: Incident {n} is fixed.
            ---
            """,
        )


def test_site_and_component_feeds_keep_the_newest_updates(tmp_path: Path) -> None:
    root = tmp_path / "incidents"
    write_resolved(root, 30)
    files = render_feeds(make_site(root), "en", BASE, "S")
    site = parsed(files["history.atom"])
    api = parsed(files["feeds/components/api.rss"])
    assert len(site.entries) == len(api.entries) == FEED_LIMIT
    assert site.entries[0].title == "Incident 29 — Resolved"
    assert len(parsed(files["feeds/incidents/i00.atom"]).entries) == 2


def test_only_updates_a_feed_lists_become_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planning builds the entries of the site and component feeds; an incident's own entries
    wait for its feed to be rendered, and each component lists the newest of its updates."""
    root = tmp_path / "incidents"
    write_resolved(root, 40, lambda n: "web" if n % 4 == 0 else "api")
    site = make_site(root)
    built: list[tuple[str, int]] = []
    real = FeedRenderer.update_entry

    def counting(self: FeedRenderer, incident: Incident, update: Update) -> object:
        built.append((incident.id, update.number))
        return real(self, incident, update)

    monkeypatch.setattr(FeedRenderer, "update_entry", counting)
    renderer = FeedRenderer(site, "en", BASE, "S")
    files, per_incident = renderer.plan()
    assert len(per_incident) == 40 and not any(p.startswith("feeds/incidents/") for p in files)
    listed = {
        entry.id
        for path in ("history.atom", "feeds/components/api.atom", "feeds/components/web.atom")
        for entry in parsed(files[path]).entries
    }
    assert len(built) == len(set(built)) == len(listed) < 80
    web = [e.title for e in parsed(files["feeds/components/web.atom"]).entries]
    assert web == [
        f"Incident {n} — {status}"
        for n in range(36, -1, -4)
        for status in ("Resolved", "Investigating")
    ]
    rendered = next(p for p in per_incident if p.paths[0] == "feeds/incidents/i00.atom").render()
    assert set(rendered) == {"feeds/incidents/i00.atom", "feeds/incidents/i00.rss"}
    assert ("i00", 0) in built


def test_an_incident_feeds_entries_are_let_go_once_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the entries the site and component feeds list stay alive for the incidents' feeds
    to share; the rest of a long history's entries are freed after their feed is written."""
    root = tmp_path / "incidents"
    write_resolved(root, FEED_LIMIT + 20)
    built: list[weakref.ref[object]] = []
    real = FeedRenderer.update_entry

    def tracking(self: FeedRenderer, incident: Incident, update: Update) -> object:
        entry = real(self, incident, update)
        built.append(weakref.ref(entry))
        return entry

    monkeypatch.setattr(FeedRenderer, "update_entry", tracking)
    renderer = FeedRenderer(make_site(root), "en", BASE, "S")
    files, per_incident = renderer.plan()
    listed = {e.id for path in files if path.endswith(".atom") for e in parsed(files[path]).entries}
    for feed in per_incident:
        assert parsed(feed.render()[feed.paths[0]]).entries
    gc.collect()
    alive = [ref for ref in built if ref() is not None]
    assert len(built) > len(listed)
    assert len(alive) == len(listed) == FEED_LIMIT
