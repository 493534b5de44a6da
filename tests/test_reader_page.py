"""What a reader is told on the status pages: honest times, impact during an incident, region
names in their language, the site's name per locale, and a search index in every build."""

from __future__ import annotations

import json

from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, SiteProject

STALE_INCIDENT = """
---
title: Card payments fail for some banks
kind: incident
severity: major
components:
  payments: partial_outage
started_at: 2026-03-04T09:00:00+09:00
updates:
  - at: 2026-03-04T09:20:00+09:00
    status: investigating
    body: Some card payments fail.
---
"""


def text(node: object) -> str:
    return " ".join(str(getattr(node, "get_text", lambda: node)()).split())


def test_open_incident_shows_when_it_was_last_updated(project: SiteProject) -> None:
    project.write("2026/open.md", OPEN_INCIDENT)
    project.build()
    home = project.page("")
    updated = home.select_one('li[data-incident="open"] .sk-incident__updated')
    assert updated is not None
    relative, absolute = updated.select("time")
    assert relative["datetime"] == absolute["datetime"] == "2026-03-15T11:10:00+09:00"
    assert text(relative) == "50 minutes ago"
    assert "11:10" in text(absolute) and "UTC+09:00" in text(absolute)
    assert relative.has_attr("data-sk-ago") and not absolute.has_attr("data-sk-ago")
    page = project.page("incidents/open")
    facts = {text(dt): text(dt.find_next_sibling("dd")) for dt in page.select(".sk-facts dt")}
    assert facts["Last updated"].startswith("50 minutes ago"), facts


def test_home_never_says_no_incidents_while_one_is_open(project: SiteProject) -> None:
    """Opened 11 days ago, so not among the past 7 days: the home page must not claim none."""
    project.write("2026/stale.md", STALE_INCIDENT)
    # A site may turn off the check that refuses an incident forgotten for days; the page
    # must stay honest about it all the same.
    project.configure(policies={"levels": {"forgotten": "off"}})
    project.build()
    home = project.page("")
    recent = text(home.select_one("#sk-recent").parent)
    assert "No incidents in the past" not in recent, recent
    assert "No other incident started in the past 7 days" in recent
    active = text(home.select_one('li[data-incident="stale"]'))
    assert "Last updated: 11 days ago" in active, active


def test_home_says_no_incidents_when_none_is_open(project: SiteProject) -> None:
    project.build()
    assert "No incidents in the past 7 days." in text(
        project.page("").select_one("#sk-recent").parent
    )


def test_resolved_incident_shows_the_impact_it_had(project: SiteProject) -> None:
    """Payments were back to operational at the end; the page shows the major outage it had."""
    project.write("2026/resolved.md", RESOLVED_INCIDENT)
    project.build()
    page = project.page("incidents/resolved")
    labels = [text(dt) for dt in page.select(".sk-facts dt")]
    assert "Impact during the incident" in labels and "Affected components" not in labels
    affected = page.select(".sk-affected li")
    assert [text(li) for li in affected] == ["Payments Major outage"]
    assert "Last updated" not in labels


def test_open_incident_shows_the_impact_now(project: SiteProject) -> None:
    project.write("2026/open.md", OPEN_INCIDENT)
    project.build()
    page = project.page("incidents/open")
    labels = [text(dt) for dt in page.select(".sk-facts dt")]
    assert "Affected components" in labels
    assert [text(li) for li in page.select(".sk-affected li")] == ["API Degraded performance"]


def test_regions_are_named_in_the_readers_language(project: SiteProject) -> None:
    project.write("2026/resolved.md", RESOLVED_INCIDENT)
    project.build()
    facts = project.page("incidents/resolved").select(".sk-facts dd")
    assert "South Korea" in [text(dd) for dd in facts]
    project.configure(locale="ko")
    project.build()
    facts = project.page("incidents/resolved").select(".sk-facts dd")
    assert "대한민국" in [text(dd) for dd in facts]


def test_site_name_and_description_per_locale(project: SiteProject) -> None:
    project.configure(
        locale="ko",
        site_name={"ko": "예시 서비스 상태"},
        site_description={"ko": "예시의 서비스 상태입니다."},
    )
    project.build()
    home = project.page("")
    assert home.title is not None and "예시 서비스 상태" in home.title.get_text()
    assert text(home.select_one(".sk-header__site")) == "예시 서비스 상태"
    description = home.select_one('meta[name="description"]')
    assert description is not None and description["content"] == "예시의 서비스 상태입니다."


def test_every_build_writes_a_search_index_of_incident_pages(project: SiteProject) -> None:
    """`mkdocs build` runs Pagefind: incident pages are marked for it, the home page is not."""
    project.write("2026/resolved.md", RESOLVED_INCIDENT)
    project.write("2026/open.md", OPEN_INCIDENT)
    project.build()
    search = project.site / "pagefind"
    bundles = json.loads((search / "bundles.json").read_text("utf-8"))["bundles"]
    # The open incident first, in a bundle of its own; the newest year's others by quarter.
    assert bundles == ["open", "2026-q1"]
    for bundle in bundles:
        entry = json.loads((search / bundle / "pagefind-entry.json").read_text("utf-8"))
        assert sum(lang["page_count"] for lang in entry["languages"].values()) == 1, bundle
    assert project.page("incidents/open").select_one("[data-pagefind-body]") is not None
    assert project.page("").select_one("[data-pagefind-body]") is None
    # Nothing on a page loads the search before a reader searches: no script or link to it.
    for node in project.page("").select("script[src], link[href]"):
        assert "pagefind" not in str(node.get("src") or node.get("href")), node
