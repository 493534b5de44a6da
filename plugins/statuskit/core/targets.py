"""Build targets: one complete site per locale, under a path of one domain or on its own domain."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .i18n import language_name

# Zones of the shipped locales; other locales use the site's `timezone`.
LOCALE_ZONES = {"ko": "Asia/Seoul", "ja": "Asia/Tokyo"}
MODES = ("single", "paths", "mirrors")


@dataclass(frozen=True)
class Mirror:
    """A complete site for one locale at the root of its own domain."""

    id: str
    locale: str
    site_url: str
    timezone: str | None = None
    hreflang: str | None = None


@dataclass(frozen=True)
class Target:
    """One build: which locale, where it is served from and which folder it is written to."""

    id: str
    locale: str
    site_url: str
    folder: str
    timezone: str
    hreflang: str = ""

    @property
    def language_tag(self) -> str:
        """The hreflang of this build: a regional tag (en-AU) tells two English mirrors apart."""
        return self.hreflang or self.locale

    @property
    def domain(self) -> str:
        return urlsplit(self.site_url).hostname or ""

    @property
    def root_path(self) -> str:
        """The URL path of the site root, for pages whose links must stay on this domain."""
        return urlsplit(self.site_url).path or "/"

    def url(self, page_url: str) -> str:
        return self.site_url + page_url


@dataclass(frozen=True)
class Alternate:
    """The same page in another locale, for hreflang links and the language switcher."""

    lang: str
    name: str
    href: str
    current: bool


def with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def zone_for(locale: str, zones: dict[str, str], default: str) -> str:
    return zones.get(locale) or LOCALE_ZONES.get(locale.split("-")[0]) or default


def plan_targets(
    mode: str,
    site_url: str,
    locales: list[str],
    mirrors: list[Mirror],
    zones: dict[str, str],
    default_zone: str,
) -> list[Target]:
    """Every build of a publishing mode; the first target is the default locale's."""
    base = with_slash(site_url or "/")
    if mode == "mirrors":
        return [
            Target(
                m.id,
                m.locale,
                with_slash(m.site_url),
                m.id,
                m.timezone or zone_for(m.locale, zones, default_zone),
                m.hreflang or "",
            )
            for m in mirrors
        ]
    if mode == "paths":
        return [
            Target(loc, loc, f"{base}{loc}/", loc, zone_for(loc, zones, default_zone))
            for loc in locales
        ]
    locale = locales[0]
    return [Target(locale, locale, base, "", zone_for(locale, zones, default_zone))]


class TargetSet:
    """All targets of one publishing mode and the one being built now."""

    def __init__(self, mode: str, targets: list[Target], current: Target) -> None:
        self.mode = mode
        self.targets = targets
        self.current = current
        self.names = {t.id: language_name(t.language_tag, t.locale) for t in targets}

    @property
    def default(self) -> Target:
        return self.targets[0]

    def alternates(self, page_url: str) -> list[Alternate]:
        """The page's URL in every target, each language named in its own language."""
        if len(self.targets) < 2:
            return []
        return [
            Alternate(t.language_tag, self.names[t.id], t.url(page_url), t == self.current)
            for t in self.targets
        ]


def select_target(
    spec: str | None,
    site_url: str,
    locales: list[str],
    mirrors: list[Mirror],
    zones: dict[str, str],
    default_zone: str,
) -> TargetSet:
    """The build named by `mode:id` (e.g. `paths:ko`, `mirrors:kr`); none means the default site."""
    mode, _, wanted = (spec or "single").partition(":")
    if mode not in MODES:
        raise ValueError(f"unknown publishing mode {mode!r}; use one of: {', '.join(MODES)}")
    if mode == "mirrors" and not mirrors:
        raise ValueError("no mirrors are declared; add `mirrors:` to the statuskit options")
    targets = plan_targets(mode, site_url, locales, mirrors, zones, default_zone)
    if not wanted:
        return TargetSet(mode, targets, targets[0])
    for target in targets:
        if target.id == wanted:
            return TargetSet(mode, targets, target)
    known = ", ".join(t.id for t in targets)
    raise ValueError(f"no {mode} target {wanted!r}; declared: {known}")
