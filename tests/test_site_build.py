"""Real MkDocs builds of small sites, checked by parsing the generated HTML."""

from __future__ import annotations

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
