"""`statuskit import statuspage|cstate`: a whole public history moved in with one command."""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from ..core.problems import display_path
from ..core.settings import Settings
from ..importers.cstate import read_cstate
from ..importers.records import Source, SourceError, merge
from ..importers.statuspage import read_statuspage
from ..importers.writer import (
    ImportReport,
    map_components,
    merge_into_config,
    propose,
    snippet,
    write_source,
)
from .config import config_option, load_settings

STATUSPAGE_BY_DESIGN = (
    "update ids (statuskit numbers updates <id>-u<N>), shortlinks, the incidents' own "
    "created_at/updated_at, per-update created_at when it differs from display_at, tweet and "
    "notification settings, component created_at/updated_at and statuses set without an update"
)
CSTATE_BY_DESIGN = "pinning, partials and the look of categories (closed/untitled)"
IMPACT_CHOICES = ("none", "minor", "major", "critical")


def _common(function: Callable[..., None]) -> Callable[..., None]:
    """Options every importer takes: the site, where to write, and how to treat components."""
    options = [
        config_option,
        click.option(
            "--incidents-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Write the incident files here instead of the site's incidents_dir.",
        ),
        click.option(
            "--write-components",
            is_flag=True,
            help="Append unmapped components and groups to mkdocs.yml (else only printed).",
        ),
        click.option(
            "--component-ids",
            type=click.Choice(["names", "source"]),
            default="names",
            show_default=True,
            help="Ids for new components: slugs of their names, or the old page's own ids "
            "(keeps API clients that watch a component id working).",
        ),
        click.option(
            "--timezone",
            help="IANA zone of times written without an offset (cState) or printed in a "
            "history feed; default: UTC for cState, inferred for feeds.",
        ),
        click.option(
            "--dry-run", is_flag=True, help="Report what would be written; write nothing."
        ),
    ]

    @functools.wraps(function)
    def command(**values: Any) -> None:
        shared = {name: values.pop(name) for name in _SHARED}
        options = _Options(
            config_file=shared["config_file"],
            incidents_dir=shared["incidents_dir"],
            write_components=shared["write_components"],
            keep_ids=shared["component_ids"] == "source",
            dry_run=shared["dry_run"],
            zone=_zone(shared["timezone"]),
        )
        function(options=options, **values)

    for option in reversed(options):
        command = option(command)
    return command


_SHARED = (
    "config_file",
    "incidents_dir",
    "write_components",
    "component_ids",
    "timezone",
    "dry_run",
)


@click.group("import")
def import_group() -> None:
    """Move a status page's history in from Atlassian Statuspage or cState."""


@import_group.command("statuspage")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@_common
@click.option(
    "--feed-impact",
    type=click.Choice(IMPACT_CHOICES),
    default="minor",
    show_default=True,
    help="Impact of incidents read from a history feed, which does not say.",
)
def statuspage_command(sources: tuple[str, ...], feed_impact: str, options: _Options) -> None:
    """Import from a Statuspage page URL, a folder of saved api/v2 files, or a history feed.

    SOURCE is https://status.example.com (summary.json, incidents.json, components.json and
    scheduled-maintenances.json are fetched), a folder holding those files, or a saved
    history.atom / history.rss. A feed holds only the newest 25 incidents and incidents.json
    the newest 50: pass several saved copies, oldest first, to import a longer history (an
    incident in several copies is read from the one with the most updates, then the API files).
    """
    _run(
        lambda settings: merge(
            [
                read_statuspage(source, feed_impact=feed_impact, timezone=options.zone)
                for source in sources
            ]
        ),
        STATUSPAGE_BY_DESIGN,
        options,
    )


@import_group.command("cstate")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_common
def cstate_command(folder: Path, options: _Options) -> None:
    """Import a cState site: content/issues/*.md and the systems of its config.yml."""
    _run(
        lambda settings: read_cstate(
            folder, timezone=options.zone, messages=settings.catalog(settings.locale)
        ),
        CSTATE_BY_DESIGN,
        options,
    )


@dataclasses.dataclass(frozen=True)
class _Options:
    """The site and how to write into it, shared by every importer."""

    config_file: Path
    incidents_dir: Path | None
    write_components: bool
    keep_ids: bool
    dry_run: bool
    zone: ZoneInfo | None


def _zone(name: object) -> ZoneInfo | None:
    """An IANA zone from --timezone, refused early with the fix when unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"{name!r} is not a time zone; use an IANA name like America/Denver",
            param_hint="--timezone",
        ) from None


def _settings(config_file: Path, incidents_dir: Path | None) -> Settings:
    """The site's settings, writing elsewhere when --incidents-dir says so."""
    settings = load_settings(config_file)
    if incidents_dir is not None:
        settings = dataclasses.replace(settings, incidents_dir=incidents_dir.resolve())
    return settings


def _run(read: Callable[[Settings], Source], by_design: str, options: _Options) -> None:
    """Read, map components (declaring them if asked), write, validate, report."""
    config_file = options.config_file
    settings = _settings(config_file, options.incidents_dir)
    try:
        source = read(settings)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    mapping = map_components(source, settings)
    groups, components = propose(source, settings, mapping, options.keep_ids)
    merged = ""
    if (groups or components) and options.write_components and not options.dry_run:
        before = config_file.read_text("utf-8")
        why = merge_into_config(config_file, groups, components)
        if why is None:
            try:
                settings = _settings(config_file, options.incidents_dir)
            except click.ClickException as exc:
                config_file.write_text(before, encoding="utf-8")
                why = f"the merged mkdocs.yml did not load ({exc.message}); it was restored"
        if why is None:
            merged = (
                f"Added {len(groups)} group(s) and {len(components)} component(s) to "
                f"{display_path(config_file)}."
            )
            mapping = map_components(source, settings)
            groups, components = propose(source, settings, mapping, options.keep_ids)
        else:
            merged = f"mkdocs.yml was not changed: {why}."
    report: ImportReport = write_source(source, settings, mapping, dry_run=options.dry_run)
    report.snippet = snippet(groups, components)
    report.config_merge = merged
    for written in report.written:
        if written.action != "unchanged":
            click.echo(f"{written.action}: {display_path(written.path)}")
    for line in report.lines(by_design):
        click.echo(line)
    if report.errors:
        sys.exit(1)
