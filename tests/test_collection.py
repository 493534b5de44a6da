"""The cycle collector is held off while a build reads and plans, and restored after it."""

from __future__ import annotations

import gc
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


def collector_while_reading(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Filled with whether the collector ran while `module.load_site_cached` read the history."""
    seen: dict[str, Any] = {}
    real = module.load_site_cached

    def spy(*args: Any) -> Any:
        seen["while reading"] = gc.isenabled()
        return real(*args)

    monkeypatch.setattr(module, "load_site_cached", spy)
    return seen


def test_reading_and_planning_run_without_full_collections(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = collector_while_reading(plugin, monkeypatch)
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.build()
    assert seen == {"while reading": False}
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
    seen = collector_while_reading(builder, monkeypatch)
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    with services_ahead():
        builder.load_ahead(str(project.root / "mkdocs.yml"), {"single": "en"})
    assert seen == {"while reading": False}
    assert gc.isenabled() and gc.get_freeze_count() == 0
