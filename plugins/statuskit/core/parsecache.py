"""Incident and postmortem files read once: later builds reuse what an unchanged file gave.

Reading a file (YAML, schema, model) costs far more than hashing it, so each result is kept
under the digest of everything it came from: the files' paths and contents, the default locale,
the working folder (problems name files relative to it) and statuskit's own code. The store is
one file per site in the build cache folder: a small pickle saying its format and code, then
the entries; pickles run code when read, so the folder must be as trusted as the repository
itself (it is the project's own `.cache/`). A file of another format or code, or one that cannot
be read, is ignored and rewritten. A build that finds no usable store can fill it first, with
the history read in shares by several processes (`collect`, `absorb`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO, TypeVar

import statuskit

from .problems import Problem

FORMAT = 2
T = TypeVar("T")

_CODE: str | None = None


def code_digest() -> str:
    """Every file of the statuskit package (code, schemas, templates, catalogs)."""
    global _CODE
    if _CODE is None:
        root = Path(statuskit.__file__).resolve().parent
        digest = hashlib.blake2b(digest_size=20)
        for folder, dirs, names in sorted(os.walk(root)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(names):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = Path(folder, name)
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
        _CODE = f"{statuskit.__version__}+{digest.hexdigest()}"
    return _CODE


class ParseCache:
    """Results of reading files, by the digest of their inputs (kept in memory without a path)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.old: dict[str, bytes] = {}
        self.new: dict[str, bytes] = {}
        self.hits = 0
        # Whether this run read through the store; a run that did not (its tree came from
        # the process' memory) knows nothing of which entries are still needed.
        self.consulted = False
        if path is None:
            return
        try:
            with path.open("rb") as stream:
                if _current(stream):
                    self.old = dict(pickle.load(stream))
        except FileNotFoundError:
            pass
        except Exception:
            self.old = {}

    def read(
        self,
        kind: str,
        sources: Sequence[tuple[Path, bytes]],
        extra: str,
        problems: list[Problem],
        load: Callable[[list[Problem]], T],
    ) -> T:
        """`load(problems)` for these files (each with its content's digest), or what it gave
        last time they were the same."""
        self.consulted = True
        key = _key(kind, sources, extra)
        stored = self.new.get(key) or self.old.get(key)
        if stored is not None:
            try:
                value, found = pickle.loads(stored)
            except Exception:
                pass
            else:
                self.new[key] = stored
                self.hits += 1
                problems.extend(found)
                return value  # type: ignore[no-any-return]
        mine: list[Problem] = []
        value = load(mine)
        problems.extend(mine)
        # Pickled now, before anyone attaches a postmortem or otherwise changes the result.
        self.new[key] = pickle.dumps((value, mine), protocol=pickle.HIGHEST_PROTOCOL)
        return value

    def remember(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`, or what it gave last time under `key` (which names all it depends on).

        It leaves `consulted` alone: a run whose tree came from memory must not save a store
        holding only these entries.
        """
        stored = self.new.get(key) or self.old.get(key)
        if stored is not None:
            try:
                value = pickle.loads(stored)
            except Exception:
                pass
            else:
                self.new[key] = stored
                return value  # type: ignore[no-any-return]
        value = compute()
        self.new[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return value

    def absorb(self, entries: dict[str, bytes]) -> None:
        """Take entries another process read (a share of the history) as this run's own."""
        self.consulted = True
        self.new.update(entries)

    def save(self) -> None:
        """Keep this run's entries only, so deleted files leave the cache too."""
        if self.path is None or not self.consulted or self.new.keys() == self.old.keys():
            return
        write_pickle(self.path, _header(), self.new)


def is_current(path: Path) -> bool:
    """Whether a store of this format and code is at path (its entries are not read)."""
    try:
        with path.open("rb") as stream:
            return _current(stream)
    except Exception:
        return False


def _header() -> dict[str, object]:
    """What a store begins with: it is read only by this format and code."""
    return {"format": FORMAT, "code": code_digest()}


def _current(stream: BinaryIO) -> bool:
    return bool(pickle.load(stream) == _header())


def write_pickle(path: Path, *data: object) -> None:
    """Write beside the file and rename, so a killed build never leaves half a store."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            for item in data:
                pickle.dump(item, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _key(kind: str, sources: Sequence[tuple[Path, bytes]], extra: str) -> str:
    digest = hashlib.blake2b(digest_size=24)
    digest.update(f"{kind}\0{extra}\0{os.getcwd()}\0".encode())
    for path, content in sources:
        digest.update(str(path).encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


# The cache `load_incidents` uses; set by a build for the site it builds.
_ACTIVE: ParseCache | None = None


def activate(path: Path | None) -> ParseCache | None:
    """Use the cache file at `path` for the reads that follow (None: no cache)."""
    global _ACTIVE
    _ACTIVE = ParseCache(path) if path is not None else None
    return _ACTIVE


def collect() -> ParseCache:
    """Keep the results of the reads that follow in memory, to hand them to another process."""
    global _ACTIVE
    _ACTIVE = ParseCache(None)
    return _ACTIVE


def active() -> ParseCache | None:
    return _ACTIVE


def set_active(store: ParseCache | None) -> None:
    """Put back a store that `activate` or `collect` replaced."""
    global _ACTIVE
    _ACTIVE = store
