"""The `statuskit` command: validate incident files and post updates without hand-editing YAML."""

from __future__ import annotations

import atexit
import errno
import gc
import glob
import json
import logging
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import click

from ..adapter.builder import build_cores, build_moment, build_target, load_ahead
from ..adapter.cache import reading_cache
from ..adapter.options import TARGET_VARIABLE
from ..adapter.pagefind import services_ahead
from ..adapter.processes import spare_cores
from ..adapter.reporting import once_per_run
from ..core.checks import TRANSLATION
from ..core.documents import parse_time
from ..core.editing import EditError, NewIncident, append_update, incident_path, render_new
from ..core.loader import INCIDENT_SUFFIXES, incident_schema, load_incidents, pinned_history
from ..core.model import IMPACTS, INCIDENT_STATUSES, KINDS, MAINTENANCE_STATUSES
from ..core.postmortems import postmortem_schema
from ..core.problems import Problem, ValidationFailed, display_path
from ..core.reliability import build_report
from ..core.settings import Settings
from ..core.site import build_time, load_site, validate, validate_incident
from ..core.targets import Target
from .announce import announce_command
from .config import cache_folder, config_option, load_settings
from .importing import import_group
from .init import init_command
from .notify import notify_command
from .prsummary import pr_summary_command
from .publish import PublishError, TargetFailed, default_workers, publish
from .stats import render_stats


def _show_build_log(level: int = logging.WARNING) -> None:
    """The generator's own messages (warnings, the errors of a failed build) and statuskit's on
    standard error: under ProperDocs its messages go to `properdocs`, statuskit's to `mkdocs`."""
    from ..adapter.generator import LOGGER

    for logger in {logging.getLogger("mkdocs"), logging.getLogger(LOGGER)}:
        if not any(getattr(h, "statuskit", False) for h in logger.handlers):
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
            handler.setLevel(level)
            handler.statuskit = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
        if logger.getEffectiveLevel() > level:
            logger.setLevel(level)


def parse_components(values: tuple[str, ...], settings: Settings) -> dict[str, str]:
    """`id=impact` pairs from the command line, checked against mkdocs.yml."""
    result: dict[str, str] = {}
    for value in values:
        component, _, impact = value.partition("=")
        impact = impact or "major_outage"
        if settings.component(component) is None:
            known = ", ".join(c.id for c in settings.components)
            raise click.BadParameter(f"unknown component {component!r}; declared: {known}")
        if impact not in (*IMPACTS, "operational"):
            raise click.BadParameter(
                f"unknown impact {impact!r}; use one of: operational, {', '.join(IMPACTS)}"
            )
        result[component] = impact
    return result


def parse_when(value: str | None, settings: Settings) -> datetime:
    """A given time (with offset) or now, in the site's time zone."""
    if value:
        try:
            return parse_time(value, 0, "--at").astimezone(settings.timezone)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return build_time(settings).astimezone(settings.timezone).replace(microsecond=0)


def find_incident(settings: Settings, incident_id: str) -> Path:
    """The file of an incident by its file name, else by its `id:` (which reads every file)."""
    matches = [
        p
        for p in settings.incidents_dir.rglob(f"{glob.escape(incident_id)}.*")
        if p.suffix in INCIDENT_SUFFIXES
        and p.stem == incident_id
        and p.is_file()
        and p.name.lower() != "readme.md"
        and not p.name.startswith((".", "_"))
        # Never through a link out of the folder: validation refuses those, and so do edits.
        and p.resolve().is_relative_to(settings.incidents_dir.resolve())
    ]
    if len(matches) == 1:
        return matches[0]
    result = load_incidents(settings.incidents_dir, settings.locale)
    for incident in result.incidents:
        if incident.id == incident_id or incident.path.stem == incident_id:
            return incident.path
    raise click.ClickException(
        f"no incident with id {incident_id!r} under {display_path(settings.incidents_dir)}; "
        "the id is the file name without .md, or its `id:`"
    )


def report(problems: list[Problem], output: str, strict: bool) -> int:
    """Print problems in the chosen format; returns the exit code."""
    for problem in problems:
        if output == "github":
            blocking = problem.is_error or (strict and problem.code != TRANSLATION)
            kind = "error" if blocking else "warning"
            message = str(problem).split(": ", 1)[1].replace("%", "%25").replace("\n", "%0A")
            click.echo(f"::{kind} file={problem.path},line={problem.line}::{message}")
        else:
            click.echo(f"{problem}" if problem.is_error else f"{problem} (warning)")
    errors = sum(p.is_error for p in problems)
    # A lagging translation is reported but never fails: the page shows the default text.
    warnings = sum(not p.is_error and p.code != TRANSLATION for p in problems)
    failed = errors > 0 or (strict and warnings > 0)
    return 1 if failed else 0


@click.group()
@click.version_option(package_name="statuskit")
def main() -> None:
    """Status pages and postmortems from incident files kept in git."""


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@click.option(
    "--strict", is_flag=True, help="Fail on policy warnings too (missing translations never fail)."
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="`github` prints workflow annotations on the offending lines.",
)
def validate_command(paths: tuple[Path, ...], config_file: Path, strict: bool, output: str) -> None:
    """Check incident files; report every problem as path:line: what; what to do.

    PATHS limits the report to those files or folders (all of them are still checked, so
    ids used twice are found; files unchanged since the last build or validate come from the
    build cache instead of being read again).
    """
    settings = load_settings(config_file)
    with reading_cache(cache_folder(config_file)):
        incidents, problems = validate(settings)
    if paths:
        wanted = [p.resolve() for p in paths]
        problems = [
            p
            for p in problems
            if any(
                Path(p.path).resolve() == w or w in Path(p.path).resolve().parents for w in wanted
            )
        ]
    code = report(problems, output, strict)
    errors = sum(p.is_error for p in problems)
    click.echo(
        f"{len(incidents)} incident file(s) read: {errors} error(s), "
        f"{len(problems) - errors} warning(s).",
        err=True,
    )
    sys.exit(code)


@main.command("build")
@config_option
@click.option("--mirrors", is_flag=True, help="Build every mirror into site/<mirror>/ instead.")
@click.option("--strict", is_flag=True, help="Fail on warnings, as `mkdocs build --strict`.")
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder; defaults to the site_dir of mkdocs.yml.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Targets built at once, each in its own process; by default as many as finish "
    "soonest on this machine's cores (three locales on two cores: three).",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=600,
    show_default=True,
    help="Seconds to wait for another build publishing to the same folder, then give up.",
)
def build_command(
    config_file: Path,
    mirrors: bool,
    strict: bool,
    site_dir: Path | None,
    jobs: int | None,
    wait: float,
) -> None:
    """Build the site in every locale (a path each) or every mirror (a folder each).

    All builds go to a staging folder that replaces the output folder only when every build
    succeeded: a failed build leaves the published site as it was.
    """
    from ..adapter.generator import MkDocsException, load_config

    _show_build_log()
    settings = load_settings(config_file)
    mode = "mirrors" if mirrors else ("paths" if len(settings.locales) > 1 else "single")
    targets = load_settings(config_file, mode).targets
    assert targets is not None
    config = load_config(str(config_file))
    output = site_dir or Path(config.site_dir)
    build = partial(_build_one, str(config_file), mode, strict)
    atexit.unregister(_end_without_collection)  # once, however often it runs in a process
    atexit.register(_end_without_collection)
    try:
        cores = spare_cores() + 1
        workers = jobs or default_workers(len(targets.targets), cores)
        # Targets built at once share the cores: none forks children onto a busy machine.
        share = max(1, cores // min(workers, len(targets.targets)))
        moment = build_moment(settings.now or datetime.now(UTC))
        with moment, pinned_history(), once_per_run(), services_ahead():
            if workers > 1 and len(targets.targets) > 1:
                locales = {f"{mode}:{t.id}": t.locale for t in targets.targets}
                load_ahead(str(config_file), locales)
            with build_cores(share):
                publish(output, targets, config.site_name, build, workers, wait)
    except TargetFailed as exc:
        raise click.ClickException(
            f"the build of {targets.mode} target {exc.target.id} failed, {output} left as it was: "
            f"{_failure(exc.error, MkDocsException)}"
        ) from None
    except PublishError as exc:
        raise click.ClickException(f"{exc}; {output} left as it was") from None
    except OSError as exc:
        raise click.ClickException(f"{_failure(exc)}; {output} left as it was") from None
    for target in targets.targets:
        click.echo(f"{target.site_url} -> {output / target.folder}")


def _end_without_collection() -> None:
    """At exit, skip Python's last full collection: it would walk the whole history this process
    loaded (a quarter of a second at 10,000 incidents) just before the memory is freed anyway."""
    gc.freeze()


def _failure(error: BaseException, quiet: type[BaseException] | None = None) -> str:
    """Why a build failed, in one line: MkDocs has logged its own errors above already."""
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        hint = {
            errno.EROFS: "the file system is read-only; build to a writable --site-dir",
            errno.ENOSPC: "the disk is full; free some space and build again",
            errno.EDQUOT: "the disk quota is used up; free some space and build again",
            errno.EACCES: "check the folder's permissions",
        }.get(error.errno or 0, "check that the output folder is writable")
        return f"cannot write{where}: {error.strerror or error}; {hint}"
    if quiet is not None and isinstance(error, quiet):
        return f"{error} (see the errors above)"
    return f"{type(error).__name__}: {error}"


def _build_one(config_file: str, mode: str, strict: bool, target: Target, staging: Path) -> None:
    """One target's build; a module function, so worker processes can run it."""
    click.echo(f"building {mode} target {target.id} ({target.site_url})", err=True)
    build_target(config_file, f"{mode}:{target.id}", str(staging), strict)


@main.command("preview")
@config_option
@click.option("--target", help="One build of a multi-locale site, e.g. paths:ko or mirrors:kr.")
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True)
def preview_command(config_file: Path, target: str | None, dev_addr: str) -> None:
    """Serve the site with live reload while you write an update (as `mkdocs serve`)."""
    from ..adapter.generator import serve

    load_settings(config_file, target)  # a wrong target or option fails here, clearly
    if target:
        os.environ[TARGET_VARIABLE] = target
    _show_build_log(logging.INFO)
    serve(config_file=str(config_file), dev_addr=dev_addr)


@main.command("schema")
@click.option("--postmortem", is_flag=True, help="The schema of postmortem files instead.")
def schema_command(postmortem: bool) -> None:
    """Print the JSON Schema of incident (or postmortem) files, for editors and other tools."""
    schema = postmortem_schema() if postmortem else incident_schema()
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))


@main.command("stats")
@config_option
@click.option("--locale", help="Language of the report; the site's default locale by default.")
def stats_command(config_file: Path, locale: str | None) -> None:
    """Print the reliability figures: uptime, detection and resolution times, promises kept."""
    settings = load_settings(config_file)
    try:
        site = load_site(settings)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    report = build_report(site.state, settings)
    click.echo(render_stats(report, settings, locale or settings.locale), nl=False)


@main.command("new")
@click.argument("title")
@config_option
@click.option("--kind", type=click.Choice(KINDS), default="incident", show_default=True)
@click.option("--severity", default="major", show_default=True, help="A severity id of the site.")
@click.option(
    "--category", default="technical", show_default=True, help="A category id of the site."
)
@click.option(
    "--component",
    "-c",
    "components",
    multiple=True,
    help="Affected component as id=impact (impact defaults to major_outage). Repeatable.",
)
@click.option("--slug", help="File name part after the date; defaults to the title's slug.")
@click.option("--message", "-m", help="Text of the first update.")
@click.option("--at", help="Time of the first update (ISO 8601 with offset); defaults to now.")
@click.option("--start", help="Maintenance: window start (ISO 8601 with offset).")
@click.option("--end", help="Maintenance: window end (ISO 8601 with offset).")
def new_command(
    title: str,
    config_file: Path,
    kind: str,
    severity: str,
    category: str,
    components: tuple[str, ...],
    slug: str | None,
    message: str | None,
    at: str | None,
    start: str | None,
    end: str | None,
) -> None:
    """Create an incident file with a first update, ready to commit."""
    settings = load_settings(config_file)
    if kind == "incident" and settings.severity(severity) is None:
        known = ", ".join(s.id for s in settings.severities)
        raise click.BadParameter(f"unknown severity {severity!r}; use one of: {known}")
    if settings.category(category) is None:
        known = ", ".join(c.id for c in settings.categories)
        raise click.BadParameter(f"unknown category {category!r}; use one of: {known}")
    when = parse_when(at, settings)
    impacts = parse_components(components, settings)
    t = settings.catalog(settings.locale)
    scheduled_for = scheduled_until = None
    if kind == "maintenance":
        scheduled_for = parse_when(start, settings) if start else when + timedelta(days=7)
        scheduled_until = parse_when(end, settings) if end else scheduled_for + timedelta(hours=2)
        impacts = {c: "under_maintenance" if i == "major_outage" else i for c, i in impacts.items()}
    path = incident_path(settings.incidents_dir, when, title, slug)
    if path.exists():
        raise click.ClickException(f"{display_path(path)} exists already; pass another --slug")
    path.parent.mkdir(parents=True, exist_ok=True)
    status = "investigating" if kind == "incident" else "scheduled"
    path.write_text(
        render_new(
            NewIncident(
                title=title,
                kind=kind,
                severity=severity,
                category=category,
                components=impacts,
                at=when,
                status=status,
                message=message or t(f"message.{status}"),
                scheduled_for=scheduled_for,
                scheduled_until=scheduled_until,
            )
        ),
        encoding="utf-8",
    )
    click.echo(display_path(path))


def _post(
    config_file: Path,
    incident_id: str,
    status: str | None,
    message: str | None,
    components: tuple[str, ...],
    provisional: bool,
    at: str | None,
    closing: bool,
    next_update: str | None = None,
    reopen: bool = False,
) -> None:
    settings = load_settings(config_file)
    path = find_incident(settings, incident_id)
    incident, _ = validate_incident(settings, path)
    kind = incident.kind if incident else "incident"
    allowed = MAINTENANCE_STATUSES if kind == "maintenance" else INCIDENT_STATUSES
    if closing:
        status = allowed[-1]
    assert status is not None
    if status not in allowed:
        raise click.BadParameter(
            f"status {status!r} is not used for a {kind}; use one of: {', '.join(allowed)}"
        )
    ended = bool(incident and incident.updates and incident.updates[-1].status == allowed[-1])
    if ended and status != allowed[-1] and not reopen:
        raise click.BadParameter(
            f"{incident_id} is {allowed[-1]} already; pass --reopen to open it again "
            "(the update is then marked `reopened: true`)"
        )
    if reopen and not ended:
        raise click.BadParameter(f"{incident_id} is not {allowed[-1]}; --reopen is for that")
    when = parse_when(at, settings)
    if incident and incident.updates and when < incident.updates[-1].at:
        raise click.BadParameter(
            f"{when.isoformat()} is before the last update "
            f"({incident.updates[-1].at.isoformat()}); updates are kept oldest first"
        )
    text = message or settings.catalog(settings.locale)(f"message.{status}")
    promise = parse_next(next_update, when, settings) if next_update else None
    try:
        append_update(
            path,
            when,
            status,
            text,
            parse_components(components, settings),
            provisional,
            next_update_by=promise,
            reopened=reopen,
        )
    except EditError as exc:
        raise click.ClickException(str(exc)) from None
    _, problems = validate_incident(settings, path)
    code = report(problems, "text", strict=False)
    click.echo(f"{display_path(path)}: update posted ({status} at {when.isoformat()})", err=True)
    if code:
        sys.exit(code)


@main.command("update")
@click.argument("incident_id", metavar="ID")
@config_option
@click.option("--status", "-s", required=True, help="The new status, e.g. identified.")
@click.option("--message", "-m", required=True, help="What customers should know now.")
@click.option("--component", "-c", "components", multiple=True, help="Changed impact as id=impact.")
@click.option("--provisional", is_flag=True, help="Mark the update as not yet confirmed.")
@click.option("--at", help="Time of the update (ISO 8601 with offset); defaults to now.")
@click.option(
    "--next",
    "next_update",
    help="The promise of the next update: in 30m or 2h, or at an ISO 8601 time with offset.",
)
@click.option(
    "--reopen", is_flag=True, help="Open a resolved incident again (marks `reopened: true`)."
)
def update_command(
    incident_id: str,
    config_file: Path,
    status: str,
    message: str,
    components: tuple[str, ...],
    provisional: bool,
    at: str | None,
    next_update: str | None,
    reopen: bool,
) -> None:
    """Append an update to an incident, leaving the rest of its file untouched."""
    _post(
        config_file,
        incident_id,
        status,
        message,
        components,
        provisional,
        at,
        closing=False,
        next_update=next_update,
        reopen=reopen,
    )


_IN = re.compile(r"^(?P<amount>\d+)\s*(?P<unit>m|min|h)$")


def parse_next(value: str, when: datetime, settings: Settings) -> datetime:
    """`30m`, `2h` after the update, or a time; the promise must be after the update."""
    match = _IN.match(value.strip())
    if match:
        amount = int(match["amount"])
        promise = when + (
            timedelta(hours=amount) if match["unit"] == "h" else timedelta(minutes=amount)
        )
    else:
        promise = parse_when(value, settings)
    if promise <= when:
        raise click.BadParameter(
            f"--next {value!r} is not after the update ({when.isoformat()}); "
            "give a duration like 30m or a later time"
        )
    return promise


@main.command("resolve")
@click.argument("incident_id", metavar="ID")
@config_option
@click.option("--message", "-m", help="Closing message; a standard one by default.")
@click.option("--at", help="Time of resolution (ISO 8601 with offset); defaults to now.")
def resolve_command(
    incident_id: str, config_file: Path, message: str | None, at: str | None
) -> None:
    """Close an incident (or complete a maintenance) with a final update."""
    _post(config_file, incident_id, None, message, (), False, at, closing=True)


main.add_command(import_group, "import")
main.add_command(init_command, "init")
main.add_command(announce_command, "announce")
main.add_command(notify_command, "notify")
main.add_command(pr_summary_command, "pr-summary")


if __name__ == "__main__":  # pragma: no cover
    main()
