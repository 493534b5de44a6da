"""`statuskit pr-summary`: what a pull request changes on the status site, as markdown.

Reviewers of an incident PR need to know what readers will see after the merge: which incidents
appear, which updates get posted and which statuses change. The incident files of two git
revisions are written to temporary folders and read by the same loader as a build, so the
summary and the site always agree. CI appends the output to the job summary
(`statuskit pr-summary --base origin/main >> "$GITHUB_STEP_SUMMARY"`).
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import click

from ..core.loader import incident_schema, load_incidents
from ..core.model import Incident, Text, Update
from ..core.settings import Settings
from ..views.formatting import Formatter
from .config import config_option, load_settings


def editable_fields() -> list[str]:
    """Fields compared for "other edits", as named in incident files (and on the model)."""
    return [k for k in incident_schema()["properties"] if k not in ("id", "updates")]


QUOTE_LIMIT = 240


class GitError(click.ClickException):
    """A git command failed; the message says which and what git said."""


def git(root: Path, *args: str) -> bytes:
    """Output of a git command run in the repository."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args)}: {message}")
    return result.stdout


def repository_root(start: Path) -> Path:
    """The top of the git work tree, against which incident paths are named in commits."""
    return Path(git(start, "rev-parse", "--show-toplevel").decode().strip())


def export_incidents(root: Path, revision: str, folder: str, target: Path) -> None:
    """Write the incident files of one revision under `target`, as they are in that commit."""
    try:
        git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except GitError:
        raise GitError(
            f"{revision!r} is not a commit here; fetch it first (in GitHub Actions, "
            "actions/checkout with fetch-depth: 0)"
        ) from None
    listing = git(root, "ls-tree", "-r", "-z", "--name-only", revision, "--", folder)
    for name in filter(None, listing.decode("utf-8").split("\0")):
        relative = Path(name).relative_to(folder) if folder != "." else Path(name)
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(git(root, "show", f"{revision}:{name}"))


@dataclass
class IncidentChange:
    """How one incident differs between the two revisions."""

    incident: Incident
    added: bool = False
    removed: bool = False
    new_updates: list[Update] = field(default_factory=list)
    status_before: str = ""
    status_after: str = ""
    edited: list[str] = field(default_factory=list)

    @property
    def status_changed(self) -> bool:
        return not self.added and not self.removed and self.status_before != self.status_after

    @property
    def changed(self) -> bool:
        return (
            self.added
            or self.removed
            or bool(self.new_updates)
            or self.status_changed
            or bool(self.edited)
        )


@dataclass
class Comparison:
    """Every incident change between two revisions, and the files the head could not read."""

    changes: list[IncidentChange]
    unreadable: int


def last_status(incident: Incident) -> str:
    """The status the file sets: its last update's (a maintenance window may move it later)."""
    return incident.updates[-1].status if incident.updates else ""


def _same_update(a: Update, b: Update) -> bool:
    return (a.at, a.status, a.body, a.provisional, a.components) == (
        b.at,
        b.status,
        b.body,
        b.provisional,
        b.components,
    )


def compare(before: list[Incident], after: list[Incident], unreadable: int = 0) -> Comparison:
    """Match incidents by id and list what changed, in the head's order."""
    old = {i.id: i for i in before}
    new = {i.id: i for i in after}
    changes: list[IncidentChange] = []
    for incident in sorted(after, key=lambda i: i.id):
        previous = old.get(incident.id)
        if previous is None:
            changes.append(
                IncidentChange(
                    incident,
                    added=True,
                    new_updates=list(incident.updates),
                    status_after=last_status(incident),
                )
            )
            continue
        kept = previous.updates
        posted = [u for u in incident.updates if not any(_same_update(u, k) for k in kept)]
        edited = [
            name for name in editable_fields() if getattr(previous, name) != getattr(incident, name)
        ]
        if len(kept) > len(incident.updates) or any(
            not any(_same_update(k, u) for u in incident.updates) for k in kept
        ):
            edited.append("earlier updates")
        change = IncidentChange(
            incident,
            new_updates=posted,
            status_before=last_status(previous),
            status_after=last_status(incident),
            edited=edited,
        )
        if change.changed:
            changes.append(change)
    for incident in sorted(before, key=lambda i: i.id):
        if incident.id not in new:
            changes.append(
                IncidentChange(incident, removed=True, status_before=last_status(incident))
            )
    return Comparison(changes, unreadable)


def compare_revisions(settings: Settings, base: str, head: str, site_dir: Path) -> Comparison:
    """Read the incident files of two revisions with the build's loader and compare them."""
    root = repository_root(site_dir)
    try:
        folder = settings.incidents_dir.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise click.ClickException(
            f"{settings.incidents_dir} is outside the git repository {root}"
        ) from None
    with tempfile.TemporaryDirectory(prefix="statuskit-pr-") as temp:
        loaded = []
        for name, revision in (("base", base), ("head", head)):
            target = Path(temp) / name
            target.mkdir()
            export_incidents(root, revision, folder, target)
            loaded.append(load_incidents(target, settings.locale))
    unreadable = len({p.path for p in loaded[1].problems if p.is_error})
    return compare(loaded[0].incidents, loaded[1].incidents, unreadable)


class SummaryWriter:
    """The markdown reviewers read: counts first, then each incident's changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fmt = Formatter(settings.locale, settings.timezone)

    def text(self, value: Text | None) -> str:
        return value.get(self.settings.locale, self.settings.locale).text if value else ""

    def quote(self, value: Text) -> str:
        text = " ".join(self.text(value).split())
        return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1].rstrip() + "…"

    def name(self, incident: Incident) -> str:
        return f"**{self.text(incident.title)}** (`{incident.id}`)"

    def update_line(self, update: Update) -> str:
        mark = " *(provisional)*" if update.provisional else ""
        impacts = ", ".join(f"{c} → {i}" for c, i in update.components.items())
        changes = f" — {impacts}" if impacts else ""
        return (
            f"  - {self.fmt.time(update.at).text} · **{update.status}**{mark}: "
            f"{self.quote(update.body)}{changes}"
        )

    def render(self, comparison: Comparison, base: str, head: str) -> str:
        changes = comparison.changes
        added = [c for c in changes if c.added]
        removed = [c for c in changes if c.removed]
        updated = [c for c in changes if c.new_updates and not c.added]
        moved = [c for c in changes if c.status_changed]
        edited = [c for c in changes if c.edited]
        posted = sum(len(c.new_updates) for c in changes)
        lines = [f"## Status site changes (`{base}` → `{head}`)", ""]
        if comparison.unreadable:
            lines += [
                f"> [!WARNING]\n> {comparison.unreadable} incident file(s) have errors and are "
                "left out below; see the annotations of `statuskit validate`.",
                "",
            ]
        if not changes:
            lines.append("No incident or maintenance changes: readers will see the same site.")
            return "\n".join(lines) + "\n"
        lines += [
            f"**{len(added)}** added · **{posted}** update(s) posted · "
            f"**{len(moved)}** status change(s) · **{len(edited)}** edited · "
            f"**{len(removed)}** removed",
            "",
        ]
        if added:
            lines += ["### Added", ""]
            for change in added:
                incident = change.incident
                what = incident.kind if incident.is_maintenance else f"{incident.severity} incident"
                impacts = ", ".join(f"{c}: {i}" for c, i in incident.components.items())
                lines.append(
                    f"- {self.name(incident)}: {what}, **{change.status_after}**"
                    + (f"; affects {impacts}" if impacts else "")
                )
                lines += [self.update_line(u) for u in change.new_updates]
            lines.append("")
        if updated:
            lines += ["### Updates posted", ""]
            for change in updated:
                lines.append(f"- {self.name(change.incident)}")
                lines += [self.update_line(u) for u in change.new_updates]
            lines.append("")
        if moved:
            lines += ["### Status changes", ""]
            lines += [
                f"- {self.name(c.incident)}: {c.status_before or '—'} → **{c.status_after}**"
                for c in moved
            ]
            lines.append("")
        if edited:
            lines += ["### Other edits", ""]
            lines += [f"- {self.name(c.incident)}: {', '.join(c.edited)}" for c in edited]
            lines.append("")
        if removed:
            lines += ["### Removed", ""]
            lines += [f"- {self.name(c.incident)} (was {c.status_before})" for c in removed]
            lines.append("")
        return "\n".join(lines)


@click.command("pr-summary")
@click.option(
    "--base",
    default="origin/main",
    show_default=True,
    help="The revision the pull request merges into.",
)
@click.option("--head", default="HEAD", show_default=True, help="The revision to describe.")
@config_option
def pr_summary_command(base: str, head: str, config_file: Path) -> None:
    """Print, as markdown, what HEAD changes on the status site compared with BASE."""
    settings = load_settings(config_file)
    comparison = compare_revisions(settings, base, head, config_file.resolve().parent)
    click.echo(SummaryWriter(settings).render(comparison, base, head), nl=False)
