"""Outputs reused between builds: a rebuild renders only the feeds whose incident changed.

Each incident has an Atom and an RSS feed, 20,000 files on a site of 10,000 incidents. Their
bytes depend on the incident as the feed shows it (the key `outputs` gives each pair) and on
what the whole build shares (`output_context`: locale, address, site name, settings without
the clock, catalog) with statuskit's code and the versions of the libraries that render them.
A pair whose key is in the cache is linked into the site from the cache's files (a copy across
devices), never rendered; a new one is written into the site and linked into the cache. They
bypass MkDocs' files, so MkDocs neither holds nor copies them, and a child process forked for
them writes them on another core while MkDocs renders the pages (`processes.Beside`). Parts of
a file (the calendar's events) are kept in the manifest by their key the same way.

The cache is `outputs/` in the target's folder: `manifest.json` (format, statuskit version,
each key's files by path and content digest, each part with its digest, and the stamp of each
file when its digest was last checked) and one file per content, named by its digest. A file
whose size or modification time differs from its stamp is read and checked again (a cache CI
restores from its archive keeps both). A
manifest of another format or version, unreadable JSON, or a file or part whose digest does not
match is ignored: a damaged cache costs a render, never a wrong file. Entries this build did not
use are dropped when it ends.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files

from ..core.site import Site
from ..outputs.render import KeyedFiles, output_context, plan_outputs
from .cache import (
    Fingerprint,
    content_digest,
    link_or_copy,
    package_version,
    stamp,
    target_folder,
    write_atomic,
)
from .processes import Beside

log = get_plugin_logger(__name__)

# Bump when the layout of the folder or the meaning of a key changes.
FORMAT = 2
FOLDER = "outputs"
MANIFEST = "manifest.json"
FILES = "files"
# Libraries whose version changes the bytes of a feed or of the calendar.
DISTRIBUTIONS = (
    "feedgen",
    "lxml",
    "python-dateutil",
    "icalendar",
    "markdown",
    "pymdown-extensions",
    "nh3",
    "markupsafe",
    "babel",
    "tzdata",
)


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def output_environment(context: object) -> str:
    """Everything beside its own key that a keyed output depends on."""
    return Fingerprint().digest(
        {
            "format": FORMAT,
            "python": sys.version,
            "statuskit": package_version(),
            "versions": {name: _version(name) for name in DISTRIBUTIONS},
            "context": context,
        }
    )


class OutputCache:
    """The kept outputs of one target: read when a build starts, saved when it has written them.

    With no folder (`cache: false`) every output is rendered and nothing is kept.
    """

    def __init__(self, folder: Path | None, environment: str) -> None:
        self.folder = folder
        self.environment = environment
        self.files: dict[str, dict[str, str]] = {}
        self.parts: dict[str, list[str]] = {}
        self.fresh_files: dict[str, dict[str, str]] = {}
        self.fresh_parts: dict[str, list[str]] = {}
        # Each file's stamp when its digest was last checked, by digest.
        self.stamps: dict[str, list[int]] = {}
        self.fresh_stamps: dict[str, list[int]] = {}
        self.problem: str | None = None
        self.reused = 0
        self.rendered = 0
        self.parts_rendered = 0
        # As text, once: it is joined to 20,000 names at 10,000 incidents.
        self._files_dir = os.path.join(folder, FILES) if folder is not None else ""
        if folder is not None:
            self._load(folder / MANIFEST)

    def _load(self, path: Path) -> None:
        """Read the manifest; anything unexpected leaves the cache empty, with the reason."""
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self.problem = f"unreadable ({type(exc).__name__}: {exc})"
            return
        try:
            if data.get("format") != FORMAT or data.get("statuskit") != package_version():
                self.problem = "written by another statuskit version"
                return
            files = {
                str(key): {str(p): str(d) for p, d in paths.items()}
                for key, paths in data["files"].items()
            }
            parts = {str(key): [str(d), str(text)] for key, (d, text) in data["parts"].items()}
            stamps = {str(d): [int(n) for n in s] for d, s in data["stamps"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.problem = f"unreadable ({type(exc).__name__}: {exc})"
            return
        self.files, self.parts, self.stamps = files, parts, stamps

    def key(self, key: str) -> str:
        """A key of the outputs, completed with the build's environment."""
        return content_digest(f"{self.environment}\0{key}".encode())

    @property
    def files_dir(self) -> Path:
        assert self.folder is not None
        return self.folder / FILES

    def memo(self, key: str, render: Callable[[], bytes]) -> bytes:
        """A part of a file: kept from an earlier build when its key and digest match."""
        full = self.key(key)
        kept = self.parts.get(full)
        if kept is not None:
            content = kept[1].encode("utf-8", "surrogateescape")
            if content_digest(content) == kept[0]:
                self.fresh_parts[full] = kept
                return content
        content = render()
        self.parts_rendered += 1
        if self.folder is not None:
            text = content.decode("utf-8", "surrogateescape")
            self.fresh_parts[full] = [content_digest(content), text]
        return content

    def _kept(self, key: str, paths: tuple[str, ...]) -> dict[str, str] | None:
        """The cache's file of each path, if this key's files are all there and intact."""
        if self.folder is None:
            return None
        entry = self.files.get(key)
        if entry is None or tuple(entry) != paths:
            return None
        found = {}
        files_dir = self._files_dir
        for path, digest in entry.items():
            source = os.path.join(files_dir, digest)
            try:
                now = stamp(source)
                if now != self.stamps.get(digest):
                    with open(source, "rb") as stream:
                        if content_digest(stream.read()) != digest:
                            return None
            except OSError:
                return None
            self.fresh_stamps[digest] = now
            found[path] = source
        self.fresh_files[key] = entry
        return found

    def write(self, group: KeyedFiles, site_dir: str) -> None:
        """Put one group's files into the site: linked from the cache, or rendered now."""
        key = self.key(group.key)
        kept = self._kept(key, group.paths)
        if kept is not None:
            for path, source in kept.items():
                link_or_copy(source, os.path.join(site_dir, path))
            self.reused += len(kept)
            return
        rendered = group.render()
        entry = {}
        for path in group.paths:
            content = rendered[path]
            destination = os.path.join(site_dir, path)
            _write_new(destination, content)
            if self.folder is not None:
                entry[path] = digest = content_digest(content)
                file = self.files_dir / digest
                self._keep(destination, file, content)
                self.fresh_stamps[digest] = stamp(file)
        if self.folder is not None:
            self.fresh_files[key] = entry
        self.rendered += len(group.paths)

    def _keep(self, written: str, kept: Path, content: bytes) -> None:
        """The cache's file for a site file just written: the same file, or a copy across
        devices. A file already there under that digest may be damaged: it is replaced."""
        try:
            os.link(written, kept)
        except FileExistsError:
            temporary = kept.with_name(f".tmp-{kept.name}")
            temporary.unlink(missing_ok=True)
            try:
                os.link(written, temporary)
                os.replace(temporary, kept)
            except OSError:
                write_atomic(kept, content)
        except OSError:
            write_atomic(kept, content)

    def save(self) -> None:
        """Keep what this build used or made; drop every other file of the cache."""
        if self.folder is None:
            return
        manifest = {
            "format": FORMAT,
            "statuskit": package_version(),
            "files": self.fresh_files,
            "parts": self.fresh_parts,
            "stamps": self.fresh_stamps,
        }
        data = json.dumps(manifest, ensure_ascii=True, separators=(",", ":"))
        write_atomic(self.folder / MANIFEST, data.encode("ascii"))
        used = {digest for paths in self.fresh_files.values() for digest in paths.values()}
        with os.scandir(self.files_dir) as entries:
            for entry in entries:
                if entry.name not in used:
                    Path(entry.path).unlink(missing_ok=True)


def _write_new(path: str, content: bytes) -> None:
    """Write a new file; one already there (a dirty build) is unlinked first, so a hard link
    into a cache is never written through."""
    try:
        with open(path, "xb") as out:
            out.write(content)
    except FileExistsError:
        os.unlink(path)
        _write_new(path, content)


def write_outputs(
    site: Site, config: MkDocsConfig, files: Files, page_id: str, cache_dir: Path | None
) -> tuple[dict[str, bytes], Beside[str]]:
    """Start writing the per-incident outputs into the site folder, rendering only those not
    kept, and return the site-wide ones for MkDocs to write (they are few and change with
    every update) with the writing, whose `join` waits for it and gives the line to log.

    The per-incident files are most of a clean build's outputs (a feed pair per incident):
    a child process writes them on another core while MkDocs renders the pages. MkDocs has
    cleaned the site folder before `on_files`, where this runs, and never writes these paths.
    """
    site_name, base_url = config.site_name, config.site_url or "/"
    targets = site.settings.targets
    folder = None
    if cache_dir is not None:
        target = f"{targets.mode}:{targets.current.id}" if targets else None
        folder = target_folder(cache_dir, target, config.site_url or "") / FOLDER
    cache = OutputCache(folder, output_environment(output_context(site, site_name, base_url)))
    if cache.problem:
        log.info(f"ignoring the output cache in {folder}: {cache.problem}")
    outputs = plan_outputs(site, site_name, base_url, page_id, cache.memo)
    site_dir = config.site_dir
    folders = {os.path.dirname(p) for group in outputs.keyed for p in group.paths}
    if cache.folder is not None:
        cache.files_dir.mkdir(parents=True, exist_ok=True)
    for name in sorted(folders):
        os.makedirs(os.path.join(site_dir, name), exist_ok=True)
    taken = files.src_uris
    for group in outputs.keyed:
        for path in group.paths:
            _refuse_replacing(taken, path, config)
    for path in outputs.files:
        _refuse_replacing(taken, path, config)
    writing = partial(_write_keyed, cache, outputs.keyed, site_dir)
    return outputs.files, Beside(writing, "writing the per-incident feeds")


def _write_keyed(cache: OutputCache, keyed: list[KeyedFiles], site_dir: str) -> str:
    """Every per-incident file into the site, then the cache's manifest of them; the line the
    build logs about it."""
    for group in keyed:
        cache.write(group, site_dir)
    cache.save()
    parts = len(cache.fresh_parts) if cache.folder else cache.parts_rendered
    return (
        f"outputs: {cache.reused} file(s) reused, {cache.rendered} rendered; "
        f"{parts - cache.parts_rendered} part(s) reused, {cache.parts_rendered} rendered"
    )


def _refuse_replacing(taken: Mapping[str, object], path: str, config: MkDocsConfig) -> None:
    """A site's own file at an output's path is an error, not silently replaced."""
    if path in taken:
        raise PluginError(
            f"statuskit: {config.docs_dir}/{path} would be replaced by a generated "
            "output; rename or remove it"
        )
