"""Turns the plugin's MkDocs options into core settings, with errors that name the option."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ..core.checks import RESERVED_IDS
from ..core.compensation import policy_from_options
from ..core.documents import ID, parse_time, text_of
from ..core.i18n import Catalog
from ..core.model import Category, Component, Group, RecurrenceTarget, Severity, Text
from ..core.settings import (
    DEFAULT_CATEGORIES,
    DEFAULT_SEVERITIES,
    POLICY_CHECKS,
    PROVIDER_CHANNELS,
    NotifyChannel,
    NotifySettings,
    Policies,
    Settings,
    SubscribeLink,
)
from ..core.targets import Mirror, TargetSet, select_target, zone_for
from ..core.yamlsource import character_problem, uncarriable


class SettingsError(ValueError):
    """A plugin option that cannot be used; the message says which and how to fix it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line  # in mkdocs.yml, when known


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


def _check_texts(options: Any, config_dir: Path) -> None:
    """Every text of the options can reach a feed, a calendar or the JSON API: refuse what
    they cannot carry (a control character or lone surrogate written as an escape)."""
    for where, text in _texts(options, ""):
        bad = uncarriable(text)
        if bad:
            message, hint = character_problem(bad.group())
            line = _line_of(config_dir / "mkdocs.yml", text)
            raise SettingsError(f"statuskit: {where or 'an option'}: {message}; {hint}", line)


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield where, str(key)
            yield from _texts(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, (list, tuple)):
        for number, item in enumerate(value):
            yield from _texts(item, f"{where}[{number}]")


def _line_of(config_file: Path, text: str) -> int | None:
    """The line of mkdocs.yml holding a text, found by composing (not running) its YAML."""
    try:
        root = yaml.compose(config_file.read_text("utf-8"), Loader=yaml.SafeLoader)
    except (OSError, ValueError, yaml.YAMLError):
        return None
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode) and node.value == text:
            return int(node.start_mark.line) + 1
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    return None


def _check_component_ids(options: Any) -> None:
    """Component ids are page names (`components/<id>/`, badges, feeds): safe and distinct."""
    seen: dict[str, str] = {}
    for item in options.components:
        if not ID.fullmatch(item.id):
            raise SettingsError(
                f"statuskit: component id {item.id!r} cannot be part of a URL; "
                "use letters, digits, '-' and '_'"
            )
        if item.id.casefold() in RESERVED_IDS:
            raise SettingsError(
                f"statuskit: component id {item.id!r} names a folder's own page; use another id"
            )
        other = seen.setdefault(item.id.casefold(), item.id)
        if other != item.id:
            raise SettingsError(
                f"statuskit: component ids {other!r} and {item.id!r} differ only in letter case, "
                "so their pages would be one file on macOS or Windows; use distinct ids"
            )


# Selects one build of a multi-locale site, e.g. `paths:ko` or `mirrors:kr`.
TARGET_VARIABLE = "STATUSKIT_TARGET"
# The moment `statuskit build` gives all its targets when `now` is not set: every locale and
# mirror of one build describes the same moment (and targets built in one process, in the same
# time zone, share one loaded history).
BUILD_TIME_VARIABLE = "STATUSKIT_BUILD_TIME"


def build_settings(options: Any, config: Any) -> Settings:
    """The settings of the build MkDocs is configured for (its target from the environment)."""
    return settings_from_options(
        options,
        Path(config.config_file_path or ".").parent,
        str(config.theme.get("language") or "en"),
        config.use_directory_urls,
        config.site_url or "",
        os.environ.get(TARGET_VARIABLE),
    )


def settings_from_options(
    options: Any,
    config_dir: Path,
    default_locale: str,
    directory_urls: bool,
    site_url: str = "",
    target: str | None = None,
) -> Settings:
    """Core settings from the validated `statuskit` plugin options of mkdocs.yml."""
    _check_texts(options, config_dir)
    _check_component_ids(options)
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
        Severity(
            s.id,
            text_of(s.name, locale),
            s.color,
            s.impact,
            description=text_of(s.description, locale) if s.description else None,
            examples=tuple(text_of(e, locale) for e in s.examples),
            first_notice_minutes=s.first_notice_minutes,
            update_minutes=s.update_minutes,
        )
        for s in options.severities
    ] or list(DEFAULT_SEVERITIES)
    now = None
    moment = options.now or os.environ.get(BUILD_TIME_VARIABLE)
    if moment:
        try:
            now = parse_time(
                moment if isinstance(moment, str) else moment.isoformat(), 0, "statuskit: now"
            )
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
    p = options.policies
    policies = Policies(
        first_notice_minutes=p.first_notice_minutes or None,
        responsible_required_for=tuple(p.responsible_required_for),
        scope_required_for=tuple(p.scope_required_for),
        default_cadence_minutes=p.default_cadence_minutes or None,
        future_tolerance_minutes=p.future_tolerance_minutes,
        missing_translation=p.missing_translation,
        as_errors=p.as_errors,
        postmortem_due_days=p.postmortem_due_days or None,
        postmortem_required_for=tuple(p.postmortem_required_for),
        levels=dict(p.levels),
        open_without_update_hours=p.open_without_update_hours or None,
        update_cadence_minutes={k: v for k, v in p.update_cadence_minutes.items() if v},
        long_running_hours=p.long_running_hours or None,
        lead_required_for=tuple(p.lead_required_for),
        affected_required_for=tuple(p.affected_required_for),
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
    categories = _categories(options, locale)
    unknown_channels = set(options.name_provider) - set(PROVIDER_CHANNELS)
    if unknown_channels:
        raise SettingsError(
            f"statuskit: unknown channel(s) {', '.join(sorted(unknown_channels))} under "
            f"`name_provider`; the channels are {', '.join(PROVIDER_CHANNELS)}"
        )
    feedback_url = options.feedback_url or None
    if feedback_url and not feedback_url.startswith(("https://", "http://", "mailto:")):
        raise SettingsError(
            f"statuskit: feedback_url {feedback_url!r} must start with https://, http:// or "
            "mailto:; put {id} where the incident id goes"
        )
    targets_of_tags = [
        RecurrenceTarget(
            r.tag,
            max(0, r.max),
            max(1, r.quarters),
            text_of(r.description, locale) if r.description else None,
        )
        for r in options.recurrence_targets
    ]
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
        check_zone=_zone(zone_for(locale, dict(options.timezones), options.timezone), "timezone"),
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
        categories=categories,
        feedback_url=feedback_url,
        late_notice=text_of(options.late_notice, locale) if options.late_notice else None,
        provider_channels=dict(options.name_provider),
        recurrence_targets=targets_of_tags,
        notify=_notify(
            options, config_dir, locales_of(locale, options.locales), components, groups, severities
        ),
        subscribe=_subscribe(options, locale),
    )


_CATEGORY_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _categories(options: Any, locale: str) -> list[Category]:
    """The site's taxonomy, or the default one; a default id keeps its translated name."""
    if not options.categories:
        return list(DEFAULT_CATEGORIES)
    seen: set[str] = set()
    categories = []
    for item in options.categories:
        if not _CATEGORY_ID.fullmatch(item.id):
            raise SettingsError(
                f"statuskit: category id {item.id!r} is part of a URL: use lowercase letters, "
                "digits, '-' and '_', like natural_disaster"
            )
        if item.id in seen:
            raise SettingsError(f"statuskit: category id {item.id!r} is declared twice")
        seen.add(item.id)
        defaults = {c.id for c in DEFAULT_CATEGORIES}
        if item.name is None and item.id not in defaults:
            raise SettingsError(
                f"statuskit: category {item.id!r} needs a `name` (only the default categories "
                f"have one already: {', '.join(sorted(defaults))})"
            )
        categories.append(
            Category(
                item.id,
                text_of(item.name, locale) if item.name else Text({}),
                text_of(item.description, locale) if item.description else None,
            )
        )
    return categories


# Notifications ----------------------------------------------------------------------------

_CHANNEL_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env_name(value: str, where: str) -> str:
    """An environment variable's name; an address or secret written here is refused."""
    if not _ENV_NAME.match(value):
        raise SettingsError(
            f"statuskit: {where} must name an environment variable (like NOTIFY_SLACK_URL), "
            f"not hold {'an address' if '://' in value or '@' in value else 'the value'}: "
            "secrets never go in mkdocs.yml; set the variable (a GitHub secret) and name it here"
        )
    return value


def _notify(
    options: Any,
    config_dir: Path,
    locales: list[str],
    components: list[Component],
    groups: list[Group],
    severities: list[Severity],
) -> NotifySettings:
    """The `notify` options, every reference checked against the rest of the configuration."""
    n = options.notify
    mirrors = {m.id: m.locale for m in options.mirrors}
    known_components = {c.id for c in components} | {g.id for g in groups}
    known_severities = {s.id for s in severities}
    channels: list[NotifyChannel] = []
    for item in n.channels:
        where = f"notify channel {item.id!r}"
        if not _CHANNEL_ID.match(item.id):
            raise SettingsError(
                f"statuskit: notify channel id {item.id!r} must be lowercase letters, digits "
                "and '-' (it names the channel in the ledger and in email Message-IDs)"
            )
        if any(c.id == item.id for c in channels):
            raise SettingsError(f"statuskit: {where} is declared twice")
        if item.locale is not None and item.locale not in locales:
            raise SettingsError(
                f"statuskit: {where} uses locale {item.locale!r}, which is not in `locales` "
                f"({', '.join(locales)})"
            )
        if item.mirror is not None:
            if item.mirror not in mirrors:
                known = ", ".join(mirrors) or "none is declared"
                raise SettingsError(
                    f"statuskit: {where} links to mirror {item.mirror!r}; mirrors: {known}"
                )
            if item.locale is not None and item.locale != mirrors[item.mirror]:
                raise SettingsError(
                    f"statuskit: {where} sets locale {item.locale!r} but mirror "
                    f"{item.mirror!r} is in {mirrors[item.mirror]!r}; drop one of them"
                )
        unknown = sorted(set(item.components) - known_components)
        if unknown:
            raise SettingsError(
                f"statuskit: {where} follows unknown component(s) {', '.join(unknown)}; "
                f"declared: {', '.join(sorted(known_components))}"
            )
        unknown = sorted(set(item.severities) - known_severities)
        if unknown:
            raise SettingsError(
                f"statuskit: {where} follows unknown severit(ies) {', '.join(unknown)}; "
                f"the site's: {', '.join(sorted(known_severities))}"
            )
        if item.secret_env is not None and item.kind != "webhook":
            raise SettingsError(
                f"statuskit: {where}: `secret_env` signs webhook payloads; a {item.kind} "
                "channel has none"
            )
        members = [c.id for c in components if c.group in item.components]
        channels.append(
            NotifyChannel(
                id=item.id,
                kind=item.kind,
                url_env=_env_name(item.url_env, f"{where}: url_env"),
                audience=item.audience,
                locale=item.locale or (mirrors[item.mirror] if item.mirror else None),
                mirror=item.mirror,
                components=tuple(dict.fromkeys([*item.components, *members])),
                severities=tuple(item.severities),
                events=tuple(item.events),
                secret_env=(
                    _env_name(item.secret_env, f"{where}: secret_env") if item.secret_env else None
                ),
                unsubscribe=item.unsubscribe or None,
            )
        )
    return NotifySettings(
        channels=tuple(channels),
        ledger=(config_dir / n.ledger) if n.ledger else None,
        max_age_hours=max(0, n.max_age_hours),
        email_from=n.email_from or None,
        unsubscribe=n.unsubscribe or None,
        documentation=n.documentation or None,
    )


def _subscribe(options: Any, locale: str) -> tuple[SubscribeLink, ...]:
    """The sign-up links the subscribe section lists, each an absolute or mailto address."""
    links = []
    for item in options.subscribe:
        if not item.url.startswith(("https://", "http://", "mailto:")):
            raise SettingsError(
                f"statuskit: subscribe link {item.url!r} must start with https://, http:// or "
                "mailto:"
            )
        links.append(
            SubscribeLink(
                item.kind,
                item.url,
                text_of(item.name, locale),
                text_of(item.description, locale) if item.description else None,
            )
        )
    return tuple(links)
