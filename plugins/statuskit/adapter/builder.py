"""One build of one target (MkDocs or ProperDocs), a plain function so a worker can run it."""

from __future__ import annotations

import os

from .generator import build, load_config
from .plugin import TARGET_VARIABLE


def build_target(config_file: str, target: str, site_dir: str, strict: bool) -> None:
    """Build `mode:id` into `site_dir` (the plugin adds the target's own folder)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    previous = os.environ.get(TARGET_VARIABLE)
    os.environ[TARGET_VARIABLE] = target
    try:
        config = load_config(config_file, site_dir=site_dir, strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    finally:
        if previous is None:
            os.environ.pop(TARGET_VARIABLE, None)
        else:
            os.environ[TARGET_VARIABLE] = previous
