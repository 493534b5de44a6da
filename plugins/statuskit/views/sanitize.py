"""Sanitizing HTML that authors' markdown produced, keeping what Material's extensions need."""

from __future__ import annotations

from functools import cache

import nh3


@cache
def _cleaner() -> nh3.Cleaner:
    """One sanitizer per process: nh3 converts the allowed tags and attributes once, not at
    every page (five times the cost of cleaning a summary)."""
    tags = set(nh3.ALLOWED_TAGS) | {"section"}
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = {"id", "class", "title", "lang", "dir"}
    attributes["ol"] = {"start", "reversed", "type"}
    attributes["th"] = attributes.get("th", set()) | {"style"}
    attributes["td"] = attributes.get("td", set()) | {"style"}
    attributes["img"] = attributes.get("img", set()) | {"loading", "title"}
    return nh3.Cleaner(
        tags=tags,
        attributes=attributes,
        filter_style_properties={"text-align"},
        link_rel=None,
    )


def sanitize_html(html: str) -> str:
    """Markdown's HTML without scripts, event handlers or styles, so a summary cannot attack."""
    return _cleaner().clean(html)
