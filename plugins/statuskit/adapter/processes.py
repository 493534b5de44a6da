"""A build's other processes: the workers of `statuskit build`, those that read a history in
shares and a child working beside a build (`Beside`), with the cores a build may use. Each ends
with the process that started it, so a killed build leaves nothing writing on."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import IO, Generic, TypeVar

from mkdocs.exceptions import PluginError

_PR_SET_PDEATHSIG = 1
# The cores one build may use, set for builds that share the machine (see `spare_cores`).
CORES_VARIABLE = "STATUSKIT_CORES"
T = TypeVar("T")


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; elsewhere nothing).

    Used as `preexec_fn` of Pagefind and as the initializer of build workers: an orphan would
    go on writing into the staging folder that the next build reuses.
    """
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def worker_start(parent: int) -> None:
    """A worker of a killed build must stop, or it would write into the next build's folder.

    Forked workers share the parent's lock (so the next build waits for them) and their
    call queue (so they would never see it close): the kernel ends them with their parent.
    """
    die_with_parent()
    if os.getppid() != parent:
        os._exit(1)


def read_in_shares(read: Callable[[int, int], dict[str, bytes]], jobs: int) -> dict[str, bytes]:
    """`read(share, jobs)` for every share at once, each in a worker process; merged."""
    entries: dict[str, bytes] = {}
    with ProcessPoolExecutor(jobs, initializer=worker_start, initargs=(os.getpid(),)) as pool:
        for part in pool.map(read, range(jobs), [jobs] * jobs):
            entries.update(part)
    return entries


def spare_cores() -> int:
    """Cores this build may use besides its own process: the work a child could take over.

    A build that runs beside others (`statuskit build` builds targets at once in worker
    processes) is given its share of the machine in `STATUSKIT_CORES`; alone, it has every
    core it may run on.
    """
    given = os.environ.get(CORES_VARIABLE, "")
    if given.isdigit() and int(given) > 0:
        return int(given) - 1
    getaffinity = getattr(os, "sched_getaffinity", None)
    cores = len(getaffinity(0)) if getaffinity else (os.cpu_count() or 1)
    return cores - 1


def can_fork() -> bool:
    """Fork only on Linux, where the child surely ends with the build (`die_with_parent`), and
    only with one thread: a lock held by another thread stays held in the child (`mkdocs
    serve` builds beside its server's threads)."""
    return sys.platform == "linux" and threading.active_count() == 1


class Beside(Generic[T]):
    """Work done by a forked child while the build goes on; `join` returns what it returned
    or raises what it raised.

    Where a fork is unsafe or no core is spare, the work is done at once instead, raising as
    it would. The child shares the build's memory as it was at the fork, ends with the build
    (`die_with_parent`) and hands back only its result or exception, pickled into a temporary
    file; it logs nothing itself (the build logs what it returns, where MkDocs counts it).
    """

    def __init__(self, work: Callable[[], T], what: str) -> None:
        self.what = what  # what the child does, for an error: "writing the feeds"
        self.pid: int | None = None
        self._result: IO[bytes] | None = None
        self._value: T | None = None
        if spare_cores() < 1 or not can_fork():
            self._value = work()
            return
        self._result = tempfile.TemporaryFile()  # noqa: SIM115 - closed by join or abort
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # or the child would print what the build had buffered again
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            _run_child(work, self._result, parent)
        self.pid = pid

    def join(self) -> T:
        """Wait for the child; its result, or its exception raised here."""
        if self.pid is None:
            return self._value  # type: ignore[return-value]  # done at once
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        assert self._result is not None
        with self._result as stream:
            stream.seek(0)
            data = stream.read()
        if not data:  # killed (the system out of memory, say), or it could not write
            code = os.waitstatus_to_exitcode(status)
            how = f"was killed by signal {-code}" if code < 0 else f"ended with status {code}"
            raise PluginError(
                f"statuskit: the process {self.what} {how} before it finished; "
                "build again (with more free memory if the system stopped it)"
            )
        failed, value = pickle.loads(data)
        if failed:
            raise value
        return value  # type: ignore[no-any-return]

    def abort(self) -> None:
        """The build failed: stop the child, whatever it was writing."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        self.pid = None
        if self._result is not None:
            self._result.close()


def _run_child(  # pragma: no cover - runs in the child, whose coverage is not collected
    work: Callable[[], object], result: IO[bytes], parent: int
) -> None:
    """The child's whole life: the work, its result or exception, then an exit without
    cleanup (the build's handlers and files belong to the parent)."""
    code = 0
    try:
        worker_start(parent)
        data = pickle.dumps((False, work()))
    except BaseException as exc:  # every failure goes back to the parent
        code = 1
        try:
            data = pickle.dumps((True, exc))
        except Exception:  # an exception that does not pickle goes back as its message
            data = pickle.dumps((True, RuntimeError(f"{type(exc).__name__}: {exc}")))
    try:
        result.write(data)
        result.flush()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # exiting anyway
                stream.flush()
        os._exit(code)
