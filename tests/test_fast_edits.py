"""`statuskit update`, `resolve` and `new` read only the incident they write, not the history."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import statuskit.core.loader as loader
from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, SiteProject
from statuskit.cli.main import main

HISTORY = 30


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every incident file the loader parses during the test."""
    seen: list[Path] = []
    real = loader._read_tree

    def spy(files: list[Path], default_locale: str) -> loader.LoadResult:
        seen.extend(files)
        return real(files, default_locale)

    monkeypatch.setattr(loader, "_read_tree", spy)
    return seen


@pytest.fixture
def history(project: SiteProject, monkeypatch: pytest.MonkeyPatch) -> SiteProject:
    for n in range(HISTORY):
        project.write(f"2025/2025-01-{n % 28 + 1:02d}-old-{n}.md", RESOLVED_INCIDENT)
        project.write(f"2025/2025-01-{n % 28 + 1:02d}-old-{n}.ko.md", "---\n---\n번역\n")
    project.write("2026/2026-03-15-payments.md", OPEN_INCIDENT)
    project.write("2026/2026-03-15-payments.ko.md", "---\ntitle: 결제 오류\n---\n")
    monkeypatch.chdir(project.root)
    return project


def test_update_reads_only_its_incident(history: SiteProject, reads: list[Path]) -> None:
    args = ["update", "2026-03-15-payments", "-s", "identified", "-m", "Found it."]
    result = CliRunner().invoke(main, [*args, "--at", "2026-03-15T11:30:00+09:00"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in reads}
    assert names == {"2026-03-15-payments.md", "2026-03-15-payments.ko.md"}, sorted(names)
    assert "status: identified" in (history.incidents / "2026/2026-03-15-payments.md").read_text()


def test_update_still_reports_its_own_problems(history: SiteProject) -> None:
    path = history.incidents / "2026/2026-03-15-payments.md"
    path.write_text(path.read_text().replace("severity: minor", "severity: minr"))
    args = ["update", "2026-03-15-payments", "-s", "identified", "-m", "Found it."]
    result = CliRunner().invoke(main, [*args, "--at", "2026-03-15T11:30:00+09:00"])
    assert result.exit_code == 1
    assert "2026-03-15-payments.md:" in result.output and "'minr'" in result.output


def test_resolve_reads_only_its_incident(history: SiteProject, reads: list[Path]) -> None:
    result = CliRunner().invoke(
        main, ["resolve", "2026-03-15-payments", "--at", "2026-03-15T11:50:00+09:00"]
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in reads} <= {"2026-03-15-payments.md", "2026-03-15-payments.ko.md"}


def test_new_reads_no_incident(history: SiteProject, reads: list[Path]) -> None:
    result = CliRunner().invoke(
        main, ["new", "Login slow", "-c", "api=degraded_performance", "--severity", "minor"]
    )
    assert result.exit_code == 0, result.output
    assert reads == []


def test_a_readme_is_never_taken_for_an_incident(history: SiteProject) -> None:
    (history.incidents / "README.md").write_text("# How we write incidents\n")
    result = CliRunner().invoke(main, ["update", "README", "-s", "identified", "-m", "x"])
    assert result.exit_code != 0
    assert "no incident with id 'README'" in result.output


def test_reopening_a_resolved_incident_needs_reopen_and_marks_it(history: SiteProject) -> None:
    history.write("2026/2026-03-14-card.md", RESOLVED_INCIDENT)
    args = ["update", "2026-03-14-card", "-s", "investigating", "-m", "Failing again."]
    at = ["--at", "2026-03-15T10:00:00+09:00"]
    refused = CliRunner().invoke(main, [*args, *at])
    assert refused.exit_code == 2 and "--reopen" in refused.output
    path = history.incidents / "2026/2026-03-14-card.md"
    assert "reopened" not in path.read_text()
    reopened = CliRunner().invoke(main, [*args, *at, "--reopen"])
    assert "reopened: true" in path.read_text()
    assert "is reopened" not in reopened.output, reopened.output
    not_resolved = CliRunner().invoke(
        main, ["update", "2026-03-14-card", "-s", "identified", "-m", "x", "--reopen"]
    )
    assert not_resolved.exit_code == 2 and "not resolved" in not_resolved.output
