"""A project as CI's deploy job finds it: checked out anew, its build cache restored."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def restore_from_archive(folder: Path, aside: Path) -> None:
    """Put `folder` back from an archive as `actions/cache` does (GNU tar, POSIX format): same
    sizes and times, new inodes. The archive and the old folder go to `aside` (made here), for
    the caller to delete when it suits: this machine's ext4 without a journal skips just-freed
    inodes when a build makes its folders."""
    aside.mkdir(exist_ok=True)
    archive, restored = aside / "archive.tar", folder.with_name(f"{folder.name}-restored")
    transform = f"--transform=s,^{folder.name},{restored.name},"
    subprocess.run(
        ["tar", "--posix", "-cf", archive, transform, folder.name], cwd=folder.parent, check=True
    )
    subprocess.run(["tar", "-xf", archive], cwd=folder.parent, check=True)
    folder.rename(aside / folder.name)
    restored.rename(folder)


def as_a_fresh_clone(root: Path, aside: Path) -> None:
    """The project at root as the deploy job finds it: no site folder, every file written just
    now, the cache (`.cache`) restored from its archive; what was there goes to `aside`."""
    aside.mkdir(exist_ok=True)
    (root / "site").rename(aside / "site")
    now = time.time()
    for path in root.rglob("*"):
        if path.is_file() and ".cache" not in path.relative_to(root).parts:
            os.utime(path, (now, now))
    restore_from_archive(root / ".cache", aside)
