"""`statuskit announce`: print the message for one channel, audience and locale of an incident."""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict
from pathlib import Path

import click

from ..core.problems import ValidationFailed
from ..core.settings import Settings
from ..core.site import Site, load_site
from ..core.status import IncidentState
from ..outputs.announcements import (
    AUDIENCES,
    CHANNELS,
    AnnounceContext,
    AnnounceError,
    ContextBuilder,
    Message,
    language_of,
    render_message,
    template_environment,
)
from ..views.pages import incident_src, page_url
from .config import config_option, load_settings

# Choosing the published site a locale is read on -------------------------------------------


def target_settings(config_file: Path, locale: str, mirror: str | None) -> Settings:
    """Settings of the build readers of `locale` see: its mirror, its path, or the one site.

    The link and the time zone of a message come from it, as `statuskit build --mirrors` (when
    mirrors are declared) or `statuskit build` publishes them.
    """
    base = load_settings(config_file)
    if locale not in base.locales:
        raise click.BadParameter(
            f"{locale!r} is not one of the site's locales ({', '.join(base.locales)})",
            param_hint="'--locale'",
        )
    try:
        mirrors = load_settings(config_file, "mirrors").targets
    except click.ClickException:  # the site declares no mirrors
        mirrors = None
    if mirror is not None:
        if mirrors is None:
            raise click.BadParameter("the site declares no mirrors", param_hint="'--mirror'")
        return load_settings(config_file, f"mirrors:{mirror}")
    if mirrors is not None:
        candidates = mirrors.targets
        chosen = next((t for t in candidates if t.locale == locale), None) or next(
            (t for t in candidates if language_of(t.locale) == language_of(locale)), mirrors.default
        )
        return load_settings(config_file, f"mirrors:{chosen.id}")
    if len(base.locales) > 1:
        return load_settings(config_file, f"paths:{locale}")
    return base


def incident_url(settings: Settings, incident_id: str) -> str:
    """The absolute address of the incident's page on the chosen site."""
    path = page_url(incident_src(incident_id), settings.directory_urls)
    base = settings.targets.current.site_url if settings.targets else ""
    if not base.startswith(("http://", "https://")):
        raise click.ClickException(
            "messages link to the incident page: set `site_url` in mkdocs.yml "
            "(e.g. https://status.example.com/)"
        )
    return base + path


def find_state(site: Site, incident_id: str) -> IncidentState:
    """The incident by id or file name, or a click error that names close ids."""
    for state in site.state.incidents.values():
        if incident_id in (state.incident.id, state.incident.path.stem):
            return state
    known = sorted(site.state.incidents)
    close = difflib.get_close_matches(incident_id, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "."
    raise click.ClickException(
        f"no incident with id {incident_id!r}{hint} The id is the file name without "
        "its extension, or its `id:`; `ls incidents/*/` lists them"
    )


def announce(
    config_file: Path,
    incident_id: str,
    channel: str,
    audience: str,
    locale: str,
    mirror: str | None = None,
) -> Message:
    """The message for one incident, channel, audience and locale."""
    from ..adapter.generator import load_config

    settings = target_settings(config_file, locale, mirror)
    try:
        site = load_site(settings)
    except ValidationFailed as exc:
        raise click.ClickException(f"fix the incident files first ({exc})") from None
    state = find_state(site, incident_id)
    site_name = str(load_config(str(config_file)).site_name or "")
    builder = ContextBuilder(settings, locale, site.state.now)
    info = builder.incident(state, audience)
    if not info.updates:
        raise click.ClickException(f"{incident_id}: the incident has no update to announce")
    context = AnnounceContext(
        channel=channel,
        audience=audience,
        locale=locale,
        url=incident_url(settings, state.incident.id),
        site_name=site_name,
        as_of=builder.time(site.state.now),
        incident=info,
        update=info.updates[-1],
    )
    env = template_environment(config_file.resolve().parent, locale)
    try:
        return render_message(env, context, builder.t)
    except AnnounceError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("announce")
@click.argument("incident_id", metavar="ID")
@click.option("--channel", type=click.Choice(CHANNELS), required=True, help="Where it is posted.")
@click.option(
    "--audience",
    type=click.Choice(AUDIENCES),
    default="customer",
    show_default=True,
    help="Who reads it; only `internal` may see the incident's internal notes.",
)
@click.option("--locale", "-l", default=None, help="Language; the site's default locale if unset.")
@click.option("--mirror", help="Link to this mirror (an id under `mirrors`), not the locale's own.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="`json` gives channel, subject, body, url and length for scripts and bots.",
)
@config_option
def announce_command(
    incident_id: str,
    channel: str,
    audience: str,
    locale: str | None,
    mirror: str | None,
    output: str,
    config_file: Path,
) -> None:
    """Print the message for a channel, so every channel says the same as the status page.

    Templates: `announce/<channel>[.<locale>].j2` beside mkdocs.yml overrides the shipped one.
    """
    if locale is None:
        locale = load_settings(config_file).locale
    message = announce(config_file, incident_id, channel, audience, locale, mirror)
    if output == "json":
        click.echo(json.dumps({**asdict(message), "length": message.length}, ensure_ascii=False))
    else:
        click.echo(message.text())
