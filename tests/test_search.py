"""The search index in bundles, one per year of incidents (the newest by quarter, the open ones
apart): a rebuild indexes only the bundles whose pages changed, copies the others from the build
cache, and writes what a clean build writes."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mkdocs.exceptions import Abort

from conftest import ROOT
from statuskit.adapter import pagefind, plugin, search
from statuskit.adapter.search import INDEXED_FOLDERS, LISTING, MANIFEST
from statuskit.cli.main import main
from test_incremental import Project, assert_same_tree
from test_output_cache import Record, record_reads, touch_later

sys.path.insert(0, str(ROOT / "benchmarks"))
from checkout import restore_from_archive
from corpus import generate

SEARCHED = re.compile(r"search: (\d+) bundle\(s\) reused, (\d+) indexed(?: \(([^)]*)\))?")


def build(project: Project, caplog: pytest.LogCaptureFixture) -> tuple[int, list[str]]:
    """One build; the number of bundles reused and the names of those indexed."""
    caplog.clear()
    with caplog.at_level(logging.INFO):
        project.build(project.root / "site")
    (found,) = SEARCHED.findall(caplog.text)
    return int(found[0]), [name for name in found[2].split(", ") if name]


def bundles(project: Project) -> list[str]:
    data = json.loads((project.root / "site" / "pagefind" / MANIFEST).read_text("utf-8"))
    return [str(name) for name in data["bundles"]]


def same_as_clean(project: Project, tmp_path: Path) -> None:
    clean = project.clean_copy(tmp_path / "clean")
    clean.build(clean.root / "site")
    assert_same_tree(clean.root / "site", project.root / "site")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A history over five years, built once (one locale), with its build cache."""
    root = tmp_path / "project"
    generate(root, 30, 11, ("en", "ko"))
    monkeypatch.chdir(root)
    return Project(root, "single")


def test_a_changed_incident_reindexes_only_its_bundle(
    project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An update to an open incident re-indexes the open incidents' bundle; its resolution
    moves it into its quarter's; a late change to a resolved incident re-indexes that quarter."""
    reused, indexed = build(project, caplog)
    names = bundles(project)
    # Newest first: the open incidents (where updates land), the newest year by quarter, then
    # earlier years whole.
    assert names[0] == "open"
    quarters = [n for n in names if n.startswith("2026-q")]
    years = [n for n in names if n.isdigit()]
    assert quarters and names[1 : 1 + len(quarters)] == sorted(quarters, reverse=True)
    assert len(years) >= 3 and names[1 + len(quarters) :] == sorted(years, reverse=True)
    assert (reused, indexed) == (0, names)
    # Every bundle holds pages.
    for name in names:
        fragments = project.root / "site" / "pagefind" / name / "fragment"
        assert any(fragments.iterdir()), name

    assert build(project, caplog) == (len(names), []), "nothing changed, nothing indexed"

    incident = project.open_incident()
    month = int(incident.split("-")[1])
    quarter = f"2026-q{(month - 1) // 3 + 1}"
    assert incident.startswith("2026-")
    update = ["update", incident, "-s", "identified", "-m", "Found the cause."]
    result = CliRunner().invoke(main, [*update, "--at", "2026-11-20T11:50:00+09:00"])
    assert result.exit_code == 0, result.output
    assert build(project, caplog) == (len(names) - 1, ["open"])
    same_as_clean(project, tmp_path)

    resolve = ["update", incident, "-s", "resolved", "-m", "Fixed."]
    result = CliRunner().invoke(main, [*resolve, "--at", "2026-11-20T11:55:00+09:00"])
    assert result.exit_code == 0, result.output
    reused, indexed = build(project, caplog)
    still_open = ["open"] if "open" in bundles(project) else []  # other incidents are open
    assert sorted(indexed) == sorted([quarter, *still_open])
    same_as_clean(project, tmp_path)

    late = project.root / "incidents" / "2026" / f"{incident}.md"
    late.write_text(late.read_text("utf-8").replace("Fixed.", "Fixed for every region."), "utf-8")
    assert build(project, caplog) == (len(bundles(project)) - 1, [quarter])
    same_as_clean(project, tmp_path)


def test_without_cache_every_bundle_is_indexed(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    project.edit_config({"cache": False})
    build(project, caplog)
    reused, indexed = build(project, caplog)
    assert reused == 0 and indexed == bundles(project)
    assert not (project.root / ".cache").exists()


def cached_bundles(project: Project) -> list[Path]:
    return sorted(p.parent for p in (project.root / ".cache").rglob(f"search/*/{LISTING}"))


def cut_a_fragment(entry: Path) -> None:
    fragment = next((entry / "fragment").iterdir())
    fragment.write_bytes(fragment.read_bytes()[:10])


def unreadable_listing(entry: Path) -> None:
    (entry / LISTING).write_text("{not json", "utf-8")


def listing_of_another_key(entry: Path) -> None:
    """An entry moved under another key (a foreign or mixed-up cache)."""
    other = cached_bundles_of(entry)[0]
    shutil.rmtree(entry)
    shutil.copytree(other, entry)


def cached_bundles_of(entry: Path) -> list[Path]:
    return [p for p in sorted(entry.parent.iterdir()) if p != entry]


def missing_file(entry: Path) -> None:
    (entry / "pagefind.js").unlink()


@pytest.mark.parametrize(
    "damage",
    [cut_a_fragment, unreadable_listing, listing_of_another_key, missing_file],
    ids=lambda f: f.__name__,
)
def test_damaged_bundle_cache_is_ignored(
    damage: Callable[[Path], None],
    project: Project,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    build(project, caplog)
    entries = cached_bundles(project)
    assert len(entries) == len(bundles(project))
    damage(entries[-1])
    reused, indexed = build(project, caplog)
    assert (reused, len(indexed)) == (len(entries) - 1, 1)
    assert "ignoring the search bundle cached" in caplog.text
    same_as_clean(project, tmp_path)
    # The damaged entry was replaced: the next build reuses everything.
    assert build(project, caplog) == (len(entries), [])


def test_cached_bundles_are_read_again_only_when_their_stamp_changed(
    project: Project,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Restoring a bundle does not read its files while their sizes and times are those they
    were checked with, also after CI restores the cache; touched files are checked once."""
    build(project, caplog)
    read = Record(tmp_path / "read")
    record_reads(monkeypatch, search, read)
    restore_from_archive(project.root / ".cache", tmp_path / "aside")
    reused, indexed = build(project, caplog)
    assert (reused, indexed) == (len(bundles(project)), [])
    assert read.lines() == [], "a restored cache is read again"
    files = [p for e in cached_bundles(project) for p in e.rglob("*") if p.name != LISTING]
    touched = touch_later(files)
    assert build(project, caplog) == (reused, [])
    assert sorted(read.lines()) == sorted(touched)
    read.clear()
    assert build(project, caplog) == (reused, [])
    assert read.lines() == []


def test_a_site_page_under_incidents_is_in_the_other_bundle(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    """main.html marks a site's own page under incidents/ too; it is found like before."""
    (project.root / "docs" / "incidents").mkdir(parents=True)
    (project.root / "docs" / "incidents" / "about.md").write_text("# About incidents\n", "utf-8")
    build(project, caplog)
    assert bundles(project)[-1] == "other"
    entry = project.root / "site" / "pagefind" / "other" / "pagefind-entry.json"
    languages = json.loads(entry.read_text("utf-8"))["languages"]
    assert sum(language["page_count"] for language in languages.values()) == 1


def test_a_rebuild_reads_only_the_pages_it_rendered(
    project: Project, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bundle keys take the page cache's digest of each page it placed or stored, so finding
    the unchanged bundles of a large history does not read every page again."""
    read: list[bytes] = []
    real = search.content_digest

    def reading(content: bytes) -> str:
        read.append(content)
        return real(content)

    monkeypatch.setattr(search, "content_digest", reading)
    build(project, caplog)
    assert read == [], "a clean build knows the digest of every page it rendered"
    assert build(project, caplog) == (len(bundles(project)), [])
    assert read == []
    project.edit_config({"cache": False})
    build(project, caplog)
    site = project.root / "site"
    pages = [p for folder in INDEXED_FOLDERS for p in (site / folder).glob("*/index.html")]
    assert len(read) == len(pages) > 0


def test_bundles_are_indexed_while_the_other_pages_render(
    project: Project,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Incidents render oldest first: the oldest year's bundle is indexed, beside MkDocs,
    before the last page is rendered; the index is the one indexing at the end gives."""
    events: list[str] = []
    real_start, real_post_page = search._start_index, plugin.StatuskitPlugin.on_post_page

    def start(service: Any, site: Path, bundle: Any, *args: Any) -> Any:
        events.append(f"index {bundle.name}")
        return real_start(service, site, bundle, *args)

    def post_page(self: Any, output: str, /, **kwargs: Any) -> Any:
        events.append("page")
        return real_post_page(self, output, **kwargs)

    monkeypatch.setattr(search, "_start_index", start)
    monkeypatch.setattr(plugin.StatuskitPlugin, "on_post_page", post_page)
    project.edit_config({"cache": False})
    build(project, caplog)
    # The oldest year is complete once the next year's first page is written, and no run is
    # going then: its run starts at once (later ones wait for the run before them).
    oldest = [name for name in bundles(project) if name.isdigit()][-1]
    last_page = len(events) - events[::-1].index("page") - 1
    assert events.index(f"index {oldest}") < last_page, events

    # Indexing every bundle once all pages are written gives the same site.
    monkeypatch.setattr(search.SearchIndexer, "written", lambda self, pages: None)
    at_end = project.clean_copy(tmp_path / "at-end")
    at_end.edit_config({"cache": False})
    at_end.build(at_end.root / "site")
    assert_same_tree(at_end.root / "site", project.root / "site")


def test_every_bundle_is_complete_before_the_lists_render(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages search indexes render first, a postmortem beside its incident, so each bundle
    is indexed beside the rendering: a postmortem rendered after the lists kept its year's
    bundle waiting until the end, and the build waited for Pagefind to index it."""
    root = tmp_path / "project"
    generate(root, 30, 11, ("en", "ko"), postmortems=0.3)
    assert list(root.glob("incidents/*/*.postmortem.md")), "the corpus has postmortems"
    monkeypatch.chdir(root)
    events: list[tuple[str, str]] = []
    real_ready, real_post_page = search.SearchIndexer._ready, plugin.StatuskitPlugin.on_post_page

    def ready(self: Any, name: str) -> None:
        events.append(("ready", name))
        real_ready(self, name)

    def post_page(self: Any, output: str, /, **kwargs: Any) -> Any:
        events.append(("page", kwargs["page"].file.src_uri))
        return real_post_page(self, output, **kwargs)

    monkeypatch.setattr(search.SearchIndexer, "_ready", ready)
    monkeypatch.setattr(plugin.StatuskitPlugin, "on_post_page", post_page)
    project = Project(root, "single")
    project.edit_config({"cache": False})
    build(project, caplog)
    last_ready = max(i for i, (kind, _) in enumerate(events) if kind == "ready")
    indexed = tuple(f"{folder}/" for folder in INDEXED_FOLDERS)
    others = [uri for kind, uri in events if kind == "page" and not uri.startswith(indexed)]
    before = [uri for kind, uri in events[:last_ready] if kind == "page" and uri in others]
    # The last bundle's last page is found written when the page after it renders.
    assert len(before) <= 1 < len(others), before
    assert {name for kind, name in events if kind == "ready"} == set(bundles(project))


def test_a_failing_indexer_fails_the_build_and_names_the_bundle(
    project: Project,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pagefind runs beside the rendering, below it; when it fails, the build stops with its
    message."""
    real = search.pagefind_command()
    fake = tmp_path / "pagefind"
    fake.write_text(
        "#!/bin/sh\n"
        f'[ "$1" = --version ] && exec {" ".join(real)} --version\n'
        'echo "Error: cannot index: disk quota exceeded (niceness $(nice))" >&2\n'
        "exit 3\n",
        "utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    project.edit_config({"cache": False})
    site = project.root / "site"
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        project.build(site)
    (message,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Pagefind could not index" in message and "disk quota exceeded" in message
    assert "(exit 3)" in message
    # It ran below the build, so the rendering it ran beside kept its processor.
    assert f"niceness {min(os.nice(0) + pagefind.NICENESS, 19)})" in message
    assert not list((site / "pagefind").glob(".pages-*")), "its folder of links is removed"


def test_one_service_indexes_each_bundle_as_pagefinds_command_does(
    project: Project, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """A build's bundles go through one Pagefind service, an index each in turn; each bundle
    is what Pagefind's own command writes for the same pages."""
    project.edit_config({"cache": False})
    build(project, caplog)
    site = project.root / "site"
    pages = sorted(
        p.relative_to(site).as_posix()
        for folder in INDEXED_FOLDERS
        for p in (site / folder).glob("*/index.html")
    )
    halves = {"first": pages[: len(pages) // 2], "second": pages[len(pages) // 2 :]}
    indexer = search.SearchIndexer(str(site), halves, None)
    indexer.finish()
    assert indexer.service is None, "the service ends with the indexing"
    for name, half in halves.items():
        work = tmp_path / name
        for page in half:
            (work / page).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / page, work / page)
        by_command = tmp_path / f"{name}-bundle"
        arguments = ["--site", str(work), "--output-path", str(by_command), "--silent"]
        subprocess.run([*search.pagefind_command(), *arguments], cwd=work, check=True)
        for path in by_command.iterdir():
            if path.name.startswith(search.UNUSED_PREFIXES):
                path.unlink()
        assert_same_tree(by_command, site / "pagefind" / name)


def test_statuskit_build_starts_each_targets_service_before_reading_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`statuskit build` starts a warm Pagefind service per target before its workers fork;
    each worker takes its target's (none starts its own), and none outlives the build."""
    root = tmp_path / "project"
    generate(root, 40, 5, ("en", "ko", "ja"))
    monkeypatch.chdir(root)
    started = tmp_path / "started"
    wrapper = tmp_path / "pagefind"
    real = " ".join(search.pagefind_command())
    wrapper.write_text(
        f'#!/bin/sh\n[ "$1" = --service ] && echo "$$ $PPID" >> {started}\nexec {real} "$@"\n',
        "utf-8",
    )
    wrapper.chmod(0o755)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PAGEFIND_BINARY_PATH": str(wrapper)}
    command = [sys.executable, "-m", "statuskit.cli.main", "build", "--jobs", "3"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    _, errors = process.communicate(timeout=600)
    assert process.returncode == 0, errors
    starts = [line.split() for line in started.read_text("utf-8").splitlines()]
    assert len(starts) == 3, starts
    assert {int(parent) for _, parent in starts} == {process.pid}, "started by the build itself"
    for pid, _ in starts:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
    assert (root / "site" / "ja" / "pagefind" / MANIFEST).is_file()


class _Silent:
    """A Pagefind service that takes requests and is never asked for their answers."""

    def send(self, payload: dict[str, Any], ignore: bool = False) -> int:
        return 1


def test_a_folder_of_links_goes_by_what_was_made_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder of links Pagefind reads goes by one call a link or folder made in it (a clean
    build's bundles link every page, and a walk of the tree reads each folder first); anything
    else in it goes too, by a walk."""
    site, output = tmp_path / "site", tmp_path / "pagefind"
    pages = ["incidents/a/index.html", "incidents/b/index.html", "postmortems/a/index.html"]
    for page in pages:
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        (site / page).write_text("<p>page</p>", "utf-8")
    output.mkdir()
    bundle = search.Bundle("2026", pages, "key")

    running = search._start_index(_Silent(), site, bundle, pages, output)  # type: ignore[arg-type]
    made = sorted(p.relative_to(running.work).as_posix() for p in running.work.rglob("*"))
    assert made == sorted(
        [*pages, "incidents", "incidents/a", "incidents/b", "postmortems", "postmortems/a"]
    )
    assert all((running.work / page).samefile(site / page) for page in pages)
    walks: list[Any] = []
    monkeypatch.setattr(search.shutil, "rmtree", lambda *args, **kwargs: walks.append(args))
    search._remove_work(running)
    assert not running.work.exists() and walks == []
    monkeypatch.undo()

    running = search._start_index(_Silent(), site, bundle, pages, output)  # type: ignore[arg-type]
    (running.work / "incidents" / "a" / "stray.html").write_text("<p>stray</p>", "utf-8")
    search._remove_work(running)
    assert list(output.iterdir()) == []
    assert all((site / page).is_file() for page in pages), "the site's pages stay"
