"""Feeds, JSON API, calendar and badges as the MkDocs build writes them, per locale and mirror."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import feedparser
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, ROOT, SiteProject
from statuskit.cli.main import main
from test_api import ENDPOINTS

OUTPUT_SUFFIXES = (".atom", ".rss", ".json", ".ics", ".svg")
API_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "statuspage-v2.schema.json").read_text())


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.suffix in OUTPUT_SUFFIXES and "assets" not in p.parts and "pagefind" not in p.parts
    }


def test_build_writes_every_output(project: SiteProject) -> None:
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.build(strict=True)
    files = outputs(project.site)
    for path in (
        "history.atom",
        "history.rss",
        "feeds/components/payments.atom",
        "feeds/incidents/2026-03-14-payments.rss",
        "api/v2/summary.json",
        "api/v2/incidents/unresolved.json",
        "api/v2/scheduled-maintenances/upcoming.json",
        "maintenance.ics",
        "badges/status.svg",
        "badges/components/payments.svg",
    ):
        assert path in files, path


def test_unchanged_site_rebuilds_identical_outputs(project: SiteProject) -> None:
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.write("open.md", OPEN_INCIDENT)
    project.build()
    first = outputs(project.site)
    project.build()
    assert outputs(project.site) == first


def test_pages_advertise_feeds_that_exist(project: SiteProject) -> None:
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.build()
    for url_path in ("", "incidents/2026-03-14-payments", "components/payments", "history"):
        page = project.page(url_path)
        links = page.select('head link[rel="alternate"][type]')
        assert len(links) >= 2, url_path
        for link in links:
            base = f"https://status.example.com/{url_path}/".replace("//", "/").replace(
                "https:/", "https://"
            )
            target = urljoin(base, link["href"]).removeprefix("https://status.example.com/")
            assert (project.site / target).is_file(), (url_path, link["href"])
    incident_links = [
        link["href"]
        for link in project.page("incidents/2026-03-14-payments").select(
            'head link[type="application/atom+xml"]'
        )
    ]
    assert any(href.endswith("feeds/incidents/2026-03-14-payments.atom") for href in incident_links)
    subscribe = project.page("").select_one(".sk-subscribe")
    assert subscribe is not None and "maintenance.ics" in subscribe.get_text()


def test_outputs_per_mirror_use_its_domain_and_language(project: SiteProject) -> None:
    project.configure(
        locales=["en", "ko"],
        mirrors=[
            {"id": "com", "locale": "en", "site_url": "https://status.example.com/"},
            {"id": "kr", "locale": "ko", "site_url": "https://status.example.co.kr/sub/"},
        ],
    )
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    result = CliRunner().invoke(
        main, ["build", "--mirrors", "-f", str(project.root / "mkdocs.yml")]
    )
    assert result.exit_code == 0, result.output
    kr = project.site / "kr"
    feed = feedparser.parse((kr / "history.atom").read_bytes())
    assert not feed.bozo
    assert feed.feed.language == "ko"
    assert all(e.link.startswith("https://status.example.co.kr/sub/") for e in feed.entries)
    assert "배포 후 결제 실패" in feed.entries[0].title
    summary = json.loads((kr / "api/v2/summary.json").read_text())
    assert summary["page"]["url"].startswith("https://status.example.co.kr/sub")
    assert summary["page"]["time_zone"] == "Asia/Seoul"
    written = {p: c for p, c in outputs(kr).items() if p.endswith(".json")}
    assert set(written) == {f"api/v2/{name}" for name in ENDPOINTS}
    for path, content in written.items():
        schema = {**API_SCHEMA, "$ref": f"#/$defs/{ENDPOINTS[path.removeprefix('api/v2/')]}"}
        errors = list(Draft202012Validator(schema).iter_errors(json.loads(content)))
        assert not errors, (path, errors[:1])
    com = project.site / "com"
    com_feed = feedparser.parse((com / "history.atom").read_bytes())
    assert all(e.link.startswith("https://status.example.com/") for e in com_feed.entries)
