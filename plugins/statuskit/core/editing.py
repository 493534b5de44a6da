"""Edits to incident files that add lines and leave everything else as the author wrote it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import yaml
from slugify import slugify

from .documents import split_front_matter


class EditError(Exception):
    """An edit that cannot be made safely; the message says why and what to do."""


def yaml_scalar(value: str) -> str:
    """A one-line YAML scalar: plain when YAML reads it back unchanged, quoted otherwise."""
    if "\n" not in value and value.strip() == value and value:
        try:
            if yaml.safe_load(value) == value and not value.startswith(("'", '"', "{", "[")):
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def format_time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class NewIncident:
    """What `statuskit new` asks for; the rest of the file is a commented scaffold."""

    title: str
    kind: str
    severity: str
    category: str
    components: dict[str, str]
    at: datetime
    status: str
    message: str
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None


def _environment() -> jinja2.Environment:
    folder = resources.files("statuskit").joinpath("templates/scaffold")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    env.filters["yaml"] = yaml_scalar
    return env


def incident_path(incidents_dir: Path, when: datetime, title: str, slug: str | None) -> Path:
    """`incidents/YYYY/YYYY-MM-DD-slug.md`: sorted by date in any file browser."""
    name = slugify(slug or title, max_length=60, word_boundary=True) or "incident"
    day = when.date().isoformat()
    return incidents_dir / f"{when.year}" / f"{day}-{name}.md"


def render_new(incident: NewIncident) -> str:
    values: dict[str, Any] = {
        "title": incident.title,
        "kind": incident.kind,
        "kind_label": incident.kind.capitalize(),
        "severity": incident.severity,
        "category": incident.category,
        "components": incident.components,
        "at": format_time(incident.at),
        "status": incident.status,
        "message": incident.message,
        "scheduled_for": format_time(incident.scheduled_for) if incident.scheduled_for else "",
        "scheduled_until": (
            format_time(incident.scheduled_until) if incident.scheduled_until else ""
        ),
    }
    return _environment().get_template("incident.md.j2").render(values)


def append_update(
    path: Path,
    at: datetime,
    status: str,
    message: str,
    components: dict[str, str] | None = None,
    provisional: bool = False,
    next_update_by: datetime | None = None,
    reopened: bool = False,
) -> None:
    """Append one item to `updates`, matching its indentation; no other byte changes."""
    text = path.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    if path.suffix == ".md":
        parts = split_front_matter(text)
        if parts is None:
            raise EditError(f"{path}: no front matter found; start the file with `---`")
        source, _, body_line = parts
        offset, end_index = 1, body_line - 2
    else:
        source, offset, end_index = text, 0, len(lines)
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise EditError(f"{path}: the YAML is malformed, fix it first ({exc})") from None
    if not isinstance(root, yaml.MappingNode):
        raise EditError(f"{path}: the front matter is not a map of keys")
    updates = next((v for k, v in root.value if k.value == "updates"), None)
    if updates is None:
        insert_at = _last_content_line(lines, end_index)
        block, dash, key = ["updates:\n"], "  ", "    "
    elif not isinstance(updates, yaml.SequenceNode) or updates.flow_style or not updates.value:
        raise EditError(
            f"{path}:{updates.start_mark.line + 1 + offset}: `updates` is not a block list; "
            "write each update as `- at: ...` on its own lines"
        )
    else:
        first = updates.value[0]
        first_line = lines[first.start_mark.line + offset]
        dash = first_line[: first_line.index("-")]
        key = " " * first.start_mark.column
        insert_at = _item_end(updates.value[-1], offset, lines)
        block = []
    block.append(f"{dash}- at: {format_time(at)}\n")
    block.append(f"{key}status: {status}\n")
    if reopened:
        block.append(f"{key}reopened: true\n")
    if provisional:
        block.append(f"{key}provisional: true\n")
    if next_update_by is not None:
        block.append(f"{key}next_update_by: {format_time(next_update_by)}\n")
    if "\n" in message.strip():
        block.append(f"{key}body: |-\n")
        block += [f"{key}  {line}\n" if line else "\n" for line in message.strip().splitlines()]
    else:
        block.append(f"{key}body: {yaml_scalar(message.strip())}\n")
    if components:
        pairs = ", ".join(f"{c}: {i}" for c, i in components.items())
        block.append(f"{key}components: {{{pairs}}}\n")
    if insert_at > 0 and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += "\n"
    lines[insert_at:insert_at] = block
    path.write_text("".join(lines), encoding="utf-8")


def _item_end(node: yaml.Node, offset: int, lines: list[str]) -> int:
    """Index of the line after an item's last content line (comments after it stay put)."""
    last = node
    while isinstance(last, (yaml.MappingNode, yaml.SequenceNode)) and last.value:
        item = last.value[-1]
        last = item[1] if isinstance(item, tuple) else item
    mark = last.end_mark
    end = mark.line + offset + (0 if mark.column == 0 else 1)
    return _last_content_line(lines, end)


def _last_content_line(lines: list[str], end: int) -> int:
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return end
