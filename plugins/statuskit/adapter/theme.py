"""Fixes to Material's base template that no template block can reach, applied as it loads."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from typing import Any

import jinja2

# statuskit's layer of templates over Material's (main.html, the sitemap, partials).
TEMPLATES = str(resources.files("statuskit").joinpath("templates/theme"))
_TOGGLE = re.compile(r'<input class="md-toggle" data-md-toggle="(\w+)"([^>]*?) autocomplete="off">')
# Material's translation keys naming what each of its toggles opens.
_TOGGLE_NAMES = {"drawer": "nav", "search": "search"}


def fix_base(source: str) -> str:
    """Give Material's two toggle checkboxes a name and drop their `autocomplete="off"`.

    `autocomplete` is invalid on a checkbox (Nu checker) and a nameless field fails WCAG 2
    (pa11y). statuskit's layout opens neither the drawer nor Material's search, so Firefox
    restoring their state on back navigation changes nothing. A Material version without the
    pattern is left as it is.
    """

    def named(match: re.Match[str]) -> str:
        toggle = match.group(1)
        key = _TOGGLE_NAMES.get(toggle, toggle)
        label = f"{{{{ lang.t({key!r}) }}}}"
        rest = match.group(2)
        return f'<input class="md-toggle" data-md-toggle="{toggle}"{rest} aria-label="{label}">'

    return _TOGGLE.sub(named, source)


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
