"""Views of closed incidents kept between builds: an unchanged one is not planned again.

A closed incident's summary and page view are a function of its state (the incident as read,
with its postmortem and translations, and what was derived from it) and of the build's scope
(statuskit's code, the settings, the catalogs, the locale and the target, given by the caller).
Open and upcoming incidents change with the clock and are always planned. The store is one
pickle per target in the build cache folder, as trusted as the project's own files; a store of
another format or scope, or one that cannot be read, is ignored and written anew.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.parsecache import write_pickle
from ..core.status import IncidentState

FORMAT = 3


@dataclass
class Stored:
    """One closed incident's views: the key of its state, its summary, its page without its
    view and the view, pickled (a page reused from the cache never loads its view), and the
    digest of the page's two pickles, kept rather than made again at every recall."""

    key: str
    summary: bytes
    page: bytes
    view: bytes
    digest: str


class ViewMemo:
    """The views of the last build and those of this one, by incident id."""

    def __init__(self, scope: str, path: Path | None = None) -> None:
        self.scope = scope
        self.path = path
        self.old: dict[str, Stored] = {}
        self.new: dict[str, Stored] = {}
        self.hits = 0
        # Digest of each planned page's pickled view, by its source path (for the page cache).
        self.digests: dict[str, str] = {}
        self._pending: list[tuple[str, str, Any, Any]] = []
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            with path.open("rb") as stream:
                data = pickle.load(stream)
            if data["format"] == FORMAT and data["scope"] == self.scope:
                self.old = dict(data["entries"])
        except FileNotFoundError:
            pass
        except Exception:  # a damaged store only costs the planning it would have saved
            self.old = {}

    def key(self, state: IncidentState) -> str | None:
        """The digest of a closed incident's state; None when its views follow the clock.

        An incident read from files is written as its sources' digest and its status: the
        rest of a closed state follows from them and the settings (the scope), as
        `derive_incident` reads the clock only for open and upcoming ones. This key is made for
        every closed incident of every build; pickling each state took 60 µs.
        """
        if state.is_open or state.is_upcoming:
            return None
        if state.incident.source:
            data = f"\0closed\0{state.incident.source}\0{state.status}".encode()
        else:
            try:
                data = stable_bytes(state)
            except Exception:
                return None
        return hashlib.blake2b(self.scope.encode() + data, digest_size=20).hexdigest()

    def recall(self, incident_id: str, key: str | None) -> tuple[Any, Any] | None:
        """The summary and page view stored for this state, or None."""
        stored = self.old.get(incident_id)
        if key is None or stored is None or stored.key != key:
            return None
        try:
            summary, page = pickle.loads(stored.summary), pickle.loads(stored.page)
        except Exception:
            return None
        page.kept = stored.view
        self.new[incident_id] = stored
        self.digests[page.src_uri] = stored.digest
        self.hits += 1
        return summary, page

    def keep(self, incident_id: str, key: str | None, summary: Any, page: Any) -> None:
        """Store a closed incident's views planned in this build, once the plan is complete."""
        if key is not None:
            self._pending.append((incident_id, key, summary, page))

    def seal(self) -> None:
        """Pickle the kept views as the finished plan has them (later planners add links)."""
        for incident_id, key, summary, page in self._pending:
            try:
                head = stable_bytes(dataclasses.replace(page, view={}))
                view = stable_bytes(page.view)
                brief = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                continue
            # Each pickle ends with its own stop code: the two together name one page.
            digest = _digest(head + view)
            self.new[incident_id] = Stored(key, brief, head, view, digest)
            self.digests[page.src_uri] = digest
        self._pending.clear()

    def save(self) -> None:
        """Keep this build's views only, so deleted incidents leave the store too; then let the
        stored views go: once planned, a build needs only their digests (memory while MkDocs
        renders)."""
        if self.path is not None and self.new != self.old:
            write_pickle(self.path, {"format": FORMAT, "scope": self.scope, "entries": self.new})
        self.old, self.new = {}, {}


def stable_bytes(value: object, keys: Mapping[type, Callable[[Any], Any]] | None = None) -> bytes:
    """A pickle that depends on the values only, not on which objects happen to be shared.

    Pickle's memo writes a shared object once and refers back to it, so equal views built once
    fresh and once partly from the memo would give different bytes; without the memo (views
    hold no cycles) equal values give equal bytes. `keys` writes some types shorter, for a key
    only: such bytes are never read back.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    if keys is not None:
        pickler.dispatch_table = keys
    pickler.dump(value)
    return buffer.getvalue()


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()
