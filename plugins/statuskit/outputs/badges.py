"""Status badges (SVG) that READMEs and dashboards embed: the status in words, not colour alone.

Files, relative to the root of one locale build: `badges/status.svg` (the site's indicator) and
`badges/components/<id>.svg` (one component's status), shields.io's flat style. The markup is
the Jinja template `templates/badges/badge.svg.j2`, rendered with autoescape on.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..core.site import Site

TEMPLATE = "badges/badge.svg.j2"
HEIGHT = 20
PADDING = 6
ICON = 12
GAP = 4

# Rough advance widths of 11px Verdana; `textLength` makes the text fill exactly this width.
WIDE_WIDTH = 12.0  # CJK and other full-width characters
UPPER_WIDTH = 8.0
LOWER_WIDTH = 6.5
THIN_CHARS, THIN_WIDTH = frozenset(" .,:;!'|()[]ijlrtfI"), 4.0
BROAD_CHARS, BROAD_WIDTH = frozenset("mwMW@%"), 10.0

LABEL_COLOR = "#555"
# Each colour keeps white text at a contrast of 4.5:1 or more (WCAG AA).
STATUS_COLORS = {
    "operational": "#2e7d32",
    "degraded_performance": "#8a6100",
    "partial_outage": "#c2410c",
    "major_outage": "#b42318",
    "under_maintenance": "#1565c0",
}
# The site's indicator shown as the component status of the same weight.
INDICATOR_STATUS = {
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
    "maintenance": "under_maintenance",
}
ICONS = {
    "operational": "operational",
    "degraded_performance": "degraded",
    "partial_outage": "degraded",
    "major_outage": "outage",
    "under_maintenance": "maintenance",
}


def text_width(text: str) -> int:
    """Estimated width in pixels: wide (CJK) characters count about twice a Latin one."""
    width = 0.0
    for char in text:
        if unicodedata.combining(char):
            continue
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += WIDE_WIDTH
        elif char in THIN_CHARS:
            width += THIN_WIDTH
        elif char in BROAD_CHARS:
            width += BROAD_WIDTH
        else:
            width += UPPER_WIDTH if char.isupper() else LOWER_WIDTH
    return math.ceil(width)


@cache
def environment() -> Environment:
    """One Jinja environment for every badge; autoescape keeps names from injecting markup."""
    return Environment(
        loader=PackageLoader("statuskit", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Badge:
    """What one badge says: its label, its value in words and the status behind them."""

    uid: str
    label: str
    label_lang: str
    value: str
    status: str


def render_svg(badge: Badge, lang: str) -> bytes:
    """One badge as SVG bytes, laid out from the estimated widths of its two texts."""
    label_text_width = text_width(badge.label)
    value_text_width = text_width(badge.value)
    label_width = PADDING + label_text_width + PADDING
    value_width = PADDING + ICON + GAP + value_text_width + PADDING
    svg = (
        environment()
        .get_template(TEMPLATE)
        .render(
            uid=badge.uid,
            lang=lang,
            label=badge.label,
            label_lang=badge.label_lang,
            value=badge.value,
            icon=ICONS.get(badge.status, "degraded"),
            color=STATUS_COLORS.get(badge.status, LABEL_COLOR),
            label_color=LABEL_COLOR,
            width=label_width + value_width,
            label_width=label_width,
            value_width=value_width,
            label_text_width=label_text_width,
            value_text_width=value_text_width,
            label_x=label_width / 2,
            icon_x=label_width + PADDING,
            value_x=label_width + PADDING + ICON + GAP + value_text_width / 2,
        )
    )
    return svg.encode("utf-8")


def _uid(value: str) -> str:
    """An XML id for the badge's gradient and clip path, unique when badges are inlined."""
    return "sk-badge-" + re.sub(r"[^A-Za-z0-9_-]", "-", value)


def render_badges(
    site: Site, locale: str, base_url: str, site_name: str | None = None
) -> dict[str, bytes]:
    """Every badge file of one locale build, by path; labelled `site_name` or "status".

    `base_url` keeps the signature of the other generators: a badge is an image and links nowhere.
    """
    t = site.settings.catalog(locale)
    settings = site.settings
    indicator = INDICATOR_STATUS.get(site.state.indicator, "degraded_performance")
    files = {
        "badges/status.svg": render_svg(
            Badge(
                _uid("status"),
                site_name or t("badge.status"),
                locale,
                t(f"indicator.{site.state.indicator}"),
                indicator,
            ),
            locale,
        )
    }
    for component in settings.components:
        name = component.name.get(locale, settings.locale)
        status = site.state.component_status.get(component.id, "operational")
        files[f"badges/components/{component.id}.svg"] = render_svg(
            Badge(
                _uid(f"component-{component.id}"),
                name.text,
                name.lang,
                t(f"status.{status}"),
                status,
            ),
            locale,
        )
    return files
