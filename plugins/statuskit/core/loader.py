"""Reading incident files from disk into the model, collecting every problem on the way."""

from __future__ import annotations

import glob
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import parsecache, yamlsource
from .documents import (
    ID,
    MAX_FILE_BYTES,
    TimeError,
    get_path,
    id_problem,
    parse_time,
    pointer,
    read_document,
    read_text,
    split_front_matter,
    text_of,
)
from .model import Affected, Incident, Provider, Responsible, Text, Update
from .postmortems import load_postmortem, postmortem_stem
from .problems import Problem, display_path
from .recent import Recent
from .schema import SchemaCheck

__all__ = [
    "MAX_FILE_BYTES",
    "LoadResult",
    "find_files",
    "incident_schema",
    "load_incident",
    "load_incidents",
    "read_text",
    "split_front_matter",
]

INCIDENT_SUFFIXES = (".md", ".yml", ".yaml")
_SIBLING = re.compile(r"^(?P<stem>.+)\.(?P<locale>[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?)\.md$")


@cache
def incident_schema() -> dict[str, Any]:
    """The JSON Schema shipped for editors and used for the first pass of validation."""
    text = resources.files("statuskit").joinpath("schema/incident.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> SchemaCheck:
    return SchemaCheck(incident_schema())


@dataclass
class LoadResult:
    """Incidents that could be read, and the problems met while reading them."""

    incidents: list[Incident] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # The tree as read (every file's name and content, the links out of it); None when a file
    # could not be read. Equal trees give equal results.
    tree: tuple[object, ...] | None = None


def find_files(incidents_dir: Path) -> Iterator[Path]:
    """Incident files in a stable order; README files are documentation, not incidents."""
    yield from _walk(incidents_dir)[0]


def _walk(incidents_dir: Path) -> tuple[list[Path], list[Path]]:
    """Incident files, and the symbolic links that lead out of the folder (never read).

    A link out of the incidents folder would publish whatever it points at; links to folders
    are never followed (their files, if inside, are read where they really are).
    """
    if not incidents_dir.is_dir():
        return [], []
    root = incidents_dir.resolve()
    files: list[Path] = []
    outside: list[Path] = []
    for path in sorted(incidents_dir.rglob("*")):
        if path.name.lower() == "readme.md" or path.name.startswith((".", "_")):
            continue
        is_link = path.is_symlink()
        if is_link and not path.resolve().is_relative_to(root):
            if path.suffix in INCIDENT_SUFFIXES or path.is_dir():
                outside.append(path)
            continue
        if path.suffix in INCIDENT_SUFFIXES and path.is_file():
            files.append(path)
    return files, outside


def _link_problem(path: Path, incidents_dir: Path) -> Problem:
    """A link out of the incidents folder, named as the author sees it (not its target)."""
    shown = str(Path(display_path(path.parent)) / path.name)
    return Problem(
        shown,
        1,
        f"this symbolic link leads out of {display_path(incidents_dir)}, so it is not read",
        "copy the file into the incidents folder instead of linking to it",
    )


# The last few trees read, by their files' names and contents: building every locale or
# mirror in one process, or rebuilding on `mkdocs serve`, reads unchanged files once.
_RECENT: Recent[tuple[object, ...], LoadResult] = Recent(2)


# Within `pinned_history`: the tree read of each folder and locale, given to later reads.
_LATEST: dict[tuple[str, str], LoadResult] = {}
_PINNED = False


@contextmanager
def pinned_history() -> Iterator[None]:
    """Within: a history is read once, its first read within; later reads (here or in
    processes forked here) take it as it was read, without walking and digesting its folder.

    `statuskit build` reads the history before it forks its targets' workers (or with its
    first target): each target then describes that one reading (every locale the same
    history, even if a file changes while they build) instead of each walking and digesting
    10,000 files to find it unchanged.
    """
    global _PINNED
    _LATEST.clear()
    _PINNED = True
    try:
        yield
    finally:
        _PINNED = False
        _LATEST.clear()


def load_incidents(incidents_dir: Path, default_locale: str) -> LoadResult:
    """Read every incident file under a folder; a bad file never stops the others being read."""
    where = (str(incidents_dir.resolve()), default_locale)
    latest = _LATEST.get(where) if _PINNED else None
    if latest is not None:
        return _copy(latest)
    result = _load_incidents(incidents_dir, default_locale)
    if _PINNED:
        _LATEST[where] = _copy(result)
    return result


def _copy(result: LoadResult) -> LoadResult:
    """A result whose lists the caller may change."""
    return LoadResult(list(result.incidents), list(result.problems), result.tree)


def _load_incidents(incidents_dir: Path, default_locale: str) -> LoadResult:
    files, outside = _walk(incidents_dir)
    links = [_link_problem(p, incidents_dir) for p in outside]
    try:
        digests = {p: file_digest(p) for p in files}
        stats: tuple[tuple[str, bytes], ...] | None = tuple((str(p), d) for p, d in digests.items())
    except OSError:
        digests, stats = {}, None
    key = (str(incidents_dir.resolve()), default_locale, stats)
    tree = (key, tuple(str(p) for p in outside)) if stats is not None else None
    cached = _RECENT.get(key) if stats is not None else None
    if cached is not None:
        return LoadResult(list(cached.incidents), list(cached.problems) + links, tree)
    result = _read_tree(files, default_locale, digests)
    if stats is not None:
        _RECENT.put(key, LoadResult(list(result.incidents), list(result.problems)))
    result.problems.extend(links)
    result.tree = tree
    return result


def count_incident_files(incidents_dir: Path) -> int:
    """How many files a read of the history would read."""
    return len(_walk(incidents_dir)[0])


def read_share(
    incidents_dir: Path, default_locale: str, share: int, shares: int
) -> dict[str, bytes]:
    """Read one of `shares` parts of a history, each incident with its translations and
    postmortem; returns what the reading cache keeps of them, for a build to reuse."""
    files, _ = _walk(incidents_dir)
    groups: dict[tuple[Path, str], list[Path]] = {}
    for path in files:
        groups.setdefault((path.parent, path.name.partition(".")[0]), []).append(path)
    mine = [p for n, key in enumerate(sorted(groups)) if n % shares == share for p in groups[key]]
    previous = parsecache.active()
    store = parsecache.collect()
    try:
        _read_tree(mine, default_locale)
    finally:
        parsecache.set_active(previous)
    return store.new


def load_incident(path: Path, default_locale: str) -> LoadResult:
    """One incident file with its translations and postmortem, without reading the others."""
    related = path.parent.glob(f"{glob.escape(path.stem)}.*")
    files = sorted(p for p in related if p.suffix in INCIDENT_SUFFIXES and p.is_file())
    return _read_tree(files or [path], default_locale)


def file_digest(path: Path) -> bytes:
    """A file's content, digested: what the reading cache and the incidents' sources use."""
    return hashlib.blake2b(path.read_bytes()).digest()


def _read_tree(
    files: list[Path], default_locale: str, digests: dict[Path, bytes] | None = None
) -> LoadResult:
    """Read files grouped as incidents; `digests` are their contents' when already known."""
    known = digests or {}
    result = LoadResult()
    names = set(files)
    siblings: dict[Path, dict[str, Path]] = {}
    postmortems: dict[Path, Path] = {}
    postmortem_translations: dict[Path, dict[str, Path]] = {}
    mains: list[Path] = []
    for path in files:
        postmortem = postmortem_stem(path)
        if postmortem is not None:
            incident_stem, locale = postmortem
            key = path.with_name(incident_stem)
            if locale is None:
                postmortems[key] = path
            else:
                postmortem_translations.setdefault(key, {})[locale] = path
            continue
        match = _SIBLING.match(path.name)
        base = _base_file(path.with_name(match["stem"]), names) if match else None
        if match and base is not None:
            siblings.setdefault(base, {})[match["locale"]] = path
        elif match and not _has_front_matter(path):
            result.problems.append(_orphan(path, f"{match['stem']}.md", match["locale"]))
        else:
            mains.append(path)
    by_stem: dict[Path, Incident] = {}
    for path in mains:
        incident, source = _load_cached(
            path, default_locale, siblings.get(path, {}), known, result.problems
        )
        if incident is not None:
            incident.source = source
            result.incidents.append(incident)
            by_stem[path.with_suffix("")] = incident
    for stem, path in postmortems.items():
        loaded, source = _load_cached(
            path,
            default_locale,
            postmortem_translations.get(stem, {}),
            known,
            result.problems,
            True,
        )
        if loaded is None:
            continue
        incident = by_stem.get(stem)
        if incident is not None:
            incident.postmortem = loaded
            incident.source = _joined(incident.source, source)
        elif not any(stem.with_suffix(s) in names for s in INCIDENT_SUFFIXES):
            result.problems.append(
                Problem(
                    display_path(path),
                    1,
                    f"no incident file {stem.name}.md beside this postmortem, so it is not "
                    "published",
                    "name a postmortem after its incident file: <incident>.postmortem.md",
                    "warning",
                )
            )
    for stem, translations in postmortem_translations.items():
        if stem not in postmortems:
            for locale, path in sorted(translations.items()):
                result.problems.append(_orphan(path, f"{stem.name}.postmortem.md", locale))
    return result


def _has_front_matter(path: Path) -> bool:
    """An incident file starts with `---`; a translation of its text does not."""
    try:
        with path.open("rb") as file:
            return file.readline().rstrip(b" \t\r\n") == b"---"
    except OSError:
        return True  # read as an incident, which reports why it cannot be read


def _orphan(path: Path, base: str, locale: str) -> Problem:
    """A translation whose original is missing: shown nowhere, so the author should know."""
    return Problem(
        display_path(path),
        1,
        f"a {locale} translation of {base}, but there is no {base} beside it, so it is not "
        "published",
        f"name it after the file it translates (<name>.{locale}.md) or remove it",
        "warning",
    )


def _base_file(stem: Path, names: set[Path]) -> Path | None:
    """The incident file a translation belongs to: `x.ko.md` translates `x.md` or `x.yml`."""
    return next(
        (stem.with_suffix(s) for s in INCIDENT_SUFFIXES if stem.with_suffix(s) in names), None
    )


def _load_cached(
    path: Path,
    default_locale: str,
    translations: dict[str, Path],
    known: dict[Path, bytes],
    problems: list[Problem],
    postmortem: bool = False,
) -> tuple[Any, str]:
    """An incident (or postmortem) file with its translations, read again only if changed;
    with the digest of its sources ("" when a file cannot be read)."""
    reader = load_postmortem if postmortem else _load_file

    def load(found: list[Problem]) -> Any:
        return reader(path, default_locale, translations, found)

    kind = "postmortem" if postmortem else "incident"
    paths = [path, *(translations[k] for k in sorted(translations))]
    try:
        sources = [(p, known[p] if p in known else file_digest(p)) for p in paths]
    except OSError:
        return load(problems), ""  # reading it again reports why it cannot be read
    extra = f"{default_locale}\0{sorted(translations)}"
    source = hashlib.blake2b(f"{kind}\0{extra}\0".encode(), digest_size=20)
    for name, content in sources:
        source.update(name.name.encode() + b"\0" + content + b"\0")
    store = parsecache.active()
    if store is None:
        return load(problems), source.hexdigest()
    return store.read(kind, sources, extra, problems, load), source.hexdigest()


def _joined(incident: str, postmortem: str) -> str:
    """An incident's sources with its postmortem's; unknown if either is."""
    if not incident or not postmortem:
        return ""
    return hashlib.blake2b(f"{incident}\0{postmortem}".encode(), digest_size=20).hexdigest()


def _load_file(
    path: Path, default_locale: str, siblings: dict[str, Path], problems: list[Problem]
) -> Incident | None:
    document = read_document(path, problems, _validator(), "incident")
    if document is None:
        return None
    return _build(path, document.yaml, document.body, default_locale, siblings, problems)


def _build(
    path: Path,
    doc: yamlsource.YamlDocument,
    body: str,
    default_locale: str,
    siblings: dict[str, Path],
    problems: list[Problem],
) -> Incident | None:
    data: dict[str, Any] = doc.data
    shown = display_path(path)
    before = len(problems)

    def time(key: str, container: tuple[str | int, ...] = ()) -> datetime | None:
        value = get_path(data, (*container, key))
        if value is None:
            return None
        line = doc.line((*container, key))
        try:
            return parse_time(str(value), line, pointer((*container, key)))
        except TimeError as exc:
            problems.append(Problem(shown, exc.line, exc.message, exc.hint))
            return None

    def text(key: str) -> Text | None:
        return text_of(data[key], default_locale) if key in data else None

    updates: list[Update] = []
    for number, raw in enumerate(data["updates"]):
        at = time("at", ("updates", number))
        if at is None:
            continue
        updates.append(
            Update(
                at=at,
                status=raw["status"],
                body=text_of(raw["body"], default_locale),
                provisional=bool(raw.get("provisional", False)),
                components=dict(raw.get("components", {})),
                line=doc.line(("updates", number)),
                number=number,
                next_update_by=time("next_update_by", ("updates", number)),
                reopened=bool(raw.get("reopened", False)),
            )
        )
    bodies = {default_locale: body} if body.strip() else {}
    if "body" in data:
        bodies.update(text_of(data["body"], default_locale).values)
    for locale, sibling in siblings.items():
        sibling_text = read_text(sibling, problems)
        if sibling_text is not None:
            bodies[locale] = sibling_text
    responsible = None
    if "responsible" in data:
        responsible = Responsible(
            name=text_of(data["responsible"]["name"], default_locale),
            role=text_of(data["responsible"]["role"], default_locale),
        )
    lead = None
    if "lead" in data:
        lead = Responsible(
            name=text_of(data["lead"]["name"], default_locale),
            role=text_of(data["lead"]["role"], default_locale),
        )
    affected = None
    if "affected" in data:
        raw_affected = data["affected"]
        affected = Affected(
            customers=str(raw_affected["customers"]),
            regions=[text_of(v, default_locale) for v in raw_affected.get("regions", [])],
            plans=[text_of(v, default_locale) for v in raw_affected.get("plans", [])],
            platforms=[text_of(v, default_locale) for v in raw_affected.get("platforms", [])],
        )
    provider = None
    if "provider" in data:
        provider = Provider(
            name=text_of(data["provider"]["name"], default_locale),
            status_url=data["provider"].get("status_url"),
        )
    if "id" in data and not ID.fullmatch(data["id"]):
        problems.append(id_problem(shown, doc.line(("id",)), data["id"]))
    incident = Incident(
        id=str(data.get("id", path.stem)),
        path=path,
        kind=data["kind"],
        title=text_of(data["title"], default_locale),
        severity=str(data.get("severity", "")),
        category=str(data.get("category", "technical")),
        components=dict(data.get("components", {})),
        regions=[str(r) for r in data.get("regions", [])],
        started_at=time("started_at"),
        detected_at=time("detected_at"),
        resolved_at=time("resolved_at"),
        scheduled_for=time("scheduled_for"),
        scheduled_until=time("scheduled_until"),
        updates=updates,
        body=Text(bodies),
        workaround=text("workaround"),
        scope=text("scope"),
        responsible=responsible,
        internal=text("internal"),
        lines={pointer(k): v for k, v in doc.lines.items() if k},
        expected_resolution=time("expected_resolution"),
        affected=affected,
        lead=lead,
        provider=provider,
    )
    if len(problems) > before:
        return None
    return incident
