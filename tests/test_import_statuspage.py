"""`statuskit import statuspage`: Statuspage-shaped API v2 files and feeds in, statuskit's API out.

The files under tests/fixtures are the project's own, of two fictional pages shaped as Statuspage
serves them: Tidewater (a code host in UTC, no groups, an open incident whose component status was
set by hand) and Brightpath (a school platform in America/Denver, component groups, maintenance).
Where ../shared holds real exports of Statuspage pages, the round trip runs on them too.
"""

from __future__ import annotations

import functools
import json
import shutil
import textwrap
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator, FormatChecker

from conftest import ROOT, shared_folder
from statuskit.cli.importing import import_group
from statuskit.cli.main import load_settings
from statuskit.core.loader import load_incidents
from statuskit.core.model import Incident
from statuskit.core.site import load_site
from statuskit.core.status import IMPACT_RANK
from statuskit.importers.records import SourceError
from statuskit.importers.statuspage import read_api, read_statuspage
from statuskit.importers.statuspage_feed import to_markdown
from statuskit.outputs.api import PageInfo, render_api

API = ROOT / "tests" / "fixtures" / "statuspage-api"
FEEDS = ROOT / "tests" / "fixtures" / "statuspage-feeds"
SCHEMA = ROOT / "tests" / "schemas" / "statuspage-v2.schema.json"
ZONES = {"tidewater": "UTC", "brightpath": "America/Denver"}
# The real exports in ../shared/fixtures/statuspage (see its README) and their pages' zones.
REAL = {"github": "UTC", "instructure": "America/Denver"}
CLOSING = ("resolved", "completed")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def api_folder(tmp_path: Path, name: str, real: bool = False) -> Path:
    """A page's saved api/v2 files: its summary.json, incidents and maintenances.

    The files agree with each other as Statuspage serves them: incidents.json also lists the
    summary's unresolved incidents, and summary.json lists the maintenances still to come. A
    real export of ../shared is a summary.json alone: its open incidents and components.
    """
    if real:
        summary = read_json(shared_folder("statuspage") / f"{name}-summary.json")
        incidents = {"page": summary["page"], "incidents": []}
        maintenances = {"page": summary["page"], "scheduled_maintenances": []}
    else:
        summary = read_json(API / name / "summary.json")
        incidents = read_json(API / name / "incidents.json")
        maintenances = read_json(API / name / "scheduled-maintenances.json")
    incidents["incidents"] = summary["incidents"] + incidents["incidents"]
    summary["scheduled_maintenances"] = [
        m
        for m in maintenances["scheduled_maintenances"]
        if m["status"] in ("scheduled", "in_progress", "verifying")
    ]
    folder = tmp_path / f"{name}-api"
    folder.mkdir()
    files = {
        "summary.json": summary,
        "components.json": {"page": summary["page"], "components": summary["components"]},
        "incidents.json": incidents,
        "scheduled-maintenances.json": maintenances,
    }
    for file_name, value in files.items():
        (folder / file_name).write_text(json.dumps(value, ensure_ascii=False), "utf-8")
    return folder


def project(tmp_path: Path, options: str = "", name: str = "site") -> Path:
    """A statuskit site folder with the given statuskit plugin options (YAML, indented 6)."""
    root = tmp_path / name
    (root / "docs").mkdir(parents=True)
    config = textwrap.dedent(
        """\
        # The status site of the tests.
        site_name: Example Status
        site_url: https://status.example.com/
        theme:
          name: material
          font: false
        plugins:
          - statuskit:
        """
    )
    (root / "mkdocs.yml").write_text(config + textwrap.indent(options, " " * 6), "utf-8")
    return root


def run(site: Path, *args: str) -> Result:
    """The import command as a user runs it in the site's folder."""
    result = CliRunner().invoke(
        import_group, [*args, "-f", str(site / "mkdocs.yml")], catch_exceptions=False
    )
    return result


def incidents_of(site: Path) -> dict[str, Incident]:
    """The imported incidents as statuskit's own loader reads them, by id."""
    settings = load_settings(site / "mkdocs.yml")
    result = load_incidents(settings.incidents_dir, settings.locale)
    assert result.problems == []
    return {i.id: i for i in result.incidents}


def front(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8").split("---\n")[1])
    return data


def rendered(site: Path) -> dict[str, Any]:
    """statuskit's own Statuspage API of the site, by file name."""
    settings = load_settings(site / "mkdocs.yml")
    page = PageInfo("page", "Example", "https://status.example.com/", settings.timezone.key)
    files = render_api(load_site(settings), settings.locale, "https://status.example.com/", page)
    return {path.removeprefix("api/v2/"): json.loads(data) for path, data in files.items()}


# The round trip: Statuspage's API in, statuskit's API out, field by field ------------------


def expected_affected(updates: list[dict[str, Any]]) -> list[set[tuple[str, str, str]]]:
    """Per update, oldest first, the impact changes Statuspage's data describes.

    Statuspage repeats unchanged components (old_status == new_status, or the same new status
    as the update before); statuskit lists changes only, and a closing update returns every
    impacted component to operational, as Statuspage's own closing updates do.
    """
    state: dict[str, str] = {}
    result = []
    for update in updates:
        before = dict(state)
        for item in update["affected_components"] or []:
            state[item["code"]] = item["new_status"]
        if update["status"] in CLOSING:
            state = dict.fromkeys(state, "operational")
        result.append(
            {
                (code, before.get(code, "operational"), new)
                for code, new in state.items()
                if before.get(code, "operational") != new
            }
        )
    return result


def oldest_first(updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(updates, key=lambda u: (u["display_at"], u["created_at"]))


def compare_incident(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """Every field statuskit carries equals the input; docs/migrating.md lists the others."""
    maintenance = "scheduled_for" in theirs
    assert ours["name"] == theirs["name"]
    status = "resolved" if theirs["status"] == "postmortem" else theirs["status"]
    assert ours["status"] == status
    assert ours["impact"] == theirs["impact"]
    assert ours["resolved_at"] == theirs["resolved_at"]
    updates = oldest_first(theirs["incident_updates"])
    monitoring = next((u["display_at"] for u in updates if u["status"] == "monitoring"), None)
    assert ours["monitoring_at"] == monitoring
    assert ours["created_at"] == updates[0]["display_at"]
    if maintenance:
        assert ours["scheduled_for"] == theirs["scheduled_for"]
        assert ours["scheduled_until"] == theirs["scheduled_until"]
        begun = [u["display_at"] for u in updates if u["status"] == "in_progress"]
        assert ours["started_at"] == (begun[0] if begun else theirs["scheduled_for"])
    else:
        assert ours["started_at"] == theirs["started_at"]
    assert {c["id"] for c in ours["components"]} == {c["id"] for c in theirs["components"]}
    mine = list(reversed(ours["incident_updates"]))
    assert len(mine) == len(updates)
    for update, original, changes in zip(mine, updates, expected_affected(updates), strict=True):
        assert update["status"] == original["status"]
        assert update["body"] == original["body"].strip()
        assert update["display_at"] == original["display_at"]
        assert update["created_at"] == update["updated_at"] == original["display_at"]
        affected = {
            (a["code"], a["old_status"], a["new_status"])
            for a in update["affected_components"] or []
        }
        assert affected == changes, original["id"]


@pytest.mark.parametrize(
    ("name", "real"), [*((name, False) for name in ZONES), *((name, True) for name in REAL)]
)
def test_round_trip_through_statuskits_own_api(
    tmp_path: Path, name: str, real: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = api_folder(tmp_path, name, real)
    summary = read_json(source / "summary.json")
    page = summary["page"]
    zone = (REAL if real else ZONES)[name]
    site = project(
        tmp_path, f"timezone: {zone}\nnow: {page['updated_at']}\npage_id: {page['id']}\n"
    )
    monkeypatch.chdir(site)
    result = run(site, "statuspage", str(source), "--write-components", "--component-ids", "source")
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output
    out = rendered(site)

    theirs = {
        i["id"]: i
        for i in read_json(source / "incidents.json")["incidents"]
        + read_json(source / "scheduled-maintenances.json")["scheduled_maintenances"]
    }
    ours = {
        i["id"]: i
        for i in out["incidents.json"]["incidents"]
        + out["scheduled-maintenances.json"]["scheduled_maintenances"]
    }
    assert set(ours) == set(theirs)
    for incident_id, original in theirs.items():
        compare_incident(ours[incident_id], original)

    # summary.json: the components, groups and their order; what is open and coming.
    mine = {c["id"]: c for c in out["summary.json"]["components"]}
    assert set(mine) == {c["id"] for c in summary["components"]}
    hand_set = set()
    for component in summary["components"]:
        copy = mine[component["id"]]
        for field in ("name", "description", "position", "group", "group_id", "showcase"):
            assert copy[field] == component[field], (component["name"], field)
        assert copy["start_date"] == component["start_date"]
        assert copy["only_show_if_degraded"] == component["only_show_if_degraded"]
        assert sorted(copy.get("components", [])) == sorted(component.get("components", []))
        if copy["status"] != component["status"]:
            hand_set.add(component["name"])
    # A status set by hand on Statuspage, without an update, is reported, never silently lost.
    for component_name in hand_set:
        assert f"component {component_name!r} is " in result.output
    assert {i["id"] for i in out["summary.json"]["incidents"]} == {
        i["id"] for i in summary["incidents"]
    }
    assert {m["id"] for m in out["summary.json"]["scheduled_maintenances"]} == {
        m["id"] for m in summary["scheduled_maintenances"]
    }
    open_impacts = [i["impact"] for i in summary["incidents"]]
    expected = max(open_impacts, key=IMPACT_RANK.__getitem__, default="none")
    assert out["summary.json"]["status"]["indicator"] == expected


def test_round_trip_reports_the_one_hand_set_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = api_folder(tmp_path, "tidewater")
    site = project(tmp_path, "timezone: UTC\nnow: 2022-11-25T15:50:05.892Z\n")
    monkeypatch.chdir(site)
    result = run(site, "statuspage", str(source), "--write-components", "--component-ids", "source")
    # Registry was set to partial_outage by hand; the last update said major_outage.
    assert "component 'Registry' is partial_outage on Statuspage" in result.output
    status = {c["name"]: c["status"] for c in rendered(site)["summary.json"]["components"]}
    assert status["Registry"] == "major_outage"
    assert status["Static Sites"] == "operational"


def test_our_saved_api_files_are_statuspage_shaped() -> None:
    schema = read_json(SCHEMA)
    for name in ZONES:
        for file_name, definition in (
            ("summary.json", "summary"),
            ("incidents.json", "incidents_endpoint"),
            ("scheduled-maintenances.json", "scheduled_maintenances_endpoint"),
        ):
            validator = Draft202012Validator(
                {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]},
                format_checker=FormatChecker(),
            )
            data = read_json(API / name / file_name)
            assert [e.message for e in validator.iter_errors(data)] == [], (name, file_name)


# The files written ---------------------------------------------------------------------------


def test_files_keep_ids_times_statuses_and_impacts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = api_folder(tmp_path, "brightpath")
    site = project(tmp_path, "timezone: America/Denver\nnow: 2021-12-07T11:07:15.773-07:00\n")
    monkeypatch.chdir(site)
    result = run(site, "statuspage", str(source), "--write-components")
    assert result.exit_code == 0, result.output
    incidents = incidents_of(site)
    assert set(incidents) == {"jtv9q84t72tz", "4syek9r735pf", "saxcz1de1qey", "65ej78gg86kw"}
    chat = incidents["4syek9r735pf"]
    assert chat.path == site / "incidents/2021/2021-07-14-classroom-chat-does-not-open.md"
    assert chat.severity == "minor"
    assert chat.started_at is not None
    assert chat.started_at.isoformat(timespec="milliseconds") == "2021-07-14T07:55:00.000-06:00"
    assert [u.status for u in chat.updates] == ["investigating", "identified", "resolved"]
    assert chat.components == {"chat": "partial_outage"}
    assert chat.updates[-1].components == {"chat": "operational"}
    # Impact none is the site's `notice` severity; maintenance keeps its window.
    assert incidents["saxcz1de1qey"].severity == "notice"
    maintenance = incidents["65ej78gg86kw"]
    assert maintenance.kind == "maintenance"
    assert maintenance.components == {"file-preview": "under_maintenance"}
    assert maintenance.scheduled_for is not None
    assert maintenance.scheduled_for.isoformat() == "2021-09-18T22:00:00-06:00"
    # The unresolved incident stays open, its eight components degraded by the last update.
    aws = incidents["jtv9q84t72tz"]
    assert aws.updates[-1].status == "identified"
    assert len(aws.updates) == 11
    settings = load_settings(site / "mkdocs.yml")
    state = load_site(settings).state
    assert state.incidents["jtv9q84t72tz"].is_open
    assert sorted(state.component_status.values()).count("degraded_performance") == 8


def test_written_yaml_is_for_people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = api_folder(tmp_path, "tidewater")
    site = project(tmp_path, "timezone: UTC\n")
    monkeypatch.chdir(site)
    run(site, "statuspage", str(source), "--write-components")
    text = (site / "incidents/2022/2022-11-21-pipelines-start-late.md").read_text("utf-8")
    assert text.startswith("---\nid: ncctrzwvf5ym\ntitle: Pipelines start late\nkind: incident\n")
    assert "started_at: 2022-11-21T16:02:11.396Z\n" in text  # times unquoted, as given
    assert "updates:\n  - at: 2022-11-21T16:02:11.440Z\n    status: investigating\n" in text
    assert "    body: |-\n      The fix is deployed" in text  # several lines: a block
    assert "\n\n      Jobs queued during the incident will run" in text
    assert '<a href="https://tidewater.example/changes/">scheduler setting</a>' in text
    assert "    components:\n      pipelines: degraded_performance\n" not in text
    assert "components:\n  pipelines: degraded_performance\n" in text


def test_a_second_import_changes_nothing_and_keeps_what_authors_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = api_folder(tmp_path, "tidewater")
    site = project(tmp_path, "timezone: UTC\nnow: 2022-11-25T15:50:05.892Z\n")
    monkeypatch.chdir(site)
    first = run(site, "statuspage", str(source), "--write-components")
    assert "6 created, 0 updated, 0 unchanged" in first.output
    files = sorted((site / "incidents").rglob("*.md"))
    texts = {p: p.read_bytes() for p in files}
    again = run(site, "statuspage", str(source))
    assert "0 created, 0 updated, 6 unchanged" in again.output
    assert {p: p.read_bytes() for p in sorted((site / "incidents").rglob("*.md"))} == texts

    # An author adds a summary, a responsible person and an update after moving over.
    path = site / "incidents/2022/2022-11-25-registry-and-static-sites-degraded.md"
    text = path.read_text("utf-8").replace(
        "severity: major\n", "severity: major\nresponsible: {name: Mona, role: SRE lead}\n"
    )
    text = text.replace(
        "\n---\n",
        "\n  - at: 2022-11-25T15:55:00Z\n    status: monitoring\n"
        "    body: A fix is out.\n---\nRegistry was slow for an hour.\n",
        1,
    )
    path.write_text(text, "utf-8")
    run(site, "statuspage", str(source))
    kept = incidents_of(site)["neee3aap0907"]
    assert kept.responsible is not None
    assert [u.status for u in kept.updates][-2:] == ["investigating", "monitoring"]
    assert kept.body.values["en"].strip() == "Registry was slow for an hour."
    assert sorted((site / "incidents").rglob("*.md")) == files


def test_unmapped_components_are_reported_left_out_and_offered_as_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = api_folder(tmp_path, "brightpath")
    site = project(
        tmp_path,
        textwrap.dedent(
            """\
            timezone: America/Denver
            now: 2021-12-07T11:07:15-07:00   # the export's time: the open incident is recent
            groups:
              - {id: classroom, name: Classroom}
            components:
              - {id: classroom-app, name: Classroom, group: classroom}
              - {id: chat, name: — Chat, group: classroom}
            """
        ),
    )
    monkeypatch.chdir(site)
    before = (site / "mkdocs.yml").read_text("utf-8")
    result = run(site, "statuspage", str(source))
    assert result.exit_code == 0, result.output
    assert (site / "mkdocs.yml").read_text("utf-8") == before
    output = result.output
    assert "components: 2 of 21 mapped to mkdocs.yml; groups: 1 of 3" in output
    assert "component 'Website' (51mcv3g13eyy): no component of mkdocs.yml" in output
    assert "left out of 2 file(s)" in output
    assert "group 'Showcase' (tkgfcfk5f072)" in output
    # The snippet declares the rest, in the page's order, inside the mapped or new groups.
    snippet = output.split("then import again to link them:\n")[1].split("\nValidation")[0]
    declared = yaml.safe_load(textwrap.dedent(snippet))
    assert [g["name"] for g in declared["groups"]] == ["Showcase", "Markbook"]
    names = [c["name"] for c in declared["components"]]
    assert names[:2] == ["— Course catalogue", "— Group work"]
    website = {"id": "website", "name": "Website", "description": "showcase.brightpath.example"}
    assert website | {"group": "showcase", "showcase": False} in declared["components"]
    # Mapped components are linked; files are valid without the others.
    chat = incidents_of(site)["4syek9r735pf"]
    assert chat.components == {"chat": "partial_outage"}
    slow = site / "incidents/2021/2021-11-30-showcase-website-loads-slowly.md"
    assert "components" not in front(slow)


def test_write_components_appends_to_mkdocs_yml_and_changes_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = api_folder(tmp_path, "brightpath")
    site = project(
        tmp_path,
        textwrap.dedent(
            """\
            timezone: America/Denver   # the page's zone
            now: 2021-12-07T11:07:15-07:00
            groups:
              - id: classroom
                name: Classroom
                description: The learning platform.
            components:
              # Classroom itself
              - id: classroom-app
                name: Classroom
                group: classroom
            page_size: 20
            """
        ),
    )
    monkeypatch.chdir(site)
    before = (site / "mkdocs.yml").read_text("utf-8").splitlines()
    result = run(site, "statuspage", str(source), "--write-components")
    assert result.exit_code == 0, result.output
    assert "Added 2 group(s) and 20 component(s) to mkdocs.yml." in result.output
    after = (site / "mkdocs.yml").read_text("utf-8").splitlines()
    # Every line is still there, in order; the new ones sit inside the two lists.
    remaining = iter(after)
    assert all(any(line == other for other in remaining) for line in before)
    added = [line for line in after if line not in before]
    assert all(line.startswith("        ") for line in added)
    assert after.index("      page_size: 20") == len(after) - 1
    settings = load_settings(site / "mkdocs.yml")
    assert [g.id for g in settings.groups] == ["classroom", "showcase", "markbook"]
    assert len(settings.components) == 21
    chat = next(c for c in settings.components if c.id == "chat")
    assert chat.group == "classroom"
    assert "components: 21 of 21 mapped" in result.output


def test_write_components_leaves_a_flow_style_list_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = api_folder(tmp_path, "tidewater")
    site = project(
        tmp_path, "timezone: UTC\ncomponents: [{id: repositories, name: Repositories}]\n"
    )
    monkeypatch.chdir(site)
    before = (site / "mkdocs.yml").read_bytes()
    result = run(site, "statuspage", str(source), "--write-components")
    assert "mkdocs.yml was not changed: `components:`" in result.output
    assert "is not a block list" in result.output
    assert (site / "mkdocs.yml").read_bytes() == before
    assert "    components:\n      - id: api\n" in result.output


def test_custom_severity_scale_takes_the_nearest_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = api_folder(tmp_path, "brightpath")
    site = project(
        tmp_path,
        textwrap.dedent(
            """\
            timezone: America/Denver
            severities:
              - {id: sev1, name: SEV1, color: red, impact: critical}
              - {id: sev2, name: SEV2, color: orange, impact: major}
              - {id: sev3, name: SEV3, color: blue, impact: minor}
            """
        ),
    )
    monkeypatch.chdir(site)
    result = run(site, "statuspage", str(source), "--write-components")
    incidents = incidents_of(site)
    assert incidents["4syek9r735pf"].severity == "sev3"
    assert incidents["saxcz1de1qey"].severity == "sev3"
    assert "no severity of the site has the impact 'none'; set to 'sev3'" in result.output


# Reading Statuspage's data -------------------------------------------------------------------


def test_a_page_url_fetches_the_four_files() -> None:
    served = {
        f"https://status.brightpath.example/api/v2/{name}": (API / "brightpath" / name).read_bytes()
        for name in ("summary.json", "incidents.json", "scheduled-maintenances.json")
    }
    asked: list[str] = []

    def fetch(url: str) -> bytes | None:
        asked.append(url)
        return served.get(url)  # components.json: 404, the summary has the components

    source = read_statuspage("https://status.brightpath.example/api/v2/", fetch)
    assert len(asked) == 4
    assert {i.id for i in source.incidents} == {
        "jtv9q84t72tz",
        "4syek9r735pf",
        "saxcz1de1qey",
        "65ej78gg86kw",
    }
    assert len(source.components) == 21 and len(source.groups) == 3
    assert source.page_id == "nbtzs15wwhwg"
    with pytest.raises(SourceError, match="no api/v2 files"):
        read_statuspage("https://status.example.com", lambda url: None)


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves saved files to the importer without logging each request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_page_url_over_http(tmp_path: Path) -> None:
    """The real fetcher against a local server: files found, a missing one is a 404, not fatal."""
    served = tmp_path / "www" / "api" / "v2"
    served.mkdir(parents=True)
    for name in ("incidents.json", "scheduled-maintenances.json"):
        shutil.copy(API / "tidewater" / name, served / name)
    handler = functools.partial(QuietHandler, directory=str(tmp_path / "www"))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            base = f"http://127.0.0.1:{server.server_address[1]}"
            source = read_statuspage(base)
            with pytest.raises(SourceError, match="no api/v2 files"):
                read_statuspage(f"{base}/elsewhere")
        finally:
            server.shutdown()
    assert len(source.incidents) == 5
    assert "components are known only by the incidents" in source.notes[0]


def test_dry_run_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = project(tmp_path, "timezone: UTC\n")
    monkeypatch.chdir(site)
    before = (site / "mkdocs.yml").read_bytes()
    result = run(
        site,
        "statuspage",
        str(api_folder(tmp_path, "tidewater")),
        "--dry-run",
        "--write-components",
    )
    assert "would be 6 created" in result.output
    assert "Dry run: nothing was written." in result.output
    assert not (site / "incidents").exists()
    assert (site / "mkdocs.yml").read_bytes() == before


def test_one_saved_file_or_a_bad_path_is_understood(tmp_path: Path) -> None:
    summary = read_json(API / "tidewater" / "summary.json")
    saved = tmp_path / "components.json"
    saved.write_text(json.dumps({"page": summary["page"], "components": summary["components"]}))
    components = read_statuspage(str(saved))
    assert [c.name for c in components.components][6] == "Pipelines"
    assert components.incidents == []
    with pytest.raises(SourceError, match="no such file or folder"):
        read_statuspage(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match=r"none of summary\.json"):
        read_statuspage(str(tmp_path / "empty"))


def test_a_real_components_file_is_understood() -> None:
    saved = shared_folder("statuspage") / "github-components-with-problem.json"
    components = read_statuspage(str(saved))
    listed = read_json(saved)["components"]
    assert [c.name for c in components.components] == [c["name"] for c in listed if not c["group"]]
    assert components.incidents == []


def test_odd_statuspage_data_is_carried_and_explained() -> None:
    page = {"id": "p1", "name": "P", "url": "https://p", "time_zone": "UTC"}
    update = {
        "id": "u1",
        "status": "investigating",
        "body": "Slow.\r\nVery slow.",
        "created_at": "2024-01-01T10:05:00.000Z",
        "display_at": "2024-01-01T10:05:00.000Z",
        "affected_components": [
            {"code": "gone", "name": "Old API", "old_status": "operational", "new_status": "x"}
        ],
        "deliver_notifications": False,
    }
    incident = {
        "id": "abc123",
        "name": "Slow API",
        "status": "postmortem",
        "impact": "minor",
        "created_at": "2024-01-01T10:04:00.000Z",
        "started_at": "2024-01-01T10:30:00.000Z",
        "resolved_at": "2024-01-01T11:00:00.000Z",
        "postmortem_body": "We added capacity.",
        # Newest first, as Statuspage lists them: u2 came after u1 in the same millisecond.
        "incident_updates": [{**update, "id": "u2", "status": "weird", "body": "x"}, update],
        "components": [],
    }
    source = read_api({"incidents.json": {"page": page, "incidents": [incident]}}, "test")
    [read] = source.incidents
    assert read.started_at == "2024-01-01T10:05:00.000Z"  # not after its first update
    assert read.body == "We added capacity."
    assert [u.status for u in read.updates] == ["investigating", "investigating", "resolved"]
    assert read.updates[0].body == "Slow.\nVery slow."
    assert read.updates[-1].at == "2024-01-01T11:00:00.000Z"
    notes = " | ".join(read.notes)
    for expected in (
        "keeps the status before it",
        "started_at 2024-01-01T10:30:00.000Z is after the first update",
        "without notifying subscribers",
        "its postmortem is the summary",
        "it was postmortem without a 'resolved' update",
        "component 'Old API' (gone) is no longer listed",
        "component status 'x' of gone is unknown",
    ):
        assert expected in notes
    assert "no components.json or summary.json" in source.notes[0]


# History feeds ------------------------------------------------------------------------------


def test_atom_feed_statuses_html_years_and_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = project(
        tmp_path,
        "timezone: UTC\nnow: 2022-11-25T16:00:00Z\n"
        "components:\n  - {id: sites, name: Static Sites}\n",
    )
    monkeypatch.chdir(site)
    result = run(site, "statuspage", str(FEEDS / "tidewater-history.atom"))
    assert result.exit_code == 0, result.output
    assert "4 incident(s) and 2 maintenance(s)" in result.output
    incidents = incidents_of(site)
    actions = incidents["ncctrzwvf5ym"]
    assert [u.status for u in actions.updates] == [
        "investigating",
        "identified",
        "monitoring",
        "resolved",
    ]
    assert actions.severity == "minor"  # --feed-impact's default: a feed has no impact
    assert actions.updates[0].at.isoformat() == "2022-11-21T16:02:00+00:00"
    bodies = [u.body.values["en"] for u in actions.updates]
    assert bodies[0] == "Pipeline jobs wait longer than usual to start in **Pipelines**."
    assert "[scheduler setting](https://tidewater.example/changes/)" in bodies[1]
    assert bodies[2].endswith(
        "watching the queue drain.\n\nJobs queued during the "
        "incident will run; there is no need to restart them."
    )
    # `Update` keeps the status; affected components are linked (impact unknown).
    packages = incidents["neee3aap0907"]
    assert [u.status for u in packages.updates] == ["investigating"] * 3
    assert packages.components == {"sites": "operational"}
    assert "component 'Registry' (Registry): no component of mkdocs.yml" in result.output
    # The postmortem is the summary, its list converted too.
    postmortem = incidents["4vsn077fh8mj"].body.values["en"]
    assert postmortem.startswith("On November 15 a storage cluster")
    assert "\n\n- Firmware updates now roll out one storage node at a time.\n- " in postmortem
    # A feed leaves out years: the entry's own timestamps decide (Dec 31 -> Jan 1).
    new_year = [u.at.isoformat() for u in incidents["a2jmc95j5gw0"].updates]
    assert new_year == ["2021-12-31T23:50:00+00:00", "2022-01-01T00:41:00+00:00"]
    pages = incidents["02a74hpbsc0w"]
    assert pages.kind == "maintenance"
    assert [u.status for u in pages.updates] == ["scheduled", "in_progress", "completed"]
    assert pages.scheduled_for is not None and pages.scheduled_until is not None
    assert (pages.scheduled_for.isoformat(), pages.scheduled_until.isoformat()) == (
        "2022-11-19T01:00:00+00:00",
        "2022-11-19T03:00:00+00:00",
    )
    assert "a history feed has no impact" in result.output


@pytest.mark.parametrize("zone", [None, "America/Denver"])
def test_rss_feed_times_keep_the_pages_offsets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str | None
) -> None:
    site = project(tmp_path, "timezone: America/Denver\n")
    monkeypatch.chdir(site)
    args = ["statuspage", str(FEEDS / "brightpath-history.rss"), "--write-components"]
    result = run(site, *args, *(["--timezone", zone] if zone else []))
    assert result.exit_code == 0, result.output
    incidents = incidents_of(site)
    chat = incidents["4syek9r735pf"]
    assert [u.at.isoformat() for u in chat.updates] == [
        "2021-07-14T08:12:00-06:00",
        "2021-07-14T09:01:00-06:00",
        "2021-07-14T10:40:00-06:00",
    ]
    assert chat.components == {"chat": "operational"}
    slow = incidents["saxcz1de1qey"]
    assert slow.updates[0].at.isoformat() == "2021-11-30T13:20:00-07:00"  # MST in winter
    assert (
        "[showcase.brightpath.example](https://showcase.brightpath.example) take *much* longer"
        in (slow.updates[0].body.values["en"])
    )
    window = incidents["65ej78gg86kw"]
    assert window.scheduled_for is not None and window.scheduled_until is not None
    assert window.scheduled_for.isoformat() == "2021-09-18T22:00:00-06:00"
    assert window.scheduled_until.isoformat() == "2021-09-19T02:00:00-06:00"
    inferred = "the offset UTC-06:00 was inferred" in result.output
    assert inferred == (zone is None)


def test_a_feed_then_the_api_update_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = project(tmp_path, "timezone: UTC\nnow: 2022-11-25T15:50:05.892Z\n")
    monkeypatch.chdir(site)
    run(site, "statuspage", str(FEEDS / "tidewater-history.atom"), "--write-components")
    feed_files = sorted((site / "incidents").rglob("*.md"))
    result = run(site, "statuspage", str(api_folder(tmp_path, "tidewater")), "--write-components")
    # Workspaces is not in the feed; the feed's New Year incident is not in the API files.
    assert "1 created, 5 updated, 0 unchanged" in result.output
    workspaces = site / "incidents/2022/2022-11-08-workspaces-do-not-start.md"
    assert sorted((site / "incidents").rglob("*.md")) == sorted([*feed_files, workspaces])
    actions = incidents_of(site)["ncctrzwvf5ym"]
    assert actions.updates[0].at.isoformat(timespec="milliseconds") == (
        "2022-11-21T16:02:11.440+00:00"
    )


def test_html_to_markdown_uses_a_real_converter() -> None:
    html = "<p>First<br>second &amp; <em>third</em></p><ol><li>one</li><li>two</li></ol>"
    assert to_markdown(html) == "First\n\nsecond & *third*\n\n1. one\n2. two"
