"""Fixes to Material's base template that no template block can reach, applied as it loads."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jinja2

_TOGGLE = re.compile(r'<input class="md-toggle"([^>]*?) autocomplete="off">')
_FORM = '<form id="__md-toggles" autocomplete="off" hidden></form>'


def fix_base(source: str) -> str:
    """Move `autocomplete="off"` from Material's checkboxes (invalid there) to a form owning them.

    Browsers then still do not restore the drawer and search toggles on back navigation, and
    the page is valid HTML. A Material version without the pattern is left as it is.
    """
    first = _TOGGLE.search(source)
    if first is None:
        return source
    rest = _TOGGLE.sub(r'<input class="md-toggle"\1 form="__md-toggles">', source[first.start() :])
    return source[: first.start()] + _FORM + rest


class FixingLoader(jinja2.BaseLoader):
    """Wraps the theme's loader and rewrites `base.html` on the way in; nothing else changes."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        if template == "base.html":
            source = fix_base(source)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def install(env: jinja2.Environment) -> None:
    """Wrap the environment's loader once."""
    loader: Any = env.loader
    if loader is not None and not isinstance(loader, FixingLoader):
        env.loader = FixingLoader(loader)
