"""UI strings per locale, from one small catalog file each, so adding a locale is one file."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from babel import Locale

FALLBACK_LOCALE = "en"


@cache
def shipped_locales() -> tuple[str, ...]:
    """Locales whose catalog ships with statuskit."""
    folder = resources.files("statuskit").joinpath("locales")
    return tuple(sorted(Path(p.name).stem for p in folder.iterdir() if p.name.endswith(".yml")))


@cache
def _read(locale: str, folder: Path | None = None) -> dict[str, str]:
    if folder is None:
        path: Traversable | Path = resources.files("statuskit").joinpath(f"locales/{locale}.yml")
    else:
        path = folder / f"{locale}.yml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: the catalog is not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a catalog is a map of `key: text`")
    return {str(k): str(v) for k, v in data.items()}


def language_name(code: str, locale: str | Locale) -> str:
    """A language tag (`ko`, `en-AU`) named in `locale`'s words, for language switchers."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(locale)
    except (ValueError, LookupError):
        return code
    return name or code


def catalog_keys(locale: str) -> set[str]:
    return set(_read(locale))


class Catalog:
    """A UI string for one locale: the site's catalogs over the shipped ones, English last."""

    def __init__(self, locale: str, folders: tuple[Path, ...] = ()) -> None:
        self.locale = locale
        language = locale.replace("-", "_").split("_")[0]
        self._strings: dict[str, str] = {}
        for name in dict.fromkeys((FALLBACK_LOCALE, language, locale)):
            for folder in (None, *folders):
                self._strings.update(_read(name, folder))

    @property
    def strings(self) -> Mapping[str, str]:
        """Every string of the locale: what a text rendered from the catalog can depend on."""
        return self._strings

    def __call__(self, key: str, **values: object) -> str:
        template = self._strings.get(key, key)
        return template.format(**values) if values else template


def page_translations(
    src_uris: list[str], locale: str, locales: list[str]
) -> tuple[dict[str, str], list[str]]:
    """A site's own pages in the build's locale: `about.ko.md` stands in for `about.md`.

    Returns which translation replaces which page, and every translation file to leave out.
    """
    known = set(src_uris)
    replace: dict[str, str] = {}
    drop: list[str] = []
    for uri in src_uris:
        stem, _, suffix = uri.rpartition(".")
        base, _, code = stem.rpartition(".")
        if suffix != "md" or not base or code not in locales:
            continue
        original = f"{base}.md"
        if original not in known:
            continue
        drop.append(uri)
        if code == locale:
            replace[original] = uri
    return replace, drop
