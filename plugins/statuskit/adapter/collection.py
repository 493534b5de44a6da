"""Python's cycle collector held off while a build reads and plans a long history.

Reading 10,000 incidents and planning their views makes millions of objects that live until
the build ends and hold no garbage cycles; each full collection on the way walks all of them
again (a third of a warm rebuild's time). The collector is paused from the start of the build to
the end of `on_files` (the pages planned, the cached ones placed, the outputs planned and the
kept ones linked: a republish's live objects, and about a thousand garbage ones), those objects
are then frozen out of later collections, and it runs again for rendering, which does make
garbage.

A worker forked by `statuskit build` starts with the history its parent loaded already frozen
(cli/publish.py). Unfreezing there would hand the whole history to the next full collection: it
walks every object and writes to each, so the worker copies every page it shares with its
parent (0.7 s of a republish's worker at 10,000 incidents). What was frozen before a build is
left frozen by it; the process that froze it unfreezes it, and a worker ends with its targets.
"""

from __future__ import annotations

import gc


class CollectorPause:
    """The collector around one build: paused, frozen after planning, restored at the end."""

    def __init__(self) -> None:
        self._paused = False
        # Whether this build froze objects and may unfreeze them: not when some were already
        # frozen at its start (they are its parent's, and unfreezing releases all of them).
        self._owns_frozen = False

    def pause(self) -> None:
        """At the start of a build: no full collections while the history is read and planned."""
        self._owns_frozen = gc.get_freeze_count() == 0
        if gc.isenabled():
            gc.disable()
            self._paused = True

    def freeze(self) -> None:
        """Before rendering: what exists now lives for the build; later collections skip it."""
        if self._paused:
            gc.freeze()
            gc.enable()
            self._paused = False

    def release(self) -> None:
        """At the end (or failure) of a build: everything it froze collectable again (`mkdocs
        serve`); the collector on."""
        if self._paused:
            gc.enable()
            self._paused = False
        if self._owns_frozen:
            gc.unfreeze()
            self._owns_frozen = False
