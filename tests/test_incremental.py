"""A build that reuses cached pages writes exactly what a clean build of the same tree writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import filecmp
import json
import logging
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from statuskit.adapter import cache, outputcache, plugin, processes
from statuskit.adapter.builder import build_target
from statuskit.adapter.cache import (
    FORMAT,
    MANIFEST,
    VIEWS,
    PageCache,
    Rendered,
    page_key,
    reading_cache,
    reading_cache_file,
)
from statuskit.adapter.search import SearchIndexer
from statuskit.cli import main as cli_main
from statuskit.cli.config import load_settings
from statuskit.cli.main import main
from statuskit.core import checks, loader, parsecache, site
from statuskit.core.model import Text
from statuskit.core.status import derive_incident
from statuskit.outputs import keys
from statuskit.views import memo
from statuskit.views.pages import PageSpec, list_src
from statuskit.views.plan import plan_site

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate

LOCALES = ("en", "ko", "ja")
MIRRORS = [
    {"id": "com", "locale": "en", "site_url": "https://status.example.com/"},
    {"id": "kr", "locale": "ko", "site_url": "https://status.example.co.kr/"},
    {"id": "au", "locale": "en", "hreflang": "en-AU", "site_url": "https://status.example.au/"},
]
TARGETS = {
    "single": ["single"],
    "paths": [f"paths:{locale}" for locale in LOCALES],
    "mirrors": [f"mirrors:{m['id']}" for m in MIRRORS],
}
REUSED = re.compile(r"(\d+) page\(s\) reused, (\d+) rendered")

# Written for this test: a postmortem for the corpus' first open incident once it is resolved.
POSTMORTEM = """---
status: published
published_at: 2026-11-20T11:30:00+09:00
summary: A connection pool limit lowered by a configuration push made requests queue.
impact:
  customers: Some requests took over ten seconds or failed.
root_causes:
  technical: The pool limit was lowered from 200 to 20 by a typo.
  operational: Configuration pushes had no staged rollout.
tags: [config]
trigger: A configuration push at 09:40.
detection: Latency alert.
resolution: The limit was restored.
went_well: [The alert fired within two minutes.]
went_badly: [The push reached every region at once.]
lessons: [Stage configuration like code.]
timeline:
  - {at: 2026-11-20T09:40:00+09:00, event: Configuration push.}
apology:
  text: We are sorry for the slow and failed requests.
actions:
  - id: A1
    title: Roll configuration out region by region
    type: prevent
    owner: Platform team
    due: 2026-12-20
    status: planned
---
The pool limit is now checked by a schema before any push.
"""


class Project:
    """A corpus project built by target, with its incremental site kept between edits."""

    def __init__(self, root: Path, mode: str) -> None:
        self.root = root
        self.mode = mode

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"

    def edit_config(self, change: dict[str, object]) -> None:
        data = yaml.safe_load(self.config.read_text("utf-8"))
        data["plugins"][1]["statuskit"].update(change)
        self.config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")

    def build(self, site: Path) -> None:
        for target in TARGETS[self.mode]:
            build_target(str(self.config), target, str(site), False)

    def clean_copy(self, where: Path) -> Project:
        """The same tree without the cache."""
        shutil.rmtree(where, ignore_errors=True)
        top = str(self.root)

        def left_out(folder: str, names: list[str]) -> list[str]:
            # The cache and the built sites, at the top only (an override may be sitemap.xml).
            return (
                [n for n in names if n == ".cache" or n.startswith("site")] if folder == top else []
            )

        shutil.copytree(self.root, where, ignore=left_out)
        return Project(where, self.mode)

    def open_incident(self) -> str:
        return sorted(self.root.glob("incidents/*/*-open-*.md"))[0].stem


@pytest.fixture
def corpus(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Project]:
    root = tmp_path / "project"
    generate(root, 24, 3, LOCALES)
    project = Project(root, request.param)
    project.edit_config({"mirrors": MIRRORS})
    yield project


def compare(project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> list[int]:
    """Build incrementally and clean; assert both sites are equal file by file."""
    caplog.clear()
    with caplog.at_level(logging.INFO):
        project.build(project.root / "site")
    reused = [int(m[1]) for m in REUSED.finditer(caplog.text)]
    clean = project.clean_copy(tmp_path / "clean")
    clean.build(clean.root / "site")
    assert_same_tree(clean.root / "site", project.root / "site")
    return reused


def assert_same_tree(expected: Path, actual: Path) -> None:
    want = sorted(p.relative_to(expected) for p in expected.rglob("*") if p.is_file())
    got = sorted(p.relative_to(actual) for p in actual.rglob("*") if p.is_file())
    assert got == want, set(got) ^ set(want)
    # Reused files are linked from the cache: readable by a web server as written ones are.
    modes = {p: (expected / p).stat().st_mode & 0o777 for p in want}
    assert {p: (actual / p).stat().st_mode & 0o777 for p in got} == modes
    _, mismatch, errors = filecmp.cmpfiles(expected, actual, [str(p) for p in want], shallow=False)
    assert not errors, errors
    if mismatch:
        first = mismatch[0]
        want_text = (expected / first).read_text("utf-8", "replace").replace("><", ">\n<")
        got_text = (actual / first).read_text("utf-8", "replace").replace("><", ">\n<")
        diff = difflib.unified_diff(want_text.splitlines(), got_text.splitlines(), lineterm="")
        raise AssertionError(f"{mismatch} differ; the first:\n" + "\n".join(list(diff)[:40]))


def cli(project: Project, *args: str) -> None:
    result = CliRunner().invoke(main, ["--help"] if not args else list(args))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("corpus", ["single", "paths", "mirrors"], indirect=True)
def test_incremental_build_equals_clean_build(
    corpus: Project,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(corpus.root)
    targets = len(TARGETS[corpus.mode])
    first = compare(corpus, tmp_path, caplog)
    assert first == [0] * targets, "a cold cache reuses nothing"
    unchanged = compare(corpus, tmp_path, caplog)
    assert all(n > 20 for n in unchanged), unchanged

    incident = corpus.open_incident()
    at = "--at", "2026-11-20T11:50:00+09:00"
    steps = [
        ("update", ["update", incident, "-s", "identified", "-m", "Pool limit found.", *at]),
        ("resolve", ["resolve", incident, "--at", "2026-11-20T11:55:00+09:00"]),
    ]
    for name, args in steps:
        cli(corpus, *args)
        reused = compare(corpus, tmp_path, caplog)
        assert all(n > 20 for n in reused), (name, reused)

    path = next(corpus.root.glob(f"incidents/*/{incident}.md"))
    path.with_name(f"{incident}.postmortem.md").write_text(POSTMORTEM, "utf-8")
    assert all(n > 20 for n in compare(corpus, tmp_path, caplog)), "postmortem"
    # Translations are part of what a closed incident was read from.
    path.with_name(f"{incident}.postmortem.ko.md").write_text("풀 제한을 점검합니다.\n", "utf-8")
    assert all(n > 20 for n in compare(corpus, tmp_path, caplog)), "postmortem translation"
    old = sorted(corpus.root.glob("incidents/*/*-incident-*.md"))[0]
    old.with_name(f"{old.stem}.ja.md").write_text("日本語の説明です。\n", "utf-8")
    assert all(n > 20 for n in compare(corpus, tmp_path, caplog)), "translation"

    # An old incident now names another component.
    text = old.read_text("utf-8")
    assert "\n  api:" in text or "\n  auth:" in text or "\n  payments:" in text
    old.write_text(re.sub(r"\n  (api|auth|payments):", "\n  web:", text, count=1), "utf-8")
    compare(corpus, tmp_path, caplog)

    corpus.edit_config({"page_size": 7})
    assert compare(corpus, tmp_path, caplog) == [0] * targets, "a new config renders all"

    for gone in old.parent.glob(f"{old.stem}*"):
        gone.unlink()
    assert all(n > 20 for n in compare(corpus, tmp_path, caplog)), "delete"


def build_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> tuple[Project, list[int]]:
    root = tmp_path / "project"
    if not root.exists():
        generate(root, 12, 5, ("en", "ko"))
    project = Project(root, "single")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        project.build(root / "site")
    return project, [int(m[1]) for m in REUSED.finditer(caplog.text)]


def manifest(project: Project) -> Path:
    folder = project.root / ".cache" / "statuskit" / f"v{FORMAT}"
    (path,) = folder.glob(f"*/{MANIFEST}")
    return path


def damage_json(path: Path) -> None:
    path.write_text("{not json", "utf-8")


def damage_version(path: Path) -> None:
    data = json.loads(path.read_text("utf-8"))
    data["statuskit"] = "0.0.1+another"
    path.write_text(json.dumps(data), "utf-8")


def damage_truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def damage_page(path: Path) -> None:
    """One cached page cut short: that page is rendered again, the others reused."""
    page = next((path.parent / "pages").iterdir())
    page.write_bytes(page.read_bytes()[:100])


def damage_views(path: Path) -> None:
    """The memo of closed incidents' views cut short: they are planned again."""
    views = path.with_name(VIEWS)
    views.write_bytes(views.read_bytes()[: views.stat().st_size // 2])


@pytest.mark.parametrize(
    "damage",
    [damage_json, damage_version, damage_truncated, damage_page, damage_views],
    ids=lambda f: f.__name__,
)
def test_damaged_or_foreign_cache_is_ignored(
    damage: object, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project, _ = build_once(tmp_path, caplog)
    assert callable(damage)
    damage(manifest(project))
    _, reused = build_once(tmp_path, caplog)
    clean = project.clean_copy(tmp_path / "clean")
    clean.build(clean.root / "site")
    assert_same_tree(clean.root / "site", project.root / "site")
    if damage is damage_views:
        assert " 0 closed incident(s) not planned again" in caplog.text
    if damage in (damage_page, damage_views):
        assert reused[0] > 0
    else:
        assert reused == [0]
        assert "ignoring the page cache" in caplog.text
    # The next build has a good cache again: what it reuses is what a clean build writes.
    _, again = build_once(tmp_path, caplog)
    assert again[0] > 0
    assert_same_tree(clean.root / "site", project.root / "site")


def first_arguments(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[Any]:
    """The first argument of every call of `owner.name` from here on, in order."""
    found: list[Any] = []
    real = getattr(owner, name)

    def spy(first: Any, *args: Any) -> Any:
        found.append(first)
        return real(first, *args)

    monkeypatch.setattr(owner, name, spy)
    return found


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The incident files parsed from here on (not taken from a cache), in order."""
    return first_arguments(monkeypatch, loader, "_load_file")


def test_unchanged_files_are_not_read_again(tmp_path: Path, parsed: list[Path]) -> None:
    """The second load parses only the file that changed; results equal a load without cache."""
    generate(tmp_path, 15, 7, ("en", "ko"))
    incidents = tmp_path / "incidents"
    store = reading_cache_file(tmp_path)

    def load(cache: Path | None) -> loader.LoadResult:
        loader._RECENT.clear()
        with reading_cache(tmp_path if cache else None):
            return loader.load_incidents(incidents, "en")

    first = load(store)
    assert len(parsed) == 15
    changed = sorted(incidents.rglob("*-incident-*.md"))[0]
    text = changed.read_text("utf-8")
    changed.write_text(text.replace("\nupdates:", "\nregions: [kr-changed]\nupdates:", 1))
    parsed.clear()
    second = load(store)
    assert parsed == [changed]
    regions = {str(i.path): i.regions for i in second.incidents}
    assert regions[str(changed)] == ["kr-changed"]
    assert [i.title for i in second.incidents] == [i.title for i in first.incidents]
    parsed.clear()
    assert load(None) == second and len(parsed) == 15

    store.write_bytes(store.read_bytes()[:200])  # a damaged cache is read as empty
    parsed.clear()
    assert load(store) == second and len(parsed) == 15


def test_checks_the_clock_never_changes_are_kept_for_unchanged_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """References, texts and fields are checked again only for a changed file or new settings,
    not for another target's time zone; the checks that follow the clock run every time."""
    generate(tmp_path, 15, 7, LOCALES)
    monkeypatch.chdir(tmp_path)
    settings = load_settings(tmp_path / "mkdocs.yml")
    checked: list[str] = []
    real = checks._settled

    def spy(incident: Any, *args: Any) -> Any:
        checked.append(incident.id)
        return real(incident, *args)

    monkeypatch.setattr(checks, "_settled", spy)

    def problems(settings: Any) -> list[Any]:
        checked.clear()
        loader._RECENT.clear()
        with reading_cache(tmp_path / ".cache"):
            return site.validate(settings)[1]

    first = problems(settings)
    assert len(checked) == 15
    assert problems(settings) == first and checked == []
    changed = sorted((tmp_path / "incidents").rglob("*-incident-*.md"))[0]
    text = changed.read_text("utf-8")
    changed.write_text(text.replace("\nupdates:", "\nregions: [kr]\nupdates:", 1), "utf-8")
    problems(settings)
    assert len(checked) == 1 and checked[0] in changed.name
    changed.write_text(text, "utf-8")
    assert problems(settings) == first and len(checked) == 1
    later = dataclasses.replace(settings, now=settings.now + dt.timedelta(days=400))
    assert problems(later) != first and checked == []  # the clock's checks ran
    # A target shown in another zone (a mirror) finds them too: none of them reads a clock.
    elsewhere = dataclasses.replace(settings, timezone=ZoneInfo("Pacific/Kiritimati"))
    assert settings.timezone != elsewhere.timezone
    problems(elsewhere)
    assert checked == []
    fewer = dataclasses.replace(settings, components=settings.components[:-1])
    problems(fewer)
    assert len(checked) == 15


def test_an_incidents_source_follows_every_file_it_is_read_from(tmp_path: Path) -> None:
    """Keys take a closed incident by its sources' digest, so each of its files must move it,
    and nothing else (not where the history is checked out)."""
    incidents = tmp_path / "here" / "incidents"
    generate(incidents.parent, 3, 1, ("en", "ko"))
    main = sorted(incidents.rglob("*-incident-*.md"))[0]

    def sources(folder: Path) -> dict[str, str]:
        loader._RECENT.clear()
        return {i.id: i.source for i in loader.load_incidents(folder, "en").incidents}

    seen = [sources(incidents)]
    assert all(seen[0].values())
    for name, text in [
        (f"{main.stem}.ja.md", "日本語の説明です。\n"),
        (f"{main.stem}.postmortem.md", POSTMORTEM),
        (f"{main.stem}.postmortem.ko.md", "풀 제한을 점검합니다.\n"),
        (f"{main.stem}.postmortem.ko.md", "풀 제한을 다시 점검합니다.\n"),
        (main.name, main.read_text("utf-8").replace("\nupdates:", "\nregions: [jp]\nupdates:")),
    ]:
        (main.parent / name).write_text(text, "utf-8")
        now = sources(incidents)
        changed = {i for i in now if now[i] != seen[-1][i]}
        assert changed == {main.stem}, name
        assert now not in seen, name
        seen.append(now)
    elsewhere = tmp_path / "elsewhere" / "incidents"
    shutil.copytree(incidents, elsewhere)
    assert sources(elsewhere) == seen[-1]


def test_keys_take_incidents_and_summaries_by_what_they_were_made_from(tmp_path: Path) -> None:
    """A key writes a known incident as its sources and a recalled summary as its state's key,
    instead of walking every update and text again for each list it is in."""
    generate(tmp_path, 8, 1, LOCALES)
    loader._RECENT.clear()
    incident = loader.load_incidents(tmp_path / "incidents", "en").incidents[0]
    retitled = dataclasses.replace(incident, title=Text({"en": "Another title"}))
    assert keys.digest(incident) == keys.digest(retitled)
    retitled.source = ""
    assert keys.digest(incident) != keys.digest(retitled)

    plan = plan_site(site.load_site(load_settings(tmp_path / "mkdocs.yml")))
    listing = next(p for p in plan.pages if p.src_uri == list_src("history"))
    summaries = [s for month in listing.view["months"] for s in month.incidents]
    assert summaries, "the history lists its incidents"
    before = page_key("environment", listing)
    for summary in summaries:
        summary.key = f"state-of-{summary.id}"
    keyed = page_key("environment", listing)
    assert keyed != before
    summaries[0].duration = "a different text"
    assert page_key("environment", listing) == keyed


def test_a_closed_incidents_views_are_keyed_by_its_sources_and_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The views memo keys a closed incident read from files by its sources' digest and its
    status, without pickling its state; the clock, open incidents and an incident with no
    sources keep their own rules."""
    generate(tmp_path, 12, 3, LOCALES)
    loader._RECENT.clear()
    settings = load_settings(tmp_path / "mkdocs.yml")
    incidents = loader.load_incidents(tmp_path / "incidents", "en").incidents
    pickled = first_arguments(monkeypatch, memo, "stable_bytes")
    views = memo.ViewMemo("scope")
    now, later = settings.now, settings.now + dt.timedelta(days=30)
    states = {i.id: derive_incident(i, settings, now) for i in incidents}
    closed = [i for i in incidents if not (states[i.id].is_open or states[i.id].is_upcoming)]
    opened = [i for i in incidents if states[i.id].is_open or states[i.id].is_upcoming]
    assert closed and opened
    for incident in closed:
        state = derive_incident(incident, settings, now)
        key = views.key(state)
        assert key is not None and key == views.key(derive_incident(incident, settings, later))
        assert key != views.key(dataclasses.replace(state, status="other"))
        edited = dataclasses.replace(incident, source=incident.source[::-1])
        assert key != views.key(derive_incident(edited, settings, now))
        assert key != memo.ViewMemo("another scope").key(state)
    assert pickled == [], "closed incidents' states were pickled"
    assert all(views.key(derive_incident(i, settings, now)) is None for i in opened)
    unread = dataclasses.replace(closed[0], source="")
    assert views.key(derive_incident(unread, settings, now)) is not None
    assert len(pickled) == 1


@pytest.mark.parametrize("corpus", ["paths"], indirect=True)
def test_targets_built_in_one_process_keep_the_cache_of_read_files(
    corpus: Project, monkeypatch: pytest.MonkeyPatch, parsed: list[Path]
) -> None:
    """The second target reads the tree from memory; that must not empty the cache on disk.

    `statuskit build --jobs 1`, a worker given two targets and `mkdocs serve` all build more
    than once in one process.
    """
    monkeypatch.chdir(corpus.root)
    loader._RECENT.clear()
    corpus.build(corpus.root / "site")  # every locale, one after another, in this process
    parsed.clear()
    loader._RECENT.clear()  # as a new process
    build_target(str(corpus.config), TARGETS["paths"][0], str(corpus.root / "site"), False)
    assert parsed == []


@pytest.mark.parametrize("corpus", ["paths"], indirect=True)
def test_a_cold_build_reads_a_long_history_in_shares_first(
    corpus: Project, monkeypatch: pytest.MonkeyPatch, parsed: list[Path]
) -> None:
    """With no store of read files (a first build, a new statuskit), a build of a long history
    reads it in shares, a worker process a core, at once; the build then reads no file."""
    monkeypatch.chdir(corpus.root)
    monkeypatch.setattr(cache, "SHARED_READ", 1)  # the corpus stands for a long history
    monkeypatch.setattr(cache, "spare_cores", lambda: 1)  # two cores, whatever runs the test
    # and no other thread: an idle one an earlier test left here would stop the fork
    monkeypatch.setattr(cache, "can_fork", lambda: sys.platform == "linux")
    shares: list[int] = []
    real = cache.read_in_shares

    def counting(read: Any, jobs: int) -> dict[str, bytes]:
        shares.append(jobs)
        return real(read, jobs)

    monkeypatch.setattr(cache, "read_in_shares", counting)
    store = reading_cache_file(corpus.root / ".cache" / "statuskit")
    loader._RECENT.clear()  # as a new process
    build_target("mkdocs.yml", TARGETS["paths"][0], str(corpus.root / "site"), False)
    assert shares == [2]
    assert parsed == [], "read in the worker processes"
    assert parsecache.is_current(store)
    loader._RECENT.clear()
    build_target("mkdocs.yml", TARGETS["paths"][1], str(corpus.root / "site"), False)
    assert shares == [2], "a current store is used as it is"
    assert parsed == []

    store.unlink()
    loader._RECENT.clear()
    result = CliRunner().invoke(main, ["build", "--jobs", "2", "--site-dir", "site"])
    assert result.exit_code == 0, result.output
    assert shares == [2, 2], "once, before the targets' workers start"
    assert parsed == []

    monkeypatch.setattr(cache, "SHARED_READ", len(list(corpus.root.rglob("*.md"))) + 1)
    store.unlink()
    loader._RECENT.clear()
    build_target("mkdocs.yml", TARGETS["paths"][0], str(corpus.root / "site"), False)
    assert shares == [2, 2], "a short history is read by the build itself"
    assert parsed


@pytest.mark.parametrize("corpus", ["paths"], indirect=True)
def test_targets_built_at_once_share_the_cores_and_fork_no_children(
    corpus: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each target built at once gets its share of the machine's cores: three locales on two
    cores leave none spare, so no target forks a child to write its outputs beside it; built
    one after another, each target has every core."""
    monkeypatch.chdir(corpus.root)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    record = tmp_path / "spare"
    real = outputcache.Beside

    def beside(work: Any, what: str) -> Any:
        with record.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {processes.spare_cores()}\n")
        return real(work, what)

    monkeypatch.setattr(outputcache, "Beside", beside)
    runner = CliRunner()

    def spare(jobs: str) -> list[tuple[str, str]]:
        record.unlink(missing_ok=True)
        loader._RECENT.clear()
        result = runner.invoke(main, ["build", "--jobs", jobs, "--site-dir", "site"])
        assert result.exit_code == 0, result.output
        return [tuple(line.split()) for line in record.read_text("utf-8").splitlines()]

    at_once = spare(str(len(TARGETS["paths"])))
    assert [cores for _, cores in at_once] == ["0"] * len(TARGETS["paths"])
    assert len({pid for pid, _ in at_once}) == len(TARGETS["paths"]), "a worker each"
    assert os.environ.get(processes.CORES_VARIABLE) is None, "left as it was"
    in_turn = spare("1")
    assert in_turn == [(str(os.getpid()), "1")] * len(TARGETS["paths"])


@pytest.mark.parametrize("corpus", ["paths"], indirect=True)
def test_targets_built_at_once_share_the_history_loaded_before_they_start(
    corpus: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Worker processes forked for the targets find the history loaded by the build that forks
    them: it is taken from the store of read files once per build, not once per target."""
    monkeypatch.chdir(corpus.root)
    record = tmp_path / "loaded-in"
    real = loader._read_tree

    def spy(*args: Any) -> Any:
        with record.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return real(*args)

    monkeypatch.setattr(loader, "_read_tree", spy)
    runner = CliRunner()
    for build in range(3):  # the first reads the history ahead (in shares) and stores it
        record.unlink(missing_ok=True)
        loader._RECENT.clear()  # as a new process
        result = runner.invoke(main, ["build", "--jobs", "2", "--site-dir", "site"])
        assert result.exit_code == 0, result.output
        if build:
            assert record.read_text("utf-8").split() == [str(os.getpid())]
    assert len(TARGETS["paths"]) > 2


def _claim(marker: Path) -> bool:
    """Whether this process made `marker`: true for exactly one of the processes that try."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


@pytest.mark.parametrize("corpus", ["paths"], indirect=True)
@pytest.mark.parametrize("jobs", ["1", "3"])
def test_every_target_of_a_build_describes_the_history_as_first_read(
    corpus: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: str
) -> None:
    """A build walks and digests the incidents folder once, before its targets (at once in
    workers, or one after another): a file edited while they build changes none of them; the
    next build sees the edit."""
    monkeypatch.chdir(corpus.root)
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--site-dir", "site"]).exit_code == 0  # warm
    path = next(corpus.root.glob("incidents/*/*-open-*.md"))
    title = yaml.safe_load(path.read_text("utf-8").split("---")[1])["title"]
    title = title["en"] if isinstance(title, dict) else title
    walks = tmp_path / "walks"
    real_walk, real_build = loader._walk, cli_main.build_target

    def walk(folder: Path) -> Any:
        with walks.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return real_walk(folder)

    started, edited = tmp_path / "started", tmp_path / "edited"

    def build_one(*args: Any) -> None:  # a target that starts after another edits the file
        with started.open("a", encoding="utf-8") as out:
            out.write("target\n")
        # Workers start at once: the last to write here sees two or more, and only one of
        # those that do makes the marker (a count of exactly two could be seen by none).
        if len(started.read_text("utf-8").split()) >= 2 and _claim(edited):
            text = path.read_text("utf-8")
            path.write_text(text.replace(f"title: {title}", "title: Edited while building", 1))
        real_build(*args)

    monkeypatch.setattr(loader, "_walk", walk)
    monkeypatch.setattr(cli_main, "build_target", build_one)
    loader._RECENT.clear()
    result = runner.invoke(main, ["build", "--jobs", jobs, "--site-dir", "site"])
    assert result.exit_code == 0, result.output
    assert "Edited while building" in path.read_text("utf-8")
    assert walks.read_text("utf-8").split() == [str(os.getpid())], "one walk, before the targets"
    pages = sorted((corpus.root / "site").glob(f"*/incidents/{path.stem}/index.html"))
    assert len(pages) == len(TARGETS["paths"])
    assert all("Edited while building" not in p.read_text("utf-8") for p in pages)
    walks.unlink()
    result = runner.invoke(main, ["build", "--jobs", jobs, "--site-dir", "site"])
    assert result.exit_code == 0, result.output
    assert all("Edited while building" in p.read_text("utf-8") for p in pages)


@pytest.mark.parametrize("corpus", ["paths"], indirect=True)
def test_targets_of_one_build_describe_one_moment_and_check_the_history_once(
    corpus: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a fixed `now`, every locale of one build describes the same moment; targets
    built in one process check the history once (in the site's zone, whatever zone a target
    shows: the Japanese one's is Asia/Tokyo) and derive it once per time zone."""
    data = yaml.safe_load(corpus.config.read_text("utf-8"))
    options = data["plugins"][1]["statuskit"]
    options.pop("now")
    # The corpus was written for its own moment: its open incidents are not forgotten now.
    options.setdefault("policies", {})["open_without_update_hours"] = 24 * 365 * 100
    corpus.config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    monkeypatch.chdir(corpus.root)
    loaded: list[Any] = []
    checked: list[dt.datetime] = []
    real_load, real_check = site.load_site, site.check_incidents

    def load(settings: Any, *args: Any) -> Any:
        loaded.append(settings.timezone)
        return real_load(settings, *args)

    def check(incidents: Any, settings: Any, moment: dt.datetime) -> Any:
        checked.append(moment)
        return real_check(incidents, settings, moment)

    monkeypatch.setattr(site, "check_incidents", check)
    monkeypatch.setattr(plugin, "load_site_cached", lambda s, _: load(s))
    result = CliRunner().invoke(main, ["build", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert len(loaded) == len(TARGETS["paths"])
    assert len(set(loaded)) == 2 < len(loaded)
    assert len(checked) == 1


@pytest.mark.parametrize("corpus", ["single"], indirect=True)
def test_the_views_memo_is_stored_and_let_go_before_pages_render(
    corpus: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored views of every closed incident are not held while MkDocs renders."""
    seen: list[tuple[int, bool]] = []
    real = plugin.write_outputs

    def spy(site: Any, config: Any, *args: Any) -> Any:
        memo = config.plugins["statuskit"].memo
        seen.append((len(memo.new) + len(memo.old), Path(memo.path).is_file()))
        return real(site, config, *args)

    monkeypatch.setattr(plugin, "write_outputs", spy)
    corpus.build(corpus.root / "site")
    corpus.build(corpus.root / "site")  # a warm build reads the memo and uses it
    assert seen == [(0, True), (0, True)]


@pytest.mark.parametrize("corpus", ["single"], indirect=True)
def test_a_pages_view_is_let_go_once_the_page_is_rendered(
    corpus: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The views of a long history's pages are not held while the rest of the site renders."""
    plans: list[Any] = []
    held: list[int] = []
    real_bundles, real_finish = plugin.plan_bundles, SearchIndexer.finish

    def bundles(plan: Any, *args: Any) -> Any:
        plans.append(plan)
        return real_bundles(plan, *args)

    def finish(indexer: SearchIndexer) -> None:  # once every page is rendered
        held.append(sum(1 for spec in plans[-1].pages if spec.view))
        real_finish(indexer)

    monkeypatch.setattr(plugin, "plan_bundles", bundles)
    monkeypatch.setattr(SearchIndexer, "finish", finish)
    corpus.build(corpus.root / "site")
    corpus.build(corpus.root / "site")  # a warm build places most pages from the cache
    assert held == [0, 0]


def test_a_page_placed_from_the_cache_never_loads_its_kept_view(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closed incident's view comes from the memo as bytes; only a page that must be rendered
    unpickles it (a warm rebuild of a long history renders almost none)."""
    loaded: list[str] = []
    real = PageSpec.restore

    def spy(spec: PageSpec) -> None:
        if spec.kept is not None:
            loaded.append(spec.src_uri)
        real(spec)

    monkeypatch.setattr(PageSpec, "restore", spy)
    project, _ = build_once(tmp_path, caplog)
    build_once(tmp_path, caplog)
    assert loaded == []
    damage_json(manifest(project))  # every page is rendered again, closed ones from the memo
    build_once(tmp_path, caplog)
    assert loaded and all(uri.startswith("incidents/") for uri in loaded)


def test_validate_path_reads_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[Path]
) -> None:
    """`statuskit validate PATH` after a build parses the edited file, the rest from the cache."""
    generate(tmp_path, 15, 9, ("en", "ko"))
    monkeypatch.chdir(tmp_path)
    Project(tmp_path, "single").build(tmp_path / "site")
    assert len(parsed) == 15
    edited = sorted(tmp_path.glob("incidents/*/*-incident-*.md"))[-1]
    edited.write_text(edited.read_text("utf-8").replace("\ntitle:", "\ntitle_typo:", 1), "utf-8")
    parsed.clear()
    loader._RECENT.clear()
    result = CliRunner().invoke(main, ["validate", str(edited.relative_to(tmp_path))])
    assert result.exit_code == 1, result.output
    assert parsed == [edited.resolve()] or parsed == [edited.relative_to(tmp_path)], parsed
    assert edited.name in result.output and "title" in result.output


def test_deploy_workflow_keeps_the_build_cache() -> None:
    """CI restores and saves the folder builds use, so a merge republishes only what changed."""
    from statuskit.adapter.config import StatuskitConfig

    workflow = yaml.safe_load((ROOT / ".github/workflows/deploy.yml").read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    names = [str(step.get("uses", "")) for step in steps]
    cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache@"))
    config = StatuskitConfig()
    config.load_dict({})
    config.validate()
    default = config.cache_dir
    assert cache["with"]["path"] == default
    assert cache["with"]["restore-keys"] and cache["with"]["key"].startswith(
        cache["with"]["restore-keys"]
    )
    build = next(i for i, s in enumerate(steps) if "statuskit build" in str(s.get("run", "")))
    assert names.index(cache["uses"]) < build, "restored before the build"


def test_override_showing_build_time_turns_page_reuse_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A site template printing MkDocs' build time changes every page at every build."""
    project, _ = build_once(tmp_path, caplog)
    overrides = project.root / "overrides"
    overrides.mkdir()
    (overrides / "main.html").write_text(
        '{% extends "base.html" %}\n{% block footer %}Built {{ build_date_utc }}{% endblock %}\n',
        "utf-8",
    )
    data = yaml.safe_load(project.config.read_text("utf-8"))
    data["theme"]["custom_dir"] = "overrides"
    project.config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    _, reused = build_once(tmp_path, caplog)
    assert reused == [] and "page cache off" in caplog.text


def test_next_day_reuses_the_pages_of_resolved_incidents(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock moves every page's relative times; only pages that show one are rendered again."""
    generate(tmp_path / "project", 12, 5, ("en", "ko"))
    project = Project(tmp_path / "project", "single")
    monkeypatch.chdir(project.root)
    data = yaml.safe_load(project.config.read_text("utf-8"))
    now = data["plugins"][1]["statuskit"]["now"]
    project.edit_config({"now": now})  # the file as the edit below writes it, `now:` aside
    project.build(project.root / "site")
    later = dt.datetime.fromisoformat(str(now)) + dt.timedelta(days=1, hours=3)
    project.edit_config({"now": later.isoformat()})
    reused = compare(project, tmp_path, caplog)
    resolved = sum(
        1
        for path in (project.root / "incidents").rglob("*.md")
        if path.name.count(".") == 1 and "-open-" not in path.name
    )
    assert reused[0] >= resolved, (reused, resolved)
    # Nor are their views planned again: they come from the last build's memo.
    (planned,) = re.findall(r"(\d+) closed incident\(s\) not planned again", caplog.text)[:1]
    incidents = len(list((project.root / "incidents").rglob("*-incident-*[0-9].md")))
    assert int(planned) >= incidents > 0, (planned, incidents)


def test_an_update_renders_only_the_pages_it_changes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Work in proportion to the change: the pages rendered again are the pages that differ."""
    generate(tmp_path / "project", 60, 11, ("en", "ko"))
    project = Project(tmp_path / "project", "single")
    monkeypatch.chdir(project.root)
    project.edit_config({"page_size": 3})  # long component histories, many pages each
    site = project.root / "site"
    project.build(site)
    before = tmp_path / "before"
    shutil.copytree(site, before)
    incident = project.open_incident()
    cli(
        project,
        "update",
        incident,
        "-s",
        "identified",
        "-m",
        "Found.",
        "--at",
        "2026-11-20T11:50+09:00",
    )
    caplog.clear()
    with caplog.at_level(logging.INFO):
        project.build(site)
    ((reused, rendered),) = [(int(a), int(b)) for a, b in REUSED.findall(caplog.text)]
    pages = [p.relative_to(site) for p in site.rglob("*.html")]
    changed = [
        p
        for p in pages
        if not (before / p).exists() or filecmp.cmp(before / p, site / p, shallow=False) is False
    ]
    assert 0 < rendered <= len(changed) < len(pages) // 4, (rendered, len(changed), len(pages))
    assert reused + rendered > len(pages) // 2


# A page of a paginated list: the history, a category's or a component's; its older pages.
LIST_PAGE = re.compile(r"^(.*?(?:history(?:/category/[^/]+)?|components/[^/]+))(?:/page/\d+)?$")


def differing(before: Path, site: Path) -> list[Path]:
    """The pages of `site` that are new or differ from those of `before`."""
    return [
        p.relative_to(site)
        for p in site.rglob("*.html")
        if not (before / p.relative_to(site)).exists()
        or not filecmp.cmp(before / p.relative_to(site), p, shallow=False)
    ]


@pytest.mark.parametrize(
    "change",
    [
        ("resolve", "{open}", "-m", "Fixed.", "--at", "2026-11-20T11:55+09:00"),
        ("new", "Checkout errors", "-c", "api=partial_outage", "--at", "2026-11-20T11:58+09:00"),
    ],
    ids=["resolve", "new"],
)
def test_a_new_or_resolved_incident_changes_few_pages_of_each_list(
    change: tuple[str, ...],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lists are cut from their oldest incident, so a recent one leaves the older pages alone."""
    generate(tmp_path / "project", 90, 11, ("en", "ko"))
    project = Project(tmp_path / "project", "single")
    monkeypatch.chdir(project.root)
    project.edit_config({"page_size": 3})  # many pages in every list
    site = project.root / "site"
    project.build(site)
    before = tmp_path / "before"
    shutil.copytree(site, before)
    cli(project, *(arg.format(open=project.open_incident()) for arg in change))
    caplog.clear()
    with caplog.at_level(logging.INFO):
        project.build(site)
    ((_, rendered),) = [(int(a), int(b)) for a, b in REUSED.findall(caplog.text)]
    changed = differing(before, site)
    assert 0 < rendered <= len(changed), (rendered, len(changed))
    lists: dict[str, list[str]] = {}
    for page in site.rglob("index.html"):
        if match := LIST_PAGE.match(page.parent.relative_to(site).as_posix()):
            lists.setdefault(match[1], []).append(page.parent.relative_to(site).as_posix())
    assert lists and max(len(pages) for pages in lists.values()) > 6, lists.keys()
    by_list: dict[str, list[str]] = {}
    for page in changed:
        if match := LIST_PAGE.match(page.parent.as_posix()):
            by_list.setdefault(match[1], []).append(page.parent.as_posix())
    assert by_list, changed  # the change shows in some list
    assert max(len(pages) for pages in by_list.values()) <= 3, by_list


def test_a_rendered_page_is_kept_as_the_file_mkdocs_wrote(tmp_path: Path) -> None:
    """The cache keeps a rendered page by linking the site's file, not by writing it again; a
    site file that is not what was rendered (changed after MkDocs wrote it) is not kept."""
    root = tmp_path / "project"
    generate(root, 12, 4, ("en", "ko"))
    project = Project(root, "single")
    project.build(root / "site")
    (folder,) = (root / ".cache" / "statuskit" / f"v{FORMAT}").glob("single-*")
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))["pages"]
    assert manifest
    for uri, entry in manifest.items():
        page = root / "site" / uri.removesuffix(".md") / "index.html"
        assert page.samefile(folder / "pages" / entry["html"]), uri

    site = tmp_path / "site.html"
    site.write_bytes(b"<p>changed after rendering</p>")
    cache = PageCache(tmp_path / "cache")
    cache.adopt({"x.md": Rendered("key", "digest", len(b"<p>rendered</p>"), None, str(site))})
    assert cache.fresh == {} and not (tmp_path / "cache" / "pages" / "digest").exists()

    # A temporary link that a killed build left under the page's name is replaced.
    written = tmp_path / "written.html"
    written.write_bytes(b"<p>rendered</p>")
    (cache.pages_dir / ".tmp-fresh").write_bytes(b"<p>half of a page</p>")
    cache.adopt({"y.md": Rendered("key", "fresh", written.stat().st_size, None, str(written))})
    assert (cache.pages_dir / "fresh").samefile(written), "kept as the file MkDocs wrote"
    assert not (cache.pages_dir / ".tmp-fresh").exists() and list(cache.fresh) == ["y.md"]


def test_a_rebuild_of_the_same_pages_gives_the_sitemap_rendered_before(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sitemap lists every page: rendering it again for one update costs what rendering
    10,000 entries costs. The same pages on the same date take its text from the cache, a
    damaged one is rendered again, and a site's own sitemap template is always rendered."""
    caches = first_arguments(monkeypatch, cache.PageCache, "keep_sitemap")
    project, _ = build_once(tmp_path, caplog)
    monkeypatch.chdir(project.root)

    def rendered() -> int:
        """The sitemaps rendered (and kept) by the project's builds, not the clean copies'."""
        return sum(1 for c in caches if c.folder.is_relative_to(project.root))

    assert rendered() == 1
    cli(project, "update", project.open_incident(), "-s", "identified", "-m", "Found.")
    assert compare(project, tmp_path, caplog)[0] > 0
    assert rendered() == 1, "the same pages: the sitemap's text is the one kept"
    (text,) = [
        path
        for path in project.root.glob(".cache/statuskit/v*/*/pages/*")
        if path.read_bytes().startswith(b"<?xml")
    ]
    text.unlink()
    text.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset/>')
    compare(project, tmp_path, caplog)
    assert rendered() == 2, "a damaged text is rendered again"

    overrides = project.root / "overrides"
    overrides.mkdir()
    (overrides / "sitemap.xml").write_text("{{ pages|length }} pages\n", "utf-8")
    data = yaml.safe_load(project.config.read_text("utf-8"))
    data["theme"]["custom_dir"] = "overrides"
    project.config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    for _ in range(2):
        compare(project, tmp_path, caplog)
        count = int((project.root / "site" / "sitemap.xml").read_text("utf-8").split()[0])
        assert count > 10, "the site's own sitemap lists every page"
    assert rendered() == 2
