"""Turns the plugin's MkDocs options into core settings, with errors that name the option."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..core.compensation import policy_from_options
from ..core.documents import parse_time, text_of
from ..core.i18n import Catalog
from ..core.model import Component, Group, Severity
from ..core.settings import DEFAULT_SEVERITIES, POLICY_CHECKS, Policies, Settings
from ..core.targets import Mirror, TargetSet, select_target


class SettingsError(ValueError):
    """A plugin option that cannot be used; the message says which and how to fix it."""


def locales_of(default: str, others: list[str]) -> list[str]:
    """The default locale first, then the others, each once."""
    return list(dict.fromkeys([default, *others]))


def _zone(name: str, where: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"statuskit: {where} {name!r} is unknown; use an IANA name like 'Asia/Seoul' or 'UTC'"
        ) from None


def _targets(options: Any, locale: str, site_url: str, target: str | None) -> TargetSet:
    locales = locales_of(locale, options.locales)
    known = set(locales)
    mirrors = []
    for item in options.mirrors:
        if item.locale not in known:
            raise SettingsError(
                f"statuskit: mirror {item.id!r} uses locale {item.locale!r}, "
                f"which is not in `locales` ({', '.join(locales)})"
            )
        if not item.site_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"statuskit: mirror {item.id!r} needs an absolute site_url like "
                "https://status.example.com/"
            )
        mirrors.append(Mirror(item.id, item.locale, item.site_url, item.timezone, item.hreflang))
    for name in (options.timezone, *options.timezones.values(), *(m.timezone for m in mirrors)):
        if name:
            _zone(name, "timezone")
    try:
        return select_target(
            target, site_url, locales, mirrors, dict(options.timezones), options.timezone
        )
    except ValueError as exc:
        raise SettingsError(f"statuskit: {exc}") from None


def settings_from_options(
    options: Any,
    config_dir: Path,
    default_locale: str,
    directory_urls: bool,
    site_url: str = "",
    target: str | None = None,
) -> Settings:
    """Core settings from the validated `statuskit` plugin options of mkdocs.yml."""
    locale = options.locale or default_locale
    targets = _targets(options, locale, site_url, target)
    zone = _zone(targets.current.timezone, "timezone")
    components = []
    seen: set[str] = set()
    for position, item in enumerate(options.components):
        if item.id in seen:
            raise SettingsError(f"statuskit: component id {item.id!r} is declared twice")
        seen.add(item.id)
        start = None
        if isinstance(item.start_date, date):
            start = item.start_date
        elif item.start_date:
            try:
                start = date.fromisoformat(item.start_date)
            except ValueError:
                raise SettingsError(
                    f"statuskit: component {item.id!r} start_date {item.start_date!r} "
                    "is not a date like 2025-01-31"
                ) from None
        components.append(
            Component(
                id=item.id,
                name=text_of(item.name, locale),
                description=text_of(item.description, locale) if item.description else None,
                group=item.group,
                position=position,
                showcase=item.showcase,
                only_show_if_degraded=item.only_show_if_degraded,
                start_date=start,
            )
        )
    groups = [
        Group(
            g.id,
            text_of(g.name, locale),
            text_of(g.description, locale) if g.description else None,
            n,
        )
        for n, g in enumerate(options.groups)
    ]
    group_ids = {g.id for g in groups}
    shared = group_ids & seen
    if shared:
        raise SettingsError(
            f"statuskit: {', '.join(sorted(shared))} is both a group and a component id; "
            "the API lists groups as components, so give them distinct ids"
        )
    for component in components:
        if component.group and component.group not in group_ids:
            raise SettingsError(
                f"statuskit: component {component.id!r} names group {component.group!r}, "
                "which is not declared under `groups`"
            )
    severities = [
        Severity(s.id, text_of(s.name, locale), s.color, s.impact) for s in options.severities
    ] or list(DEFAULT_SEVERITIES)
    now = None
    if options.now:
        try:
            now = parse_time(
                options.now if isinstance(options.now, str) else options.now.isoformat(),
                0,
                "statuskit: now",
            )
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
    p = options.policies
    policies = Policies(
        first_notice_minutes=p.first_notice_minutes or None,
        responsible_required_for=tuple(p.responsible_required_for),
        scope_required_for=tuple(p.scope_required_for),
        stale_update_minutes=p.stale_update_minutes or None,
        future_tolerance_minutes=p.future_tolerance_minutes,
        missing_translation=p.missing_translation,
        as_errors=p.as_errors,
        postmortem_due_days=p.postmortem_due_days or None,
        postmortem_required_for=tuple(p.postmortem_required_for),
        levels=dict(p.levels),
        open_without_update_hours=p.open_without_update_hours or None,
    )
    unknown_checks = set(p.levels) - set(POLICY_CHECKS)
    if unknown_checks:
        raise SettingsError(
            f"statuskit: unknown policy check(s) {', '.join(sorted(unknown_checks))} under "
            f"`policies.levels`; the checks are {', '.join(POLICY_CHECKS)}"
        )
    try:
        compensation = policy_from_options(options.compensation, locale)
    except ValueError as exc:
        raise SettingsError(f"statuskit: {exc}") from None
    catalog_dirs = tuple(d for d in [config_dir / options.catalog_dir] if d.is_dir())
    for name in locales_of(locale, options.locales):
        try:
            Catalog(name, catalog_dirs)
        except ValueError as exc:
            raise SettingsError(f"statuskit: {exc}") from None
    return Settings(
        incidents_dir=(config_dir / options.incidents_dir).resolve(),
        components=components,
        groups=groups,
        severities=severities,
        timezone=zone,
        locale=locale,
        locales=locales_of(locale, options.locales),
        now=now,
        page_size=max(1, options.page_size),
        uptime_days=max(1, options.uptime_days),
        home_history_days=max(1, options.home_history_days),
        directory_urls=directory_urls,
        policies=policies,
        targets=targets,
        catalog_dirs=catalog_dirs,
        compensation=compensation,
    )
