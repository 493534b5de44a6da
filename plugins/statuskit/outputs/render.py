"""Every machine-readable output of one build: feeds, the JSON API, the calendar, the badges."""

from __future__ import annotations

from slugify import slugify

from ..core.site import Site
from .api import PageInfo, render_api
from .badges import render_badges
from .calendar import render_calendar
from .feeds import render_feeds


def render_outputs(
    site: Site, site_name: str, base_url: str, page_id: str = ""
) -> dict[str, bytes]:
    """All output files of the build's locale, by path relative to the site root."""
    locale = site.settings.build_locale
    page = PageInfo(
        id=page_id or slugify(site_name) or "status",
        name=site_name,
        url=base_url,
        time_zone=site.settings.timezone.key,
    )
    files: dict[str, bytes] = {}
    files.update(render_feeds(site, locale, base_url, site_name))
    files.update(render_api(site, locale, base_url, page))
    files.update(render_calendar(site, locale, base_url, site_name))
    files.update(render_badges(site, locale, base_url, site_name))
    return files
