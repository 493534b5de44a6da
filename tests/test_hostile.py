"""Hostile input: text outputs cannot carry, absurd times, links out of the incidents folder,
ids that collide with the site's own pages, orphaned translations, YAML alias bombs.

Each is a clean `path:line` problem (or a warning), never a traceback; and whatever
`statuskit validate` accepts, a real build publishes with well-formed feeds, JSON and calendar.
"""

from __future__ import annotations

import json
import re
import tempfile
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import DEFAULT_PLUGIN, OPEN_INCIDENT, RESOLVED_INCIDENT, SiteProject
from statuskit.cli.config import load_settings
from statuskit.cli.main import main
from statuskit.core.documents import EARLIEST_YEAR, LATEST_YEAR
from statuskit.core.problems import Problem
from statuskit.core.site import validate
from statuskit.core.yamlsource import MAX_EXPANDED_CHARS, MAX_NODES

PATH_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): (?P<what>[^;\n]+); (?P<fix>.+)$")


def problems_of(project: SiteProject) -> list[Problem]:
    _, problems = validate(load_settings(project.root / "mkdocs.yml"))
    return problems


def errors_of(project: SiteProject) -> list[str]:
    return [str(p) for p in problems_of(project) if p.is_error]


def cli(project: SiteProject, *args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "-f", str(project.root / "mkdocs.yml")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def hostile(project: SiteProject, monkeypatch: pytest.MonkeyPatch) -> SiteProject:
    monkeypatch.chdir(project.root)
    return project


# --- characters outputs cannot carry -------------------------------------------------------

UNCARRIABLE = {
    "nul": "\\0",
    "bell": "\\a",
    "escape": "\\e",
    "delete": "\\x7F",
    "next-line": "\\N",
    "c1-control": "\\x9B",
    "lone-surrogate": "\\uD800",
    "noncharacter": "\\uFFFE",
}

# Each text field of an incident file, as a line written with a YAML escape in double quotes.
FIELDS = {
    "title": ("title: API responses are slow", 'title: "API {} slow"', 2),
    "update-body": ("    body: Some API calls take several seconds.", '    body: "Some {}"', 11),
    "scope": ("kind: incident", 'kind: incident\nscope: "Merchants {}"', 4),
    "component-key": ("  api: degraded_performance", '  "api{}": degraded_performance', 6),
}


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("char", UNCARRIABLE)
def test_escaped_characters_outputs_cannot_carry_are_errors_at_their_line(
    hostile: SiteProject, field: str, char: str
) -> None:
    old, new, line = FIELDS[field]
    text = OPEN_INCIDENT.replace(old, new.format(UNCARRIABLE[char]))
    hostile.write("2026/bad.md", text)
    (problem,) = errors_of(hostile)
    assert problem.startswith(f"incidents/2026/bad.md:{line}: the text contains ")
    assert "which web pages, feeds and calendars cannot carry; delete it" in problem
    assert PATH_LINE.match(problem)


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\x85", "\x9b", "\ufffe", "\ufdd0"])
@pytest.mark.parametrize("where", ["front-matter", "body", "translation", "postmortem"])
def test_raw_characters_outputs_cannot_carry_are_errors_at_their_line(
    hostile: SiteProject, char: str, where: str
) -> None:
    name, text = "2026/bad.md", OPEN_INCIDENT.lstrip("\n")
    line = 2
    if where == "front-matter":
        text = text.replace("title: API responses", f"title: API{char} responses")
    elif where == "body":
        text += f"A first line.\nThe cause{char} was a bad deploy.\n"
        line = text.count("\n")
    else:
        hostile.write(name, text)
        name = "2026/bad.ko.md" if where == "translation" else "2026/bad.postmortem.md"
        text = f"첫 줄입니다.\n원인은{char} 배포였습니다.\n"
        if where == "postmortem":
            text = f"---\nstatus: draft\nsummary: A{char} summary\n---\n"
            line = 3
    hostile.write(name, text)
    (problem,) = errors_of(hostile)
    assert problem.startswith(f"incidents/{name}:{line}: the text contains ")
    assert f"U+{ord(char):04X}" in problem and PATH_LINE.match(problem)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("components[1].name.ko", "결\x07제"),
        ("components[2].name", "Web\x00site"),
        ("groups[0].name", "Core\ud800"),
        ("components[0].description", "An\x1bAPI"),
    ],
)
def test_characters_outputs_cannot_carry_in_mkdocs_yml_are_clean_errors(
    hostile: SiteProject, where: str, value: str
) -> None:
    options = json.loads(json.dumps(DEFAULT_PLUGIN))
    target: Any = options
    parts = re.findall(r"[a-z_]+|\d+", where)
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    target[parts[-1]] = value
    hostile.configure(**options)
    config = (hostile.root / "mkdocs.yml").read_text()
    line = next(n for n, text in enumerate(config.split("\n"), 1) if "\\" in text)
    hostile.write("a.md", OPEN_INCIDENT)
    for command in ("validate", "build"):
        result = cli(hostile, command)
        assert result.exit_code == 1
        assert f"mkdocs.yml:{line}: statuskit: {where}: the text contains" in result.output
        assert "cannot carry; delete it" in result.output
    assert not hostile.site.exists()


def test_characters_outputs_cannot_carry_in_the_site_name_are_clean_errors(
    hostile: SiteProject,
) -> None:
    config = (hostile.root / "mkdocs.yml").read_text()
    (hostile.root / "mkdocs.yml").write_text(
        config.replace("site_name: Example Status", 'site_name: "Example\\x1bStatus"')
    )
    hostile.write("a.md", OPEN_INCIDENT)
    for command in ("validate", "build"):
        result = cli(hostile, command)
        assert result.exit_code == 1
        assert "mkdocs.yml: site_name: the text contains the control character U+001B" in (
            result.output
        )


# --- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1969-12-31T23:59:00+00:00", f"is before {EARLIEST_YEAR}; check the year"),
        ("0001-01-01T00:00:00+00:00", f"is before {EARLIEST_YEAR}; check the year"),
        ("1970-01-01T00:30:00+01:00", f"is outside {EARLIEST_YEAR}-{LATEST_YEAR} in UTC"),
        ("2101-01-01T00:00:00+00:00", f"is after {LATEST_YEAR}; check the year"),
        ("9999-12-31T23:59:59+14:00", f"is after {LATEST_YEAR}; check the year"),
        ("2100-12-31T23:30:00-01:00", f"is outside {EARLIEST_YEAR}-{LATEST_YEAR} in UTC"),
        (
            "2026-03-15T11:00:00+09:00:30",
            "with seconds, which feeds and calendars cannot carry; write the offset",
        ),
        (
            "2026-03-15T11:00:00+09:00:00.5",
            "with seconds, which feeds and calendars cannot carry; write the offset",
        ),
        ("2026-03-15T11:00:00+24:00", "is not a valid time"),
    ],
)
def test_times_out_of_range_or_with_second_offsets_are_errors_at_their_line(
    hostile: SiteProject, value: str, expected: str
) -> None:
    hostile.write("a.md", OPEN_INCIDENT.replace("2026-03-15T11:00:00+09:00", value))
    problems = errors_of(hostile)
    assert problems and all(PATH_LINE.match(p) for p in problems), problems
    assert any(p.startswith("incidents/a.md:7: started_at") and expected in p for p in problems)


# --- links out of the incidents folder -----------------------------------------------------

SECRET = "Internal: the database password is hunter2"


def test_links_out_of_the_incidents_folder_are_refused_and_never_read(
    hostile: SiteProject,
) -> None:
    outside = hostile.root / "private"
    (outside / "2025").mkdir(parents=True)
    secret = OPEN_INCIDENT.replace("Some API calls take several seconds.", SECRET)
    (outside / "leak.md").write_text(secret.lstrip("\n"))
    (outside / "2025" / "old.md").write_text(secret.lstrip("\n"))
    (outside / "leak.ko.md").write_text(SECRET)
    hostile.write("2026/real.md", RESOLVED_INCIDENT)
    (hostile.incidents / "2026" / "linked.md").symlink_to(outside / "leak.md")
    (hostile.incidents / "2026" / "real.ko.md").symlink_to(outside / "leak.ko.md")
    (hostile.incidents / "2025").symlink_to(outside / "2025")
    # A link that stays inside the folder is an ordinary file.
    (hostile.incidents / "2026" / "alias.md").symlink_to("real.md")
    validated = cli(hostile, "validate")
    assert validated.exit_code == 1
    assert SECRET not in validated.output and "hunter2" not in validated.output
    for link in ("incidents/2025", "incidents/2026/linked.md", "incidents/2026/real.ko.md"):
        assert (
            f"{link}:1: this symbolic link leads out of incidents, so it is not read; "
            "copy the file into the incidents folder instead of linking to it"
        ) in validated.output
    assert "alias.md" not in validated.output
    built = cli(hostile, "build")
    assert built.exit_code == 1 and not hostile.site.exists()
    # Nor does an edit write through a link to the file it leads to.
    edited = cli(hostile, "update", "linked", "-s", "resolved", "-m", "Fixed.")
    assert edited.exit_code != 0 and "no incident with id 'linked'" in edited.output
    assert (outside / "leak.md").read_text() == secret.lstrip("\n")
    # Removed, the site builds, and nothing behind a link was published.
    for link in ("2025", "2026/linked.md", "2026/real.ko.md"):
        (hostile.incidents / link).unlink()
    assert cli(hostile, "build").exit_code == 0
    published = b"".join(p.read_bytes() for p in hostile.site.rglob("*") if p.is_file())
    assert b"hunter2" not in published


# --- ids that collide with the site's own pages --------------------------------------------


def site_names(site: Path) -> set[str]:
    """Every file and folder name a real build generated, without suffixes."""
    names = set()
    for path in site.rglob("*"):
        for part in path.relative_to(site).parts:
            names.add(part.split(".")[0])
    return {n for n in names if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", n)}


def test_ids_named_like_the_sites_own_pages_are_refused_or_get_their_own_page(
    hostile: SiteProject,
) -> None:
    hostile.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    assert cli(hostile, "build").exit_code == 0
    # Pagefind names its index files by their content: those change with every new page.
    baseline = {str(p.relative_to(hostile.site)) for p in hostile.site.rglob("*")}
    baseline = {p for p in baseline if "pagefind" not in p}
    names = sorted(site_names(hostile.site) | {"README", "Index"})
    assert {"index", "api", "feeds", "assets", "search", "history", "components"} <= set(names)
    for number, name in enumerate(names):
        text = OPEN_INCIDENT.replace("title: API responses are slow", f"title: Probe {name}")
        hostile.write(f"probe/{number}.md", f"---\nid: {name}\n" + text.lstrip("\n")[4:])
    refused = [p for p in problems_of(hostile) if p.is_error]
    refused_names = {names[int(Path(p.path).stem)] for p in refused}
    reserved = {
        names[int(Path(p.path).stem)] for p in refused if "names a folder's own page" in p.message
    }
    assert {n.casefold() for n in reserved} == {"index", "readme"}
    assert all(PATH_LINE.match(str(p)) and p.line == 2 for p in refused)
    # "Index" and "index" are also the same page on a case-insensitive disk.
    assert any("differ in more than letter case" in p.message for p in refused)
    for path in {p.path for p in refused}:
        Path(path).unlink()
    assert not errors_of(hostile)
    assert cli(hostile, "build").exit_code == 0
    for name in names:
        if name in refused_names:
            continue
        page = hostile.page(f"en/incidents/{name}")
        assert f"Probe {name}" in page.select_one("h1").get_text(), name
    after = {str(p.relative_to(hostile.site)) for p in hostile.site.rglob("*")}
    assert baseline <= after, sorted(baseline - after)


def test_ids_differing_only_in_letter_case_are_an_error(hostile: SiteProject) -> None:
    hostile.write("a/Payments-Down.md", RESOLVED_INCIDENT)
    hostile.write("b/payments-down.md", RESOLVED_INCIDENT)
    (problem,) = errors_of(hostile)
    assert problem.startswith("incidents/b/payments-down.md:1: id 'payments-down' is already")
    assert "(as 'Payments-Down': ids must differ in more than letter case)" in problem


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["api", "index"], "component id 'index' names a folder's own page"),
        (["api", "../web"], "component id '../web' cannot be part of a URL"),
        (["Web", "web"], "component ids 'Web' and 'web' differ only in letter case"),
    ],
)
def test_component_ids_are_checked_like_incident_ids(
    hostile: SiteProject, ids: list[str], expected: str
) -> None:
    components = [{"id": i, "name": i, "group": "core"} for i in ids]
    hostile.configure(components=components)
    for command in ("validate", "build"):
        result = cli(hostile, command)
        assert result.exit_code == 1 and expected in result.output


# --- orphaned translations and postmortems -------------------------------------------------


def test_translations_and_postmortems_without_their_incident_are_warnings(
    hostile: SiteProject,
) -> None:
    hostile.write("2026/real.md", RESOLVED_INCIDENT)
    hostile.write("2026/gone.ko.md", "원래 장애 파일이 없는 번역입니다.\n")
    hostile.write("2026/gone.postmortem.md", "---\nstatus: draft\nsummary: Orphan\n---\n")
    hostile.write("2026/lost.postmortem.ja.md", "---\nsummary: 孤立\n---\n")
    warnings = sorted(
        str(p) for p in problems_of(hostile) if not p.is_error and p.code != "translation"
    )
    assert warnings == [
        "incidents/2026/gone.ko.md:1: a ko translation of gone.md, but there is no gone.md "
        "beside it, so it is not published; name it after the file it translates "
        "(<name>.ko.md) or remove it",
        "incidents/2026/gone.postmortem.md:1: no incident file gone.md beside this postmortem, "
        "so it is not published; name a postmortem after its incident file: "
        "<incident>.postmortem.md",
        "incidents/2026/lost.postmortem.ja.md:1: a ja translation of lost.postmortem.md, but "
        "there is no lost.postmortem.md beside it, so it is not published; name it after the "
        "file it translates (<name>.ja.md) or remove it",
    ]
    result = cli(hostile, "build")
    assert result.exit_code == 0
    published = b"".join(p.read_bytes() for p in hostile.site.rglob("*") if p.is_file())
    assert "원래 장애 파일이 없는".encode() not in published


# --- YAML aliases that expand a small file into a huge one ---------------------------------


def laughs(levels: int, width: int = 9) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * width)}]")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("bomb", "limit"),
    [
        (laughs(9), f"more than {MAX_NODES:,} values once its aliases"),
        (
            f'l0: &l0 "{"ha" * 100_000}"\nl1: [{", ".join(["*l0"] * 11)}]',
            f"more than {MAX_EXPANDED_CHARS:,} characters of text once its aliases",
        ),
    ],
    ids=["billion-laughs", "long-text-repeated"],
)
def test_yaml_aliases_expanding_past_the_limit_are_refused(
    hostile: SiteProject, bomb: str, limit: str
) -> None:
    text = OPEN_INCIDENT.lstrip("\n").replace("kind: incident", f"kind: incident\n{bomb}", 1)
    hostile.write("bomb.md", text)
    assert len(text.encode()) < 250_000
    problems = errors_of(hostile)
    assert len(problems) == 1 and limit in problems[0] and PATH_LINE.match(problems[0])


# --- validate passes => the build passes ---------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)  # surrogates too
# Anything printable, in any script, with markup characters: no control characters, no
# surrogates. Three examples in four use it everywhere, so validation passes often enough.
CLEAN_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40)
WHOLE_MINUTES = st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m))
ANY_OFFSET = st.integers(-50_000, 50_000).map(lambda s: timedelta(seconds=s))
URL_IDS = st.one_of(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True),
    st.sampled_from(["index", "README", "api", "feeds", "assets", "search", "history", "x"]),
)


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    moment = draw(st.datetimes(datetime(1965, 1, 1), datetime(2026, 3, 10)))
    offset = draw(ANY_OFFSET if draw(st.integers(0, 7)) == 0 else WHOLE_MINUTES)
    return moment.replace(tzinfo=timezone(offset))


@st.composite
def incident_files(draw: st.DrawFn) -> tuple[str, str, str, str, dict[str, Any]]:
    """An incident file name, its front matter and body, a postmortem, mkdocs.yml's options."""
    text = ANY_TEXT if draw(st.integers(0, 3)) == 0 else CLEAN_TEXT
    start = draw(moments())
    steps = draw(st.lists(st.integers(0, 1000), min_size=1, max_size=4))
    updates = []
    at = start
    for number, minutes in enumerate(steps):
        at = at + timedelta(minutes=minutes)
        closing = number == len(steps) - 1 and draw(st.integers(0, 3)) > 0
        status = "resolved" if closing else "identified"
        updates.append({"at": at.isoformat(), "status": status, "body": draw(text)})
    data: dict[str, Any] = {
        "title": draw(st.one_of(text, st.fixed_dictionaries({"en": text, "ko": text}))),
        "kind": "incident",
        "severity": "minor",
        "components": {"api": "partial_outage"},
        "started_at": start.isoformat(),
        "updates": updates,
    }
    if draw(st.booleans()):
        data["id"] = draw(st.one_of(URL_IDS, ANY_TEXT) if text is ANY_TEXT else URL_IDS)
    for key in ("scope", "workaround"):
        if draw(st.booleans()):
            data[key] = draw(text)
    if draw(st.booleans()):
        data["responsible"] = {"name": draw(text), "role": draw(text)}
    options = json.loads(json.dumps(DEFAULT_PLUGIN))
    options["components"][0]["name"] = draw(text)
    options["groups"][0]["name"] = draw(text)
    name = draw(
        st.sampled_from(["2026/a.md", "2026/2026-03-14-b.md", "x/readme-not.md", "Index.md"])
    )
    postmortem = ""
    if draw(st.booleans()):
        fields = {"status": draw(st.sampled_from(["draft", "published"])), "summary": draw(text)}
        fields["timeline"] = [{"at": start.isoformat(), "event": draw(text)}]
        postmortem = f"---\n{yaml.safe_dump(fields, allow_unicode=True)}---\n{draw(text)}\n"
    return name, yaml.safe_dump(data, allow_unicode=True), draw(text), postmortem, options


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(incident_files())
def test_whatever_validate_accepts_builds_into_well_formed_outputs(
    generated: tuple[str, str, str, str, dict[str, Any]],
) -> None:
    name, front_matter, body, postmortem, options = generated
    with tempfile.TemporaryDirectory() as folder:
        project = SiteProject(Path(folder))
        (project.root / "docs").mkdir()
        project.configure(**options)
        path = project.incidents / name
        path.parent.mkdir(parents=True)
        content = f"---\n{front_matter}---\n{body}\n"
        path.write_bytes(content.encode("utf-8", "surrogatepass"))
        if postmortem:
            beside = path.with_name(f"{path.stem}.postmortem.md")
            beside.write_bytes(postmortem.encode("utf-8", "surrogatepass"))
        result = cli(project, "validate")
        for line in result.output.splitlines()[:-1]:
            assert PATH_LINE.match(line.removesuffix(" (warning)")), line
        if result.exit_code != 0:
            first = result.output.split(f"{folder}/", 1)[-1].split(";")[0]
            event(f"validate refused it: {' '.join(first.split()[:7])}")
            return
        event("validate accepted it: built")
        built = cli(project, "build", "--jobs", "1")
        assert built.exit_code == 0, built.output
        check_outputs(project.site)


def check_outputs(site: Path) -> None:
    """Feeds parse as XML, the API as JSON, the calendar as iCalendar."""
    feeds = [*site.rglob("*.atom"), *site.rglob("*.rss"), *site.rglob("sitemap.xml")]
    assert feeds
    for feed in feeds:
        ET.fromstring(feed.read_bytes())
    api = list(site.rglob("api/v2/*.json"))
    assert api
    for document in api:
        json.loads(document.read_bytes().decode("utf-8"))
    for calendar in site.rglob("*.ics"):
        icalendar.Calendar.from_ical(calendar.read_bytes())
