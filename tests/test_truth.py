"""The site cannot lie: what is open is the same everywhere, and a stale status fails CI.

`validate` refuses an incident that goes back from resolved to an open status unless the update
says it is reopened, and reports an incident left open without an update for days (a forgotten
incident) at the line of its last update. A multi-year history built into a site says the same
thing about what is open in its pages, JSON API, feeds and badges as the model does.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result
from icalendar import Calendar

from conftest import NOW, ROOT, SiteProject
from demo_site import require
from statuskit.adapter.generator import build, load_config
from statuskit.cli.main import load_settings, main
from statuskit.core.i18n import Catalog
from statuskit.core.site import load_site

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus

REOPENED = """\
---
title: Card payments fail
kind: incident
severity: minor
components:
  payments: partial_outage
started_at: 2026-03-14T09:00:00+09:00
updates:
  - at: 2026-03-14T09:10:00+09:00
    status: investigating
    body: Card payments fail for some customers.
  - at: 2026-03-14T10:00:00+09:00
    status: resolved
    body: Card payments work again.
  - at: 2026-03-14T11:00:00+09:00
    status: identified{reopened}
    body: The failures are back; the cause is known.
  - at: 2026-03-14T12:00:00+09:00
    status: resolved
    body: Card payments work again, for good this time.
---
"""

FORGOTTEN = """\
---
title: Slow dashboard
kind: incident
severity: minor
started_at: 2026-03-09T09:00:00+09:00
updates:
  - at: 2026-03-09T09:10:00+09:00
    status: investigating
    body: The dashboard is slow.
  - at: 2026-03-10T18:00:00+09:00
    status: monitoring
    body: A fix is out; we are watching it.
---
"""


def validate(project: SiteProject, *args: str) -> Result:
    return CliRunner().invoke(
        main, ["validate", "-f", str(project.root / "mkdocs.yml"), *args], catch_exceptions=False
    )


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """The line number of the nth line of a file containing text."""
    numbers = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line]
    return numbers[occurrence - 1]


@pytest.fixture
def here(project: SiteProject, monkeypatch: pytest.MonkeyPatch) -> SiteProject:
    """The project as its authors run commands: from its folder, paths relative to it."""
    monkeypatch.chdir(project.root)
    return project


def test_going_back_from_resolved_needs_reopened(here: SiteProject) -> None:
    path = here.write("2026/2026-03-14-card-payments.md", REOPENED.format(reopened=""))
    result = validate(here)
    assert result.exit_code == 1
    where = f"incidents/2026/2026-03-14-card-payments.md:{line_of(path, 'status: identified')}:"
    assert where in result.output
    assert "goes back from resolved to 'identified'" in result.output
    assert "reopened: true" in result.output

    here.write(
        "2026/2026-03-14-card-payments.md",
        REOPENED.format(reopened="\n    reopened: true"),
    )
    assert validate(here).exit_code == 0


def test_reopened_only_after_a_resolved_update(here: SiteProject) -> None:
    text = REOPENED.format(reopened="\n    reopened: true").replace(
        "status: investigating\n", "status: investigating\n    reopened: true\n"
    )
    path = here.write("2026/2026-03-14-card-payments.md", text)
    result = validate(here)
    assert result.exit_code == 1
    assert f":{line_of(path, 'reopened: true')}: update 1 says `reopened: true`" in result.output


def test_resolved_at_on_an_incident_open_again_is_refused(here: SiteProject) -> None:
    text = REOPENED.format(reopened="\n    reopened: true")
    text = text.rsplit("  - at: 2026-03-14T12:00:00+09:00", 1)[0] + "---\n"
    text = text.replace("started_at:", "resolved_at: 2026-03-14T10:00:00+09:00\nstarted_at:")
    path = here.write("2026/2026-03-14-card-payments.md", text)
    result = validate(here)
    assert result.exit_code == 1
    assert f":{line_of(path, 'resolved_at:')}: resolved_at is set but the last update says" in (
        result.output
    )


def test_a_forgotten_incident_fails_validation_at_its_last_update(
    here: SiteProject, caplog: pytest.LogCaptureFixture
) -> None:
    path = here.write("2026/2026-03-09-slow-dashboard.md", FORGOTTEN)
    result = validate(here)
    assert result.exit_code == 1, result.output
    last = line_of(path, "- at:", 2)
    assert f"incidents/2026/2026-03-09-slow-dashboard.md:{last}: the incident is still " in (
        result.output
    )
    stamps = re.findall(r"- at: (\S+)", FORGOTTEN)
    days = (NOW - datetime.fromisoformat(stamps[-1])).total_seconds() / 86400
    assert f"no update for {days:.1f} days" in result.output
    github = validate(here, "--format", "github")
    assert f"::error file=incidents/2026/2026-03-09-slow-dashboard.md,line={last}::" in (
        github.output
    )
    with pytest.raises(Exception, match="BuildError"):
        here.build()
    assert f"slow-dashboard.md:{last}: the incident is still 'monitoring'" in caplog.text


@pytest.mark.parametrize(
    ("policies", "plain", "strict"),
    [
        ({"open_without_update_hours": 200}, 0, 0),
        ({"levels": {"forgotten": "off"}}, 0, 0),
        ({"levels": {"forgotten": "warning"}}, 0, 1),
    ],
)
def test_how_long_and_how_loud_is_the_sites_choice(
    here: SiteProject, policies: dict[str, Any], plain: int, strict: int
) -> None:
    # Only this check speaks: the update cadence, also missed here, is another policy.
    levels = {"stale_update": "off", **policies.get("levels", {})}
    here.configure(policies={**policies, "levels": levels})
    here.write("2026/2026-03-09-slow-dashboard.md", FORGOTTEN)
    assert validate(here).exit_code == plain
    assert validate(here, "--strict").exit_code == strict


def test_a_forgotten_maintenance_is_one_running_past_its_window(here: SiteProject) -> None:
    here.write(
        "2026/2026-03-01-upgrade.md",
        """\
        ---
        title: Database upgrade
        kind: maintenance
        components:
          api: under_maintenance
        scheduled_for: 2026-03-01T02:00:00+09:00
        scheduled_until: 2026-03-01T04:00:00+09:00
        updates:
          - at: 2026-02-25T10:00:00+09:00
            status: scheduled
            body: The database will be upgraded.
          - at: 2026-03-01T02:00:00+09:00
            status: in_progress
            body: The upgrade has started.
        ---
        """,
    )
    result = validate(here)
    assert result.exit_code == 1
    assert "the maintenance is still 'in_progress'" in result.output


# Every output agrees with the model -------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A multi-year history (benchmarks/corpus.py) built into a site."""
    root = tmp_path_factory.mktemp("history")
    corpus.generate(root, 400, seed=5)
    config = load_config(str(root / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return root


def test_every_output_counts_the_same_open_incidents(built: Path) -> None:
    settings = load_settings(built / "mkdocs.yml")
    site = load_site(settings)
    model = {s.incident.id for s in site.state.open_incidents()}
    # The generator's open incidents are the files it named so; every other one ended.
    assert model == {p.stem for p in (built / "incidents").rglob("*-open-*.md")}
    assert model
    out = built / "site"

    def api(name: str) -> dict[str, object]:
        data: dict[str, object] = json.loads((out / "api/v2" / name).read_text("utf-8"))
        return data

    def ids(items: object) -> set[str]:
        assert isinstance(items, list)
        return {str(i["id"]) for i in items}

    assert ids(api("summary.json")["incidents"]) == model
    assert ids(api("incidents/unresolved.json")["incidents"]) == model
    listed = api("incidents.json")["incidents"]
    assert isinstance(listed, list)
    assert {str(i["id"]) for i in listed if i["status"] != "resolved"} == model
    indicator = api("status.json")["status"]
    assert isinstance(indicator, dict)
    assert indicator["indicator"] == site.state.indicator != "none"

    home = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    active = home.select_one('section[aria-labelledby="sk-active"] ul.sk-incidents')
    assert active is not None
    links = {a["href"] for a in active.select("a[href]")}
    shown = {i for i in model if any(f"incidents/{i}/" in str(href) for href in links)}
    assert shown == model
    assert len(active.find_all("li", recursive=False)) == len(model)

    t = Catalog("en")
    resolved = t("incident_status.resolved")
    open_in_feeds = set()
    for feed in (out / "feeds" / "incidents").glob("*.atom"):
        newest = BeautifulSoup(feed.read_text("utf-8"), "xml").find("entry")
        assert newest is not None
        title = newest.find("title")
        assert title is not None
        if not title.text.endswith(f" — {resolved}") and "maintenance" not in str(newest):
            open_in_feeds.add(feed.stem)
    assert open_in_feeds == model

    status_badge = (out / "badges/status.svg").read_text("utf-8")
    assert t(f"indicator.{site.state.indicator}") in status_badge
    impaired = {c for c, s in site.state.component_status.items() if s != "operational"}
    badges = {
        p.stem
        for p in (out / "badges/components").glob("*.svg")
        if not re.search(re.escape(t("status.operational")), p.read_text("utf-8"))
    }
    assert badges == impaired
    assert impaired


# The maintenance calendar is read by the strictest parsers -------------------------------

DEBIAN_PYTHON = Path("/usr/bin/python3")
ICALJS_MODULE = ROOT / "node_modules" / "ical.js"
# Run by Debian's own Python, which has libical's GObject binding (python3-gi).
LIBICAL = """
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib
with open(sys.argv[1], encoding="utf-8") as f:
    calendar = ICalGLib.Component.new_from_string(f.read())
valid = calendar is not None and calendar.check_restrictions() == 1
text = calendar.as_ical_string() if calendar is not None else ""
errors = [line for line in text.splitlines() if line.startswith("X-LIC-ERROR")]
events = calendar.count_components(ICalGLib.ComponentKind.VEVENT_COMPONENT) if calendar else 0
print(json.dumps({"valid": valid, "errors": errors, "events": events}))
"""
ICALJS = """
import { readFileSync } from "node:fs";
import ICAL from "ical.js";
const calendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[1], "utf8")));
const events = calendar.getAllSubcomponents("vevent").map((v) => {
  const event = new ICAL.Event(v);
  return [event.uid, event.startDate.toUnixTime(), event.endDate.toUnixTime(),
          v.getFirstPropertyValue("organizer")];
});
console.log(JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events }));
"""


def has_libical() -> bool:
    if not DEBIAN_PYTHON.exists():
        return False
    probe = 'import gi; gi.require_version("ICalGLib", "3.0")'
    return subprocess.run([DEBIAN_PYTHON, "-c", probe], capture_output=True).returncode == 0


def test_maintenance_calendar_passes_libical_icaljs_and_icalendar(built: Path) -> None:
    path = built / "site" / "maintenance.ics"
    calendar = Calendar.from_ical(path.read_bytes())
    events = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "PUBLISH"
    assert len(events) >= 10  # years of maintenance, overrunning windows among them
    for event in events:
        assert not event.errors, event.errors
        for required in ("UID", "DTSTAMP", "DTSTART", "ORGANIZER"):
            assert required in event, (required, event["UID"])
    expected = [
        [str(e["UID"]), int(e.decoded("DTSTART").timestamp()), int(e.decoded("DTEND").timestamp())]
        for e in events
    ]

    require(has_libical(), "libical (Debian python3-gi and gir1.2-ical-3.0)")
    checked = subprocess.run(
        [DEBIAN_PYTHON, "-c", LIBICAL, str(path)], capture_output=True, text=True, check=True
    )
    libical = json.loads(checked.stdout)
    assert libical == {"valid": True, "errors": [], "events": len(events)}

    require(shutil.which("node") is not None and ICALJS_MODULE.is_dir(), "node and npm ical.js")
    read = subprocess.run(
        ["node", "--input-type=module", "-e", ICALJS, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    icaljs = json.loads(read.stdout)
    assert icaljs["method"] == "PUBLISH"
    assert [e[:3] for e in icaljs["events"]] == expected
    assert all(e[3] == corpus.SITE_URL for e in icaljs["events"])


def test_a_promised_later_update_is_not_forgotten(here: SiteProject) -> None:
    promise = "    next_update_by: 2026-03-16T18:00:00+09:00\n"
    text = FORGOTTEN.replace(
        "    body: A fix is out; we are watching it.\n",
        "    body: A fix is out; we are watching it.\n" + promise,
    )
    here.write("2026/2026-03-09-slow-dashboard.md", text)
    result = validate(here)
    assert result.exit_code == 0, result.output
    assert "no update for" not in result.output
