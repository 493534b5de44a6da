"""Publishing every build of a site into one folder, swapped in only when all of them succeed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from importlib import resources
from itertools import repeat
from pathlib import Path

import jinja2

from ..core.targets import Target, TargetSet


def staging_folder(site_dir: Path) -> Path:
    """A fresh folder beside the site, on the same file system so the swap is a rename."""
    staging = site_dir.with_name(f".{site_dir.name}.building")
    if staging.exists():
        shutil.rmtree(staging)
    staging.parent.mkdir(parents=True, exist_ok=True)
    return staging


def swap_in(staging: Path, site_dir: Path) -> None:
    """Replace the published folder by the finished one; the old one goes only after."""
    old = site_dir.with_name(f".{site_dir.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if site_dir.exists():
        os.replace(site_dir, old)
    os.replace(staging, site_dir)
    if old.exists():
        shutil.rmtree(old)


def publish(
    site_dir: Path,
    targets: TargetSet,
    site_name: str,
    build: Callable[[Target, Path], None],
    jobs: int = 1,
) -> None:
    """Build every target into a staging folder, then swap it in; on failure nothing changes.

    With `jobs` above 1 the targets build in that many worker processes (`build` must then be
    picklable); one job builds them in this process, which reads the incident files once.
    """
    staging = staging_folder(site_dir)
    try:
        if jobs > 1 and len(targets.targets) > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for _ in pool.map(build, targets.targets, repeat(staging)):
                    pass
        else:
            for target in targets.targets:
                build(target, staging)
        if targets.mode == "paths":
            write_root(staging, targets, site_name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, site_dir)


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
