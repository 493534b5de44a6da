"""Pages reused between builds: a rebuild renders only the pages whose inputs changed.

A generated page's HTML is a function of its `PageSpec` (which holds every value its template
reads, relative times and overdue flags included, so the build moment is in it exactly where a
page shows it) and of the build's environment: the MkDocs configuration, the site's own pages and
theme overrides, statuskit's code and templates, the versions of MkDocs, Material and the
Markdown libraries, and the target. A page's key hashes both; a page whose key is in the cache is
left out of MkDocs' files and its stored HTML (and search records) put back after the build.

The cache is a folder per target: `manifest.json` (format, statuskit version, each page's key,
the digest of its HTML and its search records) and one file per HTML, named by its digest. A
manifest of another format or version, unreadable JSON, or a page file whose digest does not
match is ignored: a damaged cache costs time, never a wrong page.
"""

from __future__ import annotations

import copyreg
import dataclasses
import datetime as dt
import enum
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_build_date

from ..core import parsecache
from ..core.loader import count_incident_files, read_share
from ..core.parsecache import code_digest
from ..core.settings import Settings
from ..core.site import Site, load_site
from ..views.memo import ViewMemo, stable_bytes
from ..views.pages import IncidentSummary, PageSpec, summary_key
from . import theme
from .processes import can_fork, read_in_shares, spare_cores

log = get_plugin_logger(__name__)

# Bump when the cache's layout or the meaning of a key changes.
FORMAT = 1
MANIFEST = "manifest.json"
VIEWS = "views.pickle"
PAGES = "pages"
# Libraries whose version changes the HTML of a page.
DISTRIBUTIONS = (
    "mkdocs",
    "properdocs",
    "mkdocs-material",
    "markdown",
    "pymdown-extensions",
    "jinja2",
    "markupsafe",
    "babel",
    "pygments",
    "nh3",
    "bleach",
)
# statuskit's `now:` in mkdocs.yml (any other option named so is in the config items too).
_MOMENT_LINE = re.compile(rb"^[ \t]+now:[^\n]*$", re.MULTILINE)
# Files from which a first read is shared between processes: below it, starting them costs
# more than it saves (a build reads about a thousand files a second).
SHARED_READ = 500
# Config items that do not change any page's HTML but differ between builds of one site.
_VOLATILE_CONFIG = frozenset({"site_dir", "dev_addr", "watch", "config_file_path", "strict"})


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def package_version() -> str:
    """statuskit's version and its code's digest (a checkout changes without a new version)."""
    return code_digest()


def _tree_digest(root: Path) -> str:
    """The names and contents of every file under root (compiled files left out)."""
    digest = hashlib.blake2b(digest_size=20)
    if root.is_dir():
        for path in sorted(_walk(root)):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                yield Path(folder, name)


class Fingerprint:
    """A stable digest of plain data: dataclasses, mappings, sequences, text, numbers, times."""

    def __init__(self) -> None:
        # An object of unknown type (a hook module, a theme's locale) counts by its type name:
        # the configuration file and the versions cover what it holds.
        self._memo: dict[int, tuple[object, bytes]] = {}

    def digest(self, value: object) -> str:
        hasher = hashlib.blake2b(digest_size=20)
        self._feed(hasher, value)
        return hasher.hexdigest()

    def _feed(self, h: Any, value: object) -> None:
        if value is None or isinstance(value, bool | int | float):
            h.update(f"{type(value).__name__}:{value!r};".encode())
        elif isinstance(value, str):
            # Markup and other str subclasses are compared by their text.
            h.update(b"s%d:" % len(value))
            h.update(value.encode("utf-8", "surrogatepass"))
        elif isinstance(value, bytes):
            h.update(b"b%d:" % len(value) + value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            self._dataclass(h, value)
        elif isinstance(value, Mapping):
            h.update(b"{")
            for key, item in value.items():
                self._feed(h, key)
                self._feed(h, item)
            h.update(b"}")
        elif isinstance(value, list | tuple):
            h.update(b"[")
            for item in value:
                self._feed(h, item)
            h.update(b"]")
        elif isinstance(value, set | frozenset):
            h.update(b"<")
            for item in sorted(value, key=repr):
                self._feed(h, item)
            h.update(b">")
        elif isinstance(value, dt.date | dt.time | dt.timedelta | dt.tzinfo | Path):
            h.update(f"{type(value).__name__}:{value!r};".encode())
        elif isinstance(value, enum.Enum):
            h.update(f"enum:{type(value).__qualname__}.{value.name};".encode())
        else:
            h.update(f"?{type(value).__module__}.{type(value).__qualname__};".encode())

    def _dataclass(self, h: Any, value: Any) -> None:
        # Summaries are shared by many pages: digest each instance once per build.
        memo = self._memo.get(id(value))
        if memo is not None and memo[0] is value:
            h.update(memo[1])
            return
        inner = hashlib.blake2b(digest_size=20)
        inner.update(type(value).__qualname__.encode() + b"(")
        for f in dataclasses.fields(value):
            inner.update(f.name.encode() + b"=")
            self._feed(inner, getattr(value, f.name))
        digest = inner.digest()
        self._memo[id(value)] = (value, digest)
        h.update(digest)


def environment_key(
    config: Mapping[str, Any],
    theme_dirs: list[str],
    settings: Settings,
    target: str,
    docs_dir: str,
    nav_pages: list[PageSpec],
) -> str:
    """Everything beside its own spec that a generated page's HTML depends on."""
    fp = Fingerprint()
    config_items = {k: v for k, v in config.items() if k not in _VOLATILE_CONFIG}
    config_file = config.get("config_file_path")
    parts: dict[str, object] = {
        **_build_parts(settings, target),
        "config": _without_moment(_plain(config_items)),
        "config_file": _MOMENT_LINE.sub(b"", Path(config_file).read_bytes())
        if config_file
        else b"",
        # The site's own pages give the navigation its titles; overrides change every page.
        "docs": _tree_digest(Path(docs_dir)),
        "theme": [_theme_dir_digest(d) for d in theme_dirs],
        "nav": [(p.src_uri, p.title, p.url) for p in nav_pages],
    }
    return fp.digest(parts)


def _without_moment(config: object) -> object:
    """statuskit's `now` option left out: each page's view holds what it shows of the clock."""
    if isinstance(config, dict):
        plugins = config.get("plugins")
        if isinstance(plugins, dict):
            for plugin in plugins.values():
                if isinstance(plugin, dict) and plugin.get("class") == "StatuskitPlugin":
                    plugin["config"] = {k: v for k, v in plugin["config"].items() if k != "now"}
    return config


def _plain(value: object, depth: int = 0) -> object:
    """Configuration as plain data: plugin and theme objects by their settings."""
    if depth > 12:
        return repr(type(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    config = getattr(value, "config", None)
    if isinstance(config, Mapping):
        # A plugin: its class and its own options.
        return {"class": type(value).__qualname__, "config": _plain(config, depth + 1)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return {f.name: _plain(getattr(value, f.name), depth + 1) for f in fields}
    return value


def _installed(path: Path) -> bool:
    return any(part.endswith("-packages") for part in path.resolve().parts)


def _shows_build_time(dirs: list[str]) -> bool:
    """Whether a site's own template prints MkDocs' build time (then every page changes)."""
    for folder in dirs:
        if not _installed(Path(folder)):
            for path in _walk(Path(folder)):
                if (
                    path.suffix in {".html", ".xml", ".j2"}
                    and b"build_date_utc" in path.read_bytes()
                ):
                    return True
    return False


def _theme_dir_digest(folder: str) -> str:
    """A theme folder by its contents, or by its package's version when it is installed."""
    path = Path(folder).resolve()
    for site in {p for p in sys.path if "-packages" in p}:
        try:
            relative = path.relative_to(Path(site).resolve())
        except ValueError:
            continue
        # Installed themes change with their package's version (Material's is in DISTRIBUTIONS).
        package = relative.parts[0] if relative.parts else ""
        return f"{package}@{_version(package)}"
    return _tree_digest(path)


def page_key(environment: str, spec: PageSpec, digest: str | None = None) -> str | None:
    """The key of one generated page, or None when its view cannot be serialized.

    Pickle writes every field of the spec's dataclasses, so a different view gives different
    bytes; it runs in C, ten times faster than walking the view in Python. A view whose bytes
    vary between equal builds (a set of texts, say) only misses the cache. `digest` is that of
    the spec's pickle when the planner has it already (a closed incident's memo).
    """
    if digest is None:
        try:
            data = stable_bytes(spec, _PAGE_KEYS)
        except Exception:  # an object pickle cannot write: render the page
            return None
        digest = content_digest(data)
    return hashlib.blake2b(f"{environment}:{digest}".encode(), digest_size=20).hexdigest()


# Summaries recalled or kept by the view memo are written as their states' keys.
_PAGE_KEYS = {**copyreg.dispatch_table, IncidentSummary: summary_key}


def view_scope(settings: Settings, target: str) -> str:
    """What a closed incident's views depend on besides its state (see views/memo.py)."""
    return Fingerprint().digest(_build_parts(settings, target))


def _build_parts(settings: Settings, target: str) -> dict[str, object]:
    """What every cached view and page depends on: code, libraries, target, words, settings."""
    return {
        "format": FORMAT,
        "python": sys.version,
        "statuskit": package_version(),
        "versions": {name: _version(name) for name in DISTRIBUTIONS},
        "target": target,
        "catalogs": [_tree_digest(Path(d)) for d in settings.catalog_dirs],
        # The build moment counts only where a page shows it, through its view.
        "settings": _plain(dataclasses.replace(settings, now=None)),
    }


def view_memo(settings: Settings, cache_dir: Path, target: str | None, site_url: str) -> ViewMemo:
    """The views of the last build of this target, from its cache folder."""
    folder = target_folder(cache_dir, target, site_url)
    return ViewMemo(view_scope(settings, target or ""), folder / VIEWS)


@dataclasses.dataclass
class Rendered:
    """A page rendered in this build, kept once MkDocs has written it (its HTML is not held)."""

    key: str
    digest: str
    size: int
    search: list[Any] | None
    written: str


@dataclasses.dataclass
class Entry:
    """One cached page: its key, the digest naming its HTML file and its search records."""

    key: str
    html: str
    search: list[Any] | None
    # The HTML file's size and modification time when its digest was last checked.
    stamp: list[int] | None = None


_ENTRY_FIELDS = [f.name for f in dataclasses.fields(Entry)]


class PageCache:
    """The cached pages of one target, read at the start of a build and saved at its end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: dict[str, Entry] = {}
        self.fresh: dict[str, Entry] = {}
        # The sitemap's text as last rendered: its key and the digest naming its file.
        self.sitemap: list[str] | None = None
        self.fresh_sitemap: list[str] | None = None
        self.problem: str | None = None
        self._load()

    @property
    def pages_dir(self) -> Path:
        return self.folder / PAGES

    def _load(self) -> None:
        """Read the manifest; anything unexpected leaves the cache empty, with the reason."""
        path = self.folder / MANIFEST
        if not path.exists():
            return
        try:
            data = json.loads(path.read_text("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            if data.get("format") != FORMAT or data.get("statuskit") != package_version():
                self.problem = "written by another statuskit version"
                return
            entries = {
                str(uri): Entry(str(e["key"]), str(e["html"]), e.get("search"), e.get("stamp"))
                for uri, e in data["pages"].items()
            }
            sitemap = data.get("sitemap")
            sitemap = [str(sitemap[0]), str(sitemap[1])] if sitemap else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self.problem = f"unreadable ({type(exc).__name__}: {exc})"
            return
        self.entries, self.sitemap = entries, sitemap

    def sitemap_text(self, key: str) -> str | None:
        """The sitemap rendered for this key, if its file is intact (it is always checked)."""
        if self.sitemap is None or self.sitemap[0] != key:
            return None
        try:
            content = (self.pages_dir / self.sitemap[1]).read_bytes()
        except OSError:
            return None
        if content_digest(content) != self.sitemap[1]:
            return None
        self.fresh_sitemap = self.sitemap
        return content.decode("utf-8")

    def keep_sitemap(self, key: str, text: str) -> None:
        """Keep the sitemap's text as rendered for this key."""
        content = text.encode("utf-8")
        digest = content_digest(content)
        try:
            self.pages_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(self.pages_dir / digest, content)
        except OSError as exc:
            log.info(f"could not keep the sitemap in the page cache: {exc}")
            return
        self.fresh_sitemap = [key, digest]

    def lookup(self, uri: str, key: str | None) -> Path | None:
        """The file of the page's cached HTML if its key matches and its file is intact."""
        entry = self.entries.get(uri)
        if key is None or entry is None or entry.key != key:
            return None
        path = self.pages_dir / entry.html
        try:
            now = stamp(path)
            # A file changed since its digest was checked (or copied in) is read and checked
            # again; one untouched since is not (so a rebuild does not read every page).
            if now != entry.stamp and content_digest(path.read_bytes()) != entry.html:
                return None
        except OSError:
            return None
        self.fresh[uri] = dataclasses.replace(entry, stamp=now)
        return path

    def adopt(self, pages: Mapping[str, Rendered]) -> None:
        """Keep pages MkDocs has written: each site file becomes the cache's too (a hard link;
        a copy across devices). A file that is not what was rendered is not kept; a cached file
        already under its digest may be damaged (why the page was rendered): it is replaced.

        All at once, with strings for paths: a clean build keeps every page, and a folder
        made again or a `Path` per page cost more than the link itself.
        """
        folder = os.fspath(self.pages_dir)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            log.info(f"could not keep pages in the page cache: {exc}")
            return
        for uri, rendered in pages.items():
            path = os.path.join(folder, rendered.digest)
            # A temporary left by a killed build is replaced by `link_or_copy`.
            temporary = os.path.join(folder, f".tmp-{rendered.digest}")
            try:
                if os.stat(rendered.written).st_size != rendered.size:
                    continue
                link_or_copy(rendered.written, temporary)
                os.replace(temporary, path)
                self.fresh[uri] = Entry(rendered.key, rendered.digest, rendered.search, stamp(path))
            except OSError as exc:
                log.info(f"could not keep {uri} in the page cache: {exc}")

    def save(self) -> None:
        """Write the manifest of this build's pages and drop page files nothing refers to."""
        manifest = {
            "format": FORMAT,
            "statuskit": package_version(),
            # Field by field: `asdict` would deep-copy every page's search records.
            "pages": {
                uri: {name: getattr(e, name) for name in _ENTRY_FIELDS}
                for uri, e in sorted(self.fresh.items())
            },
            "sitemap": self.fresh_sitemap,
        }
        data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"))
        write_atomic(self.folder / MANIFEST, data.encode("utf-8"))
        used = {e.html for e in self.fresh.values()}
        if self.fresh_sitemap is not None:
            used.add(self.fresh_sitemap[1])
        for path in self.pages_dir.iterdir():
            if path.name not in used:
                path.unlink(missing_ok=True)


def stamp(path: str | Path) -> list[int]:
    """A cached file's size and modification time: while they stay, its digest holds.

    Not its inode: a cache restored from an archive (as CI restores one) has new inodes but
    the same times, and its files, named by their digests and written once, are the same.
    """
    info = os.stat(path)
    return [info.st_size, info.st_mtime_ns]


def content_digest(content: bytes) -> str:
    """The digest naming a cached file (the search index keys its bundles by it too)."""
    return hashlib.blake2b(content, digest_size=20).hexdigest()


def place(source: Path, destination: Path) -> None:
    """Put a cached page into the site, in a folder of its own made if need be."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    link_or_copy(source, destination)


def link_or_copy(source: str | Path, destination: str | Path) -> None:
    """A file of the cache into the site: a hard link (no copy), or a copy across devices.

    The cache's files are never written in place (`write_atomic` renames a new file over), so
    a link keeps its content; a file already at the destination (a dirty build) is unlinked
    first, so nothing is ever written through a link into the cache.
    """
    try:
        os.link(source, destination)
    except FileExistsError:
        os.unlink(destination)
        link_or_copy(source, destination)
    except OSError:
        shutil.copyfile(source, destination)


# Files of the cache are linked into the published site: readable as a written file would be.
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(path: Path, content: bytes) -> None:
    """Write beside the file and rename, so a killed build never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def target_folder(cache_dir: Path, target: str | None, site_url: str) -> Path:
    """One folder per target and address, so targets built in parallel never share a file and
    `mkdocs serve` (which builds for a local address) keeps the published build's pages."""
    name = (target or "single").replace(":", "-").replace("/", "-")
    address = hashlib.blake2b(site_url.encode(), digest_size=4).hexdigest()
    return cache_dir / f"v{FORMAT}" / f"{name}-{address}"


class IncrementalBuild:
    """One build's use of the cache: which generated pages MkDocs renders and which come back.

    Reused pages are left out of MkDocs' files, so MkDocs neither reads nor renders nor writes
    them; everything that lists pages (the sitemap, the search index) gets them back in their
    place, and their HTML is written into the site as soon as they are found unchanged.
    """

    def __init__(
        self,
        cache: PageCache,
        config: MkDocsConfig,
        environment: str,
        entries: list[Any] | None,
        digests: Mapping[str, str],
    ) -> None:
        self.cache = cache
        self._digests = digests
        self.config = config
        self.environment = environment
        self.keys: dict[str, str] = {}
        self.reused: dict[str, File] = {}
        self.order: list[str] = []
        self.search: dict[str, list[Any]] = {}
        # The digest of each generated page's HTML as written into the site, by its site path.
        self.written: dict[str, str] = {}
        self.pending: dict[str, Rendered] = {}
        self._entries = entries
        self._mark = 0
        self._pinned = _nav_uris(config.get("nav"))
        self._sitemap_key: str | None = None
        # Whether the sitemap MkDocs renders is statuskit's, which can show an earlier text.
        self.own_sitemap = _own_sitemap(list(config.theme.dirs))

    @classmethod
    def start(
        cls,
        config: MkDocsConfig,
        settings: Settings,
        specs: list[PageSpec],
        cache_dir: Path,
        target: str | None,
        digests: Mapping[str, str],
    ) -> IncrementalBuild | None:
        """The build's cache, or None when this site cannot use one (then all is rendered)."""
        entries = _search_entries(config)
        if entries is False:
            log.info("page cache off: a search plugin of unknown kind indexes the pages")
            return None
        if _shows_build_time(list(config.theme.dirs)):
            log.info("page cache off: a theme override shows the build time on every page")
            return None
        cache = PageCache(target_folder(cache_dir, target, config.site_url or ""))
        if cache.problem:
            log.info(f"ignoring the page cache in {cache.folder}: {cache.problem}")
        nav = [s for s in specs if s.in_nav]
        environment = environment_key(
            config, list(config.theme.dirs), settings, target or "", config.docs_dir, nav
        )
        listed = entries if isinstance(entries, list) else None
        return cls(cache, config, environment, listed, digests)

    def reuse(self, spec: PageSpec) -> bool:
        """Whether the page is unchanged since a build that cached it (then MkDocs skips it)."""
        self.order.append(spec.src_uri)
        if spec.in_nav or spec.src_uri in self._pinned:
            return False
        key = page_key(self.environment, spec, self._digests.get(spec.src_uri))
        if key is None:
            return False
        self.keys[spec.src_uri] = key
        cached = self.cache.lookup(spec.src_uri, key)
        if cached is None:
            return False
        # MkDocs has cleaned the site folder already (before `on_files`): place it now.
        file = File.generated(self.config, spec.src_uri, content="")
        place(cached, Path(file.abs_dest_path))
        self.reused[spec.src_uri] = file
        self.written[file.dest_uri] = self.cache.fresh[spec.src_uri].html
        return True

    def note_pages(self, files: Files) -> None:
        """The site's own pages come first in MkDocs' order, before the generated ones."""
        self.order[:0] = [f.src_uri for f in files.documentation_pages()]

    def rendered(self, page: Page, output: str) -> None:
        """Keep a page MkDocs just rendered, with the search records made for it."""
        uri = page.file.src_uri
        records = None
        if self._entries is not None:
            records = list(self._entries[self._mark :])
            self._mark = len(self._entries)
            self.search[uri] = records
        key = self.keys.get(uri)
        if key is not None and output.strip():
            # The bytes MkDocs writes right after this event, which runs last of all plugins.
            html = output.encode("utf-8", errors="xmlcharrefreplace")
            digest = content_digest(html)
            self.written[page.file.dest_uri] = digest
            self.pending[uri] = Rendered(key, digest, len(html), records, page.file.abs_dest_path)

    def sitemap(self, context: dict[str, Any]) -> None:
        """The sitemap's context: its text as rendered by an earlier build of the same pages at
        the same date (`sk_sitemap`), else every page in the order a full build lists them,
        reused ones included (its text is then kept, `sitemap_rendered`).

        Its key holds each page's address and date; the rest it shows (the site's address, its
        targets for the alternates, the template) is in the environment of every page's key.
        """
        built: list[File] = list(context["pages"])
        files = self._in_order(built) if self.reused else built
        today = get_build_date()
        # A page's date is the build's, unless a plugin gave it another.
        listed = [
            (f.src_uri, f.url, f.page.update_date if f.page is not None else today) for f in files
        ]
        key = Fingerprint().digest([self.environment, today, listed])
        text = self.cache.sitemap_text(key) if self.own_sitemap else None
        if text is not None:
            context["pages"], context["sk_sitemap"] = [], text
            return
        for file in files:
            if file.page is None:
                Page(None, file, self.config)
        context["pages"] = files
        self._sitemap_key = key if self.own_sitemap else None

    def sitemap_rendered(self, output: str) -> None:
        """Keep the sitemap's text as its template rendered it (before any plugin changes it)."""
        if self._sitemap_key is not None:
            self.cache.keep_sitemap(self._sitemap_key, output)
            self._sitemap_key = None

    def _in_order(self, built: list[File]) -> list[File]:
        by_uri = {f.src_uri: f for f in built}
        pages = []
        for uri in self.order:
            file = by_uri.pop(uri, None) or self.reused.get(uri)
            if file is not None:
                pages.append(file)
        return pages + list(by_uri.values())

    def finish(self) -> None:
        """Put reused pages' records into the search index, then save the cache."""
        if self._entries is not None and self.reused:
            merged: list[Any] = []
            seen = set()
            for uri in self.order:
                if uri in self.search:
                    merged += self.search[uri]
                elif uri in self.reused:
                    merged += self.cache.fresh[uri].search or []
                seen.add(uri)
            for uri, records in self.search.items():
                if uri not in seen:
                    merged += records
            self._entries[:] = merged
        self.cache.adopt(self.pending)
        self.cache.save()
        log.info(f"{len(self.reused)} page(s) reused, {len(self.keys) - len(self.reused)} rendered")


def _search_entries(config: MkDocsConfig) -> list[Any] | bool | None:
    """The list a search plugin collects page records in; False for a plugin of unknown kind."""
    for name, plugin in config.plugins.items():
        index = getattr(plugin, "search_index", None)
        if index is None:
            if name.endswith("search"):
                return False
            continue
        for attribute in ("entries", "_entries"):
            entries = getattr(index, attribute, None)
            if isinstance(entries, list):
                return entries
        return False
    return None


def _own_sitemap(theme_dirs: list[str]) -> bool:
    """Whether the theme's sitemap is statuskit's (a site's own override wins over it)."""
    ours = Path(theme.TEMPLATES).resolve()
    for folder in theme_dirs:
        if (Path(folder) / "sitemap.xml").is_file():
            return Path(folder).resolve() == ours
    return False


def _nav_uris(nav: object) -> set[str]:
    """Pages named in the configured navigation: MkDocs must always see them."""
    found: set[str] = set()
    if isinstance(nav, str):
        found.add(nav)
    elif isinstance(nav, Mapping):
        for value in nav.values():
            found |= _nav_uris(value)
    elif isinstance(nav, list):
        for item in nav:
            found |= _nav_uris(item)
    return found


def template_cache(env: jinja2.Environment, cache_dir: Path) -> jinja2.BytecodeCache:
    """Compiled templates kept between builds (Jinja checks each one's source before use).

    The folder is named by what else changes the compiled code: Python, Jinja and the
    environment's extensions and syntax options.
    """
    options = [
        sys.version,
        _version("jinja2"),
        sorted(env.extensions),
        env.block_start_string,
        env.variable_start_string,
        env.comment_start_string,
        env.line_statement_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
    ]
    name = Fingerprint().digest(options)
    folder = cache_dir / f"v{FORMAT}" / "templates" / name
    folder.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


def cache_dir(options: Any, config: MkDocsConfig) -> Path | None:
    """The site's build cache folder; None when its `cache` option is off."""
    if not options.cache:
        return None
    return Path(config.config_file_path or ".").parent / str(options.cache_dir)


def load_site_cached(settings: Settings, cache_dir: Path | None) -> Site:
    """`load_site`, reading again only the incident files changed since the last build."""
    with reading_cache(cache_dir, settings):
        return load_site(settings)


def reading_cache_file(cache_dir: Path) -> Path:
    """The store of incident files read (see core/parsecache.py) in a site's cache folder."""
    return cache_dir / f"v{FORMAT}" / "parsed.pickle"


@contextmanager
def reading_cache(cache_dir: Path | None, settings: Settings | None = None) -> Iterator[None]:
    """Within: incident files unchanged since the last read come from the cache folder.

    With `settings`, a long history that finds no usable store (a first build, a new
    statuskit) is first read in shares, a process a core, so the reads within find it read.
    """
    store = parsecache.activate(reading_cache_file(cache_dir) if cache_dir else None)
    try:
        if store is not None and not store.old and settings is not None:
            _read_ahead(store, settings)
        yield
    finally:
        parsecache.activate(None)
        if store is not None:
            try:
                store.save()
            except OSError as exc:
                log.info(f"could not save the cache of read files: {exc}")


def _read_ahead(store: parsecache.ParseCache, settings: Settings) -> None:
    """Read the history in shares at once into `store`; a short one, or where processes cannot
    be forked, is read by the build itself."""
    jobs = spare_cores() + 1
    if jobs < 2 or not can_fork() or count_incident_files(settings.incidents_dir) < SHARED_READ:
        return
    read = partial(read_share, settings.incidents_dir, settings.locale)
    try:
        store.absorb(read_in_shares(read, jobs))
    except Exception as exc:  # only slower: the build reads what it needs itself
        log.info(f"history not read ahead ({exc}); the build reads it")
