"""`statuskit import cstate`: a small cState-shaped site of our own moved into statuskit."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import ROOT
from statuskit.cli.importing import import_group
from statuskit.cli.main import load_settings
from statuskit.core.loader import load_incidents
from statuskit.core.model import Incident
from statuskit.core.site import load_site
from statuskit.importers.cstate import _COMMENT, read_cstate
from statuskit.importers.records import SourceError

CSTATE = ROOT / "tests" / "fixtures" / "cstate"
CONFIG = """\
site_name: Example Status
site_url: https://status.example.org/
theme:
  name: material
  font: false
plugins:
  - statuskit:
      timezone: UTC
      # The day after the fixture's newest issue, still open then (open for months, it would be
      # reported as forgotten).
      now: 2025-02-27T00:00:00Z
      groups:
        - id: backend
          name: Backend
      components:
        - id: api
          name: API
          group: backend
        - id: media
          name: Media
          group: backend
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A statuskit site that already declares two of the cState systems."""
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(CONFIG, "utf-8")
    monkeypatch.chdir(root)
    return root


def run(site: Path, *args: str) -> Result:
    return CliRunner().invoke(
        import_group,
        ["cstate", str(CSTATE), "-f", str(site / "mkdocs.yml"), *args],
        catch_exceptions=False,
    )


def incidents_of(site: Path) -> dict[str, Incident]:
    settings = load_settings(site / "mkdocs.yml")
    result = load_incidents(settings.incidents_dir, settings.locale)
    assert result.problems == []
    return {i.id: i for i in result.incidents}


def test_every_issue_becomes_a_valid_incident_file(site: Path) -> None:
    result = run(site, "--write-components")
    assert result.exit_code == 0, result.output
    incidents = incidents_of(site)
    written = sum(len(i.updates) for i in incidents.values())
    per_file = re.search(
        r"content/issues: 6 incident\(s\) or maintenance\(s\), (\d+) update\(s\); "
        r"1 incident\(s\) skipped",
        result.output,
    )
    assert per_file is not None, result.output
    read = int(per_file[1])
    tracked = sum(
        _COMMENT.sub("", p.read_text("utf-8")).count("{{< track")
        for p in (CSTATE / "content/issues").glob("[!_]*.md")
    )
    assert read >= tracked  # every tracked entry, and the text of an informational notice
    summary = f"5 incident(s) and 1 maintenance(s), {read} update(s) read: incident files 6 created"
    assert summary in result.output
    # Issues without entries get an opening and a closing update: said, and counted apart.
    assert f"updates: {written} written ({written - read} of them added by the import" in (
        result.output
    )
    assert "Validation of the imported files: 0 error(s)" in result.output
    assert set(incidents) == {
        "2018-04-13-west-region-sign-in-errors",
        "2019-05-10-schema-changes",
        "2021-02-09-database-upgrade",
        "2023-06-29-system-unavailable",
        "2024-05-01-new-status-page",
        "2025-02-26-search-sign-in-failing",
    }
    path = incidents["2018-04-13-west-region-sign-in-errors"].path
    assert path == site / "incidents/2018/2018-04-13-west-region-sign-in-errors.md"


def test_severities_map_to_severity_and_component_impact(site: Path) -> None:
    run(site, "--write-components")
    incidents = incidents_of(site)
    down = incidents["2018-04-13-west-region-sign-in-errors"]
    assert (down.severity, down.components) == (
        "major",
        {"api": "major_outage", "media": "major_outage"},  # Media Proxy, shown as "Media"
    )
    disrupted = incidents["2023-06-29-system-unavailable"]
    assert disrupted.severity == "minor"
    assert disrupted.components == {
        "api": "partial_outage",
        "gateway": "partial_outage",
        "voice-servers": "partial_outage",
    }
    notice = incidents["2019-05-10-schema-changes"]  # TOML front matter, cState v3 words
    assert (notice.severity, notice.components) == ("notice", {"api": "degraded_performance"})


def test_tracked_entries_are_updates_and_the_rest_is_the_summary(site: Path) -> None:
    run(site, "--write-components")
    issue = incidents_of(site)["2018-04-13-west-region-sign-in-errors"]
    assert [(u.at.isoformat(), u.status) for u in issue.updates] == [
        ("2018-04-13T15:54:00+00:00", "investigating"),
        ("2018-04-13T16:50:00+00:00", "monitoring"),
        ("2018-04-13T17:30:00+00:00", "resolved"),  # `*Update*` at resolvedWhen
    ]
    assert issue.updates[1].body.values["en"].startswith("Logins are recovering.")
    summary = issue.body.values["en"]
    assert summary.startswith("*Post-mortem*\n\nAt approximately 14:01")
    assert "{{<" not in summary and "---" not in summary
    power = incidents_of(site)["2023-06-29-system-unavailable"]
    assert [u.at.isoformat() for u in power.updates] == [
        "2023-06-29T19:59:10-05:00",  # offsets kept as written
        "2023-06-29T20:07:00-05:00",
        "2023-06-30T03:30:00-05:00",
    ]
    assert (
        "[the provider's status page](https://status.example.net/incidents/123)"
        in (power.updates[1].body.values["en"])
    )
    toml = incidents_of(site)["2019-05-10-schema-changes"]
    assert toml.body.values["en"].startswith("Schema changes in the EU region fail")
    assert [u.status for u in toml.updates] == ["investigating", "monitoring", "resolved"]
    assert toml.updates[-1].body.values["en"] == "This incident has been resolved."


def test_simple_issues_get_an_opening_and_a_closing_update(site: Path) -> None:
    run(site, "--write-components")
    incidents = incidents_of(site)
    upgrade = incidents["2021-02-09-database-upgrade"]
    assert upgrade.kind == "maintenance"
    assert upgrade.components == {"gateway": "under_maintenance"}
    assert upgrade.scheduled_for is not None and upgrade.scheduled_until is not None
    assert (upgrade.scheduled_for.isoformat(), upgrade.scheduled_until.isoformat()) == (
        "2021-02-09T02:00:00+00:00",
        "2021-02-09T03:10:00+00:00",
    )
    assert [u.status for u in upgrade.updates] == ["scheduled", "completed"]
    assert upgrade.body.values["en"].startswith("We are upgrading the database cluster")
    open_issue = incidents["2025-02-26-search-sign-in-failing"]
    assert [u.status for u in open_issue.updates] == ["investigating"]
    assert open_issue.body.values["en"].startswith("Signing in to search fails")
    assert "We believe" not in open_issue.body.values["en"]  # an HTML comment: hidden
    notice = incidents["2024-05-01-new-status-page"]
    assert notice.severity == "notice"
    assert notice.components == {"status-page": "operational"}
    assert notice.updates[0].body.values["en"].startswith("This status page now lives at")
    settings = load_settings(site / "mkdocs.yml")
    state = load_site(settings).state
    assert state.incidents["2025-02-26-search-sign-in-failing"].is_open
    assert state.component_status["website"] == "partial_outage"
    assert state.component_status["status-page"] == "operational"


def test_the_report_says_what_could_not_be_carried(site: Path) -> None:
    output = run(site).output
    assert "components: 2 of 6 mapped to mkdocs.yml; groups: 1 of 1" in output
    assert "component 'Gateway' (Gateway): no component of mkdocs.yml" in output
    assert "left out of 2 file(s)" in output
    assert "affected system 'Voice Servers' is not among config.yml's systems" in output
    assert "skipped draft-notes.md" in output and "no front matter" in output
    assert "time(s) had no UTC offset and were read in UTC" in output
    assert "pinned on cState; statuskit has no pinning" in output
    assert "HTML comments in the text (hidden on cState) were left out" in output
    assert "informational: severity notice" in output
    # Systems of untitled categories have no group; the others join the mapped group.
    snippet = output.split("then import again to link them:\n")[1]
    assert "      - id: gateway\n        name: Gateway\n" in snippet
    assert "        group: backend\n" in snippet
    assert "      - id: website\n        name: Website\n      - id: status-page" in snippet


def test_a_second_import_updates_the_same_files(site: Path) -> None:
    run(site, "--write-components")
    files = {p: p.read_bytes() for p in (site / "incidents").rglob("*.md")}
    again = run(site)
    assert "0 created, 0 updated, 6 unchanged" in again.output
    written = sum(len(i.updates) for i in incidents_of(site).values())
    assert f"updates: 0 written, 0 updated, {written} unchanged" in again.output
    assert {p: p.read_bytes() for p in (site / "incidents").rglob("*.md")} == files


def test_timezone_reads_times_written_without_an_offset(site: Path) -> None:
    run(site, "--write-components", "--timezone", "Asia/Seoul")
    issue = incidents_of(site)["2018-04-13-west-region-sign-in-errors"]
    assert issue.updates[0].at.isoformat() == "2018-04-13T15:54:00+09:00"
    power = incidents_of(site)["2023-06-29-system-unavailable"]
    assert power.updates[0].at.isoformat() == "2023-06-29T19:59:10-05:00"


def test_the_issues_folder_itself_or_a_wrong_folder(tmp_path: Path) -> None:
    source = read_cstate(CSTATE / "content" / "issues")
    assert len(source.incidents) == 6
    assert [g.name for g in source.groups] == ["Backend"]
    with pytest.raises(SourceError, match="no content/issues folder"):
        read_cstate(tmp_path)


def test_resolved_without_resolved_when_and_unknown_words(tmp_path: Path) -> None:
    site = tmp_path / "cstate"
    shutil.copytree(CSTATE, site)
    (site / "content/issues/2022-03-01-odd.md").write_text(
        textwrap.dedent(
            """\
            ---
            title: Odd one
            date: 2022-03-01T10:00:00Z
            resolved: true
            severity: catastrophic
            affected: [api]
            ---

            **Rollback**: The release was rolled back. {{< track "2022-03-01T10:20:00Z" >}}
            """
        ),
        "utf-8",
    )
    source = read_cstate(site)
    odd = next(i for i in source.incidents if i.id == "2022-03-01-odd")
    assert odd.impact == "minor"
    assert [(u.at, u.status) for u in odd.updates] == [
        ("2022-03-01T10:20:00+00:00", "resolved"),
    ]
    assert odd.updates[0].body == "**Rollback**: The release was rolled back."
    assert odd.components == {"API": "partial_outage"}  # cState names, matched ignoring case
    notes = " | ".join(odd.notes)
    assert "severity 'catastrophic' is not cState's; read as disrupted" in notes
    assert "resolved without resolvedWhen" in notes


def test_a_maintenance_still_to_come_is_announced_when_its_file_was_written(
    tmp_path: Path, site: Path
) -> None:
    cstate = tmp_path / "cstate"
    shutil.copytree(CSTATE, cstate)
    upcoming = cstate / "content/issues/2099-01-10-network-upgrade.md"
    upcoming.write_text(
        "---\ntitle: Network upgrade\ndate: 2099-01-10 02:00:00\nresolved: false\n"
        "resolvedWhen: 2099-01-10 04:00:00\nseverity: notice\naffected: [API]\n"
        "section: maintenance\n---\nThe API may be slow for a few minutes.\n",
        "utf-8",
    )
    written = datetime(2025, 2, 20, 12, 0, tzinfo=UTC).timestamp()
    os.utime(upcoming, (written, written))
    result = CliRunner().invoke(
        import_group,
        ["cstate", str(cstate), "-f", str(site / "mkdocs.yml"), "--write-components"],
        catch_exceptions=False,
    )
    assert "0 error(s)" in result.output, result.output
    upgrade = incidents_of(site)["2099-01-10-network-upgrade"]
    assert [(u.at.isoformat(), u.status) for u in upgrade.updates] == [
        ("2025-02-20T12:00:00+00:00", "scheduled")
    ]
    assert upgrade.scheduled_until is not None
    assert upgrade.scheduled_until.isoformat() == "2099-01-10T04:00:00+00:00"
    assert "it is still to come: announced at the file's last change" in result.output


def test_entries_newest_first_keep_the_order_they_were_posted(tmp_path: Path, site: Path) -> None:
    """cState sites often write the newest entry on top; the same minute keeps its order too."""
    cstate = tmp_path / "cstate"
    shutil.copytree(CSTATE, cstate)
    (cstate / "content/issues/2024-01-01-burst.md").write_text(
        textwrap.dedent(
            """\
            ---
            title: Burst of updates
            date: 2024-01-01T09:00:00Z
            resolved: true
            resolvedWhen: 2024-01-01T10:30:00Z
            severity: disrupted
            affected: [API]
            ---

            *Resolved* - Fourth: all good. {{< track "2024-01-01T10:30:00Z" >}}

            *Monitoring* - Third, same minute as the second. {{< track "2024-01-01T10:00:00Z" >}}

            *Identified* - Second. See https://status.example.org/issues/2019-05-10-schema-changes/
            and https://status.example.org/issues/not-imported/.
            {{< track "2024-01-01T10:00:00Z" >}}

            *Investigating* - First. {{< track "2024-01-01T09:00:00Z" >}}
            """
        ),
        "utf-8",
    )
    source = read_cstate(cstate)
    burst = next(i for i in source.incidents if i.id == "2024-01-01-burst")
    assert [u.body.split(".")[0] for u in burst.updates] == [
        "First",
        "Second",
        "Third, same minute as the second",
        "Fourth: all good",
    ]
    assert [u.status for u in burst.updates] == [
        "investigating",
        "identified",
        "monitoring",
        "resolved",
    ]
    result = CliRunner().invoke(
        import_group,
        ["cstate", str(cstate), "-f", str(site / "mkdocs.yml"), "--write-components"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    second = incidents_of(site)["2024-01-01-burst"].updates[1].body.get("en", "en").text
    # A link to an imported issue leads to its new page; one to anything else is left alone.
    assert "https://status.example.org/incidents/2019-05-10-schema-changes/" in second
    assert "https://status.example.org/issues/not-imported/" in second
