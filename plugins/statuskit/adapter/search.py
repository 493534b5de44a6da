"""Pagefind's search index in bundles, one per year of incidents, indexed when its pages change.

Pagefind indexes the built pages marked `data-pagefind-body` (incident and postmortem pages). One
run over the whole site holds every page in memory and redoes all of them at each build. Here the
pages are grouped by the year their incident began, the newest year by quarter, and the incidents
still open (or maintenance still to come) in a bundle of their own, where the updates of an
outage land: an update re-indexes those few pages, not its quarter's hundreds (a postmortem goes
with its incident; any other marked page into one more bundle). Each bundle is indexed on its
own, one after another, so the indexer's memory is that of the largest bundle. A bundle is
indexed as soon as all its pages are written (`SearchIndexer.written`), while MkDocs renders
the others on its one core: incidents render oldest first, so the older years are indexed
during the rendering and only the last bundles after it. A bundle whose
pages are byte for byte those of a bundle in the cache (same Pagefind, its settings and this
module) is linked from the cache instead: publishing an update indexes that incident's quarter
(or older year) only. A bundle's key digests its pages' contents; a page the page cache has just
placed or stored is known by its content's digest, so a rebuild reads only the pages it must
index. The rest of statuskit reaches a bundle only through its pages' HTML, which the key holds,
so a release that leaves the pages as they were leaves the bundles too.

The site gets `pagefind/<bundle>/` (Pagefind's own bundle: its script, WebAssembly, index and
fragments) and `pagefind/bundles.json`, which the reader's script fetches on the first query: it
imports the first bundle's `pagefind.js` and merges the others into it (`mergeIndex`). The pages
never name the bundles, so a cached page stays right when a year is added.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File

from ..core.status import IncidentState
from ..views.pages import PageSpec, SitePlan
from .cache import content_digest, link_or_copy, package_version, stamp, write_atomic
from .pagefind import PagefindService, pagefind_command
from .processes import die_with_parent

log = get_plugin_logger(__name__)

# Written into each built site; the pages load it only when a reader searches.
SEARCH_FOLDER = "pagefind"
# The list of bundles the reader's script merges, newest year first.
MANIFEST = "bundles.json"
# The bundle of marked pages that belong to no incident (a site's own page under incidents/).
OTHER = "other"
# The bundle of incidents not resolved yet and maintenance not finished: where updates land.
OPEN = "open"
# What main.html puts on incident and postmortem pages, and only on pages under these folders.
MARKER = b"data-pagefind-body"
INDEXED_FOLDERS = ("incidents", "postmortems")
# Bump when a cached bundle's layout or the meaning of its key changes.
FORMAT = 3
LISTING = "bundle.json"
# Pagefind's ready-made interfaces: statuskit's own script is the interface, so they are left out.
UNUSED_PREFIXES = (
    "pagefind-ui.",
    "pagefind-modular-ui.",
    "pagefind-component-ui.",
    "pagefind-highlight.",
)


def plan_bundles(plan: SitePlan, docs_dir: str, use_directory_urls: bool) -> dict[str, list[str]]:
    """The site-relative HTML paths of the pages main.html marks, by their incident's year.

    Incident and postmortem pages go by the UTC year of the incident's start (the same in every
    target: a locale's or mirror's time zone never moves a page into another bundle), the newest
    year by quarter (`2026-q4`: a resolved incident's late changes re-index a quarter); those of
    an incident still open or maintenance still to come go into `open` (an update to an ongoing
    incident re-indexes those pages only; its resolution moves it into its quarter). The site's
    own pages under the same folders, and generated ones of no incident, go into `other`.
    """
    bundles: dict[str, list[str]] = {}
    starts: list[tuple[datetime | None, bool, str]] = []
    for spec in plan.pages:
        indexed, state = _indexed(plan, spec)
        if not indexed:
            continue
        # The planner's address of the page, which every link to it uses: MkDocs writes it there.
        url = spec.url
        page = url + "index.html" if not url or url.endswith("/") else url
        start = state.start.astimezone(UTC) if state is not None else None
        ongoing = state is not None and (state.is_open or state.is_upcoming)
        starts.append((start, ongoing, page))
    # Of every incident, ongoing ones too: opening or resolving one never splits a year anew.
    newest = max((start.year for start, _, _ in starts if start is not None), default=None)
    for start, ongoing, page in starts:
        if ongoing:
            bundle = OPEN
        elif start is None:
            bundle = OTHER
        elif start.year == newest:
            # By quarter: a late change to a resolved incident re-indexes a quarter's pages.
            bundle = f"{start.year}-q{(start.month - 1) // 3 + 1}"
        else:
            bundle = str(start.year)
        bundles.setdefault(bundle, []).append(page)
    for folder in INDEXED_FOLDERS:
        for root, _, names in os.walk(os.path.join(docs_dir, folder)):
            for name in names:
                src = os.path.relpath(os.path.join(root, name), docs_dir).replace(os.sep, "/")
                file = File(src, docs_dir, "", use_directory_urls)
                if file.is_documentation_page() or name.endswith(".html"):
                    bundles.setdefault(OTHER, []).append(file.dest_uri)
    return bundles


def _indexed(plan: SitePlan, spec: PageSpec) -> tuple[bool, IncidentState | None]:
    """Whether search indexes a generated page, and the incident it shows, if any."""
    folder, _, name = spec.src_uri.partition("/")
    if folder not in INDEXED_FOLDERS:
        return False, None
    return True, plan.state.incidents.get(name.removesuffix(".md"))


def render_order(plan: SitePlan) -> list[PageSpec]:
    """The generated pages in the order MkDocs renders them: first the pages search indexes,
    by their incident's start (a postmortem beside its incident), then the rest in the plan's
    order. Every bundle is complete, and indexed beside the rendering, before the lists render:
    a postmortem planned after them held its year's bundle back until the rendering ended, and
    the build then waited for Pagefind to index those years."""

    def rank(item: tuple[int, PageSpec]) -> tuple[int, float, int]:
        index, spec = item
        indexed, state = _indexed(plan, spec)
        if not indexed:
            return (2, 0.0, index)
        return (0, state.start.timestamp(), index) if state is not None else (1, 0.0, index)

    return [spec for _, spec in sorted(enumerate(plan.pages), key=rank)]


@dataclass
class Bundle:
    """One bundle of pages: its name (its folder under pagefind/), pages and cache key."""

    name: str
    pages: list[str]
    key: str


@dataclass
class _Running:
    """A bundle Pagefind is indexing while the build goes on: the request it waits for."""

    bundle: Bundle
    dest: Path
    work: Path
    message: int
    # What the folder of links holds: its links, and its folders in the order made.
    links: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    stage: str = "new"  # then "add" (the pages), then "write" (the bundle's files)
    index: int = 0


class SearchIndexer:
    """Indexes each bundle once all its pages are written, while MkDocs renders the others.

    MkDocs renders on one core; Pagefind indexes a finished bundle (incidents render in date
    order, so the older years finish first) on another, one run at a time so its memory stays
    that of one bundle. A bundle not seen complete (a page MkDocs did not render, a site's
    own file) is indexed by `finish`, as is all of it when nothing was told.
    """

    def __init__(
        self,
        site_dir: str,
        bundles: Mapping[str, Sequence[str]],
        cache_dir: Path | None,
        known: Mapping[str, str] | None = None,
        service: PagefindService | None = None,
    ) -> None:
        self.site = Path(site_dir).absolute()  # Pagefind runs in a folder of its own
        self.output = self.site / SEARCH_FOLDER
        shutil.rmtree(self.output, ignore_errors=True)
        self.output.mkdir(parents=True)
        self.command = pagefind_command()
        self.environment = _environment(self.command)
        # Started when a bundle must be indexed, unless the build started it earlier.
        self.service = service
        self.bundles = {name: list(pages) for name, pages in bundles.items()}
        self.known = known if known is not None else {}
        self.cache = BundleCache(cache_dir) if cache_dir is not None else None
        self._missing = {name: set(pages) for name, pages in self.bundles.items()}
        self._bundle_of = {page: name for name, pages in self.bundles.items() for page in pages}
        self._queue: list[Bundle] = []
        self._running: _Running | None = None
        self._made: dict[str, bool] = {}  # bundle name: written (False: it had no marked page)
        self._indexed: list[str] = []
        # A run that failed while MkDocs rendered: reported when the build ends, not as a
        # failure of the page that happened to be rendered then.
        self._failed: PluginError | None = None

    def written(self, pages: Iterable[str]) -> None:
        """These pages' files are in the site: a bundle they complete is indexed now."""
        if self._failed is not None:
            return
        for page in pages:
            name = self._bundle_of.get(page)
            if name is None or name not in self._missing:
                continue
            missing = self._missing[name]
            missing.discard(page)
            if not missing:
                del self._missing[name]
                self._ready(name)
        try:
            self._advance()
        except PluginError as exc:
            self._failed = exc
            self._queue.clear()
            self.abort()

    def _ready(self, name: str) -> None:
        """A complete bundle: from the cache, or queued for Pagefind."""
        (bundle,) = _prepare(self.site, {name: self.bundles[name]}, self.environment, self.known)
        if bundle is None:
            self._made[name] = False
        elif self.cache is not None and self.cache.restore(bundle.key, self.output / name):
            self._made[name] = True
        else:
            self._queue.append(bundle)

    def _advance(self, wait: bool = False) -> None:
        """Collect a finished run and start the next queued bundle; `wait` for each in turn."""
        while True:
            running = self._running
            if running is not None:
                if not self._progress(running, wait):
                    return
                self._running = None
                self._collect(running)
            if not self._queue:
                return
            bundle = self._queue.pop(0)
            pages = _marked(self.site, bundle.pages)
            if not pages:
                self._made[bundle.name] = False
                continue
            if self.service is None:
                self.service = PagefindService(self.command)
            self._running = _start_index(self.service, self.site, bundle, pages, self.output)

    def _progress(self, running: _Running, wait: bool) -> bool:
        """Take the run through its requests as far as Pagefind has answered; True when the
        bundle is written."""
        service = self.service
        assert service is not None
        what = f"index {running.dest}"
        while (answer := service.reply(running.message, what, wait)) is not None:
            if running.stage == "new":
                running.index = int(answer["index_id"])
                add = {"type": "AddDir", "index_id": running.index, "path": str(running.work)}
                running.message, running.stage = service.send(add), "add"
            elif running.stage == "add":
                write = {
                    "type": "WriteFiles",
                    "index_id": running.index,
                    "output_path": str(running.dest),
                }
                running.message, running.stage = service.send(write), "write"
            else:
                # Dropped at once: the service's memory stays that of one bundle.
                service.send({"type": "DeleteIndex", "index_id": running.index}, ignore=True)
                return True
        return False

    def _collect(self, running: _Running) -> None:
        _end_index(running)
        self._made[running.bundle.name] = True
        self._indexed.append(running.bundle.name)
        if self.cache is not None:
            self.cache.store(running.bundle.key, running.dest)

    def abort(self) -> None:
        """A failed build: stop Pagefind and remove its folder of links."""
        running, self._running = self._running, None
        if running is not None:
            _remove_work(running)
        self._stop(at_once=True)

    def _stop(self, at_once: bool = False) -> None:
        if self.service is not None:
            self.service.close(at_once)
            self.service = None

    def finish(self) -> None:
        """Index what is left, then write the list of bundles the reader's script merges."""
        if self._failed is not None:
            raise self._failed
        try:
            for name in sorted(self._missing, key=lambda n: (_order(n), n)):
                self._ready(name)
            self._missing.clear()
            self._advance(wait=True)
        except BaseException:
            self.abort()
            raise
        self._stop()
        names = [n for n in sorted(self._made, key=lambda n: (_order(n), n)) if self._made[n]]
        data = json.dumps({"bundles": names}, separators=(",", ":")) + "\n"
        (self.output / MANIFEST).write_text(data, "utf-8")
        if self.cache is not None:
            self.cache.prune()
        indexed = sorted(self._indexed, key=lambda n: (_order(n), n))
        reused, which = len(names) - len(indexed), f" ({', '.join(indexed)})" if indexed else ""
        log.info(f"search: {reused} bundle(s) reused, {len(indexed)} indexed{which}")


def _order(name: str) -> tuple[int, int, int]:
    """Newest first, the open incidents before all (the first bundle is the one the reader's
    script imports), then the rest."""
    if name == OPEN:
        return (-1, 0, 0)
    year, _, quarter = name.partition("-q")
    if year.isdigit() and (quarter.isdigit() or not quarter):
        return (0, -int(year), -int(quarter or 0))
    return (1, 0, 0)


def _prepare(
    site: Path,
    bundles: Mapping[str, Sequence[str]],
    environment: bytes,
    known: Mapping[str, str],
) -> list[Bundle | None]:
    """Each bundle's pages and its key: the digest of all its output depends on (its pages'
    contents, by their digest when `known` has it). Pages MkDocs left out (a draft, an
    excluded file) are left out; a bundle left with none is None."""
    prepared: list[Bundle | None] = []
    for name in sorted(bundles, key=lambda n: (_order(n), n)):
        digest = hashlib.sha256(environment)
        pages = []
        for page in sorted(set(bundles[name])):
            content = known.get(page)
            if content is None:
                try:
                    with open(os.path.join(site, page), "rb") as file:
                        content = content_digest(file.read())
                except FileNotFoundError:
                    continue
            pages.append(page)
            digest.update(b"%s\0%s\0" % (page.encode("utf-8"), content.encode("ascii")))
        prepared.append(Bundle(name, pages, digest.hexdigest()) if pages else None)
    return prepared


def _marked(site: Path, pages: Sequence[str]) -> list[str]:
    """The pages main.html marks for Pagefind (read only when a bundle must be indexed)."""
    marked = []
    for page in pages:
        with open(os.path.join(site, page), "rb") as file:
            if MARKER in file.read():
                marked.append(page)
    return marked


def _environment(command: list[str]) -> bytes:
    """What every bundle's output depends on beside its pages: Pagefind's version and settings,
    and this module (how Pagefind is run, which of its files are kept)."""
    version = _run([*command, "--version"], "report its version").strip()
    # Pagefind reads its options from PAGEFIND_* too; the binary's own path only chooses it.
    settings = sorted(
        (k, v)
        for k, v in os.environ.items()
        if k.startswith("PAGEFIND_") and k != "PAGEFIND_BINARY_PATH"
    )
    try:
        code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    except OSError:  # installed without its source: all of statuskit's code then
        code = package_version()
    parts = [f"format {FORMAT}", code, version, json.dumps(settings)]
    return "\0".join(parts).encode("utf-8") + b"\0"


def _run(command: list[str], what: str, cwd: Path | None = None) -> str:
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            cwd=cwd,
            preexec_fn=die_with_parent,
        )
    except OSError as exc:
        raise PluginError(f"statuskit: could not run Pagefind to {what}: {exc}") from None
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        raise PluginError(
            f"statuskit: Pagefind could not {what} (exit {result.returncode}): "
            f"{output or 'no output'}; is `pagefind[extended]` installed?"
        )
    return result.stdout


def _start_index(
    service: PagefindService, site: Path, bundle: Bundle, pages: list[str], output: Path
) -> _Running:
    """Start indexing one bundle: Pagefind over a folder of links to its pages at their own
    paths, so the addresses it records are the site's.

    The folder is new and filled in the pages' sorted order each time: Pagefind numbers pages in
    the order it lists them, which on some file systems is the order they were created in.
    """
    work = Path(tempfile.mkdtemp(prefix=".pages-", dir=output))
    links: list[str] = []
    folders: list[str] = []
    try:
        known = {os.fspath(work)}
        for page in pages:
            target = os.path.join(work, page)
            _make_folder(os.path.dirname(target), known, folders)
            link_or_copy(os.path.join(site, page), target)
            links.append(target)
        message = service.send({"type": "NewIndex", "config": None})
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _Running(bundle, output / bundle.name, work, message, links, folders)


def _end_index(running: _Running) -> None:
    """A written bundle: its folder of links goes, and the files statuskit never uses."""
    _remove_work(running)
    for path in running.dest.iterdir():
        if path.name.startswith(UNUSED_PREFIXES):
            path.unlink()


def _remove_work(running: _Running) -> None:
    """The folder of links, by what was made in it: one call a file or folder, where a walk
    of the tree reads each folder first (a clean build's bundles hold every page)."""
    try:
        for link in running.links:
            os.unlink(link)
        for folder in reversed(running.folders):
            os.rmdir(folder)
        os.rmdir(running.work)
    except OSError:  # something else in it: the walk finds it
        shutil.rmtree(running.work, ignore_errors=True)


def _make_folder(folder: str, made: set[str], order: list[str] | None = None) -> None:
    """Create a folder (and its parents) once per run: no system call for one already made.
    With `order`, inside a new folder of links (itself in `made`): one call a folder, listed."""
    if folder in made:
        return
    if order is None:
        os.makedirs(folder, exist_ok=True)
    else:
        _make_folder(os.path.dirname(folder), made, order)
        os.mkdir(folder)
        order.append(folder)
    made.add(folder)


def _files(folder: Path) -> Iterable[str]:
    """The files under folder, as `/`-separated paths relative to it, in a stable order."""
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        prefix = os.path.relpath(root, folder).replace(os.sep, "/")
        for name in sorted(names):
            yield name if prefix == "." else f"{prefix}/{name}"


class BundleCache:
    """Indexed bundles by key, one folder each with the digest of every file in `bundle.json`.

    An entry whose listing is unreadable, names another key or format, or whose files differ
    from their digests is ignored and indexed again: a damaged cache is only slower. A file
    whose size and time are those its digest was checked with is not read again (`stamp`).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def restore(self, key: str, dest: Path) -> bool:
        """Put the cached bundle at dest; False when there is none or it is damaged."""
        entry = self.folder / key
        if not (entry / LISTING).exists():
            return False
        try:
            listing = json.loads((entry / LISTING).read_text("utf-8"))
            if listing.get("format") != FORMAT or listing.get("key") != key:
                raise ValueError("written for another key or format")
            files, stamps = listing["files"], listing["stamps"]
            if not isinstance(files, dict) or not files or not isinstance(stamps, dict):
                raise ValueError("lists no files")
            folders: set[str] = set()
            checked = 0
            for name, digest in files.items():
                parts = name.split("/")
                if not parts[0] or {"", ".", ".."} & set(parts) or name == LISTING:
                    raise ValueError(f"names {name!r}")
                source = os.path.join(entry, name)
                now = stamp(source)
                if now != stamps.get(name):
                    with open(source, "rb") as file:
                        if hashlib.sha256(file.read()).hexdigest() != digest:
                            raise ValueError(f"{name} differs from its digest")
                    stamps[name] = now
                    checked += 1
                target = os.path.join(dest, name)
                _make_folder(os.path.dirname(target), folders)
                link_or_copy(source, target)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.info(f"ignoring the search bundle cached in {entry}: {exc}")
            shutil.rmtree(dest, ignore_errors=True)
            return False
        if checked:
            # Checked once: the next build trusts these files while they stay as they are.
            with contextlib.suppress(OSError):
                write_atomic(entry / LISTING, _listing(key, files, stamps))
        self.used.add(key)
        return True

    def store(self, key: str, dest: Path) -> None:
        """Keep a bundle just indexed; a cache that cannot be written only costs the next build."""
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.folder))
            files: dict[str, str] = {}
            stamps: dict[str, list[int]] = {}
            folders: set[str] = set()
            for name in _files(dest):
                source, target = os.path.join(dest, name), os.path.join(temp, name)
                _make_folder(os.path.dirname(target), folders)
                link_or_copy(source, target)
                with open(target, "rb") as file:
                    files[name] = hashlib.sha256(file.read()).hexdigest()
                stamps[name] = stamp(target)
            write_atomic(temp / LISTING, _listing(key, files, stamps))
            entry = self.folder / key
            shutil.rmtree(entry, ignore_errors=True)
            os.replace(temp, entry)
        except OSError as exc:
            log.info(f"could not keep the search bundle in {self.folder}: {exc}")

    def prune(self) -> None:
        """Drop the bundles (and leftovers of killed builds) this build did not use."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in self.used:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _listing(key: str, files: dict[str, str], stamps: dict[str, list[int]]) -> bytes:
    """A bundle's `bundle.json`: its key, each file's digest and the stamp it was checked at."""
    listing = {"format": FORMAT, "key": key, "files": files, "stamps": stamps}
    return json.dumps(listing, sort_keys=True).encode("utf-8")
