"""The statuskit command line against real projects in temporary folders."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, SiteProject
from statuskit.cli.main import main
from statuskit.cli.publish import default_workers
from statuskit.core.loader import load_incidents


@pytest.fixture
def runner(project: SiteProject, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(project.root)
    return CliRunner()


def test_validate_passes_on_good_files(project: SiteProject, runner: CliRunner) -> None:
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "1 incident file(s) read: 0 error(s)" in result.output


def test_validate_reports_every_error_with_path_and_line(
    project: SiteProject, runner: CliRunner
) -> None:
    project.write("a.md", OPEN_INCIDENT.replace("severity: minor", "severity: minr"))
    project.write("b.md", OPEN_INCIDENT.replace("status: investigating", "status: fixed"))
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 1
    assert "incidents/a.md:4: unknown severity 'minr'; did you mean 'minor'?" in result.output
    assert "incidents/b.md:10:" in result.output and "'fixed'" in result.output


def test_validate_github_format_and_path_filter(project: SiteProject, runner: CliRunner) -> None:
    project.write("a.md", OPEN_INCIDENT.replace("severity: minor", "severity: minr"))
    project.write("b.md", OPEN_INCIDENT.replace("status: investigating", "status: fixed"))
    result = runner.invoke(main, ["validate", "--format", "github", "incidents/a.md"])
    assert result.exit_code == 1
    assert "::error file=incidents/a.md,line=4::unknown severity 'minr'" in result.output
    assert "b.md" not in result.output.replace("incident file(s)", "")


def test_validate_strict_fails_on_policy_warning(project: SiteProject, runner: CliRunner) -> None:
    project.write(
        "a.md",
        RESOLVED_INCIDENT.replace("responsible:", "unused:")
        .replace("  name: Kim Minji\n  role: {en: CTO, ko: 최고기술책임자}\n", "")
        .replace("unused:\n", ""),
    )
    relaxed = runner.invoke(main, ["validate"])
    assert relaxed.exit_code == 0, relaxed.output
    assert "needs a named responsible person" in relaxed.output
    strict = runner.invoke(main, ["validate", "--strict"])
    assert strict.exit_code == 1


def test_new_scaffolds_a_valid_incident(project: SiteProject, runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "new",
            "Card payments failing",
            "-c",
            "payments=major_outage",
            "--at",
            "2026-03-15T11:30:00+09:00",
            "--severity",
            "minor",
        ],
    )
    assert result.exit_code == 0, result.output
    path = project.root / result.output.strip()
    assert path == project.incidents / "2026" / "2026-03-15-card-payments-failing.md"
    loaded = load_incidents(project.incidents, "en")
    assert loaded.problems == []
    (incident,) = loaded.incidents
    assert incident.components == {"payments": "major_outage"}
    assert incident.updates[0].provisional
    assert incident.updates[0].at.isoformat() == "2026-03-15T11:30:00+09:00"
    check = runner.invoke(main, ["validate", "--strict"])
    assert check.exit_code == 0, check.output


def test_new_uses_site_time_zone_for_now(project: SiteProject, runner: CliRunner) -> None:
    result = runner.invoke(main, ["new", "Slow API", "--severity", "minor"])
    assert result.exit_code == 0, result.output
    text = (project.root / result.output.strip()).read_text()
    # The fixture fixes `now` at 2026-03-15T12:00:00+09:00 in Asia/Seoul.
    assert "at: 2026-03-15T12:00:00+09:00" in text


def test_new_maintenance(project: SiteProject, runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "new",
            "Database upgrade",
            "--kind",
            "maintenance",
            "-c",
            "api",
            "--start",
            "2026-03-20T02:00:00+09:00",
            "--end",
            "2026-03-20T04:00:00+09:00",
        ],
    )
    assert result.exit_code == 0, result.output
    (incident,) = load_incidents(project.incidents, "en").incidents
    assert incident.kind == "maintenance"
    assert incident.components == {"api": "under_maintenance"}
    assert incident.updates[0].status == "scheduled"


def test_update_appends_lines_and_changes_nothing_else(
    project: SiteProject, runner: CliRunner
) -> None:
    original = (
        OPEN_INCIDENT.replace("updates:", "# keep this comment\nupdates:  # and this one")
        + "Summary text\n"
    )
    path = project.write("2026/open.md", original)
    before = path.read_text()
    result = runner.invoke(
        main,
        [
            "update",
            "open",
            "-s",
            "identified",
            "-m",
            "Cause: a full disk. We're adding space.",
            "-c",
            "api=partial_outage",
            "--at",
            "2026-03-15T11:40:00+09:00",
        ],
    )
    assert result.exit_code == 0, result.output
    after = path.read_text()
    diff = [
        line
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line.startswith(("+", "-"))
    ]
    assert all(line.startswith("+ ") for line in diff), diff
    assert len(diff) == 4
    (incident,) = load_incidents(project.incidents, "en").incidents
    last = incident.updates[-1]
    assert last.status == "identified"
    assert last.body.values["en"] == "Cause: a full disk. We're adding space."
    assert last.components == {"api": "partial_outage"}


def test_update_multiline_message(project: SiteProject, runner: CliRunner) -> None:
    path = project.write("open.md", OPEN_INCIDENT)
    message = "First line.\n\n- a list item\n- another: with colon"
    result = runner.invoke(
        main,
        ["update", "open", "-s", "monitoring", "-m", message, "--at", "2026-03-15T11:45:00+09:00"],
    )
    assert result.exit_code == 0, result.output
    (incident,) = load_incidents(path.parent, "en").incidents
    assert incident.updates[-1].body.values["en"] == message


def test_update_rejects_wrong_status_and_old_time(project: SiteProject, runner: CliRunner) -> None:
    path = project.write("open.md", OPEN_INCIDENT)
    before = path.read_text()
    wrong = runner.invoke(main, ["update", "open", "-s", "completed", "-m", "x"])
    assert wrong.exit_code != 0 and "not used for a incident" in wrong.output
    old = runner.invoke(
        main, ["update", "open", "-s", "identified", "-m", "x", "--at", "2026-03-15T10:00:00+09:00"]
    )
    assert old.exit_code != 0 and "before the last update" in old.output
    unknown = runner.invoke(main, ["update", "nope", "-s", "identified", "-m", "x"])
    assert unknown.exit_code != 0 and "no incident with id 'nope'" in unknown.output
    assert path.read_text() == before


def test_resolve_closes_incident_and_site_shows_it(project: SiteProject, runner: CliRunner) -> None:
    project.write("open.md", OPEN_INCIDENT)
    result = runner.invoke(main, ["resolve", "open", "--at", "2026-03-15T11:55:00+09:00"])
    assert result.exit_code == 0, result.output
    (incident,) = load_incidents(project.incidents, "en").incidents
    assert incident.updates[-1].status == "resolved"
    assert incident.updates[-1].body.values["en"] == "This incident has been resolved."
    project.build()
    home = project.page("")
    assert "All systems operational" in home.select_one(".sk-banner").get_text()


def test_missing_config_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code != 0
    assert "mkdocs.yml: no such file" in result.output


def test_schema_command_prints_the_shipped_schema(runner: CliRunner) -> None:
    import json

    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["properties"]["kind"]["enum"] == ["incident", "maintenance"]


def test_preview_refuses_an_unknown_target_before_serving(
    project: SiteProject, runner: CliRunner
) -> None:
    project.configure(locales=["en", "ko"])
    result = runner.invoke(main, ["preview", "--target", "paths:xx"])
    assert result.exit_code != 0
    assert "no paths target 'xx'; declared: en, ko" in result.output


def test_targets_build_as_many_at_once_as_finish_soonest() -> None:
    """Equal targets on few cores: sharing every core to the end beats a last round on one."""
    assert default_workers(3, 2) == 3  # three locales on two cores: one round on both
    assert default_workers(2, 2) == 2
    assert default_workers(4, 2) == 2  # two full rounds; more processes would only share
    assert default_workers(1, 8) == 1
    for cores in (1, 2, 4):
        for targets in range(1, 12):
            assert 1 <= default_workers(targets, cores) <= min(targets, 2 * cores)
