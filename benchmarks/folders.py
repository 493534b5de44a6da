"""What placing a site's cached pages costs the file system; prints figures, asserts nothing.

Usage: python benchmarks/folders.py [N] [FOLDER]   (default: 12000 pages a target, a temporary
folder on the disk of the system's temporary files)

A republish places each unchanged page from the build cache: it makes the page's folder
(`incidents/<id>/`) and hard-links its file, plus its two feeds. This times that work alone for
three targets, one after another and then three processes at once, as `statuskit build` runs
three locales: folders, then links. Processor seconds are the system time of the processes.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from multiprocessing import Process
from pathlib import Path

TARGETS = 3


def make_folders(root: Path, n: int) -> None:
    folder = root / "incidents"
    folder.mkdir(parents=True)
    for k in range(n):
        os.mkdir(folder / f"incident-{k:05d}")


def make_links(root: Path, sources: Path, n: int) -> None:
    folder = root / "incidents"
    folder.mkdir(parents=True)
    for k in range(3 * n):
        os.link(sources / f"{k}", folder / f"{k}.html")


def timed(work: list[Process]) -> tuple[float, float]:
    """Wall and system seconds of the processes, run in turn (one) or at once (several)."""
    before, start = os.times(), time.perf_counter()
    for process in work:
        process.start()
        if len(work) == 1:
            process.join()
    for process in work:
        process.join()
    after = os.times()
    return time.perf_counter() - start, after.children_system - before.children_system


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 12_000
    base = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp(prefix="statuskit-folders-"))
    sources = base / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    for k in range(3 * n):
        (sources / f"{k}").write_bytes(b"x")
    try:
        for what, run, args in (
            ("folders", make_folders, (n,)),
            ("hard links", make_links, (sources, n)),
        ):
            for how in ("one after another", "three at once"):
                trees = [base / f"{what}-{how}-{i}".replace(" ", "-") for i in range(TARGETS)]
                work = [Process(target=run, args=(tree, *args)) for tree in trees]
                if how == "one after another":
                    wall = system = 0.0
                    for process in work:
                        w, s = timed([process])
                        wall, system = wall + w, system + s
                else:
                    wall, system = timed(work)
                count = TARGETS * n * (1 if run is make_folders else 3)
                print(
                    f"{count:,} {what}, {how}: {wall:.2f} s wall, {system:.2f} s system",
                    flush=True,
                )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
