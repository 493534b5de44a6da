"""How every command finds the site: the `-f mkdocs.yml` option and settings read through MkDocs."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..adapter.cache import cache_dir
from ..adapter.generator import ConfigurationError, load_config
from ..adapter.options import SettingsError, settings_from_options
from ..core.settings import Settings
from ..core.yamlsource import character_problem, uncarriable

config_option = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="The site's mkdocs.yml, where components and the time zone are declared.",
)


def load_settings(config_file: Path, target: str | None = None) -> Settings:
    """Settings from mkdocs.yml, read through MkDocs so options behave as in a build."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if not config_file.is_file():
        raise click.ClickException(
            f"{config_file}: no such file; run statuskit in the site's folder or pass -f mkdocs.yml"
        )
    try:
        config = load_config(str(config_file))
    except ConfigurationError as exc:
        raise click.ClickException(f"{config_file}: {exc}") from None
    plugin = config.plugins.get("statuskit")
    if plugin is None:
        raise click.ClickException(
            f"{config_file}: the statuskit plugin is not enabled; add `- statuskit` under `plugins`"
        )
    for option in ("site_name", "site_description"):
        # Both reach feeds and the calendar, which cannot carry control characters.
        bad = uncarriable(str(config.get(option) or ""))
        if bad:
            message, hint = character_problem(bad.group())
            raise click.ClickException(f"{config_file}: {option}: {message}; {hint}")
    try:
        return settings_from_options(
            plugin.config,
            config_file.resolve().parent,
            str(config.theme.get("language") or "en"),
            config.use_directory_urls,
            config.site_url or "",
            target,
        )
    except SettingsError as exc:
        where = f"{config_file}:{exc.line}" if exc.line else str(config_file)
        raise click.ClickException(f"{where}: {exc}") from None


def cache_folder(config_file: Path) -> Path | None:
    """The build cache of the site (None when its `cache` option is off)."""
    try:
        config = load_config(str(config_file))
    except ConfigurationError:
        return None
    plugin = config.plugins.get("statuskit")
    return cache_dir(plugin.config, config) if plugin is not None else None
