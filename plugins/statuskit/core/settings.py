"""Site settings the core needs, independent of the site generator that supplies them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from .compensation import CompensationPolicy
from .i18n import Catalog
from .model import CATEGORIES, Category, Component, Group, RecurrenceTarget, Severity, Text
from .targets import TargetSet

DEFAULT_SEVERITIES = (
    Severity("critical", Text({"en": "Critical", "ko": "심각", "ja": "重大"}), "red", "critical"),
    Severity("major", Text({"en": "Major", "ko": "주요", "ja": "重要"}), "orange", "major"),
    Severity("minor", Text({"en": "Minor", "ko": "경미", "ja": "軽微"}), "blue", "minor"),
    Severity("notice", Text({"en": "Notice", "ko": "공지", "ja": "お知らせ"}), "green", "none"),
)

# Names of the default categories come from the catalog (`category.<id>`), so any locale has them.
DEFAULT_CATEGORIES = tuple(Category(c, Text({})) for c in CATEGORIES)

# How often an open incident is updated, by severity: faster for severe ones.
DEFAULT_UPDATE_CADENCE = {"critical": 30, "major": 60, "minor": 240, "notice": 1440}
# Whatever the severity, customers hear from us at least this often (minutes): a daily loop.
DAILY_LOOP_MINUTES = 1440

# Channels that may name a third-party provider; a channel set to False says "one of our providers".
PROVIDER_CHANNELS = ("page", "status", "email", "social", "chat")


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
    "forgotten",
    "promise_kept",
    "expected_resolution",
    "lead",
    "affected",
    "milestone_overdue",
    "verification",
)
# A check's level when the site does not set one: a forgotten open incident fails validation.
DEFAULT_LEVELS = {"forgotten": "error"}
# Overdue milestones are shown in words on the prevention pages; as a check they are opt-in.
DEFAULT_LEVELS["milestone_overdue"] = "off"


@dataclass(frozen=True)
class Policies:
    """Communication practices checked on every incident; each can be turned off."""

    first_notice_minutes: int | None = 60
    responsible_required_for: tuple[str, ...] = ("critical", "major")
    scope_required_for: tuple[str, ...] = ()
    default_cadence_minutes: int | None = None
    future_tolerance_minutes: int = 10
    missing_translation: str = "warning"
    as_errors: bool = False
    postmortem_due_days: int | None = 14
    postmortem_required_for: tuple[str, ...] = ("critical", "major")
    levels: dict[str, str] = field(default_factory=dict)
    open_without_update_hours: int | None = 72
    update_cadence_minutes: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_UPDATE_CADENCE)
    )
    long_running_hours: int | None = 24
    lead_required_for: tuple[str, ...] = ()
    affected_required_for: tuple[str, ...] = ()

    def cadence(self, severity: str, open_for: timedelta) -> int | None:
        """Minutes allowed between updates; a long-running incident keeps at least a daily loop."""
        minutes = self.update_cadence_minutes.get(severity, self.default_cadence_minutes)
        if self.long_running_hours is None:
            return minutes
        if minutes is None or open_for >= timedelta(hours=self.long_running_hours):
            return DAILY_LOOP_MINUTES
        return min(minutes, DAILY_LOOP_MINUTES)

    def level(self, check: str) -> str | None:
        """`error`, `warning` or None (off) for a check; `as_errors` makes warnings errors."""
        level = self.levels.get(check, DEFAULT_LEVELS.get(check, "warning"))
        if level == "off":
            return None
        return "error" if self.as_errors else level


# Notifications: where `statuskit notify` sends each new update, and the sign-up links shown.
NOTIFY_KINDS = ("chat", "social", "email", "webhook")
NOTIFY_EVENTS = ("incident", "maintenance", "postmortem")
NOTIFY_AUDIENCES = ("customer", "partner", "internal")
SUBSCRIBE_KINDS = ("email", "chat", "other")


@dataclass(frozen=True)
class NotifyChannel:
    """One place updates are sent; its address and secret are named environment variables."""

    id: str
    kind: str
    url_env: str
    audience: str = "customer"
    locale: str | None = None
    mirror: str | None = None
    components: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    events: tuple[str, ...] = NOTIFY_EVENTS
    secret_env: str | None = None
    unsubscribe: str | None = None


@dataclass(frozen=True)
class NotifySettings:
    """The channels and the delivery rules of `statuskit notify`; no secret is ever kept here."""

    channels: tuple[NotifyChannel, ...] = ()
    ledger: Path | None = None
    max_age_hours: int = 24
    email_from: str | None = None
    unsubscribe: str | None = None
    documentation: str | None = None


@dataclass(frozen=True)
class SubscribeLink:
    """A sign-up the site offers besides feeds and the API: a mailing list, a chat community."""

    kind: str
    url: str
    name: Text
    description: Text | None = None


@dataclass
class Settings:
    """Everything the core reads from the site's configuration."""

    incidents_dir: Path
    components: list[Component]
    groups: list[Group] = field(default_factory=list)
    severities: list[Severity] = field(default_factory=lambda: list(DEFAULT_SEVERITIES))
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    # The zone the history's checks count days in (a milestone due on a date): the site's own,
    # which `statuskit validate` uses, whatever zone a target shows; None: `timezone`.
    check_zone: ZoneInfo | None = None
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
    categories: list[Category] = field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    feedback_url: str | None = None
    late_notice: Text | None = None
    provider_channels: dict[str, bool] = field(default_factory=dict)
    recurrence_targets: list[RecurrenceTarget] = field(default_factory=list)
    notify: NotifySettings = field(default_factory=NotifySettings)
    subscribe: tuple[SubscribeLink, ...] = ()

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

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def names_provider(self, channel: str) -> bool:
        """Whether a channel names a third-party provider; every channel does unless told."""
        return self.provider_channels.get(channel, True)

    def feedback_link(self, incident_id: str) -> str | None:
        """The site's feedback URL with this incident's id filled in, or None when not set."""
        if not self.feedback_url:
            return None
        return self.feedback_url.replace("{id}", quote(incident_id, safe=""))

    @cached_property
    def _components_by_id(self) -> dict[str, Component]:
        return {c.id: c for c in self.components}
