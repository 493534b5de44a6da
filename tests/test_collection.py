"""The cycle collector is held off while a build reads and plans, and restored after it."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from mkdocs.exceptions import MkDocsException

from conftest import RESOLVED_INCIDENT, SiteProject
from statuskit.adapter import builder, plugin
from statuskit.adapter.pagefind import services_ahead


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    yield
    gc.enable()
    gc.unfreeze()


def collector_while(
    module: ModuleType, name: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, bool]:
    """Filled with whether the collector ran while `module.<name>` ran, by the name."""
    seen: dict[str, bool] = {}
    real = getattr(module, name)

    def spy(*args: Any) -> Any:
        seen[name] = gc.isenabled()
        return real(*args)

    monkeypatch.setattr(module, name, spy)
    return seen


def test_reading_and_planning_run_without_full_collections(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = collector_while(plugin, "load_site_cached", monkeypatch)
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.build()
    assert seen == {"load_site_cached": False}
    assert gc.isenabled() and gc.get_freeze_count() == 0, "restored after the build"


def test_placing_and_planning_the_outputs_run_without_full_collections(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A republish places thousands of cached pages and links thousands of kept feeds: live
    objects all, which full collections would walk again and again as they grow."""
    seen = collector_while(plugin, "write_outputs", monkeypatch)
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.build()
    assert seen == {"write_outputs": False}
    assert gc.isenabled() and gc.get_freeze_count() == 0, "restored after the build"


def test_a_failed_build_restores_the_collector(project: SiteProject) -> None:
    project.write("2026/2026-03-14-payments.md", "---\ntitle: [unclosed\n---\n")
    with pytest.raises(MkDocsException):
        project.build()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_history_loaded_ahead_of_the_targets_is_read_without_full_collections(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`statuskit build` loads the history before forking the targets' workers: the same
    pause as in a build, then the collector as it was."""
    seen = collector_while(builder, "load_site_cached", monkeypatch)
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    with services_ahead():
        builder.load_ahead(str(project.root / "mkdocs.yml"), {"single": "en"})
    assert seen == {"load_site_cached": False}
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_build_leaves_frozen_what_was_frozen_before_it(project: SiteProject) -> None:
    """A worker of `statuskit build` starts with its parent's history frozen: unfreezing it
    would hand all of it to the next full collection, which copies every page it visits."""
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    loaded = [{"incident": n} for n in range(1000)]  # what a parent loaded before the fork
    gc.freeze()
    frozen = gc.get_freeze_count()
    project.build()
    assert gc.isenabled(), "the collector runs again after the build"
    assert gc.get_freeze_count() >= frozen, "what was frozen before the build stays frozen"
    assert loaded


def test_statuskit_build_ends_without_a_last_collection_over_the_history(
    project: SiteProject,
) -> None:
    """Python's last collection at exit would walk everything the build's process loaded."""
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.configure(locales=["en", "ko"])
    # Registered first, so it runs last of the exit handlers: it sees what the exit leaves.
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count()))\n"
        "from statuskit.cli.main import main\n"
        "main(['build', '--jobs', '2'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    frozen = int(result.stdout.rpartition("frozen at exit:")[2])
    assert frozen > 1000, "the history is left out of the last collection"
