"""Site settings the core needs, independent of the site generator that supplies them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from .compensation import CompensationPolicy
from .i18n import Catalog
from .model import Component, Group, Severity, Text
from .targets import TargetSet

DEFAULT_SEVERITIES = (
    Severity("critical", Text({"en": "Critical", "ko": "심각", "ja": "重大"}), "red", "critical"),
    Severity("major", Text({"en": "Major", "ko": "주요", "ja": "重要"}), "orange", "major"),
    Severity("minor", Text({"en": "Minor", "ko": "경미", "ja": "軽微"}), "blue", "minor"),
    Severity("notice", Text({"en": "Notice", "ko": "공지", "ja": "お知らせ"}), "green", "none"),
)


# Each policy check is off, a warning or an error; these are the checks that can be set.
POLICY_CHECKS = (
    "first_notice",
    "stale_update",
    "responsible",
    "scope",
    "postmortem_due",
    "action_owner",
    "apology_signed",
    "compensation_basis",
)


@dataclass(frozen=True)
class Policies:
    """Communication practices checked on every incident; each can be turned off."""

    first_notice_minutes: int | None = 60
    responsible_required_for: tuple[str, ...] = ("critical", "major")
    scope_required_for: tuple[str, ...] = ()
    stale_update_minutes: int | None = None
    future_tolerance_minutes: int = 10
    missing_translation: str = "warning"
    as_errors: bool = False
    postmortem_due_days: int | None = 14
    postmortem_required_for: tuple[str, ...] = ("critical", "major")
    levels: dict[str, str] = field(default_factory=dict)

    def level(self, check: str) -> str | None:
        """`error`, `warning` or None (off) for a check; `as_errors` makes warnings errors."""
        level = self.levels.get(check, "warning")
        if level == "off":
            return None
        return "error" if self.as_errors else level


@dataclass
class Settings:
    """Everything the core reads from the site's configuration."""

    incidents_dir: Path
    components: list[Component]
    groups: list[Group] = field(default_factory=list)
    severities: list[Severity] = field(default_factory=lambda: list(DEFAULT_SEVERITIES))
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    locale: str = "en"
    locales: list[str] = field(default_factory=list)
    now: datetime | None = None
    page_size: int = 20
    uptime_days: int = 90
    home_history_days: int = 7
    directory_urls: bool = True
    policies: Policies = field(default_factory=Policies)
    targets: TargetSet | None = None
    catalog_dirs: tuple[Path, ...] = ()
    compensation: CompensationPolicy = field(default_factory=CompensationPolicy)

    def __post_init__(self) -> None:
        if not self.locales:
            self.locales = [self.locale]
        elif self.locale not in self.locales:
            self.locales.insert(0, self.locale)

    @property
    def build_locale(self) -> str:
        """The locale this build shows; plain text in files is in `locale`."""
        return self.targets.current.locale if self.targets else self.locale

    def catalog(self, locale: str | None = None) -> Catalog:
        """UI strings for a locale (the build's by default), the site's catalogs included."""
        return Catalog(locale or self.build_locale, self.catalog_dirs)

    def component(self, component_id: str) -> Component | None:
        return self._components_by_id.get(component_id)

    def severity(self, severity_id: str) -> Severity | None:
        return next((s for s in self.severities if s.id == severity_id), None)

    @cached_property
    def _components_by_id(self) -> dict[str, Component]:
        return {c.id: c for c in self.components}
