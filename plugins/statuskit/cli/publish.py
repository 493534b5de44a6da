"""Publishing every build of a site into one folder, swapped in only when all of them succeed.

The output folder (`site/`) stays an ordinary folder. While a build runs, its parent folder also
holds, for that build only:

- `.site.lock`: locked with `flock` by the build publishing to `site/`; a second build waits for it
  (or gives up after `--wait` seconds). The system releases the lock when its process dies.
- `.site.building/`: the new site, written target by target.

When every target is built, `.site.building` and `site` trade places in one atomic step (Linux's
`renameat2(RENAME_EXCHANGE)`), so at every instant `site/` is the complete old site or the complete
new one, even if the build is killed; the old site is then deleted. Where that call is missing
(other systems, some network file systems) the swap is two renames with the old site parked as
`.site.old/` in between; a build killed between them leaves no `site/`, and the next build puts
`.site.old/` back before anything else. Leftovers of a killed build are removed by the next build
of the same site. When `site` is a symbolic link, the folder it points to is replaced and the link
keeps pointing at it.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import gc
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import click
import jinja2

from ..adapter.processes import worker_start
from ..core.targets import Target, TargetSet

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class PublishError(Exception):
    """The site cannot be published; the message names the folder and what to do."""


class TargetFailed(Exception):
    """One target's build failed; the published site was not touched."""

    def __init__(self, target: Target, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.target = target
        self.error = error


def output_folder(site_dir: Path) -> Path:
    """The folder really replaced: the target of a symbolic link, else the path itself."""
    absolute = Path(os.path.abspath(site_dir))
    if not absolute.is_symlink():
        real = absolute
    else:
        real = Path(os.path.realpath(absolute))
        if real.is_symlink():
            raise PublishError(
                f"{site_dir} is a symbolic link that leads back to itself; "
                "point it at a folder or remove it"
            )
    if real.exists() and not real.is_dir():
        raise PublishError(
            f"{site_dir} exists and is not a folder; remove it or pass another --site-dir"
        )
    return real


def sibling(output: Path, suffix: str) -> Path:
    """A hidden path beside the output folder, on the same file system so renames are atomic."""
    return output.with_name(f".{output.name}.{suffix}")


@contextmanager
def site_lock(output: Path, wait: float) -> Iterator[None]:
    """Hold `.site.lock` while publishing; wait up to `wait` seconds for another build."""
    path = sibling(output, "lock")
    deadline = time.monotonic() + wait
    announced = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise PublishError(
                    f"another statuskit build{holder} is publishing to {output}; "
                    "let it finish, or pass --wait SECONDS to wait for it"
                ) from None
            if not announced:
                click.echo(f"waiting for another statuskit build{holder} ...", err=True)
                announced = True
            time.sleep(0.1)
            continue
        # The file may have been removed by the build that held it: lock the one on disk.
        if _same_file(fd, path):
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        try:
            os.unlink(path)
        finally:
            os.close(fd)


def _holder(fd: int) -> str:
    """` (pid N)` from the lock file, for the message."""
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f" (pid {text})" if text.isdigit() else ""


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def recover(output: Path) -> None:
    """Undo what a killed build left: put a parked old site back, delete half-built folders."""
    old = sibling(output, "old")
    if old.is_dir() and not output.exists():
        _rename(old, output)
    for leftover in (sibling(output, "building"), old):
        if leftover.is_dir() and not leftover.is_symlink():
            _remove(leftover)
        elif leftover.exists() or leftover.is_symlink():
            leftover.unlink()


def swap_in(staging: Path, output: Path) -> None:
    """Put the finished site in place of the published one in one step, then delete the old."""
    if not output.exists():
        _rename(staging, output)
        return
    try:
        _exchange(staging, output)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
            raise
        old = sibling(output, "old")
        _rename(output, old)
        _rename(staging, output)
        _remove(old)
        return
    _remove(staging)


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux 3.15+); OSError(ENOSYS) where that is not possible."""
    renameat2 = getattr(_libc(), "renameat2", None) if sys.platform == "linux" else None
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(a))
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _rename(source: Path, destination: Path) -> None:
    os.rename(source, destination)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder)


def publish(
    site_dir: Path,
    targets: TargetSet,
    site_name: str,
    build: Callable[[Target, Path], None],
    jobs: int = 1,
    wait: float = 0,
) -> Path:
    """Build every target into a staging folder, then swap it in; on failure nothing changes.

    With `jobs` above 1 the targets build in that many worker processes (`build` must then be
    picklable); one job builds them in this process, which reads the incident files once.
    Returns the folder written (the target of `site_dir` when that is a symbolic link).
    """
    output = output_folder(site_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    with site_lock(output, wait):
        recover(output)
        staging = sibling(output, "building")
        staging.mkdir()
        try:
            _build_all(staging, targets, build, jobs)
            if targets.mode == "paths":
                write_root(staging, targets, site_name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        swap_in(staging, output)
    return output


def _build_all(
    staging: Path, targets: TargetSet, build: Callable[[Target, Path], None], jobs: int
) -> None:
    """Every target into `staging`; the first failure is raised as TargetFailed."""
    if jobs > 1 and len(targets.targets) > 1:
        # The workers are forked: what this process loaded (the history) they share until
        # they write to it, and a collection writes to every object it visits. Frozen, the
        # loaded objects are left out of the workers' collections (Python's `gc.freeze`).
        gc.freeze()
        try:
            _build_in_workers(staging, targets, build, jobs)
        finally:
            gc.unfreeze()
        return
    for target in targets.targets:
        try:
            build(target, staging)
        except Exception as error:
            raise TargetFailed(target, error) from error


def _build_in_workers(
    staging: Path, targets: TargetSet, build: Callable[[Target, Path], None], jobs: int
) -> None:
    """Each target in a forked worker; the first failure cancels the targets not started."""
    with ProcessPoolExecutor(jobs, initializer=worker_start, initargs=(os.getpid(),)) as pool:
        futures = [(t, pool.submit(build, t, staging)) for t in targets.targets]
        for target, future in futures:
            error = future.exception()
            if error is not None:
                for _, other in futures:
                    other.cancel()
                raise TargetFailed(target, error) from error


def default_workers(targets: int, cores: int) -> int:
    """How many targets to build at once when not told: the count that finishes soonest if
    targets cost alike, never more than two processes a core (memory), fewer on a tie.

    With one process a core, three locales on two cores take two rounds, the second on one
    core; three processes at once share both cores to the end (about a quarter sooner).
    """
    best, soonest = 1, float("inf")
    for workers in range(1, min(targets, 2 * cores) + 1):
        rounds = -(-targets // workers)
        finish = rounds * max(1.0, workers / cores)
        if finish < soonest:
            best, soonest = workers, finish
    return best


def write_root(folder: Path, targets: TargetSet, site_name: str) -> None:
    """The shared root of a path-per-locale site: a language chooser and a sitemap index."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("statuskit").joinpath("templates"))),
        autoescape=True,
        keep_trailing_newline=True,
    )
    values = {
        "site_name": site_name,
        "targets": targets.targets,
        "default": targets.default,
        "names": targets.names,
    }
    for name in ("index.html", "sitemap.xml"):
        text = env.get_template(f"root/{name}").render(values)
        (folder / name).write_text(text, encoding="utf-8")
