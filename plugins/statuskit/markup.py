"""Markdown of update bodies turned into HTML that is safe to publish anywhere."""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

_EXTENSIONS = ["sane_lists", "tables", "fenced_code", "attr_list"]


class MarkdownRenderer:
    """One Markdown instance reused for every body: building one per call is the slow part."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=_EXTENSIONS)

    def html(self, text: str) -> Markup:
        """Sanitized HTML: raw HTML an author typed cannot inject scripts or styles."""
        self._md.reset()
        rendered = self._md.convert(text)
        return Markup(nh3.clean(rendered, link_rel="noopener noreferrer"))
