"""Every machine-readable output of one build: feeds, the JSON API, the calendar, the badges."""

from __future__ import annotations

from dataclasses import dataclass, fields

from slugify import slugify

from ..core.site import Site
from .api import PageInfo, render_api
from .badges import render_badges
from .calendar import render_calendar
from .feeds import FeedRenderer
from .keys import KeyedFiles, Memo, no_memo

__all__ = ["KeyedFiles", "Memo", "Outputs", "output_context", "plan_outputs", "render_outputs"]


@dataclass
class Outputs:
    """One build's outputs: the site-wide files, rendered, and the per-incident ones, not yet.

    A build may take a `KeyedFiles` from an earlier build whose key, `output_context` and code
    were the same instead of rendering it.
    """

    files: dict[str, bytes]
    keyed: list[KeyedFiles]

    def rendered(self) -> dict[str, bytes]:
        """Every file, the keyed ones rendered now."""
        files = dict(self.files)
        for group in self.keyed:
            files |= group.render()
        return files


def output_context(site: Site, site_name: str, base_url: str) -> object:
    """What every keyed output depends on besides its own key: the same for a whole build.

    The settings count whole but for the build's clock, which no keyed output shows (an output
    that depends on it puts the value it shows in its key).
    """
    settings = site.settings
    locale = settings.build_locale
    return {
        "locale": locale,
        "base_url": base_url,
        "site_name": site_name,
        "settings": {
            f.name: getattr(settings, f.name) for f in fields(settings) if f.name != "now"
        },
        "catalog": dict(settings.catalog(locale).strings),
    }


def plan_outputs(
    site: Site, site_name: str, base_url: str, page_id: str = "", memo: Memo = no_memo
) -> Outputs:
    """The outputs of the build's locale, by path relative to the site root; `memo` gives parts
    of files (the calendar's events) kept from an earlier build."""
    locale = site.settings.build_locale
    page = PageInfo(
        id=page_id or slugify(site_name) or "status",
        name=site_name,
        url=base_url,
        time_zone=site.settings.timezone.key,
    )
    files, keyed = FeedRenderer(site, locale, base_url, site_name).plan()
    files.update(render_api(site, locale, base_url, page))
    files.update(render_calendar(site, locale, base_url, site_name, memo))
    files.update(render_badges(site, locale, base_url, site_name))
    return Outputs(files, keyed)


def render_outputs(
    site: Site, site_name: str, base_url: str, page_id: str = ""
) -> dict[str, bytes]:
    """All output files of the build's locale, by path relative to the site root."""
    return plan_outputs(site, site_name, base_url, page_id).rendered()
