"""Python's cycle collector held off while a build reads and plans a long history.

Reading 10,000 incidents and planning their views makes millions of objects that live until
the build ends and hold no garbage cycles; each full collection on the way walks all of them
again (a third of a warm rebuild's time). The collector is paused from the start of the build to
the end of planning, those objects are then frozen out of later collections, and it runs again
for rendering, which does make garbage.
"""

from __future__ import annotations

import gc


class CollectorPause:
    """The collector around one build: paused, frozen after planning, restored at the end."""

    def __init__(self) -> None:
        self._paused = False

    def pause(self) -> None:
        """At the start of a build: no full collections while the history is read and planned."""
        if gc.isenabled():
            gc.disable()
            self._paused = True

    def freeze(self) -> None:
        """After planning: what exists now lives for the build; later collections skip it."""
        if self._paused:
            gc.freeze()
            gc.enable()
            self._paused = False

    def release(self) -> None:
        """At the end (or failure) of a build: everything collectable again (`mkdocs serve`)."""
        if self._paused:
            gc.enable()
            self._paused = False
        gc.unfreeze()
