"""Memory a long history's build hands back to the system between its phases."""

from __future__ import annotations

import ctypes
import sys


def give_back_freed() -> None:
    """Return the heap's freed pages to the system (glibc's `malloc_trim`; elsewhere nothing).

    glibc keeps what is freed in the middle of its heap: the views memo, written once the plan
    is made, would otherwise stay counted in the build's memory while MkDocs renders.
    """
    if sys.platform != "linux":
        return
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:  # musl and other C libraries have none
        trim(0)
