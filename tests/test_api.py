"""Statuspage v2 JSON: Statuspage's responses and statuskit's output fit one strict schema.

The responses are the project's own Statuspage-shaped fixtures (tests/fixtures/statuspage-api)
and, where ../shared lies beside the repository (always in CI), real exports of Statuspage pages.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from conftest import ROOT, shared_folder
from statuskit.core.model import Component, Group, Text
from statuskit.core.settings import Settings
from statuskit.core.site import Site, load_site
from statuskit.outputs.api import API_ROOT, LIST_LIMIT, PageInfo, render_api

SCHEMA_PATH = ROOT / "tests" / "schemas" / "statuspage-v2.schema.json"
OWN = ROOT / "tests" / "fixtures" / "statuspage-api"
# The real exports of ../shared/fixtures/statuspage (its README says where each comes from).
REAL = ["github-components-with-problem.json", "github-summary.json", "instructure-summary.json"]
ZONE = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=ZONE)
BASE_URL = "https://example.com/status/ko/"
SECRET = "OPS-SECRET-7731"

# Which $defs entry describes each file statuskit writes.
ENDPOINTS = {
    "summary.json": "summary",
    "status.json": "status_endpoint",
    "components.json": "components_endpoint",
    "incidents.json": "incidents_endpoint",
    "incidents/unresolved.json": "unresolved_incidents_endpoint",
    "scheduled-maintenances.json": "scheduled_maintenances_endpoint",
    "scheduled-maintenances/upcoming.json": "upcoming_scheduled_maintenances_endpoint",
    "scheduled-maintenances/active.json": "active_scheduled_maintenances_endpoint",
}

RESOLVED = f"""
---
title:
  en: Payments failing after a deploy
  ko: 배포 후 결제 실패
kind: incident
severity: major
components:
  payments: major_outage
started_at: 2026-03-14T09:02:00+09:00
detected_at: 2026-03-14T09:04:00+09:00
responsible: {{name: Kim Minji, role: CTO}}
internal: Ticket {SECRET} in #inc-payments.
updates:
  - at: 2026-03-14T09:08:00+09:00
    status: investigating
    body:
      en: We are investigating failed card payments.
      ko: 카드 결제 실패를 조사하고 있습니다.
  - at: 2026-03-14T09:12:00+09:00
    status: resolved
    body: The deploy was rolled back; payments work again.
    components: {{payments: operational}}
---
A web deploy broke the payment form.
"""

OPEN_MAJOR = f"""
---
title: Card payments failing
kind: incident
severity: major
components:
  payments: major_outage
started_at: 2026-03-15T10:00:00+09:00
detected_at: 2026-03-15T10:02:00+09:00
responsible: {{name: Kim Minji, role: CTO}}
internal: {SECRET}
updates:
  - at: 2026-03-15T10:05:00+09:00
    status: investigating
    body: Card payments fail.
  - at: 2026-03-15T10:40:00+09:00
    status: identified
    body: A faulty deploy; rolling back. Some payments work again.
    components: {{payments: partial_outage, api: degraded_performance}}
---
"""

MAINTENANCE = """
---
title: {title}
kind: maintenance
components: {{api: under_maintenance}}
scheduled_for: {start}
scheduled_until: {end}
internal: {secret}
updates:
  - at: {announced}
    status: scheduled
    body: We will upgrade the database.
---
"""


def maintenance(start: str, end: str, announced: str, title: str = "Database upgrade") -> str:
    """A maintenance file on `api` with one `scheduled` update, as a site announces it."""
    return MAINTENANCE.format(title=title, start=start, end=end, announced=announced, secret=SECRET)


IN_PROGRESS = maintenance(
    "2026-03-15T11:00:00+09:00", "2026-03-15T13:00:00+09:00", "2026-03-01T10:00:00+09:00"
)
UPCOMING = maintenance(
    "2026-03-20T02:00:00+09:00",
    "2026-03-20T04:00:00+09:00",
    "2026-03-02T10:00:00+09:00",
    "Network upgrade",
)
COMPLETED = maintenance(
    "2026-03-10T02:00:00+09:00",
    "2026-03-10T04:00:00+09:00",
    "2026-03-03T10:00:00+09:00",
    "Storage upgrade",
)

ALL_KINDS = {
    "2026/resolved.md": RESOLVED,
    "2026/open.md": OPEN_MAJOR,
    "2026/in-progress.md": IN_PROGRESS,
    "2026/upcoming.md": UPCOMING,
    "2026/completed.md": COMPLETED,
}


def make_site(
    folder: Path,
    files: dict[str, str],
    now: datetime = NOW,
    zone: ZoneInfo = ZONE,
) -> Site:
    """A validated site from incident files, written as tests/conftest.py writes them."""
    incidents = folder / "incidents"
    for relative, text in files.items():
        path = incidents / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    incidents.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        incidents_dir=incidents,
        components=[
            Component("api", Text({"en": "API"}), Text({"en": "Public REST API"}), "core", 0),
            Component("payments", Text({"en": "Payments", "ko": "결제"}), None, "core", 1),
            Component(
                "web",
                Text({"en": "Website", "ko": "웹사이트"}),
                None,
                None,
                2,
                start_date=date(2025, 1, 1),
            ),
        ],
        groups=[Group("core", Text({"en": "Core services", "ko": "핵심 서비스"}), None, 0)],
        timezone=zone,
        locales=["en", "ko"],
        now=now,
    )
    return load_site(settings, now)


def page_info(base_url: str = BASE_URL, zone: str = "Asia/Seoul") -> PageInfo:
    """The page facts the MkDocs plugin would pass for one locale build."""
    return PageInfo(id="hanbitpay", name="Hanbit Pay", url=base_url, time_zone=zone)


def render(site: Site, locale: str = "ko", base_url: str = BASE_URL) -> dict[str, bytes]:
    """One locale build's API files, the page's time zone taken from the site."""
    return render_api(site, locale, base_url, page_info(base_url, site.settings.timezone.key))


def parsed(files: dict[str, bytes]) -> dict[str, Any]:
    """Output paths relative to api/v2 mapped to their decoded JSON."""
    prefix = f"{API_ROOT}/"
    return {path.removeprefix(prefix): json.loads(data) for path, data in files.items()}


def validator(definition: str) -> Draft202012Validator:
    """A validator for one $defs entry of the schema, checking formats too."""
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    return Draft202012Validator(
        {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]},
        format_checker=FormatChecker(),
    )


def errors(definition: str, value: Any) -> list[str]:
    """Every schema violation with its location, so a failure says what is wrong."""
    return [
        f"{list(e.absolute_path)}: {e.message}" for e in validator(definition).iter_errors(value)
    ]


def fixtures(source: str = "real") -> dict[str, Any]:
    """Statuspage responses by file name: the real ones of ../shared, or our own ("own")."""
    if source == "own":
        paths = sorted(OWN.glob("*/summary.json"))
        return {f"{p.parent.name}-summary.json": json.loads(p.read_text("utf-8")) for p in paths}
    folder = shared_folder("statuspage")
    return {name: json.loads((folder / name).read_text("utf-8")) for name in REAL}


def fixture_endpoint(name: str) -> str:
    """Which endpoint a fixture was fetched from, by its name."""
    return "summary" if "summary" in name else "components_endpoint"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A site with every kind: resolved, open, maintenance done, in progress and to come."""
    return make_site(tmp_path, ALL_KINDS)


# (a) The schema describes Statuspage: the real responses pass it ----------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text("utf-8")))


def test_fixtures_are_present() -> None:
    assert set(fixtures("own")) == {"tidewater-summary.json", "brightpath-summary.json"}
    assert set(fixtures()) == set(REAL)


@pytest.mark.parametrize("name", REAL)
def test_schema_accepts_real_statuspage_responses(name: str) -> None:
    assert errors(fixture_endpoint(name), fixtures()[name]) == []


def test_schema_accepts_our_statuspage_shaped_fixtures() -> None:
    for name, value in fixtures("own").items():
        assert errors(fixture_endpoint(name), value) == [], name


def test_schema_is_strict_about_presence_and_enums() -> None:
    real = fixtures("own")["tidewater-summary.json"]
    incident = real["incidents"][0]
    missing = {k: v for k, v in incident.items() if k != "shortlink"}
    assert errors("incident", missing)
    assert errors("incident", {**incident, "impact": "huge"})
    assert errors("incident", {**incident, "internal": "x"})
    assert errors("status", {"indicator": "red", "description": "x"})
    component = real["components"][0]
    assert errors("component", {**component, "status": "down"})
    assert errors("component", {**component, "group": True})  # a group lists its members
    assert errors("page", {**real["page"], "updated_at": "2022-11-25 15:50"})


# (b) Everything statuskit renders fits the same schema --------------------------------------


def test_renders_every_statuspage_endpoint(site: Site) -> None:
    assert set(render(site)) == {f"{API_ROOT}/{path}" for path in ENDPOINTS}


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_every_rendered_file_validates(site: Site, locale: str) -> None:
    for path, value in parsed(render(site, locale)).items():
        assert errors(ENDPOINTS[path], value) == [], path


def test_an_empty_site_validates(tmp_path: Path) -> None:
    output = parsed(render(make_site(tmp_path, {})))
    for path, value in output.items():
        assert errors(ENDPOINTS[path], value) == [], path
    assert output["status.json"]["status"] == {
        "indicator": "none",
        "description": "All Systems Operational",
    }


# (c) Our objects have exactly the fields of Statuspage's ------------------------------------


def real_keys(source: str) -> dict[str, set[str]]:
    """Field sets per object kind, read from the responses, not written down by hand."""
    keys: dict[str, set[str]] = {}

    def add(kind: str, value: dict[str, Any]) -> None:
        found = set(value)
        assert keys.setdefault(kind, found) == found, kind

    for data in fixtures(source).values():
        add("page", data["page"])
        if "status" in data:
            add("status", data["status"])
        for component in data["components"]:
            add("group" if component["group"] else "component", component)
        for incident in data.get("incidents", []):
            add("incident", incident)
            for update in incident["incident_updates"]:
                add("incident_update", update)
                for affected in update["affected_components"] or []:
                    add("affected_component", affected)
    summaries = [d for name, d in fixtures(source).items() if "summary" in name]
    for summary in summaries:
        add("summary", summary)
    return keys


@pytest.mark.parametrize("source", ["own", "real"])
def test_field_sets_equal_statuspage(site: Site, source: str) -> None:
    real = real_keys(source)
    summary = parsed(render(site))["summary.json"]
    incidents = parsed(render(site))["incidents.json"]["incidents"]
    maintenances = parsed(render(site))["scheduled-maintenances.json"]["scheduled_maintenances"]
    assert set(summary) == real["summary"]
    assert set(summary["page"]) == real["page"]
    assert set(summary["status"]) == real["status"]
    groups = [c for c in summary["components"] if c["group"]]
    members = [c for c in summary["components"] if not c["group"]]
    assert groups and members
    assert all(set(c) == real["group"] for c in groups)
    assert all(set(c) == real["component"] for c in members)
    assert incidents and maintenances
    assert all(set(i) == real["incident"] for i in incidents)
    assert all(
        set(m) == real["incident"] | {"scheduled_for", "scheduled_until"} for m in maintenances
    )
    updates = [u for i in incidents + maintenances for u in i["incident_updates"]]
    assert all(set(u) == real["incident_update"] for u in updates)
    affected = [a for u in updates for a in u["affected_components"] or []]
    assert affected
    assert all(set(a) == real["affected_component"] for a in affected)
    assert all(set(c) == real["component"] for i in incidents for c in i["components"])


def test_groups_are_components_listing_their_members(site: Site) -> None:
    components = parsed(render(site))["components.json"]["components"]
    by_id = {c["id"]: c for c in components}
    assert [c["id"] for c in components] == ["web", "core", "api", "payments"]
    core = by_id["core"]
    assert core["group"] is True
    assert core["components"] == ["api", "payments"]
    assert core["name"] == "핵심 서비스"
    assert by_id["api"]["group_id"] == "core"
    assert by_id["web"]["group_id"] is None
    assert [by_id[c]["position"] for c in ("web", "core", "api", "payments")] == [1, 2, 1, 2]
    assert by_id["api"]["description"] == "Public REST API"
    assert by_id["web"]["start_date"] == "2025-01-01"
    assert by_id["web"]["created_at"] == "2025-01-01T00:00:00.000+09:00"
    # Worst member status: payments partial outage beats api under maintenance.
    assert core["status"] == "partial_outage"


# (d) Statuses, indicator and impact ---------------------------------------------------------


def test_open_major_incident(tmp_path: Path) -> None:
    output = parsed(render(make_site(tmp_path, {"2026/open.md": OPEN_MAJOR})))
    assert output["status.json"]["status"] == {
        "indicator": "major",
        "description": "Partial System Outage",
    }
    [incident] = output["incidents/unresolved.json"]["incidents"]
    assert incident["id"] == "open"
    assert incident["status"] == "identified"
    assert incident["impact"] == "major"
    assert incident["resolved_at"] is None
    assert incident["monitoring_at"] is None
    assert incident["started_at"] == "2026-03-15T10:00:00.000+09:00"
    assert incident["created_at"] == "2026-03-15T10:05:00.000+09:00"
    assert incident["updated_at"] == "2026-03-15T10:40:00.000+09:00"
    components = {c["id"]: c for c in output["components.json"]["components"]}
    assert components["payments"]["status"] == "partial_outage"
    assert components["api"]["status"] == "degraded_performance"
    assert components["web"]["status"] == "operational"
    # A component's updated_at is when its status last changed.
    assert components["payments"]["updated_at"] == "2026-03-15T10:40:00.000+09:00"
    assert [c["id"] for c in incident["components"]] == ["api", "payments"]
    newest, first = incident["incident_updates"]
    assert (newest["id"], first["id"]) == ("open-u2", "open-u1")
    assert first["affected_components"] == [
        {
            "code": "payments",
            "name": "핵심 서비스 - 결제",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
    assert newest["affected_components"] == [
        {
            "code": "api",
            "name": "핵심 서비스 - API",
            "old_status": "operational",
            "new_status": "degraded_performance",
        },
        {
            "code": "payments",
            "name": "핵심 서비스 - 결제",
            "old_status": "major_outage",
            "new_status": "partial_outage",
        },
    ]
    summary = output["summary.json"]
    assert summary["incidents"] == [incident]
    assert summary["page"]["updated_at"] == "2026-03-15T10:40:00.000+09:00"


def test_maintenance_in_progress(tmp_path: Path) -> None:
    output = parsed(render(make_site(tmp_path, {"2026/in-progress.md": IN_PROGRESS})))
    assert output["status.json"]["status"] == {
        "indicator": "maintenance",
        "description": "Service Under Maintenance",
    }
    [active] = output["scheduled-maintenances/active.json"]["scheduled_maintenances"]
    assert active["status"] == "in_progress"
    assert active["impact"] == "maintenance"
    assert active["scheduled_for"] == "2026-03-15T11:00:00.000+09:00"
    assert active["scheduled_until"] == "2026-03-15T13:00:00.000+09:00"
    assert active["resolved_at"] is None
    # It moved to in progress by itself when its window opened.
    assert active["updated_at"] == "2026-03-15T11:00:00.000+09:00"
    assert output["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"] == []
    assert output["summary.json"]["scheduled_maintenances"] == [active]
    assert output["incidents.json"]["incidents"] == []
    components = {c["id"]: c for c in output["components.json"]["components"]}
    assert components["api"]["status"] == "under_maintenance"
    assert components["api"]["updated_at"] == "2026-03-15T11:00:00.000+09:00"


def test_upcoming_maintenance(tmp_path: Path) -> None:
    output = parsed(render(make_site(tmp_path, {"2026/upcoming.md": UPCOMING})))
    assert output["status.json"]["status"] == {
        "indicator": "none",
        "description": "All Systems Operational",
    }
    [upcoming] = output["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]
    assert upcoming["status"] == "scheduled"
    assert upcoming["impact"] == "maintenance"
    assert upcoming["scheduled_for"] == "2026-03-20T02:00:00.000+09:00"
    assert upcoming["updated_at"] == "2026-03-02T10:00:00.000+09:00"
    assert output["scheduled-maintenances/active.json"]["scheduled_maintenances"] == []
    assert output["summary.json"]["scheduled_maintenances"] == [upcoming]
    components = {c["id"]: c for c in output["components.json"]["components"]}
    assert all(c["status"] == "operational" for c in components.values())
    # Nothing changed yet, so the page is as old as its newest update, not the build.
    assert output["summary.json"]["page"]["updated_at"] == "2026-03-02T10:00:00.000+09:00"


def test_lists_hold_what_statuspage_lists(site: Site) -> None:
    output = parsed(render(site))
    assert [i["id"] for i in output["incidents.json"]["incidents"]] == ["open", "resolved"]
    assert [i["id"] for i in output["incidents/unresolved.json"]["incidents"]] == ["open"]
    assert [m["id"] for m in output["scheduled-maintenances.json"]["scheduled_maintenances"]] == [
        "completed",
        "upcoming",
        "in-progress",
    ]
    completed = output["scheduled-maintenances.json"]["scheduled_maintenances"][0]
    assert completed["status"] == "completed"
    assert completed["resolved_at"] == "2026-03-10T04:00:00.000+09:00"
    assert [m["id"] for m in output["summary.json"]["scheduled_maintenances"]] == [
        "upcoming",
        "in-progress",
    ]
    resolved = output["incidents.json"]["incidents"][1]
    assert resolved["resolved_at"] == "2026-03-14T09:12:00.000+09:00"
    assert resolved["incident_updates"][0]["affected_components"][0]["new_status"] == (
        "operational"
    )


def test_incidents_json_keeps_the_50_most_recent(tmp_path: Path) -> None:
    files = {}
    for n in range(LIST_LIMIT + 3):
        at = datetime(2026, 1, 1, 9, tzinfo=ZONE) + timedelta(hours=n)
        files[f"2026/i{n:02d}.md"] = f"""
            ---
            title: Incident {n}
            kind: incident
            severity: minor
            started_at: {at.isoformat()}
            updates:
              - at: {at.isoformat()}
                status: resolved
                body: Fixed.
            ---
            """
    incidents = parsed(render(make_site(tmp_path, files)))["incidents.json"]["incidents"]
    assert len(incidents) == LIST_LIMIT
    assert incidents[0]["id"] == f"i{LIST_LIMIT + 2:02d}"
    assert incidents[-1]["id"] == "i03"


# Text and times -----------------------------------------------------------------------------


def test_text_is_in_the_build_locale_with_fallback(site: Site) -> None:
    ko = parsed(render(site, "ko"))["incidents.json"]["incidents"][1]
    en = parsed(render(site, "en"))["incidents.json"]["incidents"][1]
    assert (ko["name"], en["name"]) == ("배포 후 결제 실패", "Payments failing after a deploy")
    first_ko, first_en = ko["incident_updates"][1], en["incident_updates"][1]
    assert first_ko["body"] == "카드 결제 실패를 조사하고 있습니다."
    assert first_en["body"] == "We are investigating failed card payments."
    # Plain text is in the default locale and serves every build as written.
    assert ko["incident_updates"][0]["body"] == "The deploy was rolled back; payments work again."


def test_utc_sites_write_z(tmp_path: Path) -> None:
    utc = ZoneInfo("Etc/UTC")
    site = make_site(tmp_path, {"2026/open.md": OPEN_MAJOR}, NOW.astimezone(utc), utc)
    output = parsed(render_api(site, "en", BASE_URL, page_info(zone="Etc/UTC")))
    incident = output["incidents.json"]["incidents"][0]
    assert incident["started_at"] == "2026-03-15T01:00:00.000Z"
    assert output["summary.json"]["page"]["time_zone"] == "Etc/UTC"


# (e) Reproducible bytes ---------------------------------------------------------------------


def test_identical_bytes_on_a_second_render(tmp_path: Path, site: Site) -> None:
    first = render(site)
    assert render(site) == first
    again = make_site(tmp_path / "again", ALL_KINDS)
    assert render(again) == first


def test_the_clock_alone_changes_nothing(tmp_path: Path) -> None:
    files = {"2026/open.md": OPEN_MAJOR, "2026/upcoming.md": UPCOMING}
    early = render(make_site(tmp_path / "a", files, NOW))
    later = render(make_site(tmp_path / "b", files, NOW + timedelta(hours=3)))
    assert later == early


def test_output_is_compact_utf8(site: Site) -> None:
    data = render(site)[f"{API_ROOT}/summary.json"]
    text = data.decode("utf-8")
    assert "핵심 서비스" in text
    assert "\n" not in text
    assert text.startswith('{"page":{"id":"hanbitpay","name":"Hanbit Pay"')


# (f) Internal notes never leave the repository ----------------------------------------------


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_internal_text_is_absent(site: Site, locale: str) -> None:
    for path, data in render(site, locale).items():
        assert SECRET.encode() not in data, path
        assert b"inc-payments" not in data, path
        assert b"Kim Minji" not in data, path


# (g) Sub-path sites ----------------------------------------------------------------------------


def test_sub_path_base_url_in_page_and_shortlinks(site: Site) -> None:
    output = parsed(render(site, "ko", BASE_URL))
    for value in output.values():
        assert value["page"]["url"] == BASE_URL
    shortlinks = [
        item["shortlink"]
        for key in ("incidents.json", "scheduled-maintenances.json")
        for item in output[key].get("incidents", output[key].get("scheduled_maintenances", []))
    ]
    assert shortlinks
    assert "https://example.com/status/ko/incidents/open/" in shortlinks
    assert all(link.startswith(BASE_URL + "incidents/") for link in shortlinks)


def test_base_url_without_trailing_slash(site: Site) -> None:
    output = parsed(render_api(site, "en", "https://example.com/status", page_info()))
    incident = output["incidents.json"]["incidents"][0]
    assert incident["shortlink"] == "https://example.com/status/incidents/open/"
