"""Per-incident feeds and calendar events come back from the output cache when nothing they show
changed; a rebuild writes exactly what a clean build writes, and a damaged cache is ignored."""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mkdocs.exceptions import Abort

from conftest import ROOT
from statuskit.adapter import outputcache, plugin, processes
from statuskit.adapter.cache import FORMAT, link_or_copy
from statuskit.adapter.outputcache import FILES, FOLDER, MANIFEST
from statuskit.cli.main import main
from test_incremental import Project, assert_same_tree, cli

sys.path.insert(0, str(ROOT / "benchmarks"))
from checkout import restore_from_archive
from corpus import generate

OUTPUTS = re.compile(
    r"outputs: (\d+) file\(s\) reused, (\d+) rendered; (\d+) part\(s\) reused, (\d+)"
)


class Record:
    """Lines appended by the build and by the child process that writes its outputs."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, line: object) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(f"{line}\n")

    def lines(self) -> list[str]:
        return self.path.read_text("utf-8").splitlines() if self.path.exists() else []

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds here fork as on a two-core machine where nothing else runs: an idle thread that
    an earlier test left in this process (an executor's) would otherwise make them write at
    once (`test_no_fork_while_another_thread_runs` covers that rule)."""
    monkeypatch.setattr(processes, "spare_cores", lambda: 1)
    monkeypatch.setattr(processes, "can_fork", lambda: sys.platform == "linux")


def build(project: Project, caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    """Build the project; how many output files were reused and how many rendered."""
    return build_parts(project, caplog)[:2]


def build_parts(project: Project, caplog: pytest.LogCaptureFixture) -> tuple[int, int, int, int]:
    """Files reused and rendered, then parts of files (calendar events) reused and rendered."""
    caplog.clear()
    with caplog.at_level(logging.INFO):
        project.build(project.root / "site")
    (found,) = OUTPUTS.findall(caplog.text)
    reused, rendered, parts_reused, parts_rendered = map(int, found)
    return reused, rendered, parts_reused, parts_rendered


def same_as_clean(project: Project, tmp_path: Path) -> None:
    clean = project.clean_copy(tmp_path / "clean")
    clean.build(clean.root / "site")
    assert_same_tree(clean.root / "site", project.root / "site")


def cache_folder(project: Project) -> Path:
    (folder,) = (project.root / ".cache" / "statuskit" / f"v{FORMAT}").glob(f"*/{FOLDER}")
    return folder


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    root = tmp_path / "project"
    generate(root, 16, 5, ("en", "ko"))
    monkeypatch.chdir(root)
    return Project(root, "single")


def test_one_update_renders_only_that_incidents_feeds(
    project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feeds = len(list(project.root.glob("incidents/*/*.md"))) * 2
    assert build(project, caplog) == (0, feeds)
    assert build(project, caplog) == (feeds, 0)
    incident = project.open_incident()
    cli(
        project,
        "update",
        incident,
        "-s",
        "identified",
        "-m",
        "Found it.",
        "--at",
        "2026-11-20T11:50:00+09:00",
    )
    assert build(project, caplog) == (feeds - 2, 2)
    same_as_clean(project, tmp_path)
    # Reused feeds are the cache's own files, not copies; the replaced ones left the cache.
    site_feed = project.root / "site" / "feeds" / "incidents"
    kept = list((cache_folder(project) / FILES).iterdir())
    assert len(kept) == feeds
    assert all(any(path.samefile(k) for k in kept) for path in site_feed.iterdir())


def test_an_edited_maintenance_renders_its_calendar_event_again(
    project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    maintenance = sorted(project.root.glob("incidents/*/*-maintenance-*.md"))
    windows = len(maintenance)
    assert windows > 1
    assert build_parts(project, caplog)[2:] == (0, windows)
    assert build_parts(project, caplog)[2:] == (windows, 0)
    text = maintenance[0].read_text("utf-8")
    assert "\nscheduled_until: 20" in text
    edited = re.sub(r"(\nscheduled_until: \S+T\d\d:)(\d\d)", lambda m: m[1] + "59", text, count=1)
    assert edited != text
    maintenance[0].write_text(edited, "utf-8")
    assert build_parts(project, caplog) == (
        len(list(project.root.glob("incidents/*/*.md"))) * 2 - 2,
        2,
        windows - 1,
        1,
    )
    same_as_clean(project, tmp_path)


def damage_file(folder: Path) -> None:
    """One kept feed cut short: its incident's feeds are rendered again, the others reused."""
    kept = sorted((folder / FILES).iterdir())[0]
    kept.write_bytes(kept.read_bytes()[:200])


def damage_part(folder: Path) -> None:
    """One kept calendar event says something else, in valid JSON."""
    path = folder / MANIFEST
    data = json.loads(path.read_text("utf-8"))
    key = sorted(data["parts"])[0]
    data["parts"][key][1] = data["parts"][key][1].replace("SUMMARY", "SUMMARY:Forged\r\nX-A", 1)
    path.write_text(json.dumps(data), "utf-8")


def damage_manifest(folder: Path) -> None:
    path = folder / MANIFEST
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def damage_version(folder: Path) -> None:
    path = folder / MANIFEST
    data = json.loads(path.read_text("utf-8"))
    data["statuskit"] = "0.0.1+another"
    path.write_text(json.dumps(data), "utf-8")


@pytest.mark.parametrize(
    "damage",
    [damage_file, damage_part, damage_manifest, damage_version],
    ids=lambda f: f.__name__,
)
def test_damaged_or_foreign_output_cache_is_ignored(
    damage: object, project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert callable(damage)
    _, feeds, _, windows = build_parts(project, caplog)
    damage(cache_folder(project))
    counts = build_parts(project, caplog)
    same_as_clean(project, tmp_path)
    if damage is damage_file:
        assert counts == (feeds - 2, 2, windows, 0)
    elif damage is damage_part:
        assert counts == (feeds, 0, windows - 1, 1)
    else:
        assert counts == (0, feeds, 0, windows)
        assert "ignoring the output cache" in caplog.text
    assert build(project, caplog) == (feeds, 0), "the next build has a good cache again"


def test_without_a_cache_every_output_is_written_the_same(
    project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, feeds = build(project, caplog)
    plain = project.clean_copy(tmp_path / "plain")
    plain.edit_config({"cache": False})
    assert build(plain, caplog) == (0, feeds)
    assert not (plain.root / ".cache").exists()
    assert_same_tree(project.root / "site", plain.root / "site")


@pytest.mark.parametrize("output", ["feeds/incidents/{id}.rss", "history.atom"])
def test_a_site_file_at_an_outputs_path_is_refused(
    output: str, project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    """Outputs written straight into the site folder still never replace a site's own file."""
    path = output.format(id=project.open_incident())
    own = project.root / "docs" / path
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text("mine", "utf-8")
    with pytest.raises(Abort):
        build(project, caplog)
    assert f"docs/{path} would be replaced by a generated output" in caplog.text


def test_a_file_already_in_the_site_is_replaced_not_written_through(tmp_path: Path) -> None:
    """A dirty build finds last build's files, hard links into the cache: each is unlinked
    before the new one is written or linked, so the cache keeps its bytes."""
    kept = tmp_path / "kept"
    kept.write_bytes(b"kept bytes")
    site = tmp_path / "site.atom"
    os.link(kept, site)
    outputcache._write_new(str(site), b"new bytes")
    assert kept.read_bytes() == b"kept bytes" and site.read_bytes() == b"new bytes"
    other = tmp_path / "other"
    other.write_bytes(b"other bytes")
    link_or_copy(str(other), str(site))
    assert site.samefile(other) and kept.read_bytes() == b"kept bytes"


def test_kept_files_are_read_again_only_when_their_stamp_changed(
    project: Project, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild trusts a kept file untouched since its digest was checked, and so does a
    cache restored as CI restores one (new inodes, same sizes and times); files whose times
    changed are read and checked once, then trusted."""
    read = Record(project.root.parent / "read")
    _, feeds = build(project, caplog)
    record_reads(monkeypatch, outputcache, read)
    assert build(project, caplog) == (feeds, 0)
    assert read.lines() == []
    cache = project.root / ".cache"
    restore_from_archive(cache, project.root.parent / "aside")
    assert build(project, caplog) == (feeds, 0)
    assert read.lines() == [], "a restored cache is read again"
    touch_later((cache / "statuskit").rglob("*"))
    assert build(project, caplog) == (feeds, 0)
    assert len(read.lines()) == feeds
    read.clear()
    assert build(project, caplog) == (feeds, 0)
    assert read.lines() == []


def record_reads(monkeypatch: pytest.MonkeyPatch, module: object, record: Record) -> None:
    """Every file `module` opens to read bytes from here on is written to `record` (also from
    a child process)."""

    def reading(path: str, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode == "rb":
            record.append(path)
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(module, "open", reading, raising=False)


def touch_later(paths: Iterable[Path]) -> list[str]:
    """Give the files among `paths` a time a minute ahead (contents unchanged); their names."""
    later = time.time() + 60
    touched = [p for p in paths if p.is_file()]
    for path in touched:
        os.utime(path, (later, later))
    return [str(p) for p in touched]


def test_the_per_incident_files_are_written_beside_the_rendering(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child process writes the feeds of every incident while MkDocs renders the pages on
    this one; the site is the one written in the build's own process."""
    forking(monkeypatch)
    writers = Record(tmp_path / "writers")
    rendering = Record(tmp_path / "rendering")
    real_write, real_post_page = outputcache.OutputCache.write, plugin.StatuskitPlugin.on_post_page

    def write(cache: Any, group: Any, site_dir: str) -> None:
        writers.append(os.getpid())
        real_write(cache, group, site_dir)

    def post_page(self: Any, output: str, **kwargs: Any) -> Any:
        rendering.append(os.getpid())
        return real_post_page(self, output, **kwargs)

    monkeypatch.setattr(outputcache.OutputCache, "write", write)
    monkeypatch.setattr(plugin.StatuskitPlugin, "on_post_page", post_page)
    project.build(project.root / "site")
    assert set(rendering.lines()) == {str(os.getpid())}
    assert len(writers.lines()) == len(list(project.root.glob("incidents/*/*.md")))
    assert set(writers.lines()).isdisjoint(rendering.lines()), "written in another process"
    assert len(set(writers.lines())) == 1
    alone = project.clean_copy(tmp_path / "alone")
    monkeypatch.setattr(processes, "spare_cores", lambda: 0)
    writers.clear()
    alone.build(alone.root / "site")
    assert set(writers.lines()) == {str(os.getpid())}, "no core to spare: written here"
    assert_same_tree(alone.root / "site", project.root / "site")


def test_a_failure_writing_the_per_incident_files_fails_the_build_and_names_the_file(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child's error (here a full disk) is the build's, with the file it could not write;
    the published site stays as it was."""
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    published = {p: p.read_bytes() for p in (project.root / "site").rglob("*") if p.is_file()}
    real = outputcache._write_new
    incident = project.open_incident()

    def full(path: str, content: bytes) -> None:
        if path.endswith(f"{incident}.rss"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        real(path, content)

    monkeypatch.setattr(outputcache, "_write_new", full)
    shutil.rmtree(project.root / ".cache")  # every feed is written again
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert f"cannot write {project.root}/.site.building/en/feeds/incidents/{incident}.rss" in (
        result.output
    )
    assert "No space left on device; the disk is full" in result.output
    assert {p: p.read_bytes() for p in (project.root / "site").rglob("*") if p.is_file()} == (
        published
    )


def test_a_build_that_fails_while_its_outputs_are_written_stops_their_writer(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page that fails to render ends the build; the child writing the feeds ends with it
    rather than writing on into a site folder that is being given up."""
    forking(monkeypatch)
    writers: list[processes.Beside[str]] = []
    real_init, real_write = processes.Beside.__init__, outputcache.OutputCache.write
    written = Record(tmp_path / "written")

    def init(self: processes.Beside[str], work: Any, what: str) -> None:
        writers.append(self)
        real_init(self, work, what)

    def write(cache: Any, group: Any, site_dir: str) -> None:
        time.sleep(0.2)  # still writing when the page fails
        real_write(cache, group, site_dir)
        written.append(group.paths[0])

    def broken(self: Any, output: str, **kwargs: Any) -> Any:
        raise RuntimeError("a page cannot be rendered")

    monkeypatch.setattr(processes.Beside, "__init__", init)
    monkeypatch.setattr(outputcache.OutputCache, "write", write)
    monkeypatch.setattr(plugin.StatuskitPlugin, "on_post_page", broken)
    with pytest.raises(RuntimeError, match="a page cannot be rendered"):
        project.build(project.root / "site")
    (writer,) = writers
    assert writer.pid is None, "stopped and waited for"
    count = len(written.lines())
    time.sleep(0.5)
    assert len(written.lines()) == count < len(list(project.root.glob("incidents/*/*.md")))


def test_a_writer_killed_by_the_system_fails_the_build_clearly(
    project: Project, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A child stopped from outside (the kernel's out-of-memory killer, say) leaves no result:
    the build fails saying which process and how it ended, not with a traceback."""
    forking(monkeypatch)

    def killed(cache: Any, group: Any, site_dir: str) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(outputcache.OutputCache, "write", killed)
    with pytest.raises(Abort):
        project.build(project.root / "site")
    assert (
        "the process writing the per-incident feeds was killed by signal 9 before it finished; "
        "build again" in caplog.text
    )


def test_no_fork_while_another_thread_runs() -> None:
    """A lock another thread holds at the fork would stay held in the child forever: with a
    second thread running (`mkdocs serve`'s server), the work is done at once, in this process."""
    if threading.active_count() == 1:
        assert processes.can_fork() == (sys.platform == "linux")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not processes.can_fork()
        pids: list[int] = []
        beside = processes.Beside(lambda: pids.append(os.getpid()) or "done", "testing")
        assert beside.pid is None and pids == [os.getpid()]
        assert beside.join() == "done"
    finally:
        stop.set()
        other.join()
