"""UI strings per locale, from one small catalog file each, so adding a locale is one file."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml

FALLBACK_LOCALE = "en"


@cache
def shipped_locales() -> tuple[str, ...]:
    """Locales whose catalog ships with statuskit."""
    folder = resources.files("statuskit").joinpath("locales")
    return tuple(sorted(Path(p.name).stem for p in folder.iterdir() if p.name.endswith(".yml")))


@cache
def _read(locale: str) -> dict[str, str]:
    path = resources.files("statuskit").joinpath(f"locales/{locale}.yml")
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def catalog_keys(locale: str) -> set[str]:
    return set(_read(locale))


class Catalog:
    """Looks up a UI string for one locale, using English for a key it lacks."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        language = locale.replace("-", "_").split("_")[0]
        self._strings = {**_read(FALLBACK_LOCALE), **_read(language), **_read(locale)}

    def __call__(self, key: str, **values: object) -> str:
        template = self._strings.get(key, key)
        return template.format(**values) if values else template
