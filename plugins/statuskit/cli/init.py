"""`statuskit init [DIR]`: a new status site that builds at once and imports a history as is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from jinja2 import Environment, FunctionLoader, StrictUndefined

import statuskit

from ..core.problems import display_path


@dataclass(frozen=True)
class Scaffold:
    """One file of a new site: where it goes, and its template under templates/init/."""

    path: str
    template: str


# mkdocs.yml, the docs folder, an incidents folder that git keeps, and the workflows that check
# pull requests and publish. The home page and every status page are generated, never written.
SCAFFOLD = (
    Scaffold("mkdocs.yml", "mkdocs.yml.j2"),
    Scaffold("requirements.txt", "requirements.txt.j2"),
    Scaffold("docs/about.md", "about.md.j2"),
    Scaffold("incidents/README.md", "incidents-README.md.j2"),
    Scaffold(".github/workflows/pr.yml", "pr.yml.j2"),
    Scaffold(".github/workflows/deploy.yml", "deploy.yml.j2"),
    Scaffold(".gitignore", "gitignore.j2"),
)


def _template(name: str) -> str:
    """A template of templates/init/, read from the installed package."""
    return resources.files("statuskit").joinpath("templates/init", name).read_text("utf-8")


def _environment() -> Environment:
    """Plain text templates (YAML, markdown): no HTML escaping, and a missing value is an error."""
    environment = Environment(
        loader=FunctionLoader(_template),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        undefined=StrictUndefined,
    )
    # A JSON string is a YAML string: any site name is written safely.
    environment.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    return environment


def render_scaffold(values: dict[str, str]) -> dict[str, str]:
    """Every file of a new site, by its path relative to the site's folder."""
    environment = _environment()
    return {item.path: environment.get_template(item.template).render(values) for item in SCAFFOLD}


def _timezone(value: str) -> str:
    """An IANA zone, refused early with what to write instead."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"{value!r} is not a time zone; use an IANA name like Asia/Seoul or UTC",
            param_hint="--timezone",
        ) from None
    return value


def _site_url(value: str) -> str:
    """The address the site is published at, ending in `/` as MkDocs expects."""
    if not value.startswith(("https://", "http://")):
        raise click.BadParameter(
            f"{value!r} is not an address; write it like https://status.example.com/",
            param_hint="--site-url",
        )
    return value if value.endswith("/") else f"{value}/"


@click.command("init")
@click.argument(
    "directory",
    required=False,
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--site-name", default="Status", show_default=True, help="The site's name.")
@click.option(
    "--site-url",
    default="https://status.example.com/",
    show_default=True,
    help="Where the site will be published (feeds, the API and the calendar need it).",
)
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="IANA zone every time is shown in, e.g. Asia/Seoul.",
)
@click.option("--locale", default="en", show_default=True, help="The language of the site's text.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init_command(
    directory: Path, site_name: str, site_url: str, timezone: str, locale: str, force: bool
) -> None:
    """Start a status site in DIRECTORY (default: here): mkdocs.yml, docs/, incidents/ and the
    GitHub workflows that check pull requests and publish the site.

    Then declare your components in mkdocs.yml (or import them with `statuskit import ...
    --write-components`), add incidents and run `statuskit build`.
    """
    values = {
        "site_name": site_name,
        "site_url": _site_url(site_url),
        "timezone": _timezone(timezone),
        "locale": locale,
        "version": statuskit.__version__,
        "requirement": f"statuskit=={statuskit.__version__}",
    }
    files = render_scaffold(values)
    existing = [directory / path for path in files if (directory / path).exists()]
    if existing and not force:
        listed = "\n".join(f"  {display_path(p)}" for p in existing)
        raise click.ClickException(
            f"these files already exist and were left as they are:\n{listed}\n"
            "Run `statuskit init` in an empty folder, or pass --force to overwrite them."
        )
    for path, text in files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        click.echo(f"{'overwrote' if target in existing else 'created'}: {display_path(target)}")
    click.echo(
        "Next: declare your components in mkdocs.yml (or `statuskit import statuspage|cstate "
        "... --write-components`), then `statuskit build`.",
        err=True,
    )
