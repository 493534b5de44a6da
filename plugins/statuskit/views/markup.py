"""Markdown of update bodies turned into HTML that is safe to publish anywhere."""

from __future__ import annotations

from functools import cache, lru_cache
from html.parser import HTMLParser

import markdown
import nh3
from markupsafe import Markup

# magiclink: a bare address in an update (typed, or imported from Statuspage) is a link.
_EXTENSIONS = ["sane_lists", "tables", "fenced_code", "attr_list", "pymdownx.magiclink"]


# Tags that start a new block or a new line when HTML is read as plain text.
_PARAGRAPHS = frozenset(
    {"p", "ul", "ol", "blockquote", "pre", "table", "div", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_LINES = frozenset({"br", "tr"})


class _PlainText(HTMLParser):
    """Text of sanitized HTML with paragraphs apart, list items on their own lines, and links
    followed by their address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in _LINES:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            if href and href != label:
                self.parts.append(f" ({href})" if label else href)
        elif tag in _PARAGRAPHS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        # Markdown puts a newline between blocks; the tags above already place the breaks.
        if self.parts and self.parts[-1].endswith("\n"):
            data = data.lstrip("\n")
        if data.strip() or "\n" not in data:
            self.parts.append(data)

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.parts).split("\n")]
        kept: list[str] = []
        for line in lines:
            if line or (kept and kept[-1]):
                kept.append(line)
        return "\n".join(kept).strip()


def plain_text(html: str) -> str:
    """Plain text of HTML for channels that show none: calendars, email, social posts."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return parser.text()


@cache
def _markdown() -> markdown.Markdown:
    """One Markdown instance reused for every body: building one per call is the slow part."""
    return markdown.Markdown(extensions=_EXTENSIONS)


@lru_cache(maxsize=50_000)
def _html(text: str) -> Markup:
    """Each body is rendered once per process, however many pages, feeds and locales show it."""
    md = _markdown()
    md.reset()
    return Markup(nh3.clean(md.convert(text), link_rel="noopener noreferrer"))


class MarkdownRenderer:
    """Turns update bodies into safe HTML or plain text."""

    def html(self, text: str) -> Markup:
        """Sanitized HTML: raw HTML an author typed cannot inject scripts or styles."""
        return _html(text)

    def plain(self, text: str) -> str:
        """The same text without formatting, links written out, for plain-text channels."""
        return plain_text(str(_html(text)))
