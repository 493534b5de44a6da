"""The words of the communication practice, shared by pages, feeds and announcements: promises
kept or late, who is affected, the communication lead and a third-party provider."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.lists import format_list

from ..core.i18n import Catalog
from ..core.model import Affected, Incident, Localized, Text
from ..core.promises import closing_status, next_update, resolution_overdue
from ..core.settings import Settings
from .formatting import Formatter, TimeText

Resolve = Callable[[Text], Localized]


@dataclass(frozen=True)
class PromiseView:
    """The next update and the expected resolution, with the honest words when one is late."""

    next_update: TimeText | None
    promised: bool
    cadence: str | None
    late: bool
    late_notice: str | None
    eta: TimeText | None
    eta_passed: bool


@dataclass(frozen=True)
class ProviderView:
    """A third party as one channel may show it: by name, or as 'one of our providers'."""

    label: str
    lang: str
    named: bool
    status_url: str | None


def series(items: list[str], fmt: Formatter) -> str:
    """A list in the locale's words: "A, B and C", "A、B、C"."""
    return format_list(items, locale=fmt.locale) if items else ""


def affected_sentence(
    affected: Affected | None, t: Catalog, fmt: Formatter, text: Resolve
) -> str | None:
    """Who is affected as one sentence in the reader's language."""
    if affected is None:
        return None
    if affected.customers == "all":
        return t("affected.all")
    details = []
    for key, values in (
        ("regions", affected.regions),
        ("plans", affected.plans),
        ("platforms", affected.platforms),
    ):
        if values:
            details.append(t(f"affected.{key}", items=series([text(v).text for v in values], fmt)))
    if not details:
        return t("affected.some")
    return t("affected.some_of", details=t("affected.separator").join(details))


def promise_view(
    incident: Incident,
    settings: Settings,
    now: datetime,
    t: Catalog,
    fmt: Formatter,
    locale: str,
) -> PromiseView | None:
    """What readers are promised about an open incident, or None when nothing is owed."""
    owed = next_update(incident, settings)
    still_open = bool(incident.updates) and incident.updates[-1].status != closing_status(incident)
    eta = incident.expected_resolution if still_open else None
    if owed is None and eta is None:
        return None
    late = owed is not None and owed.is_late(now)
    notice = None
    if owed is not None and late:
        due = fmt.time(owed.due).text
        if settings.late_notice:
            notice = settings.late_notice.get(locale, settings.locale).text.replace("{time}", due)
        else:
            notice = t("promise.late", time=due)
    cadence = None
    if owed is not None and owed.cadence_minutes:
        cadence = fmt.duration(timedelta(minutes=owed.cadence_minutes))
    return PromiseView(
        next_update=fmt.time(owed.due) if owed is not None else None,
        promised=owed is not None and owed.promised,
        cadence=cadence,
        late=late,
        late_notice=notice,
        eta=fmt.time(eta) if eta is not None else None,
        eta_passed=resolution_overdue(incident, now),
    )


def promise_lines(promise: PromiseView | None, t: Catalog) -> list[str]:
    """The promise as plain lines, for feeds and messages."""
    if promise is None:
        return []
    lines = []
    if promise.late_notice:
        lines.append(promise.late_notice)
    elif promise.next_update is not None:
        lines.append(t("promise.next", time=promise.next_update.text))
    if promise.eta is not None:
        key = "promise.eta_passed" if promise.eta_passed else "promise.eta"
        lines.append(t(key, time=promise.eta.text))
    return lines


def provider_view(
    incident: Incident, settings: Settings, channel: str, t: Catalog, text: Resolve
) -> ProviderView | None:
    """The provider for one channel; a channel told not to name it says 'one of our providers'."""
    provider = incident.provider
    if provider is None:
        return None
    if not settings.names_provider(channel):
        return ProviderView(t("provider.anonymous"), t.locale, False, None)
    name = text(provider.name)
    return ProviderView(name.text, name.lang, True, provider.status_url)


def person(name: Localized, role: Localized, t: Catalog) -> str:
    return t("incident.signed", name=name.text, role=role.text)


def category_label(settings: Settings, category_id: str, t: Catalog, text: Resolve) -> str:
    """A category's name: the site's own, else the catalog's for a default category."""
    category = settings.category(category_id)
    if category is not None and category.name:
        return text(category.name).text
    return t(f"category.{category_id}")
