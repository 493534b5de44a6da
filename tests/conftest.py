"""Fixtures that build real MkDocs sites from small incident trees in temporary folders."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from bs4 import BeautifulSoup

from statuskit.adapter.generator import build, load_config
from statuskit.core.model import Component, Group, Text
from statuskit.core.settings import Policies, Settings

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def shared_folder(*parts: str) -> Path:
    """A folder of ../shared/fixtures (real third-party exports), or skip the test without it.

    ../shared lies beside the repository in statuskit's CI only, never in a user's clone: a test
    comparing with it skips where it is absent, except in CI (`CI` set), where its absence fails
    the test. A CI without it (a GitHub-hosted runner) says so with
    STATUSKIT_SHARED_FIXTURES=optional.
    """
    folder = SHARED.joinpath("fixtures", *parts)
    if folder.is_dir():
        return folder
    message = f"{folder} is missing; statuskit's CI lays ../shared beside the repository"
    if os.environ.get("CI") and os.environ.get("STATUSKIT_SHARED_FIXTURES") != "optional":
        pytest.fail(message)
    pytest.skip(message)


DEFAULT_PLUGIN: dict[str, Any] = {
    "timezone": "Asia/Seoul",
    "now": "2026-03-15T12:00:00+09:00",
    "locales": ["en", "ko"],
    "groups": [{"id": "core", "name": "Core services"}],
    "components": [
        {"id": "api", "name": "API", "group": "core"},
        {"id": "payments", "name": {"en": "Payments", "ko": "결제"}, "group": "core"},
        {"id": "web", "name": {"en": "Website", "ko": "웹사이트"}},
    ],
}


NOW = datetime(2026, 3, 15, 12, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def core_settings(incidents: Path, **overrides: Any) -> Settings:
    """Core settings matching DEFAULT_PLUGIN, for tests that need no MkDocs build."""
    values: dict[str, Any] = {
        "incidents_dir": incidents,
        "components": [
            Component("api", Text({"en": "API"}), None, "core", 0),
            Component("payments", Text({"en": "Payments", "ko": "결제"}), None, "core", 1),
            Component("web", Text({"en": "Website", "ko": "웹사이트"}), None, None, 2),
        ],
        "groups": [Group("core", Text({"en": "Core services"}), None, 0)],
        "timezone": ZoneInfo("Asia/Seoul"),
        "locale": "en",
        "locales": ["en", "ko"],
        "now": NOW,
        "policies": Policies(missing_translation="ignore"),
    }
    return Settings(**{**values, **overrides})


def write_incident(root: Path, name: str, text: str) -> Path:
    """Write an incident file as authors do: dedented, starting at its `---`."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@dataclass
class SiteProject:
    """A throwaway statuskit project: write incidents, build, read pages back."""

    root: Path

    @property
    def incidents(self) -> Path:
        return self.root / "incidents"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def write(self, relative: str, text: str) -> Path:
        return write_incident(self.incidents, relative, text)

    def configure(self, **plugin: Any) -> None:
        options = {**DEFAULT_PLUGIN, **plugin}
        config = {
            "site_name": "Example Status",
            "site_url": "https://status.example.com/",
            "docs_dir": "docs",
            "theme": {"name": "material", "font": False},
            "plugins": [{"statuskit": options}],
        }
        (self.root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True))

    def build(self, strict: bool = False) -> None:
        config = load_config(str(self.root / "mkdocs.yml"), strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()

    def page(self, url_path: str) -> BeautifulSoup:
        path = (
            self.site / url_path / "index.html"
            if not url_path.endswith(".html")
            else self.site / url_path
        )
        return BeautifulSoup(path.read_text("utf-8"), "html.parser")


@pytest.fixture
def project(tmp_path: Path) -> SiteProject:
    (tmp_path / "docs").mkdir()
    (tmp_path / "incidents").mkdir()
    proj = SiteProject(tmp_path)
    proj.configure()
    return proj


@pytest.fixture
def chdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    def go(path: Path) -> None:
        monkeypatch.chdir(path)

    return go


RESOLVED_INCIDENT = """
---
title:
  en: Payments failing after a deploy
  ko: 배포 후 결제 실패
kind: incident
severity: major
category: technical
components:
  payments: major_outage
regions: [kr]
started_at: 2026-03-14T09:02:00+09:00
detected_at: 2026-03-14T09:04:00+09:00
responsible:
  name: Kim Minji
  role: {en: CTO, ko: 최고기술책임자}
updates:
  - at: 2026-03-14T09:08:00+09:00
    status: investigating
    provisional: true
    body: We are investigating failed card payments.
  - at: 2026-03-14T09:12:00+09:00
    status: resolved
    body: The deploy was rolled back; payments work again.
    components: {payments: operational}
---
A web deploy at 09:00 broke the payment form. We rolled it back in ten minutes.
"""

OPEN_INCIDENT = """
---
title: API responses are slow
kind: incident
severity: minor
components:
  api: degraded_performance
started_at: 2026-03-15T11:00:00+09:00
updates:
  - at: 2026-03-15T11:10:00+09:00
    status: investigating
    body: Some API calls take several seconds.
---
"""
