"""Child processes of a build that end with it, so a killed build leaves nothing writing on."""

from __future__ import annotations

import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; elsewhere nothing).

    Used as `preexec_fn` of Pagefind and as the initializer of build workers: an orphan would
    go on writing into the staging folder that the next build reuses.
    """
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
