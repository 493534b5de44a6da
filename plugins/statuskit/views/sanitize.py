"""Sanitizing HTML that authors' markdown produced, keeping what Material's extensions need."""

from __future__ import annotations

from functools import cache

import nh3


@cache
def _allowed() -> tuple[set[str], dict[str, set[str]]]:
    tags = set(nh3.ALLOWED_TAGS) | {"section"}
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = {"id", "class", "title", "lang", "dir"}
    attributes["ol"] = {"start", "reversed", "type"}
    attributes["th"] = attributes.get("th", set()) | {"style"}
    attributes["td"] = attributes.get("td", set()) | {"style"}
    attributes["img"] = attributes.get("img", set()) | {"loading", "title"}
    return tags, attributes


def sanitize_html(html: str) -> str:
    """Markdown's HTML without scripts, event handlers or styles, so a summary cannot attack."""
    tags, attributes = _allowed()
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        filter_style_properties={"text-align"},
        link_rel=None,
    )
