"""Real MkDocs builds of small sites, checked by parsing the generated HTML."""

from __future__ import annotations

import posixpath
from datetime import date

from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, SiteProject


def test_home_shows_banner_components_and_active_incident(project: SiteProject) -> None:
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.write("2026/2026-03-15-api-slow.md", OPEN_INCIDENT)
    project.build(strict=True)
    home = project.page("")
    banner = home.select_one(".sk-banner")
    assert banner is not None
    assert "Minor service disruption" in banner.get_text()
    api = home.select_one('[data-component="api"]')
    assert api is not None and "Degraded performance" in api.get_text()
    payments = home.select_one('[data-component="payments"]')
    assert payments is not None and "Operational" in payments.get_text()
    active = home.select_one("#sk-active").find_parent("section")
    assert "API responses are slow" in active.get_text()
    assert "Payments failing" not in active.get_text()


def test_incident_page_timeline_and_times_with_offset(project: SiteProject) -> None:
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.build(strict=True)
    page = project.page("incidents/2026-03-14-payments")
    times = [t["datetime"] for t in page.select(".sk-timeline time")]
    assert times == ["2026-03-14T09:12:00+09:00", "2026-03-14T09:08:00+09:00"]
    texts = [t.get_text() for t in page.select(".sk-timeline time")]
    assert all("(UTC+09:00)" in t for t in texts)
    provisional = page.select(".sk-update--provisional")
    assert len(provisional) == 1 and "Provisional" in provisional[0].get_text()
    assert "Kim Minji" in page.select_one(".sk-responsible").get_text()
    assert "rolled it back" in page.select_one(".sk-body").get_text()
    assert "10 minutes" in page.get_text()


def test_status_is_shown_by_text_and_icon(project: SiteProject) -> None:
    project.write("a.md", OPEN_INCIDENT)
    project.build()
    for badge in project.page("").select(".sk-badge"):
        assert badge.select_one("svg") is not None
        assert badge.select_one(".sk-badge__label").get_text(strip=True)


def _resolved(n: int, day: int, component: str = "api") -> str:
    return f"""
---
title: Incident number {n}
kind: incident
severity: minor
components: {{{component}: partial_outage}}
started_at: 2026-{(day // 28) + 1:02d}-{(day % 28) + 1:02d}T10:00:00+09:00
updates:
  - at: 2026-{(day // 28) + 1:02d}-{(day % 28) + 1:02d}T10:05:00+09:00
    status: investigating
    body: Looking into incident {n}.
  - at: 2026-{(day // 28) + 1:02d}-{(day % 28) + 1:02d}T11:00:00+09:00
    status: resolved
    body: Incident {n} is fixed.
---
"""


def _month(n: int) -> str:
    """The month `_resolved(n, day=n * 4)` falls in."""
    return f"2026-{(n * 4 // 28) + 1:02d}"


def _label(month: str) -> str:
    """How an English page names a month such as "2026-02"."""
    return date.fromisoformat(f"{month}-01").strftime("%B %Y")


def test_history_is_paginated_by_month_newest_first(project: SiteProject) -> None:
    size, count = 3, 14
    project.configure(page_size=size)
    for n in range(count):
        project.write(f"i{n}.md", _resolved(n, day=n * 4))
    project.build(strict=True)
    # Buckets of `size` counted from the oldest; the first page shows the newest bucket with
    # the one before it while the newest is not full, the older ones are numbered by bucket.
    buckets = [list(range(b, min(b + size, count))) for b in range(0, count, size)]
    on_first = buckets[-2] + buckets[-1] if count % size else buckets[-1]
    archived = {b + 1: items for b, items in enumerate(buckets) if items[-1] < on_first[0]}
    assert len(archived) >= 2 and size < len(on_first) < 2 * size
    first = project.page("history")
    titles = [a.get_text() for a in first.select(".sk-incident__title a")]
    assert titles == [f"Incident number {n}" for n in reversed(on_first)]
    months = [h.get_text() for h in first.select(".sk-month h2")]
    assert months == [_label(m) for m in sorted({_month(n) for n in on_first}, reverse=True)]
    # From the first page down through every archive page by the older links, and back.
    pager = first.select_one(".sk-pager")
    assert "of" not in pager.get_text() and pager.select_one('a[rel="prev"]') is None
    url, page, path = "history", first, ["history"]
    while (older := page.select_one('.sk-pager a[rel="next"]')) is not None:
        url = posixpath.normpath(posixpath.join(url + "/", older["href"]))
        page = project.page(url)
        newer = page.select_one('.sk-pager a[rel="prev"]')["href"]
        assert posixpath.normpath(posixpath.join(url + "/", newer)) == path[-1]
        path.append(url)
    assert path[1:] == [f"history/page/{b}" for b in sorted(archived, reverse=True)]
    for bucket, items in archived.items():
        page = project.page(f"history/page/{bucket}")
        assert [a.get_text() for a in page.select(".sk-incident__title a")] == [
            f"Incident number {n}" for n in reversed(items)
        ]
        # No total anywhere: the months it covers name it, and the month index is on the
        # first page alone, linked from here.
        covered = sorted({_month(n) for n in items})
        heading = page.select_one("h1").get_text()
        span = " \N{EN DASH} ".join(dict.fromkeys([_label(covered[0]), _label(covered[-1])]))
        assert heading.endswith(f"({span})") and "Page" not in heading, heading
        assert page.select_one(".sk-pager__position").get_text() in heading
        assert page.select(".sk-month-index li") == []
        assert page.select_one(".sk-month-index a")["href"].startswith("../../")
    index = [a["href"] for a in first.select(".sk-month-index a")]
    newest_first = [
        *reversed(on_first),
        *(n for b in sorted(archived, reverse=True) for n in reversed(archived[b])),
    ]
    expected: dict[str, str] = {}
    for n in newest_first:
        where = "" if n in on_first else next(f"page/{b}/" for b, i in archived.items() if n in i)
        expected.setdefault(_month(n), f"{where}#{_month(n)}")
    assert index == list(expected.values())
    assert any(href.startswith("page/") for href in index)


def test_component_page_lists_only_its_incidents(project: SiteProject) -> None:
    project.write("a.md", _resolved(1, day=10, component="api"))
    project.write("b.md", _resolved(2, day=11, component="web"))
    project.build(strict=True)
    api = project.page("components/api")
    assert [a.get_text() for a in api.select(".sk-incident__title a")] == ["Incident number 1"]
    web = project.page("components/web")
    assert [a.get_text() for a in web.select(".sk-incident__title a")] == ["Incident number 2"]
    assert project.page("components/payments").select(".sk-incident") == []


def test_incident_pages_stay_out_of_navigation_and_docs_folder(project: SiteProject) -> None:
    project.write("a.md", _resolved(1, day=10))
    project.build(strict=True)
    nav_links = [a.get("href") for a in project.page("").select(".sk-header__nav a")]
    assert not any("incidents/" in (href or "") for href in nav_links)
    assert any("history/" in (href or "") for href in nav_links)
    assert list((project.root / "docs").iterdir()) == []
    assert (project.site / "incidents" / "a" / "index.html").is_file()


MAINTENANCE = """
---
title: Database upgrade
kind: maintenance
components: {{api: under_maintenance}}
scheduled_for: {start}
scheduled_until: {end}
updates:
  - at: 2026-03-01T10:00:00+09:00
    status: scheduled
    body: We will upgrade the database.
---
"""


def test_upcoming_maintenance_is_listed_and_leaves_status_alone(project: SiteProject) -> None:
    project.write(
        "m.md",
        MAINTENANCE.format(start="2026-03-20T02:00:00+09:00", end="2026-03-20T04:00:00+09:00"),
    )
    project.build(strict=True)
    home = project.page("")
    section = home.select_one("#sk-maintenance").find_parent("section")
    assert "Database upgrade" in section.get_text()
    assert "Scheduled" in section.get_text()
    assert "Operational" in home.select_one('[data-component="api"]').get_text()
    assert "All systems operational" in home.select_one(".sk-banner").get_text()


def test_maintenance_in_its_window_is_in_progress_without_a_commit(project: SiteProject) -> None:
    project.write(
        "m.md",
        MAINTENANCE.format(start="2026-03-15T11:00:00+09:00", end="2026-03-15T13:00:00+09:00"),
    )
    project.build(strict=True)
    home = project.page("")
    assert "Under maintenance" in home.select_one('[data-component="api"]').get_text()
    assert "Service under maintenance" in home.select_one(".sk-banner").get_text()
    assert "In progress" in home.select_one("#sk-maintenance").find_parent("section").get_text()


def test_finished_maintenance_moves_to_history(project: SiteProject) -> None:
    project.write(
        "m.md",
        MAINTENANCE.format(start="2026-03-10T02:00:00+09:00", end="2026-03-10T04:00:00+09:00"),
    )
    project.build(strict=True)
    assert project.page("").select_one("#sk-maintenance") is None
    history = project.page("history")
    assert "Database upgrade" in history.get_text()
    assert "Completed" in history.select_one(".sk-incident").get_text()


def test_uptime_bars_have_text_alternatives(project: SiteProject) -> None:
    project.write("a.md", _resolved(1, day=70))  # 2026-03-15, within the window
    project.build(strict=True)
    api = project.page("").select_one('[data-component="api"]')
    svg = api.select_one("svg.sk-uptime")
    assert svg["role"] == "img"
    assert "uptime over the past 90 days" in svg["aria-label"]
    bars = svg.select("rect")
    assert len(bars) == 90
    assert bars[-1]["class"] == ["sk-bar", "sk-bar--partial_outage"]
    # The day's downtime as uptime counts it: the hour from 10:00 to 11:00 of partial outage at 30%.
    title = bars[-1].select_one("title").get_text()
    assert title == f"Mar 15, 2026: Partial outage · Downtime: {round(60 * 0.3)} minutes"
    assert bars[0].select_one("title").get_text() == "Dec 16, 2025: Operational"
    # 55 minutes at 30% weight over 90 days.
    assert "99.99%" in svg["aria-label"]


def test_worst_impact_wins_and_updates_change_impacts(project: SiteProject) -> None:
    project.write(
        "a.md",
        """
        ---
        title: Two problems
        kind: incident
        severity: minor
        components: {api: major_outage, web: partial_outage}
        started_at: 2026-03-15T10:00:00+09:00
        updates:
          - at: 2026-03-15T10:05:00+09:00
            status: investigating
            body: Investigating.
          - at: 2026-03-15T10:30:00+09:00
            status: monitoring
            body: The API recovered; the website is slow.
            components: {api: operational, web: degraded_performance}
        ---
        """,
    )
    project.write(
        "b.md",
        """
        ---
        title: Website errors
        kind: incident
        severity: minor
        components: {web: partial_outage}
        started_at: 2026-03-15T11:00:00+09:00
        updates:
          - at: 2026-03-15T11:05:00+09:00
            status: investigating
            body: Some pages fail.
        ---
        """,
    )
    project.build(strict=True)
    home = project.page("")
    assert "Operational" in home.select_one('[data-component="api"]').get_text()
    assert "Partial outage" in home.select_one('[data-component="web"]').get_text()


def test_localized_component_names_and_fallback_notice(project: SiteProject) -> None:
    project.configure(locale="ko")
    project.write(
        "a.md",
        """
        ---
        title: {en: Slow API, ko: API 지연}
        kind: incident
        severity: minor
        components: {payments: degraded_performance}
        started_at: 2026-03-15T10:00:00+09:00
        updates:
          - at: 2026-03-15T10:05:00+09:00
            status: investigating
            body: {en: Only in English for now.}
        ---
        """,
    )
    project.build()
    page = project.page("incidents/a")
    assert page.select_one("h1").get_text() == "API 지연"
    assert page.select_one("h1")["lang"] == "ko"
    body = page.select_one(".sk-update__body")
    assert body["lang"] == "en"
    assert "아직 번역되지 않아" in page.select_one(".sk-fallback").get_text()
    assert "결제" in page.select_one(".sk-affected").get_text()


def test_serve_watches_the_incidents_folder(project: SiteProject) -> None:
    from mkdocs.config import load_config

    class Server:
        def __init__(self) -> None:
            self.watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    config = load_config(str(project.root / "mkdocs.yml"))
    plugin = config.plugins["statuskit"]
    plugin.on_config(config)
    server = Server()
    plugin.on_serve(server, config=config, builder=lambda: None)
    assert server.watched == [str(project.incidents.resolve())]
