"""Broken incident files: every problem named with its file, line, what is wrong and what to do."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError

from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, SiteProject, core_settings
from statuskit.core.loader import MAX_FILE_BYTES
from statuskit.core.problems import Problem, ValidationFailed
from statuskit.core.settings import Policies, Settings
from statuskit.core.site import load_site, validate

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=ZoneInfo("Asia/Seoul"))

# Line numbers of GOOD, used by every case below:
#  1 ---                       6   payments: major_outage      11     body: We are investigating.
#  2 title: Payments failing   7 started_at: ...09:02          12   - at: ...09:40
#  3 kind: incident            8 updates:                      13     status: resolved
#  4 severity: minor           9   - at: ...09:08              14     body: Payments work again.
#  5 components:              10     status: investigating     15 ---
GOOD = """\
---
title: Payments failing
kind: incident
severity: minor
components:
  payments: major_outage
started_at: 2026-03-14T09:02:00+09:00
updates:
  - at: 2026-03-14T09:08:00+09:00
    status: investigating
    body: We are investigating.
  - at: 2026-03-14T09:40:00+09:00
    status: resolved
    body: Payments work again.
---
The payment form broke after a deploy.
"""


def edit(*pairs: str, text: str = GOOD) -> str:
    """GOOD with each `old` replaced by `new`; each `old` must occur exactly once."""
    for old, new in zip(pairs[::2], pairs[1::2], strict=True):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def settings_for(incidents: Path, policies: Policies | None = None) -> Settings:
    """Settings with lagging translations ignored, unless a test asks for them."""
    return core_settings(incidents, policies=policies or Policies(missing_translation="ignore"))


@pytest.fixture
def incidents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty incidents folder; the working folder is its parent, as in a real project."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "incidents"
    folder.mkdir()
    return folder


def write(folder: Path, name: str, content: str | bytes) -> None:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")


def run(folder: Path, policies: Policies | None = None) -> list[Problem]:
    return validate(settings_for(folder, policies), NOW)[1]


def listing(problems: list[Problem]) -> str:
    return "\n".join(f"  [{p.level}] {p}" for p in problems) or "  (no problems)"


@dataclass
class Case:
    """One broken file (or two) and the problem it must produce."""

    id: str
    files: dict[str, str | bytes]
    path: str
    line: int
    message: tuple[str, ...]
    hint: tuple[str, ...]


def case(
    id: str,
    content: str | bytes,
    line: int,
    message: tuple[str, ...],
    hint: tuple[str, ...],
    name: str = "broken.md",
) -> Case:
    return Case(id, {name: content}, f"incidents/{name}", line, message, hint)


DUPLICATE_ID = edit("kind: incident\n", "kind: incident\nid: payments-outage\n")

CASES = [
    case(
        "malformed-yaml-colon-in-text",
        edit("title: Payments failing", "title: Payments: failing"),
        2,
        ("malformed YAML", "mapping values"),
        ("quote",),
    ),
    case(
        "malformed-yaml-unclosed-quote",
        edit("body: We are investigating.", 'body: "We are investigating.'),
        11,
        ("malformed YAML",),
        ("close the quote",),
    ),
    case(
        "malformed-yaml-unclosed-bracket",
        edit("severity: minor\n", "severity: minor\nregions: [kr, jp\n"),
        5,
        ("malformed YAML",),
        ("close the bracket",),
    ),
    case(
        "malformed-yaml-bad-indent",
        edit("    status: investigating", "     status: investigating"),
        10,
        ("malformed YAML",),
        ("indentation",),
    ),
    case(
        "tab-indentation",
        edit("    status: investigating", "\tstatus: investigating"),
        10,
        ("tab", "indentation"),
        ("spaces",),
    ),
    case(
        "duplicate-key",
        edit("kind: incident\n", "kind: incident\ntitle: Payments failing again\n"),
        4,
        ("duplicate key 'title'", "line 2"),
        ("keep one",),
    ),
    case(
        "title-is-a-list",
        edit("title: Payments failing", "title: [Payments, failing]"),
        2,
        ("title", "text", "not a list"),
        ("key: text",),
    ),
    case(
        "updates-is-a-string",
        GOOD.split("updates:")[0] + "updates: investigating\n---\n",
        8,
        ("updates", "should be a list", "not text"),
        ("- item",),
    ),
    case(
        "severity-is-a-number",
        edit("severity: minor", "severity: 2"),
        4,
        ("severity", "should be text", "not a number"),
        ("quote",),
    ),
    case(
        "unknown-top-level-key",
        edit("title: Payments failing", "titel: Payments failing"),
        2,
        ("unknown key 'titel'",),
        ("did you mean 'title'?",),
    ),
    case(
        "unknown-key-in-update",
        edit("    status: investigating\n", "    status: investigating\n    provisonal: true\n"),
        11,
        ("unknown key 'provisonal'", "updates[0]"),
        ("did you mean 'provisional'?",),
    ),
    case(
        "missing-required-key",
        edit("kind: incident\n", ""),
        2,
        ("missing 'kind'",),
        ("add `kind:`",),
    ),
    case(
        "missing-key-in-update",
        edit("    body: We are investigating.\n", ""),
        9,
        ("updates[0]", "missing 'body'"),
        ("add `body:`",),
    ),
    case(
        "naive-time",
        edit("started_at: 2026-03-14T09:02:00+09:00", "started_at: 2026-03-14T09:02:00"),
        7,
        ("started_at", "2026-03-14T09:02:00", "no UTC offset"),
        ("add the offset", "+09:00"),
    ),
    case(
        "unparsable-time",
        edit("started_at: 2026-03-14T09:02:00+09:00", "started_at: yesterday morning"),
        7,
        ("started_at", "'yesterday morning'", "not a valid time"),
        ("write it like", "+09:00"),
    ),
    case(
        "impossible-date",
        edit("started_at: 2026-03-14T09:02:00+09:00", "started_at: 2026-02-30T09:02:00+09:00"),
        7,
        ("started_at", "2026-02-30", "not a valid time", "out of range"),
        ("write it like",),
    ),
    case(
        "year-typo-far-in-the-past",
        edit("  - at: 2026-03-14T09:08:00+09:00", "  - at: 0026-03-14T09:08:00+09:00"),
        9,
        ("updates[0].at", "before 1970"),
        ("year",),
    ),
    case(
        "update-far-in-the-future",
        edit("  - at: 2026-03-14T09:40:00+09:00", "  - at: 2027-03-14T09:40:00+09:00"),
        12,
        ("update 2", "in the future"),
        ("UTC offset",),
    ),
    case(
        "started-at-in-the-future",
        edit("started_at: 2026-03-14T09:02:00+09:00", "started_at: 2026-04-14T09:02:00+09:00"),
        7,
        ("started_at is in the future",),
        ("check the date",),
    ),
    case(
        "updates-out-of-order",
        edit("  - at: 2026-03-14T09:40:00+09:00", "  - at: 2026-03-14T09:05:00+09:00"),
        12,
        ("update 2", "older than the update before it"),
        ("oldest first",),
    ),
    case(
        "update-before-started-at",
        edit("  - at: 2026-03-14T09:08:00+09:00", "  - at: 2026-03-14T08:55:00+09:00"),
        9,
        ("update 1", "before the incident started"),
        ("started_at",),
    ),
    case(
        "unknown-component",
        edit("  payments: major_outage", "  paymnts: major_outage"),
        6,
        ("unknown component 'paymnts'",),
        ("did you mean 'payments'?",),
    ),
    case(
        "unknown-component-in-update",
        edit(
            "    status: resolved\n",
            "    status: resolved\n    components:\n      payment: operational\n",
        ),
        15,
        ("unknown component 'payment'", "update 2"),
        ("did you mean 'payments'?",),
    ),
    case(
        "component-id-not-allowed",
        edit("  payments: major_outage", "  pay ments: major_outage"),
        6,
        ("'pay ments'", "component id"),
        ("letters, digits",),
    ),
    case(
        "unknown-impact",
        edit("  payments: major_outage", "  payments: major_outgae"),
        6,
        ("components.payments", "'major_outgae'", "not allowed"),
        ("did you mean 'major_outage'?",),
    ),
    case(
        "maintenance-status-on-incident",
        edit("    status: investigating", "    status: completed"),
        10,
        ("status 'completed'", "incident"),
        ("investigating", "resolved"),
    ),
    case(
        "status-typo",
        edit("    status: resolved", "    status: resolvd"),
        13,
        ("'resolvd'", "not allowed"),
        ("did you mean 'resolved'?",),
    ),
    case(
        "unknown-severity",
        edit("severity: minor", "severity: majr"),
        4,
        ("unknown severity 'majr'",),
        ("did you mean 'major'?",),
    ),
    case(
        "incident-without-severity",
        edit("severity: minor\n", ""),
        3,
        ("needs a severity",),
        ("severity:", "critical"),
    ),
    case(
        "resolved-at-without-resolved-update",
        edit(
            "started_at: 2026-03-14T09:02:00+09:00\n",
            "started_at: 2026-03-14T09:02:00+09:00\nresolved_at: 2026-03-14T09:40:00+09:00\n",
            "    status: resolved",
            "    status: monitoring",
        ),
        8,
        ("resolved_at", "no update has status 'resolved'"),
        ("status: resolved",),
    ),
    case("empty-file", "", 1, ("empty",), ("---",)),
    case("blank-file", "\n   \n\n", 1, ("empty",), ("---",)),
    case(
        "front-matter-never-closed",
        GOOD.split("---\nThe payment")[0],
        1,
        ("never closed",),
        ("---",),
    ),
    case("no-front-matter", "Just some text.\n", 1, ("no front matter",), ("---",)),
    case(
        "front-matter-not-a-map",
        "---\n- just\n- a list\n---\n",
        2,
        ("not a map",),
        ("key: value",),
    ),
    case("binary-file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, ("binary",), ("text",)),
    case(
        "not-utf8",
        edit("Payments failing", "Paiements échoués").encode("latin-1"),
        2,
        ("not valid UTF-8",),
        ("UTF-8",),
    ),
    case(
        "control-character",
        edit("title: Payments failing", "title: Payments\x07failing"),
        2,
        ("control character", "U+0007"),
        ("delete it",),
    ),
    case(
        "huge-file",
        GOOD + "x" * MAX_FILE_BYTES,
        1,
        ("bytes", "limit"),
        ("short",),
    ),
    case(
        "id-escaping-the-site-folder",
        edit("kind: incident\n", "kind: incident\nid: ../../etc\n"),
        4,
        ("id '../../etc'", "not allowed"),
        ("letters, digits",),
    ),
    case(
        "id-with-trailing-newline",
        edit("kind: incident\n", 'kind: incident\nid: "payments\\n"\n'),
        4,
        ("id 'payments\\n'", "not allowed"),
        ("letters, digits",),
    ),
    case(
        "python-object-tag",
        edit("title: Payments failing", 'title: !!python/object/apply:os.system ["echo hi"]'),
        2,
        ("!!python/object/apply:os.system", "not allowed"),
        ("remove the tag",),
    ),
    case(
        "local-tag",
        edit("    body: We are investigating.", "    body: !secret We are investigating."),
        11,
        ("tag !secret", "not allowed"),
        ("remove the tag",),
    ),
    case(
        "scalar-that-is-not-a-number",
        edit("severity: minor", "severity: !!int minor"),
        4,
        ("'minor'", "cannot be read as a whole number"),
        ("quotes",),
    ),
    case(
        "merge-key",
        edit("    body: We are investigating.", "    <<: {body: We are investigating.}"),
        11,
        ("merge keys",),
        ("write out",),
    ),
    case(
        "nested-too-deeply",
        edit("severity: minor\n", "severity: minor\nregions: " + "[" * 3000 + "]" * 3000 + "\n"),
        5,
        ("nested more than", "levels deep"),
        ("levels",),
    ),
    case(
        "alias-bomb",
        "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 8)).replace(
            "*l0", "x"
        ),
        5,
        ("aliases", "expanded"),
        ("write the values out",),
        name="bomb.yml",
    ),
    case(
        "maintenance-without-window",
        edit(
            "kind: incident",
            "kind: maintenance",
            "status: investigating",
            "status: scheduled",
            "status: resolved",
            "status: completed",
        ),
        3,
        ("maintenance needs", "scheduled_for", "scheduled_until"),
        ("UTC offset",),
    ),
    case(
        "unknown-locale-in-text-map",
        edit("title: Payments failing", "title:\n  en: Payments failing\n  kr: 결제 실패"),
        4,
        ("unknown locale 'kr'",),
        ("en, ko", "locales"),
    ),
    case(
        "unknown-locale-in-update-body",
        edit("    body: Payments work again.", "    body: {en: Payments work again., jp: 復旧}"),
        14,
        ("unknown locale 'jp'",),
        ("en, ko",),
    ),
    case(
        "text-map-key-not-a-locale",
        edit("title: Payments failing", "title: {English: Payments failing}"),
        2,
        ("'English'", "not a locale code"),
        ("en, ko",),
    ),
    case(
        "empty-text-map",
        edit("title: Payments failing", "title: {}"),
        2,
        ("title", "empty map"),
        ("{en: text}",),
    ),
    case(
        "yml-file-naive-time",
        "title: Payments failing\nkind: incident\nseverity: minor\n"
        "started_at: 2026-03-14 09:02\nupdates:\n"
        "  - {at: '2026-03-14T09:08:00+09:00', status: investigating, body: Looking.}\n",
        4,
        ("started_at", "no UTC offset"),
        ("add the offset",),
        name="broken.yml",
    ),
    case(
        "crlf-line-endings",
        edit("severity: minor", "severity: majr").replace("\n", "\r\n"),
        4,
        ("unknown severity 'majr'",),
        ("did you mean 'major'?",),
    ),
    case(
        "line-separator-inside-text",
        edit(
            "title: Payments failing",
            'title: "Payments\u2028failing"',
            "severity: minor",
            "severity: majr",
        ),
        4,
        ("unknown severity 'majr'",),
        ("did you mean 'major'?",),
    ),
    Case(
        "duplicate-id-across-files",
        {"a.md": DUPLICATE_ID, "b.md": DUPLICATE_ID},
        "incidents/b.md",
        4,
        ("id 'payments-outage'", "already used", "incidents/a.md:4"),
        ("id:",),
    ),
]


def test_good_file_has_no_problems(incidents: Path) -> None:
    write(incidents, "good.md", GOOD)
    incidents_read, problems = validate(settings_for(incidents), NOW)
    assert problems == [], listing(problems)
    assert [i.id for i in incidents_read] == ["good"]


@pytest.mark.parametrize("broken", CASES, ids=[c.id for c in CASES])
def test_broken_file_names_file_line_problem_and_fix(incidents: Path, broken: Case) -> None:
    for name, content in broken.files.items():
        write(incidents, name, content)
    problems = run(incidents)
    matching = [
        p
        for p in problems
        if p.path == broken.path
        and p.line == broken.line
        and all(word in p.message for word in broken.message)
    ]
    assert matching, f"expected {broken.path}:{broken.line} {broken.message}; got\n" + listing(
        problems
    )
    problem = matching[0]
    assert problem.is_error
    for word in broken.hint:
        assert word in problem.hint, f"hint of {problem} lacks {word!r}"
    assert str(problem) == f"{broken.path}:{broken.line}: {problem.message}; {problem.hint}"
    with pytest.raises(ValidationFailed) as failed:
        load_site(settings_for(incidents), NOW)
    assert str(problem) in str(failed.value)


def test_plain_values_yaml_would_read_as_special_stay_text(incidents: Path) -> None:
    write(incidents, "odd.md", edit("title: Payments failing", "title: ="))
    incidents_read, problems = validate(settings_for(incidents), NOW)
    assert problems == [], listing(problems)
    assert incidents_read[0].title.values == {"en": "="}
    assert incidents_read[0].started_at == datetime(2026, 3, 14, 0, 2, tzinfo=ZoneInfo("UTC"))


def test_every_problem_is_named_and_has_a_fix(incidents: Path) -> None:
    for broken in CASES:
        for name, content in broken.files.items():
            write(incidents, f"{broken.id}-{name}", content)
    problems = run(incidents)
    assert problems
    for problem in problems:
        assert problem.path.startswith("incidents/"), problem
        assert problem.line >= 1, problem
        assert problem.message and problem.hint, problem
        assert "Traceback" not in problem.message and "<unicode string>" not in problem.message


def test_a_python_tag_runs_nothing(incidents: Path, tmp_path: Path) -> None:
    target = tmp_path / "created-by-yaml"
    write(
        incidents,
        "evil.md",
        edit("title: Payments failing", f'title: !!python/object/apply:os.mkdir ["{target}"]'),
    )
    problems = run(incidents)
    assert [p.line for p in problems] == [2], listing(problems)
    assert not target.exists()


def test_every_problem_of_several_files_is_reported_at_once(incidents: Path) -> None:
    write(incidents, "a.md", edit("severity: minor", "severity: majr"))
    write(
        incidents,
        "b.md",
        edit(
            "  payments: major_outage", "  paymnts: major_outage", "status: resolved", "status: x"
        ),
    )
    write(incidents, "c.md", edit("title: Payments failing", "title: [oops"))
    write(
        incidents,
        "d.md",
        edit(
            "  - at: 2026-03-14T09:40:00+09:00",
            "  - at: 2026-03-14T09:05:00+09:00",
            "    body: We are investigating.\n",
            "    body: {en: We are investigating., kr: 조사 중}\n",
        ),
    )
    write(incidents, "e.md", "")
    write(incidents, "good.md", GOOD)
    incidents_read, problems = validate(settings_for(incidents), NOW)
    where = {(p.path, p.line) for p in problems if p.is_error}
    expected = {
        ("incidents/a.md", 4),
        ("incidents/b.md", 13),
        ("incidents/c.md", 2),
        ("incidents/d.md", 11),
        ("incidents/d.md", 12),
        ("incidents/e.md", 1),
    }
    assert expected <= where, listing(problems)
    assert "good" in [i.id for i in incidents_read]
    with pytest.raises(ValidationFailed) as failed:
        load_site(settings_for(incidents), NOW)
    text = str(failed.value)
    for path, line in expected:
        assert f"{path}:{line}:" in text
    assert len(failed.value.problems) == len(problems)


def test_one_file_with_two_problems_reports_both(incidents: Path) -> None:
    write(
        incidents,
        "two.md",
        edit(
            "severity: minor",
            "severity: majr",
            "  payments: major_outage",
            "  paymnts: major_outage",
        ),
    )
    problems = run(incidents)
    found = {
        (p.line, word) for p in problems for word in ("'majr'", "'paymnts'") if word in p.message
    }
    assert found == {(4, "'majr'"), (6, "'paymnts'")}, listing(problems)


LATE_AND_CRITICAL = edit(
    "severity: minor",
    "severity: critical",
    "  - at: 2026-03-14T09:08:00+09:00",
    "  - at: 2026-03-14T10:30:00+09:00",
    "  - at: 2026-03-14T09:40:00+09:00",
    "  - at: 2026-03-14T10:40:00+09:00",
)


def test_policies_are_warnings_not_errors(incidents: Path) -> None:
    write(incidents, "late.md", LATE_AND_CRITICAL)
    problems = run(incidents)
    assert problems, "a late first notice and no responsible person should be noticed"
    assert all(p.level == "warning" and not p.is_error for p in problems), listing(problems)
    late = [p for p in problems if "first public notice" in p.message]
    assert [(p.path, p.line) for p in late] == [("incidents/late.md", 9)], listing(problems)
    assert "88 minutes" in late[0].message and "sooner" in late[0].hint
    nobody = [p for p in problems if "responsible" in p.message]
    assert [(p.path, p.line) for p in nobody] == [("incidents/late.md", 4)], listing(problems)
    assert "critical" in nobody[0].message and "responsible:" in nobody[0].hint
    site = load_site(settings_for(incidents), NOW)
    assert sorted(site.warnings) == sorted(problems)


def test_policies_as_errors(incidents: Path) -> None:
    write(incidents, "late.md", LATE_AND_CRITICAL)
    strict = Policies(as_errors=True, missing_translation="ignore")
    problems = run(incidents, strict)
    assert len(problems) == 2 and all(p.is_error for p in problems), listing(problems)
    with pytest.raises(ValidationFailed) as failed:
        load_site(settings_for(incidents, strict), NOW)
    assert "incidents/late.md:9:" in str(failed.value)
    assert "incidents/late.md:4:" in str(failed.value)


def test_policies_can_be_turned_off(incidents: Path) -> None:
    write(incidents, "late.md", LATE_AND_CRITICAL)
    relaxed = Policies(
        first_notice_minutes=None, responsible_required_for=(), missing_translation="ignore"
    )
    assert run(incidents, relaxed) == []


# --- through a real MkDocs build ---------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def build_errors(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


def test_build_fails_with_path_and_line(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(project.root)
    project.write("ok.md", OPEN_INCIDENT)
    project.write("broken.md", OPEN_INCIDENT.replace("severity: minor", "severity: minr"))
    project.write("worse.md", OPEN_INCIDENT.replace("title: API", "titel: API"))
    # MkDocs logs a plugin's PluginError (a BuildError) and aborts the build.
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        project.build()
    errors = build_errors(caplog)
    assert "incidents/broken.md:4: unknown severity 'minr'; did you mean 'minor'?" in errors
    assert "incidents/worse.md:2: unknown key 'titel'" in errors
    assert not (project.site / "index.html").exists()


def test_plugin_raises_plugin_error_with_path_and_line(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project.root)
    project.write("broken.md", OPEN_INCIDENT.replace("started_at: 2026-03-15T11:00:00+09:00", ""))
    config = load_config(str(project.root / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        config = config.plugins.on_config(config)
        with pytest.raises(PluginError) as raised:
            config.plugins.on_pre_build(config=config)
    finally:
        config.plugins.on_shutdown()
    assert "incidents/broken.md:3: an incident needs `started_at`" in str(raised.value)


def test_broken_file_leaves_the_previous_site_unchanged(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(project.root)
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.write("2026/2026-03-15-api-slow.md", OPEN_INCIDENT)
    project.build()
    before = snapshot(project.site)
    assert "index.html" in before and "incidents/2026-03-14-payments/index.html" in before
    project.write(
        "2026/2026-03-15-api-slow.md",
        OPEN_INCIDENT.replace("status: investigating", "status: fixed"),
    )
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        project.build()
    assert "incidents/2026/2026-03-15-api-slow.md:10:" in build_errors(caplog)
    assert snapshot(project.site) == before


def test_policy_warning_fails_only_a_strict_build(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(project.root)
    # The update cadence (30 minutes for critical) is tested on its own in test_practice.py.
    project.configure(policies={"levels": {"stale_update": "off"}})
    project.write("critical.md", OPEN_INCIDENT.replace("severity: minor", "severity: critical"))
    with caplog.at_level(logging.WARNING):
        project.build()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("incidents/critical.md:4:" in w and "responsible" in w for w in warnings), warnings
    assert (project.site / "incidents" / "critical" / "index.html").exists()
    before = {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()}
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        project.build(strict=True)
    assert "1 warning(s) in strict mode" in build_errors(caplog)
    # Refused before MkDocs cleans the folder: the published site is untouched.
    assert {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_statuskit_build_logs_each_warning_once_for_all_its_targets(
    project: SiteProject,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    jobs: str,
) -> None:
    """Three locales found each warning three times; `--jobs 3` forks a worker per target."""
    monkeypatch.chdir(project.root)
    project.configure(locales=["en", "ko", "ja"], policies={"levels": {"stale_update": "off"}})
    project.write("critical.md", OPEN_INCIDENT.replace("severity: minor", "severity: critical"))
    project.write("other.md", OPEN_INCIDENT.replace("severity: minor", "severity: critical"))
    with caplog.at_level(logging.WARNING):
        project.build()
    found = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(found) >= 2, found

    def build(*options: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "statuskit.cli.main", "build", "--jobs", jobs, *options]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)

    result = build()
    assert result.returncode == 0, result.stderr
    for warning in found:
        assert result.stderr.count(warning) == 1, result.stderr
    assert result.stderr.count("building paths target") == 3, result.stderr
    # Each target still counts them: a strict build fails, whichever target fails first.
    strict = build("--strict")
    assert strict.returncode == 1, strict.stderr
    assert f"{len(found)} warning(s) in strict mode" in strict.stderr
    # A build outside `statuskit build` (each rebuild of `mkdocs serve`) logs all it finds.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        project.build()
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == found


def test_missing_translations_are_one_warning_per_incident_and_never_block(
    incidents: Path,
) -> None:
    write(
        incidents,
        "a.md",
        OPEN_INCIDENT.lstrip().replace("title: API responses are slow", "title: {en: Slow}"),
    )
    settings = settings_for(incidents, Policies(missing_translation="warning"))
    _, problems = validate(settings, NOW)
    (problem,) = problems
    assert problem.level == "warning" and problem.code == "translation"
    assert "no ko translation of title, updates[0].body" in problem.message
    load_site(settings, NOW)
    errors = Policies(missing_translation="error")
    with pytest.raises(ValidationFailed, match="no ko translation"):
        load_site(settings_for(incidents, errors), NOW)


def test_policies_as_errors_fail_a_normal_build(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(project.root)
    project.configure(policies={"as_errors": True})
    project.write("critical.md", OPEN_INCIDENT.replace("severity: minor", "severity: critical"))
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        project.build()
    assert "incidents/critical.md:4: a critical incident needs" in build_errors(caplog)
